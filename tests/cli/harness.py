"""A small harness for the scenario tests: run extsvc on a temporary
database and report each test function as one TAP line.

Each test file defines functions named test_*; `run(globals())` runs them in
order, each with a fresh `Env` (its own directory and database), and prints
TAP. Only the standard library is used.
"""
import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

BIN = os.environ.get("EXTSVC_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "extsvc")
SOURCE = os.environ.get("EXTSVC_SOURCE") or os.path.join(os.path.dirname(__file__), "..", "..")
DATA = os.path.join(SOURCE, "tests", "data")


def schema_version():
    """The schema version this tree's program makes (SCHEMA_VERSION in
    src/store/store.h), as text: a database it has migrated says it."""
    with open(os.path.join(SOURCE, "src", "store", "store.h")) as f:
        return re.search(r"#define SCHEMA_VERSION (\d+)", f.read()).group(1)

# Run by hand (EXTSVC_BIN=... python3 tests/cli/test_x.py), behave as under
# `meson test`: a sanitizer finding stops the process.
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
os.environ.setdefault("LSAN_OPTIONS", "suppressions=" + os.path.join(SOURCE, "tests", "lsan.supp"))
# The program's clock (CONTRACT: an entry past its end reads expired): fixed,
# so that the periods in these tests (2026-04-01 .. 2027-03-31 and later) are
# in use whatever the date; a test moves it with env={"EXTSVC_TODAY": ...}.
os.environ.setdefault("EXTSVC_TODAY", "2026-05-01")


def _audit_key_file():
    """One audit key for every database this process's tests make (a
    PostgreSQL database has no default place for it, and a database copied
    from a template must verify under the key it was written with). The
    tests of the key itself (test_audit_key.py) unset it."""
    import secrets
    d = tempfile.mkdtemp(prefix="extsvc-key-")
    atexit.register(shutil.rmtree, d, True)
    path = os.path.join(d, "audit.key")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, (secrets.token_hex(32) + "\n").encode())
    os.close(fd)
    return path


if not os.environ.get("EXTSVC_AUDIT_KEY"):
    os.environ["EXTSVC_AUDIT_KEY"] = _audit_key_file()


