"""The client's address and the limits on connections (issue 9, finding
10, in part): X-Forwarded-For is believed only from a configured proxy
(`[server] trusted_proxy`; with `[tls] behind_proxy` and none given, the
proxy on this host), never from anyone who sends it; the connections one
address may hold are configurable (`max_connections_per_address`, 0 for
no limit: behind a proxy every user shares its address).
"""
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import BIN, DEMO_PASSWORD, Client, free_port, run  # noqa: E402


def start_with(env, settings):
    env.start_with_config(settings)


def signin_address(env, source, forwarded):
    c = Client(env, source=source)
    r = c.request("POST", "/api/v1/session", body={"login": "somu", "password": DEMO_PASSWORD},
                  headers={"X-Forwarded-For": forwarded})
    assert r.status == 200, r
    audit = env.token("kansa").json_ok("GET", "/api/v1/audit?action=session.signin&limit=1000")
    return audit["records"][-1]["after"]["address"]


def test_forwarded_for_is_believed_only_from_the_trusted_proxy(env):
    start_with(env, "trusted_proxy = 127.0.0.2\n")
    assert signin_address(env, "127.0.0.2", "198.51.100.7, 203.0.113.5") == "203.0.113.5"
    assert signin_address(env, "127.0.0.3", "203.0.113.9") == "127.0.0.3", \
        "anyone's X-Forwarded-For was believed"


def test_without_a_proxy_setting_nobody_is_believed(env):
    start_with(env, "")
    assert signin_address(env, "127.0.0.1", "203.0.113.9") == "127.0.0.1"


def served(sock):
    sock.sendall(b"GET /login HTTP/1.1\r\nHost: t\r\n\r\n")
    try:
        data = sock.recv(4096)
    except OSError:
        return False
    return data.startswith(b"HTTP/1.1 200")


def test_connections_per_address_are_configurable(env):
    start_with(env, "max_connections_per_address = 3\n")
    held = []
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", env.port), timeout=5,
                                     source_address=("127.0.0.4", 0))
        assert served(s)
        held.append(s)
    extra = socket.create_connection(("127.0.0.1", env.port), timeout=5,
                                     source_address=("127.0.0.4", 0))
    # Refused cheaply and clearly: 503 with Retry-After, then closed.
    extra.sendall(b"GET /login HTTP/1.1\r\nHost: t\r\n\r\n")
    answer = b""
    while True:
        chunk = extra.recv(4096)
        if not chunk:
            break
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 503"), "a fourth connection from one address: %r" % answer
    assert b"Retry-After: 5" in answer and b"Connection: close" in answer, answer
    other = socket.create_connection(("127.0.0.1", env.port), timeout=5,
                                     source_address=("127.0.0.5", 0))
    assert served(other), "another address was refused"
    for s in held + [extra, other]:
        s.close()


def test_a_bad_limit_is_refused(env):
    env.ok("demo")
    ini = env.write("bad.ini", "[server]\nlisten = 127.0.0.1:%d\ndatabase = %s\n"
                    "max_connections_per_address = -1\n" % (free_port(), env.db))
    p = subprocess.run([BIN, "serve", "--config", ini], capture_output=True, timeout=30)
    assert p.returncode == 2 and "max_connections_per_address" in p.stderr.decode(), p


run(globals())
