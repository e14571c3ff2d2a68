"""Two processes at once, and a process killed in the middle of an approval
(issue 2, "Bad input and faults"): exactly one approval wins, one ledger
entry; nothing half-written."""
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import (BIN, check_sanitizers, consult_conclude, counts, document, new_request,  # noqa: E402
                     run, setup_db, show, skip)

ROUNDS = 10


def start(env, *args, extra_env=None):
    e = dict(os.environ)
    if extra_env:
        e.update(extra_env)
    return subprocess.Popen([BIN, "--db", env.db] + [str(a) for a in args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)


def finish(p):
    out, err = p.communicate(timeout=120)
    err = err.decode("utf-8", "replace")
    check_sanitizers(p.args, type("R", (), {"err": err})())
    return p.returncode, out.decode("utf-8", "replace"), err


def entries_for(env, rid):
    listing = env.json("ledger", "list", "--all", "--json")
    return [e for e in listing["entries"] if e.get("request_id") == rid]


def test_two_approvers_at_once_exactly_one_wins(env):
    setup_db(env)
    for i in range(ROUNDS):
        rid = new_request(env, document(name="サービス%d" % i, function="", provider="提供者%d" % i))
        consult_conclude(env, rid, approver="appr" if i % 2 else "appr2")
        env.ok("request", "submit", "--as", "mgr", rid)
        audit_before = len(env.json("audit", "list", "--json")["records"])
        procs = [start(env, "request", "approve", "--as", who, rid) for who in ("appr", "appr2")]
        results = [finish(p) for p in procs]
        codes = sorted(code for code, _, _ in results)
        assert codes[0] == 0 and codes[1] in (1, 3), "round %d: %s" % (i, results)
        for code, out, err in results:
            if code:
                assert err.startswith("extsvc: ") and err.count("\n") == 1, results
        r = show(env, rid)
        assert r["state"] == "approved", r
        approvals = [h for h in r["history"] if h.get("action") == "approve"]
        assert len(approvals) == 1, "one approval in the history: %s" % r["history"]
        assert len(entries_for(env, rid)) == 1, "round %d: one ledger entry" % i
        audit_after = env.json("audit", "list", "--json")["records"]
        approve_records = [a for a in audit_after[audit_before:] if a.get("actor") in ("appr", "appr2")]
        assert len({a.get("actor") for a in approve_records}) == 1, \
            "only the winner is in the audit log: %s" % approve_records
    assert env.json("ledger", "list", "--all", "--json")["total"] == ROUNDS
    env.ok("audit", "verify")


def test_many_filings_at_once_are_all_kept_or_cleanly_refused(env):
    setup_db(env)
    before = counts(env)
    procs = [start(env, "request", "new", "--as", "mgr" if i % 2 else "mgr2", "--json",
                   env.write("doc%d.json" % i, document(purpose="同時申請 %d" % i)))
             for i in range(8)]
    results = [finish(p) for p in procs]
    ok = [r for r in results if r[0] == 0]
    assert all(code in (0, 3) for code, _, _ in results), results
    for code, out, err in results:
        if code:
            assert err.startswith("extsvc: "), results
    after = counts(env)
    assert after[0] == before[0] + len(ok), (before, after, results)
    assert after[2] >= before[2] + len(ok), (before, after)
    assert len(ok) >= 1, results
    env.ok("audit", "verify")


def test_a_process_killed_mid_approval_leaves_nothing_half_written(env):
    setup_db(env)
    rid = new_request(env)
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr", rid)
    before = counts(env)
    audit_before = env.json("audit", "list", "--json")["records"]
    p = start(env, "request", "approve", "--as", "appr", rid, extra_env={"EXTSVC_FAULT": "approve"})
    code, out, err = finish(p)
    if code == 0:
        skip("EXTSVC_FAULT had no effect: extsvc built without -Dfault_injection=true")
    assert code == -9, "killed by SIGKILL at the fault point: %d %r" % (code, err)

    r = show(env, rid)
    assert r["state"] == "submitted", "the request is still submitted: %s" % r["state"]
    assert r.get("entry_id") in (None, 0), r
    assert [h.get("action") for h in r["history"]].count("approve") == 0, r["history"]
    assert counts(env) == before, "nothing of the approval is left"
    assert env.json("audit", "list", "--json")["records"] == audit_before
    assert env.json("ledger", "list", "--all", "--json")["entries"] == []
    env.ok("audit", "verify")

    # A normal approval then succeeds, once.
    env.ok("request", "approve", "--as", "appr", rid)
    assert show(env, rid)["state"] == "approved"
    assert env.json("ledger", "list", "--json")["total"] == 1
    env.ok("audit", "verify")


def test_a_process_killed_mid_extension_approval_keeps_the_old_version(env):
    setup_db(env)
    rid = new_request(env)
    consult_conclude(env, rid)
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    entry = show(env, rid)["entry_id"]
    change = env.json("ledger", "extend", "--as", "mgr", entry, "--to", "2028-03-31",
                      "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", change)
    before = counts(env)
    code, _, err = finish(start(env, "request", "approve", "--as", "appr2", change,
                                extra_env={"EXTSVC_FAULT": "approve"}))
    if code == 0:
        skip("EXTSVC_FAULT had no effect: extsvc built without -Dfault_injection=true")
    assert code == -9, (code, err)
    e = env.json("ledger", "show", entry, "--json")
    assert len(e["versions"]) == 1 and e["period"]["to"] == "2027-03-31", e
    assert show(env, change)["state"] == "submitted"
    assert counts(env) == before
    env.ok("audit", "verify")
    env.ok("request", "approve", "--as", "appr2", change)
    e = env.json("ledger", "show", entry, "--json")
    assert len(e["versions"]) == 2 and e["period"]["to"] == "2028-03-31", e


run(globals())
