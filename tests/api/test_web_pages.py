"""The Japanese HTML pages, signed in through the /login form (the cookie
of the 303, followed): dashboard, ledger search by Japanese substrings, the
entry page with (ア)〜(キ) and its versions, the request page with its
evaluation; security headers on every response; and HTML escaping of
hostile field values wherever they are shown (issue 3).
"""
import html as htmlmod
import os
import re
import sys
import urllib.parse
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import (DEMO_PASSWORD, Client, document, load_data, run,  # noqa: E402
                    session_cookie)

SCRIPT = "<script>alert(1)</script>"
QUOTE = '" onmouseover="x'
SCRIPT_ESC = "&lt;script&gt;alert(1)&lt;/script&gt;"
QUOTE_ESC = "&quot; onmouseover=&quot;x"


def q(text):
    return urllib.parse.quote(text, safe="")


def visible(html):
    """The page's text, tags dropped and entities decoded."""
    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", html))


def entry_links(html):
    return sorted(set(int(n) for n in re.findall(r'href="/ledger/(\d+)"', html)))


def get_page(c, path, status=200):
    r = c.get(path)
    assert r.status == status, "GET %s: expected %d: %r" % (path, status, r)
    if status == 200:
        assert (r.header("Content-Type") or "").startswith("text/html"), r.header("Content-Type")
    return r


def test_dashboard_after_form_signin(env):
    env.start()
    c, page = env.page_signin("somu")
    html = page.text
    assert '<html lang="ja">' in html
    text = visible(html)
    assert "ダッシュボード" in text and "周南 太郎" in text, text[:500]
    # My drafts, and a way to file a new request.
    assert 'href="/requests/4"' in html and "ChatGPT" in text, "the manager's draft #4 is missing"
    # And their request in 事前協議, #7.
    assert "事前協議中" in text and 'href="/requests/7"' in html and "kintone" in text, \
        "the manager's request in consultation #7 is missing"
    assert 'href="/requests/new"' in html
    assert "90日以内" in text
    # The other department's manager: #8, concluded, ready to be submitted.
    _k, page = env.page_signin("kyoiku")
    assert "協議済み" in visible(page.text) and 'href="/requests/8"' in page.text, \
        "kyoiku's concluded request #8 is missing"
    # The approver's dashboard shows the queue with #3, and the 事前協議 (#7).
    a, page = env.page_signin("shinsa")
    assert "審査待ち" in visible(page.text) and 'href="/requests/3"' in page.text
    assert "事前協議" in visible(page.text) and 'href="/requests/7"' in page.text
    # The review page: the queue, and the 事前協議 waiting for the approver (#7).
    review = get_page(a, "/review").text
    assert 'href="/requests/3"' in review and 'href="/requests/7"' in review, review[-2000:]
    # After sign-in, the page asked for; never another site.
    _c, page = env.page_signin("shokuin", next_="/ledger/2")
    assert "DeepL 翻訳" in visible(page.text)
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example",
                 "/\t/evil.example", "/\n/evil.example", "/ /evil.example"):
        data = urllib.parse.urlencode({"login": "kyoiku", "password": DEMO_PASSWORD, "next": evil})
        r = Client(env).request("POST", "/login", body=data.encode(),
                                ctype="application/x-www-form-urlencoded")
        assert r.status == 303 and r.header("Location") == "/", \
            "next=%s must not lead off the site: %r" % (evil, r.header("Location"))
    # A wrong password shows the form again (no cookie).
    data = urllib.parse.urlencode({"login": "kyoiku", "password": "wrong-password", "next": "/"})
    r = Client(env).request("POST", "/login", body=data.encode(),
                            ctype="application/x-www-form-urlencoded")
    assert r.status == 401 and not session_cookie(r) and 'name="password"' in r.text, r


