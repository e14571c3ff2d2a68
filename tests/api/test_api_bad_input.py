"""Bad input to the JSON API: each answer is the documented error
({"error": {"code", "message"}}: 400 invalid input, 404 no such thing, 413
body too large; a wrong method is refused) and nothing is written — the
audit log, the requests and the ledger are the same afterwards. The server
survives it all and stops cleanly.
"""
import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import assert_error, document, run  # noqa: E402

MiB = 1 << 20


def snapshot(env):
    """What a user could see change: audit totals, requests, the ledger."""
    aud = env.token("kansa")
    audit = aud.json_ok("GET", "/api/v1/audit?limit=10000")
    verify = aud.json_ok("GET", "/api/v1/audit/verify")
    reqs = aud.json_ok("GET", "/api/v1/requests")["requests"]
    ledger = aud.json_ok("GET", "/api/v1/ledger?all=1&limit=1000")
    return {"audit_total": audit.get("total", len(audit["records"])),
            "audit_records": len(audit["records"]),
            "verify_records": verify.get("records"),
            "requests": sorted((q["id"], q["state"], q.get("updated_at")) for q in reqs),
            "ledger_total": ledger["total"],
            "ledger": sorted((e["id"], e.get("version"), e.get("updated_at")) for e in ledger["entries"])}


def started(env):
    env.start()
    # Tokens are audited when made: make them all before the baseline.
    for login in ("somu", "shinsa", "kansa", "shokuin", "ciso"):
        env.token(login)
    return snapshot(env)


def unchanged(env, before):
    after = snapshot(env)
    diffs = ["%s: %r -> %r" % (k, before[k], after[k]) for k in before if before[k] != after[k]]
    assert not diffs, "bad input changed something:\n  " + "\n  ".join(diffs)


def expect_all(cases, status, codes=None):
    """cases: [(client, method, path, body)]; every answer `status`."""
    problems = []
    for client, method, path, body in cases:
        r = client.request(method, path, body=body)
        statuses = status if isinstance(status, tuple) else (status,)
        if r.status not in statuses:
            problems.append("%s %s: expected %s, got %r" % (
                method, path, "/".join(map(str, statuses)), r))
            continue
        try:
            assert_error(r, r.status)
        except AssertionError as exc:
            problems.append(str(exc))
    assert not problems, "%d wrong answer(s):\n  " % len(problems) + "\n  ".join(problems)


def doc_bytes(doc=None):
    return json.dumps(doc if doc is not None else document(), ensure_ascii=False).encode("utf-8")


