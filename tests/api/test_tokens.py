"""API tokens have a life (issue 9, finding 5): they expire (90 days by
default, --expires DAYS), can be listed (id, made, expiry, last used; never
the token) and revoked by their owner or an admin from the CLI, the API
and a page, and end with the credentials they were made under: a new
password or a disabled account ends that user's sessions and tokens at
once; enabling the account again does not bring the old tokens back.
"""
import os
import re
import sys
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import DEMO_PASSWORD, Client, assert_error, run  # noqa: E402


def fresh_token(env, login):
    env._tokens.pop(login, None)
    return env.token(login)


def test_a_new_password_ends_tokens_and_sessions(env):
    env.start()
    tok = fresh_token(env, "somu")
    other = fresh_token(env, "kyoiku")
    s = env.signin("somu")
    assert tok.get("/api/v1/requests").status == 200 and s.get("/api/v1/session").status == 200
    env.ok("user", "update", "somu", "--password-stdin", input="a-new-password-2026\n")
    assert_error(tok.get("/api/v1/requests"), 401)
    assert_error(s.get("/api/v1/session"), 401)
    assert other.get("/api/v1/requests").status == 200, "another user's token is untouched"
    assert env.signin("somu", password="a-new-password-2026").get("/api/v1/session").status == 200


def test_a_disabled_account_ends_its_tokens_for_good(env):
    env.start()
    tok = fresh_token(env, "kyoiku")
    assert tok.get("/api/v1/requests").status == 200
    env.ok("user", "update", "kyoiku", "--disable")
    assert_error(tok.get("/api/v1/requests"), 401)
    env.ok("user", "update", "kyoiku", "--enable")
    assert_error(tok.get("/api/v1/requests"), 401)
    # A new token made after works, and the password still signs in.
    assert fresh_token(env, "kyoiku").get("/api/v1/requests").status == 200
    assert env.signin("kyoiku", password=DEMO_PASSWORD).get("/api/v1/session").status == 200


def test_tokens_expire_and_are_listed_without_the_token(env):
    env.start()
    made = env.json("token", "create", "--as", "somu", "--expires", "5", "--json")
    assert made["days"] == 5
    tok = Client(env, token=made["token"])
    assert tok.get("/api/v1/requests").status == 200
    listed = env.json("token", "list", "--as", "somu", "--json")["tokens"]
    mine = [t for t in listed if t["login"] == "somu"]
    assert mine and all(set(t) == {"id", "login", "created_at", "expires_at", "last_used_on",
                                   "expired"} for t in mine), mine
    newest = mine[-1]
    made_at = datetime.strptime(newest["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    expires = datetime.strptime(newest["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert expires - made_at == timedelta(days=5), newest
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    assert newest["last_used_on"] == today and newest["expired"] is False, newest
    text = env.run("token", "list", "--as", "somu").out + env.run("audit", "list", "--json").out
    assert made["token"] not in text and made["token"][4:] not in text, "the token is shown"
    # The default is 90 days; 0 and 3651 are refused.
    dflt = env.json("token", "create", "--as", "kyoiku", "--json")
    assert dflt["days"] == 90
    for bad in ("0", "3651", "x"):
        r = env.run("token", "create", "--as", "kyoiku", "--expires", bad)
        assert r.code == 2, (bad, r)
    # Once its expiry has passed, the token opens nothing.
    con = env.connect()
    con.execute("UPDATE api_tokens SET expires_at = ? WHERE id = ?",
                ("2020-01-01T00:00:00Z", newest["id"]))
    con.commit()
    con.close()
    assert_error(tok.get("/api/v1/requests"), 401)
    again = env.json("token", "list", "--as", "somu", "--json")["tokens"]
    assert [t["expired"] for t in again if t["id"] == newest["id"]] == [True]


def test_revoking_from_the_cli_and_the_api(env):
    env.start()
    a = Client(env, token=env.json("token", "create", "--as", "somu", "--json")["token"])
    b = Client(env, token=env.json("token", "create", "--as", "somu", "--json")["token"])
    other = Client(env, token=env.json("token", "create", "--as", "kyoiku", "--json")["token"])
    ids = [t["id"] for t in a.json_ok("GET", "/api/v1/tokens")["tokens"]]
    assert len(ids) == 2, ids
    # Someone else's token is not there for another user (404, as for none).
    other_ids = [t["id"] for t in other.json_ok("GET", "/api/v1/tokens")["tokens"]]
    assert_error(a.delete("/api/v1/tokens/%d" % other_ids[0]), 404)
    r = env.run("token", "revoke", "--as", "somu", str(other_ids[0]))
    assert r.code != 0, r
    assert other.get("/api/v1/requests").status == 200
    # Only admin sees everyone's.
    assert_error(a.get("/api/v1/tokens?all=1"), 403)
    assert_error(a.get("/api/v1/tokens?user=kyoiku"), 403)
    # The owner revokes one through the API, the other from the CLI.
    assert a.json_ok("DELETE", "/api/v1/tokens/%d" % ids[1])["revoked"] is True
    assert_error(b.get("/api/v1/requests"), 401)
    env.ok("token", "revoke", "--as", "somu", str(ids[0]))
    assert_error(a.get("/api/v1/requests"), 401)
    # admin lists and revokes anyone's.
    adm = env.token("admin")
    everyone = adm.json_ok("GET", "/api/v1/tokens?all=1")["tokens"]
    assert {"kyoiku", "admin"} <= {t["login"] for t in everyone}
    assert adm.json_ok("GET", "/api/v1/tokens?user=kyoiku")["total"] == 1
    env.ok("token", "revoke", "--as", "admin", str(other_ids[0]))
    assert_error(other.get("/api/v1/requests"), 401)
    revoked = env.token("kansa").json_ok("GET", "/api/v1/audit?action=token.revoke")
    assert revoked["total"] == 3, revoked
    assert_error(adm.delete("/api/v1/tokens/x"), 400)
    assert_error(adm.delete("/api/v1/tokens/999999"), 404)


def test_the_tokens_page_makes_shows_once_and_revokes(env):
    env.start()
    c, _ = env.page_signin("somu")
    page = c.get("/tokens").text
    assert "発行済みのトークン（0 件）" in page, page[-2000:]
    r = c.form("/tokens", {"days": "30"})
    assert r.status == 200, r
    token = re.search(r'<code id="new-token">(ext_[0-9a-f]{64})</code>', r.text).group(1)
    assert Client(env, token=token).get("/api/v1/requests").status == 200
    page = c.get("/tokens").text
    assert token not in page, "the token is shown again"
    tid = int(re.search(r'action="/tokens/(\d+)/revoke"', page).group(1))
    r = c.form("/tokens/%d/revoke" % tid, {})
    assert r.status == 303, r
    assert_error(Client(env, token=token).get("/api/v1/requests"), 401)
    bad = c.form("/tokens", {"days": "0"})
    assert bad.status == 400 and "1〜3650" in bad.text


run(globals())
