"""Two `extsvc serve` processes on one database: a city's two application
servers behind its reverse proxy. The database decides (issue 8): one
approval and one ledger entry however the approvals race, one unbroken
audit chain however the writes interleave, a session made through one
server honoured by the other. Runs on both backends (SQLite: two processes
on one file; PostgreSQL: two processes on one server).
"""
import threading

from server import DEMO_PASSWORD, assert_error, document, run  # noqa: F401


def submitted_requests(env, n):
    """n new requests by somu, consulted on, concluded and submitted (CLI,
    before the servers start); their ids."""
    ids = []
    for i in range(n):
        doc = document(name="並行承認サービス %d" % i, applicant=None)
        rid = env.json("request", "new", "--as", "somu", "--json", "-", input=doc)["id"]
        env.ok("request", "consult", "--as", "somu", rid)
        env.ok("request", "conclude", "--as", "shinsa", rid)
        env.ok("request", "submit", "--as", "somu", rid)
        ids.append(rid)
    return ids


def race(calls):
    """Run the callables at the same moment (a barrier), one thread each;
    their results in order."""
    out = [None] * len(calls)
    gate = threading.Barrier(len(calls))

    def one(i, fn):
        gate.wait()
        try:
            out[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported by the caller
            out[i] = exc

    threads = [threading.Thread(target=one, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return out


def test_racing_approvals_make_one_entry(env):
    env.ok("demo")
    ids = submitted_requests(env, 4)
    a = env.start()
    b = a.peer()
    approver_a, approver_b = a.token("shinsa"), b.token("shinsa")
    for rid in ids:
        path = "/api/v1/requests/%d/approve" % rid
        calls = [lambda c=c: c.post(path, {}) for c in (approver_a, approver_b) * 3]
        results = race(calls)
        for r in results:
            assert not isinstance(r, Exception), "a request failed: %r" % (r,)
        ok = [r for r in results if r.status == 200]
        assert len(ok) == 1, "exactly one approval of #%d must succeed: %r" % (rid, results)
        for r in results:
            if r.status != 200:
                assert_error(r, 409, "wrong-state")
        shown = env.json("request", "show", rid, "--json")
        assert shown["state"] == "approved"
        approvals = [ev for ev in shown["history"] if ev["action"] == "approve"]
        assert len(approvals) == 1, "one approval event: %r" % shown["history"]
    ledger = env.json("ledger", "list", "--all", "--json")["entries"]
    for i in range(len(ids)):
        name = "並行承認サービス %d" % i
        assert sum(1 for e in ledger if e["service"]["name"] == name) == 1, \
            "one ledger entry for %s: %r" % (name, ledger)
    env.ok("audit", "verify")


def test_interleaved_writes_keep_one_audit_chain(env):
    env.ok("demo")
    a = env.start()
    b = a.peer()
    clients = [a.token("somu"), b.token("somu"), a.token("shinsa"), b.token("shinsa")]
    before = len(env.json("audit", "list", "--json")["records"])
    per_thread = 10

    def writer(c, k):
        def go():
            statuses = []
            for j in range(per_thread):
                r = c.post("/api/v1/requests/7/comment", {"comment": "並行コメント %d-%d" % (k, j)})
                statuses.append(r.status)
            return statuses
        return go

    results = race([writer(c, k) for k, c in enumerate(clients)])
    for r in results:
        assert not isinstance(r, Exception), r
        assert r == [200] * per_thread, "every comment is taken: %r" % (r,)
    records = env.json("audit", "list", "--json")["records"]
    assert len(records) == before + len(clients) * per_thread, \
        "one audit record per comment: %d then %d" % (before, len(records))
    seqs = [rec["seq"] for rec in records]
    assert sorted(seqs) == list(range(seqs and min(seqs), min(seqs) + len(seqs))), \
        "the sequence has no gap and no repeat"
    env.ok("audit", "verify")
    comments = [ev for ev in env.json("request", "show", "7", "--json")["history"]
                if (ev.get("comment") or "").startswith("並行コメント")]
    assert len(comments) == len(clients) * per_thread


def test_a_session_is_the_databases_not_one_servers(env):
    a = env.start()
    b = a.peer()
    c = a.signin("somu")
    # The same cookie, sent to the other server.
    c.env = b
    r = c.get("/api/v1/session")
    assert r.status == 200 and r.json()["user"]["login"] == "somu", r
    r = c.post("/api/v1/requests/7/comment", {"comment": "別のサーバーから"})
    assert r.status == 200, "a write with the session and its CSRF token through B: %r" % r
    # Signed out through B, the session is gone on A as well.
    assert c.delete("/api/v1/session").status in (200, 204)
    c.env = a
    r = c.get("/api/v1/requests")
    assert_error(r, 401)


run(globals())
