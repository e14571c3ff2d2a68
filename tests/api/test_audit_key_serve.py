"""`extsvc serve` and the audit key (issue 9, findings 8 and 9): the server
will not start without its key or with one others can read, reads the key's
place from its configuration, and writes the audit log's head to syslog and
to its log each day it runs, for the city to keep outside the database."""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import BIN, free_port, run  # noqa: E402


def serve_refused(env, extra_env, *args):
    """Start the server; it must exit (not listen) within 20 s. The result."""
    e = dict(os.environ, **extra_env)
    p = subprocess.run([BIN, "--db", env.db, "serve", "--listen", "127.0.0.1:%d" % free_port()]
                       + list(args), capture_output=True, env=e, timeout=20)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def test_the_head_is_logged_when_the_server_starts(env):
    env.ok("demo")
    head = env.ok("audit", "head").out.strip()
    env.start()
    deadline = time.time() + 10
    lines = []
    while time.time() < deadline:
        with open(env.log_path, encoding="utf-8") as f:
            lines = [json.loads(l) for l in f if l.strip()]
        if any(l.get("event") == "audit-head" for l in lines):
            break
        time.sleep(0.1)
    logged = [l for l in lines if l.get("event") == "audit-head"]
    assert len(logged) == 1, lines
    assert logged[0]["head"] == head, (logged, head)
    assert logged[0]["at"][:4] == time.strftime("%Y"), logged
    # What it logs verifies against the database later.
    env.ok("audit", "verify", "--head", logged[0]["head"])
    env.stop()


def test_no_start_without_the_key(env):
    env.ok("demo")
    missing = env.path("missing.key")
    code, err = serve_refused(env, {"EXTSVC_AUDIT_KEY": missing})
    assert code == 3, (code, err)
    assert "missing.key" in err and "がありません" in err, err


def test_no_start_with_a_key_others_can_read(env):
    env.ok("demo")
    readable = env.path("readable.key")
    shutil.copy(os.environ["EXTSVC_AUDIT_KEY"], readable)
    os.chmod(readable, 0o644)
    code, err = serve_refused(env, {"EXTSVC_AUDIT_KEY": readable})
    assert code == 3, (code, err)
    assert "chmod 600" in err, err


def test_the_key_file_is_read_from_the_configuration(env):
    env.ok("demo")
    kept = env.path("etc-audit.key")
    shutil.copy(os.environ["EXTSVC_AUDIT_KEY"], kept)
    os.chmod(kept, 0o600)
    ini = env.path("extsvc.ini")
    with open(ini, "w") as f:
        f.write("[audit]\nkey_file = %s\n" % kept)
    # Without it (no environment setting, no key beside a SQLite file, no
    # default for PostgreSQL) the server does not start; with it, it does.
    code, err = serve_refused(env, {"EXTSVC_AUDIT_KEY": env.path("nowhere.key")}, "--check")
    assert code == 3, (code, err)
    p = subprocess.run([BIN, "--db", env.db, "serve", "--config", ini, "--check"],
                       capture_output=True, env=dict(os.environ, EXTSVC_AUDIT_KEY=""), timeout=20)
    assert p.returncode == 0, p.stderr.decode()
    os.chmod(kept, 0o604)
    p = subprocess.run([BIN, "--db", env.db, "serve", "--config", ini, "--check"],
                       capture_output=True, env=dict(os.environ, EXTSVC_AUDIT_KEY=""), timeout=20)
    assert p.returncode == 3 and "chmod 600" in p.stderr.decode(), p


run(globals())
