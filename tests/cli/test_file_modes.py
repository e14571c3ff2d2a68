"""The database file and the files SQLite makes beside it (-wal, -shm) are
created readable by the program's user alone (0600), whatever the umask
(issue 9, finding 9): they hold every request, session and token hash.
"""
import os
import sqlite3
import stat

from harness import run


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_init_and_demo_create_the_database_0600(env):
    env.sqlite_only("ファイルの権限")
    old = os.umask(0o022)
    try:
        env.ok("init")
        assert mode(env.db) == 0o600, oct(mode(env.db))
        other = env.path("demo.db")
        env.ok("--db", other, "demo", db=False)
        assert mode(other) == 0o600, oct(mode(other))
        # While the database is open, its WAL and the WAL's index lie
        # beside it: SQLite makes them with the file's mode, 0600.
        con = sqlite3.connect(other)
        try:
            assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            con.execute("SELECT count(*) FROM users").fetchone()
            for p in (other + "-wal", other + "-shm"):
                assert os.path.exists(p), p
                assert mode(p) == 0o600, (p, oct(mode(p)))
        finally:
            con.close()
    finally:
        os.umask(old)


def test_an_existing_file_keeps_its_mode(env):
    """init on a file the administrator made keeps their choice."""
    env.sqlite_only("ファイルの権限")
    open(env.db, "wb").close()
    os.chmod(env.db, 0o640)
    env.ok("init")
    assert mode(env.db) == 0o640, oct(mode(env.db))


run(globals())
