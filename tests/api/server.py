"""The fixture of the API and page tests: a real `extsvc serve` on loopback.

Each test_* function of a file is one TAP case (the convention of
tests/cli/harness.py, which this module reuses). `run(globals())` hands
every test a fresh `ServerEnv`: its own temporary directory and database.
`env.start()` fills the database with `extsvc demo` (unless told not to),
picks a free loopback port, starts `extsvc serve`, and waits until it
answers. After the test, the server gets SIGTERM and must exit 0 with no
sanitizer report on its stderr; otherwise the test fails.

Demo users (password DEMO_PASSWORD): admin(admin), ciso(ciso),
shinsa(approver), somu(manager, 総務部 総務課), kyoiku(manager, 教育委員会
学校教育課), kansa(auditor), shokuin(staff). Demo requests (every one that
was submitted was consulted on and concluded first, standard 5(2)①): #1
approved (entry 1, Microsoft Teams), #2 approved (entry 2, DeepL 翻訳), #3
submitted, #4 draft with blockers, #5 returned (kyoiku), #6 draft (kyoiku),
#7 consulting (somu, kintone, three answers still open), #8 consulted (kyoiku,
Google フォーム, approvable: ready to be submitted).

Only the standard library is used.
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import harness  # noqa: E402  (tests/cli/harness.py: BIN, Env, Skip, document, sanitizers)

from harness import BIN, SOURCE, Skip, skip, document, check_sanitizers, SANITIZER_REPORT  # noqa: E402,F401

DATA = os.path.join(SOURCE, "tests", "data", "api")
DEMO_PASSWORD = "extsvc-demo-2026"

# The role a demo login stands for, and the login for each role.
ROLE_LOGIN = {
    "staff": "shokuin",
    "manager": "somu",
    "approver": "shinsa",
    "ciso": "ciso",
    "auditor": "kansa",
    "admin": "admin",
}
DEPT_SOMU = "総務部 総務課"
DEPT_KYOIKU = "教育委員会 学校教育課"



def load_data(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return json.load(f)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Response:
    def __init__(self, status, reason, headers, body, method, path):
        self.status = status
        self.reason = reason
        self.headers = headers          # list of (name, value)
        self.body = body                # bytes
        self.method = method
        self.path = path

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except Exception as exc:  # noqa: BLE001
            raise AssertionError("%s %s: answer is not JSON (%s): %r" % (
                self.method, self.path, exc, self.body[:500]))

    def __repr__(self):
        return "%s %s -> %d %s" % (self.method, self.path, self.status, self.body[:600].decode(
            "utf-8", "replace"))


def assert_status(resp, *expected):
    assert resp.status in expected, "expected %s: %r" % ("/".join(map(str, expected)), resp)
    return resp


def assert_error(resp, status, code=None):
    """An API error: the status, and the body {"error": {"code", "message"}}."""
    assert resp.status == status, "expected %d: %r" % (status, resp)
    ctype = resp.header("Content-Type") or ""
    assert ctype.startswith("application/json"), "error must be JSON, got %r: %r" % (ctype, resp)
    body = resp.json()
    assert isinstance(body, dict) and set(body) == {"error"}, "error body must be {error: …}: %r" % resp
    err = body["error"]
    assert isinstance(err, dict) and isinstance(err.get("code"), str) and err["code"], \
        "error.code must be a non-empty string: %r" % resp
    assert isinstance(err.get("message"), str) and err["message"].strip(), \
        "error.message must be a non-empty string: %r" % resp
    if code is not None:
        assert err["code"] == code, "expected error code %r: %r" % (code, resp)
    return err


class Client:
    """HTTP to the server under test. A Client carries one identity: nothing,
    a Bearer token, or a session cookie with its CSRF token. A new TCP
    connection per request unless keep_alive is set."""

    def __init__(self, env, token=None, cookie=None, csrf=None, keep_alive=False, source=None):
        self.env = env
        self.source = source  # a loopback source address, e.g. "127.0.0.5"
        self.token = token
        self.cookie = cookie
        self.csrf = csrf
        self.keep_alive = keep_alive
        self.conn = None
        self.user = None

    def _connection(self):
        src = (self.source, 0) if self.source else None
        if self.keep_alive:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.env.port, timeout=30,
                                                       source_address=src)
            return self.conn
        return http.client.HTTPConnection("127.0.0.1", self.env.port, timeout=30,
                                          source_address=src)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None, csrf=True, ctype=None):
        """body: dict/list (sent as JSON), str (UTF-8) or bytes. With a
        cookie, writes carry X-CSRF-Token unless csrf=False."""
        h = {}
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h["Content-Type"] = "application/json"
        elif isinstance(body, str):
            body = body.encode("utf-8")
        if ctype:
            h["Content-Type"] = ctype
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if self.cookie:
            h["Cookie"] = "extsvc_session=" + self.cookie
            if csrf and self.csrf and method not in ("GET", "HEAD"):
                h["X-CSRF-Token"] = self.csrf
        if headers:
            h.update(headers)
        if body is None and method in ("POST", "PUT", "DELETE"):
            h.setdefault("Content-Length", "0")
        conn = self._connection()
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            resp = Response(r.status, r.reason, r.getheaders(), data, method, path)
        finally:
            if not self.keep_alive:
                conn.close()
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def json_ok(self, method, path, body=None, status=200):
        r = self.request(method, path, body=body)
        assert r.status == status, "expected %d: %r" % (status, r)
        return r.json()

    def form(self, path, fields, csrf_field=True):
        """POST an HTML form (application/x-www-form-urlencoded); the
        session's CSRF token goes in the csrf field unless csrf_field=False."""
        f = dict(fields)
        if csrf_field and self.csrf and "csrf" not in f:
            f["csrf"] = self.csrf
        data = urllib.parse.urlencode(f).encode("ascii")
        return self.request("POST", path, body=data, csrf=False,
                            ctype="application/x-www-form-urlencoded")


