"""Cross-site request forgery, the sign-in included (issue 9, finding 6):
a state-changing request that rides on the browser's cookie, or that signs
in, is refused (403, nothing changed) when its Origin, or failing that its
Referer, is not this server; the cookie is SameSite=Strict and, without
TLS, neither Secure nor __Host- prefixed (which browsers would refuse).
Bearer-token API clients send no Origin and are not affected.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import DEMO_PASSWORD, Client, assert_error, document, run  # noqa: E402

EVIL = "https://evil.example"


def test_a_cross_site_sign_in_form_does_not_sign_the_victim_in(env):
    env.start()
    anon = env.anon()
    before = env.token("kansa").json_ok("GET", "/api/v1/audit?limit=1")["total"]
    for headers in ({"Origin": EVIL}, {"Origin": "null"},
                    {"Referer": EVIL + "/login.html"}, {"Origin": "http://127.0.0.1:1"}):
        r = anon.request("POST", "/login", body="login=somu&password=" + DEMO_PASSWORD,
                         ctype="application/x-www-form-urlencoded", headers=headers, csrf=False)
        assert r.status == 403, (headers, r)
        assert not (r.header("Set-Cookie") or ""), (headers, r.header("Set-Cookie"))
        r = anon.request("POST", "/api/v1/session", body={"login": "somu",
                                                          "password": DEMO_PASSWORD},
                         headers=headers, csrf=False)
        assert r.status == 403 and not r.header("Set-Cookie"), (headers, r)
    # Our own origin, or a client that sends none, signs in.
    own = "http://127.0.0.1:%d" % env.port
    for headers in ({"Origin": own}, {"Referer": own + "/login"}, {}):
        r = anon.request("POST", "/login", body="login=somu&password=" + DEMO_PASSWORD,
                         ctype="application/x-www-form-urlencoded", headers=headers, csrf=False)
        assert r.status == 303 and "extsvc_session=" in (r.header("Set-Cookie") or ""), \
            (headers, r)
    after = env.token("kansa").json_ok("GET", "/api/v1/audit?limit=1")["total"]
    assert after >= before


def test_a_cross_site_post_with_the_cookie_changes_nothing(env):
    env.start()
    c, _ = env.page_signin("somu")
    csrf = c.csrf
    rid = env.token("somu").json_ok("POST", "/api/v1/requests", document(applicant=None),
                                    status=201)["id"]
    # Even with the right CSRF token (leaked, say), a foreign Origin is refused.
    r = c.request("POST", "/requests/%d/consult" % rid, body="csrf=%s&comment=x" % csrf,
                  ctype="application/x-www-form-urlencoded", headers={"Origin": EVIL},
                  csrf=False)
    assert r.status == 403, r
    api = c.request("POST", "/api/v1/requests/%d/consult" % rid, body={},
                    headers={"Origin": EVIL})
    assert api.status == 403, api
    state = env.token("somu").json_ok("GET", "/api/v1/requests/%d" % rid)["state"]
    assert state == "draft", state
    # Signing out across sites is refused too (it would end the session).
    r = c.request("POST", "/logout", body="csrf=" + csrf,
                  ctype="application/x-www-form-urlencoded", headers={"Origin": EVIL}, csrf=False)
    assert r.status == 403, r
    assert c.get("/api/v1/session").status == 200, "still signed in"
    # From our own origin the same step goes through.
    own = "http://127.0.0.1:%d" % env.port
    api = c.request("POST", "/api/v1/requests/%d/consult" % rid, body={}, headers={"Origin": own})
    assert api.status == 200, api


def test_token_clients_are_not_asked_for_an_origin(env):
    env.start()
    t = env.token("somu")
    r = t.request("POST", "/api/v1/requests", body=document(applicant=None),
                  headers={"Origin": EVIL})
    assert r.status == 201, "a bearer token is not a browser's ambient credential: %r" % r


def test_the_session_cookie_is_strict(env):
    env.start()
    r = env.anon().request("POST", "/api/v1/session",
                           body={"login": "somu", "password": DEMO_PASSWORD})
    cookie = r.header("Set-Cookie")
    attrs = [a.strip() for a in cookie.split(";")[1:]]
    assert cookie.startswith("extsvc_session=") and "SameSite=Strict" in attrs, cookie
    assert "Secure" not in attrs, "without TLS a Secure cookie would never come back"
    assert r.header("Strict-Transport-Security") is None
    assert_error(Client(env).get("/api/v1/requests"), 401)


run(globals())
