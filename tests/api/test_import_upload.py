"""The old ledger in from the browser and the API (issue 10): the upload
page /ledger/import (admin, approver) shows the dry run as a table before
anything is written and imports only the file it showed;
POST /api/v1/ledger/import takes the CSV as the body. Up to 64 MiB is read,
and only from those who may import: anyone else is refused from the head.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import Client, multipart, post_file, run, text_of  # noqa: E402

CSV = ("番号,サービス名,事業者名,業務内容,格付,利用期間,担当課,申請者,利用範囲\r\n"
       "A-1,LINE WORKS,LINE WORKS株式会社,職員間の連絡,2-2-1,令和8年4月1日～令和9年3月31日,"
       "総務部 総務課,山田 太郎,課内に限る\r\n"
       "A-2,Box,Box Japan,資料共有,機密性1,R8.4.1-R9.3.31,市民課,,課内\r\n")
BAD = CSV + "A-3,Slack,Slack,,2,令和元年4月30日～令和2年3月31日,企画課,,課内\r\n"


def upload(c, env, fields, filename, content, origin=True):
    return post_file(c, env, "/ledger/import", fields, filename, content, origin)


def migrated(env):
    entries = env.token("shinsa").json_ok("GET", "/api/v1/ledger?all=1&limit=1000")["entries"]
    return [e for e in entries if e.get("migrated_from")]


def test_the_page_shows_the_dry_run_then_imports_that_file(env):
    env.start()
    c, _ = env.page_signin("shinsa")
    page = c.get("/ledger/import")
    assert page.status == 200 and 'type="file"' in page.text, page
    assert "/ledger/import" in c.get("/ledger").text, "the ledger page links to the import"
    r = upload(c, env, {"action": "check"}, "旧台帳.csv", CSV.encode("cp932"))
    assert r.status == 200, r
    t = text_of(r.text)
    assert "2 件を取り込めます" in t and "Shift_JIS" in t, t[:600]
    assert "LINE WORKS" in t and "2024" not in t and "2026-04-01〜2027-03-31" in t, t[:1500]
    assert migrated(env) == [], "the dry run wrote nothing"
    checked = re.search(r'name="checked" value="([0-9a-f]{64})"', r.text).group(1)
    # Another file under the dry run's mark is not imported.
    r = upload(c, env, {"action": "import", "checked": checked}, "旧台帳.csv",
               BAD.encode("utf-8"))
    assert "確認したファイルと違うファイル" in text_of(r.text), text_of(r.text)[:400]
    assert migrated(env) == []
    r = upload(c, env, {"action": "import", "checked": checked}, "旧台帳.csv", CSV.encode("cp932"))
    assert r.status == 200 and "2 件を台帳に取り込みました" in text_of(r.text), text_of(r.text)[:600]
    got = sorted(e["service"]["name"] for e in migrated(env))
    assert got == ["Box", "LINE WORKS"], got


def test_the_page_lists_every_problem_and_writes_nothing(env):
    env.start()
    c, _ = env.page_signin("admin")
    r = upload(c, env, {"action": "check"}, "bad.csv", BAD.encode("utf-8"))
    assert r.status == 400, r
    t = text_of(r.text)
    assert "何も取り込んでいません" in t and "令和は2019年5月1日から" in t, t[:800]
    assert re.search(r"<td>4</td><td>4</td>", r.text), "row 4, column 4 (業務内容 blank)"
    assert 'name="checked"' not in r.text, "nothing to import after a failed check"
    assert migrated(env) == []


def test_only_admin_and_approver_and_only_from_our_pages(env):
    env.start()
    for login in ("somu", "shokuin", "kansa", "ciso"):
        c, _ = env.page_signin(login)
        assert c.get("/ledger/import").status == 403, login
        r = upload(c, env, {"action": "import"}, "a.csv", CSV.encode("utf-8"))
        assert r.status == 403, (login, r.status)
    c, _ = env.page_signin("shinsa")
    r = upload(c, env, {"action": "check"}, "a.csv", CSV.encode("utf-8"), origin=False)
    assert r.status == 403, r
    body, ctype = multipart({"action": "check", "csrf": "wrong"}, "a.csv", CSV.encode("utf-8"))
    r = c.request("POST", "/ledger/import", body=body, ctype=ctype,
                  headers={"Origin": "http://127.0.0.1:%d" % env.port})
    assert r.status == 403 and "CSRF" in r.text, r.status
    assert migrated(env) == []


def test_the_api_takes_the_csv_as_the_body(env):
    env.start()
    appr = env.token("shinsa")
    r = appr.request("POST", "/api/v1/ledger/import?dry_run=1&name=" + "old.csv",
                     body=CSV.encode("utf-8"), ctype="text/csv")
    assert r.status == 200, r
    rep = r.json()
    assert rep["rows"] == 2 and len(rep["entries"]) == 2 and rep["dry_run"] is True, rep
    r = appr.request("POST", "/api/v1/ledger/import?dry_run=1", body=BAD.encode("utf-8"),
                     ctype="text/csv")
    assert r.status == 400, r
    bad = r.json()
    assert bad["error"]["code"] == "invalid" and bad["report"]["issues"], bad
    assert {(i["line"], i["column"]) for i in bad["report"]["issues"]} >= {(4, 4)}, bad
    r = appr.request("POST", "/api/v1/ledger/import?name=old.csv", body=CSV.encode("utf-8"),
                     ctype="text/csv")
    assert r.status == 201, r
    rep = r.json()
    assert rep["imported"] == 2 and rep["last_id"] == rep["first_id"] + 1, rep
    entry = appr.json_ok("GET", "/api/v1/ledger/%d" % rep["first_id"])
    assert entry["migrated_from"] == "旧台帳 old.csv 2 行目（台帳番号 A-1）", entry
    r = appr.request("POST", "/api/v1/ledger/import?encoding=latin1", body=b"x", ctype="text/csv")
    assert r.status == 400, r


def test_the_api_refuses_from_the_head(env):
    """Staff, a manager and nobody are refused before the body is read; a
    body declared over 64 MiB gets 413 whoever sends it."""
    env.start()
    for who in ("shokuin", "somu"):
        r = env.token(who).request("POST", "/api/v1/ledger/import", body=CSV.encode("utf-8"),
                                   ctype="text/csv")
        assert r.status == 403, (who, r)
    r = Client(env).request("POST", "/api/v1/ledger/import", body=CSV.encode("utf-8"),
                            ctype="text/csv")
    assert r.status == 401, r
    r = env.token("shinsa").request("POST", "/api/v1/ledger/import", body=b"",
                                    headers={"Content-Length": str(65 << 20),
                                             "Expect": "100-continue"}, ctype="text/csv")
    assert r.status == 413 and "64 MiB" in r.json()["error"]["message"], r
    # A big, real file is read (over the 1 MiB of every other body).
    rows = "".join("A-%d,サービス%d,株式会社%d,業務%d,2,R8.4.1-R9.3.31,総務課,,課内\r\n"
                   % (i, i, i, i) for i in range(20000))
    body = CSV.split("\r\n")[0].encode("utf-8") + b"\r\n" + rows.encode("utf-8")
    assert len(body) > (1 << 20)
    r = env.token("shinsa").request("POST", "/api/v1/ledger/import?dry_run=1", body=body,
                                    ctype="text/csv")
    assert r.status == 200 and r.json()["rows"] == 20000, r.status


run(globals())
