"""The ledger as CSV and its states (CONTRACT.md section 4): the header, BOM,
CRLF, RFC 4180 quoting, CP932, cells a spreadsheet would run as formulas, and
entries that expire or retire by the calendar."""
import csv
import io
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import (DEPT_B, USERS, approve_new, assert_error_line, counts, document, run,  # noqa: E402
                     setup_db)

HEADER = ("台帳番号,外部サービスの名称,機能名,外部サービス提供者,利用目的,機密性,完全性,可用性,"
          "利用開始日,利用終了日,利用申請者所属,利用申請者氏名,利用者の範囲,状態").split(",")
BOM = b"\xef\xbb\xbf"


def rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def csv_utf8(e, *extra, **kw):
    r = e.run("ledger", "list", "--csv", *extra, **kw)
    assert r.code == 0, r
    assert r.raw.startswith(BOM), "UTF-8 with a BOM: %r" % r.raw[:20]
    return r.raw


def expected_row(entry, label):
    return [str(entry["id"]), entry["service"]["name"], entry["service"]["function"],
            entry["service"]["provider"], entry["purpose"],
            entry["classification"]["confidentiality"], entry["classification"]["integrity"],
            entry["classification"]["availability"], entry["period"]["from"],
            entry["period"]["to"], entry["applicant"]["department"], entry["applicant"]["name"],
            entry["scope"], label]


def test_header_bom_and_crlf(env):
    setup_db(env)
    raw = csv_utf8(env)
    text = raw[len(BOM):].decode("utf-8")
    assert rows(text)[0][:14] == HEADER, rows(text)[0]
    # Ours after the contract's fourteen: 個別の選定条件 first.
    assert rows(text)[0][14] == "個別の選定条件", rows(text)[0]
    assert len(rows(text)) == 1, "an empty ledger is the header alone: %r" % text
    approve_new(env)
    approve_new(env, document(name="Google マップ", function="地図", provider="Google LLC",
                              confidentiality="1"))
    raw = csv_utf8(env)
    text = raw[len(BOM):].decode("utf-8")
    assert text.split("\r\n")[0].split(",")[:14] == HEADER, text.split("\r\n")[0]
    assert raw.endswith(b"\r\n"), "the last record ends with CRLF: %r" % raw[-20:]
    assert raw.count(b"\n") == raw.count(b"\r\n") == 3, "every line ends CRLF: %r" % raw
    assert len(rows(text)) == 3, rows(text)


def test_columns_are_the_ledger_fields(env):
    setup_db(env)
    _, e1 = approve_new(env)
    _, e2 = approve_new(env, document(name="DeepL", function="翻訳", provider="DeepL SE",
                                      confidentiality="1", integrity="1", availability="1",
                                      scope="自組織の関係者内に限る"), manager="mgr_b")
    table = rows(csv_utf8(env)[len(BOM):].decode("utf-8"))
    for entry_id, line in ((e1, table[1]), (e2, table[2])):
        entry = env.json("ledger", "show", entry_id, "--json")
        assert line[:14] == expected_row(entry, "利用中"), (line, entry)
    assert table[2][11] == USERS["mgr_b"][0] and table[2][10] == USERS["mgr_b"][1], table[2]


def test_rfc4180_quoting_round_trips(env):
    setup_db(env)
    purpose = 'Web会議, 説明会 "市民向け"\n二行目、カンマ,あり'
    scope = '"部局内" に限る'
    _, entry = approve_new(env, document(purpose=purpose, scope=scope))
    raw = csv_utf8(env)
    text = raw[len(BOM):].decode("utf-8")
    table = rows(text)
    assert len(table) == 2, table
    assert table[1][4] == purpose, table[1]
    assert table[1][12] == scope, table[1]
    assert '"Web会議, 説明会 ""市民向け""' in text, "quotes doubled inside quotes: %r" % text


