"""The ledger, audit and user pages over HTTP (issue 7): a page links only
to what its viewer may open; the entry page shows what the approval rested
on (conditions, procurement, cloud provider, data location, personal
information, the approval, each version's 事前協議) with times in JST; the
new entry states in the ledger filter; the audit log in Japanese; every
page with its skip link and the zone said once; the /users pattern valid.

The program's today is EXTSVC_TODAY=2026-05-01 (tests/cli/harness.py).
"""
import html as htmlmod
import os
import re
import sys
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import ROLE_LOGIN, document, run  # noqa: E402


def visible(html):
    """The page's text, tags dropped and entities decoded, spaces folded."""
    return re.sub(r"\s+", " ", htmlmod.unescape(re.sub(r"<[^>]+>", " ", html)))


def links(html):
    """The site's own GET links on a page (<a href>), without fragments."""
    out = set()
    for href in re.findall(r'<a [^>]*href="([^"#]+)', html):
        href = htmlmod.unescape(href)
        if href.startswith("/") and not href.startswith("//"):
            out.add(href)
    return sorted(out)


def jst(utc):
    """A stored UTC time as the pages show it, in Japan time and 和暦 (the
    default): "令和8年11月25日 18:00" (these tests run in 令和)."""
    t = datetime.strptime(utc, "%Y-%m-%dT%H:%M:%SZ") + timedelta(hours=9)
    year = t.year - 2018
    return "令和%s年%d月%d日 %s" % ("元" if year == 1 else year, t.month, t.day, t.strftime("%H:%M"))


def approve_with_consultation(env, doc, manager="somu"):
    """File `doc`, consult, conclude, submit and approve it through the API;
    (request id, ledger entry id)."""
    mgr, appr = env.token(manager), env.token("shinsa")
    rid = mgr.json_ok("POST", "/api/v1/requests", doc, status=201)["id"]
    mgr.json_ok("POST", "/api/v1/requests/%d/consult" % rid, {"comment": "録画の扱いをご確認ください"})
    appr.json_ok("POST", "/api/v1/requests/%d/comment" % rid, {"comment": "録画は庁内共有に限ってください"})
    appr.json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {"comment": "その条件で協議済みとします"})
    mgr.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/approve" % rid, {})
    return rid, mgr.json_ok("GET", "/api/v1/requests/%d" % rid)["entry_id"]


def full_document():
    d = document(name="オンライン研修", function="動画配信", provider="株式会社周南クラウド",
                 confidentiality="2", period=("2026-04-01", "2027-03-31"),
                 conditions=[{"text": "録画は庁内共有に限る", "status": "met",
                              "evidence": "管理画面で外部共有を無効化"}])
    d["service"]["cloud_provider"] = "Example Cloud Inc."
    d["service"]["data_location"] = "日本国内（東京リージョン）"
    d["personal_information"] = True
    return d


def test_every_link_on_the_ledger_pages_opens_for_its_viewer(env):
    """Another department's manager got 403 from an entry's version links;
    now every link a ledger page shows its viewer opens for that viewer."""
    env.start()
    rid, entry = approve_with_consultation(env, full_document())
    problems = []
    for login in list(ROLE_LOGIN.values()) + ["kyoiku"]:
        c, _ = env.page_signin(login)
        seen = set()
        for page in ("/ledger", "/ledger?state=all", "/ledger/1", "/ledger/2", "/ledger/%d" % entry):
            r = c.get(page)
            assert r.status == 200, "%s GET %s: %r" % (login, page, r)
            for href in links(r.text):
                if href in seen:
                    continue
                seen.add(href)
                s = c.get(href).status
                if s not in (200, 303):
                    problems.append("%s: %s links to %s, which answers %d" % (login, page, href, s))
    assert not problems, "\n  ".join([""] + problems)

    # The department's manager reaches the request; another's sees its number only.
    somu, _ = env.page_signin("somu")
    kyoiku, _ = env.page_signin("kyoiku")
    mine = somu.get("/ledger/%d" % entry).text
    theirs = kyoiku.get("/ledger/%d" % entry).text
    assert 'href="/requests/%d"' % rid in mine
    assert 'href="/requests/%d"' % rid not in theirs and "#%d" % rid in visible(theirs)
    # Only the entry's own managers are offered its change, extension, retirement.
    assert 'href="/ledger/%d/change"' % entry in mine and "変更を申請" in visible(mine)
    assert 'action="/ledger/%d/extend"' % entry in mine
    for what in ('href="/ledger/%d/change"' % entry, 'action="/ledger/%d/extend"' % entry,
                 'action="/ledger/%d/retire"' % entry):
        assert what not in theirs, "another department's manager is offered %s" % what


