"""Bad input and a bad database (issue 2, "Bad input and faults"; CONTRACT.md
section 1): a clear one-line `extsvc: ` error, the documented exit status,
and nothing changed."""
import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import (BIN, DATA, approve_new, assert_error_line, consult_conclude, counts,  # noqa: E402
                     document, from_template, new_request, run, setup_db, show, skip)

MiB = 1 << 20
CATALOGUE_2024 = os.path.join(DATA, "catalogue-2024.json")


def refused_unchanged(env, r, code, before):
    assert_error_line(r, code)
    assert counts(env) == before, "something was written: %r" % r


def ready(env):
    """A database with a draft, a submitted request and a ledger entry (built
    once, then copied for each test: from_template)."""
    def build(e):
        setup_db(e)
        draft = new_request(e)
        sub = new_request(e, document(name="Zoom", function="", provider="ZVC"))
        consult_conclude(e, sub)
        e.ok("request", "submit", "--as", "mgr", sub)
        _, entry = approve_new(e, document(name="Box", function="", provider="Box Inc."))
        return draft, sub, entry, counts(e)
    return from_template(env, "ready", build)


def writes_of_a_document(env, draft):
    """The commands that take a request document, as (args...) with '-'."""
    return [("request", "new", "--as", "mgr", "-"),
            ("request", "update", "--as", "mgr", draft, "-")]


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_malformed_json(env):
    draft, _, _, before = ready(env)
    doc_before = show(env, draft)["document"]
    for bad in ('{"service": {"name": "Teams"', '{"purpose": "a",}', "not json", "",
                '{"purpose": "a"} {"purpose": "b"}', '{"purpose": "a", "purpose": "b"}'):
        for args in writes_of_a_document(env, draft):
            refused_unchanged(env, env.run(*args, input=bad), 2, before)
        r = env.run("check", "-", input=bad)
        assert_error_line(r, 2)
    assert show(env, draft)["document"] == doc_before


def test_a_document_that_is_not_an_object(env):
    draft, _, _, before = ready(env)
    for bad in ("[]", '"text"', "42", "null"):
        for args in writes_of_a_document(env, draft):
            refused_unchanged(env, env.run(*args, input=bad), 2, before)


