"""PostgreSQL restarted under two running servers (issue 8, "Faults"): in
that moment every request gets a clear 503 (CLI: one line, exit 3) and
nothing is half-written; afterwards both servers go on by themselves,
without a restart of their own. Also: the servers hold one connection per
worker thread, never one per request. PostgreSQL only (the api-pg suite):
the test starts a cluster of its own, since it stops it.
"""
import os
import subprocess
import threading
import time

from server import assert_error, run  # noqa: I100 (puts tests/cli on the path)
from harness import SOURCE, assert_error_line, skip  # noqa: E402

CLUSTER = os.path.join(SOURCE, "scripts", "pg-cluster")


class OwnCluster:
    def __init__(self):
        out = subprocess.run([CLUSTER, "start"], capture_output=True, text=True, timeout=300,
                             check=True)
        self.dir, self.url = out.stdout.split()

    def halt(self):
        subprocess.run([CLUSTER, "halt", self.dir], check=True, timeout=120)

    def resume(self):
        subprocess.run([CLUSTER, "resume", self.dir], check=True, timeout=120)

    def stop(self):
        subprocess.run([CLUSTER, "stop", self.dir], timeout=120)


def on_own_cluster(env):
    if not env.pg:
        skip("PostgreSQL only (the api-pg suite)")
    cluster = OwnCluster()
    env.db, env._used = cluster.url, False
    return cluster


def test_a_restart_gives_503_then_both_servers_recover(env):
    cluster = on_own_cluster(env)
    try:
        a = env.start()
        b = a.peer()
        password = cluster.url.split("@")[0].rsplit(":", 1)[1]
        assert "127.0.0.1" in a._stderr() and password not in a._stderr(), \
            "the log names the database, never its password: %r" % a._stderr()
        readers = [a.token("somu"), b.token("somu")]
        for c in readers:
            assert c.get("/api/v1/ledger/1").status == 200

        # A writer on each server, comments with numbers, across the restart.
        outcome = {}  # comment -> status
        stop = threading.Event()

        def writer(c, tag):
            n = 0
            while not stop.is_set():
                text = "再起動中のコメント %s-%d" % (tag, n)
                try:
                    r = c.post("/api/v1/requests/7/comment", {"comment": text})
                    outcome[text] = r.status if r.status in (200, 503) else repr(r)
                except OSError as exc:  # the server itself must never drop us
                    outcome[text] = repr(exc)
                n += 1
                time.sleep(0.02)

        threads = [threading.Thread(target=writer, args=(c, t)) for c, t in zip(readers, "ab")]
        for t in threads:
            t.start()
        time.sleep(0.5)
        cluster.halt()
        try:
            for c in readers:
                r = c.get("/api/v1/ledger/1")
                err = assert_error(r, 503, "unavailable")
                assert "PostgreSQL" in err["message"], err
                assert r.header("Retry-After"), "a 503 says when to come back: %r" % r.headers
            r = env.run("request", "list")
            assert_error_line(r, 3)
            time.sleep(0.5)
        finally:
            cluster.resume()
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(60)

        statuses = set(outcome.values())
        assert statuses <= {200, 503}, "only 200 or 503, never a 500 or a dropped connection: %r" \
            % statuses
        assert 503 in statuses and 200 in statuses, statuses
        # Both servers serve again, every worker (each has its own connection).
        for c in readers:
            for _ in range(6):
                r = c.get("/api/v1/ledger/1")
                assert r.status == 200, "after the restart, without restarting extsvc: %r" % r
        # Nothing half-written: exactly the comments answered 200 are there.
        history = env.json("request", "show", "7", "--json")["history"]
        written = {ev["comment"] for ev in history
                   if (ev.get("comment") or "").startswith("再起動中のコメント")}
        taken = {text for text, status in outcome.items() if status == 200}
        assert written == taken, "written but refused: %s; taken but lost: %s" % (
            sorted(written - taken), sorted(taken - written))
        env.ok("audit", "verify")
        env.stop()
    finally:
        cluster.stop()


def connections(env):
    """The backends (their pids) connected to this test's database for
    extsvc, as PostgreSQL lists them."""
    rows = env.connect().execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'extsvc'").fetchall()
    return {r[0] for r in rows}


def test_one_connection_per_worker_not_per_request(env):
    if not env.pg:
        skip("PostgreSQL only (the api-pg suite)")
    env.ok("demo")
    # threads = 2 (start_with_config), and two query workers (workers.h).
    a = env.start_with_config("query_threads = 2\n")
    c = a.token("somu")
    for _ in range(5):
        assert c.get("/api/v1/ledger/1").status == 200
    first = connections(env)
    for _ in range(60):
        assert c.get("/api/v1/ledger?q=Teams").status == 200
        assert c.post("/api/v1/requests/7/comment", {"comment": "接続の数"}).status == 200
    after = connections(env)
    assert 1 <= len(after) <= 4, "four threads, at most four connections: %s" % after
    # The connections the first requests made are still the ones in use
    # (a worker that had no request yet may have opened its own since).
    assert first <= after, "no connection is opened per request: %s then %s" % (first, after)


run(globals())
