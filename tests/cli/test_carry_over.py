"""`request new --carry-over` (issue 2, item 5; CONTRACT.md section 1): a later
request for the same service starts from the answers of the latest approved
one, each marked with its source; never silently; `check` never carries."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import (DEPT_A, approve_new, consult_conclude, document, new_request, run,  # noqa: E402
                     setup_db, show)


def answers_of_a():
    """Department A's answers: met with evidence, and two justified unmets."""
    reqs = {str(n): {"status": "met", "evidence": "A課確認 証跡%d" % n} for n in range(1, 29)}
    reqs["1"] = {"status": "unmet", "reason": "ISMAP 未登録。代替サービスがない"}
    reqs["17"] = {"status": "unmet", "reason": "SLA 未定義。業務影響は軽微"}
    return reqs


def approved_by_a(env, reqs=None, **kw):
    rid, entry = approve_new(env, document(requirements=reqs or answers_of_a(), **kw),
                             manager="mgr", approver="appr")
    return rid, show(env, rid)


def test_answers_come_across_marked_with_their_source(env):
    setup_db(env)
    src_id, src = approved_by_a(env)
    approved_on = src["decided_at"][:10] if src.get("decided_at") else None
    doc_b = document(requirements=None, purpose="市民課の窓口予約説明会", scope="市民課に限る")
    rid = new_request(env, doc_b, as_="mgr_b", carry_over=True)
    r = show(env, rid)
    reqs = r["document"].get("requirements") or {}
    a = answers_of_a()
    assert sorted(reqs, key=int) == [str(n) for n in range(1, 29)], reqs
    for no, answer in reqs.items():
        for key in ("status", "evidence", "reason"):
            assert answer.get(key) == a[no].get(key), "item %s %s: %s" % (no, key, answer)
        co = answer.get("carried_over")
        assert isinstance(co, dict), "item %s is not marked as carried over: %s" % (no, answer)
        assert co.get("request") == src_id, co
        assert co.get("department") == DEPT_A, co
        assert isinstance(co.get("approved_on"), str) and len(co["approved_on"]) == 10, co
        if approved_on:
            assert co["approved_on"] == approved_on, (co, src["decided_at"])
    # B's own fields stay B's.
    assert r["document"]["purpose"] == "市民課の窓口予約説明会", r["document"]
    assert r["evaluation"]["approvable"] is True, r["evaluation"]

    # The carried-over request goes through like any other, to B's own entry.
    consult_conclude(env, rid, manager="mgr_b")
    env.ok("request", "submit", "--as", "mgr_b", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    entries = env.json("ledger", "list", "--json")
    assert entries["total"] == 2, entries


def test_answers_b_gave_itself_are_kept(env):
    setup_db(env)
    src_id, _ = approved_by_a(env)
    own = {"1": {"status": "met", "evidence": "B課で ISMAP 登録を再確認"},
           "17": {"status": "unmet", "reason": "B課では停止の影響なし"}}
    rid = new_request(env, document(requirements=own), as_="mgr_b", carry_over=True)
    reqs = show(env, rid)["document"]["requirements"]
    for no, answer in own.items():
        got = {k: v for k, v in reqs[no].items() if k in ("status", "evidence", "reason")}
        assert got == answer, "B's own answer %s overwritten: %s" % (no, reqs[no])
        assert not reqs[no].get("carried_over"), "B's own answer %s marked carried: %s" % (no, reqs[no])
    assert reqs["1"]["status"] == "met" and reqs["17"]["status"] == "unmet", reqs
    others = [no for no in reqs if no not in own]
    assert len(others) == 26, reqs
    assert all(reqs[no].get("carried_over", {}).get("request") == src_id for no in others), reqs


def test_without_carry_over_nothing_is_carried(env):
    setup_db(env)
    approved_by_a(env)
    rid = new_request(env, document(requirements=None), as_="mgr_b")
    r = show(env, rid)
    reqs = r["document"].get("requirements") or {}
    assert reqs == {}, "nothing carried without --carry-over: %s" % reqs
    unanswered = [f for f in r["evaluation"]["findings"] if f["code"] == "unanswered"]
    assert len(unanswered) == 28, r["evaluation"]


def test_only_the_same_service_is_a_source(env):
    setup_db(env)
    approved_by_a(env)  # Microsoft Teams / Web会議 / 日本マイクロソフト株式会社
    for other in (dict(function="チャット"), dict(provider="Microsoft Corporation"),
                  dict(name="Microsoft Teams Premium")):
        rid = new_request(env, document(requirements=None, **other), as_="mgr_b", carry_over=True)
        reqs = show(env, rid)["document"].get("requirements") or {}
        assert reqs == {}, "a different service (%s) carried answers: %s" % (other, reqs)


def test_only_an_approved_request_is_a_source(env):
    setup_db(env)
    pending = new_request(env, document(requirements=answers_of_a()), as_="mgr")
    consult_conclude(env, pending)
    env.ok("request", "submit", "--as", "mgr", pending)
    concluded = new_request(env, document(requirements=answers_of_a()), as_="mgr")
    consult_conclude(env, concluded)
    rejected = new_request(env, document(requirements=answers_of_a()), as_="mgr2")
    consult_conclude(env, rejected, manager="mgr2")
    env.ok("request", "submit", "--as", "mgr2", rejected)
    env.ok("request", "reject", "--as", "appr", rejected, "--comment", "不要")
    rid = new_request(env, document(requirements=None), as_="mgr_b", carry_over=True)
    reqs = show(env, rid)["document"].get("requirements") or {}
    assert reqs == {}, "answers carried from a request never approved: %s" % reqs


def test_the_latest_approved_request_is_the_source(env):
    setup_db(env)
    old_id, _ = approved_by_a(env)
    newer = answers_of_a()
    for no in newer:
        if newer[no]["status"] == "met":
            newer[no]["evidence"] = "2026年度 再確認 %s" % no
    new_id, _ = approve_new(env, document(requirements=newer, scope="全庁"), manager="mgr2",
                            approver="appr2")
    rid = new_request(env, document(requirements=None), as_="mgr_b", carry_over=True)
    reqs = show(env, rid)["document"]["requirements"]
    assert all(a["carried_over"]["request"] == new_id for a in reqs.values()), reqs
    assert reqs["9"]["evidence"] == "2026年度 再確認 9", reqs["9"]


def test_check_never_carries_anything(env):
    setup_db(env)
    approved_by_a(env)
    bare = document(requirements=None)
    r = env.run("check", "-", input=bare)
    assert r.code == 1, r
    unanswered = [f for f in r.json()["findings"] if f["code"] == "unanswered"]
    assert len(unanswered) == 28, r.json()
    r = env.run("check", "--carry-over", "-", input=bare)
    if r.code in (0, 1):
        unanswered = [f for f in r.json()["findings"] if f["code"] == "unanswered"]
        assert len(unanswered) == 28, "check carried answers over: %s" % r.json()
    else:
        assert r.code == 2, r



def test_a_forged_carried_over_mark_is_dropped(env):
    """A mark is the program's word that an answer came from an approved
    request; a filer cannot write one in."""
    setup_db(env)
    src_id, _ = approved_by_a(env)
    reqs = answers_of_a()
    reqs["22"] = {"status": "met", "evidence": "自己申告",
                  "carried_over": {"request": src_id, "approved_on": "2025-01-01",
                                   "department": DEPT_A}}
    reqs["23"] = {"status": "met", "evidence": "自己申告",
                  "carried_over": {"request": 999, "approved_on": "2025-01-01"}}
    a = answers_of_a()
    reqs["9"] = dict(a["9"], carried_over={"request": src_id, "approved_on": "1999-01-01",
                                           "department": "偽の課"})
    rid = new_request(env, document(requirements=reqs, purpose="別の用途"), as_="mgr_b")
    got = show(env, rid)["document"]["requirements"]
    assert "carried_over" not in got["22"], got["22"]  # A answered 22 differently
    assert "carried_over" not in got["23"], got["23"]  # no request 999
    # A's very answer: the mark stays, but says what the program knows.
    src = show(env, src_id)
    assert got["9"]["carried_over"] == {"request": src_id, "approved_on": src["decided_at"][:10],
                                        "department": DEPT_A}, got["9"]


def test_a_carried_answer_changed_later_loses_its_mark(env):
    setup_db(env)
    approved_by_a(env)
    rid = new_request(env, document(requirements=None, purpose="市民課"), as_="mgr_b",
                      carry_over=True)
    doc = show(env, rid)["document"]
    assert "carried_over" in doc["requirements"]["9"]
    assert "carried_over" in doc["requirements"]["10"]
    doc["requirements"]["9"]["evidence"] = "B課で再確認した契約書"
    env.ok("request", "update", "--as", "mgr_b", rid, env.write("b.json", doc))
    got = show(env, rid)["document"]["requirements"]
    assert "carried_over" not in got["9"], got["9"]   # changed: no longer A's answer
    assert "carried_over" in got["10"], got["10"]     # unchanged: still A's

run(globals())
