"""What the server decides from a request's head alone (issue 9, finding 4):
a body over the cap, or one sent to the API without credentials, is
refused before a byte of it is read (no `100 Continue`, nothing buffered);
a transfer coding it does not speak gets 501 at once instead of a hang;
HEAD is answered as GET without the body.
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import document, run  # noqa: E402


def exchange(env, head, body=b"", wait=5):
    """Send head (and body), read until the server closes or `wait` passes;
    (seconds taken, raw answer)."""
    s = socket.create_connection(("127.0.0.1", env.port), timeout=wait)
    start = time.time()
    s.sendall(head + body)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return time.time() - start, out


def status_of(raw):
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else None


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_an_oversize_body_is_refused_before_it_is_sent(env):
    env.start()
    token = env.token("somu").token
    before = rss_kib(env.proc.pid)
    for auth in (b"", b"Authorization: Bearer " + token.encode() + b"\r\n"):
        took, raw = exchange(env, b"POST /api/v1/requests HTTP/1.1\r\nHost: t\r\n" + auth +
                             b"Content-Type: application/json\r\nContent-Length: 52428800\r\n"
                             b"Expect: 100-continue\r\n\r\n")
        assert status_of(raw) == 413, raw[:200]
        assert b"100 Continue" not in raw, "the client was asked to send the body"
        assert took < 4, "the answer waited for a body (%.1f s)" % took
        assert json.loads(raw.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "too-large"
    # A client that sends the 50 MiB anyway has them dropped as they come, unbuffered.
    s = socket.create_connection(("127.0.0.1", env.port), timeout=10)
    s.sendall(b"POST /api/v1/requests HTTP/1.1\r\nHost: t\r\nContent-Length: 52428800\r\n\r\n")
    sent = 0
    try:
        while sent < 52428800:
            sent += s.send(b"x" * 65536)
    except OSError:
        pass
    s.settimeout(20)
    answer = b""
    try:
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError:
        pass
    s.close()
    assert sent == 52428800 and status_of(answer) == 413, (sent, answer[:200])
    grew = rss_kib(env.proc.pid) - before
    assert grew < 16 * 1024, "50 MiB sent, RSS grew by %d KiB" % grew


def test_a_body_without_credentials_is_refused_before_it_is_read(env):
    env.start()
    took, raw = exchange(env, b"POST /api/v1/requests HTTP/1.1\r\nHost: t\r\n"
                              b"Content-Type: application/json\r\nContent-Length: 4000\r\n"
                              b"Expect: 100-continue\r\n\r\n")
    assert status_of(raw) == 401 and b"100 Continue" not in raw, raw[:200]
    assert took < 4, took
    # A bad token is refused the same way.
    took, raw = exchange(env, b"POST /api/v1/requests HTTP/1.1\r\nHost: t\r\n"
                              b"Authorization: Bearer not-a-token\r\nContent-Length: 4000\r\n"
                              b"Expect: 100-continue\r\n\r\n")
    assert status_of(raw) == 401 and b"100 Continue" not in raw, raw[:200]
    # With credentials the body is asked for and taken.
    body = json.dumps(document(name="Continue で送る", applicant=None)).encode()
    token = env.token("somu").token
    took, raw = exchange(env, b"POST /api/v1/requests HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                              b"Authorization: Bearer " + token.encode() + b"\r\n"
                              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                              % len(body), body)
    assert status_of(raw) == 201, raw[:300]


def test_a_body_from_a_role_that_may_not_write_is_refused_before_it_is_read(env):
    """staff and auditor can change no request and no entry: 403 from the
    head, without 100 Continue; a manager is asked for the body."""
    env.start()
    for login in ("shokuin", "kansa"):
        token = env.token(login).token
        for path in (b"/api/v1/requests", b"/api/v1/requests/1/submit", b"/api/v1/ledger/1/extend"):
            took, raw = exchange(env, b"POST " + path + b" HTTP/1.1\r\nHost: t\r\n"
                                 b"Authorization: Bearer " + token.encode() + b"\r\n"
                                 b"Content-Type: application/json\r\nContent-Length: 400000\r\n"
                                 b"Expect: 100-continue\r\n\r\n")
            assert status_of(raw) == 403, (login, path, raw[:200])
            assert b"100 Continue" not in raw, "the client was asked to send the body"
            assert took < 4, took
    token = env.token("somu").token
    took, raw = exchange(env, b"POST /api/v1/requests HTTP/1.1\r\nHost: t\r\n"
                              b"Authorization: Bearer " + token.encode() + b"\r\n"
                              b"Content-Type: application/json\r\nContent-Length: 4000\r\n"
                              b"Expect: 100-continue\r\n\r\n", wait=2)
    assert b"100 Continue" in raw, raw[:200]  # (and then waits for the body)


def test_an_unknown_transfer_encoding_gets_501_at_once(env):
    env.start()
    for te in (b"gzip", b"gzip, chunked", b"x-nonsense"):
        took, raw = exchange(env, b"POST /api/v1/requests HTTP/1.1\r\nHost: t\r\n"
                                  b"Transfer-Encoding: " + te + b"\r\n\r\n")
        assert status_of(raw) == 501, (te, raw[:200])
        assert took < 4, (te, took)
    # chunked is understood: a request sent in chunks is filed.
    body = json.dumps(document(name="チャンクで送る", applicant=None)).encode()
    token = env.token("somu").token
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 100]), body[i:i + 100])
                       for i in range(0, len(body), 100)) + b"0\r\n\r\n"
    took, raw = exchange(env, b"POST /api/v1/requests HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                              b"Authorization: Bearer " + token.encode() + b"\r\n"
                              b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                         chunked)
    assert status_of(raw) == 201, raw[:300]


def test_head_answers_like_get_without_a_body(env):
    env.start()
    token = env.token("shokuin").token
    for path in (b"/api/v1/ledger", b"/api/v1/ledger/1", b"/login", b"/static/style.css"):
        heads = {}
        for method in (b"GET", b"HEAD"):
            _, raw = exchange(env, method + b" " + path + b" HTTP/1.1\r\nHost: t\r\n"
                              b"Connection: close\r\nAuthorization: Bearer " + token.encode() +
                              b"\r\n\r\n")
            head, _, body = raw.partition(b"\r\n\r\n")
            heads[method] = (status_of(raw), body,
                             [h for h in head.split(b"\r\n") if h.startswith(b"Content-Type")])
        assert heads[b"HEAD"][0] == heads[b"GET"][0] == 200, (path, heads)
        assert heads[b"HEAD"][2] == heads[b"GET"][2], (path, heads)
        assert heads[b"GET"][1] and heads[b"HEAD"][1] == b"", (path, heads[b"HEAD"][1][:80])
    # The access log is written a buffer at a time, within a second.
    deadline, log = time.time() + 5, []
    while time.time() < deadline and not any(
            e.get("method") == "HEAD" and e["path"] == "/api/v1/ledger" for e in log):
        time.sleep(0.2)
        log = [json.loads(line) for line in open(env.log_path, encoding="utf-8")]
    assert any(e.get("method") == "HEAD" and e["path"] == "/api/v1/ledger" for e in log)


run(globals())
