"""Every route of CONTRACT.md section 6 × every role, against a running server.

Identities (demo database): no credentials, staff (shokuin), manager (somu,
総務部 総務課, whose department filed requests #1-#4 and #7 and owns entries 1
and 2),
a manager of another department (kyoiku), approver (shinsa), ciso, auditor
(kansa), admin. Each is a Bearer token from `extsvc token create`.

Expected answers (CONTRACT.md sections 5 and 6): 401 without credentials;
403 where the role may not; 404 no such thing; 409 wrong state or not
approvable; every error as {"error": {"code", "message"}}. Each test
collects every disagreement of its route before failing, so one report
shows the whole row.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import (DEPT_KYOIKU, DEPT_SOMU, Client, assert_error, document, run)  # noqa: E402

IDENTITIES = ["none", "staff", "manager", "manager_other", "approver", "ciso", "auditor", "admin"]
LOGIN = {"staff": "shokuin", "manager": "somu", "manager_other": "kyoiku", "approver": "shinsa",
         "ciso": "ciso", "auditor": "kansa", "admin": "admin"}


def clients(env):
    c = {"none": env.anon()}
    for ident, login in LOGIN.items():
        c[ident] = env.token(login)
    return c


def expect(table, default=None, none=401):
    """A full row: identity -> status."""
    row = {i: default for i in IDENTITIES}
    row["none"] = none
    row.update(table)
    missing = [i for i, s in row.items() if s is None]
    assert not missing, "row without status for %s" % missing
    return row


def check(problems, who, resp, status):
    """Record a disagreement instead of stopping at the first."""
    if resp.status != status:
        problems.append("%-13s %s %s: expected %d, got %d %s" % (
            who, resp.method, resp.path, status, resp.status, resp.body[:200].decode("utf-8", "replace")))
        return False
    if status >= 400:
        try:
            assert_error(resp, status)
        except AssertionError as exc:
            problems.append("%-13s %s %s: %s" % (who, resp.method, resp.path, exc))
            return False
    elif status in (200, 201):
        try:
            resp.json()
        except AssertionError as exc:
            problems.append("%-13s %s %s: %s" % (who, resp.method, resp.path, exc))
            return False
    return True


def report(problems):
    assert not problems, "%d disagreement(s):\n  " % len(problems) + "\n  ".join(problems)


def row_test(env, method, path, row, body=None):
    """One route, every identity, no state change between them."""
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        check(problems, ident, cs[ident].request(method, path, body=body), row[ident])
    report(problems)


def new_draft(env, doc=None, as_="somu"):
    r = env.token(as_).post("/api/v1/requests", doc if doc is not None else document())
    assert r.status == 201, "filing a draft as %s: %r" % (as_, r)
    return r.json()["id"]


def new_consulting(env, doc=None, as_="somu"):
    rid = new_draft(env, doc, as_)
    r = env.token(as_).post("/api/v1/requests/%d/consult" % rid, {"comment": "事前協議"})
    assert r.status == 200, "consulting on #%d: %r" % (rid, r)
    return rid


def new_consulted(env, doc=None, as_="somu"):
    """A new request whose 事前協議 the approver concluded (5(2)①): ready to
    be submitted."""
    rid = new_consulting(env, doc, as_)
    r = env.token("shinsa").post("/api/v1/requests/%d/conclude" % rid, {"comment": "協議済み"})
    assert r.status == 200, "concluding #%d: %r" % (rid, r)
    return rid


def new_submitted(env, doc=None, as_="somu"):
    rid = new_consulted(env, doc, as_)
    r = env.token(as_).post("/api/v1/requests/%d/submit" % rid, {})
    assert r.status == 200, "submitting #%d: %r" % (rid, r)
    return rid


def state_of(env, rid):
    return env.token("shinsa").json_ok("GET", "/api/v1/requests/%d" % rid)["state"]


def per_identity(env, row, prepare, act, after=None):
    """A write route: `prepare()` makes a fresh object for each identity,
    `act(client, obj)` takes the step; where refused, `after(obj)` (if
    given) says what must still hold."""
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        obj = prepare()
        resp = act(cs[ident], obj)
        ok = check(problems, ident, resp, row[ident])
        if ok and resp.status >= 400 and after:
            msg = after(obj)
            if msg:
                problems.append("%-13s refused but %s" % (ident, msg))
    report(problems)


# --- session ---------------------------------------------------------------

def test_session_get_every_role(env):
    """GET /api/v1/session: who am I; 401 without credentials."""
    env.start()
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        r = cs[ident].get("/api/v1/session")
        if check(problems, ident, r, 401 if ident == "none" else 200) and ident != "none":
            user = r.json().get("user", {})
            if user.get("login") != LOGIN[ident]:
                problems.append("%s: session names %r, not %s" % (ident, user, LOGIN[ident]))
    report(problems)


# --- evaluation and catalogue ------------------------------------------------

def test_check_every_role(env):
    """POST /api/v1/check evaluates for anyone signed in (200 approvable or
    not) and stores nothing."""
    env.start()
    row = expect({}, default=200)
    cs = clients(env)
    problems = []
    blocked = document(requirements=None)
    for ident in IDENTITIES:
        for doc, approvable in ((document(), True), (blocked, False)):
            r = cs[ident].post("/api/v1/check", doc)
            if check(problems, ident, r, row[ident]) and r.status == 200:
                if r.json().get("approvable") is not approvable:
                    problems.append("%s: check says approvable=%r, expected %r" % (
                        ident, r.json().get("approvable"), approvable))
    report(problems)
    total = cs["approver"].json_ok("GET", "/api/v1/requests")["requests"]
    assert len(total) == 8, "check must store nothing: %d requests" % len(total)


def test_catalogue_every_role(env):
    """GET /api/v1/catalogue: the catalogue in force, for anyone signed in."""
    env.start()
    row_test(env, "GET", "/api/v1/catalogue", expect({}, default=200))
    cat = env.token("shokuin").json_ok("GET", "/api/v1/catalogue")
    assert cat["id"] == "shunan-2023" and len(cat["requirements"]) == 28 and len(cat["risks"]) == 12, cat


# --- requests ------------------------------------------------------------------

def test_requests_create_every_role(env):
    """POST /api/v1/requests: managers file (201 {"id"}); no other role."""
    env.start()
    row = expect({"manager": 201, "manager_other": 201}, default=403)
    cs = clients(env)
    problems = []
    before = len(cs["approver"].json_ok("GET", "/api/v1/requests")["requests"])
    made = 0
    for ident in IDENTITIES:
        r = cs[ident].post("/api/v1/requests", document())
        if check(problems, ident, r, row[ident]) and r.status == 201:
            made += 1
            body = r.json()
            if not isinstance(body.get("id"), int):
                problems.append("%s: 201 without an integer id: %r" % (ident, body))
            else:
                got = cs["approver"].json_ok("GET", "/api/v1/requests/%d" % body["id"])
                dept = DEPT_SOMU if ident == "manager" else DEPT_KYOIKU
                if got["state"] != "draft" or got["document"]["applicant"]["department"] != dept:
                    problems.append("%s: stored request is %s of %r" % (
                        ident, got["state"], got["document"].get("applicant")))
    after = len(cs["approver"].json_ok("GET", "/api/v1/requests")["requests"])
    if after - before != made:
        problems.append("refused requests were stored: %d new, %d accepted" % (after - before, made))
    report(problems)


def test_requests_list_every_role(env):
    """GET /api/v1/requests: managers (their department only), approver,
    ciso and auditor; staff and admin may not."""
    env.start()
    row = expect({"manager": 200, "manager_other": 200, "approver": 200, "ciso": 200,
                  "auditor": 200}, default=403)
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        r = cs[ident].get("/api/v1/requests")
        if check(problems, ident, r, row[ident]) and r.status == 200:
            ids = sorted(q["id"] for q in r.json()["requests"])
            want = {"manager": [1, 2, 3, 4, 7], "manager_other": [5, 6, 8]}.get(
                ident, [1, 2, 3, 4, 5, 6, 7, 8])
            if ids != want:
                problems.append("%s sees requests %s, expected %s" % (ident, ids, want))
        r = cs[ident].get("/api/v1/requests?state=submitted")
        if check(problems, ident + "?state", r, row[ident]) and r.status == 200:
            ids = sorted(q["id"] for q in r.json()["requests"])
            want = [] if ident == "manager_other" else [3]
            if ids != want:
                problems.append("%s ?state=submitted gives %s, expected %s" % (ident, ids, want))
        for state, mine in (("consulting", 7), ("consulted", 8)):
            r = cs[ident].get("/api/v1/requests?state=" + state)
            if check(problems, ident + "?state=" + state, r, row[ident]) and r.status == 200:
                ids = sorted(q["id"] for q in r.json()["requests"])
                hidden = {"manager": 8, "manager_other": 7}.get(ident)
                want = [] if mine == hidden else [mine]
                if ids != want:
                    problems.append("%s ?state=%s gives %s, expected %s" % (ident, state, ids, want))
    report(problems)


def test_request_show_every_role(env):
    """GET /api/v1/requests/{id}: the department's managers, approver, ciso,
    auditor; 404 for a request that does not exist."""
    env.start()
    row = expect({"manager": 200, "approver": 200, "ciso": 200, "auditor": 200}, default=403)
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        r = cs[ident].get("/api/v1/requests/3")
        if check(problems, ident, r, row[ident]) and r.status == 200:
            q = r.json()
            for key in ("id", "kind", "state", "document", "evaluation", "history"):
                if key not in q:
                    problems.append("%s: request lacks %r" % (ident, key))
            if q.get("state") != "submitted":
                problems.append("%s: #3 is %r, expected submitted" % (ident, q.get("state")))
    # The other department's manager reads their own requests.
    check(problems, "manager_other", cs["manager_other"].get("/api/v1/requests/5"), 200)
    for ident in ("manager", "approver", "auditor"):
        check(problems, ident, cs[ident].get("/api/v1/requests/999"), 404)
    check(problems, "none", cs["none"].get("/api/v1/requests/999"), 401)
    report(problems)


def test_request_update_every_role(env):
    """PUT /api/v1/requests/{id}: the department's manager, on a draft, a
    request in 事前協議 or a returned one; 409 once the consultation is
    concluded or the request submitted; 404 where there is none."""
    env.start()
    row = expect({"manager": 200}, default=403)
    cs = clients(env)
    problems = []
    changed = document(purpose="更新後の利用目的")
    for ident in IDENTITIES:
        rid = new_draft(env)
        r = cs[ident].put("/api/v1/requests/%d" % rid, changed)
        check(problems, ident, r, row[ident])
        got = cs["approver"].json_ok("GET", "/api/v1/requests/%d" % rid)["document"]["purpose"]
        want = "更新後の利用目的" if row[ident] == 200 else document()["purpose"]
        if got != want:
            problems.append("%s: purpose after PUT is %r, expected %r" % (ident, got, want))
    # Returned request #5 (kyoiku): editable by kyoiku only.
    check(problems, "manager", cs["manager"].put("/api/v1/requests/5", changed), 403)
    check(problems, "manager_other", cs["manager_other"].put("/api/v1/requests/5", changed), 200)
    # In 事前協議 (#7, somu's): editable; concluded (#8, kyoiku's): no longer.
    check(problems, "manager", cs["manager"].put("/api/v1/requests/7", changed), 200)
    check(problems, "manager_other", cs["manager_other"].put("/api/v1/requests/8", changed), 409)
    # Wrong state: submitted #3 and approved #1.
    check(problems, "manager", cs["manager"].put("/api/v1/requests/3", changed), 409)
    check(problems, "manager", cs["manager"].put("/api/v1/requests/1", changed), 409)
    check(problems, "manager", cs["manager"].put("/api/v1/requests/999", changed), 404)
    report(problems)


def applicant_step(env, action):
    """The step on a fresh request where it is allowed: a draft, or for
    submit a new request whose 事前協議 was concluded (5(2)①)."""
    row = expect({"manager": 200}, default=403)
    want = {"consult": "consulting", "submit": "submitted", "withdraw": "withdrawn"}[action]
    prepare, start = (new_consulted, "consulted") if action == "submit" else (new_draft, "draft")

    def act(client, rid):
        return client.post("/api/v1/requests/%d/%s" % (rid, action), {"comment": "%sします" % action})

    def after(rid):
        st = state_of(env, rid)
        return None if st == start else "the request moved to %s" % st

    per_identity(env, row, lambda: prepare(env), act, after)
    # The one allowed answers with the request in its new state.
    rid = prepare(env)
    r = env.token("somu").post("/api/v1/requests/%d/%s" % (rid, action), {})
    assert r.status == 200 and r.json().get("state") == want, "%s by somu: %r" % (action, r)


def test_request_consult_every_role(env):
    """POST /requests/{id}/consult: the department's manager only."""
    env.start()
    applicant_step(env, "consult")
    # Wrong state: an approved request.
    assert_error(env.token("somu").post("/api/v1/requests/1/consult", {}), 409)