def test_cp932(env):
    setup_db(env)
    purpose = "髙橋課長の説明会①（ハイフン－、長音ー、ｶﾅ）, 議事録"
    _, entry = approve_new(env, document(purpose=purpose))
    r = env.run("ledger", "list", "--csv", "--encoding", "cp932")
    assert r.code == 0, r
    assert not r.raw.startswith(BOM), "CP932 carries no UTF-8 BOM"
    text = r.raw.decode("cp932")
    table = rows(text)
    assert table[0][:14] == HEADER, table[0]
    assert table[1][4] == purpose, table[1]
    assert table[1][:14] == expected_row(env.json("ledger", "show", entry, "--json"), "利用中")
    assert r.raw.count(b"\n") == r.raw.count(b"\r\n") == 2, r.raw
    # utf-8 named explicitly is the default.
    assert env.run("ledger", "list", "--csv", "--encoding", "utf-8").raw == csv_utf8(env)


def test_cp932_refuses_a_character_it_cannot_hold(env):
    setup_db(env)
    approve_new(env)
    _, entry = approve_new(env, document(name="Slack", function="チャット", provider="Slack",
                                         purpose="お寿司🍣の会の連絡"))
    before = counts(env)
    r = env.run("ledger", "list", "--csv", "--encoding", "cp932")
    assert_error_line(r, 2)
    assert r.raw == b"", "nothing on stdout, never half a CSV: %r" % r.raw[:200]
    assert str(entry) in r.err, "the error names the entry: %r" % r
    assert "利用目的" in r.err or "purpose" in r.err, "the error names the field: %r" % r
    assert counts(env) == before
    # UTF-8 holds it.
    table = rows(csv_utf8(env)[len(BOM):].decode("utf-8"))
    assert table[2][4] == "お寿司🍣の会の連絡", table


def test_cp932_error_names_the_field_it_is_in(env):
    setup_db(env)
    env.ok("user", "add", "mgr_k", "--name", "𠮷田 花子", "--dept", DEPT_B, "--role", "manager")
    _, entry = approve_new(env, manager="mgr_k")
    r = env.run("ledger", "list", "--csv", "--encoding", "cp932")
    assert_error_line(r, 2)
    assert r.raw == b"", r.raw[:100]
    assert str(entry) in r.err and ("利用申請者氏名" in r.err or "applicant" in r.err), r
    # Retired, the entry leaves the default list and the CSV converts again;
    # until its retirement day (廃止予定) it is still in use, and listed.
    ret = env.json("ledger", "retire", "--as", "mgr_k", entry, "--on", "2026-12-31",
                   "--json")["id"]
    env.ok("request", "submit", "--as", "mgr_k", ret)
    env.ok("request", "approve", "--as", "appr", ret)
    assert_error_line(env.run("ledger", "list", "--csv", "--encoding", "cp932"), 2)
    day = {"EXTSVC_TODAY": "2026-12-31"}
    r = env.run("ledger", "list", "--csv", "--encoding", "cp932", env=day)
    assert r.code == 0 and len(rows(r.raw.decode("cp932"))) == 1, r
    assert env.run("ledger", "list", "--all", "--csv", "--encoding", "cp932", env=day).code == 2


def test_unknown_encoding_is_bad_usage(env):
    setup_db(env)
    r = env.run("ledger", "list", "--csv", "--encoding", "shift_jis")
    assert_error_line(r, 2)
    assert r.out == "", r


