"""Listings that grow with the ledger come a page at a time (issue 9,
finding 1): the services a request can start from, the requests, the
review queues and the dashboard's work lists say how many there are and
show a page; the audit page verifies the chain only when asked (it reads
every record); the dashboard's overview, kept between views, follows
every write, whichever server made it.

`extsvc demo --entries 130` gives 130 further approved entries and
requests, one service each (電子申請1, 施設予約1, ... in 20 names).
"""
import html as htmlmod
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import assert_error, document, run  # noqa: E402

ENTRIES = 130


def visible(html):
    return re.sub(r"\s+", " ", htmlmod.unescape(re.sub(r"<[^>]+>", " ", html)))


def q(text):
    return urllib.parse.quote(text, safe="")


def start(env):
    env.ok("demo")
    env.ok("demo", "--entries", str(ENTRIES))
    return env.start(demo=False)


def test_services_come_a_page_at_a_time_and_are_found_by_name(env):
    start(env)
    staff = env.token("shokuin")
    first = staff.json_ok("GET", "/api/v1/services")
    assert first["total"] > ENTRIES and first["limit"] == 100, {k: first[k] for k in first
                                                                  if k != "services"}
    assert len(first["services"]) == 100
    rest = staff.json_ok("GET", "/api/v1/services?offset=100&limit=1000")
    ids = [s["id"] for s in first["services"] + rest["services"]]
    assert len(ids) == len(set(ids)) == first["total"], "pages overlap or miss services"
    names = [(s["name"], s["function"], s["provider"]) for s in first["services"]]
    assert names == sorted(names), "ordered by name, function, provider"
    found = staff.json_ok("GET", "/api/v1/services?q=" + q("翻訳"))["services"]
    assert found and all("翻訳" in s["name"] + s["function"] + s["provider"] for s in found), found
    # 翻訳1..翻訳7 of the demo entries, and DeepL's 翻訳 of the samples.
    assert {"翻訳1", "翻訳7"} <= {s["name"] for s in found}, found
    upper = staff.json_ok("GET", "/api/v1/services?q=DEEPL")["services"]
    assert [s["name"] for s in upper] == ["DeepL 翻訳"], upper
    in_ledger = staff.json_ok("GET", "/api/v1/services?in_ledger=1&limit=1000")
    assert in_ledger["services"] and all(s["entries"] > 0 for s in in_ledger["services"])
    assert in_ledger["total"] < first["total"], "the samples name services not in the ledger"
    for bad in ("limit=0", "limit=1001", "limit=x", "offset=-1"):
        assert_error(staff.get("/api/v1/services?" + bad), 400, "invalid")


def test_requests_come_a_page_at_a_time(env):
    start(env)
    appr = env.token("shinsa")
    everything = env.json("request", "list", "--json")["requests"]
    assert len(everything) > ENTRIES, "the CLI lists every request"
    page = appr.json_ok("GET", "/api/v1/requests")
    assert page["total"] == len(everything) and len(page["requests"]) == 100, page["total"]
    assert [r["id"] for r in page["requests"]] == [r["id"] for r in everything[:100]]
    newest = appr.json_ok("GET", "/api/v1/requests?order=desc&limit=5")["requests"]
    assert [r["id"] for r in newest] == sorted((r["id"] for r in everything), reverse=True)[:5]
    tail = appr.json_ok("GET", "/api/v1/requests?offset=100&limit=1000")["requests"]
    assert [r["id"] for r in tail] == [r["id"] for r in everything[100:]]
    approved = appr.json_ok("GET", "/api/v1/requests?state=approved&limit=1")
    assert approved["total"] == sum(r["state"] == "approved" for r in everything)
    # A manager's total counts their own department's only.
    mine = env.token("kyoiku").json_ok("GET", "/api/v1/requests")
    assert 0 < mine["total"] < 10, mine["total"]
    for bad in ("limit=0", "limit=1001", "offset=-3", "state=nonsense"):
        assert_error(appr.get("/api/v1/requests?" + bad), 400, "invalid")

    c, _ = env.page_signin("shinsa")
    html = c.get("/requests").text
    text = visible(html)
    assert "%d 件（新しい順）のうち 1〜100 件目" % len(everything) in text, text[:600]
    shown = [int(n) for n in re.findall(r'href="/requests/(\d+)"', html)]
    assert shown[0] == max(r["id"] for r in everything), "newest first"
    assert 'rel="next"' in html and 'rel="prev"' not in html
    html2 = c.get("/requests?page=2").text
    shown2 = [int(n) for n in re.findall(r'href="/requests/(\d+)"', html2)]
    assert shown2 and not set(shown2) & set(shown) and 'rel="prev"' in html2