def session_cookie(resp):
    """The value of extsvc_session in a Set-Cookie answer, or None."""
    for v in resp.header_all("Set-Cookie"):
        first = v.split(";", 1)[0].strip()
        if first.startswith("extsvc_session="):
            return first[len("extsvc_session="):]
    return None


class ServerEnv(harness.Env):
    """A temporary directory, its database, and (after start()) a running
    `extsvc serve` on 127.0.0.1:port."""

    def __init__(self):
        super().__init__()
        self.proc = None
        self.port = None
        self.log_path = self.path("access.log")
        self.err_path = self.path("serve.err")
        self.exit_code = None
        self._tokens = {}
        self._peers = []
        self._is_peer = False

    def peer(self):
        """A second `extsvc serve` on this same database (two application
        servers behind one proxy), started; stopped with this one and held
        to the same rule (exit 0, no sanitizer report)."""
        p = ServerEnv.__new__(ServerEnv)
        p.dir, p.db, p.pg, p._used = self.dir, self.db, None, True
        n = len(self._peers) + 2
        p.proc = p.port = p.exit_code = None
        p.log_path = self.path("access%d.log" % n)
        p.err_path = self.path("serve%d.err" % n)
        p._tokens = self._tokens  # a token is the database's, not one server's
        p._peers = []
        p._is_peer = True
        self._peers.append(p)
        return p.start(demo=False)

    # --- the server --------------------------------------------------------

    def start(self, demo=True, extra=None):
        """Start the server (after `extsvc demo` where demo is true and the
        database is not there yet); return self. `extra`, if given, is called
        with self before the server starts (to add users and the like)."""
        if demo and self.fresh:
            self.ok("demo")
        if extra:
            extra(self)
        last = None
        for _attempt in range(3):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [BIN, "--db", self.db, "serve", "--listen", "127.0.0.1:%d" % self.port],
                stdout=open(self.log_path, "ab"), stderr=open(self.err_path, "ab"),
                stdin=subprocess.DEVNULL)
            if self._wait_ready():
                return self
            last = self._stderr()
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        raise AssertionError("extsvc serve did not start: %s" % last)

    def start_with_config(self, settings):
        """`extsvc demo`, then serve with a config file holding [server]
        `settings` (INI lines); return self."""
        if self.fresh:
            self.ok("demo")
        self.port = free_port()
        ini = self.write("extsvc.ini", "[server]\nlisten = 127.0.0.1:%d\ndatabase = %s\n"
                         "threads = 2\n%s" % (self.port, self.db, settings))
        self.proc = subprocess.Popen([BIN, "serve", "--config", ini],
                                     stdout=open(self.log_path, "ab"),
                                     stderr=open(self.err_path, "ab"), stdin=subprocess.DEVNULL)
        assert self._wait_ready(), self._stderr()
        return self

    def _stderr(self):
        try:
            with open(self.err_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/api/v1/session")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status in (200, 401):
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """SIGTERM the server (and its peers); each must exit 0 with no
        sanitizer report."""
        for p in self._peers:
            p.stop(sig, timeout)
        if self.proc is None:
            return self.exit_code
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            self.exit_code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("extsvc serve did not stop within %ds of SIGTERM" % timeout)
        err = self._stderr()
        if SANITIZER_REPORT.search(err) and not os.environ.get("EXTSVC_TEST_IGNORE_SANITIZER"):
            raise AssertionError("sanitizer report from extsvc serve:\n%s" % err[-4000:])
        assert self.exit_code == 0, "extsvc serve exited %d after SIGTERM; stderr:\n%s" % (
            self.exit_code, err[-3000:])
        return self.exit_code

    def access_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def close(self):
        for p in self._peers:
            p.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        if not self._is_peer:
            super().close()

    # --- identities ---------------------------------------------------------

    def anon(self, **kw):
        return Client(self, **kw)

    def token(self, login):
        """A Bearer-token client for `login` (extsvc token create --as)."""
        if login not in self._tokens:
            r = self.ok("token", "create", "--as", login)
            tok = r.out.strip().splitlines()[-1].strip()
            assert tok, "token create printed nothing: %r" % r
            self._tokens[login] = tok
        return Client(self, token=self._tokens[login])

    def signin(self, login, password=DEMO_PASSWORD, **kw):
        """A cookie client: POST /api/v1/session, keep cookie and csrf."""
        c = Client(self, **kw)
        r = c.post("/api/v1/session", {"login": login, "password": password})
        assert r.status == 200, "sign-in of %s failed: %r" % (login, r)
        body = r.json()
        c.cookie = session_cookie(r)
        assert c.cookie, "sign-in sets no extsvc_session cookie: %r" % r.headers
        c.csrf = body.get("csrf")
        assert isinstance(c.csrf, str) and c.csrf, "sign-in answer carries no csrf: %r" % r
        c.user = body.get("user")
        return c

    def page_signin(self, login, password=DEMO_PASSWORD, next_="/"):
        """Sign in through the HTML form POST /login; follow the 303. Returns
        (client with the cookie, the page the redirect led to)."""
        c = Client(self)
        data = urllib.parse.urlencode({"login": login, "password": password, "next": next_})
        r = c.request("POST", "/login", body=data.encode("ascii"),
                      ctype="application/x-www-form-urlencoded")
        assert r.status == 303, "form sign-in must answer 303: %r" % r
        c.cookie = session_cookie(r)
        assert c.cookie, "form sign-in sets no cookie: %r" % r.headers
        loc = r.header("Location")
        assert loc, "303 without Location"
        page = c.get(urllib.parse.urlsplit(loc).path or "/")
        assert page.status == 200, "page after sign-in: %r" % page
        c.csrf = csrf_of_page(page.text)
        return c, page


def csrf_of_page(html):
    """The CSRF token a page carries (meta csrf-token or a hidden csrf field)."""
    import re
    m = re.search(r'<meta name="csrf-token" content="([^"]+)"', html) or \
        re.search(r'name="csrf" value="([^"]+)"', html)
    return m.group(1) if m else None


def multipart(fields, filename, content, ctype="application/octet-stream"):
    """A multipart/form-data body of the short `fields` and one part named
    "file" holding `content` (bytes) as `filename`; (body, content type)."""
    boundary = "----extsvc" + uuid.uuid4().hex
    parts = [("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
              % (boundary, k, v)).encode("utf-8") for k, v in fields.items()]
    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                  "Content-Type: %s\r\n\r\n" % (boundary, filename, ctype)).encode("utf-8")
                 + content + b"\r\n")
    parts.append(("--%s--\r\n" % boundary).encode("ascii"))
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


