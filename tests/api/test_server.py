"""Server qualities of `extsvc serve` (issue 3): keep-alive that works, a
clean shutdown on SIGTERM that finishes requests in flight, a refusal to
start on a missing database (before listening), and a structured access log
(one JSON object per request on stdout).
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import (BIN, DEMO_PASSWORD, SANITIZER_REPORT, Client, document, free_port,  # noqa: E402
                    run)


def test_keep_alive_serves_several_requests_on_one_connection(env):
    env.start()
    token = env.token("somu").token
    auth = {"Authorization": "Bearer " + token}
    conn = http.client.HTTPConnection("127.0.0.1", env.port, timeout=10)
    conn.connect()
    sock, local = conn.sock, conn.sock.getsockname()
    body = json.dumps(document(), ensure_ascii=False).encode("utf-8")
    steps = [("GET", "/api/v1/ledger", None, auth, 200),
             ("POST", "/api/v1/check", body, dict(auth, **{"Content-Type": "application/json"}), 200),
             ("GET", "/api/v1/ledger/1", None, auth, 200),
             ("GET", "/api/v1/nothing", None, auth, 404),
             ("GET", "/api/v1/requests", None, {}, 401),
             ("POST", "/api/v1/requests", body, auth, 201),
             ("GET", "/login", None, {}, 200),
             ("GET", "/", None, {}, 303)]
    for i, (method, path, data, headers, status) in enumerate(steps):
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        payload = r.read()
        assert r.status == status, "request %d %s %s: %d %r" % (i + 1, method, path, r.status, payload[:200])
        assert not r.will_close, "request %d (%s %s) closed the connection (Connection: %r)" % (
            i + 1, method, path, r.getheader("Connection"))
        assert conn.sock is sock and conn.sock.getsockname() == local, \
            "request %d went over a new connection: keep-alive does not work" % (i + 1)
    conn.close()
    # Two requests sent back to back (pipelined) on one socket: two answers.
    s = socket.create_connection(("127.0.0.1", env.port), timeout=10)
    req = ("GET /api/v1/ledger/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % token).encode()
    s.sendall(req + req)
    data = b""
    deadline = time.time() + 10
    while data.count(b"HTTP/1.1 200") < 2 and time.time() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    assert data.count(b"HTTP/1.1 200") == 2, "pipelined requests: %r" % data[:300]


def slow_request(env, token, body, split):
    """Open a connection and send the headers and the first `split` bytes
    of the body; return the socket."""
    s = socket.create_connection(("127.0.0.1", env.port), timeout=30)
    head = ("POST /api/v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (token, len(body))).encode()
    s.sendall(head + body[:split])
    return s


def read_response(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, payload = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, head, payload


def test_sigterm_finishes_the_request_in_flight(env):
    env.start()
    token = env.token("somu").token
    body = json.dumps(document(name="停止中に届いた申請"), ensure_ascii=False).encode("utf-8")
    s = slow_request(env, token, body, len(body) // 2)
    time.sleep(0.5)                     # the server has the headers and half the body
    env.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert env.proc.poll() is None, "the server quit with a request in flight"
    s.sendall(body[len(body) // 2:])
    status, head, payload = read_response(s)
    assert status == 201, "the request in flight must be answered: %r %r" % (head[:200], payload[:300])
    rid = json.loads(payload)["id"]
    t0 = time.time()
    try:
        code = env.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        raise AssertionError("the server did not stop after finishing the request in flight")
    assert time.time() - t0 < 15
    proc, env.proc = env.proc, None
    err = env._stderr()
    assert not SANITIZER_REPORT.search(err), err[-3000:]
    assert code == 0, "exit %d after SIGTERM: %s" % (code, err[-2000:])
    # The request was stored whole.
    shown = env.json("request", "show", rid, "--json")
    assert shown["document"]["service"]["name"] == "停止中に届いた申請" and shown["state"] == "draft", shown


def test_sigterm_with_idle_keep_alive_connection(env):
    """An idle keep-alive connection does not hold the shutdown up."""
    env.start()
    c = Client(env, keep_alive=True, token=env.token("shokuin").token)
    assert c.get("/api/v1/ledger").status == 200
    t0 = time.time()
    env.stop()  # SIGTERM; must exit 0
    assert time.time() - t0 < 15, "shutdown waited %.1fs on an idle connection" % (time.time() - t0)
    c.close()
    # And it no longer answers.
    try:
        socket.create_connection(("127.0.0.1", env.port), timeout=2).close()
        refused = False
    except OSError:
        refused = True
    assert refused, "the port still accepts connections after the server stopped"


def start_without_demo(env, db):
    port = free_port()
    p = subprocess.run([BIN, "--db", db, "serve", "--listen", "127.0.0.1:%d" % port],
                       capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    return port, p


def test_missing_database_refuses_to_start(env):
    problems = []
    not_db = env.path("not-a-database.db")
    with open(not_db, "w") as f:
        f.write("これはデータベースではありません\n" * 100)
    empty_dir = env.path("empty")
    os.mkdir(empty_dir)
    for label, db in (("missing file", env.path("missing.db")),
                      ("missing directory", env.path("no/such/dir/extsvc.db")),
                      ("not a database", not_db),
                      ("a directory", empty_dir)):
        t0 = time.time()
        port, p = start_without_demo(env, db)
        err = p.stderr.decode("utf-8", "replace")
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode == 0:
            problems.append("%s: serve exited 0" % label)
        if not err.startswith("extsvc: ") or len(err.strip()) < 12:
            problems.append("%s: no 'extsvc: ' message on stderr: %r" % (label, err[:300]))
        if "待ち受けています" in err or "listening" in err.lower():
            problems.append("%s: it said it was listening: %r" % (label, err[:300]))
        if out.strip():
            problems.append("%s: access log written without requests: %r" % (label, out[:200]))
        if SANITIZER_REPORT.search(err):
            problems.append("%s: sanitizer report: %s" % (label, err[-1500:]))
        if time.time() - t0 > 10:
            problems.append("%s: took %.1fs to give up" % (label, time.time() - t0))
    if os.path.exists(env.path("missing.db")):
        problems.append("serve created the missing database file")
    assert not problems, "\n  ".join([""] + problems)


def test_the_access_log_is_written_within_its_flush_time(env):
    """Lines are gathered and written a buffer at a time (access_log_flush_ms,
    default 1000), never later than that; 0 writes each line at once."""
    for flush_ms, within in (("300", 2.0), ("0", 0.3)):
        env.start_with_config("access_log_flush_ms = %s\n" % flush_ms)
        env.anon().get("/login?flush=%s" % flush_ms)
        start, found = time.time(), False
        while time.time() - start < within and not found:
            found = '"path":"/login"' in env.access_log()
            time.sleep(0.05)
        assert found, "no line within %.1f s (access_log_flush_ms = %s)" % (within, flush_ms)
        env.stop()
        with open(env.log_path, "w"):
            pass
    bad = env.run("serve", "--config", env.write("bad.ini", "[server]\naccess_log_flush_ms = -1\n"))
    assert bad.code != 0 and "access_log_flush_ms" in bad.err, bad


def test_access_log_is_one_json_object_per_request(env):
    env.start()
    tok = env.token("somu")
    anon = Client(env)
    sent = []

    def do(client, method, path, body=None, **kw):
        r = client.request(method, path, body=body, **kw)
        sent.append((method, path.split("?", 1)[0], r.status, r))
        return r

    do(tok, "GET", "/api/v1/ledger?q=%E7%BF%BB%E8%A8%B3")
    do(tok, "GET", "/api/v1/ledger/1")
    do(tok, "GET", "/api/v1/nothing")
    do(tok, "POST", "/api/v1/requests", document())
    do(tok, "POST", "/api/v1/check", b"x" * ((1 << 20) + 10))
    do(anon, "GET", "/api/v1/requests")
    do(anon, "POST", "/api/v1/session", {"login": "kyoiku", "password": DEMO_PASSWORD})
    do(anon, "POST", "/api/v1/session", {"login": "kyoiku", "password": "secret-wrong-pw"})
    do(anon, "GET", "/login")
    do(anon, "GET", "/static/style.css")
    do(anon, "GET", "/ledger")
    # A path whose bytes are not UTF-8 (refused with 400) is logged too,
    # each bad byte as U+FFFD, the line still JSON.
    raw = socket.create_connection(("127.0.0.1", env.port), timeout=10)
    raw.sendall(b"GET /ledger/\xff\x80%E5 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    answer = raw.recv(65536)
    raw.close()
    sent.append(("GET", "/ledger/\ufffd\ufffd\ufffd", int(answer.split()[1]), None))
    env.stop()  # all lines are written by now
    text = env.access_log()
    lines = text.splitlines()
    assert text.endswith("\n"), "the log's last line is unterminated"
    records = []
    for i, line in enumerate(lines):
        try:
            rec = json.loads(line)
        except ValueError:
            raise AssertionError("access log line %d is not one JSON object: %r" % (i + 1, line[:300]))
        assert isinstance(rec, dict), "line %d is not an object: %r" % (i + 1, line)
        if rec.get("event"):  # the server's own events (the audit head each day)
            assert "method" not in rec, rec
        elif (rec.get("method"), rec.get("path")) != ("GET", "/api/v1/session"):
            records.append(rec)  # (GET /api/v1/session: the fixture's readiness probes)
    got = sorted((r.get("method"), r.get("path"), r.get("status")) for r in records)
    want = sorted((m, p, s) for m, p, s, _ in sent)
    assert got == want, "access log records:\n  %s\nrequests made:\n  %s" % (got, want)
    for rec in records:
        assert rec.get("addr") == "127.0.0.1", rec
        assert isinstance(rec.get("us"), int) and rec["us"] >= 0, rec
        assert isinstance(rec.get("bytes"), int) and rec["bytes"] >= 0, rec
        assert isinstance(rec.get("at"), str) and rec["at"][:2] == "20", rec
    by_path = {(r["method"], r["path"]): r for r in records}
    assert by_path[("GET", "/api/v1/ledger/1")].get("user") == "somu", \
        "the log names the signed-in user: %r" % by_path[("GET", "/api/v1/ledger/1")]
    assert by_path[("GET", "/api/v1/ledger/1")]["bytes"] == len(sent[1][3].body)
    # Secrets stay out of the log.
    for secret in (DEMO_PASSWORD, "secret-wrong-pw", tok.token):
        assert secret not in text, "the access log contains a secret"


def test_config_file_with_tls_serves_https_and_secure_cookies(env):
    """[tls] certificate/key in the INI file: libmicrohttpd's own TLS; the
    session cookie is then Secure. (openssl only makes the test's key.)"""
    import shutil
    import ssl
    if not shutil.which("openssl"):
        from harness import skip
        skip("openssl is not installed")
    env.ok("demo")
    cert, key = env.path("cert.pem"), env.path("key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    port = free_port()
    ini = env.write("extsvc.ini", "[server]\nlisten = 127.0.0.1:%d\ndatabase = %s\nthreads = 1\n"
                    "[session]\nidle_minutes = 10\n[tls]\ncertificate = %s\nkey = %s\n"
                    % (port, env.db, cert, key))
    proc = subprocess.Popen([BIN, "serve", "--config", ini], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        deadline = time.time() + 20
        while True:
            try:
                c = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=ctx)
                body = json.dumps({"login": "somu", "password": DEMO_PASSWORD})
                c.request("POST", "/api/v1/session", body=body,
                          headers={"Content-Type": "application/json"})
                r = c.getresponse()
                r.read()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        assert r.status == 200, r.status
        cookie = r.getheader("Set-Cookie") or ""
        attrs = [a.strip() for a in cookie.split(";")[1:]]
        # Over TLS: __Host- prefixed (Secure, Path=/, no Domain: no other
        # site or plain-HTTP page can set or shadow it), and HSTS.
        assert cookie.startswith("__Host-extsvc_session=") and "Secure" in attrs, cookie
        assert "HttpOnly" in attrs and "Path=/" in attrs and "SameSite=Strict" in attrs, cookie
        assert not any(a.lower().startswith("domain=") for a in attrs), cookie
        assert (r.getheader("Strict-Transport-Security") or "").startswith("max-age="), \
            r.getheaders()
        # The cookie is read back under that name.
        sid = cookie.split(";", 1)[0].split("=", 1)[1]
        c.request("GET", "/api/v1/session", headers={"Cookie": "__Host-extsvc_session=" + sid})
        back = c.getresponse()
        back.read()
        assert back.status == 200, back.status
        # Plain HTTP on the TLS port gets no page.
        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            plain.request("GET", "/login")
            got = plain.getresponse().status
        except (OSError, http.client.HTTPException):
            got = None
        assert got != 200, "plain HTTP answered on the TLS port"
    finally:
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=30)[1].decode("utf-8", "replace")
    assert proc.returncode == 0, err
    assert "https://127.0.0.1:%d/" % port in err, err


def test_a_bad_config_file_is_refused(env):
    env.ok("demo")
    ini = env.write("bad.ini", "[server]\nlisten = 127.0.0.1:1\ncolour = blue\n")
    p = subprocess.run([BIN, "--db", env.db, "serve", "--config", ini], capture_output=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 2 and "colour" in err, (p.returncode, err)


if __name__ == "__main__":
    run(globals())
