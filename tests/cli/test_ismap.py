"""The ISMAP cloud service list (issue 10): `extsvc ismap import` loads the
published list (CSV), replacing the one before; a request whose ISMAP
registration number the list lacks, or whose registration ends before its
period does, gets a warning on 別紙 項番1 (the catalogue's ISMAP
requirement); the review shows the match and the day the list was loaded.
"""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from harness import assert_error_line, document, run, setup_db  # noqa: E402

LIST = ("登録番号,サービス名称,事業者名,登録日,有効期限\r\n"
        "C21-0012-2,Microsoft 365,日本マイクロソフト株式会社,2021/3/26,2027/3/31\r\n"
        "C21-0020-1,Zoom,ZVC Japan,令和3年6月1日,2026年12月31日\r\n"
        "C22-0100-1,kintone,サイボウズ株式会社,2022-10-01,\r\n")


def write(env, name, text, encoding="utf-8"):
    path = env.path(name)
    with open(path, "wb") as f:
        f.write(text.encode(encoding))
    return path


def ismap_findings(env, number, period=("2026-04-01", "2027-03-31")):
    doc = document(period=period)
    doc["service"]["ismap"] = number
    r = env.run("check", "-", input=json.dumps(doc, ensure_ascii=False))
    assert r.code in (0, 1), r
    return [f for f in r.json()["findings"] if f["code"].startswith("ismap")]


def test_a_loaded_list_warns_on_item_1(env):
    setup_db(env)
    assert ismap_findings(env, "C99-0000-0") == [], "no list, no warning"
    r = env.ok("ismap", "import", "--as", "ciso", write(env, "ismap.csv", LIST, "cp932"))
    assert "3 件" in r.out, r
    unlisted = ismap_findings(env, "C99-0000-0")
    assert [(f["code"], f["item"], f["severity"]) for f in unlisted] == \
        [("ismap-unlisted", 1, "warning")], unlisted
    assert "C99-0000-0" in unlisted[0]["message"]
    expires = ismap_findings(env, "C21-0020-1")  # ends 2026-12-31, the use 2027-03-31
    assert [f["code"] for f in expires] == ["ismap-expires"], expires
    assert "2026-12-31" in expires[0]["message"] and "2027-03-31" in expires[0]["message"]
    assert ismap_findings(env, "C21-0012-2") == []
    assert ismap_findings(env, "C22-0100-1") == [], "no end day in the list: no warning"
    # A warning never blocks.
    doc = document()
    doc["service"]["ismap"] = "C99-0000-0"
    assert env.run("check", "-", input=json.dumps(doc, ensure_ascii=False)).json()["approvable"]
    audit = env.json("audit", "list", "--json", "--action", "ismap.load")["records"]
    assert len(audit) == 1 and audit[0]["after"]["registrations"] == 3, audit


def test_the_review_shows_the_match(env):
    setup_db(env)
    env.ok("ismap", "import", "--as", "admin", write(env, "ismap.csv", LIST))
    doc = document()
    doc["service"]["ismap"] = "C21-0012-2"
    rid = env.json("request", "new", "--as", "mgr", "--json", "-",
                   input=json.dumps(doc, ensure_ascii=False))["id"]
    shown = env.json("request", "show", str(rid), "--json")
    assert shown["ismap"]["listed"] is True and shown["ismap"]["expires_on"] == "2027-03-31", shown
    assert shown["ismap"]["loaded_on"], shown["ismap"]


def test_a_bad_list_changes_nothing(env):
    setup_db(env)
    env.ok("ismap", "import", "--as", "ciso", write(env, "ismap.csv", LIST))
    bad = LIST + "C21-0012-2,重複,x,2021/1/1,2027/1/1\r\nC23-1,y,z,令和元年4月30日,\r\n"
    r = env.run("ismap", "import", "--as", "ciso", "--json", write(env, "bad.csv", bad))
    assert r.code == 2, r
    issues = json.loads(r.out)["issues"]
    assert {(i["line"], i["column"]) for i in issues} == {(5, 1), (6, 4)}, issues
    # The list before is still the one in force.
    assert ismap_findings(env, "C21-0012-2") == []
    for who in ("mgr", "appr", "aud"):
        assert_error_line(env.run("ismap", "import", "--as", who, env.path("ismap.csv")), 1)
    r = env.run("ismap", "import", "--as", "ciso", write(env, "nohead.csv", "番号だけ\r\n1\r\n"))
    assert r.code == 2 and "登録番号" in r.err, r


run(globals())