def test_invalid_utf8(env):
    draft, sub, _, before = ready(env)
    text = json.dumps(document(purpose="PLACEHOLDER"), ensure_ascii=False).encode("utf-8")
    for junk in (b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xe6\x97"):  # incl. a surrogate
        bad = text.replace(b"PLACEHOLDER", b"Web" + junk + b"meeting")
        for args in writes_of_a_document(env, draft):
            refused_unchanged(env, env.run(*args, input=bad), 2, before)
        path = env.write("bad.json", bad)
        refused_unchanged(env, env.run("request", "new", "--as", "mgr", path), 2, before)
        assert_error_line(env.run("check", path), 2)
    # A comment too.
    r = env.run("request", "return", "--as", "appr", sub, "--comment", b"bad \xff comment")
    refused_unchanged(env, r, 2, before)
    assert show(env, sub)["state"] == "submitted"


def test_a_document_over_1_MiB(env):
    draft, _, _, before = ready(env)
    base = json.dumps(document(), ensure_ascii=False).encode("utf-8")
    # Exactly 1 MiB (padded with JSON whitespace) is still a document...
    exact = base[:-1] + b" " * (MiB - len(base)) + b"}"
    assert len(exact) == MiB
    # ...one byte more is not.
    over = base[:-1] + b" " * (MiB - len(base) + 1) + b"}"
    big = json.dumps(document(purpose="会議" * MiB), ensure_ascii=False).encode("utf-8")
    for doc in (over, big):
        for args in writes_of_a_document(env, draft):
            refused_unchanged(env, env.run(*args, input=doc), 2, before)
        path = env.write("big.json", doc)
        refused_unchanged(env, env.run("request", "new", "--as", "mgr", path), 2, before)
        r = env.run("check", path)
        assert_error_line(r, 2)
        assert r.out == "", r
    r = env.run("check", "-", input=exact)
    assert r.code == 0 and r.json()["approvable"] is True, r
    r = env.run("request", "new", "--as", "mgr", "--json", "-", input=exact)
    assert r.code == 0, "a document of exactly 1 MiB is accepted: %r" % r


def test_unknown_top_level_key(env):
    draft, _, _, before = ready(env)
    for key in ("comment", "Purpose", "requirement", "applicant_name"):
        doc = document()
        doc[key] = "x"
        for args in writes_of_a_document(env, draft):
            r = env.run(*args, input=doc)
            refused_unchanged(env, r, 2, before)
            assert key in r.err, "the error names the key %r: %r" % (key, r)
        assert_error_line(env.run("check", "-", input=doc), 2)


def test_unknown_item_number(env):
    draft, _, _, before = ready(env)
    for no in ("29", "0", "-1", "01", "1.0", "abc", ""):
        doc = document()
        doc["requirements"][no] = {"status": "met"}
        for args in writes_of_a_document(env, draft):
            refused_unchanged(env, env.run(*args, input=doc), 2, before)
        assert_error_line(env.run("check", "-", input=doc), 2)
    for no in ("13", "0", "x"):
        doc = document(confidentiality="1")
        doc["risks"][no] = {"decision": "accept"}
        refused_unchanged(env, env.run("request", "new", "--as", "mgr", "-", input=doc), 2, before)
        assert_error_line(env.run("check", "-", input=doc), 2)


def test_unknown_level(env):
    draft, _, _, before = ready(env)
    for axis, level in (("confidentiality", "4"), ("confidentiality", "3A"),
                        ("confidentiality", "０"), ("integrity", "3"), ("availability", "high")):
        doc = document()
        doc["classification"][axis] = level
        for args in writes_of_a_document(env, draft):
            refused_unchanged(env, env.run(*args, input=doc), 2, before)
        assert_error_line(env.run("check", "-", input=doc), 2)


def test_unknown_status_or_decision(env):
    draft, _, _, before = ready(env)
    for status in ("yes", "MET", "n/a", ""):
        doc = document()
        doc["requirements"]["9"] = {"status": status}
        for args in writes_of_a_document(env, draft):
            refused_unchanged(env, env.run(*args, input=doc), 2, before)
        assert_error_line(env.run("check", "-", input=doc), 2)
    doc = document(conditions=[{"text": "録画しない", "status": "done"}])
    refused_unchanged(env, env.run("request", "new", "--as", "mgr", "-", input=doc), 2, before)
    for decision in ("ignore", "Accept", "transfer"):
        doc = document(confidentiality="1")
        doc["risks"]["4"] = {"decision": decision}
        for args in writes_of_a_document(env, draft):
            refused_unchanged(env, env.run(*args, input=doc), 2, before)
        assert_error_line(env.run("check", "-", input=doc), 2)


def test_a_date_that_does_not_exist_in_request_new(env):
    draft, _, _, before = ready(env)
    for period in (("2026-02-30", "2027-03-31"), ("2026-04-01", "2027-02-29"),
                   ("2026-04-01", "2026-13-01"), ("2026-4-1", "2027-03-31"),
                   ("2026-04-31", "2027-03-31")):
        for args in writes_of_a_document(env, draft):
            r = env.run(*args, input=document(period=period))
            refused_unchanged(env, r, 2, before)
    assert show(env, draft)["document"]["period"] == {"from": "2026-04-01", "to": "2027-03-31"}
    # 2028-02-29 exists.
    new_request(env, document(period=("2026-04-01", "2028-02-29")))


def test_a_date_that_does_not_exist_in_ledger_extend_and_retire(env):
    _, _, entry, before = ready(env)
    # (2028-3-31 is a date as people write one, like 2028/3/31 and R10.3.31.)
    for bad in ("2027-02-30", "2027-02-29", "2028-13-01", "令和元年4月30日", "R9.2.29", "tomorrow",
                ""):
        refused_unchanged(env, env.run("ledger", "extend", "--as", "mgr", entry, "--to", bad),
                          2, before)
        refused_unchanged(env, env.run("ledger", "retire", "--as", "mgr", entry, "--on", bad),
                          2, before)
    e = env.json("ledger", "show", entry, "--json")
    assert e["period"]["to"] == "2027-03-31" and e["state"] == "active", e


MISSING_DB_ATTEMPTS = [("request", "list"), ("request", "list", "--json"), ("ledger", "list"),
                ("ledger", "list", "--csv"), ("ledger", "show", "1"), ("request", "show", "1"),
                ("request", "new", "--as", "mgr", "-"), ("request", "approve", "--as", "a", "1"),
                ("user", "add", "root", "--name", "管理", "--dept", "情報政策課", "--role", "admin"),
                ("audit", "verify"), ("audit", "list"),
                ("catalogue", "load", "--as", "ciso", CATALOGUE_2024)]


def test_a_missing_database(env):
    if env.pg:
        return missing_postgresql_database(env)
    assert not os.path.exists(env.db)
    attempts = MISSING_DB_ATTEMPTS
    for args in attempts:
        r = env.run(*args, input=document())
        assert_error_line(r, 3)
        assert not os.path.exists(env.db), "a database was created by %s" % (args,)
    # The default place, from $EXTSVC_DB.
    r = env.run("request", "list", db=False, env={"EXTSVC_DB": env.db})
    assert_error_line(r, 3)
    assert not os.path.exists(env.db)
    assert os.listdir(env.dir) == [], os.listdir(env.dir)
    # init creates it.
    env.ok("init")
    assert os.path.exists(env.db)


def pg_tables(env):
    return [t for (t,) in env.connect().execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename")]


def missing_postgresql_database(env):
    """PostgreSQL: a database the server does not have, then one its
    administrator made but init has not filled: one line, exit 3, nothing
    made by anything but init."""
    import urllib.parse
    absent = urllib.parse.urlsplit(env.db)._replace(path="/no_such_database").geturl()
    for args in MISSING_DB_ATTEMPTS + [("init",)]:
        r = env.run("--db", absent, *args, input=document(), db=False)
        assert_error_line(r, 3)
        assert "no_such_database" in r.err and "ありません" in r.err, r
        assert "extsvc:" in r.err and absent.split("@")[0].split(":")[-1] not in r.err, \
            "the password is never shown: %r" % r
    for args in MISSING_DB_ATTEMPTS:
        r = env.run(*args, input=document())
        assert_error_line(r, 3)
        assert "init" in r.err, "the message says to run init: %r" % r
        assert pg_tables(env) == [], "a table was created by %s" % (args,)
    r = env.run("request", "list", db=False, env={"EXTSVC_DB": env.db})
    assert_error_line(r, 3)
    # A wrong password, a host where nothing listens: one line, exit 3, for
    # the CLI and for serve, which does not start.
    parts = urllib.parse.urlsplit(env.db)
    wrong = parts._replace(netloc="%s:wrong-password@%s:%d" % (
        parts.username, parts.hostname, parts.port)).geturl()
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed_port = s.getsockname()[1]
    s.close()
    nobody = parts._replace(netloc="%s@127.0.0.1:%d" % (parts.username, closed_port)).geturl()
    for url, says in ((wrong, "パスワード"), (nobody, "接続できません")):
        for args in (("request", "list"), ("init",),
                     ("serve", "--listen", "127.0.0.1:%d" % closed_port)):
            r = env.run("--db", url, *args, db=False)
            assert_error_line(r, 3)
            assert says in r.err and "wrong-password" not in r.err, r
    env.ok("init")
    assert "audit_log" in pg_tables(env)


@contextlib.contextmanager
def pg_read_only(env):
    """PostgreSQL: the database read-only as on a hot standby
    (default_transaction_read_only, set from another database)."""
    from harness import psql
    psql('ALTER DATABASE "%s" SET default_transaction_read_only = on' % env.pg)
    try:
        yield env.db
    finally:
        psql('ALTER DATABASE "%s" RESET default_transaction_read_only' % env.pg)


@contextlib.contextmanager
def read_only(env):
    """The database's directory, made read-only for extsvc: chmod where that
    binds (not root), else a read-only bind mount (root); on PostgreSQL, a
    read-only database."""
    if env.pg:
        with pg_read_only(env) as db:
            yield db
        return
    if os.geteuid() != 0:
        os.chmod(env.db, 0o444)
        os.chmod(env.dir, 0o555)
        try:
            yield env.db
        finally:
            os.chmod(env.dir, 0o755)
            os.chmod(env.db, 0o644)
        return
    mnt = tempfile.mkdtemp(prefix="extsvc-ro-")
    try:
        for cmd in (["mount", "--bind", env.dir, mnt], ["mount", "-o", "remount,ro,bind", mnt]):
            p = subprocess.run(cmd, capture_output=True)
            if p.returncode != 0:
                subprocess.run(["umount", mnt], capture_output=True)
                skip("running as root, where chmod does not stop writes, and a read-only bind "
                     "mount is not possible here: %s" % p.stderr.decode(errors="replace").strip())
        try:
            probe = os.path.join(mnt, "probe")
            try:
                open(probe, "w").close()
            except OSError:
                pass
            else:
                os.unlink(probe)
                skip("the read-only bind mount is writable")
            yield os.path.join(mnt, os.path.basename(env.db))
        finally:
            subprocess.run(["umount", mnt], capture_output=True)
    finally:
        os.rmdir(mnt)


def test_a_read_only_database(env):
    draft, sub, entry, before = ready(env)
    digest = env.digest()
    with read_only(env) as db:
        attempts = [("request", "new", "--as", "mgr", "-"),
                    ("request", "consult", "--as", "mgr", draft),
                    ("request", "approve", "--as", "appr", sub),
                    ("ledger", "extend", "--as", "mgr", entry, "--to", "2029-03-31"),
                    ("user", "add", "newcomer", "--name", "新人", "--dept", "課", "--role", "staff"),
                    ("init",)]
        for args in attempts:
            r = env.run("--db", db, *args, input=document(), db=False)
            assert_error_line(r, 3)
            low = r.err.lower()
            assert ("読み取り専用" in r.err or "書き込め" in r.err or "read-only" in low
                    or "readonly" in low), "the error says the database is read-only: %r" % r
    assert env.digest() == digest
    assert counts(env) == before
    assert show(env, draft)["state"] == "draft" and show(env, sub)["state"] == "submitted"


def test_a_database_from_a_newer_version(env):
    setup_db(env)
    new_request(env)
    con = env.connect()
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    digest = env.digest()
    for args in (("request", "list"), ("ledger", "list", "--json"),
                 ("request", "new", "--as", "mgr", "-"), ("request", "submit", "--as", "mgr", "1"),
                 ("user", "add", "x", "--name", "n", "--dept", "d", "--role", "staff"),
                 ("audit", "verify"), ("init",)):
        r = env.run(*args, input=document())
        assert_error_line(r, 3)
        assert "999" in r.err or "新しい" in r.err or "newer" in r.err.lower(), \
            "the message says why: %r" % r
    assert env.digest() == digest, "the newer database was changed"
    con = env.connect()
    value = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert str(value) == "999", value
    con.close()


def test_the_schema_refuses_a_kind_or_state_it_does_not_know(env):
    """Behind the program's back, the database itself keeps requests and
    ledger versions to the kinds and states there are (SQLite's CHECKs were
    rewritten from IN lists to comparisons in schema 16: the same values
    pass)."""
    setup_db(env)
    approve_new(env)
    con = env.connect()
    for sql in ("UPDATE requests SET state = 'approved_by_me' WHERE id = 1",
                "UPDATE requests SET state = 'Draft' WHERE id = 1",
                "UPDATE requests SET kind = 'renew' WHERE id = 1",
                "UPDATE ledger_versions SET kind = 'extend' WHERE request_id = 1"):
        try:
            con.execute(sql)
        except Exception as err:  # sqlite3.IntegrityError, or psql's error
            assert "check constraint" in str(err).lower(), (sql, err)
        else:
            raise AssertionError("accepted: " + sql)
    for state in ("draft", "consulting", "consulted", "submitted", "approved", "rejected",
                  "returned", "withdrawn"):
        con.execute("UPDATE requests SET state = '%s' WHERE id = 1" % state)
    for kind in ("new", "change", "retire"):
        con.execute("UPDATE ledger_versions SET kind = '%s' WHERE request_id = 1" % kind)
    con.close()


def test_a_file_that_is_not_a_database(env):
    if env.pg:
        return another_applications_database(env)
    content = "台帳メモ: これは SQLite のデータベースではありません\n" * 200
    env.write("extsvc.db", content)
    digest = file_digest(env.db)
    for args in (("request", "list"), ("ledger", "list", "--csv"),
                 ("request", "new", "--as", "mgr", "-"),
                 ("user", "add", "x", "--name", "n", "--dept", "d", "--role", "admin"),
                 ("audit", "verify"), ("init",)):
        r = env.run(*args, input=document())
        assert_error_line(r, 3)
    assert file_digest(env.db) == digest, "the file was changed"
    # An empty SQLite database (not extsvc's) is refused too, but init may
    # make it one.
    os.unlink(env.db)
    sqlite3.connect(env.db).close()
    r = env.run("request", "list")
    assert_error_line(r, 3)


def another_applications_database(env):
    """PostgreSQL: a database that holds another application's tables (the
    wrong name in the URL): refused, one line, exit 3, nothing added."""
    con = env.connect()
    con.execute("CREATE TABLE memo (id integer PRIMARY KEY, body text)")
    con.execute("INSERT INTO memo VALUES (1, '台帳メモ')")
    digest, tables = env.digest(), pg_tables(env)
    for args in (("request", "list"), ("ledger", "list", "--csv"),
                 ("request", "new", "--as", "mgr", "-"),
                 ("user", "add", "x", "--name", "n", "--dept", "d", "--role", "admin"),
                 ("audit", "verify"), ("catalogue", "show"), ("check", "-")):
        r = env.run(*args, input=document())
        assert_error_line(r, 3)
    assert env.digest() == digest and pg_tables(env) == tables, "the database was changed"


def test_unknown_command_or_option(env):
    draft, sub, _, before = ready(env)
    for args in (("frobnicate",), ("request", "frobnicate", "1"), ("ledger", "purge"),
                 ("request", "list", "--frobnicate"), ("--frobnicate", "request", "list"),
                 ("request", "approve", "--as", "appr", sub, "--force"),
                 ("request", "approve", "--as", "appr"), ("request", "approve", "--as", "appr", "x"),
                 ("request", "approve", "--as", "appr", sub, "extra"),
                 ("request", "approve", sub), ("ledger", "list", "--csv", "--json"),
                 ("request", "list", "--state", "pending"), ("user", "add", "x", "--role", "staff"),
                 ("user", "add", "x", "--name", "n", "--dept", "d", "--role", "king"),
                 ("ledger", "extend", "--as", "mgr", "1")):
        r = env.run(*args)
        assert r.code == 2, "expected exit 2: %s %r" % (args, r)
        assert r.err.startswith("extsvc: "), r
        assert r.out == "", r
        assert counts(env) == before, r
    assert show(env, sub)["state"] == "submitted"


def test_unknown_subcommand_is_a_one_line_error_naming_it(env):
    setup_db(env)
    for args in (("request", "frobnicate", "1"), ("ledger", "purge"), ("frobnicate",)):
        r = env.run(*args)
        assert_error_line(r, 2)
        assert args[-2 if args[-1] == "1" else -1] in r.err, \
            "the error names the unknown word: %r" % r


CONTRACT_COMMANDS = [
    ("init",), ("user", "add"), ("catalogue", "show"), ("catalogue", "load"), ("check",),
    ("request", "new"), ("request", "update"), ("request", "show"), ("request", "list"),
    ("request", "consult"), ("request", "conclude"), ("request", "submit"), ("request", "withdraw"),
    ("request", "approve"), ("request", "reject"), ("request", "return"),
    ("ledger", "list"), ("ledger", "show"), ("ledger", "extend"), ("ledger", "retire"),
    ("token", "create"), ("audit", "list"), ("audit", "verify"), ("serve",)]


def test_help_for_every_command(env):
    overview = env.ok("--help").out
    for words in CONTRACT_COMMANDS:
        assert " ".join(words) in overview, "%s missing from --help" % (words,)
        r = env.run(*(words + ("--help",)))
        assert r.code == 0 and r.out.strip(), (words, r)
        assert " ".join(words) in r.out, (words, r)
    assert not os.path.exists(env.db), "--help touched the database"


def test_acting_as_an_unknown_user(env):
    draft, sub, entry, before = ready(env)
    for args in (("request", "new", "--as", "ghost", "-"),
                 ("request", "submit", "--as", "ghost", draft),
                 ("request", "approve", "--as", "ghost", sub),
                 ("ledger", "extend", "--as", "ghost", entry, "--to", "2029-03-31"),
                 ("catalogue", "load", "--as", "ghost", CATALOGUE_2024),
                 ("user", "add", "x", "--name", "n", "--dept", "d", "--role", "admin",
                  "--as", "ghost")):
        r = env.run(*args, input=document())
        assert r.code in (1, 2), "an unknown user is refused: %r" % r
        refused_unchanged(env, r, r.code, before)
        assert "ghost" in r.err, "the error names the login: %r" % r
    assert show(env, draft)["state"] == "draft" and show(env, sub)["state"] == "submitted"


def test_no_such_request_or_entry(env):
    _, _, entry, before = ready(env)
    for args in (("request", "show", "999"), ("request", "approve", "--as", "appr", "999"),
                 ("request", "update", "--as", "mgr", "999", "-"),
                 ("ledger", "show", "999"),
                 ("ledger", "extend", "--as", "mgr", "999", "--to", "2029-03-31")):
        r = env.run(*args, input=document())
        assert r.code in (1, 2), r
        refused_unchanged(env, r, r.code, before)
        assert "999" in r.err, r



def test_output_that_cannot_be_written_is_a_failure(env):
    """A CSV or JSON that does not reach its file (disk full) exits 3."""
    setup_db(env)
    if not os.path.exists("/dev/full"):
        skip("no /dev/full here")
    for args in (["ledger", "list", "--all", "--csv"], ["catalogue", "show", "--json"]):
        with open("/dev/full", "w") as full:
            import subprocess
            p = subprocess.run([BIN, "--db", env.db] + args, stdout=full, stderr=subprocess.PIPE)
        assert p.returncode == 3, (args, p.returncode, p.stderr)
        assert p.stderr.decode().startswith("extsvc: "), p.stderr


def test_a_search_term_with_control_characters_is_refused(env):
    setup_db(env)
    for q in ("\x1f", "Teams\x1fWeb", "a\tb"):
        r = env.run("ledger", "list", "--q", q)
        assert_error_line(r, 2)
    assert env.ok("ledger", "list", "--q", "   ", "--json").json()["total"] == 0  # blank: no filter

run(globals())
