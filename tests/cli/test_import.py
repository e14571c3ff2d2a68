"""A city's old ledger in (issue 10): `extsvc ledger import` reads the CSV a
city saves from Excel -- UTF-8 with or without a BOM, or CP932 -- with the
header names cities use, the period in one column or two, the
classification as 2, 機密性2 or 2-2-1. Every row is checked first: one bad
row, and every problem is named (row, column, why) and nothing is written.
A good file becomes ledger entries marked as migrated, each with its audit
record.
"""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from harness import approve_new, assert_error_line, counts, run, setup_db, skip  # noqa: E402

GOOD = (
    "番号,サービス名,事業者名,業務内容,格付,利用期間,担当課,申請者,利用範囲,備考\r\n"
    "A-1,LINE WORKS,LINE WORKS株式会社,職員間の連絡,2-2-1,令和6年4月1日～令和9年3月31日,"
    "総務部 総務課,山田 太郎,課内に限る,\r\n"
    "A-2,001234,株式会社テスト,\"窓口の予約,\n電話の代わり\",機密性1,R6.4.1-R9.3.31,市民課,,"
    "課内,メモ\r\n"
    "A-3,ChatGPT,OpenAI,文案作成,2,2024/4/1～2027/3/31,企画課,佐藤 花子,部局内に限る,\r\n"
    ",,,,,,,,,\r\n"
)


def write(env, name, text, encoding="utf-8"):
    path = env.path(name)
    with open(path, "wb") as f:
        f.write(text.encode(encoding) if isinstance(text, str) else text)
    return path


def imported(env):
    return [e for e in env.json("ledger", "list", "--all", "--json")["entries"]
            if e.get("migrated_from")]


def test_a_ledger_saved_from_excel_comes_in_whole(env):
    setup_db(env)
    path = write(env, "旧台帳.csv", "\ufeff" + GOOD)
    before = counts(env)
    dry = env.json("ledger", "import", "--as", "appr", "--dry-run", "--json", path)
    assert dry["ok"] is True and dry["rows"] == 3 and dry["issues"] == [], dry
    assert [e["line"] for e in dry["entries"]] == [2, 3, 4], "rows as a spreadsheet counts them"
    assert dry["entries"][0]["from"] == "2024-04-01" and dry["entries"][0]["to"] == "2027-03-31"
    assert counts(env) == before, "a dry run writes nothing"
    r = env.ok("ledger", "import", "--as", "appr", path)
    assert "3 件を台帳に取り込みました" in r.out, r
    got = {e["service"]["name"]: e for e in imported(env)}
    assert sorted(got) == ["001234", "ChatGPT", "LINE WORKS"], got
    lw = got["LINE WORKS"]
    assert lw["classification"] == {"confidentiality": "2", "integrity": "2", "availability": "1"}
    assert lw["period"] == {"from": "2024-04-01", "to": "2027-03-31"}, lw["period"]
    assert lw["applicant"] == {"department": "総務部 総務課", "name": "山田 太郎"}, lw
    assert lw["department"] == "総務部 総務課" and lw["scope"] == "課内に限る"
    assert lw["migrated_from"] == "旧台帳 旧台帳.csv 2 行目（台帳番号 A-1）", lw["migrated_from"]
    odd = got["001234"]
    assert odd["purpose"] == "窓口の予約,\n電話の代わり", "a quoted cell keeps its comma and line break"
    assert odd["period"] == {"from": "2024-04-01", "to": "2027-03-31"}
    assert odd["classification"]["confidentiality"] == "1"
    assert got["ChatGPT"]["classification"]["confidentiality"] == "2"
    # One audit record per entry, in the entries' order, and the chain holds
    # (the records are hashed on a thread of their own), also with what is
    # written after them.
    audit = env.json("audit", "list", "--json", "--action", "ledger.import")["records"]
    assert len(audit) == 3, audit
    assert [a["object"] for a in audit] == ["ledger:%d" % e["id"] for e in
                                            sorted(got.values(), key=lambda e: e["id"])], audit
    assert [a["after"]["service"]["name"] for a in audit] == ["LINE WORKS", "001234", "ChatGPT"]
    env.ok("audit", "verify")
    approve_new(env)
    env.ok("audit", "verify")
    # The entry's request records where it came from.
    req = env.json("request", "show", str(lw["request_id"]), "--json")
    assert req["state"] == "approved" and "移行" in req["history"][0]["comment"], req["history"]
    assert req["decided_at"] == req["created_at"], "decided as it came in"
    # Each request keeps its own row's evaluation (rows of 機密性2, 1, 2 in
    # turn: the import reuses the text of an evaluation it has seen).
    for name, track, code in (("LINE WORKS", "requirements", "unanswered"),
                              ("001234", "risk-review", "risk-undecided"),
                              ("ChatGPT", "requirements", "unanswered")):
        ev = env.json("request", "show", str(got[name]["request_id"]), "--json")["evaluation"]
        assert ev["track"] == track, (name, ev["track"])
        assert code in {f["code"] for f in ev["findings"]}, (name, ev["findings"][:3])