def test_dashboard_and_review_count_what_they_do_not_show(env):
    start(env)
    # 25 requests waiting in 事前協議, more than a work list shows.
    for i in range(25):
        rid = env.json("request", "new", "--as", "somu", "--json", "-",
                       input=document(name="協議待ち %d" % i, applicant=None))["id"]
        env.ok("request", "consult", "--as", "somu", rid)
    c, _ = env.page_signin("shinsa")
    text = visible(c.get("/").text)
    m = re.search(r"事前協議の依頼.*?（(\d+) 件。古い 20 件を表示", text)
    assert m and int(m.group(1)) >= 25, text[:800]
    review = visible(c.get("/review").text)
    assert re.search(r"事前協議中（\d+ 件、古い順）", review), review[:800]


def test_new_request_page_finds_a_service_by_name(env):
    start(env)
    c, _ = env.page_signin("somu")
    html = c.get("/requests/new").text
    assert re.search(r"該当 \d+ 件のうち 50 件を表示しています", visible(html)), visible(html)[:900]
    html = c.get("/requests/new?find=" + q("翻訳")).text
    labels = [htmlmod.unescape(v) for v in
              re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html)]
    assert labels and all("翻訳" in v for v in labels), labels
    # Choosing one keeps it chosen, found or not by the current search.
    sid = int(re.search(r'<option value="(\d+)"[^>]*>翻訳1', html).group(1))
    html = c.get("/requests/new?service=%d" % sid).text
    assert 'name="service_name" value="翻訳1"' in html
    assert re.search(r'<option value="%d" selected' % sid, html), "the choice is shown"
    none = visible(c.get("/requests/new?find=" + q("存在しないサービス")).text)
    assert "台帳に該当する外部サービスはありません" in none


def test_audit_page_verifies_the_chain_when_asked(env):
    env.start()
    auditor = env.token("kansa")
    c, _ = env.page_signin("kansa")
    plain = visible(c.get("/audit").text)
    assert "ハッシュの連鎖を検証する" in plain and "検証しました" not in plain
    checked = visible(c.get("/audit?verify=1").text)
    assert re.search(r"ハッシュの連鎖を検証しました: 正常（\d+ 件）", checked), checked[:600]
    total = auditor.json_ok("GET", "/api/v1/audit?limit=1")["total"]
    assert total == int(re.search(r"正常（(\d+) 件）", checked).group(1))


def test_overview_follows_writes_made_through_another_server(env):
    env.ok("demo")
    a = env.start(demo=False)
    b = a.peer()
    before = a.token("kansa").json_ok("GET", "/api/v1/overview")
    again = a.token("kansa").json_ok("GET", "/api/v1/overview")
    assert again == before
    mgr, appr = b.token("somu"), b.token("shinsa")
    rid = mgr.json_ok("POST", "/api/v1/requests", document(name="別サーバで承認", applicant=None),
                      status=201)["id"]
    for who, step in ((mgr, "consult"), (appr, "conclude"), (mgr, "submit"), (appr, "approve")):
        who.json_ok("POST", "/api/v1/requests/%d/%s" % (rid, step), {})
    after = a.token("kansa").json_ok("GET", "/api/v1/overview")
    assert after["requests"]["approved"] == before["requests"]["approved"] + 1, (before, after)
    total = sum(after["entries"].values())
    assert total == sum(before["entries"].values()) + 1, (before, after)


run(globals())