def test_request_submit_every_role(env):
    """POST /requests/{id}/submit: the department's manager only; a new
    request only once its 事前協議 is concluded (409 naming 5(2)① from draft
    or consulting)."""
    env.start()
    applicant_step(env, "submit")
    somu = env.token("somu")
    assert_error(somu.post("/api/v1/requests/3/submit", {}), 409)
    assert_error(somu.post("/api/v1/requests/999/submit", {}), 404)
    for rid, st in ((new_draft(env), "draft"), (new_consulting(env), "consulting"), (7, "consulting")):
        err = assert_error(somu.post("/api/v1/requests/%d/submit" % rid, {}), 409)
        assert "5(2)①" in err["message"], err
        assert state_of(env, rid) == st, "a refused submission moved #%d" % rid


def test_request_conclude_every_role(env):
    """POST /requests/{id}/conclude: an approver ends the 事前協議
    (consulting → consulted); not a draft or a submitted request."""
    env.start()
    row = expect({"approver": 200}, default=403)

    def act(client, rid):
        return client.post("/api/v1/requests/%d/conclude" % rid, {"comment": "協議済み"})

    def after(rid):
        st = state_of(env, rid)
        return None if st == "consulting" else "the request moved to %s" % st

    per_identity(env, row, lambda: new_consulting(env), act, after)
    rid = new_consulting(env)
    q = env.token("shinsa").json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {})
    assert q["state"] == "consulted", q
    assert q["consultation"]["concluded_by"] == "shinsa", q["consultation"]
    # Reopened by the manager, it is concluded again.
    assert env.token("somu").json_ok("POST", "/api/v1/requests/%d/consult" % rid, {})["state"] == "consulting"
    assert env.token("shinsa").json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {})["state"] == "consulted"
    appr = env.token("shinsa")
    for rid, st in ((4, "draft"), (3, "submitted"), (8, "consulted"), (1, "approved")):
        assert_error(appr.post("/api/v1/requests/%d/conclude" % rid, {}), 409)
        assert state_of(env, rid) == st
    assert_error(appr.post("/api/v1/requests/999/conclude", {}), 404)


