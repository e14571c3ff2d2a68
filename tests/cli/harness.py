"""A small harness for the scenario tests: run extsvc on a temporary
database and report each test function as one TAP line.

Each test file defines functions named test_*; `run(globals())` runs them in
order, each with a fresh `Env` (its own directory and database), and prints
TAP. Only the standard library is used.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

BIN = os.environ.get("EXTSVC_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "extsvc")
SOURCE = os.environ.get("EXTSVC_SOURCE") or os.path.join(os.path.dirname(__file__), "..", "..")


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


class Env:
    """A temporary directory with its own database."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="extsvc-test-")
        self.db = os.path.join(self.dir, "extsvc.db")

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *args, input=None, env=None, db=True):
        """Run extsvc with --db (unless db=False) and return a Result."""
        cmd = [BIN] + (["--db", self.db] if db else []) + [str(a) for a in args]
        e = dict(os.environ)
        if env:
            e.update(env)
        if isinstance(input, (dict, list)):
            input = json.dumps(input, ensure_ascii=False)
        if isinstance(input, str):
            input = input.encode("utf-8")
        proc = subprocess.run(cmd, input=input, capture_output=True, env=e, timeout=120)
        return Result(type("P", (), {
            "returncode": proc.returncode,
            "stdout": proc.stdout.decode("utf-8", "replace"),
            "stderr": proc.stderr.decode("utf-8", "replace")}))

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.code == 0, "expected success: %s %r" % (args, r)
        return r

    def write(self, name, data):
        p = self.path(name)
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(p, mode) as f:
            if isinstance(data, (dict, list)):
                json.dump(data, f, ensure_ascii=False)
            else:
                f.write(data)
        return p


def run(namespace):
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
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