def test_entry_page_shows_what_the_approval_rested_on(env):
    env.start()
    rid, entry = approve_with_consultation(env, full_document())
    shown = env.token("shokuin").json_ok("GET", "/api/v1/ledger/%d" % entry)
    c, _ = env.page_signin("shokuin")
    text = visible(c.get("/ledger/%d" % entry).text)
    for want in ("録画は庁内共有に限る", "管理画面で外部共有を無効化", "満たす",       # conditions
                 "総務第123号", "令和8年2月1日", "令和8年2月15日",                         # procurement
                 "Example Cloud Inc.", "日本国内（東京リージョン）",
                 "個人情報の取扱い あり",
                 "審査 花子（shinsa）", jst(shown["approval"]["at"]),              # approval, JST
                 "録画の扱いをご確認ください", "録画は庁内共有に限ってください",    # 事前協議
                 "その条件で協議済みとします"):
        assert want in text, "the entry page lacks %r" % want
    for label in ("決裁番号", "決裁日", "業者決定日", "承認者", "承認日", "個別の選定条件", "事前協議"):
        assert label in text, "the entry page lacks the label %r" % label
    concluded = shown["versions"][0]["consultation"]
    assert "協議済み %s（審査 花子）" % jst(concluded["concluded_at"]) in text
    # No raw UTC time anywhere on the page.
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text), "a UTC time leaked onto the page"


def test_retiring_and_upcoming_entries_and_the_state_filter(env):
    env.start()
    mgr, appr = env.token("somu"), env.token("shinsa")
    rid = mgr.json_ok("POST", "/api/v1/ledger/2/retire", {"on": "2026-08-31"}, status=201)["id"]
    mgr.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/approve" % rid, {})
    _, upcoming = approve_with_consultation(
        env, document(name="来年度の新サービス", period=("2026-10-01", "2027-09-30")))
    c, _ = env.page_signin("shokuin")
    text = visible(c.get("/ledger/2").text)
    assert "廃止予定" in text and "廃止予定日 令和8年8月31日" in text, text[:600]
    assert "利用開始前" in visible(c.get("/ledger/%d" % upcoming).text)
    html = c.get("/ledger").text
    for value, label in (("upcoming", "利用開始前"), ("retiring", "廃止予定")):
        assert re.search(r'<option value="%s"[^>]*>%s</option>' % (value, label), html), \
            "the state filter lacks %s" % label
    r = c.get("/ledger?state=retiring")
    assert 'href="/ledger/2"' in r.text and 'href="/ledger/1"' not in r.text
    r = c.get("/ledger?state=upcoming")
    assert 'href="/ledger/%d"' % upcoming in r.text and 'href="/ledger/2"' not in r.text


def test_audit_page_says_actions_and_states_in_japanese(env):
    env.start()
    approve_with_consultation(env, full_document())
    c, _ = env.page_signin("kansa")
    html = c.get("/audit").text
    text = visible(html)
    for code, words in (("request.conclude", "協議済み"), ("request.consult", "事前協議の開始"),
                        ("ledger.create", "台帳 登録"), ("request.approve", "承認")):
        assert re.search(r"%s\s*<br><code>%s</code>" % (re.escape(words), re.escape(code)), html), \
            "the audit page does not say %s as %s" % (code, words)
    assert "事前協議中 → 協議済み" in text and "審査中 → 承認" in text
    assert 'href="/requests/1"' in html and 'href="/ledger/1"' in html