def test_ledger_search_by_japanese_substring(env):
    env.start()
    c, _ = env.page_signin("shokuin")  # staff: reads the ledger
    r = get_page(c, "/ledger?q=" + q("翻訳"))
    assert entry_links(r.text) == [2], "「翻訳」 must find only DeepL 翻訳: %s" % entry_links(r.text)
    assert "DeepL 翻訳" in visible(r.text)
    r = get_page(c, "/ledger?q=" + q("チーム"))
    assert entry_links(r.text) == [1], "「チーム」 must find the Teams entry: %s" % entry_links(r.text)
    text = visible(r.text)
    assert "Microsoft Teams" in text and "庁外関係者とのWeb会議（チーム会議）" in text
    # Provider and the keyword kept in the search box.
    r = get_page(c, "/ledger?q=" + q("マイクロソフト"))
    assert entry_links(r.text) == [1]
    assert 'value="マイクロソフト"' in r.text, "the search box must keep the query"
    r = get_page(c, "/ledger?q=" + q("存在しないサービス"))
    assert entry_links(r.text) == [], entry_links(r.text)
    r = get_page(c, "/ledger")
    assert entry_links(r.text) == [1, 2]


def test_entry_page_shows_fields_and_versions(env):
    env.start()
    c, _ = env.page_signin("shokuin")
    html = get_page(c, "/ledger/1").text
    text = visible(html)
    for label in ("(ア)", "(イ)", "(ウ)", "(エ)", "(オ)", "(カ)", "(キ)"):
        assert label in text, "the entry page lacks %s" % label
    for value in ("Microsoft Teams", "日本マイクロソフト株式会社", "庁外関係者とのWeb会議（チーム会議）",
                  "機密性2", "令和8年4月1日", "令和9年3月31日", "総務部 総務課", "周南 太郎", "部局内に限る"):
        assert value in text, "the entry page lacks %r" % value
    assert "第1版" in text
    # The department's manager also reaches the request behind each version.
    m, _ = env.page_signin("somu")
    assert 'href="/requests/1"' in get_page(m, "/ledger/1").text
    # Extended and approved: version 2 beside version 1.
    mgr, appr = env.token("somu"), env.token("shinsa")
    rid = mgr.json_ok("POST", "/api/v1/ledger/1/extend", {"to": "2028-03-31"}, status=201)["id"]
    mgr.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/approve" % rid, {})
    html = get_page(c, "/ledger/1").text
    text = visible(html)
    assert "第1版" in text and "第2版" in text, "both versions must be listed"
    assert "令和10年3月31日" in text
    assert 'href="/requests/%d"' % rid in get_page(m, "/ledger/1").text
    get_page(c, "/ledger/999", status=404)


def test_dates_on_pages_follow_the_display_setting(env):
    """[display] dates: 和暦 by default (above), 西暦 or ISO where set; the
    API stays ISO whatever the pages show."""
    for setting, want, unwanted in (("seireki", "2026年4月1日 〜 2027年3月31日", "令和8年"),
                                    ("iso", "2026-04-01 〜 2027-03-31", "令和8年")):
        env.stop()
        env.start_with_config("[display]\ndates = %s\n" % setting)
        c, _ = env.page_signin("shokuin")
        text = visible(get_page(c, "/ledger/1").text)
        assert want in text and unwanted not in text, (setting, text[:800])
        api = env.token("shokuin").json_ok("GET", "/api/v1/ledger/1")
        assert api["period"] == {"from": "2026-04-01", "to": "2027-03-31"}, api["period"]
    ini = env.write("bad.ini", "[server]\ndatabase = %s\n[display]\ndates = heisei\n" % env.db)
    r = env.run("serve", "--config", ini, "--check", db=False)
    assert r.code == 2 and "[display] dates" in r.err, r


def test_extension_on_the_page_takes_wareki(env):
    """The extension and retirement forms read dates as people write them;
    a day that does not exist is refused with the reason, and nothing is
    opened."""
    env.start()
    c, _ = env.page_signin("somu")
    r = c.form("/ledger/1/extend", {"to": "令和元年4月30日"})
    assert r.status in (400, 422) and "令和は2019年5月1日から" in visible(r.text), (r.status, r.text[:500])
    mgr = env.token("somu")
    before = mgr.json_ok("GET", "/api/v1/requests")
    r = c.form("/ledger/1/extend", {"to": "R10.3.31"})
    assert r.status == 303, r
    rid = int(r.header("Location").rsplit("/", 1)[1])
    assert mgr.json_ok("GET", "/api/v1/requests/%d" % rid)["document"]["period"]["to"] == "2028-03-31"
    after = mgr.json_ok("GET", "/api/v1/requests")
    assert len(after["requests"]) == len(before["requests"]) + 1


