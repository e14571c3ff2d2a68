"""The review page and the pages around it (issue 7): an approver decides
from one page (every requirement with its clause, level and text, the
answers with 対象外 and blocker rows marked, the 事前協議, procurement, what a
change changes), concludes the 事前協議 from it (5(2)①), and is told why an
approval is refused; the request form's preview, the return comment on the
edit form, 「変更を申請」 from a ledger entry, moving a draft to the
catalogue in force, and the dashboards as work lists.

Each test builds its own database (no demo data): the requests go through
the API as the standard orders them, consult → conclude → submit.
"""
import html as htmlmod
import os
import re
import sys
import urllib.parse
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import DEMO_PASSWORD, SOURCE, document, run  # noqa: E402

DEPT_A = "総務部 情報政策課"
DEPT_B = "市民部 市民課"
DEPT_IT = "総務部 情報システム課"
USERS = {
    "mgr": ("周南 太郎", DEPT_A, "manager"),
    "mgr_b": ("新南陽 三郎", DEPT_B, "manager"),
    "appr": ("審査 一郎", DEPT_IT, "approver"),
    "appr2": ("審査 二郎", DEPT_IT, "approver"),
    "ciso": ("統括 六郎", DEPT_IT, "ciso"),
    "aud": ("監査 七子", DEPT_IT, "auditor"),
}
CATALOGUE_2024 = os.path.join(SOURCE, "tests", "data", "catalogue-2024.json")
TEXT_28 = "保守端末は、認証管理、持出管理、施錠管理、ログ管理等によりセキュリティを確保していること。"
TEXT_15 = "データを消去する際に、データを復元できないように電子的に完全に消去又は廃棄すること。"


def setup(env):
    env.ok("init")
    for login, (name, dept, roles) in USERS.items():
        env.ok("user", "add", login, "--name", name, "--dept", dept, "--role", roles,
               "--password-stdin", input=DEMO_PASSWORD + "\n")


def start(env):
    return env.start(demo=False, extra=setup)


def visible(html):
    """The page's text, tags dropped and entities decoded."""
    return re.sub(r"\s+", " ", htmlmod.unescape(re.sub(r"<[^>]+>", " ", html)))


def page(c, path, status=200):
    r = c.get(path)
    assert r.status == status, "GET %s: expected %d: %r" % (path, status, r)
    assert (r.header("Content-Type") or "").startswith("text/html"), r.header("Content-Type")
    return r.text


def element(html, tag, id_):
    """The outer HTML of the element <tag id="id_"> (not nested in itself)."""
    m = re.search(r'<%s id="%s"[^>]*>.*?</%s>' % (tag, re.escape(id_), tag), html, re.S)
    assert m, "no <%s id=%s> on the page" % (tag, id_)
    return m.group(0)


def buttons(html):
    """{label: the <button …> tag} of the page's buttons."""
    return {htmlmod.unescape(m.group(2)).strip(): m.group(1)
            for m in re.finditer(r"(<button[^>]*>)(.*?)</button>", html, re.S)}


# --- requests through the API ---------------------------------------------

def new_request(env, doc=None, login="mgr"):
    return env.token(login).json_ok("POST", "/api/v1/requests", doc or document(),
                                    status=201)["id"]


def api_step(env, login, rid, action, comment=None):
    body = {"comment": comment} if comment else {}
    return env.token(login).json_ok("POST", "/api/v1/requests/%d/%s" % (rid, action), body)


def consulted(env, doc=None, login="mgr", comments=()):
    """A new request through 事前協議 to 協議済み; comments alternate
    manager, approver."""
    rid = new_request(env, doc, login)
    api_step(env, login, rid, "consult", "事前協議をお願いします")
    for i, text in enumerate(comments):
        api_step(env, login if i % 2 else "appr", rid, "comment", text)
    api_step(env, "appr", rid, "conclude", "協議を終えます")
    return rid


def approved(env, doc=None, login="mgr"):
    rid = consulted(env, doc, login)
    api_step(env, login, rid, "submit")
    api_step(env, "appr", rid, "approve")
    r = env.token(login).json_ok("GET", "/api/v1/requests/%d" % rid)
    return rid, r["entry_id"]


def show(env, rid, login="appr"):
    return env.token(login).json_ok("GET", "/api/v1/requests/%d" % rid)


# --- the form as a browser would post it -----------------------------------