def test_request_withdraw_every_role(env):
    """POST /requests/{id}/withdraw: the department's manager only."""
    env.start()
    applicant_step(env, "withdraw")
    assert_error(env.token("somu").post("/api/v1/requests/1/withdraw", {}), 409)


def decide_step(env, action, comment):
    row = expect({"approver": 200}, default=403)
    want = {"approve": "approved", "reject": "rejected", "return": "returned"}[action]
    body = {"comment": comment} if comment else {}

    def act(client, rid):
        return client.post("/api/v1/requests/%d/%s" % (rid, action), body)

    def after(rid):
        st = state_of(env, rid)
        return None if st == "submitted" else "the request moved to %s" % st

    per_identity(env, row, lambda: new_submitted(env), act, after)
    rid = new_submitted(env)
    r = env.token("shinsa").post("/api/v1/requests/%d/%s" % (rid, action), body)
    assert r.status == 200 and r.json().get("state") == want, "%s by shinsa: %r" % (action, r)


def test_request_approve_every_role(env):
    """POST /requests/{id}/approve: the approver only; an approved new
    request makes a ledger entry."""
    env.start()
    decide_step(env, "approve", None)
    before = env.token("shokuin").json_ok("GET", "/api/v1/ledger")["total"]
    rid = new_submitted(env)
    q = env.token("shinsa").json_ok("POST", "/api/v1/requests/%d/approve" % rid, {})
    assert isinstance(q.get("entry_id"), int), "approved request names no entry: %r" % q
    after = env.token("shokuin").json_ok("GET", "/api/v1/ledger")["total"]
    assert after == before + 1, "approval must add one ledger entry: %d -> %d" % (before, after)