def test_request_page_shows_evaluation(env):
    env.start()
    c, _ = env.page_signin("somu")
    html = get_page(c, "/requests/4").text
    text = visible(html)
    assert "承認できません" in text, "#4 has blockers: the panel must say so"
    blockers = re.findall(r'<li class="blocker">(.*?)</li>', html, re.S)
    assert blockers, "no blocker listed on #4"
    cited = [b for b in blockers if "別紙 項番" in htmlmod.unescape(b)]
    assert cited, "blockers must cite 「別紙 項番」: %r" % blockers[:3]
    assert any("別紙 項番11" in htmlmod.unescape(b) for b in blockers), "項番11 (mandatory, unmet) is a blocker"
    # Approvable #3 (risk review) says so.
    text = visible(get_page(c, "/requests/3").text)
    assert "承認できます" in text
    # The edit form of a draft keeps its answers.
    html = get_page(c, "/requests/4/edit").text
    assert 'value="ChatGPT"' in html and 'name="csrf"' in html


def test_pages_refuse_like_the_api(env):
    """Pages apply the roles of CONTRACT.md section 5: 403 where the role
    may not."""
    env.start()
    problems = []
    for login, path in (("shokuin", "/requests"), ("shokuin", "/requests/3"),
                        ("shokuin", "/requests/new"), ("shokuin", "/audit"), ("shokuin", "/users"),
                        ("kyoiku", "/requests/3"), ("somu", "/audit"), ("somu", "/users"),
                        ("shinsa", "/users"), ("admin", "/audit"), ("shokuin", "/review"),
                        ("somu", "/review")):
        c, _ = env.page_signin(login)
        r = c.get(path)
        if r.status != 403:
            problems.append("%s GET %s: expected 403, got %d" % (login, path, r.status))
    for login, path in (("kansa", "/audit"), ("ciso", "/audit"), ("admin", "/users"),
                        ("shinsa", "/review"), ("ciso", "/catalogue"), ("somu", "/requests/new")):
        c, _ = env.page_signin(login)
        r = c.get(path)
        if r.status != 200:
            problems.append("%s GET %s: expected 200, got %d" % (login, path, r.status))
    # Without a session: to the sign-in page.
    r = Client(env).get("/requests/4")
    if r.status != 303 or not (r.header("Location") or "").startswith("/login?next="):
        problems.append("anonymous /requests/4: %r" % r)
    assert not problems, "\n  ".join([""] + problems)


def check_security_headers(r, where):
    csp = r.header("Content-Security-Policy") or ""
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    problems = []
    if directives.get("default-src") != "default-src 'self'":
        problems.append("CSP default-src 'self' missing: %r" % csp)
    if directives.get("frame-ancestors") != "frame-ancestors 'none'":
        problems.append("CSP frame-ancestors 'none' missing: %r" % csp)
    if (r.header("X-Content-Type-Options") or "").lower() != "nosniff":
        problems.append("X-Content-Type-Options: %r" % r.header("X-Content-Type-Options"))
    if (r.header("Referrer-Policy") or "").lower() != "same-origin":
        problems.append("Referrer-Policy: %r" % r.header("Referrer-Policy"))
    return ["%s (%d): %s" % (where, r.status, p) for p in problems]