def test_every_page_has_a_skip_link_and_says_the_zone_once(env):
    env.start()
    for login, path in (("shokuin", "/"), ("shokuin", "/ledger/1"), ("kansa", "/audit"),
                        ("admin", "/users"), ("ciso", "/catalogue"), ("somu", "/requests/new")):
        c, _ = env.page_signin(login)
        html = c.get(path).text
        assert '<html lang="ja">' in html
        assert re.search(r'<body><a class="skip" href="#main">本文へ移動</a>', html), path
        assert '<main id="main">' in html, path
        assert html.count("日本時間（JST") == 1, "%s: the zone must be said exactly once" % path
    # Signed out too.
    html = env.anon().get("/login").text
    assert 'href="#main"' in html and '<main id="main">' in html


def test_users_form_patterns_compile_with_the_v_flag(env):
    """Chromium compiles pattern="" with the v flag, where a "-" inside a
    class must be escaped; an invalid pattern is dropped with a console
    error (the browser suite checks in Chromium; this catches it early)."""
    env.start()
    c, _ = env.page_signin("admin")
    html = c.get("/users").text
    patterns = [htmlmod.unescape(p) for p in re.findall(r'pattern="([^"]*)"', html)]
    assert patterns, "the /users form has a login pattern"
    for p in patterns:
        re.compile(p)
        for cls in re.findall(r"\[((?:\\.|[^\]\\])*)\]", p):
            body = re.sub(r"\\.", "", cls)
            ranges = re.sub(r"[^-\\]-[^-\\]", "", body)
            assert "-" not in ranges, "pattern %r has an unescaped - in [%s]" % (p, cls)
    # The field still takes what it should.
    assert re.fullmatch(patterns[0], "new.user-1") and not re.fullmatch(patterns[0], "bad login")


def test_a_migrated_entry_says_where_it_came_from(env):
    """An entry brought in by `ledger import` is marked 移行 on its page and
    in the API, with the file and row it came from."""
    path = env.write("旧台帳.csv", "サービス名,事業者名,業務内容,格付,利用期間,担当課,利用範囲\r\n"
                     "Box,Box Japan,資料共有,2,R8.4.1～R9.3.31,総務部 総務課,課内\r\n")
    env.ok("demo")
    env.ok("ledger", "import", "--as", "shinsa", path)
    env.start()
    listing = env.token("shokuin").json_ok("GET", "/api/v1/ledger?q=Box")
    entry = listing["entries"][0]
    assert entry["migrated_from"] == "旧台帳 旧台帳.csv 2 行目", entry
    assert "migrated_from" not in env.token("shokuin").json_ok("GET", "/api/v1/ledger/1")
    c, _ = env.page_signin("shokuin")
    text = visible(c.get("/ledger/%d" % entry["id"]).text)
    assert "移行 旧台帳 旧台帳.csv 2 行目 から取り込んだ登録です" in text, text[:800]
    assert "令和8年4月1日 〜 令和9年3月31日" in text


def test_the_dashboard_shows_what_is_due(env):
    """The reminders of `extsvc remind` on the dashboards: an ISMAP
    registration lapsing before the use ends, for the approver and for the
    entry's own manager, not for another department's."""
    path = env.write("ismap.csv", "登録番号,サービス名称,事業者名,登録日,有効期限\r\n"
                     "C21-7777-1,オンライン研修,株式会社周南クラウド,2021/4/1,2026/12/31\r\n")
    env.ok("demo")
    env.ok("ismap", "import", "--as", "ciso", path)
    env.start()
    doc = full_document()  # to 2027-03-31
    doc["service"]["ismap"] = "C21-7777-1"
    _, entry = approve_with_consultation(env, doc)
    want = ("台帳番号 %d オンライン研修 （総務部 総務課）: ISMAP C21-7777-1 の有効期限 令和8年12月31日、"
            "利用終了日 令和9年3月31日" % entry)
    for login, shown in (("shinsa", True), ("somu", True), ("kyoiku", False)):
        c, page = env.page_signin(login)
        text = visible(page.text)
        assert (want in text) == shown, (login, text[:3000])


if __name__ == "__main__":
    run(globals())
