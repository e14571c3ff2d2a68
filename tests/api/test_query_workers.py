"""The query workers (issue 9, search under load): libmicrohttpd binds each
connection to one of its threads, and a request whose cost grows with the
ledger (an export, a search, a listing) used to run there, so every other
connection of that thread waited for it while other threads stood idle.
Such requests now run on `query_threads` workers shared by all
connections, first come first served; one entry and static files are
still answered on the connection's own thread.

Each test serves with one connection thread (`threads = 1`), where the old
server answered strictly one request after another, and asserts the order
in which answers begin to arrive (the head of each response: the server
sends it once the request is handled; a large body then takes its time to
be read), not how long they took.
"""
import http.client
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import run  # noqa: E402

# Enough entries that the workbook of the whole ledger takes a while to write.
ENTRIES = 1500


class Timed(threading.Thread):
    """GET `path` on a connection of its own; `status` and `answered` (the
    clock when the response's head arrived) once joined; `sent` is set once
    the request is written, `local_port` the connection's port."""

    def __init__(self, env, token, path):
        super().__init__()
        self.env, self.token, self.path = env, token, path
        self.status = self.answered = self.started = self.local_port = None
        self.sent = threading.Event()

    def run(self):
        self.started = time.monotonic()
        c = http.client.HTTPConnection("127.0.0.1", self.env.port, timeout=120)
        c.connect()
        self.local_port = c.sock.getsockname()[1]
        c.request("GET", self.path, headers={"Authorization": "Bearer " + self.token})
        self.sent.set()
        r = c.getresponse()
        self.answered = time.monotonic()
        r.read()
        c.close()
        self.status = r.status


def read_by_server(server_port, client_port):
    """Has the server read all that the client sent on its connection from
    `client_port`? (Its socket's receive queue in /proc/net/tcp is empty.)"""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            local, remote, queues = cols[1], cols[2], cols[4]
            if (int(local.split(":")[1], 16) == server_port and
                    int(remote.split(":")[1], 16) == client_port):
                return int(queues.split(":")[1], 16) == 0
    return False


def slow_then(env, token, others):
    """Start the export of the whole ledger as a workbook, then, once the
    server has read that request (so that it is taken first whatever the
    machine's load), each of `others`; return (export, [other, ...])
    joined."""
    export = Timed(env, token, "/api/v1/ledger.xlsx?all=1")
    export.start()
    assert export.sent.wait(60)
    deadline = time.monotonic() + 60
    while not read_by_server(env.port, export.local_port):
        assert time.monotonic() < deadline, "the server never read the export's request"
        time.sleep(0.005)
    time.sleep(0.05)
    rest = [Timed(env, token, p) for p in others]
    for t in rest:
        t.start()
    for t in [export] + rest:
        t.join(120)
    assert export.status == 200, export.status
    assert all(t.status == 200 for t in rest), [(t.path, t.status) for t in rest]
    return export, rest


def test_a_long_export_holds_up_no_other_connection(env):
    env.ok("demo", "--entries", str(ENTRIES))
    env.start_with_config("threads = 1\nquery_threads = 2\n")
    token = env.token("shinsa").token
    export, (entry, listing) = slow_then(env, token, ["/api/v1/ledger/1", "/api/v1/requests"])
    # One entry on the connection's thread, the listing on the second query
    # worker: both answered while the first worker still writes the workbook
    # (the old server answered them after it).
    assert entry.answered < export.answered, "one entry waited for the export"
    assert listing.answered < export.answered, "a listing waited for the export"


def test_query_threads_bounds_the_queries_at_once(env):
    env.ok("demo", "--entries", str(ENTRIES))
    env.start_with_config("threads = 1\nquery_threads = 1\n")
    token = env.token("shinsa").token
    # One export first, untimed: a cold first export took twice a warm one
    # under load (5.8 s against 2.9), which looked like two at once.
    warm = Timed(env, token, "/api/v1/ledger.xlsx?all=1")
    warm.start()
    warm.join(120)
    assert warm.status == 200, warm.status
    export, (entry, again) = slow_then(env, token,
                                       ["/api/v1/ledger/1", "/api/v1/ledger.xlsx?all=1"])
    # One query worker: the second export begins when the first is done
    # (two at once would end about together); the entry, served on the
    # connection's thread, waits for neither.
    took = export.answered - export.started
    assert entry.answered < export.answered, "one entry waited for the export"
    assert again.answered - export.answered > took / 2, \
        "two exports ran at once with query_threads = 1 (%.3f s apart; one takes %.3f s)" % (
            again.answered - export.answered, took)


run(globals())