def test_security_headers_on_every_response(env):
    env.start()
    c, _ = env.page_signin("somu")
    tok = env.token("somu")
    anon = Client(env)
    form = "application/x-www-form-urlencoded"
    responses = [
        ("GET /login", anon.get("/login")),
        ("POST /login wrong", anon.request("POST", "/login", body=b"login=somu&password=x", ctype=form)),
        ("POST /login", anon.request("POST", "/login", body=urllib.parse.urlencode(
            {"login": "kyoiku", "password": DEMO_PASSWORD}).encode(), ctype=form)),
        ("GET / anonymous (redirect)", anon.get("/")),
        ("GET /", c.get("/")),
        ("GET /ledger?q=", c.get("/ledger?q=" + q("翻訳"))),
        ("GET /ledger/1", c.get("/ledger/1")),
        ("GET /requests", c.get("/requests")),
        ("GET /requests/new", c.get("/requests/new")),
        ("GET /requests/4", c.get("/requests/4")),
        ("GET /requests/4/edit", c.get("/requests/4/edit")),
        ("POST /requests/4/submit no csrf (403)", c.form("/requests/4/submit", {}, csrf_field=False)),
        ("POST /requests/4/consult (303)", c.form("/requests/4/consult", {"comment": "協議"})),
        ("GET /audit (403)", c.get("/audit")),
        ("GET /no-such-page (404)", c.get("/no-such-page")),
        ("GET /static/style.css", c.get("/static/style.css")),
        ("GET /api/v1/ledger", tok.get("/api/v1/ledger")),
        ("GET /api/v1/ledger anonymous (401)", anon.get("/api/v1/ledger")),
        ("GET /api/v1/nothing (404)", tok.get("/api/v1/nothing")),
        ("POST /api/v1/requests bad JSON (400)", tok.post("/api/v1/requests", b"{")),
        ("POST /api/v1/check 2 MiB (413)", tok.post("/api/v1/check", b"x" * (2 << 20))),
        ("POST /api/v1/requests (201)", tok.post("/api/v1/requests", document())),
        ("POST /api/v1/session", anon.post("/api/v1/session", {"login": "ciso", "password": DEMO_PASSWORD})),
    ]
    problems = []
    for where, r in responses:
        problems += check_security_headers(r, where)
    assert not problems, "%d missing header(s):\n  " % len(problems) + "\n  ".join(problems)
    statuses = sorted(set(r.status for _, r in responses))
    assert {200, 201, 303, 400, 401, 403, 404, 413} <= set(statuses), statuses
    # API answers are JSON, never something a browser would render as HTML.
    for where, r in responses:
        if "/api/" in where:
            assert (r.header("Content-Type") or "").startswith("application/json"), (where, r.header("Content-Type"))


def add_hostile_user(env):
    env.ok("user", "add", "evil", "--name", "悪意 " + SCRIPT + QUOTE,
           "--dept", "部署 " + SCRIPT + QUOTE, "--role", "manager",
           "--password-stdin", input=DEMO_PASSWORD + "\n")