class FormFields(HTMLParser):
    """The fields a browser would send for the form posting to `action`
    (text inputs, checked radios and checkboxes, selected options), and
    every control with its id, and the label fors."""

    def __init__(self, html, action):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.select = action, False, None
        self.fields, self.controls, self.label_for = [], [], set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if not self.inside:
            return
        if tag == "input":
            t = a.get("type", "text")
            if t != "hidden":
                self.controls.append((tag, a.get("name"), a.get("id")))
            if t in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif a.get("name"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.controls.append((tag, a.get("name"), a.get("id")))
            self.select = [a.get("name"), None, None]
        elif tag == "option" and self.select:
            if self.select[1] is None:
                self.select[1] = a.get("value", "")
            if "selected" in a:
                self.select[2] = a.get("value", "")
        elif tag == "textarea":
            self.controls.append((tag, a.get("name"), a.get("id")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "select" and self.select:
            name, first, chosen = self.select
            self.fields.append((name, chosen if chosen is not None else first))
            self.select = None


def post_fields(c, path, fields):
    data = urllib.parse.urlencode(fields).encode("utf-8")
    return c.request("POST", path, body=data, csrf=False,
                     ctype="application/x-www-form-urlencoded")


def replace(fields, **changes):
    out = [(k, changes.pop(k) if k in changes else v) for k, v in fields]
    return out + list(changes.items())


# --- the tests ---------------------------------------------------------------

def test_conclude_from_the_page(env):
    """5(2)①: the approver's 「協議済みにする」 button concludes the
    consultation; a manager's post is a 403 page, a wrong state a 409 page."""
    start(env)
    rid = new_request(env)
    api_step(env, "mgr", rid, "consult", "クラウドの保存場所について相談します")
    a, _ = env.page_signin("appr")
    html = page(a, "/requests/%d" % rid)
    b = buttons(html)
    assert "協議済みにする" in b, "the approver needs 「協議済みにする」: %s" % list(b)
    assert 'formaction="/requests/%d/conclude"' % rid in b["協議済みにする"]
    assert "承認する（台帳に登録）" not in b, "nothing to approve while consulting"
    # The manager sees no such button, and a forged post is refused (403).
    m, _ = env.page_signin("mgr")
    mhtml = page(m, "/requests/%d" % rid)
    assert "協議済みにする" not in buttons(mhtml)
    r = m.form("/requests/%d/conclude" % rid, {"comment": "自分で終える"})
    assert r.status == 403 and "text/html" in (r.header("Content-Type") or ""), r
    assert "許可権限者" in visible(r.text), visible(r.text)[:400]
    assert show(env, rid)["state"] == "consulting"
    # The approver concludes: back to the request, now 協議済み.
    r = a.form("/requests/%d/conclude" % rid, {"comment": "保存場所は国内で了承"})
    assert r.status == 303 and r.header("Location") == "/requests/%d" % rid, r
    got = show(env, rid)
    assert got["state"] == "consulted", got["state"]
    assert got["consultation"]["concluded_by"] == "appr"
    text = visible(page(a, "/requests/%d" % rid))
    assert "協議済み" in text and "審査 一郎" in text and "保存場所は国内で了承" in text
    # Concluding again is the wrong state: 409.
    r = a.form("/requests/%d/conclude" % rid, {})
    assert r.status == 409, r
    # Now the manager may submit from the page.
    assert "許可権限者に申請する" in buttons(page(m, "/requests/%d" % rid))


def test_submit_refused_before_conclusion(env):
    """A new request is submitted only after its 事前協議 (5(2)①): no submit
    button before, a line saying why, and a 409 page naming 5(2)①."""
    start(env)
    rid = new_request(env)
    m, _ = env.page_signin("mgr")
    for state in ("draft", "consulting"):
        html = page(m, "/requests/%d" % rid)
        b = buttons(html)
        assert "許可権限者に申請する" not in b, "%s: no submit before conclusion" % state
        text = visible(html)
        assert "事前協議を済ませてから申請" in text and "5(2)①" in text, text[:800]
        r = m.form("/requests/%d/submit" % rid, {})
        assert r.status == 409, "%s: submit must be refused: %r" % (state, r)
        assert "5(2)①" in visible(r.text), visible(r.text)[:400]
        assert show(env, rid)["state"] == state
        if state == "draft":
            assert "事前協議はまだ行われていません" in text, text
            assert "事前協議を始める（本基準5(2)①）" in b
            r = m.form("/requests/%d/consult" % rid, {"comment": "相談します"})
            assert r.status == 303, r


def review_document():
    doc = document(name="Box", function="ファイル共有", provider="Box Japan",
                   conditions=[{"text": "共有リンクは庁内限定", "status": "met",
                                "evidence": "管理画面で設定"},
                               {"text": "外部共有を記録する", "status": "unmet",
                                "reason": "ログ機能の確認中"}])
    doc["requirements"]["15"] = {"status": "unmet", "reason": "証明書は発行されない"}
    doc["requirements"]["28"] = {"status": "na", "reason": "保守端末を使わない <script>x</script>"}
    doc["requirements"]["17"] = {"status": "unmet", "reason": "SLA は未定義。影響は軽微"}
    doc["service"]["cloud_provider"] = "Amazon Web Services"
    doc["service"]["data_location"] = "日本国内（東京リージョン）"
    doc["personal_information"] = True
    doc["procurement"] = {"approval_ref": "総情第77号", "approved_on": "2026-02-01",
                          "vendor_decided_on": "2026-02-15"}
    return doc


def test_review_page_shows_everything_to_decide(env):
    """Each requirement with clause, category, level and text; the answer,
    evidence and reason; unmet, 対象外 and blocker rows marked in class and
    in words; conditions; the consultation thread; procurement; the cloud
    provider, data location and personal information."""
    start(env)
    rid = consulted(env, review_document(),
                    comments=("証明書の発行について確認してください", "発行されないとの回答でした"))
    api_step(env, "mgr", rid, "submit")
    a, _ = env.page_signin("appr")
    html = page(a, "/requests/%d" % rid)
    assert "<script>x</script>" not in html, "the reason must be escaped"
    # Item 28: 対象外 with its reason, marked; text, clause ⑧ and level 必須.
    row28 = element(html, "tr", "item-28")
    cls28 = re.search(r'class="([^"]*)"', row28).group(1).split()
    assert "na" in cls28, cls28
    t28 = visible(row28)
    for want in (TEXT_28, "⑧", "保守端末", "必須", "対象外", "保守端末を使わない"):
        assert want in t28, "row 28 lacks %r: %s" % (want, t28)
    # Item 15: mandatory unmet, a blocker, said in words too.
    row15 = element(html, "tr", "item-15")
    cls15 = re.search(r'class="([^"]*)"', row15).group(1).split()
    assert "unmet" in cls15 and "blocker" in cls15, cls15
    t15 = visible(row15)
    for want in (TEXT_15, "③", "必須", "満たさない", "阻害", "証明書は発行されない"):
        assert want in t15, "row 15 lacks %r: %s" % (want, t15)
    # Item 17: optional, unmet with a reason: marked unmet but not a blocker.
    cls17 = re.search(r'class="([^"]*)"', element(html, "tr", "item-17")).group(1).split()
    assert "unmet" in cls17 and "blocker" not in cls17, cls17
    # A met row is neither.
    cls1 = re.search(r'class="([^"]*)"', element(html, "tr", "item-1")).group(1).split()
    assert not {"unmet", "na", "blocker"} & set(cls1), cls1
    assert "確認済み 1" in visible(element(html, "tr", "item-1"))
    text = visible(html)
    # Conditions, consultation, procurement, the new fields.
    for want in ("共有リンクは庁内限定", "外部共有を記録する", "ログ機能の確認中",
                 "証明書の発行について確認してください", "発行されないとの回答でした",
                 "協議を終えます", "審査 一郎", "総情第77号", "令和8年2月1日", "令和8年2月15日",
                 "決裁番号", "業者決定日", "Amazon Web Services", "日本国内（東京リージョン）",
                 "取り扱う"):
        assert want in text, "the review page lacks %r" % want
    cons = visible(re.search(r'<section class="review consultation".*?</section>', html,
                             re.S).group(0))
    assert "協議済み" in cons and "審査 一郎（appr）" in cons, cons
    # Approval is not the primary action, and the page says why it is refused.
    b = buttons(html)
    approve = b.get("承認する（台帳に登録）")
    assert approve, "the approver still sees the approve button: %s" % list(b)
    assert "primary" not in approve, "approve must not be primary with blockers: %s" % approve
    assert 'aria-describedby="approve-refused"' in approve
    refused = visible(element(html, "div", "approve-refused"))
    assert "承認できません" in refused and "規定③" in refused and "項番15" in refused, refused
    # … and the server refuses it all the same.
    r = a.form("/requests/%d/approve" % rid, {})
    assert r.status == 409, r
    assert show(env, rid)["state"] == "submitted"


def test_risk_review_page(env):
    """Below 機密性2: every risk with its text, decision, measure and reason."""
    start(env)
    risks = {str(n): {"decision": "accept", "reason": "公開情報のみ"} for n in range(1, 13)}
    risks["3"] = {"decision": "mitigate", "measure": "国内リージョンを指定"}
    del risks["12"]
    rid = consulted(env, document(confidentiality="1", requirements=None, risks=risks))
    a, _ = env.page_signin("appr")
    html = page(a, "/requests/%d" % rid)
    row3 = visible(element(html, "tr", "risk-3"))
    assert "低減措置を講ずる" in row3 and "国内リージョンを指定" in row3, row3
    assert "カントリーリスク" in row3, "the risk's text: %s" % row3
    row1 = visible(element(html, "tr", "risk-1"))
    assert "受容する" in row1 and "公開情報のみ" in row1, row1
    row12 = element(html, "tr", "risk-12")
    assert "blocker" in re.search(r'class="([^"]*)"', row12).group(1)
    assert "未決定" in visible(row12) and "阻害" in visible(row12)


def test_change_shows_before_and_after(env):
    """A change request: every changed field before → after, and the answers
    changed since the approved version marked on their rows."""
    start(env)
    _rid, entry = approved(env)
    mgr = env.token("mgr")
    patch = {"purpose": "庁外関係者とのWeb会議と研修", "personal_information": False,
             "requirements": {"17": {"status": "unmet", "reason": "SLA なし。影響は軽微"}}}
    cid = mgr.json_ok("POST", "/api/v1/ledger/%d/change" % entry, patch, status=201)["id"]
    a, _ = env.page_signin("appr")
    html = page(a, "/requests/%d" % cid)
    sec = re.search(r'<section class="review changes".*?</section>', html, re.S)
    assert sec, "the change request shows no changes section"
    t = visible(sec.group(0))
    assert "変更前" in t and "変更後" in t
    assert "庁外関係者とのWeb会議" in t and "庁外関係者とのWeb会議と研修" in t, t
    assert "項番17" in t and "SLA なし。影響は軽微" in t, t
    assert re.search(r"個人情報\S* （なし） いいえ", t), t
    assert "変更・廃止の申請では任意です" in visible(html)
    row17 = element(html, "tr", "item-17")
    assert "changed" in re.search(r'class="([^"]*)"', row17).group(1)
    assert "変更あり" in visible(row17)
    assert "変更あり" not in visible(element(html, "tr", "item-16"))
    # A retirement says its date.
    _rid2, entry2 = approved(env, document(name="Zoom", provider="ZVC Japan"))
    tid = mgr.json_ok("POST", "/api/v1/ledger/%d/retire" % entry2,
                      {"on": "2026-09-30", "comment": "後継に移行"}, status=201)["id"]
    text = visible(page(a, "/requests/%d" % tid))
    assert "廃止日" in text and "令和8年9月30日" in text, text[:600]


def test_preview_evaluates_as_stored(env):
    """「評価する」 evaluates the document with the signed-in user as the
    applicant: no false 所属・氏名 finding. Every control of the form is
    named by a <label for>."""
    start(env)
    m, _ = env.page_signin("mgr")
    html = page(m, "/requests/new")
    ff = FormFields(html, "/requests/new")
    unnamed = [(t, n) for t, n, i in ff.controls if not i or i not in ff.label_for]
    assert not unnamed, "controls without <label for>: %s" % unnamed[:10]
    selects = [n for t, n, i in ff.controls if t == "select" and re.match(r"req_\d+_status$", n)]
    assert len(selects) == 28, len(selects)
    # (a radio's id is its name and value: confidentiality_2)
    mismatched = [(t, n, i) for t, n, i in ff.controls
                  if n and i != n and not (i or "").startswith(n + "_")]
    assert not mismatched, "a control's id is its name: %s" % mismatched[:5]
    for i, label in (("req_15_status", "項番15 の適用状況"), ("req_15_evidence", "項番15 の根拠"),
                     ("req_15_reason", "項番15 の理由・影響"), ("risk_3_decision", "③ の判断"),
                     ("risk_3_measure", "③ の低減措置"), ("risk_3_reason", "③ の判断の理由"),
                     ("cond_0_text", "条件1"), ("cond_1_reason", "条件2 の理由")):
        found = re.search(r'<label for="%s">([^<]*)</label>' % i, html)
        assert found and found.group(1).startswith(label), (i, found and found.group(1))
    assert '<option value="na">対象外</option>' in html
    fields = replace(ff.fields, service_name="Box", provider="Box Japan", purpose="文書共有",
                     period_from="2026-06-01", period_to="2027-03-31", scope="部局内に限る",
                     confidentiality="2", integrity="2", availability="1", do="evaluate",
                     req_28_status="na", req_28_reason="保守端末なし",
                     personal_information="yes", csrf=m.csrf)
    r = post_fields(m, "/requests/new", fields)
    assert r.status == 200, r
    panel = re.search(r'<section class="evaluation.*?</section>', r.text, re.S)
    assert panel, "the preview shows no evaluation"
    t = visible(panel.group(0))
    assert "利用申請者" not in t and "5(2)③(カ)" not in t, "false applicant finding: %s" % t
    assert "項番1（" in t, "the preview still reports the unanswered items: %s" % t[:300]
    # The form keeps what was typed, 対象外 and personal information included.
    assert re.search(r'<option value="na" selected>', r.text)
    assert re.search(r'id="personal_information_yes"[^>]*checked', r.text)
    # Saved, the document carries them.
    r = post_fields(m, "/requests/new", replace(fields, do="save"))
    assert r.status == 303, r
    rid = int(r.header("Location").rsplit("/", 1)[1])
    doc = show(env, rid)["document"]
    assert doc["requirements"]["28"] == {"status": "na", "reason": "保守端末なし"}, doc
    assert doc["personal_information"] is True
    assert doc["applicant"] == {"department": DEPT_A, "name": "周南 太郎"}


def test_returned_request_shows_the_comment_on_its_form(env):
    start(env)
    rid = consulted(env)
    api_step(env, "mgr", rid, "submit")
    m, _ = env.page_signin("mgr")
    # Submitted, it is not editable (409); the approver never edits (403).
    assert "編集できません" in visible(page(m, "/requests/%d/edit" % rid, status=409))
    a, _ = env.page_signin("appr")
    page(a, "/requests/%d/edit" % rid, status=403)
    api_step(env, "appr", rid, "return", "項番17 の根拠を補ってください")
    for path in ("/requests/%d/edit" % rid, "/requests/%d" % rid):
        html = page(m, path)
        sec = re.search(r'<section class="returned".*?</section>', html, re.S)
        assert sec, "%s: no return comment" % path
        t = visible(sec.group(0))
        assert "項番17 の根拠を補ってください" in t and "審査 一郎" in t, t
    # At the top of the edit form: before the form itself.
    html = page(m, "/requests/%d/edit" % rid)
    assert html.index('class="returned"') < html.index('<form method="post" action="/requests/%d/edit"' % rid)
    # A returned request is re-submitted without a new consultation.
    assert "許可権限者に申請する" in buttons(page(m, "/requests/%d" % rid))


def test_change_page_opens_a_change_request(env):
    """「変更を申請」: GET /ledger/ID/change shows the form with the entry's
    document; posting it opens a change request (a draft)."""
    start(env)
    doc = document()
    doc["conditions"] = [{"text": "録画しない", "status": "met", "evidence": "設定で無効"}]
    _rid, entry = approved(env, doc)
    m, _ = env.page_signin("mgr")
    path = "/ledger/%d/change" % entry
    html = page(m, path)
    assert 'value="庁外関係者とのWeb会議"' in html and 'value="録画しない"' in html
    assert re.search(r'id="service_name"[^>]*readonly', html), "the service cannot change"
    ff = FormFields(html, path)
    # Unchanged, the evaluation preview shows no applicant finding.
    r = post_fields(m, path, replace(ff.fields, do="evaluate", csrf=m.csrf))
    panel = re.search(r'<section class="evaluation.*?</section>', r.text, re.S)
    assert r.status == 200 and panel, r
    assert "利用申請者" not in visible(panel.group(0)), visible(panel.group(0))
    fields = replace(ff.fields, purpose="庁外関係者とのWeb会議と研修", do="save", csrf=m.csrf)
    r = post_fields(m, path, fields)
    assert r.status == 303, r
    cid = int(r.header("Location").rsplit("/", 1)[1])
    got = show(env, cid)
    assert got["kind"] == "change" and got["entry_id"] == entry and got["state"] == "draft"
    assert got["document"]["purpose"] == "庁外関係者とのWeb会議と研修"
    assert [c["field"] for c in got["changes"]] == ["purpose"], got["changes"]
    # A second change while one is open: refused on the page (409), nothing written.
    r = post_fields(m, path, fields)
    assert r.status == 409 and "処理中の申請" in visible(r.text), r
    # Clearing the only condition on the form removes it (a second change,
    # after the first is withdrawn).
    api_step(env, "mgr", cid, "withdraw")
    r = post_fields(m, path, replace(fields, cond_0_text="", purpose="庁外関係者とのWeb会議"))
    assert r.status == 303, r
    got = show(env, int(r.header("Location").rsplit("/", 1)[1]))
    assert [c["field"] for c in got["changes"]] == ["conditions"], got["changes"]
    assert got["document"].get("conditions", []) == [], got["document"].get("conditions")
    # Another department's manager and the approver may not.
    b, _ = env.page_signin("mgr_b")
    page(b, path, status=403)
    a, _ = env.page_signin("appr")
    page(a, path, status=403)
    page(m, "/ledger/999/change", status=404)


def test_rebase_button_moves_a_draft(env):
    """After `catalogue load` of a new version, a draft keeps its version
    until the applicant presses 「施行中のカタログの版に移す」."""
    start(env)
    rid = new_request(env)
    env.ok("catalogue", "load", "--as", "ciso", CATALOGUE_2024)
    assert show(env, rid)["catalogue_outdated"] is True
    m, _ = env.page_signin("mgr")
    html = page(m, "/requests/%d" % rid)
    assert "施行中のカタログの版に移す" in buttons(html)
    assert 'action="/requests/%d/rebase"' % rid in html
    # The approver reads it, but moving is the applicant's.
    a, _ = env.page_signin("appr")
    assert "施行中のカタログの版に移す" not in buttons(page(a, "/requests/%d" % rid))
    r = a.form("/requests/%d/rebase" % rid, {})
    assert r.status == 403, r
    r = m.form("/requests/%d/rebase" % rid, {}, csrf_field=False)
    assert r.status == 403, "no CSRF token, no move: %r" % r
    r = m.form("/requests/%d/rebase" % rid, {})
    assert r.status == 303 and r.header("Location") == "/requests/%d" % rid, r
    got = show(env, rid)
    assert got["catalogue"] == "national-2024" and got["catalogue_outdated"] is False, got
    html = page(m, "/requests/%d" % rid)
    assert "施行中のカタログの版に移す" not in buttons(html)
    assert "カタログの版を移行" in visible(html), "the history names the move"
    # The edit form of the moved draft offers the new scheme's levels.
    assert 'id="confidentiality_3A"' in page(m, "/requests/%d/edit" % rid)


def test_change_page_across_a_catalogue_revision(env):
    """An entry approved under shunan-2023, changed after national-2024 is in
    force: the form is the new catalogue's, item 17 (now 推奨) starts
    unanswered, the other answers stay, and the change request keeps it so."""
    start(env)
    _rid, entry = approved(env)
    env.ok("catalogue", "load", "--as", "ciso", CATALOGUE_2024)
    m, _ = env.page_signin("mgr")
    path = "/ledger/%d/change" % entry
    html = page(m, path)
    assert 'id="confidentiality_3A"' in html, "the form of the catalogue in force"
    ff = dict(FormFields(html, path).fields)
    assert ff["req_17_status"] == "" and ff["req_16_status"] == "met", (ff["req_17_status"],
                                                                       ff["req_16_status"])
    r = post_fields(m, path, replace(FormFields(html, path).fields, confidentiality="2",
                                     do="save", csrf=m.csrf))
    assert r.status == 303, r
    got = show(env, int(r.header("Location").rsplit("/", 1)[1]))
    assert got["catalogue"] == "national-2024", got["catalogue"]
    assert "17" not in got["document"]["requirements"], got["document"]["requirements"].get("17")
    assert any(f["code"] == "unanswered" and f.get("item") == 17
               for f in got["evaluation"]["findings"]), got["evaluation"]["findings"]


def test_dashboards_are_work_lists(env):
    start(env)
    waiting = new_request(env)
    api_step(env, "mgr", waiting, "consult", "相談")
    ready = consulted(env, document(name="Zoom", provider="ZVC Japan"))
    sub = consulted(env, document(name="Slack", provider="Slack Japan"))
    api_step(env, "mgr", sub, "submit")
    ret = consulted(env, document(name="Miro", provider="Miro Japan"))
    api_step(env, "mgr", ret, "submit")
    api_step(env, "appr", ret, "return", "直してください")
    # An entry of mgr's department ending within 90 days of 2026-05-01.
    _r, entry = approved(env, document(name="Webex", provider="Cisco", period=("2026-01-01",
                                                                                "2026-07-15")))
    a, home = env.page_signin("appr")
    h = home.text
    assert "事前協議の依頼" in visible(h) and "審査待ち" in visible(h)
    assert 'href="/requests/%d"' % waiting in h and 'href="/requests/%d"' % sub in h
    assert h.index("事前協議の依頼") < h.index('href="/requests/%d"' % waiting) < h.index("審査待ち")
    m, home = env.page_signin("mgr")
    h, t = home.text, visible(home.text)
    assert "差し戻された申請" in t and 'href="/requests/%d"' % ret in h
    assert "協議済み（申請できます）" in t and 'href="/requests/%d"' % ready in h
    assert "90日以内" in t and 'href="/ledger/%d"' % entry in h
    # Another department's manager sees none of it.
    b, home = env.page_signin("mgr_b")
    for rid in (waiting, ready, sub, ret):
        assert 'href="/requests/%d"' % rid not in home.text
    assert 'href="/ledger/%d"' % entry not in home.text


def test_links_only_to_what_the_viewer_may_open(env):
    """A carried-over answer names the request it came from; only those who
    may open that request get a link to it."""
    start(env)
    src, _entry = approved(env)
    # Carried over through the form's save with carry_over.
    b, _ = env.page_signin("mgr_b")
    ff = FormFields(page(b, "/requests/new"), "/requests/new")
    fields = replace(ff.fields, service_name="Microsoft Teams", service_function="Web会議",
                     provider="日本マイクロソフト株式会社",
                     purpose="窓口のWeb会議", period_from="2026-06-01", period_to="2027-03-31",
                     scope="課内", confidentiality="2", integrity="2", availability="1",
                     carry_over="1", do="save", csrf=b.csrf)
    r = post_fields(b, "/requests/new", fields)
    assert r.status == 303, r
    cid = int(r.header("Location").rsplit("/", 1)[1])
    co = show(env, cid)["document"]["requirements"]["9"].get("carried_over")
    assert co and co["request"] == src, co
    html = page(b, "/requests/%d" % cid)
    assert "申請 #%d" % src in visible(html)
    assert 'href="/requests/%d"' % src not in html, "mgr_b may not open #%d" % src
    page(b, "/requests/%d" % src, status=403)
    a, _ = env.page_signin("appr")
    assert 'href="/requests/%d"' % src in page(a, "/requests/%d" % cid)


def test_the_ismap_requirement_shows_what_the_list_says(env):
    """別紙 項番1: with the ISMAP list loaded, the review shows whether the
    request's number is registered (and until when), and the warning."""
    path = env.write("ismap.csv", "登録番号,サービス名称,事業者名,登録日,有効期限\r\n"
                     "C21-0012-2,Microsoft 365,日本マイクロソフト株式会社,2021/3/26,2026/12/31\r\n")
    env.ok("demo")
    env.ok("ismap", "import", "--as", "ciso", path)
    env.start()
    mgr = env.token("somu")
    ids = []
    for number in ("C21-0012-2", "C99-0000-0"):
        doc = document(name="Microsoft 365 " + number)
        doc["service"]["ismap"] = number
        ids.append(mgr.json_ok("POST", "/api/v1/requests", doc, status=201)["id"])
    c, _ = env.page_signin("shinsa")
    listed = visible(c.get("/requests/%d" % ids[0]).text)
    assert "C21-0012-2 は登録あり（Microsoft 365 / 日本マイクロソフト株式会社、有効期限 令和8年12月31日）" \
        in listed, listed[:3000]
    assert "有効期限 2026-12-31 は利用期間の終わり 2027-03-31 より前です" in listed, listed[:3000]
    unlisted = visible(c.get("/requests/%d" % ids[1]).text)
    assert "C99-0000-0 は登録なし" in unlisted and "クラウドサービスリスト" in unlisted


if __name__ == "__main__":
    run(globals())
