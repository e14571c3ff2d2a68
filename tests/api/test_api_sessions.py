"""Sign-in sessions, CSRF, throttling and tokens, against a running server.

CONTRACT.md section 6: a cookie-authenticated POST/PUT/DELETE must send the
session's CSRF token as X-CSRF-Token; HTML forms carry it as the field csrf
(issue 3). A new session id at each sign-in; sign-out ends the session.
Failed sign-ins are throttled: 5 per 15 minutes per login and per address,
then 429 even with the right password. A Bearer token needs no CSRF token;
an invalid one is 401.
"""
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import (DEMO_PASSWORD, Client, assert_error, document, run,  # noqa: E402
                    session_cookie)


def request_count(env):
    return len(env.token("shinsa").json_ok("GET", "/api/v1/requests")["requests"])


def state_of(env, rid):
    return env.token("shinsa").json_ok("GET", "/api/v1/requests/%d" % rid)["state"]


def test_cookie_write_without_csrf_is_403(env):
    env.start()
    env.token("shinsa")
    mgr = env.signin("somu")
    other = env.signin("somu")  # a second session of the same user: another token
    assert other.csrf != mgr.csrf, "two sessions share one CSRF token"
    n = request_count(env)
    problems = []
    for label, headers in (("no X-CSRF-Token", {}),
                           ("wrong X-CSRF-Token", {"X-CSRF-Token": "0" * len(mgr.csrf)}),
                           ("empty X-CSRF-Token", {"X-CSRF-Token": ""}),
                           ("another session's token", {"X-CSRF-Token": other.csrf}),
                           ("token in lower case", {"X-CSRF-Token": mgr.csrf.upper()}
                            if mgr.csrf.upper() != mgr.csrf else {"X-CSRF-Token": "x"})):
        for method, path, body in (("POST", "/api/v1/requests", document()),
                                   ("PUT", "/api/v1/requests/4", document(purpose="CSRF で変更")),
                                   ("POST", "/api/v1/requests/4/submit", {}),
                                   ("POST", "/api/v1/ledger/1/extend", {"to": "2028-03-31"}),
                                   ("DELETE", "/api/v1/session", None)):
            r = mgr.request(method, path, body=body, headers=headers, csrf=False)
            if r.status != 403:
                problems.append("%s %s with %s: %r" % (method, path, label, r))
            else:
                assert_error(r, 403)
    assert not problems, "cookie writes without the right CSRF token must be 403:\n  " + \
        "\n  ".join(problems)
    assert request_count(env) == n, "a refused write stored a request"
    assert state_of(env, 4) == "draft"
    assert env.token("shinsa").json_ok("GET", "/api/v1/requests/4")["document"]["purpose"] != "CSRF で変更"
    # The session survived the refused sign-out, and reads need no token.
    assert mgr.get("/api/v1/session").status == 200
    assert mgr.get("/api/v1/requests").status == 200
    # With the right token: done.
    r = mgr.post("/api/v1/requests", document())
    assert r.status == 201, "cookie POST with X-CSRF-Token: %r" % r
    # (#4 is a new request: its 事前協議 comes before the submission, 5(2)①.)
    r = mgr.post("/api/v1/requests/4/consult", {})
    assert r.status == 200 and r.json()["state"] == "consulting", r
    assert env.token("shinsa").post("/api/v1/requests/4/conclude", {}).status == 200
    r = mgr.post("/api/v1/requests/4/submit", {})
    assert r.status == 200 and r.json()["state"] == "submitted", r
    # GET /api/v1/session gives the same CSRF token back.
    assert mgr.get("/api/v1/session").json().get("csrf") == mgr.csrf


def test_html_form_without_csrf_is_403(env):
    env.start()
    env.token("shinsa")
    c, _page = env.page_signin("somu")
    assert c.csrf, "the page after sign-in carries no CSRF token"
    problems = []
    for label, fields in (("no csrf field", {}), ("wrong csrf", {"csrf": "deadbeef"}),
                          ("empty csrf", {"csrf": ""})):
        r = c.form("/requests/4/submit", dict(fields, comment="申請します"), csrf_field=False)
        if r.status != 403:
            problems.append("POST /requests/4/submit with %s: %d" % (label, r.status))
        r = c.form("/requests/new", dict(fields, do="save", service_name="CSRF", provider="x",
                                         purpose="x"), csrf_field=False)
        if r.status != 403:
            problems.append("POST /requests/new with %s: %d" % (label, r.status))
        r = c.form("/logout", fields, csrf_field=False)
        if r.status != 403:
            problems.append("POST /logout with %s: %d" % (label, r.status))
    # The API's CSRF header is no substitute for a form's field.
    r = c.request("POST", "/requests/4/consult", body=b"comment=x", headers={"X-CSRF-Token": c.csrf},
                  csrf=False, ctype="application/x-www-form-urlencoded")
    if r.status != 403:
        problems.append("form POST with the header but no field: %d" % r.status)
    assert not problems, "\n  ".join([""] + problems)
    assert state_of(env, 4) == "draft", "a refused form changed #4"
    assert request_count(env) == 8, "a refused form stored a request"
    assert c.get("/").status == 200, "the refused sign-out ended the session"
    # With the field: done (303 back to the request). #4 is a new request:
    # 事前協議 first, concluded by the approver, then the submission (5(2)①).
    r = c.form("/requests/4/consult", {"comment": "事前協議をお願いします"})
    assert r.status == 303 and r.header("Location") == "/requests/4", r
    assert state_of(env, 4) == "consulting"
    assert env.token("shinsa").post("/api/v1/requests/4/conclude", {}).status == 200
    r = c.form("/requests/4/submit", {"comment": "申請します"})
    assert r.status == 303 and r.header("Location") == "/requests/4", r
    assert state_of(env, 4) == "submitted"