def test_an_entry_past_its_end_reads_expired(env):
    setup_db(env)
    _, entry = approve_new(env)  # 2026-04-01 .. 2027-03-31
    _, other = approve_new(env, document(name="Box", function="", provider="Box Inc.",
                                         period=("2026-04-01", "2028-03-31")))
    before = counts(env)
    last_day = {"EXTSVC_TODAY": "2027-03-31"}
    after = {"EXTSVC_TODAY": "2027-04-01"}

    e = env.json("ledger", "show", entry, "--json", env=last_day)
    assert e["state"] == "active", "in use up to and including its last day: %s" % e
    listing = env.json("ledger", "list", "--json", env=last_day)
    assert sorted(x["id"] for x in listing["entries"]) == sorted([entry, other]), listing

    e = env.json("ledger", "show", entry, "--json", env=after)
    assert e["state"] == "expired", e
    listing = env.json("ledger", "list", "--json", env=after)
    assert [x["id"] for x in listing["entries"]] == [other] and listing["total"] == 1, listing
    everything = env.json("ledger", "list", "--all", "--json", env=after)
    states = {x["id"]: x["state"] for x in everything["entries"]}
    assert states == {entry: "expired", other: "active"}, everything
    assert everything["total"] == 2, everything

    table = rows(csv_utf8(env, "--all", env=after)[len(BOM):].decode("utf-8"))
    labels = {int(line[0]): line[13] for line in table[1:]}
    assert labels == {entry: "期間満了", other: "利用中"}, table
    table = rows(csv_utf8(env, env=after)[len(BOM):].decode("utf-8"))
    assert [int(line[0]) for line in table[1:]] == [other], "no --all: in use only: %s" % table

    assert counts(env) == before, "nobody touched it: nothing written"


def test_retired_entry_reads_retired_in_csv(env):
    setup_db(env)
    _, entry = approve_new(env)
    _, other = approve_new(env, document(name="Box", function="", provider="Box Inc."))
    ret = env.json("ledger", "retire", "--as", "mgr", entry, "--on", "2026-12-31", "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", ret)
    env.ok("request", "approve", "--as", "appr", ret)
    # Before its day: 廃止予定, still in use.
    table = rows(csv_utf8(env)[len(BOM):].decode("utf-8"))
    labels = {int(line[0]): line[13] for line in table[1:]}
    assert labels == {entry: "廃止予定", other: "利用中"}, table
    # From its day: 廃止, in the full list only.
    day = {"EXTSVC_TODAY": "2026-12-31"}
    table = rows(csv_utf8(env, "--all", env=day)[len(BOM):].decode("utf-8"))
    labels = {int(line[0]): line[13] for line in table[1:]}
    assert labels == {entry: "廃止", other: "利用中"}, table
    table = rows(csv_utf8(env, env=day)[len(BOM):].decode("utf-8"))
    assert [int(line[0]) for line in table[1:]] == [other], table


def test_an_entry_not_yet_begun_reads_upcoming_in_csv(env):
    setup_db(env)
    _, entry = approve_new(env, document(period=("2026-10-01", "2027-09-30")))
    table = rows(csv_utf8(env)[len(BOM):].decode("utf-8"))
    assert [(int(line[0]), line[13]) for line in table[1:]] == [(entry, "利用開始前")], table
    table = rows(csv_utf8(env, env={"EXTSVC_TODAY": "2026-10-01"})[len(BOM):].decode("utf-8"))
    assert [line[13] for line in table[1:]] == ["利用中"], table


def test_cells_a_spreadsheet_would_run_are_written_as_text(env):
    """A cell starting with = + - or @ is written with a leading ' (no
    formula runs when the CSV is opened); the ledger itself keeps the text."""
    setup_db(env)
    purpose = '=HYPERLINK("http://example.invalid/","開く")'
    scope = "+部局内に限る"
    conditions = [{"text": "@メンションは使わない", "status": "met"}]
    _, entry = approve_new(env, document(name="-Slack", function="@チャット", purpose=purpose,
                                         scope=scope, conditions=conditions))
    e = env.json("ledger", "show", entry, "--json")
    assert e["purpose"] == purpose and e["scope"] == scope and e["service"]["name"] == "-Slack", e
    for extra, decode in (((), lambda raw: raw[len(BOM):].decode("utf-8")),
                          (("--encoding", "cp932"), lambda raw: raw.decode("cp932"))):
        r = env.run("ledger", "list", "--csv", *extra)
        assert r.code == 0, r
        line = rows(decode(r.raw))[1]
        assert line[1] == "'-Slack" and line[2] == "'@チャット", line
        assert line[4] == "'" + purpose and line[12] == "'" + scope, line
        assert line[14] == "'@メンションは使わない", line
        # Nothing else is touched: numbers, dates, labels.
        assert line[0] == str(entry) and line[8] == "2026-04-01" and line[13] == "利用中", line


run(globals())
