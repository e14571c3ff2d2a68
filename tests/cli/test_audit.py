"""The audit log (CONTRACT.md sections 1 and 5; issue 2, item 7): one record per
change, append-only, hash-chained; `audit verify` finds an altered, removed,
inserted or reordered record and says which."""
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import (DATA, DEPT_B, consult_conclude, document, new_request, run,  # noqa: E402
                     setup_db, show)


def records(env):
    return env.json("audit", "list", "--json")["records"]


def expect_new_records(env, before, actor, at_least=1):
    """The records written since `before` (a list): at least one, each by actor."""
    now = records(env)
    assert now[:len(before)] == before, "earlier records changed"
    new = now[len(before):]
    assert len(new) >= at_least, "no audit record written by %s" % actor
    for rec in new:
        assert rec.get("actor") == actor, "record not by %s: %s" % (actor, rec)
        assert rec.get("after") is not None, "record without 'after': %s" % rec
        assert rec.get("at"), rec
    return now


def populated(env):
    """A database with some history: users, a request through its steps, an
    approval, an extension."""
    setup_db(env)
    rid = new_request(env)
    env.ok("request", "consult", "--as", "mgr", rid, "--comment", "相談")
    env.ok("request", "conclude", "--as", "appr2", rid, "--comment", "協議済み")
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    entry = show(env, rid)["entry_id"]
    env.ok("ledger", "extend", "--as", "mgr", entry, "--to", "2028-03-31")
    recs = records(env)
    assert len(recs) >= 17, recs
    assert [r["actor"] for r in recs if r["action"] == "request.conclude"] == ["appr2"], recs
    env.ok("audit", "verify")
    return recs


def tamper(env, *statements):
    """Change the database behind the program's back, as an attacker with the
    file (or the PostgreSQL role's password) would: drop the triggers that
    refuse UPDATE and DELETE first."""
    con = env.connect()
    try:
        if env.pg:
            con.execute("DROP TRIGGER audit_log_no_update ON audit_log")
        else:
            con.execute("DROP TRIGGER audit_log_no_update")
            con.execute("DROP TRIGGER audit_log_no_delete")
        for s in statements:
            if callable(s):
                s(con)
            else:
                con.execute(s)
        con.commit()
    finally:
        con.close()


def names(text, seq):
    return re.search(r"(?<!\d)%d(?!\d)" % seq, text) is not None


def verify_fails(env, *seqs):
    """audit verify exits 1 and names one of `seqs` on stderr and in --json."""
    r = env.run("audit", "verify")
    assert r.code == 1, "audit verify did not notice: %r" % r
    assert r.err.startswith("extsvc: "), r
    assert any(names(r.err, s) for s in seqs), "stderr names none of %s: %r" % (seqs, r.err)
    j = env.run("audit", "verify", "--json")
    assert j.code == 1, j
    report = j.json()
    problems = report.get("problems") or []
    assert problems, report
    named = {p.get("seq") for p in problems}
    assert named & set(seqs), "--json problems name none of %s: %s" % (seqs, problems)
    return r, named