def test_new_session_id_at_each_signin(env):
    env.start()
    ids, csrfs = set(), set()
    for _ in range(3):
        c = env.signin("somu")
        ids.add(c.cookie)
        csrfs.add(c.csrf)
    assert len(ids) == 3 and len(csrfs) == 3, "sign-ins must give new ids and tokens: %s" % ids
    # A cookie the client already holds (or an attacker planted) is replaced,
    # and the old session is over.
    old = env.signin("kyoiku")
    r = old.post("/api/v1/session", {"login": "kyoiku", "password": DEMO_PASSWORD})
    assert r.status == 200, r
    new = session_cookie(r)
    assert new and new != old.cookie, "sign-in kept the session id it was sent"
    assert Client(env, cookie=old.cookie).get("/api/v1/session").status == 401, \
        "the session before sign-in must end"
    assert Client(env, cookie=new).get("/api/v1/session").status == 200
    planted = Client(env, cookie="a" * 64)
    r = planted.post("/api/v1/session", {"login": "kyoiku", "password": DEMO_PASSWORD})
    assert r.status == 200 and session_cookie(r) != "a" * 64, r
    # The cookie is HttpOnly, SameSite and for the whole site.
    attrs = [a.strip().lower() for a in r.header("Set-Cookie").split(";")[1:]]
    assert "httponly" in attrs and "path=/" in attrs and any(a.startswith("samesite=") for a in attrs), attrs
    # The same through the HTML sign-in form.
    a, _ = env.page_signin("somu")
    b, _ = env.page_signin("somu")
    assert a.cookie != b.cookie


def test_signout_invalidates_the_cookie(env):
    env.start()
    c = env.signin("somu")
    assert c.get("/api/v1/requests").status == 200
    r = c.delete("/api/v1/session")
    assert r.status == 200, "sign-out: %r" % r
    cleared = r.header("Set-Cookie") or ""
    assert cleared.startswith("extsvc_session=;") or "max-age=0" in cleared.lower(), \
        "sign-out must clear the cookie: %r" % cleared
    assert_error(c.get("/api/v1/session"), 401)
    assert_error(c.get("/api/v1/requests"), 401)
    assert_error(c.post("/api/v1/requests", document()), 401)
    assert request_count(env) == 8, "the demo has 8 requests; a signed-out POST stored one"
    # Pages send the signed-out user to the sign-in page.
    r = c.get("/requests")
    assert r.status == 303 and (r.header("Location") or "").startswith("/login"), r
    # The HTML sign-out, likewise.
    p, _ = env.page_signin("kyoiku")
    r = p.form("/logout", {})
    assert r.status == 303 and r.header("Location") == "/login", r
    r = p.get("/")
    assert r.status == 303 and r.header("Location").startswith("/login"), \
        "after /logout the cookie must not open pages: %r" % r
    assert_error(p.get("/api/v1/session"), 401)


def test_throttling_per_login_and_address(env):
    """Five failures for one login from one address: the sixth attempt from
    there, right password or not, is 429 (HTML form too); the owner signing
    in from their own address is not kept out by those failures (issue 9,
    finding 3: today anyone could lock anyone out), nor by failures spread
    over five other addresses; another login signs in from the attacker's
    address."""
    env.start()
    token = env.token("somu")
    attacker = "127.0.0.10"
    messages = set()
    for i in range(5):
        r = Client(env, source=attacker).post(
            "/api/v1/session", {"login": "somu", "password": "wrong-password-%d" % i})
        messages.add(assert_error(r, 401)["message"])
        assert not session_cookie(r), "a failed sign-in set a session cookie"
    r = Client(env, source=attacker).post("/api/v1/session",
                                          {"login": "somu", "password": DEMO_PASSWORD})
    assert_error(r, 429)
    assert not session_cookie(r), "a throttled sign-in set a cookie"
    data = urllib.parse.urlencode({"login": "somu", "password": DEMO_PASSWORD, "next": "/"})
    r = Client(env, source=attacker).request("POST", "/login", body=data.encode(),
                                             ctype="application/x-www-form-urlencoded")
    assert r.status == 429 and not session_cookie(r), "form sign-in while throttled: %d" % r.status
    # Five more failures, one from each of five other addresses.
    for i in range(5):
        assert_error(Client(env, source="127.0.0.%d" % (11 + i)).post(
            "/api/v1/session", {"login": "somu", "password": "wrong-%d" % i}), 401)
    # The owner, from their own desk: in.
    r = Client(env, source="127.0.0.20").post("/api/v1/session",
                                              {"login": "somu", "password": DEMO_PASSWORD})
    assert r.status == 200 and session_cookie(r), "the owner was locked out: %r" % r
    # Another login signs in from the attacker's address.
    assert Client(env, source=attacker).post(
        "/api/v1/session", {"login": "kyoiku", "password": DEMO_PASSWORD}).status == 200
    # A token already issued keeps working.
    assert token.get("/api/v1/requests").status == 200


