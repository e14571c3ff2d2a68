"""The audit chain's key (issue 9, finding 8): the chain is HMAC-SHA-256 under
a key kept in a file outside the database, so that write access to the
database is not enough to rewrite history; `audit head` prints the head for
the city to keep elsewhere and `audit verify --head` checks it still holds.
Finding 9: the key file is made 0600 and a readable one is refused."""
import hashlib
import json
import os
import re
import shutil
import stat
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import (approve_new, assert_error_line, run, setup_db,  # noqa: E402
                     skip)

NO_KEY_SETTING = {"EXTSVC_AUDIT_KEY": ""}  # the default place: beside the SQLite file


def records(env):
    return env.json("audit", "list", "--json")["records"]


def plain_hash(seq, at, actor, action, obj, before, after, prev):
    """What an attacker who read src/store/audit.c but not the key file can
    compute: the record hash without the key (plain SHA-256, as the chain
    was before it was keyed), non-ASCII escaped as \\uXXXX with upper-case
    digits as jansson writes it."""
    text = json.dumps([seq, at, actor, action, obj, before, after, prev], separators=(",", ":"))
    text = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), text)
    return hashlib.sha256(text.encode()).hexdigest()


def drop_triggers(con, env):
    if env.pg:
        con.execute("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log")
    else:
        con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def rewrite_chain(env, keep_marker, change=None):
    """Rewrite the whole chain as someone with write access to the database
    would: optionally change a record, recompute every hash (without the
    key, which they do not have) and the head kept in meta."""
    con = env.connect()
    try:
        drop_triggers(con, env)
        rows = con.execute("SELECT seq, at, actor, action, object, before, after FROM audit_log "
                           "ORDER BY seq").fetchall()
        con.execute("DELETE FROM audit_log")
        prev, seq = "0" * 64, 0
        for row in rows:
            _, at, actor, action, obj, before, after = row
            if action == "audit.keyed" and not keep_marker:
                continue
            seq += 1
            if change and seq == change[0]:
                after = after.replace(change[1], change[2])
            h = plain_hash(seq, at, actor, action, obj, before, after, prev)
            con.execute("INSERT INTO audit_log(seq, at, actor, action, object, before, after, "
                        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (seq, at, actor, action, obj, before, after, prev, h))
            prev = h
        if not keep_marker:
            con.execute("DELETE FROM meta WHERE key = 'audit_keyed_from'")
        con.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("%d:%s" % (seq, prev),))
        con.commit()
    finally:
        con.close()


def populated(env):
    setup_db(env)
    approve_new(env)
    env.ok("audit", "verify")
    return records(env)


def test_init_makes_a_private_key_beside_the_sqlite_file(env):
    env.sqlite_only("鍵ファイルの既定の場所は SQLite のファイルの隣")
    old = os.umask(0o022)
    try:
        env.ok("init", env=NO_KEY_SETTING)
    finally:
        os.umask(old)
    key = env.db + "-audit.key"
    mode = stat.S_IMODE(os.stat(key).st_mode)
    assert mode == 0o600, "key file mode %o" % mode
    with open(key) as f:
        text = f.read()
    assert len(text.strip()) == 64 and int(text, 16) >= 0, "64 hex digits: %r" % text
    # The chain begins with the record that says it is keyed, naming the key.
    first = env.json("audit", "list", "--json", env=NO_KEY_SETTING)["records"][0]
    assert first["action"] == "audit.keyed", first
    assert first["after"]["algorithm"] == "HMAC-SHA-256", first
    env.ok("user", "add", "admin", "--name", "管理", "--dept", "総務課", "--role", "admin",
           env=NO_KEY_SETTING)
    env.ok("audit", "verify", env=NO_KEY_SETTING)
    # A second init keeps the key (a new one would break the chain).
    env.ok("init", env=NO_KEY_SETTING)
    with open(key) as f:
        assert f.read() == text, "init replaced the key"
    env.ok("audit", "verify", env=NO_KEY_SETTING)


def test_a_configured_key_file_is_made_where_it_is_set(env):
    path = env.path("keys/audit.key")
    os.mkdir(env.path("keys"))
    env.ok("--audit-key", path, "init", env=NO_KEY_SETTING)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    env.ok("--audit-key", path, "user", "add", "admin", "--name", "管理", "--dept", "総務課",
           "--role", "admin", env=NO_KEY_SETTING)
    env.ok("audit", "verify", env={"EXTSVC_AUDIT_KEY": path})
    # Another key does not verify it, and says why.
    other = env.path("other.key")
    with open(other, "w") as f:
        f.write("ab" * 32 + "\n")
    os.chmod(other, 0o600)
    r = env.run("--audit-key", other, "audit", "verify", env=NO_KEY_SETTING)
    assert r.code == 1 and "別の鍵" in r.err, r


