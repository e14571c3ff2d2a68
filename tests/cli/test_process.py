#!/usr/bin/env python3
"""The standard's process to the letter (standard 5(2), CONTRACT.md sections 4
and 5): 事前協議 before the application, conclusion by the approver, changes
other than extension, retirement on its date, entries not yet begun, and the
details (conditions, procurement, cloud provider) carried into the ledger."""
import csv
import io

from harness import (assert_error_line, counts, document, new_request, run, setup_db, show,
                     step)


def consult_conclude(env, rid, manager="mgr", approver="appr"):
    env.ok("request", "consult", "--as", manager, rid, "--comment", "事前協議をお願いします")
    env.ok("request", "conclude", "--as", approver, rid, "--comment", "協議済みとします")


def approve(env, doc=None, manager="mgr", approver="appr"):
    rid = new_request(env, doc, as_=manager)
    consult_conclude(env, rid, manager, approver)
    env.ok("request", "submit", "--as", manager, rid)
    env.ok("request", "approve", "--as", approver, rid)
    return rid, show(env, rid)["entry_id"]


def test_new_request_cannot_be_submitted_before_consultation(env):
    # 5(2)①: 事前協議した上で利用申請を行う.
    setup_db(env)
    rid = new_request(env)
    before = counts(env)
    r = step(env, "submit", rid, "mgr")
    assert_error_line(r, 1)
    assert "5(2)①" in r.err, r
    assert show(env, rid)["state"] == "draft"
    env.ok("request", "consult", "--as", "mgr", rid)
    r = step(env, "submit", rid, "mgr")
    assert_error_line(r, 1)
    assert "5(2)①" in r.err, r
    assert show(env, rid)["state"] == "consulting"
    assert counts(env) == (before[0], before[1], before[2] + 1), "only the consult was recorded"


def test_conclude_then_submit_and_approve(env):
    setup_db(env)
    rid = new_request(env)
    env.ok("request", "consult", "--as", "mgr", rid, "--comment", "ご相談です")
    env.ok("request", "comment", "--as", "appr", rid, "--comment", "項番17を確認してください")
    env.ok("request", "comment", "--as", "mgr", rid, "--comment", "確認しました")
    env.ok("request", "conclude", "--as", "appr", rid, "--comment", "協議済み")
    req = show(env, rid)
    assert req["state"] == "consulted", req["state"]
    con = req["consultation"]
    assert con["held"] is True and con["concluded_by"] == "appr", con
    assert con["concluded_at"], con
    said = [c["comment"] for c in con["comments"]]
    assert said == ["ご相談です", "項番17を確認してください", "確認しました", "協議済み"], said
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr2", rid)
    entry = env.json("ledger", "show", show(env, rid)["entry_id"], "--json")
    vcon = entry["versions"][0]["consultation"]
    assert vcon["concluded_by"] == "appr" and len(vcon["comments"]) == 4, vcon
    audit = env.json("audit", "list", "--json")["records"]
    assert any(a["action"] == "request.conclude" for a in audit), [a["action"] for a in audit]


def test_only_an_approver_concludes_and_not_their_own(env):
    setup_db(env)
    rid = new_request(env)
    env.ok("request", "consult", "--as", "mgr", rid)
    for who in ("mgr", "mgr2", "staff", "ciso", "aud"):
        assert_error_line(step(env, "conclude", rid, who), 1)
    own = new_request(env, as_="mgr_appr")
    env.ok("request", "consult", "--as", "mgr_appr", own)
    r = step(env, "conclude", own, "mgr_appr")
    assert_error_line(r, 1)
    assert show(env, own)["state"] == "consulting"
    # In the wrong state: a draft has no consultation to conclude.
    draft = new_request(env)
    assert_error_line(step(env, "conclude", draft, "appr"), 1)
    assert show(env, draft)["state"] == "draft"


def test_consultation_is_editable_and_can_be_reopened(env):
    setup_db(env)
    rid = new_request(env)
    env.ok("request", "consult", "--as", "mgr", rid)
    env.ok("request", "update", "--as", "mgr", rid, "-", input=document(purpose="協議で直した目的"))
    assert show(env, rid)["document"]["purpose"] == "協議で直した目的"
    env.ok("request", "conclude", "--as", "appr", rid)
    # Concluded: what was agreed is not edited behind the approver's back.
    r = env.run("request", "update", "--as", "mgr", rid, "-", input=document())
    assert_error_line(r, 1)
    env.ok("request", "consult", "--as", "mgr", rid, "--comment", "もう一度相談します")
    assert show(env, rid)["state"] == "consulting"
    env.ok("request", "update", "--as", "mgr", rid, "-", input=document(purpose="再協議"))


def test_change_and_retire_need_no_consultation(env):
    setup_db(env)
    _, entry = approve(env)
    ext = env.json("ledger", "extend", "--as", "mgr", entry, "--to", "2028-03-31", "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", ext)
    env.ok("request", "approve", "--as", "appr", ext)
    ret = env.json("ledger", "retire", "--as", "mgr", entry, "--on", "2027-12-31", "--json")["id"]
    env.ok("request", "consult", "--as", "mgr", ret)  # may consult
    env.ok("request", "submit", "--as", "mgr", ret)  # need not conclude
    env.ok("request", "approve", "--as", "appr", ret)