class Skip(Exception):
    """Raised by skip(): the test is reported as "ok N - name # SKIP reason"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def skip(reason):
    raise Skip(reason)


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return "exit %d\nstdout: %s\nstderr: %s" % (self.code, self.out[:2000], self.err[:2000])


SANITIZER_REPORT = re.compile(r"runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer")


def check_sanitizers(cmd, res):
    """A sanitizer report on stderr fails the test, whatever the exit status
    (set EXTSVC_TEST_IGNORE_SANITIZER=1 to look past one while debugging)."""
    if SANITIZER_REPORT.search(res.err) and not os.environ.get("EXTSVC_TEST_IGNORE_SANITIZER"):
        raise AssertionError("sanitizer report from %s:\n%s" % (
            " ".join(str(c) for c in cmd[1:]), res.err[:3000]))


# The backend: EXTSVC_TEST_BACKEND=postgresql (the cli-pg and api-pg suites)
# runs the same tests on PostgreSQL: each Env gets a fresh database of its
# own on the server EXTSVC_TEST_PG_URL names (a role that may create
# databases; scripts/test starts one cluster for every file with
# scripts/pg-cluster). Without that URL the file starts a throwaway cluster
# of its own and stops it at exit. env.pg is then the database's name.
BACKEND = os.environ.get("EXTSVC_TEST_BACKEND", "sqlite")
PG_URL = None


def _own_cluster():
    out = subprocess.run([os.path.join(SOURCE, "scripts", "pg-cluster"), "start"],
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        sys.exit("harness: cannot start a PostgreSQL cluster: " + out.stderr.strip())
    directory, url = out.stdout.split()
    atexit.register(lambda: subprocess.run(
        [os.path.join(SOURCE, "scripts", "pg-cluster"), "stop", directory], timeout=120))
    return url


if BACKEND == "postgresql":
    PG_URL = os.environ.get("EXTSVC_TEST_PG_URL") or _own_cluster()
elif BACKEND != "sqlite":
    sys.exit("harness: EXTSVC_TEST_BACKEND must be sqlite or postgresql, not %r" % BACKEND)


def psql(sql, url=PG_URL):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                       capture_output=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("psql: %s: %s" % (sql, p.stderr.decode("utf-8", "replace").strip()))


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


class _PgRows:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows

    def __iter__(self):
        return iter(self.rows)


class PgConnection:
    """Enough of sqlite3.Connection for a test to change a PostgreSQL
    database behind the program's back, as someone with the database's
    password would: execute(sql, params) with ? placeholders (values put in
    as literals: test data only), each statement committed at once, through
    psql (the tests use the standard library only)."""

    NULL = "\x01NULL\x01"

    def __init__(self, url):
        self.url = url

    def execute(self, sql, params=()):
        parts = sql.split("?")
        assert len(parts) == len(params) + 1, "placeholders and values differ: %s" % sql
        text = parts[0] + "".join(_literal(v) + rest for v, rest in zip(params, parts[1:]))
        p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-F", "\x1f", "-R", "\x1e", "-P", "null=" + self.NULL,
                            "-d", self.url, "-c", text], capture_output=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("psql: %s: %s" % (text, p.stderr.decode(errors="replace")))
        rows = []
        for line in p.stdout.decode("utf-8").rstrip("\n").split("\x1e"):
            if not line.strip("\n"):
                continue
            row = []
            for v in line.strip("\n").split("\x1f"):
                if v == self.NULL:
                    row.append(None)
                elif re.fullmatch(r"-?[0-9]{1,18}", v):
                    row.append(int(v))
                else:
                    row.append(v)
            rows.append(tuple(row))
        return _PgRows(rows)

    def commit(self):
        pass

    def rollback(self):
        pass

    def close(self):
        pass


class Env:
    """A temporary directory with its own database."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="extsvc-test-")
        self.db = os.path.join(self.dir, "extsvc.db")
        self.pg = None
        self._used = False
        if PG_URL:
            import urllib.parse
            self.pg = "extsvc_test_" + os.path.basename(self.dir).replace("-", "_")
            psql('CREATE DATABASE "%s"' % self.pg)
            self.db = urllib.parse.urlsplit(PG_URL)._replace(path="/" + self.pg).geturl()

    @property
    def fresh(self):
        """True until the program has been run on this Env's database."""
        if self.pg:
            return not self._used
        return not os.path.exists(self.db)

    def connect(self):
        """A connection to this Env's database behind the program's back:
        sqlite3's, or PgConnection (the same execute/fetch calls)."""
        if self.pg:
            return PgConnection(self.db)
        import sqlite3
        return sqlite3.connect(self.db)

    def digest(self):
        """A digest of everything the database holds (the SQLite file's
        bytes; PostgreSQL: a data-only pg_dump), to show nothing changed."""
        import hashlib
        if self.pg:
            p = subprocess.run(["pg_dump", "--data-only", "--no-owner", "-d", self.db],
                               capture_output=True, check=True, timeout=120)
            # pg_dump's \restrict lines carry a random key each time.
            dump = b"\n".join(line for line in p.stdout.split(b"\n")
                              if not line.startswith((b"\\restrict", b"\\unrestrict")))
            return hashlib.sha256(dump).hexdigest()
        with open(self.db, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    def sqlite_only(self, why):
        """Skip a test about the SQLite file itself (its bytes, its mode, its
        directory) when the backend is PostgreSQL."""
        if self.pg:
            skip("SQLite のファイルについての試験: " + why)

    def close(self):
        if self.pg:
            # Another file's CREATE DATABASE ... TEMPLATE or DROP in the same
            # cluster can hold pg_database for a moment: try again a few times;
            # a database left over in a throwaway cluster harms nothing, so
            # say so instead of failing the file.
            for attempt in range(5):
                try:
                    psql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.pg)
                    break
                except RuntimeError as exc:
                    if attempt == 4:
                        print("# could not drop %s: %s" % (self.pg, exc))
                    time.sleep(0.5 * (attempt + 1))
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *args, input=None, env=None, db=True):
        """Run extsvc with --db (unless db=False) and return a Result.
        Arguments are str()-ed, except bytes, passed as they are."""
        if db:
            self._used = True
        cmd = [BIN] + (["--db", self.db] if db else []) + [
            a if isinstance(a, bytes) else str(a) for a in args]
        e = dict(os.environ)
        if env:
            e.update(env)
        if isinstance(input, (dict, list)):
            input = json.dumps(input, ensure_ascii=False)
        if isinstance(input, str):
            input = input.encode("utf-8")
        proc = subprocess.run(cmd, input=input, capture_output=True, env=e, timeout=120)
        res = Result(type("P", (), {
            "returncode": proc.returncode,
            "stdout": proc.stdout.decode("utf-8", "replace"),
            "stderr": proc.stderr.decode("utf-8", "replace")}))
        res.raw = proc.stdout  # stdout as bytes (CSV, CP932)
        check_sanitizers(cmd, res)
        return res

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.code == 0, "expected success: %s %r" % (args, r)
        return r

    def json(self, *args, **kw):
        """Run a command that must succeed and parse its stdout as JSON."""
        return self.ok(*args, **kw).json()

    def write(self, name, data):
        p = self.path(name)
        binary = isinstance(data, bytes)
        with open(p, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as f:
            if isinstance(data, (dict, list)):
                json.dump(data, f, ensure_ascii=False)
            else:
                f.write(data)
        return p


# --- helpers shared by the scenario tests ---------------------------------

DEPT_A = "総務部 情報政策課"
DEPT_B = "市民部 市民課"
DEPT_IT = "総務部 情報システム課"

# login: (name, department, roles). One user per role, and a few more for
# the rules on departments and separation of duties.
USERS = {
    "admin": ("管理 花子", DEPT_IT, "admin"),
    "mgr": ("周南 太郎", DEPT_A, "manager"),
    "mgr2": ("徳山 次郎", DEPT_A, "manager"),
    "mgr_b": ("新南陽 三郎", DEPT_B, "manager"),
    "appr": ("審査 一郎", DEPT_IT, "approver"),
    "appr2": ("審査 二郎", DEPT_IT, "approver"),
    "mgr_appr": ("兼務 五郎", DEPT_A, "manager,approver"),
    "ciso": ("統括 六郎", DEPT_IT, "ciso"),
    "aud": ("監査 七子", DEPT_IT, "auditor"),
    "staff": ("職員 八郎", DEPT_A, "staff"),
}


# Databases built once per test file: {key: (path of a copy, value)}.
_TEMPLATES = {}


def _drop_templates():
    for path, _ in _TEMPLATES.values():
        if PG_URL:
            try:
                psql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % path)
            except Exception:  # noqa: BLE001 - the cluster may be gone already
                pass
        else:
            shutil.rmtree(os.path.dirname(path), ignore_errors=True)


