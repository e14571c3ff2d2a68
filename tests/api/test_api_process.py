"""The standard's process through the JSON API (issue 7, CONTRACT.md sections
5 and 6): POST /requests/{id}/conclude, POST /ledger/{id}/change,
GET /requests?state=all, PUT /requests/{id}?catalogue=current, each with its
errors (403, 409, 400, 404, 413) leaving nothing written."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import assert_error, run  # noqa: E402
from harness import DATA as CLI_DATA, document  # noqa: E402

MANAGER, OTHER_MANAGER, APPROVER, AUDITOR = "somu", "kyoiku", "shinsa", "kansa"


def audit_count(env):
    """The audit records so far; every demo user's token is made first (a
    token's creation is itself audited)."""
    for login in (MANAGER, OTHER_MANAGER, APPROVER, AUDITOR, "shokuin", "ciso"):
        env.token(login)
    return len(env.token(AUDITOR).json_ok("GET", "/api/v1/audit")["records"])


def new_request(env, doc=None, login=MANAGER):
    body = doc if doc is not None else document(name="試験サービス", provider="試験株式会社")
    return env.token(login).json_ok("POST", "/api/v1/requests", body, status=201)["id"]


def approved_entry(env):
    mgr, appr = env.token(MANAGER), env.token(APPROVER)
    rid = new_request(env)
    mgr.json_ok("POST", "/api/v1/requests/%d/consult" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {"comment": "協議済み"})
    mgr.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {})
    return appr.json_ok("POST", "/api/v1/requests/%d/approve" % rid, {})["entry_id"]


def test_conclude_through_the_api(env):
    env.start()
    mgr, appr = env.token(MANAGER), env.token(APPROVER)
    rid = new_request(env)
    assert_error(mgr.post("/api/v1/requests/%d/submit" % rid, {}), 409)
    mgr.json_ok("POST", "/api/v1/requests/%d/consult" % rid, {"comment": "ご相談"})
    r = mgr.post("/api/v1/requests/%d/submit" % rid, {})
    err = assert_error(r, 409)
    assert "5(2)①" in err["message"], err
    before = audit_count(env)
    for login in (MANAGER, AUDITOR, "shokuin", "ciso"):
        assert_error(env.token(login).post("/api/v1/requests/%d/conclude" % rid, {}), 403)
    assert audit_count(env) == before
    out = appr.json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {"comment": "了解"})
    assert out["state"] == "consulted", out["state"]
    assert out["consultation"]["concluded_by"] == APPROVER, out["consultation"]
    assert_error(appr.post("/api/v1/requests/%d/conclude" % rid, {}), 409)
    assert_error(appr.post("/api/v1/requests/%d/conclude" % rid, {"comment": 5}), 400)
    assert_error(appr.post("/api/v1/requests/%d/conclude" % rid, {"unknown": "x"}), 400)
    assert_error(appr.post("/api/v1/requests/999/conclude", {}), 404)
    mgr.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {})


def test_requests_state_all(env):
    env.start()
    appr = env.token(APPROVER)
    every = appr.json_ok("GET", "/api/v1/requests?state=all")
    plain = appr.json_ok("GET", "/api/v1/requests")
    assert every["total"] == plain["total"] and every["total"] > 0, (every, plain)
    consulted = appr.json_ok("GET", "/api/v1/requests?state=consulted")
    assert all(x["state"] == "consulted" for x in consulted["requests"])
    assert_error(appr.get("/api/v1/requests?state=everything"), 400)


def test_ledger_change_through_the_api(env):
    env.start()
    entry = approved_entry(env)
    mgr = env.token(MANAGER)
    before = audit_count(env)
    for body, status in (("{not json", 400), ('{"purpose": 1}', 400), ('{"unknown": 1}', 400),
                         ("[]", 400), (b'{"purpose": "\xff"}', 400),
                         ('{"service": {"name": "別名"}}', 400),
                         ('{"period": {"to": "2027-02-30"}}', 400)):
        r = mgr.request("POST", "/api/v1/ledger/%d/change" % entry, body=body,
                        ctype="application/json")
        assert_error(r, status)
    assert_error(mgr.post("/api/v1/ledger/%d/change" % entry,
                          {"purpose": "x" * (1 << 20)}), 413)
    assert_error(env.token(OTHER_MANAGER).post("/api/v1/ledger/%d/change" % entry,
                                               {"purpose": "x"}), 403)
    assert_error(env.token(APPROVER).post("/api/v1/ledger/%d/change" % entry,
                                          {"purpose": "x"}), 403)
    assert_error(mgr.post("/api/v1/ledger/99999/change", {"purpose": "x"}), 404)
    assert audit_count(env) == before
    rid = mgr.json_ok("POST", "/api/v1/ledger/%d/change" % entry,
                      {"purpose": "庁内会議にも使う", "classification": {"availability": "2"}},
                      status=201)["id"]
    req = mgr.json_ok("GET", "/api/v1/requests/%d" % rid)
    assert req["kind"] == "change" and req["entry_id"] == entry, req
    changed = {c["field"] for c in req["changes"]}
    assert changed == {"purpose", "classification.availability"}, req["changes"]
    # A second open request for the same entry is refused.
    assert_error(mgr.post("/api/v1/ledger/%d/change" % entry, {"purpose": "y"}), 409)


def test_move_to_the_catalogue_in_force(env):
    env.start()
    rid = new_request(env)
    env.ok("catalogue", "load", "--as", "ciso", os.path.join(CLI_DATA, "catalogue-2024.json"))
    mgr = env.token(MANAGER)
    assert_error(mgr.put("/api/v1/requests/%d?catalogue=latest" % rid, None), 400)
    assert_error(env.token(OTHER_MANAGER).put("/api/v1/requests/%d?catalogue=current" % rid,
                                              None), 403)
    out = mgr.json_ok("PUT", "/api/v1/requests/%d?catalogue=current" % rid)
    assert out["catalogue"] == "national-2024" and out["rebased_from"] == "shunan-2023", out
    codes = {f["code"] for f in out["evaluation"]["findings"]}
    assert "catalogue-revised" in codes, codes


if __name__ == "__main__":
    run(globals())
