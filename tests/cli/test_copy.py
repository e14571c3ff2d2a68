"""`extsvc copy --from SOURCE --to TARGET` (issue 8, "Moving a city's
data"): everything moves with its numbers, in one transaction on the
target, which must be empty; `audit verify` passes on the copy and
`ledger list --csv` is byte-identical. On the PostgreSQL suite the copy
goes SQLite -> PostgreSQL -> SQLite; on the SQLite suite file -> file.
"""
import os
import sqlite3
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import (DATA, PG_URL, Env, approve_new, assert_error_line, consult_conclude, document,  # noqa: E402
                     from_template, new_request, run, setup_db, show, skip)

CATALOGUE_2024 = os.path.join(DATA, "catalogue-2024.json")


class SqliteFile(Env):
    """A SQLite database beside an Env's, for the other end of a copy: the
    same run/ok/json, in the Env's directory (removed with it)."""

    def __init__(self, env, name):  # noqa: super().__init__ would make a database
        self.dir, self.db, self.pg, self._used = env.dir, env.path(name), None, False

    def close(self):
        pass


def a_city(env):
    """A database with a bit of everything: users and tokens, two catalogue
    versions, requests in every state with comments, entries extended,
    changed and retired, and the audit log of it all."""
    def build(e):
        setup_db(e)
        e.ok("token", "create", "--as", "mgr")
        _, teams = approve_new(e)
        _, deepl = approve_new(e, document(name="DeepL 翻訳", function="翻訳", provider="DeepL SE",
                                           purpose="文書の翻訳（\\\\fs01\\共有 の原稿）"))
        e.ok("ledger", "extend", "--as", "mgr", teams, "--to", "2028-03-31")
        ext = e.ok("request", "list", "--json").json()["requests"][-1]["id"]
        e.ok("request", "submit", "--as", "mgr", ext)
        e.ok("request", "approve", "--as", "appr", ext)
        e.ok("ledger", "retire", "--as", "mgr", deepl, "--on", "2026-06-30")
        ret = e.ok("request", "list", "--json").json()["requests"][-1]["id"]
        e.ok("request", "submit", "--as", "mgr", ret)
        e.ok("request", "approve", "--as", "appr", ret)
        draft = new_request(e, document(name="Zoom", function="", provider="ZVC"))
        e.ok("request", "comment", "--as", "appr", draft, "--comment", "項番17 を確認してください")
        # Characters a bulk format must escape: tab, newline, CR, backslash.
        e.ok("request", "comment", "--as", "appr", draft, "--comment",
             "列1\t列2\n2行目\r\n\\共有\\フォルダ \\N \\t")
        consult_conclude(e, new_request(e, document(name="Box", function="", provider="Box Inc.")))
        # An old ledger's rows: their requests share one stored evaluation.
        old = e.write("旧台帳.csv", "サービス名,事業者名,利用目的,機密性,利用期間,担当課,申請者,利用範囲\r\n"
                      "旧グループウェア,旧社,庁内の連絡,2,2024/4/1～2027/3/31,総務部 総務課,山田 太郎,課内\r\n"
                      "旧ファイル共有,旧社,資料の共有,2,R6.4.1-R9.3.31,総務部 総務課,山田 太郎,課内\r\n")
        e.ok("ledger", "import", "--as", "appr", old)
        e.ok("catalogue", "load", "--as", "ciso", CATALOGUE_2024)
        return {"teams": teams, "deepl": deepl, "draft": draft}
    return from_template(env, "a_city", build)


def everything(target):
    """What a user can read, through the program, from a database."""
    out = {
        "csv": target.run("ledger", "list", "--all", "--csv").raw,
        "ledger": target.json("ledger", "list", "--all", "--json"),
        "requests": target.json("request", "list", "--json"),
        "users": target.json("user", "list", "--json"),
        "catalogues": target.json("catalogue", "list", "--json"),
        "search": [target.json("ledger", "list", "--all", "--json", "--q", q)
                   for q in ("翻訳", "会議", "teams", "ＴＥＡＭＳ")],
    }
    for entry in out["ledger"]["entries"]:
        out["entry %d" % entry["id"]] = target.json("ledger", "show", entry["id"], "--json")
    for req in out["requests"]["requests"]:
        out["request %d" % req["id"]] = target.json("request", "show", req["id"], "--json")
    return out


def audit(target):
    return target.json("audit", "list", "--json")["records"]


