"""A request printed for the 決裁 file (issue 10): GET
/api/v1/requests/{id}/form.pdf (the 外部サービス利用申請書 with (ア)〜(キ),
the 別紙 table and a 決裁欄) and …/notice.pdf (the 承認通知書 or 却下通知書),
linked from the request's page; the same 403/404 as the page. Read back
with pdftotext.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import document, run  # noqa: E402


def pdf_text(env, body, *args):
    path = env.path("out.pdf")
    with open(path, "wb") as f:
        f.write(body)
    return subprocess.run(["pdftotext", *args, path, "-"], capture_output=True, text=True,
                          check=True).stdout


def flat(text):
    return re.sub(r"\s+", "", text)


def test_the_form_of_an_approved_request(env):
    env.start()
    appr = env.token("shinsa")
    r = appr.get("/api/v1/requests/1/form.pdf")
    assert r.status == 200 and r.header("Content-Type") == "application/pdf", r
    assert r.body.startswith(b"%PDF-") and "attachment" in r.header("Content-Disposition")
    text = pdf_text(env, r.body)
    for want in ("外部サービス利用申請書", "(ア)外部サービスの名称", "MicrosoftTeams（Web会議）",
                 "(オ)利用期間", "令和8年4月1日〜令和9年3月31日", "課長", "部長",
                 "別紙「外部サービス要件一覧」の適用状況", "満たす", "根拠:ISMAP登録C21-0012-2"):
        assert want in flat(text), (want, text[:1500])
    page2 = pdf_text(env, r.body, "-f", "2", "-l", "2")
    assert "外部サービス利用申請書 申請 #1" in page2 and "2 ページ" in page2, page2[:300]
    assert "適用状況" in page2, "the table's header row again on page 2"
    notice = pdf_text(env, appr.get("/api/v1/requests/1/notice.pdf").body)
    for want in ("外部サービス利用承認通知書", "次のとおり承認します", "台帳番号1に登録しました",
                 "周南太郎様", "審査花子"):
        assert want in flat(notice), (want, notice[:1200])


def test_a_rejection_notice_and_refusals(env):
    env.start()
    mgr, appr = env.token("somu"), env.token("shinsa")
    rid = mgr.json_ok("POST", "/api/v1/requests", document(name="Dropbox"), status=201)["id"]
    mgr.json_ok("POST", "/api/v1/requests/%d/consult" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {})
    mgr.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/reject" % rid,
                 {"comment": "庁内の共有サービスで足ります"})
    text = flat(pdf_text(env, appr.get("/api/v1/requests/%d/notice.pdf" % rid).body))
    assert "外部サービス利用却下通知書" in text and "庁内の共有サービスで足ります" in text, text[:800]
    assert "却下します" in text
    r = appr.get("/api/v1/requests/4/notice.pdf")  # a draft: no decision yet
    assert r.status == 409, r
    assert env.token("kyoiku").get("/api/v1/requests/1/form.pdf").status == 403
    assert env.token("shokuin").get("/api/v1/requests/1/form.pdf").status == 403
    assert appr.get("/api/v1/requests/999/form.pdf").status == 404
    assert appr.post("/api/v1/requests/1/form.pdf", {}).status == 400


def test_the_page_links_and_the_configured_boxes(env):
    env.start_with_config("[print]\nboxes = 係長,課長,部長,副市長\n")
    c, _ = env.page_signin("shinsa")
    page = c.get("/requests/1").text
    assert 'href="/api/v1/requests/1/form.pdf"' in page and "承認通知書（PDF）" in page
    assert 'notice.pdf' not in c.get("/requests/4").text, "no notice before a decision"
    r = c.get("/api/v1/requests/1/form.pdf")
    text = pdf_text(env, r.body, "-f", "1", "-l", "1")
    for box in ("係長", "課長", "部長", "副市長"):
        assert box in text, (box, text[:400])


run(globals())