atexit.register(_drop_templates)


def from_template(env, key, build):
    """`build(env)` fills env's new database and returns a value (ids: keep
    it immutable). The first call for `key` runs it; later calls copy the
    database it made into env (a file of its own) and return the same
    value, so that each test starts from the same database without running
    the program a dozen times more. (The program leaves no WAL behind once
    it has exited; where one is left, nothing is kept.)"""
    if key in _TEMPLATES and env.fresh:
        path, value = _TEMPLATES[key]
        if env.pg:  # CREATE DATABASE … TEMPLATE: a copy made by the server
            psql('DROP DATABASE "%s"' % env.pg)
            psql('CREATE DATABASE "%s" TEMPLATE "%s"' % (env.pg, path))
            env._used = True
        else:
            shutil.copyfile(path, env.db)
        return value
    value = build(env)
    if key in _TEMPLATES:
        return value
    if env.pg:
        name = "extsvc_tmpl_%d_%d" % (os.getpid(), len(_TEMPLATES))
        psql('CREATE DATABASE "%s" TEMPLATE "%s"' % (name, env.pg))
        _TEMPLATES[key] = (name, value)
    elif not [f for f in os.listdir(env.dir) if f.endswith("-wal")]:
        keep = tempfile.mkdtemp(prefix="extsvc-template-")
        path = os.path.join(keep, "template.db")
        shutil.copyfile(env.db, path)
        _TEMPLATES[key] = (path, value)
    return value


def setup_db(env, users=USERS):
    """init a database and add `users` (bootstrap: no --as); built once per
    test file and set of users (from_template)."""
    def build(e):
        e.ok("init")
        for login, (name, dept, roles) in users.items():
            e.ok("user", "add", login, "--name", name, "--dept", dept, "--role", roles)
    from_template(env, ("setup_db",) + tuple(sorted(users.items())), build)
    return env