def test_request_reject_every_role(env):
    """POST /requests/{id}/reject (with a comment): the approver only."""
    env.start()
    decide_step(env, "reject", "要件を満たしていません")


def test_request_return_every_role(env):
    """POST /requests/{id}/return (with a comment): the approver only."""
    env.start()
    decide_step(env, "return", "理由欄を記載してください")


def test_approve_conflicts(env):
    """409 where the state is wrong or a blocker stands; the request stays
    as it was."""
    env.start()
    appr = env.token("shinsa")
    # A draft is not submitted.
    err = assert_error(appr.post("/api/v1/requests/4/approve", {}), 409)
    assert state_of(env, 4) == "draft", "refused approval changed #4"
    # Nor is a request in 事前協議, which is not returned either (差戻し is of
    # a submitted request): #7.
    assert_error(appr.post("/api/v1/requests/7/approve", {}), 409)
    assert_error(appr.post("/api/v1/requests/7/return", {"comment": "戻します"}), 409)
    assert state_of(env, 7) == "consulting", "refused steps changed #7"
    # Submitted with blockers (#4 has unanswered requirements): not approvable.
    somu = env.token("somu")
    assert somu.post("/api/v1/requests/4/consult", {}).status == 200
    assert appr.post("/api/v1/requests/4/conclude", {}).status == 200
    assert somu.post("/api/v1/requests/4/submit", {}).status == 200
    err = assert_error(appr.post("/api/v1/requests/4/approve", {}), 409)
    assert err["code"] != "forbidden", err
    assert state_of(env, 4) == "submitted", "a refused approval must leave #4 submitted"
    # Already approved.
    assert_error(appr.post("/api/v1/requests/1/approve", {}), 409)
    assert_error(appr.post("/api/v1/requests/1/return", {"comment": "戻します"}), 409)
    # No such request.
    assert_error(appr.post("/api/v1/requests/999/approve", {}), 404)
    # reject and return need a comment (invalid input).
    assert_error(appr.post("/api/v1/requests/3/reject", {}), 400)
    assert_error(appr.post("/api/v1/requests/3/return", {"comment": "   "}), 400)
    assert state_of(env, 3) == "submitted"


