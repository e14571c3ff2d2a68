"""API tokens end with the credentials they were made under (issue 9,
finding 5, in part): a new password or a disabled account ends that
user's sessions and tokens at once; enabling the account again does not
bring the old tokens back. (Expiry, listing and revoking are still to
come.)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import DEMO_PASSWORD, assert_error, run  # noqa: E402


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


run(globals())