def test_malformed_json_is_400(env):
    before = started(env)
    mgr, appr = env.token("somu"), env.token("shinsa")
    good = doc_bytes()
    expect_all([
        (mgr, "POST", "/api/v1/requests", good[:len(good) // 2]),           # cut short
        (mgr, "POST", "/api/v1/requests", b"not json at all"),
        (mgr, "POST", "/api/v1/requests", b""),                              # empty body
        (mgr, "POST", "/api/v1/requests", b"[1, 2, 3]"),                     # not an object
        (mgr, "POST", "/api/v1/requests", good + b"}"),                      # trailing garbage
        (mgr, "POST", "/api/v1/requests", b'{"purpose": "a", "purpose": "b"}'),  # duplicate key
        (mgr, "POST", "/api/v1/requests", b'{"purpose": "a\x00b"}'),         # raw NUL
        (mgr, "PUT", "/api/v1/requests/4", b"{'service': 1}"),               # single quotes
        (mgr, "POST", "/api/v1/check", b"{"),
        (mgr, "POST", "/api/v1/requests/4/submit", b"{comment: 1}"),
        (mgr, "POST", "/api/v1/requests/4/submit", b'{"comment": 5}'),       # comment not a string
        (appr, "POST", "/api/v1/requests/3/return", b'{"comment": ["x"]}'),
        (mgr, "POST", "/api/v1/ledger/1/extend", b'{"to": 20280331}'),       # date not a string
        (mgr, "POST", "/api/v1/ledger/1/retire", b"null"),
        (env.anon(), "POST", "/api/v1/session", b'{"login": "somu", "password": '),
    ], 400)
    unchanged(env, before)


def test_invalid_utf8_is_400(env):
    before = started(env)
    mgr, appr = env.token("somu"), env.token("shinsa")
    doc = doc_bytes()
    bad_purpose = doc.replace("庁外関係者とのWeb会議".encode("utf-8"), b"\xff\xfe\x80 Web")
    assert bad_purpose != doc
    expect_all([
        (mgr, "POST", "/api/v1/requests", bad_purpose),
        (mgr, "POST", "/api/v1/requests", doc.replace("Web会議".encode(), b"Web\xe4\xbc")),  # truncated
        (mgr, "POST", "/api/v1/requests", b'{"purpose": "\xed\xa0\x80"}'),   # encoded surrogate
        (mgr, "POST", "/api/v1/requests", b'{"purpose": "\xc0\xaf"}'),       # overlong
        (mgr, "PUT", "/api/v1/requests/4", bad_purpose),
        (mgr, "POST", "/api/v1/check", bad_purpose),
        (mgr, "POST", "/api/v1/requests/4/consult", b'{"comment": "\xff"}'),
        (appr, "POST", "/api/v1/requests/3/return", b'{"comment": "\x8e\xc0"}'),
        (mgr, "POST", "/api/v1/ledger/1/extend", b'{"to": "2028-03-31", "comment": "\xfe"}'),
        (mgr, "GET", "/api/v1/ledger?q=%FF%FE", None),                       # in the query
        (env.anon(), "POST", "/api/v1/session", b'{"login": "som\xff", "password": "x"}'),
    ], 400)
    unchanged(env, before)


def test_body_over_one_mib_is_413(env):
    before = started(env)
    mgr = env.token("somu")
    # A real document padded past the cap with a long purpose.
    d = document()
    d["purpose"] = "あ" * (MiB // 3 + 10)
    big = doc_bytes(d)
    assert len(big) > MiB
    just_over = b" " * (MiB + 1 - len(doc_bytes())) + doc_bytes()  # valid JSON, 1 MiB + 1 byte
    assert len(just_over) == MiB + 1
    expect_all([
        (mgr, "POST", "/api/v1/requests", big),
        (mgr, "POST", "/api/v1/requests", just_over),
        (mgr, "PUT", "/api/v1/requests/4", big),
        (mgr, "POST", "/api/v1/check", big),
        (mgr, "POST", "/api/v1/requests/4/consult", b'{"comment": "' + b"x" * (2 * MiB) + b'"}'),
        (mgr, "POST", "/api/v1/ledger/1/extend", b'{"to": "2028-03-31", "comment": "' + b"y" * MiB + b'"}'),
        (env.anon(), "POST", "/api/v1/session", b'{"login": "' + b"a" * (3 * MiB) + b'"}'),
    ], 413)
    # Exactly 1 MiB is within the cap: a document answered on its merits.
    exact = b" " * (MiB - len(doc_bytes())) + doc_bytes()
    assert len(exact) == MiB
    r = mgr.post("/api/v1/check", exact)
    assert r.status == 200 and r.json()["approvable"] is True, "a 1 MiB body is allowed: %r" % r
    # A chunked body (no Content-Length) is capped the same.
    conn = http.client.HTTPConnection("127.0.0.1", env.port, timeout=30)
    conn.request("POST", "/api/v1/requests", body=(b"x" * 100000 for _ in range(15)),
                 headers={"Authorization": "Bearer " + mgr.token}, encode_chunked=True)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    assert r.status == 413, "a chunked body over 1 MiB: %d %r" % (r.status, body[:200])
    unchanged(env, before)
    # The server still answers.
    assert mgr.get("/api/v1/ledger").status == 200


def test_unknown_key_is_400(env):
    before = started(env)
    mgr, appr = env.token("somu"), env.token("shinsa")
    d = document()
    d["urgent"] = True
    d2 = document()
    d2["Purpose"] = "大文字の鍵"
    expect_all([
        (mgr, "POST", "/api/v1/requests", d),
        (mgr, "POST", "/api/v1/requests", d2),
        (mgr, "PUT", "/api/v1/requests/4", d),
        (mgr, "POST", "/api/v1/check", d),
        (mgr, "POST", "/api/v1/requests/4/submit", {"comment": "x", "urgent": True}),
        (appr, "POST", "/api/v1/requests/3/approve", {"comment": "x", "force": True}),
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": "2028-03-31", "until": "2029-03-31"}),
        (mgr, "POST", "/api/v1/ledger/1/retire", {"on": "2026-12-31", "to": "2026-12-31"}),
        (env.anon(), "POST", "/api/v1/session",
         {"login": "somu", "password": "extsvc-demo-2026", "remember": True}),
    ], 400)
    unchanged(env, before)


def test_unknown_route_is_404(env):
    before = started(env)
    mgr, appr = env.token("somu"), env.token("shinsa")
    expect_all([
        (mgr, "GET", "/api/v1/nothing", None),
        (mgr, "GET", "/api/v1/", None),
        (mgr, "GET", "/api/v2/ledger", None),
        (mgr, "GET", "/api/v1/ledger/abc", None),
        (mgr, "GET", "/api/v1/ledger/999999", None),
        (mgr, "GET", "/api/v1/ledger/1/versions/9", None),
        (mgr, "POST", "/api/v1/ledger/1/delete", {}),
        (mgr, "GET", "/api/v1/requests/0", None),
        (mgr, "GET", "/api/v1/requests/-1", None),
        (mgr, "GET", "/api/v1/requests/99999999999999999999999", None),
        (mgr, "POST", "/api/v1/requests/4/frobnicate", {}),
        (appr, "POST", "/api/v1/requests/3/approve/now", {}),
        (appr, "GET", "/api/v1/audit/verify/extra", None),
        (appr, "GET", "/api/v1/catalogue/items", None),
    ], 404)
    unchanged(env, before)


def test_wrong_method_is_refused(env):
    """A route called with a method it does not have: an error (405, or 400
    invalid input), never the route's answer, and nothing written."""
    before = started(env)
    mgr, aud = env.token("somu"), env.token("kansa")
    expect_all([
        (mgr, "GET", "/api/v1/check", None),
        (mgr, "PUT", "/api/v1/catalogue", {}),
        (mgr, "POST", "/api/v1/catalogue", {}),
        (mgr, "DELETE", "/api/v1/catalogue", None),
        (mgr, "DELETE", "/api/v1/requests", None),
        (mgr, "PATCH", "/api/v1/requests/4", {"purpose": "x"}),
        (mgr, "DELETE", "/api/v1/requests/4", None),
        (mgr, "POST", "/api/v1/requests/4", {}),
        (mgr, "GET", "/api/v1/requests/4/submit", None),
        (mgr, "PUT", "/api/v1/requests/4/submit", {}),
        (mgr, "DELETE", "/api/v1/ledger", None),
        (mgr, "POST", "/api/v1/ledger", {}),
        (mgr, "PUT", "/api/v1/ledger/1", {}),
        (mgr, "GET", "/api/v1/ledger/1/extend", None),
        (aud, "POST", "/api/v1/audit", {}),
        (aud, "DELETE", "/api/v1/audit", None),
        (aud, "POST", "/api/v1/audit/verify", {}),
        (env.anon(), "PUT", "/api/v1/session", {}),
    ], (405, 400))
    unchanged(env, before)
    r = env.token("somu").get("/api/v1/requests/4")
    assert r.json()["state"] == "draft", "a wrong method changed #4: %r" % r


def test_date_that_does_not_exist_is_400(env):
    before = started(env)
    mgr = env.token("somu")
    expect_all([
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": "2027-02-29"}),   # 2027 is no leap year
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": "2028-02-30"}),
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": "2028-04-31"}),
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": "2028-13-01"}),
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": "2028-00-10"}),
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": "20280331"}),
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": "2028-3-31"}),
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": "来年度末"}),
        (mgr, "POST", "/api/v1/ledger/1/extend", {"to": ""}),
        (mgr, "POST", "/api/v1/ledger/1/extend", {}),                     # no date at all
        (mgr, "POST", "/api/v1/ledger/1/retire", {"on": "2027-02-29"}),
        (mgr, "POST", "/api/v1/ledger/1/retire", {"on": "2026-11-31"}),
    ], 400)
    unchanged(env, before)
    # A leap day that exists is fine (and opens the change request).
    r = mgr.post("/api/v1/ledger/1/extend", {"to": "2028-02-29"})
    assert r.status == 201, "2028-02-29 exists: %r" % r
    # check: a period with a date that does not exist is an invalid-period blocker.
    d = document(period=("2026-04-01", "2027-02-29"))
    ev = mgr.json_ok("POST", "/api/v1/check", d)
    codes = [f["code"] for f in ev["findings"] if f["severity"] == "blocker"]
    assert ev["approvable"] is False and "invalid-period" in codes, ev


def test_headers_over_the_cap_are_refused_and_the_server_goes_on(env):
    before = started(env)
    c = http.client.HTTPConnection("127.0.0.1", env.port, timeout=10)
    try:
        c.request("GET", "/api/v1/catalogue", headers={"X-Padding": "a" * 100000})
        status = c.getresponse().status
    except (OSError, http.client.HTTPException):
        status = None  # closed without an answer is a refusal too
    finally:
        c.close()
    assert status in (431, None), status
    unchanged(env, before)
    assert env.token("somu").get("/api/v1/catalogue").status == 200


def test_long_japanese_input_in_an_error_still_gives_an_error_body(env):
    """The message quoting a bad value is cut at a whole UTF-8 character, so
    the error answer stays JSON whatever the length of the value."""
    before = started(env)
    mgr = env.token("somu")
    for n in range(326, 340):
        d = document()
        d["period"] = {"from": "あ" * n, "to": "2027-03-31"}
        r = mgr.post("/api/v1/requests", d)
        assert r.status == 400, "%d: %r" % (n, r)
        err = r.json()["error"]
        assert err["code"] and err["message"], "%d: %r" % (n, r)
    unchanged(env, before)


def test_bad_query_parameters_are_400(env):
    before = started(env)
    mgr, appr = env.token("somu"), env.token("shinsa")
    expect_all([
        (mgr, "GET", "/api/v1/ledger?limit=0", None),
        (mgr, "GET", "/api/v1/ledger?limit=abc", None),
        (mgr, "GET", "/api/v1/ledger?limit=-5", None),
        (mgr, "GET", "/api/v1/ledger?offset=-1", None),
        (mgr, "GET", "/api/v1/ledger?state=bogus", None),
        (appr, "GET", "/api/v1/requests?state=bogus", None),
    ], 400)
    unchanged(env, before)


if __name__ == "__main__":
    run(globals())