def add_dual_role_user(env):
    # A manager of 総務部 総務課 who is also an approver (兼務).
    env.ok("user", "add", "kenmu", "--name", "兼務 五郎", "--dept", DEPT_SOMU,
           "--role", "manager,approver", "--password-stdin", input="extsvc-demo-2026\n")


def test_no_one_approves_their_own_request(env):
    """Separation of duties: whoever created or submitted a request may not
    approve it, whatever roles they hold (403); another approver may."""
    env.start(extra=add_dual_role_user)
    kenmu, somu, appr = env.token("kenmu"), env.token("somu"), env.token("shinsa")
    problems = []
    # Created and submitted by kenmu.
    a = new_submitted(env, as_="kenmu")
    check(problems, "kenmu(own)", kenmu.post("/api/v1/requests/%d/approve" % a, {}), 403)
    # Created by kenmu, submitted by somu; kenmu does not conclude its
    # 事前協議 either.
    b = new_consulting(env, as_="kenmu")
    check(problems, "kenmu(conclude own)", kenmu.post("/api/v1/requests/%d/conclude" % b, {}), 403)
    check(problems, "shinsa(conclude)", appr.post("/api/v1/requests/%d/conclude" % b, {}), 200)
    check(problems, "somu", somu.post("/api/v1/requests/%d/submit" % b, {}), 200)
    check(problems, "kenmu(created)", kenmu.post("/api/v1/requests/%d/approve" % b, {}), 403)
    # Created by somu, submitted by kenmu.
    c = new_consulted(env, as_="somu")
    check(problems, "kenmu", kenmu.post("/api/v1/requests/%d/submit" % c, {}), 200)
    check(problems, "kenmu(submitted)", kenmu.post("/api/v1/requests/%d/approve" % c, {}), 403)
    for rid in (a, b, c):
        if state_of(env, rid) != "submitted":
            problems.append("#%d is %s after refused approvals" % (rid, state_of(env, rid)))
    # kenmu may approve somu's request that somu submitted.
    d = new_submitted(env, as_="somu")
    check(problems, "kenmu(other's)", kenmu.post("/api/v1/requests/%d/approve" % d, {}), 200)
    # And the plain approver approves kenmu's.
    check(problems, "shinsa", appr.post("/api/v1/requests/%d/approve" % a, {}), 200)
    report(problems)