def test_throttling_per_address(env):
    """An address trying many logins is held back at ten times an account's
    failures (50): then every sign-in from there is 429, right password or
    not; from another address it works."""
    env.start()
    src = "127.0.0.30"
    logins = ["somu", "kyoiku", "nobody", "shinsa", "ciso"]
    for i in range(50):
        # Each login below its own limit of 5 from here: only the address's count locks.
        login = "guess-%d" % i if i >= 20 else logins[i % 5]
        r = Client(env, source=src).post("/api/v1/session", {"login": login, "password": "nope-%d" % i})
        assert r.status == 401, (i, r)
    assert_error(Client(env, source=src).post(
        "/api/v1/session", {"login": "kansa", "password": DEMO_PASSWORD}), 429)
    assert Client(env, source="127.0.0.31").post(
        "/api/v1/session", {"login": "kansa", "password": DEMO_PASSWORD}).status == 200


def test_failed_signin_says_nothing_about_the_login(env):
    """Unknown login and wrong password answer alike (401, one message)."""
    env.start()
    a = Client(env, source="127.0.0.40").post("/api/v1/session", {"login": "somu", "password": "wrong-pass"})
    b = Client(env, source="127.0.0.41").post("/api/v1/session", {"login": "no-such-user", "password": "wrong-pass"})
    ea, eb = assert_error(a, 401), assert_error(b, 401)
    assert ea["message"] == eb["message"], "messages tell logins apart: %r / %r" % (ea, eb)
    # No password at all: refused (invalid input or not signed in), no cookie.
    r = Client(env, source="127.0.0.42").post("/api/v1/session", {"login": "somu"})
    assert r.status in (400, 401) and not session_cookie(r), r
    assert_error(r, r.status)


def test_bearer_token_needs_no_csrf(env):
    env.start()
    env.token("shinsa")
    tok = env.token("somu")
    assert tok.cookie is None and tok.csrf is None
    r = tok.post("/api/v1/requests", document())
    assert r.status == 201, "a token POST without X-CSRF-Token: %r" % r
    rid = r.json()["id"]
    assert tok.put("/api/v1/requests/%d" % rid, document(purpose="トークンで更新")).status == 200
    assert tok.post("/api/v1/requests/%d/consult" % rid, {}).status == 200
    assert env.token("shinsa").post("/api/v1/requests/%d/conclude" % rid, {}).status == 200
    assert tok.post("/api/v1/requests/%d/submit" % rid, {}).status == 200
    assert tok.post("/api/v1/ledger/1/extend", {"to": "2028-03-31"}).status == 201
    r = env.token("shinsa").post("/api/v1/requests/%d/approve" % rid, {"comment": "承認"})
    assert r.status == 200 and r.json()["state"] == "approved", r
    # The Authorization scheme is case-insensitive (RFC 7235).
    r = Client(env).get("/api/v1/session", headers={"Authorization": "bearer " + tok.token})
    assert r.status == 200 and r.json()["user"]["login"] == "somu", r


def test_invalid_token_is_401(env):
    env.start()
    env.token("shinsa")
    good = env.token("somu").token
    n = request_count(env)
    problems = []
    for label, value in (("garbage", "Bearer garbage"),
                         ("altered", "Bearer " + good[:-1] + ("0" if good[-1] != "0" else "1")),
                         ("truncated", "Bearer " + good[:-4]),
                         ("empty", "Bearer "),
                         ("Basic", "Basic c29tdTpleHRzdmMtZGVtby0yMDI2"),
                         ("no scheme", good)):
        for method, path, body in (("GET", "/api/v1/ledger", None),
                                   ("POST", "/api/v1/requests", document())):
            r = Client(env).request(method, path, body=body, headers={"Authorization": value})
            if r.status != 401:
                problems.append("%s token, %s %s: %r" % (label, method, path, r))
            else:
                assert_error(r, 401)
    # A stale or forged session cookie is not signed in either.
    for cookie in ("0" * 64, "forged"):
        r = Client(env, cookie=cookie).get("/api/v1/requests")
        if r.status != 401:
            problems.append("cookie %r: %r" % (cookie, r))
    assert not problems, "\n  ".join([""] + problems)
    assert request_count(env) == n


if __name__ == "__main__":
    run(globals())