class Elements(HTMLParser):
    """What a browser would build: event-handler attributes and inline
    scripts (the pages load only /static/app.js)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.handlers, self.scripts = [], []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append((tag, name, value))
        if tag == "script":
            self._in_script = True
            src = dict(attrs).get("src")
            if not src or not src.startswith("/static/"):
                self.scripts.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.scripts.append(data[:80])


def assert_escaped(page, where, must_show=True):
    """No raw hostile markup in the page; the escaped text where shown."""
    html = page.text
    problems = []
    if "<script>alert" in html:
        i = html.index("<script>alert")
        problems.append("raw <script>alert at %d: %r" % (i, html[max(0, i - 120):i + 60]))
    if QUOTE in html:
        i = html.index(QUOTE)
        problems.append("unescaped quote at %d: %r" % (i, html[max(0, i - 120):i + 60]))
    parsed = Elements(html)
    if parsed.handlers:
        problems.append("elements carry event handlers: %r" % parsed.handlers[:3])
    if parsed.scripts:
        problems.append("inline script elements: %r" % parsed.scripts[:3])
    if must_show and SCRIPT_ESC not in html:
        problems.append("the escaped value %r is not shown" % SCRIPT_ESC)
    if must_show and QUOTE_ESC not in html:
        problems.append("the escaped quote %r is not shown" % QUOTE_ESC)
    return ["%s: %s" % (where, p) for p in problems]


def test_hostile_values_are_escaped(env):
    env.start(extra=add_hostile_user)
    hostile = load_data("hostile.json")
    assert SCRIPT in hostile["purpose"] and QUOTE in hostile["service"]["name"]
    mgr = env.token("somu")
    rid = mgr.json_ok("POST", "/api/v1/requests", hostile, status=201)["id"]
    problems = []
    c, _ = env.page_signin("somu")
    for path in ("/requests/%d" % rid, "/requests/%d/edit" % rid, "/requests", "/"):
        problems += assert_escaped(get_page(c, path), "somu " + path)
    # The edit form's value attributes hold the values, escaped.
    edit = c.get("/requests/%d/edit" % rid).text
    for name in ("service_name", "service_function", "provider", "purpose", "scope"):
        m = re.search(r'<input type="text" name="%s" value="([^"]*)"' % name, edit)
        if not m:
            problems.append("edit form: no value attribute for %s" % name)
        elif htmlmod.unescape(m.group(1)) != {
                "service_name": hostile["service"]["name"],
                "service_function": hostile["service"]["function"],
                "provider": hostile["service"]["provider"],
                "purpose": hostile["purpose"], "scope": hostile["scope"]}[name]:
            problems.append("edit form: %s value reads %r" % (name, htmlmod.unescape(m.group(1))))
    # Consulted on and concluded (5(2)①), submitted, commented on (hostile
    # comments), approved: the approver's pages and the ledger.
    appr = env.token("shinsa")
    mgr.json_ok("POST", "/api/v1/requests/%d/consult" % rid, {"comment": "協議 " + SCRIPT + QUOTE})
    appr.json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {"comment": "協議済み " + SCRIPT})
    mgr.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {"comment": "申請 " + SCRIPT + QUOTE})
    # (comment is this program's own step, beyond section 6: its answer is not asserted)
    appr.post("/api/v1/requests/%d/comment" % rid, {"comment": "確認 " + SCRIPT + QUOTE})
    a, _ = env.page_signin("shinsa")
    for path in ("/review", "/requests/%d" % rid, "/"):
        problems += assert_escaped(get_page(a, path), "shinsa " + path)
    entry = appr.json_ok("POST", "/api/v1/requests/%d/approve" % rid, {"comment": "承認 " + SCRIPT})["entry_id"]
    s, _ = env.page_signin("shokuin")
    for path in ("/ledger", "/ledger?q=Evil", "/ledger/%d" % entry, "/requests/%d" % rid):
        if path.startswith("/requests"):
            continue  # staff reads no requests
        problems += assert_escaped(get_page(s, path), "shokuin " + path)
    problems += assert_escaped(get_page(a, "/requests/%d" % rid), "shinsa after approval")
    # Reflected input: the search box, the sign-in form's login and next.
    r = get_page(s, "/ledger?q=" + q(SCRIPT + QUOTE))
    problems += assert_escaped(r, "search box")
    r = Client(env).get("/login?next=" + q("/" + QUOTE + "><script>alert(1)</script>"))
    problems += assert_escaped(r, "login next", must_show=False)
    data = urllib.parse.urlencode({"login": SCRIPT + QUOTE, "password": "x", "next": "/"})
    r = Client(env, source="127.0.0.50").request("POST", "/login", body=data.encode(),
                                                   ctype="application/x-www-form-urlencoded")
    problems += assert_escaped(r, "failed login echo", must_show=False)
    # A user whose name and department are hostile: the header and lists.
    e, page = env.page_signin("evil")
    problems += assert_escaped(page, "evil dashboard")
    rid2 = env.token("evil").json_ok("POST", "/api/v1/requests", document(), status=201)["id"]
    problems += assert_escaped(get_page(e, "/requests/%d" % rid2), "evil request page")
    problems += assert_escaped(get_page(a, "/requests"), "approver's list with evil's department")
    k, _ = env.page_signin("kansa")
    problems += assert_escaped(get_page(k, "/audit"), "audit page", must_show=False)
    ad, _ = env.page_signin("admin")
    problems += assert_escaped(get_page(ad, "/users"), "users page")
    assert not problems, "%d escaping problem(s):\n  " % len(problems) + "\n  ".join(problems)


def test_admin_changes_a_users_roles_and_disables_them_from_the_page(env):
    env.start()
    a, _ = env.page_signin("admin")
    page = get_page(a, "/users").text
    assert 'action="/users/shokuin"' in page, "each user has a change form"
    r = a.form("/users/shokuin", {"name": "新南陽 陽菜", "dept": "総務部 総務課",
                                  "role_staff": "on", "role_auditor": "on", "active": "on"})
    assert r.status == 303, r
    users = {u["login"]: u for u in env.token("admin").json_ok("GET", "/api/v1/users")["users"]}
    assert sorted(users["shokuin"]["roles"]) == ["auditor", "staff"], users["shokuin"]
    # The new role takes effect: the audit log is now theirs to read.
    s, _ = env.page_signin("shokuin")
    assert get_page(s, "/audit").status == 200
    # Disabled (active unticked): they can no longer sign in.
    r = a.form("/users/shokuin", {"name": "新南陽 陽菜", "dept": "総務部 総務課",
                                  "role_staff": "on"})
    assert r.status == 303, r
    data = urllib.parse.urlencode({"login": "shokuin", "password": DEMO_PASSWORD, "next": "/"})
    r = Client(env).request("POST", "/login", body=data.encode(),
                            ctype="application/x-www-form-urlencoded")
    assert r.status == 401 and not session_cookie(r), r
    # No roles at all is refused; a manager may not change users.
    r = a.form("/users/kyoiku", {"name": "徳山 咲", "dept": "教育委員会 学校教育課", "active": "on"})
    assert r.status == 400 and "役割" in visible(r.text), r
    m, _ = env.page_signin("somu")
    r = m.form("/users/kyoiku", {"name": "x", "dept": "y", "role_admin": "on", "active": "on"})
    assert r.status == 403, r
    audit = env.token("kansa").json_ok("GET", "/api/v1/audit?action=user.update")
    assert audit["total"] == 2, audit


def test_a_request_can_start_from_a_known_service(env):
    env.start()
    m, _ = env.page_signin("kyoiku")
    page = get_page(m, "/requests/new").text
    services = dict((int(k), htmlmod.unescape(v)) for k, v in
                    re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', page))
    teams = [k for k, v in services.items() if v.startswith("Microsoft Teams")]
    assert teams, services
    page = get_page(m, "/requests/new?service=%d" % teams[0]).text
    assert 'name="service_name" value="Microsoft Teams"' in page
    assert 'name="provider" value="日本マイクロソフト株式会社"' in page
    assert re.search(r'name="carry_over" value="1" checked', page), "carry-over is ticked"
    fields = {"service_name": "Microsoft Teams", "service_function": "Web会議",
              "provider": "日本マイクロソフト株式会社", "category": "web-conference",
              "purpose": "教職員研修", "period_from": "2026-12-01", "period_to": "2027-11-30",
              "scope": "学校教育課内に限る", "confidentiality": "2", "integrity": "2",
              "availability": "1", "carry_over": "1", "do": "save"}
    r = m.form("/requests/new", fields)
    assert r.status == 303, r
    rid = int(r.header("Location").rsplit("/", 1)[1])
    doc = env.token("kyoiku").json_ok("GET", "/api/v1/requests/%d" % rid)["document"]
    marks = [a.get("carried_over") for a in doc.get("requirements", {}).values()]
    assert len(marks) == 28 and all(m and m["request"] == 1 for m in marks), doc


def test_ledger_filters_by_department(env):
    env.start()
    depts = {d["name"]: d["id"] for d in
             env.token("shokuin").json_ok("GET", "/api/v1/departments")["departments"]}
    c, _ = env.page_signin("shokuin")
    page = get_page(c, "/ledger").text
    assert 'name="department"' in page and "教育委員会 学校教育課" in visible(page)
    somu = get_page(c, "/ledger?department=%d" % depts["総務部 総務課"]).text
    assert entry_links(somu) == [1, 2], entry_links(somu)
    kyoiku = get_page(c, "/ledger?department=%d" % depts["教育委員会 学校教育課"]).text
    assert entry_links(kyoiku) == [] and "0 件" in visible(kyoiku)


def test_user_management_keeps_an_admin_and_ends_sessions_on_a_new_password(env):
    env.start()
    a, _ = env.page_signin("admin")
    base = {"name": "管理 一郎", "dept": "総務部 情報政策課"}
    # The only admin cannot drop their role, nor disable themself.
    r = a.form("/users/admin", dict(base, role_staff="on", active="on"))
    assert r.status == 409 and "admin" in visible(r.text), r
    r = a.form("/users/admin", dict(base, role_admin="on"))
    assert r.status == 409, r
    users = {u["login"]: u for u in env.token("admin").json_ok("GET", "/api/v1/users")["users"]}
    assert users["admin"]["roles"] == ["admin"] and users["admin"]["active"], users["admin"]
    # A new password ends the sessions the user had.
    s, _ = env.page_signin("shokuin")
    assert get_page(s, "/ledger").status == 200
    r = a.form("/users/shokuin", {"name": "新南陽 陽菜", "dept": "総務部 総務課",
                                  "role_staff": "on", "active": "on",
                                  "password": "a-new-password-2026"})
    assert r.status == 303, r
    r = s.get("/ledger")
    assert r.status == 303 and "/login" in (r.header("Location") or ""), r
    s2, _ = env.page_signin("shokuin", password="a-new-password-2026")
    assert get_page(s2, "/ledger").status == 200


if __name__ == "__main__":
    run(globals())