# --- ledger ----------------------------------------------------------------------

def test_ledger_list_every_role(env):
    """GET /api/v1/ledger: everyone signed in, staff included."""
    env.start()
    row = expect({}, default=200)
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        r = cs[ident].get("/api/v1/ledger")
        if check(problems, ident, r, row[ident]) and r.status == 200:
            body = r.json()
            if body.get("total") != 2 or sorted(e["id"] for e in body.get("entries", [])) != [1, 2]:
                problems.append("%s: ledger is %r" % (ident, body))
        r = cs[ident].get("/api/v1/ledger?q=%E7%BF%BB%E8%A8%B3&limit=10&offset=0")  # 翻訳
        if check(problems, ident + "?q", r, row[ident]) and r.status == 200:
            names = [e["service"]["name"] for e in r.json()["entries"]]
            if names != ["DeepL 翻訳"]:
                problems.append("%s: q=翻訳 finds %r" % (ident, names))
    report(problems)


def test_ledger_show_every_role(env):
    """GET /api/v1/ledger/{id}: everyone signed in; 404 for no such entry."""
    env.start()
    row = expect({}, default=200)
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        r = cs[ident].get("/api/v1/ledger/1")
        if check(problems, ident, r, row[ident]) and r.status == 200:
            en = r.json()
            if en.get("service", {}).get("name") != "Microsoft Teams" or not en.get("versions"):
                problems.append("%s: entry 1 is %r" % (ident, en))
        if ident != "none":
            check(problems, ident, cs[ident].get("/api/v1/ledger/999"), 404)
    report(problems)


def test_ledger_extend_every_role(env):
    """POST /api/v1/ledger/{id}/extend: the entry department's manager
    (201 {"id"} of a change request); 409 while one is open."""
    env.start()
    row = expect({"manager": 201}, default=403)
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        if ident == "manager":
            continue  # last: it opens a request, after which extend is 409
        check(problems, ident, cs[ident].post("/api/v1/ledger/1/extend",
                                              {"to": "2028-03-31", "comment": "延長"}), row[ident])
    r = cs["manager"].post("/api/v1/ledger/1/extend", {"to": "2028-03-31", "comment": "延長"})
    if check(problems, "manager", r, 201):
        rid = r.json().get("id")
        q = cs["approver"].json_ok("GET", "/api/v1/requests/%s" % rid)
        if (q["kind"], q["state"], q["document"]["period"]["to"]) != ("change", "draft", "2028-03-31"):
            problems.append("extend opened %r" % ((q["kind"], q["state"], q["document"]["period"]),))
    check(problems, "manager(again)", cs["manager"].post(
        "/api/v1/ledger/1/extend", {"to": "2029-03-31"}), 409)
    check(problems, "manager", cs["manager"].post("/api/v1/ledger/999/extend", {"to": "2029-03-31"}), 404)
    reqs = cs["approver"].json_ok("GET", "/api/v1/requests")["requests"]
    if len(reqs) != 9:
        problems.append("refused extensions stored requests: %d requests" % len(reqs))
    report(problems)