def test_request_list_state_all_and_consulted(env):
    setup_db(env)
    a = new_request(env)
    b = new_request(env)
    consult_conclude(env, b)
    every = env.json("request", "list", "--state", "all", "--json")
    assert [x["id"] for x in every["requests"]] == [a, b], every
    only = env.json("request", "list", "--state", "consulted", "--json")
    assert [x["id"] for x in only["requests"]] == [b], only


def test_conditions_procurement_and_provider_travel_to_the_ledger(env):
    setup_db(env)
    doc = document(conditions=[{"text": "録画機能は使用しない", "status": "met",
                                "evidence": "管理画面で無効化"}])
    doc["service"]["cloud_provider"] = "Microsoft Azure"
    doc["service"]["data_location"] = "東日本リージョン"
    doc["personal_information"] = True
    _, entry = approve(env, doc)
    e = env.json("ledger", "show", entry, "--json")
    assert e["conditions"][0]["text"] == "録画機能は使用しない", e["conditions"]
    assert e["service"]["cloud_provider"] == "Microsoft Azure", e["service"]
    assert e["service"]["data_location"] == "東日本リージョン", e["service"]
    assert e["personal_information"] is True
    assert e["procurement"] == {"approval_ref": "総務第123号", "approved_on": "2026-02-01",
                                "vendor_decided_on": "2026-02-15"}, e["procurement"]
    assert e["approval"]["by"] == "appr" and e["approval"]["at"], e["approval"]
    assert e["versions"][0]["conditions"] == e["conditions"]
    # The CSV: the contract's columns, then 個別の選定条件.
    raw = env.ok("ledger", "list", "--csv").raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    assert rows[0][14] == "個別の選定条件", rows[0]
    assert "録画機能は使用しない" in rows[1][14], rows[1]


def test_conditions_are_versioned(env):
    setup_db(env)
    _, entry = approve(env, document(conditions=[{"text": "条件A", "status": "met"}]))
    rid = env.json("ledger", "change", "--as", "mgr", entry, "-", "--json",
                   input={"conditions": [{"text": "条件B", "status": "met"}]})["id"]
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    e = env.json("ledger", "show", entry, "--json")
    assert [c["text"] for c in e["conditions"]] == ["条件B"], e["conditions"]
    assert [v["conditions"][0]["text"] for v in e["versions"]] == ["条件A", "条件B"]


def test_ledger_change_merges_over_the_current_version(env):
    # 5(2)③: 期間の延長や廃止等変更がある場合は、更新すること.
    setup_db(env)
    _, entry = approve(env)
    rid = env.json("ledger", "change", "--as", "mgr", entry, "-", "--json",
                   input={"purpose": "庁内の会議にも使う", "scope": "全庁"})["id"]
    req = show(env, rid)
    assert req["kind"] == "change" and req["state"] == "draft"
    assert req["document"]["purpose"] == "庁内の会議にも使う"
    assert req["document"]["service"]["name"] == "Microsoft Teams"
    assert req["evaluation"]["approvable"] is True, req["evaluation"]
    fields = {c["field"]: (c["before"], c["after"]) for c in req["changes"]}
    assert fields["purpose"] == ("庁外関係者とのWeb会議", "庁内の会議にも使う"), fields
    assert fields["scope"] == ("部局内に限る", "全庁"), fields
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    e = env.json("ledger", "show", entry, "--json")
    assert e["purpose"] == "庁内の会議にも使う" and e["version"] == 2, e
    assert e["versions"][0]["purpose"] == "庁外関係者とのWeb会議"


def test_raising_confidentiality_demands_the_28_items(env):
    # 2(1), 3: 機密性2以上 → the requirement list.
    setup_db(env)
    low = document(confidentiality="1", requirements=None)
    _, entry = approve(env, low)
    rid = env.json("ledger", "change", "--as", "mgr", entry, "-", "--json",
                   input={"classification": {"confidentiality": "2"}})["id"]
    ev = show(env, rid)["evaluation"]
    assert ev["track"] == "requirements", ev
    assert not ev["approvable"]
    assert sum(1 for f in ev["findings"] if f["code"] == "unanswered") == 28, ev


def test_ledger_change_bad_input_writes_nothing(env):
    setup_db(env)
    _, entry = approve(env)
    before = counts(env)
    for body in ("{not json", '{"purpose": 1}', '{"unknown": "x"}', "[]",
                 '{"period": {"to": "2027-02-30"}}'):
        assert_error_line(env.run("ledger", "change", "--as", "mgr", entry, "-", input=body), 2)
    r = env.run("ledger", "change", "--as", "mgr", entry, "-",
                input={"service": {"name": "別のサービス"}})
    assert_error_line(r, 2)
    assert_error_line(env.run("ledger", "change", "--as", "mgr", entry, "-",
                              input=b"{\"purpose\": \"\xff\"}"), 2)
    assert_error_line(env.run("ledger", "change", "--as", "mgr_b", entry, "-",
                              input={"purpose": "x"}), 1)
    assert_error_line(env.run("ledger", "change", "--as", "mgr", 999, "-",
                              input={"purpose": "x"}), 2)
    assert counts(env) == before