def test_each_audit_record_holds_the_entry_as_it_is_shown(env):
    """The import makes each audit record's snapshot from the values it
    wrote, without reading the entry back: it must be the entry exactly as
    `ledger show` has it on the day -- its state (in use, expired, not yet
    begun), the department, and the category of a service the ledger
    already had."""
    from harness import document
    setup_db(env)
    approve_new(env, document(name="Zoom", function="Web会議", provider="ZVC Japan",
                              category="web-conference"))
    path = write(env, "旧台帳.csv",
                 "番号,サービス名,機能名,事業者名,業務内容,格付,利用期間,担当課,申請者,利用範囲\r\n"
                 "B-1,Zoom,Web会議,ZVC Japan,説明会,2-2-1,2024/4/1～2099/3/31,総務課,山田 太郎,課内\r\n"
                 "B-2,古い掲示板,,株式会社旧,掲示,1,2019/4/1～2020/3/31,市民課,,課内\r\n"
                 "B-3,新しい予約,,株式会社新,予約,1,2098/4/1～2099/3/31,市民課,,課内\r\n")
    env.ok("ledger", "import", "--as", "appr", path)
    audit = env.json("audit", "list", "--json", "--action", "ledger.import")["records"]
    assert len(audit) == 3, audit
    states = []
    for a in audit:
        shown = env.json("ledger", "show", a["object"].split(":")[1], "--json")
        shown.pop("versions")
        assert a["after"] == shown, (a["after"], shown)
        states.append(shown["state"])
    assert states == ["active", "expired", "upcoming"], states
    assert audit[0]["after"]["service"]["category"] == "web-conference", audit[0]["after"]
    assert audit[1]["after"]["service"]["category"] == "other"


def test_cp932_is_detected_and_can_be_forced(env):
    setup_db(env)
    path = write(env, "sjis.csv", GOOD, "cp932")
    r = env.json("ledger", "import", "--as", "appr", "--dry-run", "--json", path)
    assert r["encoding"] == "cp932" and r["rows"] == 3, r
    r = env.json("ledger", "import", "--as", "appr", "--dry-run", "--json", "--encoding", "cp932",
                 path)
    assert r["rows"] == 3, r
    # Forced the wrong way, it says so and names the row.
    r = env.run("ledger", "import", "--as", "appr", "--encoding", "utf-8", path)
    assert r.code == 2 and "UTF-8 として正しくない" in r.err, r
    env.ok("ledger", "import", "--as", "appr", path)
    assert len(imported(env)) == 3


def test_two_date_columns_and_their_own_levels(env):
    setup_db(env)
    text = ("外部サービスの名称,機能名,外部サービス提供者,利用目的,機密性,完全性,可用性,"
            "利用開始日,利用終了日,利用申請者所属,利用申請者氏名,利用者の範囲\r\n"
            "Zoom,ビデオ会議,ZVC Japan,相談会,3,2,2,2025-04-01,令和9年3月31日,企画課,周南 太郎,"
            "課内\r\n")
    env.ok("ledger", "import", "--as", "admin", write(env, "two.csv", text))
    e = imported(env)[0]
    assert e["classification"] == {"confidentiality": "3", "integrity": "2", "availability": "2"}
    assert e["period"] == {"from": "2025-04-01", "to": "2027-03-31"}
    assert e["service"]["function"] == "ビデオ会議"


def test_our_own_export_comes_back_in(env):
    """What `ledger list --csv` writes (formula cells with a leading ')
    reads back as the same entries."""
    setup_db(env)
    env.ok("ledger", "import", "--as", "appr", write(env, "a.csv", GOOD))
    out = env.ok("ledger", "list", "--all", "--csv").out
    again = env.json("ledger", "import", "--as", "appr", "--dry-run", "--json",
                     write(env, "export.csv", out))
    assert again["rows"] == 3 and again["issues"] == [], again
    names = sorted(e["name"] for e in again["entries"])
    assert names == ["001234", "ChatGPT", "LINE WORKS"], names