def test_a_city_moves_and_comes_back_the_same(env):
    ids = a_city(env)
    # The source: the Env's database on the SQLite suite; a SQLite file made
    # from it on the PostgreSQL suite, so that the copy goes SQLite -> PG.
    source = env
    if env.pg:
        source = SqliteFile(env, "city.db")
        source.ok("copy", "--from", env.db, "--to", source.db)
    middle = Env()  # the suite's backend
    try:
        moves_and_comes_back(env, source, middle, ids)
    finally:
        middle.close()


def moves_and_comes_back(env, source, middle, ids):
    before = everything(source)
    source_audit = audit(source)
    assert before["csv"].count(b"\n") >= 3 and len(before["requests"]["requests"]) >= 6

    r = middle.ok("copy", "--from", source.db, "--to", middle.db, "--json")
    report = r.json()
    assert report["rows"]["ledger_entries"] == before["ledger"]["total"], report
    assert report["rows"]["audit_log"] == len(source_audit), report
    if PG_URL:
        password = PG_URL.split("@")[0].rsplit(":", 1)[1]
        assert password not in r.out, "the report never shows a password: %r" % report
    middle.ok("audit", "verify")
    if middle.pg:
        # Settled for its first readers: vacuumed (index-only counts) and
        # analyzed (the planner knows the sizes), not left to autovacuum.
        rows = middle.connect().execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL AND "
            "last_analyze IS NOT NULL AND relname IN ('requests', 'audit_log', "
            "'ledger_entries', 'ledger_search')").fetchall()
        assert len(rows) == 4, rows
    assert everything(middle) == before
    moved = audit(middle)
    assert moved[:-1] == source_audit, "the audit log moves record for record"
    assert moved[-1]["action"] == "database.copy" and moved[-1]["actor"] == "system", moved[-1]

    back = SqliteFile(env, "back.db")
    back.ok("copy", "--from", middle.db, "--to", back.db)
    back.ok("audit", "verify")
    assert everything(back) == before
    assert audit(back)[:-2] == source_audit

    # Life goes on in the new home: the next numbers follow the copied ones.
    last_request = max(q["id"] for q in before["requests"]["requests"])
    last_entry = max(x["id"] for x in before["ledger"]["entries"])
    rid, entry = approve_new(middle, document(name="kintone", function="", provider="サイボウズ"))
    assert rid == last_request + 1 and entry == last_entry + 1, (rid, entry)
    assert show(middle, ids["draft"])["state"] == "draft"
    middle.ok("audit", "verify")


def test_a_target_that_is_not_empty_is_refused(env):
    a_city(env)
    other = Env()
    try:
        setup_db(other)  # initialised, with users
        shown_before = everything(other)
        r = other.run("copy", "--from", env.db, "--to", other.db)
        assert_error_line(r, 1)
        assert "空ではありません" in r.err, r
        assert everything(other) == shown_before
        # Nor into itself.
        r = env.run("copy", "--from", env.db, "--to", env.db)
        assert_error_line(r, 1)
    finally:
        other.close()


def test_a_bad_source_or_usage_writes_nothing(env):
    target = SqliteFile(env, "target.db")
    for args in (("copy", "--from", env.path("absent.db"), "--to", target.db),
                 ("copy", "--from", env.db, "--to", target.db)):  # env.db: not initialised
        r = env.run(*args, db=False)
        assert_error_line(r, 3)
        assert not os.path.exists(target.db), "a target was made for a copy that failed"
    for args in (("copy",), ("copy", "--from", env.db), ("copy", "--to", target.db),
                 ("copy", "--from", env.db, "--to", target.db, "extra")):
        r = env.run(*args, db=False)
        assert r.code == 2, r


def test_a_copy_killed_before_commit_leaves_the_target_empty(env):
    a_city(env)
    target = Env()  # the suite's backend, blank
    try:
        r = target.run("copy", "--from", env.db, "--to", target.db, env={"EXTSVC_FAULT": "copy"})
        if r.code == 0:
            skip("EXTSVC_FAULT had no effect: extsvc built without -Dfault_injection=true")
        assert r.code == -9, r
        if target.pg:
            tables = target.connect().execute(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
            ).fetchall()[0][0]
            assert tables == 0, "the schema was made in the copy's transaction: %d tables" % tables
        elif os.path.exists(target.db):
            con = sqlite3.connect(target.db)
            assert con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                               ).fetchone()[0] == 0, "the schema was made in the copy's transaction"
            con.close()
        target.ok("copy", "--from", env.db, "--to", target.db)
        target.ok("audit", "verify")
        assert target.run("ledger", "list", "--all", "--csv").raw == \
            env.run("ledger", "list", "--all", "--csv").raw
    finally:
        target.close()


run(globals())