def test_future_retirement_is_retiring_until_its_day(env):
    setup_db(env)
    _, entry = approve(env)
    rid = env.json("ledger", "retire", "--as", "mgr", entry, "--on", "2026-09-30", "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    e = env.json("ledger", "show", entry, "--json")
    assert e["state"] == "retiring" and e["state_label"] == "廃止予定", e["state"]
    assert e["retired_on"] == "2026-09-30"
    listed = env.json("ledger", "list", "--json")
    assert [x["id"] for x in listed["entries"]] == [entry], "still in use until its day"
    later = env.json("ledger", "show", entry, "--json", env={"EXTSVC_TODAY": "2026-09-30"})
    assert later["state"] == "retired" and later["state_label"] == "廃止", later["state"]
    gone = env.json("ledger", "list", "--json", env={"EXTSVC_TODAY": "2026-09-30"})
    assert gone["total"] == 0, gone
    # A retiring entry takes no further request.
    r = env.run("ledger", "extend", "--as", "mgr", entry, "--to", "2028-03-31")
    assert_error_line(r, 1)
    assert "廃止予定" in r.err, r


def test_retirement_may_be_dated_in_the_past(env):
    setup_db(env)
    _, entry = approve(env)
    rid = env.json("ledger", "retire", "--as", "mgr", entry, "--on", "2026-04-15", "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    e = env.json("ledger", "show", entry, "--json")
    assert e["state"] == "retired" and e["retired_on"] == "2026-04-15", e


def test_entry_not_yet_begun_is_upcoming(env):
    setup_db(env)
    _, entry = approve(env, document(period=("2026-10-01", "2027-09-30")))
    e = env.json("ledger", "show", entry, "--json")
    assert e["state"] == "upcoming" and e["state_label"] == "利用開始前", e["state"]
    assert env.json("ledger", "list", "--json")["total"] == 1
    csvtext = env.ok("ledger", "list", "--csv").raw.decode("utf-8-sig")
    assert "利用開始前" in csvtext
    assert env.json("ledger", "show", entry, "--json",
                    env={"EXTSVC_TODAY": "2026-10-01"})["state"] == "active"
    only = env.json("ledger", "list", "--state", "upcoming", "--json")
    assert only["total"] == 1


def test_extending_an_expired_entry_warns_of_the_gap(env):
    setup_db(env)
    _, entry = approve(env)
    late = {"EXTSVC_TODAY": "2027-05-10"}
    assert env.json("ledger", "show", entry, "--json", env=late)["state"] == "expired"
    rid = env.json("ledger", "extend", "--as", "mgr", entry, "--to", "2028-03-31", "--json",
                   env=late)["id"]
    ev = show(env, rid)["evaluation"]
    gap = [f for f in ev["findings"] if f["code"] == "extension-after-expiry"]
    assert gap and gap[0]["severity"] == "warning", ev
    assert "2027-04-01" in gap[0]["message"], gap
    assert ev["approvable"] is True
    env.ok("request", "submit", "--as", "mgr", rid, env=late)
    env.ok("request", "approve", "--as", "appr", rid, env=late)
    assert env.json("ledger", "show", entry, "--json", env=late)["state"] == "active"


def test_procurement_after_submission_warns(env):
    # 5(2): 業者決定後 … 利用申請を行うこと.
    setup_db(env)
    doc = document()
    doc["procurement"] = {"approval_ref": "総務第9号", "approved_on": "2026-06-01",
                          "vendor_decided_on": "2026-05-20"}
    rid = new_request(env, doc)
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr", rid)
    codes = {f["code"] for f in show(env, rid)["evaluation"]["findings"]}
    assert "procurement-after-submission" in codes, codes
    assert "procurement-order" in codes, codes


def test_readme_minimal_example_passes_check(env):
    """Issue 7: the README's minimal example passes `check` (exit 0, no blocker)."""
    import os
    import re
    from harness import SOURCE
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    block = re.search(r"承認できる最小の形.*?```json\n(.*?)```", readme, re.S)
    assert block, "the README has its minimal example"
    r = env.run("check", "-", input=block.group(1), db=False)
    assert r.code == 0, r
    assert r.json()["approvable"] is True and r.json()["findings"] == [], r.out
    setup_db(env)
    assert env.run("check", "-", input=block.group(1)).code == 0


def test_subcommand_help_exits_zero(env):
    for args in (["request", "--help"], ["ledger", "--help"], ["request", "conclude", "--help"],
                 ["ledger", "change", "--help"], ["request", "update", "--help"]):
        r = env.run(*args, db=False)
        assert r.code == 0, (args, r)
        assert r.out.strip(), (args, r)
    r = env.run("request", "--help", db=False)
    assert "conclude" in r.out and "submit" in r.out, r


if __name__ == "__main__":
    run(globals())