def issues_of(env, text, encoding="utf-8"):
    """Import `text`: it must be refused (exit 2) with nothing written; the
    issues of the JSON report."""
    before = counts(env)
    path = write(env, "bad.csv", text, encoding)
    r = env.run("ledger", "import", "--as", "appr", "--json", path)
    assert r.code == 2, r
    assert counts(env) == before, "a refused import wrote something"
    rep = json.loads(r.out)
    assert rep["ok"] is False and rep["issues"], rep
    return rep["issues"]


HEAD = "サービス名,事業者名,業務内容,格付,利用期間,担当課,利用範囲\r\n"
OK_ROW = "Teams,日本MS,会議,2,2024/4/1～2025/3/31,総務課,課内\r\n"


def test_every_bad_row_is_named_and_nothing_is_written(env):
    setup_db(env)
    text = (HEAD + OK_ROW +
            "Zoom,ZVC,,2,2024/4/1～2025/3/31,総務課,課内\r\n"            # row 3: purpose blank
            "Box,Box Inc.,共有,9,2024/4/1～2025/3/31,総務課,課内\r\n"      # row 4: no level 9
            "Slack,Slack,連絡,2,令和元年4月30日～令和2年3月31日,総務課,課内\r\n"  # row 5
            "Miro,Miro,作図,2,2025/4/1～2024/3/31,総務課,課内\r\n"         # row 6: reversed
            "kintone,サイボウズ,台帳,2,いつか,総務課,課内\r\n")              # row 7
    issues = issues_of(env, text)
    where = {(i["line"], i["column"]) for i in issues}
    assert (3, 3) in where, issues
    assert (4, 4) in where and any("9" in i["message"] and "格付" in i["message"]
                                   for i in issues if i["line"] == 4), issues
    assert any(i["line"] == 5 and "令和は2019年5月1日から" in i["message"] for i in issues), issues
    assert any(i["line"] == 6 and "より後" in i["message"] for i in issues), issues
    assert any(i["line"] == 7 and i["column"] == 5 for i in issues), issues
    assert 2 not in {i["line"] for i in issues}, "the good row is not blamed"
    # Without --json: one line per problem on stderr, exit 2.
    r = env.run("ledger", "import", "--as", "appr", env.path("bad.csv"))
    assert r.code == 2 and "extsvc: 4 行目 4 列目:" in r.err, r.err


def test_a_hostile_file_is_refused_with_its_row_and_column(env):
    setup_db(env)
    for cell in ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        quoted = '"' + cell + '"'
        issues = issues_of(env, HEAD + "Teams,日本MS,%s,2,2024/4/1～2025/3/31,総務課,課内\r\n"
                           % quoted)
        assert any(i["line"] == 2 and i["column"] == 3 and "数式" in i["message"]
                   for i in issues), (cell, issues)
    big = issues_of(env, HEAD + "Teams,日本MS,%s,2,2024/4/1～2025/3/31,総務課,課内\r\n"
                    % ("あ" * (1 << 18)))
    assert any(i["line"] == 2 and i["column"] == 3 and "長すぎ" in i["message"] for i in big), big
    wide = issues_of(env, HEAD.rstrip("\r\n") + "," * 10000 + "\r\n" + OK_ROW)
    assert any(i["line"] == 1 and "列が多すぎ" in i["message"] for i in wide), wide
    bad_utf8 = issues_of(env, (HEAD + OK_ROW).encode("utf-8") + b"\xff\xfe,x\r\n")
    assert any(i["line"] == 3 for i in bad_utf8), bad_utf8
    bad_sjis = issues_of(env, (HEAD + OK_ROW).encode("cp932") + b"\x85\x40,x\r\n")
    assert any(i["line"] == 3 for i in bad_sjis), bad_sjis
    bom = issues_of(env, HEAD + OK_ROW + "\ufeff" + OK_ROW)
    assert any(i["line"] == 3 and "BOM" in i["message"] for i in bom), bom
    nul = issues_of(env, (HEAD + OK_ROW + OK_ROW).encode("utf-8").replace(b"Teams", b"Te\0ms", 2)
                    .replace(b"Te\0ms", b"Teams", 1))
    assert any(i["line"] == 3 and "NUL" in i["message"] for i in nul), nul
    quote = issues_of(env, HEAD + 'Teams,日本MS,"会議,2,2024/4/1～2025/3/31,総務課,課内\r\n')
    assert quote, quote
    missing = issues_of(env, "サービス名,業務内容\r\nTeams,会議\r\n")
    assert any(i["line"] == 1 and "提供者" in i["message"] for i in missing), missing
    assert issues_of(env, "") and issues_of(env, HEAD)