def test_postgresql_needs_the_key_file_set(env):
    if not env.pg:
        skip("PostgreSQL には鍵ファイルの既定の場所がない")
    before = env.digest() if not env.fresh else None
    r = env.run("init", env=NO_KEY_SETTING)
    assert r.code == 3, r
    assert "EXTSVC_AUDIT_KEY" in r.err and "--audit-key" in r.err, r
    if before:
        assert env.digest() == before


def test_a_key_file_others_can_read_is_refused(env):
    setup_db(env)
    before = env.digest()
    key = os.environ["EXTSVC_AUDIT_KEY"]
    copy = env.path("readable.key")
    shutil.copy(key, copy)
    os.chmod(copy, 0o644)
    for args in (("ledger", "list", "--json"), ("user", "add", "x", "--name", "x", "--dept", "x",
                                                "--role", "staff"), ("audit", "verify")):
        r = env.run(*args, env={"EXTSVC_AUDIT_KEY": copy})
        assert_error_line(r, 3)
        assert "chmod 600" in r.err and copy in r.err, r
    assert env.digest() == before, "something was written"
    os.chmod(copy, 0o640)  # the group is others too
    assert env.run("ledger", "list", env={"EXTSVC_AUDIT_KEY": copy}).code == 3


def test_a_missing_key_stops_writers_not_readers(env):
    setup_db(env)
    before = env.digest()
    gone = {"EXTSVC_AUDIT_KEY": env.path("no-such.key")}
    r = env.run("user", "add", "x", "--name", "x", "--dept", "x", "--role", "staff", env=gone)
    assert_error_line(r, 3)
    assert "no-such.key" in r.err and "がありません" in r.err, r
    assert env.digest() == before, "written without the key"
    r = env.run("audit", "verify", env=gone)
    assert r.code == 3 and "no-such.key" in r.err, r
    env.ok("ledger", "list", "--json", env=gone)  # reading needs no key
    env.ok("audit", "verify")
    # init does not make a new key for a chain sealed with the lost one.
    r = env.run("init", env=gone)
    assert r.code == 3 and "バックアップ" in r.err, r
    assert not os.path.exists(env.path("no-such.key"))


def test_a_chain_rewritten_without_the_key_is_caught(env):
    """The attack of finding 8: change a record and recompute every hash and
    the head. With the unkeyed chain, verify passed."""
    recs = populated(env)
    target = next(r["seq"] for r in recs if "Microsoft" in json.dumps(r.get("after")))
    rewrite_chain(env, keep_marker=True, change=(target, "Microsoft", "Macrosoft"))
    assert "Macrosoft" in json.dumps(records(env)), "the rewrite took"
    r = env.run("audit", "verify", "--json")
    assert r.code == 1, r
    problems = r.json()["problems"]
    assert problems and problems[0]["seq"] == 1, problems  # the marker no longer holds


def test_a_chain_rewritten_without_its_keyed_segment_is_caught(env):
    """The same, also dropping the record that begins the keyed segment, so
    that the whole chain looks like one from before the key."""
    populated(env)
    rewrite_chain(env, keep_marker=False)
    assert all(r["action"] != "audit.keyed" for r in records(env))
    r = env.run("audit", "verify", "--json")
    assert r.code == 1, r
    kinds = {p["problem"] for p in r.json()["problems"]}
    assert "unkeyed" in kinds, r.json()
    assert "鍵付きの区間がありません" in env.run("audit", "verify").err


def test_an_old_unkeyed_chain_is_sealed_by_init(env):
    """A database from before the key: its chain is plain SHA-256 (made here
    by rewriting one, and losing the key file). init makes a key and begins
    the keyed segment; the old records verify as they are, and changing one
    of them afterwards is caught."""
    env.sqlite_only("鍵ファイルを消すために既定の場所を使う")
    env.ok("init", env=NO_KEY_SETTING)
    env.ok("user", "add", "admin", "--name", "管理 花子", "--dept", "総務課", "--role", "admin",
           env=NO_KEY_SETTING)
    rewrite_chain(env, keep_marker=False)
    os.unlink(env.db + "-audit.key")
    env.ok("init", env=NO_KEY_SETTING)
    recs = env.json("audit", "list", "--json", env=NO_KEY_SETTING)["records"]
    assert recs[-1]["action"] == "audit.keyed" and recs[-1]["seq"] > 1, recs
    env.ok("audit", "verify", env=NO_KEY_SETTING)
    con = env.connect()
    drop_triggers(con, env)
    con.execute("UPDATE audit_log SET after = replace(after, '管理', '監理') WHERE seq = 2")
    con.commit()
    con.close()
    r = env.run("audit", "verify", "--json", env=NO_KEY_SETTING)
    assert r.code == 1 and 2 in {p["seq"] for p in r.json()["problems"]}, r