def post_file(client, env, path, fields, filename, content, origin=True):
    """POST a CSV file with `fields` and the page's CSRF token to `path` as
    a page's upload form does, from our own origin or (origin=False) from
    another site's."""
    body, ctype = multipart(dict(fields, csrf=client.csrf), filename, content, "text/csv")
    origin = "http://127.0.0.1:%d" % env.port if origin else "http://evil.example"
    return client.request("POST", path, body=body, ctype=ctype, headers={"Origin": origin})


def text_of(html):
    """A page's text: tags dropped, white space folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def run(namespace):
    """Run the test_* functions of a module as TAP, each with a fresh
    ServerEnv; a server still running afterwards is stopped and must exit 0."""
    tests = harness.selected(namespace)
    print("1..%d" % len(tests))
    sys.stdout.flush()
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        env = ServerEnv()
        show_tail = True
        try:
            try:
                fn(env)
            except BaseException:
                # The test's own failure is the one to report; still stop
                # the server (and show a bad exit through its stderr).
                show_tail = True
                try:
                    env.stop()
                except Exception:  # noqa: BLE001
                    pass
                raise
            show_tail = False  # a failure of stop() carries the stderr itself
            env.stop()
            print("ok %d - %s" % (i, name))
        except Skip as s:
            print("ok %d - %s # SKIP %s" % (i, name, s.reason))
        except Exception:  # noqa: BLE001 - every failure is reported, not raised
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            err = env._stderr()
            if show_tail and err.strip():
                print("# --- server stderr (tail) ---")
                for line in err.splitlines()[-15:]:
                    print("# " + line)
        finally:
            env.close()
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