def test_ledger_retire_every_role(env):
    """POST /api/v1/ledger/{id}/retire: the entry department's manager."""
    env.start()
    row = expect({"manager": 201}, default=403)
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        if ident == "manager":
            continue
        check(problems, ident, cs[ident].post("/api/v1/ledger/2/retire",
                                              {"on": "2026-12-31", "comment": "廃止"}), row[ident])
    r = cs["manager"].post("/api/v1/ledger/2/retire", {"on": "2026-12-31", "comment": "廃止"})
    if check(problems, "manager", r, 201):
        q = cs["approver"].json_ok("GET", "/api/v1/requests/%s" % r.json().get("id"))
        if (q["kind"], q["state"]) != ("retire", "draft"):
            problems.append("retire opened %r" % ((q["kind"], q["state"]),))
    check(problems, "manager(again)", cs["manager"].post("/api/v1/ledger/2/retire",
                                                         {"on": "2026-12-31"}), 409)
    report(problems)


# --- audit ------------------------------------------------------------------------

def test_audit_every_role(env):
    """GET /api/v1/audit: auditor and ciso only."""
    env.start()
    row = expect({"auditor": 200, "ciso": 200}, default=403)
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        r = cs[ident].get("/api/v1/audit")
        if check(problems, ident, r, row[ident]) and r.status == 200:
            recs = r.json().get("records")
            if not recs or not all("hash" in x and "actor" in x for x in recs):
                problems.append("%s: audit answer %r" % (ident, r.json()))
    report(problems)


def test_audit_verify_every_role(env):
    """GET /api/v1/audit/verify: auditor and ciso only; the chain is whole."""
    env.start()
    row = expect({"auditor": 200, "ciso": 200}, default=403)
    cs = clients(env)
    problems = []
    for ident in IDENTITIES:
        r = cs[ident].get("/api/v1/audit/verify")
        if check(problems, ident, r, row[ident]) and r.status == 200:
            if r.json().get("ok") is not True:
                problems.append("%s: verify says %r" % (ident, r.json()))
    report(problems)


def test_roles_same_with_session_cookie(env):
    """The same rules with a session cookie (and its CSRF token) as with a
    token."""
    env.start()
    problems = []
    cases = [("shokuin", "GET", "/api/v1/ledger", None, 200),
             ("shokuin", "GET", "/api/v1/requests", None, 403),
             ("shokuin", "POST", "/api/v1/requests", document(), 403),
             ("admin", "GET", "/api/v1/audit", None, 403),
             ("kansa", "GET", "/api/v1/audit", None, 200),
             ("kansa", "POST", "/api/v1/requests/3/approve", {}, 403),
             ("kyoiku", "GET", "/api/v1/requests/3", None, 403),
             ("somu", "POST", "/api/v1/requests/3/approve", {}, 403),
             ("somu", "POST", "/api/v1/requests", document(), 201),
             ("shinsa", "POST", "/api/v1/requests/3/approve", {}, 200)]
    for login, method, path, body, status in cases:
        c = env.signin(login)
        check(problems, login, c.request(method, path, body=body), status)
    report(problems)


def test_overview_for_ciso_auditor_and_approver_only(env):
    env.start()
    for login, status in (("ciso", 200), ("kansa", 200), ("shinsa", 200), ("somu", 403),
                          ("shokuin", 403), ("admin", 403)):
        r = env.token(login).get("/api/v1/overview")
        assert r.status == status, (login, r)
    o = env.token("ciso").json_ok("GET", "/api/v1/overview")
    # The demo: two entries in use (Teams 機密性2, DeepL 機密性1) of 総務部 総務課; requests
    # #1 #2 approved, #3 submitted, #4 #6 drafts, #5 returned, #7 consulting, #8 consulted.
    assert o["entries"]["active"] == 2, o
    assert {k: v for k, v in o["entries"].items() if v} == {"active": 2}, o
    assert [d["department"] for d in o["by_department"]] == ["総務部 総務課"], o
    assert {c["level"]: c["active"] for c in o["by_confidentiality"]} == {"2": 1, "1": 1}, o
    assert o["requests"] == {"approved": 2, "submitted": 1, "draft": 2, "returned": 1,
                             "consulting": 1, "consulted": 1}, o
    assert Client(env).get("/api/v1/overview").status == 401


if __name__ == "__main__":
    run(globals())
