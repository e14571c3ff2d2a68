"""The ledger search through the API and the ledger page finds what a
person typed: the query is folded (NFKC and case) as the stored text is, so
full-width ＴＥＡＭＳ, teams and Teams find the same entry, and the page keeps
the query as it was typed. Demo entries: 1 Microsoft Teams, 2 DeepL 翻訳.
"""
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import run  # noqa: E402


def q(text):
    return urllib.parse.quote(text, safe="")


def test_api_search_folds_width_and_case(env):
    env.start()
    staff = env.token("shokuin")
    for text, want in (("ＴＥＡＭＳ", [1]), ("teams", [1]), ("Teams", [1]), ("ｔｅａｍｓ", [1]),
                       ("ＤｅｅｐＬ", [2]), ("DEEPL", [2]), ("ｄ", [2]), ("翻訳", [2])):
        body = staff.json_ok("GET", "/api/v1/ledger?q=" + q(text))
        got = sorted(e["id"] for e in body["entries"])
        assert got == want and body["total"] == len(want), (text, body)
    body = staff.json_ok("GET", "/api/v1/ledger?q=" + q("ＴＥＡＭＳ"))
    assert body["entries"][0]["service"]["name"] == "Microsoft Teams", body


def test_ledger_page_search_folds_and_keeps_the_query(env):
    env.start()
    c, _ = env.page_signin("shokuin")
    r = c.get("/ledger?q=" + q("ＴＥＡＭＳ"))
    assert r.status == 200, r
    links = sorted(set(int(n) for n in re.findall(r'href="/ledger/(\d+)"', r.text)))
    assert links == [1], links
    assert 'value="ＴＥＡＭＳ"' in r.text, "the search box keeps the query as typed"


run(globals())
