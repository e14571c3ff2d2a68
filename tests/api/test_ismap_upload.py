"""The ISMAP cloud service list from the browser and the API (issue 10):
the page /ismap says which list is loaded (anyone signed in) and lets ciso
or admin load the published CSV, checked first and only the file whose
check was shown; GET /api/v1/ismap says the same as JSON and
POST /api/v1/ismap/import takes the CSV as the body. Anyone else is refused
from the head, before the body is read. A loaded list is what the
evaluation of a request's ISMAP number (別紙 項番1) uses.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import Client, multipart, post_file, run, text_of  # noqa: E402

LIST = ("登録番号,サービス名称,事業者名,登録日,有効期限\r\n"
        "C21-0012-2,Microsoft 365,日本マイクロソフト株式会社,2021/3/26,2099/3/31\r\n"
        "C21-0020-1,Zoom,ZVC Japan,令和3年6月1日,2024年12月31日\r\n"
        "C22-0100-1,kintone,サイボウズ株式会社,2022-10-01,\r\n")
DUPLICATE = LIST + "C21-0020-1,Zoom 2,ZVC Japan,2021/6/1,\r\n"


def upload(c, env, fields, filename, content, origin=True):
    return post_file(c, env, "/ismap", fields, filename, content, origin)


def status(env):
    return env.token("shokuin").json_ok("GET", "/api/v1/ismap")


def ismap_codes(env, number):
    """The ISMAP findings of a request document naming `number`."""
    body = {
        "service": {"name": "Zoom", "provider": "ZVC Japan", "category": "web-conference",
                    "ismap": number},
        "purpose": "相談会", "scope": "課内に限る",
        "classification": {"confidentiality": "2", "integrity": "1", "availability": "1"},
        "period": {"from": "2026-04-01", "to": "2027-03-31"},
        "applicant": {"department": "総務部 総務課", "name": "周南 太郎"},
    }
    r = env.token("somu").json_ok("POST", "/api/v1/check", body)
    return [f["code"] for f in r["findings"] if f["code"].startswith("ismap")]


def test_the_page_checks_then_loads_that_file(env):
    env.start()
    assert status(env) == {"loaded": False}
    c, _ = env.page_signin("ciso")
    page = c.get("/ismap")
    assert page.status == 200 and 'type="file"' in page.text, page
    assert "まだ読み込まれていません" in text_of(page.text)
    r = upload(c, env, {"action": "check"}, "ismap.csv", LIST.encode("cp932"))
    assert r.status == 200, r
    t = text_of(r.text)
    assert "3 件を取り込めます" in t and "Shift_JIS" in t, t[:600]
    assert "C21-0020-1" in t and "Zoom" in t, t[:1500]
    assert status(env) == {"loaded": False}, "the check loads nothing"
    checked = re.search(r'name="checked" value="([0-9a-f]{64})"', r.text).group(1)
    # Another file under the check's mark is not loaded.
    other = LIST.replace("Zoom", "Zoom X")
    r = upload(c, env, {"action": "import", "checked": checked}, "ismap.csv",
               other.encode("cp932"))
    assert "確認したファイルと違うファイル" in text_of(r.text)
    assert status(env) == {"loaded": False}
    r = upload(c, env, {"action": "import", "checked": checked}, "ismap.csv",
               LIST.encode("cp932"))
    assert r.status == 200 and "3 件を読み込み" in text_of(r.text), text_of(r.text)[:600]
    s = status(env)
    assert s["loaded"] is True and s["file"] == "ismap.csv", s
    assert s["registrations"] == 3 and s["expired"] == 1, s
    t = text_of(c.get("/ismap").text)
    assert "ismap.csv" in t and "登録 3 件" in t and "過ぎたもの 1 件" in t, t[:800]
    # What the evaluation now says of a request's number.
    assert ismap_codes(env, "C99-0000-0") == ["ismap-unlisted"]
    assert ismap_codes(env, "C21-0020-1") == ["ismap-expires"]
    assert ismap_codes(env, "C21-0012-2") == []
    audit = env.token("kansa").json_ok("GET", "/api/v1/audit?action=ismap.load")["records"]
    assert len(audit) == 1 and audit[0]["actor"] == "ciso", audit


def test_a_bad_list_names_its_rows_and_loads_nothing(env):
    env.start()
    c, _ = env.page_signin("admin")
    r = upload(c, env, {"action": "check"}, "dup.csv", DUPLICATE.encode("utf-8"))
    assert r.status == 400, r
    t = text_of(r.text)
    assert "リストは読み込んでいません" in t and "3 行目にもあります" in t, t[:800]
    assert re.search(r"<td>5</td><td>1</td>", r.text), "row 5, column 1 (登録番号)"
    assert 'name="checked"' not in r.text
    assert status(env) == {"loaded": False}


def test_everyone_sees_the_list_only_ciso_and_admin_load_it(env):
    env.start()
    env.token("ciso").request("POST", "/api/v1/ismap/import?name=list.csv",
                              body=LIST.encode("utf-8"), ctype="text/csv")
    for login in ("shokuin", "somu", "shinsa", "kansa"):
        c, _ = env.page_signin(login)
        page = c.get("/ismap")
        assert page.status == 200 and "list.csv" in text_of(page.text), login
        assert 'type="file"' not in page.text, login
        r = upload(c, env, {"action": "import"}, "a.csv", LIST.encode("utf-8"))
        assert r.status == 403, (login, r.status)
    c, _ = env.page_signin("ciso")
    r = upload(c, env, {"action": "check"}, "a.csv", LIST.encode("utf-8"), origin=False)
    assert r.status == 403, "not from our pages"
    body, ctype = multipart({"action": "check", "csrf": "wrong"}, "a.csv", LIST.encode("utf-8"))
    r = c.request("POST", "/ismap", body=body, ctype=ctype,
                  headers={"Origin": "http://127.0.0.1:%d" % env.port})
    assert r.status == 403 and "CSRF" in r.text, r.status
    assert "/ismap" in c.get("/ledger").text, "the ledger page links to the list"
    assert status(env)["file"] == "list.csv", "nothing replaced it"


def test_the_api_loads_the_csv_body_and_refuses_from_the_head(env):
    env.start()
    ciso = env.token("ciso")
    r = ciso.request("POST", "/api/v1/ismap/import?dry_run=1&name=l.csv",
                     body=LIST.encode("utf-8"), ctype="text/csv")
    assert r.status == 200, r
    rep = r.json()
    assert rep["dry_run"] is True and rep["rows"] == 3 and len(rep["entries"]) == 3, rep
    assert rep["entries"][1] == {"number": "C21-0020-1", "service_name": "Zoom",
                                 "provider": "ZVC Japan", "registered_on": "2021-06-01",
                                 "expires_on": "2024-12-31"}, rep["entries"][1]
    r = ciso.request("POST", "/api/v1/ismap/import", body=DUPLICATE.encode("utf-8"),
                     ctype="text/csv")
    assert r.status == 400 and r.json()["report"]["issues"][0]["line"] == 5, r
    r = env.token("admin").request("POST", "/api/v1/ismap/import?name=l.csv",
                                   body=LIST.encode("utf-8"), ctype="text/csv")
    assert r.status == 201 and r.json()["rows"] == 3, r
    assert status(env)["registrations"] == 3
    for who in ("shokuin", "somu", "shinsa"):
        r = env.token(who).request("POST", "/api/v1/ismap/import", body=LIST.encode("utf-8"),
                                   ctype="text/csv")
        assert r.status == 403, (who, r)
    r = Client(env).request("POST", "/api/v1/ismap/import", body=LIST.encode("utf-8"),
                            ctype="text/csv")
    assert r.status == 401, r
    assert Client(env).request("GET", "/api/v1/ismap").status == 401
    r = ciso.request("POST", "/api/v1/ismap/import", body=b"",
                     headers={"Content-Length": str(65 << 20), "Expect": "100-continue"},
                     ctype="text/csv")
    assert r.status == 413, r
    assert ciso.request("DELETE", "/api/v1/ismap").status == 400


run(globals())