def document(name="Microsoft Teams", function="Web会議", provider="日本マイクロソフト株式会社",
             confidentiality="2", integrity="2", availability="1",
             period=("2026-04-01", "2027-03-31"), purpose="庁外関係者とのWeb会議",
             scope="部局内に限る", requirements="all-met", risks="all-accept",
             procurement=True, category=None, conditions=None,
             applicant=("申請書に書いた課", "申請書 記載者")):
    """A request document; by default an approvable one (every requirement of
    the 28 met, every one of the 12 risks accepted, procurement recorded)."""
    d = {
        "service": {"name": name, "function": function, "provider": provider},
        "purpose": purpose,
        "classification": {"confidentiality": confidentiality, "integrity": integrity,
                           "availability": availability},
        "period": {"from": period[0], "to": period[1]},
        "scope": scope,
    }
    if applicant is not None:
        d["applicant"] = {"department": applicant[0], "name": applicant[1]}
    if category:
        d["service"]["category"] = category
    if requirements == "all-met":
        d["requirements"] = {str(n): {"status": "met", "evidence": "確認済み %d" % n}
                             for n in range(1, 29)}
    elif requirements is not None:
        d["requirements"] = requirements
    if risks == "all-accept":
        d["risks"] = {str(n): {"decision": "accept"} for n in range(1, 13)}
    elif risks is not None:
        d["risks"] = risks
    if procurement:
        d["procurement"] = {"approval_ref": "総務第123号", "approved_on": "2026-02-01",
                            "vendor_decided_on": "2026-02-15"}
    if conditions is not None:
        d["conditions"] = conditions
    return d


def counts(env):
    """(requests, ledger entries incl. expired and retired, audit records)."""
    req = env.ok("request", "list", "--json").json()
    led = env.ok("ledger", "list", "--all", "--json").json()
    aud = env.ok("audit", "list", "--json").json()
    return (len(req["requests"]), led["total"], len(aud["records"]))


def assert_error_line(r, code):
    """An error: the documented exit status and one line on stderr starting
    'extsvc: '."""
    assert r.code == code, "expected exit %d: %r" % (code, r)
    lines = r.err.strip("\n").split("\n")
    assert r.err.startswith("extsvc: "), "stderr must start 'extsvc: ': %r" % r
    assert len(lines) == 1, "error must be one line: %r" % r
    assert len(lines[0]) > len("extsvc: ") + 3, "error says nothing: %r" % r


def new_request(env, doc=None, as_="mgr", carry_over=False):
    """Store a draft; returns its id."""
    args = ["request", "new", "--as", as_, "--json"] + (["--carry-over"] if carry_over else [])
    r = env.ok(*(args + ["-"]), input=doc if doc is not None else document())
    return r.json()["id"]


def step(env, action, rid, as_, comment=None):
    args = ["request", action, "--as", as_, rid]
    if comment is not None:
        args += ["--comment", comment]
    return env.run(*args)


def show(env, rid):
    return env.ok("request", "show", rid, "--json").json()


def consult_conclude(env, rid, manager="mgr", approver="appr2"):
    """事前協議 (standard 5(2)①, CONTRACT.md section 5): `manager` consults on
    request `rid`, `approver` concludes it; the request is then `consulted`,
    and a new request may be submitted."""
    env.ok("request", "consult", "--as", manager, rid, "--comment", "事前協議をお願いします")
    env.ok("request", "conclude", "--as", approver, rid, "--comment", "協議済みとします")


def other_approver(approver):
    """An approver to conclude the consultation of a request `approver` is to
    decide: never the same one, so that a test of separation of duties does
    not rest on who concluded."""
    return "appr" if approver == "appr2" else "appr2"


def approve_new(env, doc=None, manager="mgr", approver="appr"):
    """File a new request, hold and conclude its 事前協議 (concluded by an
    approver other than `approver`), submit and approve it; returns
    (request id, entry id)."""
    rid = new_request(env, doc, as_=manager)
    consult_conclude(env, rid, manager, other_approver(approver))
    env.ok("request", "submit", "--as", manager, rid)
    env.ok("request", "approve", "--as", approver, rid)
    entry = show(env, rid)["entry_id"]
    assert isinstance(entry, int), "an approved new request names its ledger entry"
    return rid, entry


def selected(namespace):
    """The test_* functions of a module, in order; EXTSVC_TEST_ONLY=a,b (a
    comma-separated list of names or parts of names) narrows them, by hand."""
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    only = [o for o in os.environ.get("EXTSVC_TEST_ONLY", "").split(",") if o]
    return [(n, f) for n, f in tests if not only or any(o in n for o in only)]


def run(namespace):
    tests = selected(namespace)
    # Stopped by `meson test` (a timeout): leave through SystemExit, so that
    # the test's directory and the templates are removed all the same.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print("1..%d" % len(tests))
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        env = Env()
        try:
            fn(env)
            print("ok %d - %s" % (i, name))
        except Skip as s:
            print("ok %d - %s # SKIP %s" % (i, name, s.reason))
        except Exception:  # noqa: BLE001 - every failure is reported, not raised
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        finally:
            env.close()
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
