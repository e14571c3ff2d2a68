"""The life of a request and of a ledger entry (CONTRACT.md sections 1, 4, 5):
request -> consultation (事前協議) -> conclusion -> submission -> return ->
re-submission -> approval -> ledger -> extension -> retirement, and the
refusals of section 5. A new request is submitted only once its 事前協議 is
concluded (standard 5(2)①): consult_conclude before each submission."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import (DEPT_A, USERS, approve_new, assert_error_line, consult_conclude,  # noqa: E402
                     counts, document, new_request, run, setup_db, show, step)


def state(env, rid):
    return show(env, rid)["state"]


def refused(env, r, rid, expected_state, before, code=1):
    """A refusal: the exit status, one error line, the state unchanged and
    nothing written (requests, ledger, audit log)."""
    assert_error_line(r, code)
    assert state(env, rid) == expected_state, "state changed after a refusal: %r" % r
    assert counts(env) == before, "something was written by a refused step: %r" % r


def user_fields(login):
    name, dept, _ = USERS[login]
    return {"department": dept, "name": name}


def check_entry_fields(entry, doc, applicant):
    """Fields (ア)〜(キ) of a ledger entry (or version) against a document."""
    svc = entry["service"]
    assert svc["name"] == doc["service"]["name"], entry
    assert svc["function"] == doc["service"]["function"], entry
    assert svc["provider"] == doc["service"]["provider"], entry
    assert entry["purpose"] == doc["purpose"], entry
    assert entry["classification"] == doc["classification"], entry
    assert entry["applicant"] == applicant, entry
    assert entry["scope"] == doc["scope"], entry


def test_whole_life_of_a_request_and_its_ledger_entry(env):
    setup_db(env)
    doc = document()
    rid = new_request(env, doc)

    r = show(env, rid)
    for key in ("id", "kind", "state", "document", "evaluation", "history"):
        assert key in r, "request show --json lacks %r: %s" % (key, r)
    assert r["id"] == rid and r["kind"] == "new" and r["state"] == "draft", r
    assert r["evaluation"]["approvable"] is True, r["evaluation"]
    assert isinstance(r["history"], list) and r["history"], r

    # 事前協議 with a comment, kept in the history.
    env.ok("request", "consult", "--as", "mgr", rid, "--comment", "ISMAP の登録範囲を確認したい")
    r = show(env, rid)
    assert r["state"] == "consulting", r
    assert any(h.get("comment") == "ISMAP の登録範囲を確認したい" for h in r["history"]), r["history"]

    # Not yet concluded: a new request is not submitted (5(2)①).
    before = counts(env)
    refused(env, step(env, "submit", rid, "mgr"), rid, "consulting", before)
    env.ok("request", "conclude", "--as", "appr2", rid, "--comment", "協議済みとします")
    r = show(env, rid)
    assert r["state"] == "consulted", r
    assert r["consultation"]["concluded_by"] == "appr2", r["consultation"]

    env.ok("request", "submit", "--as", "mgr", rid)
    assert state(env, rid) == "submitted"

    # 差戻し needs a comment; with one it returns the request, editable again.
    before = counts(env)
    refused(env, step(env, "return", rid, "appr"), rid, "submitted", before, code=2)
    env.ok("request", "return", "--as", "appr", rid, "--comment", "利用者の範囲を具体的に")
    r = show(env, rid)
    assert r["state"] == "returned", r
    assert any(h.get("comment") == "利用者の範囲を具体的に" for h in r["history"]), r["history"]

    doc["scope"] = "情報政策課の職員に限る"
    doc["purpose"] = "庁外関係者とのWeb会議（議事録は作成しない）"
    env.ok("request", "update", "--as", "mgr", rid, "-", input=doc)
    r = show(env, rid)
    assert r["state"] == "returned", r
    assert r["document"]["scope"] == "情報政策課の職員に限る", r["document"]
    assert r["evaluation"]["approvable"] is True, r["evaluation"]

    env.ok("request", "submit", "--as", "mgr", rid)
    assert state(env, rid) == "submitted"
    env.ok("request", "approve", "--as", "appr", rid)
    r = show(env, rid)
    assert r["state"] == "approved", r
    actions = [h.get("action") for h in r["history"]]
    assert len(r["history"]) >= 7, "every step is in the history: %s" % r["history"]
    assert {"consult", "conclude", "return", "approve"} <= set(actions), actions

    # The ledger entry, fields (ア)〜(キ).
    listing = env.json("ledger", "list", "--json")
    assert set(listing) >= {"entries", "total"}, listing
    assert listing["total"] == 1 and len(listing["entries"]) == 1, listing
    entry_id = listing["entries"][0]["id"]
    assert isinstance(entry_id, int), listing
    entry = env.json("ledger", "show", entry_id, "--json")
    assert entry["id"] == entry_id and entry["state"] == "active", entry
    check_entry_fields(entry, doc, user_fields("mgr"))
    assert entry["period"] == {"from": "2026-04-01", "to": "2027-03-31"}, entry
    check_entry_fields(listing["entries"][0], doc, user_fields("mgr"))
    assert len(entry["versions"]) == 1, entry
    check_entry_fields(entry["versions"][0], doc, user_fields("mgr"))

    # Extension: a change request, a draft that changes nothing until approved.
    out = env.json("ledger", "extend", "--as", "mgr", entry_id, "--to", "2028-03-31",
                   "--comment", "次年度も利用", "--json")
    change = out["id"]
    assert isinstance(change, int) and change != rid, out
    c = show(env, change)
    assert c["kind"] == "change" and c["state"] == "draft", c
    assert c["document"]["period"]["to"] == "2028-03-31", c["document"]
    still = env.json("ledger", "show", entry_id, "--json")
    assert still["period"]["to"] == "2027-03-31" and len(still["versions"]) == 1, still

    env.ok("request", "submit", "--as", "mgr", change)
    env.ok("request", "approve", "--as", "appr2", change)
    assert state(env, change) == "approved"
    entry = env.json("ledger", "show", entry_id, "--json")
    assert entry["state"] == "active", entry
    assert entry["period"] == {"from": "2026-04-01", "to": "2028-03-31"}, entry
    assert len(entry["versions"]) == 2, entry
    v1, v2 = entry["versions"]
    assert v1["period"]["to"] == "2027-03-31", "history kept, oldest first: %s" % entry["versions"]
    assert v2["period"]["to"] == "2028-03-31", entry["versions"]
    check_entry_fields(v1, doc, user_fields("mgr"))
    check_entry_fields(entry, doc, user_fields("mgr"))
    assert env.json("ledger", "list", "--json")["total"] == 1, "a change makes no second entry"

    # Retirement: approved, the entry is 廃止予定 (retiring) and still in use
    # until its day, then retired.
    ret = env.json("ledger", "retire", "--as", "mgr", entry_id, "--on", "2027-09-30", "--json")["id"]
    r = show(env, ret)
    assert r["kind"] == "retire" and r["state"] == "draft", r
    assert env.json("ledger", "show", entry_id, "--json")["state"] == "active"
    env.ok("request", "submit", "--as", "mgr", ret)
    env.ok("request", "approve", "--as", "appr", ret)
    entry = env.json("ledger", "show", entry_id, "--json")
    assert entry["state"] == "retiring" and entry["retired_on"] == "2027-09-30", entry
    assert env.json("ledger", "list", "--json")["total"] == 1, "in use until its day"
    retired_day = {"EXTSVC_TODAY": "2027-09-30"}
    entry = env.json("ledger", "show", entry_id, "--json", env=retired_day)
    assert entry["state"] == "retired", entry
    assert len(entry["versions"]) >= 2, entry
    assert entry["versions"][0]["period"]["to"] == "2027-03-31", entry["versions"]
    assert entry["versions"][1]["period"]["to"] == "2028-03-31", entry["versions"]

    in_use = env.json("ledger", "list", "--json", env=retired_day)
    assert in_use["total"] == 0 and in_use["entries"] == [], in_use
    everything = env.json("ledger", "list", "--all", "--json", env=retired_day)
    assert everything["total"] == 1, everything
    assert everything["entries"][0]["id"] == entry_id, everything
    assert everything["entries"][0]["state"] == "retired", everything

    requests = env.json("request", "list", "--json")["requests"]
    assert sorted(q["id"] for q in requests) == sorted([rid, change, ret]), requests
    assert all(q["state"] == "approved" for q in requests), requests


def test_request_list_filters_by_state(env):
    setup_db(env)
    a = new_request(env)
    b = new_request(env)
    consult_conclude(env, b)
    env.ok("request", "submit", "--as", "mgr", b)
    drafts = env.json("request", "list", "--state", "draft", "--json")["requests"]
    submitted = env.json("request", "list", "--state", "submitted", "--json")["requests"]
    assert [q["id"] for q in drafts] == [a], drafts
    assert [q["id"] for q in submitted] == [b], submitted


def test_applicant_is_the_filing_user_not_the_document(env):
    setup_db(env)
    doc = document(applicant=("どこかの部 どこかの課", "なりすまし 太郎"))
    rid = new_request(env, doc, as_="mgr2")
    stored = show(env, rid)["document"]
    assert stored["applicant"] == user_fields("mgr2"), stored["applicant"]

    # A document without an applicant is filled from the user record too.
    bare = document(applicant=None)
    rid2 = new_request(env, bare, as_="mgr")
    r = show(env, rid2)
    assert r["document"]["applicant"] == user_fields("mgr"), r["document"]
    fields = [f.get("field") for f in r["evaluation"]["findings"]]
    assert not any(f and f.startswith("applicant") for f in fields), r["evaluation"]

    consult_conclude(env, rid, manager="mgr2")
    env.ok("request", "submit", "--as", "mgr2", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    entry = env.json("ledger", "show", show(env, rid)["entry_id"], "--json")
    assert entry["applicant"] == user_fields("mgr2"), "ledger field (カ): %s" % entry["applicant"]


def test_a_draft_may_be_incomplete_but_is_not_approved(env):
    setup_db(env)
    doc = document(period=("2027-04-01", "2027-03-31"), requirements=None)
    doc["service"]["provider"] = ""
    del doc["purpose"]
    rid = new_request(env, doc)
    ev = show(env, rid)["evaluation"]
    assert ev["approvable"] is False, ev
    codes = {f["code"] for f in ev["findings"]}
    assert {"missing-field", "invalid-period", "unanswered"} <= codes, ev
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr", rid)
    before = counts(env)
    refused(env, step(env, "approve", rid, "appr"), rid, "submitted", before)


def test_approval_refused_while_a_blocker_stands(env):
    setup_db(env)
    doc = document()
    doc["requirements"]["15"] = {"status": "unmet", "reason": "消去証明書は出せない"}
    rid = new_request(env, doc)
    assert show(env, rid)["evaluation"]["approvable"] is False
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr", rid)
    before = counts(env)
    refused(env, step(env, "approve", rid, "appr"), rid, "submitted", before)
    assert env.json("ledger", "list", "--all", "--json")["total"] == 0

    # Returned, fixed and re-submitted (a returned request was concluded
    # once: no second 事前協議), it is approved.
    env.ok("request", "return", "--as", "appr", rid, "--comment", "項番15 は必須です")
    env.ok("request", "update", "--as", "mgr", rid, "-", input=document())
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    assert state(env, rid) == "approved"
    assert env.json("ledger", "list", "--json")["total"] == 1


def test_no_one_approves_a_request_they_created(env):
    setup_db(env)
    rid = new_request(env, as_="mgr_appr")  # manager and approver at once
    # Nor do they conclude its 事前協議.
    env.ok("request", "consult", "--as", "mgr_appr", rid)
    before = counts(env)
    refused(env, step(env, "conclude", rid, "mgr_appr"), rid, "consulting", before)
    env.ok("request", "conclude", "--as", "appr2", rid)
    env.ok("request", "submit", "--as", "mgr", rid)  # a colleague submits it
    before = counts(env)
    refused(env, step(env, "approve", rid, "mgr_appr"), rid, "submitted", before)
    env.ok("request", "approve", "--as", "appr", rid)
    assert state(env, rid) == "approved"


def test_no_one_approves_a_request_they_submitted(env):
    setup_db(env)
    rid = new_request(env, as_="mgr")
    consult_conclude(env, rid, approver="appr")
    env.ok("request", "submit", "--as", "mgr_appr", rid)
    before = counts(env)
    refused(env, step(env, "approve", rid, "mgr_appr"), rid, "submitted", before)
    env.ok("request", "approve", "--as", "appr2", rid)
    assert state(env, rid) == "approved"


def test_approver_who_submitted_before_a_return_still_cannot_approve(env):
    setup_db(env)
    rid = new_request(env, as_="mgr")
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr_appr", rid)
    env.ok("request", "return", "--as", "appr", rid, "--comment", "期間を確認")
    env.ok("request", "submit", "--as", "mgr", rid)
    before = counts(env)
    # mgr_appr submitted this request (before the return): it is their own.
    refused(env, step(env, "approve", rid, "mgr_appr"), rid, "submitted", before)


def test_approver_who_edited_a_returned_request_cannot_approve_it(env):
    setup_db(env)
    rid = new_request(env, as_="mgr")
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "return", "--as", "appr", rid, "--comment", "目的を具体的に")
    doc = show(env, rid)["document"]
    doc["purpose"] = "庁外関係者とのWeb会議（議事録は作成しない）"
    env.ok("request", "update", "--as", "mgr_appr", rid, env.write("edit.json", doc))
    env.ok("request", "submit", "--as", "mgr", rid)
    before = counts(env)
    # mgr_appr wrote part of this request: not theirs to approve.
    refused(env, step(env, "approve", rid, "mgr_appr"), rid, "submitted", before)
    env.ok("request", "approve", "--as", "appr", rid)


def test_no_one_approves_a_change_request_they_opened(env):
    setup_db(env)
    _, entry = approve_new(env, manager="mgr", approver="appr")
    change = env.json("ledger", "extend", "--as", "mgr_appr", entry, "--to", "2028-03-31",
                      "--json")["id"]
    env.ok("request", "submit", "--as", "mgr_appr", change)
    before = counts(env)
    refused(env, step(env, "approve", change, "mgr_appr"), change, "submitted", before)
    env.ok("request", "approve", "--as", "appr", change)
    assert env.json("ledger", "show", entry, "--json")["period"]["to"] == "2028-03-31"


def test_manager_of_another_department_cannot_act_on_the_request(env):
    setup_db(env)
    rid = new_request(env, as_="mgr")
    before = counts(env)
    doc_before = show(env, rid)["document"]
    for action in ("consult", "submit", "withdraw"):
        refused(env, step(env, action, rid, "mgr_b"), rid, "draft", before)
    r = env.run("request", "update", "--as", "mgr_b", rid, "-",
                input=document(purpose="他部署による書換え"))
    refused(env, r, rid, "draft", before)
    assert show(env, rid)["document"] == doc_before

    # A manager of the same department may.
    env.ok("request", "consult", "--as", "mgr2", rid)
    assert state(env, rid) == "consulting"
    env.ok("request", "conclude", "--as", "appr2", rid)
    before = counts(env)
    for action in ("consult", "submit", "withdraw"):
        refused(env, step(env, action, rid, "mgr_b"), rid, "consulted", before)
    env.ok("request", "submit", "--as", "mgr2", rid)
    assert state(env, rid) == "submitted"


def test_manager_of_another_department_cannot_extend_or_retire_the_entry(env):
    setup_db(env)
    _, entry = approve_new(env)
    before = counts(env)
    for args in (("extend", "--to", "2028-03-31"), ("retire", "--on", "2026-12-31")):
        r = env.run("ledger", args[0], "--as", "mgr_b", entry, args[1], args[2])
        assert_error_line(r, 1)
        assert counts(env) == before, r
    assert env.json("ledger", "show", entry, "--json")["state"] == "active"


def test_staff_and_auditor_cannot_write(env):
    setup_db(env)
    draft = new_request(env)
    cons = new_request(env)
    env.ok("request", "consult", "--as", "mgr", cons)
    sub = new_request(env)
    consult_conclude(env, sub)
    env.ok("request", "submit", "--as", "mgr", sub)
    _, entry = approve_new(env, document(name="Zoom", function="", provider="ZVC"))
    before = counts(env)
    catalogue = os.path.join(os.path.dirname(__file__), "..", "data", "catalogue-2024.json")
    for who in ("staff", "aud"):
        attempts = [
            ("request", "new", "--as", who, "-"),
            ("request", "update", "--as", who, draft, "-"),
            ("request", "consult", "--as", who, draft),
            ("request", "submit", "--as", who, draft),
            ("request", "withdraw", "--as", who, draft),
            ("request", "conclude", "--as", who, cons),
            ("request", "approve", "--as", who, sub),
            ("request", "return", "--as", who, sub, "--comment", "x"),
            ("request", "reject", "--as", who, sub, "--comment", "x"),
            ("ledger", "extend", "--as", who, entry, "--to", "2028-03-31"),
            ("ledger", "retire", "--as", who, entry, "--on", "2026-12-31"),
            ("catalogue", "load", "--as", who, catalogue),
            ("user", "add", "intruder", "--name", "侵入 者", "--dept", DEPT_A, "--role", "approver",
             "--as", who),
        ]
        for args in attempts:
            r = env.run(*args, input=document())
            assert_error_line(r, 1)
            assert counts(env) == before, "%s wrote something: %s %r" % (who, args, r)
    assert state(env, draft) == "draft" and state(env, sub) == "submitted"
    assert state(env, cons) == "consulting"
    assert env.json("catalogue", "show", "--json")["id"] == "shunan-2023"

    # They read what they may: staff the ledger, the auditor everything.
    assert env.json("ledger", "list", "--as", "staff", "--json")["total"] == 1
    assert env.json("request", "show", sub, "--as", "aud", "--json")["state"] == "submitted"
    assert len(env.json("audit", "list", "--as", "aud", "--json")["records"]) == before[2]


def test_manager_cannot_decide(env):
    setup_db(env)
    rid = new_request(env)
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr", rid)
    before = counts(env)
    for who in ("mgr", "mgr2", "ciso", "admin"):
        refused(env, step(env, "approve", rid, who), rid, "submitted", before)
        refused(env, step(env, "return", rid, who, "直して"), rid, "submitted", before)
        refused(env, step(env, "reject", rid, who, "だめ"), rid, "submitted", before)


def test_reject_and_return_need_a_comment(env):
    setup_db(env)
    rid = new_request(env)
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr", rid)
    before = counts(env)
    for action in ("reject", "return"):
        refused(env, step(env, action, rid, "appr"), rid, "submitted", before, code=2)
        refused(env, step(env, action, rid, "appr", ""), rid, "submitted", before, code=2)
        refused(env, step(env, action, rid, "appr", "  \u3000 "), rid, "submitted", before, code=2)

    env.ok("request", "reject", "--as", "appr", rid, "--comment", "代替サービスがあります")
    r = show(env, rid)
    assert r["state"] == "rejected", r
    assert any(h.get("comment") == "代替サービスがあります" for h in r["history"]), r["history"]
    assert env.json("ledger", "list", "--all", "--json")["total"] == 0


def test_steps_in_the_wrong_state_are_refused(env):
    setup_db(env)
    draft = new_request(env)
    before = counts(env)
    refused(env, step(env, "approve", draft, "appr"), draft, "draft", before)
    refused(env, step(env, "reject", draft, "appr", "x"), draft, "draft", before)

    # 事前協議 (5(2)①): a consultation is concluded, not returned (差戻し is
    # of a submitted request); a concluded one is not concluded again. (The
    # whole table of steps and states: tests/unit/test_states.c.)
    sub = new_request(env)
    env.ok("request", "consult", "--as", "mgr", sub)
    before = counts(env)
    refused(env, step(env, "return", sub, "appr", "x"), sub, "consulting", before)
    env.ok("request", "conclude", "--as", "appr2", sub)
    before = counts(env)
    refused(env, step(env, "conclude", sub, "appr2"), sub, "consulted", before)

    env.ok("request", "submit", "--as", "mgr", sub)
    before = counts(env)
    r = env.run("request", "update", "--as", "mgr", sub, "-", input=document(purpose="書換え"))
    refused(env, r, sub, "submitted", before)
    assert show(env, sub)["document"]["purpose"] == document()["purpose"]
    refused(env, step(env, "submit", sub, "mgr"), sub, "submitted", before)
    refused(env, step(env, "conclude", sub, "appr2"), sub, "submitted", before)

    env.ok("request", "approve", "--as", "appr", sub)
    before = counts(env)
    refused(env, step(env, "approve", sub, "appr2"), sub, "approved", before)
    refused(env, step(env, "return", sub, "appr2", "x"), sub, "approved", before)
    refused(env, step(env, "withdraw", sub, "mgr"), sub, "approved", before)
    r = env.run("request", "update", "--as", "mgr", sub, "-", input=document())
    refused(env, r, sub, "approved", before)
    assert env.json("ledger", "list", "--json")["total"] == 1, "still one entry"

    env.ok("request", "withdraw", "--as", "mgr", draft)
    before = counts(env)
    assert state(env, draft) == "withdrawn"
    refused(env, step(env, "submit", draft, "mgr"), draft, "withdrawn", before)
    refused(env, step(env, "consult", draft, "mgr"), draft, "withdrawn", before)


def test_only_a_draft_consulting_or_returned_request_is_edited(env):
    """`request update` replaces the document of a draft, of a request in
    事前協議 (consulting) and of a returned one; not once the consultation
    is concluded (what was agreed is not edited behind the approver's back),
    nor while submitted."""
    setup_db(env)
    rid = new_request(env)
    env.ok("request", "update", "--as", "mgr", rid, "-", input=document(scope="下書きで修正"))
    env.ok("request", "consult", "--as", "mgr", rid, "--comment", "相談")
    env.ok("request", "update", "--as", "mgr", rid, "-", input=document(scope="協議中に修正"))
    r = show(env, rid)
    assert r["state"] == "consulting" and r["document"]["scope"] == "協議中に修正", r
    env.ok("request", "conclude", "--as", "appr2", rid)
    before = counts(env)
    r = env.run("request", "update", "--as", "mgr", rid, "-", input=document(scope="協議後に修正"))
    refused(env, r, rid, "consulted", before)
    assert show(env, rid)["document"]["scope"] == "協議中に修正"
    env.ok("request", "submit", "--as", "mgr", rid)
    before = counts(env)
    r = env.run("request", "update", "--as", "mgr", rid, "-", input=document(scope="審査中に修正"))
    refused(env, r, rid, "submitted", before)
    env.ok("request", "return", "--as", "appr", rid, "--comment", "範囲を見直して")
    env.ok("request", "update", "--as", "mgr", rid, "-", input=document(scope="差戻し後に修正"))
    assert show(env, rid)["document"]["scope"] == "差戻し後に修正"


def test_no_extension_or_retirement_of_a_retired_entry(env):
    setup_db(env)
    _, entry = approve_new(env)
    ret = env.json("ledger", "retire", "--as", "mgr", entry, "--on", "2026-12-31", "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", ret)
    env.ok("request", "approve", "--as", "appr", ret)
    # On and after its retirement day the entry is retired.
    day = {"EXTSVC_TODAY": "2026-12-31"}
    assert env.json("ledger", "show", entry, "--json", env=day)["state"] == "retired"
    before = counts(env)
    r = env.run("ledger", "extend", "--as", "mgr", entry, "--to", "2029-03-31", env=day)
    assert_error_line(r, 1)
    r = env.run("ledger", "retire", "--as", "mgr", entry, "--on", "2027-01-31", env=day)
    assert_error_line(r, 1)
    assert counts(env) == before


def test_extension_and_retirement_dates_may_be_written_in_wareki(env):
    """--to and --on take the forms a city writes (ISO, 令和10年3月31日,
    R9.9.30, full width); a day that does not exist is a usage error that
    says why, and writes nothing."""
    setup_db(env)
    _, entry = approve_new(env)
    ext = env.json("ledger", "extend", "--as", "mgr", entry, "--to", "令和10年3月31日", "--json")["id"]
    assert show(env, ext)["document"]["period"]["to"] == "2028-03-31"
    env.ok("request", "withdraw", "--as", "mgr", ext)  # one open request per entry
    ret = env.json("ledger", "retire", "--as", "mgr", entry, "--on", "Ｒ９．９．３０", "--json")["id"]
    assert show(env, ret)["retire_on"] == "2027-09-30", show(env, ret)
    before = counts(env)
    for args, why in ((("extend", "--to", "令和元年4月30日"), "令和は2019年5月1日から"),
                      (("retire", "--on", "R9.2.29"), "存在しない日付"),
                      (("extend", "--to", "来年の3月"), "日付として読めません")):
        r = env.run("ledger", args[0], "--as", "mgr", entry, *args[1:])
        assert_error_line(r, 2)
        assert why in r.err, r.err
    assert counts(env) == before


run(globals())