def test_only_admin_and_approver_import(env):
    setup_db(env)
    path = write(env, "a.csv", GOOD)
    before = counts(env)
    for who in ("mgr", "staff", "aud", "ciso"):
        r = env.run("ledger", "import", "--as", who, path)
        assert_error_line(r, 1)
    r = env.run("ledger", "import", path)
    assert_error_line(r, 2)
    assert counts(env) == before


def test_a_write_that_fails_stops_the_reading_and_writes_nothing(env):
    """Rows are read and checked on one thread while another writes them.
    When a write fails (here: the audit key cannot be read, which every
    audit record needs) the reader, waiting with a full queue, stops too:
    the import ends at once with the error, and nothing is written."""
    setup_db(env)
    before = counts(env)
    rows = ["サービス名,事業者名,利用目的,機密性,利用期間,担当課,申請者,利用範囲"]
    rows += ["サービス%d,事業者%d,連絡,%d,2024/4/1～2027/3/31,総務部 総務課,山田 太郎,課内" % (i, i, 1 + i % 3)
             for i in range(3000)]
    path = write(env, "3000.csv", "\r\n".join(rows) + "\r\n")
    r = env.run("ledger", "import", "--as", "appr", path,
                env={"EXTSVC_AUDIT_KEY": env.path("missing.key")})
    assert r.code == 3 and r.err.splitlines()[-1].startswith("extsvc: 監査鍵ファイル"), r
    assert counts(env) == before
    env.ok("audit", "verify")


def test_a_bad_row_late_in_a_long_file_undoes_what_was_written(env):
    """The check runs beside the writing, so rows before a bad one may be
    written already when it is found: the writing stops, the transaction is
    rolled back, and the import reports every bad row, as a dry run would,
    with nothing left behind. A good row after them is not written either."""
    setup_db(env)
    before = counts(env)
    rows = ["サービス名,事業者名,利用目的,機密性,利用期間,担当課,申請者,利用範囲"]
    rows += ["サービス%d,事業者%d,連絡,%d,2024/4/1～2027/3/31,総務部 総務課,山田 太郎,課内" % (i, i, 1 + i % 3)
             for i in range(4000)]
    rows[3500] = "サービスX,事業者X,連絡,7,2024/4/1～2027/3/31,総務部 総務課,山田 太郎,課内"
    rows[3990] = "サービスY,事業者Y,連絡,2,2027/4/1～2024/3/31,総務部 総務課,山田 太郎,課内"
    path = write(env, "4000.csv", "\r\n".join(rows) + "\r\n")
    dry = env.run("ledger", "import", "--as", "appr", "--dry-run", "--json", path)
    r = env.run("ledger", "import", "--as", "appr", "--json", path)
    assert r.code == 2, r
    got = r.json()
    assert got["ok"] is False and "imported" not in got, got
    assert [(i["line"], i["column"]) for i in got["issues"]] == \
        [(i["line"], i["column"]) for i in dry.json()["issues"]], (got["issues"], dry.out)
    assert [i["line"] for i in got["issues"]] == [3501, 3991], got["issues"]
    assert counts(env) == before, "nothing of the 3,500 rows before the bad one remains"
    env.ok("audit", "verify")
    # The same file mended comes in whole.
    rows[3500] = rows[3500].replace(",7,", ",2,")
    rows[3990] = rows[3990].replace("2027/4/1～2024/3/31", "2024/4/1～2027/3/31")
    path = write(env, "4000.csv", "\r\n".join(rows) + "\r\n")
    assert "4000 件を台帳に取り込みました" in env.ok("ledger", "import", "--as", "appr", path).out
    env.ok("audit", "verify")


def test_a_process_killed_mid_import_leaves_nothing(env):
    """All rows in one transaction: killed after writing two of three, the
    ledger, the requests and the audit log are as before."""
    setup_db(env)
    before = counts(env)
    audit_before = env.json("audit", "list", "--json")["records"]
    r = env.run("ledger", "import", "--as", "appr", write(env, "a.csv", GOOD),
                env={"EXTSVC_FAULT": "import"})
    if r.code == 0:
        skip("EXTSVC_FAULT had no effect: extsvc built without -Dfault_injection=true")
    assert r.code == -9, r
    assert counts(env) == before
    assert env.json("audit", "list", "--json")["records"] == audit_before
    env.ok("audit", "verify")


run(globals())