def record_hash(seq, at, actor, action, obj, before, after, prev):
    """The record hash as src/store/audit.c computes it, but without the key
    (plain SHA-256 over the compact JSON array of the record and the
    previous hash, as before the chain was keyed): an attacker reads the
    source too, but not the key file. ASCII content only, so escaping agrees."""
    text = json.dumps([seq, at, actor, action, obj, before, after, prev], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def test_every_change_writes_an_audit_record(env):
    setup_db(env)
    recs = records(env)
    assert len(recs) >= 11, "init and ten users: %s" % recs  # the catalogue and 10 users

    env.ok("user", "add", "mgr_c", "--name", "鹿野 九郎", "--dept", DEPT_B, "--role", "manager",
           "--as", "admin")
    recs = expect_new_records(env, recs, "admin")
    env.ok("user", "update", "mgr_c", "--name", "鹿野 九朗", "--as", "admin")
    recs = expect_new_records(env, recs, "admin")
    assert recs[-1].get("before") is not None, "a change records before and after: %s" % recs[-1]

    rid = new_request(env)
    recs = expect_new_records(env, recs, "mgr")
    env.ok("request", "update", "--as", "mgr", rid, "-", input=document(scope="課内に限る"))
    recs = expect_new_records(env, recs, "mgr")
    assert recs[-1].get("before") is not None, recs[-1]
    for action, who, comment in (("consult", "mgr", "事前協議"), ("conclude", "appr2", "協議済み"),
                                 ("submit", "mgr", None),
                                 ("return", "appr", "範囲を確認"), ("submit", "mgr2", None),
                                 ("approve", "appr", None)):
        args = ["request", action, "--as", who, rid] + (["--comment", comment] if comment else [])
        env.ok(*args)
        n = len(recs)
        recs = expect_new_records(env, recs, who, at_least=2 if action == "approve" else 1)
        assert any(r.get("before") is not None for r in recs[n:]), \
            "a state change records before and after: %s" % recs[n:]
    entry = show(env, rid)["entry_id"]

    change = env.json("ledger", "extend", "--as", "mgr", entry, "--to", "2028-03-31",
                      "--json")["id"]
    recs = expect_new_records(env, recs, "mgr")
    env.ok("request", "submit", "--as", "mgr", change)
    recs = expect_new_records(env, recs, "mgr")
    env.ok("request", "approve", "--as", "appr2", change)
    recs = expect_new_records(env, recs, "appr2", at_least=2)
    ret = env.json("ledger", "retire", "--as", "mgr", entry, "--on", "2027-12-31", "--json")["id"]
    recs = expect_new_records(env, recs, "mgr")
    env.ok("request", "submit", "--as", "mgr", ret)
    recs = expect_new_records(env, recs, "mgr")
    env.ok("request", "approve", "--as", "appr", ret)
    recs = expect_new_records(env, recs, "appr", at_least=2)
    draft = new_request(env)
    recs = expect_new_records(env, recs, "mgr")
    env.ok("request", "withdraw", "--as", "mgr", draft)
    recs = expect_new_records(env, recs, "mgr")
    sub = new_request(env)
    consult_conclude(env, sub)
    env.ok("request", "submit", "--as", "mgr", sub)
    recs = records(env)
    env.ok("request", "reject", "--as", "appr", sub, "--comment", "不要")
    recs = expect_new_records(env, recs, "appr")

    env.ok("catalogue", "load", "--as", "ciso", os.path.join(DATA, "catalogue-2024.json"))
    recs = expect_new_records(env, recs, "ciso")

    # The log's text mentions what changed: the comment of the return, and
    # the conclusion of the 事前協議 under its own action.
    assert "範囲を確認" in json.dumps(recs, ensure_ascii=False), "the return's comment"
    concluded = [r for r in recs if r["action"] == "request.conclude"]
    assert len(concluded) == 2 and all(r["actor"] == "appr2" for r in concluded), concluded

    # Reads write nothing.
    for args in (("request", "show", rid, "--json"), ("request", "list", "--json"),
                 ("ledger", "list", "--all", "--json"), ("ledger", "show", entry, "--json"),
                 ("catalogue", "show", "--json"), ("audit", "verify"),
                 ("audit", "list", "--as", "aud", "--json")):
        env.ok(*args)
    env.run("check", "-", input=document())
    assert records(env) == recs, "a read wrote an audit record"
    env.ok("audit", "verify")


def test_approval_records_the_ledger_change_too(env):
    """An approval changes the request and creates (versions, retires) an
    entry: a record for each."""
    setup_db(env)
    rid = new_request(env)
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr", rid)
    recs = records(env)
    env.ok("request", "approve", "--as", "appr", rid)
    recs = expect_new_records(env, recs, "appr", at_least=2)
    entry = show(env, rid)["entry_id"]
    change = env.json("ledger", "extend", "--as", "mgr", entry, "--to", "2028-03-31",
                      "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", change)
    recs = records(env)
    env.ok("request", "approve", "--as", "appr2", change)
    recs = expect_new_records(env, recs, "appr2", at_least=2)
    assert "2028-03-31" in json.dumps(recs[-2:]), recs[-2:]
    ret = env.json("ledger", "retire", "--as", "mgr", entry, "--on", "2027-12-31", "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", ret)
    recs = records(env)
    env.ok("request", "approve", "--as", "appr", ret)
    expect_new_records(env, recs, "appr", at_least=2)


def test_the_log_by_object(env):
    """`audit list --object`: request:1 is that request's records only (not
    request:10's), request: or request every request's, in order, and no
    other (read through an index of the objects since schema 14; the same
    on both databases)."""
    populated(env)
    for _ in range(10):  # request:2 .. request:11
        new_request(env)
    everything = env.json("audit", "list", "--json")["records"]

    def selected(obj, f):
        if ":" in f and not f.endswith(":"):
            return obj == f
        return obj.startswith(f if f.endswith(":") else f + ":")
    for f in ("request:1", "request:", "request", "ledger:1", "user:", "request:11", "zzz",
              "r", "requ"):
        got = env.json("audit", "list", "--json", "--object", f)
        want = [r for r in everything if selected(r["object"], f)]
        assert got["records"] == want, (f, [r["object"] for r in got["records"]])
        assert got["total"] == len(want), (f, got["total"], len(want))
    objects = {r["object"] for r in env.json("audit", "list", "--json", "--object",
                                              "request:1")["records"]}
    assert objects == {"request:1"}, objects
    kinds = {r["object"] for r in env.json("audit", "list", "--json", "--object",
                                            "request")["records"]}
    assert {"request:1", "request:10", "request:11", "request:2"} <= kinds, kinds
    assert not env.json("audit", "list", "--json", "--object", "requ")["records"]


def test_only_auditor_and_ciso_read_the_log(env):
    setup_db(env)
    for who in ("aud", "ciso"):
        assert env.json("audit", "list", "--as", who, "--json")["records"], who
        env.ok("audit", "verify", "--as", who)
    for who in ("staff", "mgr", "appr", "admin"):
        for args in (("audit", "list", "--json"), ("audit", "verify")):
            r = env.run(*(args + ("--as", who)))
            assert r.code == 1 and r.err.startswith("extsvc: "), (who, r)
            assert r.out == "", "the log was shown to %s: %r" % (who, r)


def test_verify_passes_on_an_untouched_log(env):
    populated(env)
    r = env.ok("audit", "verify")
    j = env.json("audit", "verify", "--json")
    assert j.get("ok") is True and j.get("problems") == [], j


def test_an_altered_record_is_named(env):
    recs = populated(env)
    i, target = next((i, r["seq"]) for i, r in enumerate(recs)  # the request's creation
                     if "Microsoft" in json.dumps(r.get("after")))
    tamper(env, "UPDATE audit_log SET after = replace(after, 'Microsoft', 'Macrosoft') "
                "WHERE seq = %d" % target)
    assert "Macrosoft" in json.dumps(records(env)[i]), "the tampering took"
    verify_fails(env, target)


def test_an_altered_actor_is_named(env):
    recs = populated(env)
    target = next(r["seq"] for r in recs if r.get("actor") == "appr")
    tamper(env, "UPDATE audit_log SET actor = 'mgr' WHERE seq = %d" % target)
    verify_fails(env, target)


def test_a_removed_middle_record_is_named(env):
    recs = populated(env)
    target = recs[len(recs) // 2]["seq"]
    tamper(env, "DELETE FROM audit_log WHERE seq = %d" % target)
    verify_fails(env, target, target + 1)


def test_a_removed_newest_record_is_named(env):
    recs = populated(env)
    newest = recs[-1]["seq"]
    tamper(env, "DELETE FROM audit_log WHERE seq = %d" % newest)
    verify_fails(env, newest, newest - 1)


def test_swapped_records_are_named(env):
    recs = populated(env)
    a, b = recs[5]["seq"], recs[9]["seq"]
    cols = "at, actor, action, object, before, after, prev_hash, hash"

    def swap(con):
        ra = con.execute("SELECT %s FROM audit_log WHERE seq = ?" % cols, (a,)).fetchone()
        rb = con.execute("SELECT %s FROM audit_log WHERE seq = ?" % cols, (b,)).fetchone()
        sets = ", ".join("%s = ?" % c.strip() for c in cols.split(","))
        con.execute("UPDATE audit_log SET %s WHERE seq = ?" % sets, rb + (a,))
        con.execute("UPDATE audit_log SET %s WHERE seq = ?" % sets, ra + (b,))

    tamper(env, swap)
    _, named = verify_fails(env, a, b)
    assert a in named and b in named, "both swapped records named: %s" % named


def test_a_forged_record_with_a_made_up_hash_is_named(env):
    recs = populated(env)
    last = recs[-1]
    forged = last["seq"] + 1

    def insert(con):
        con.execute("INSERT INTO audit_log(seq, at, actor, action, object, before, after, "
                    "prev_hash, hash) VALUES (?, ?, 'appr', 'request.approve', 'request:99', "
                    "NULL, '{\"state\":\"approved\"}', ?, ?)",
                    (forged, last["at"], last["hash"], "ab" * 32))

    tamper(env, insert)
    verify_fails(env, forged)


def test_a_forged_record_inserted_in_the_middle_is_named(env):
    recs = populated(env)
    k = recs[8]["seq"]

    def insert(con):
        # Make room after record k, then put a forged record there that links
        # to record k with a correctly computed hash.
        for (seq,) in con.execute("SELECT seq FROM audit_log WHERE seq > ? ORDER BY seq DESC",
                                  (k,)).fetchall():
            con.execute("UPDATE audit_log SET seq = seq + 1 WHERE seq = ?", (seq,))
        prev = con.execute("SELECT hash FROM audit_log WHERE seq = ?", (k,)).fetchone()[0]
        fields = (k + 1, "2026-01-05T00:00:00Z", "appr", "request.approve", "request:1", None,
                  '{"state":"approved"}', prev)
        con.execute("INSERT INTO audit_log(seq, at, actor, action, object, before, after, "
                    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    fields + (record_hash(*fields),))

    tamper(env, insert)
    verify_fails(env, k + 1, k + 2)


def test_a_forged_record_appended_with_a_valid_hash_is_named(env):
    recs = populated(env)
    last = recs[-1]
    forged = last["seq"] + 1

    def insert(con):
        fields = (forged, "2026-01-05T00:00:00Z", "appr", "request.approve", "request:1", None,
                  '{"state":"approved"}', last["hash"])
        con.execute("INSERT INTO audit_log(seq, at, actor, action, object, before, after, "
                    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    fields + (record_hash(*fields),))

    tamper(env, insert)
    verify_fails(env, forged)


def test_the_log_refuses_update_and_delete(env):
    recs = populated(env)
    if env.pg:  # the same, through psql, against the trigger of the PostgreSQL schema
        for sql in ("UPDATE audit_log SET actor = 'x' WHERE seq = 1",
                    "DELETE FROM audit_log WHERE seq = 1", "TRUNCATE audit_log"):
            p = subprocess.run(["psql", "-X", "-q", "-d", env.db, "-c", sql], capture_output=True)
            assert p.returncode != 0 and b"append-only" in p.stderr, "accepted: %s" % sql
        assert records(env) == recs
        env.ok("audit", "verify")
        return
    con = sqlite3.connect(env.db)
    try:
        for sql in ("UPDATE audit_log SET actor = 'x' WHERE seq = 1",
                    "DELETE FROM audit_log WHERE seq = 1"):
            try:
                con.execute(sql)
                con.commit()
            except sqlite3.DatabaseError:
                con.rollback()
            else:
                raise AssertionError("the audit log accepted: %s" % sql)
    finally:
        con.close()
    assert records(env) == recs
    env.ok("audit", "verify")


run(globals())