def test_audit_head_and_verify_against_a_kept_head(env):
    recs = populated(env)
    head = env.ok("audit", "head").out.strip()
    assert head == "%d:%s" % (recs[-1]["seq"], recs[-1]["hash"]), (head, recs[-1])
    j = env.json("audit", "head", "--json")
    assert j["seq"] == recs[-1]["seq"] and j["hash"] == recs[-1]["hash"], j
    env.ok("audit", "verify", "--head", head)
    # Later writes keep an earlier head verifiable.
    approve_new(env)
    env.ok("audit", "verify", "--head", head)
    # Cut the newest records and fix the head in meta: the chain alone still
    # holds together, but not the head the city kept.
    seq = recs[-1]["seq"]
    con = env.connect()
    drop_triggers(con, env)
    con.execute("DELETE FROM audit_log WHERE seq >= %d" % (seq - 1))
    last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    con.execute("UPDATE meta SET value = '%d:%s' WHERE key = 'audit_head'" % tuple(last))
    con.commit()
    con.close()
    env.ok("audit", "verify")
    r = env.run("audit", "verify", "--head", head)
    assert r.code == 1 and str(seq) in r.err, r
    assert "head-missing" in r.out or env.run("audit", "verify", "--json", "--head", head).json()[
        "problems"][0]["problem"] == "head-missing"


def test_a_kept_head_that_does_not_match_is_named(env):
    recs = populated(env)
    seq = recs[-3]["seq"]
    r = env.run("audit", "verify", "--json", "--head", "%d:%s" % (seq, "0" * 64))
    assert r.code == 1, r
    assert [p["problem"] for p in r.json()["problems"]] == ["head-mismatch"], r.json()
    for bad in ("", "12", "x:y", "0:" + "a" * 64, "3:" + "A" * 64, "3:" + "a" * 63):
        r = env.run("audit", "verify", "--head", bad)
        assert_error_line(r, 2)


def test_audit_head_is_for_auditors(env):
    setup_db(env)
    for who in ("aud", "ciso"):
        env.ok("audit", "head", "--as", who)
    r = env.run("audit", "head", "--as", "mgr")
    assert r.code == 1 and r.out == "", r


def test_copy_takes_the_key_along(env):
    """A copy verifies only under the key its chain was written with: the
    target's key file is made with the source's key; a different key
    already there stops the copy before anything is written."""
    env.sqlite_only("コピー先の鍵ファイルの既定の場所")
    env.ok("init", env=NO_KEY_SETTING)
    env.ok("user", "add", "admin", "--name", "管理", "--dept", "総務課", "--role", "admin",
           env=NO_KEY_SETTING)
    target = env.path("copy.db")
    env.ok("copy", "--from", env.db, "--to", target, db=False, env=NO_KEY_SETTING)
    with open(env.db + "-audit.key") as a, open(target + "-audit.key") as b:
        assert a.read() == b.read()
    assert stat.S_IMODE(os.stat(target + "-audit.key").st_mode) == 0o600
    r = env.run("--db", target, "audit", "verify", db=False, env=NO_KEY_SETTING)
    assert r.code == 0, r
    # --to-audit-key puts the target's key where its configuration will
    # look (a PostgreSQL target has no default place).
    third, kept = env.path("third.db"), env.path("third.key")
    env.ok("copy", "--from", env.db, "--to", third, "--to-audit-key", kept, db=False,
           env=NO_KEY_SETTING)
    with open(env.db + "-audit.key") as a, open(kept) as b:
        assert a.read() == b.read()
    assert not os.path.exists(third + "-audit.key")
    env.ok("--db", third, "--audit-key", kept, "audit", "verify", db=False, env=NO_KEY_SETTING)
    other = env.path("other.db")
    with open(other + "-audit.key", "w") as f:
        f.write("cd" * 32 + "\n")
    os.chmod(other + "-audit.key", 0o600)
    r = env.run("copy", "--from", env.db, "--to", other, db=False, env=NO_KEY_SETTING)
    assert r.code == 1 and "違う鍵" in r.err, r
    assert not os.path.exists(other) or os.path.getsize(other) == 0


run(globals())
