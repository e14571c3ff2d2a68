"""The ledger printed (issue 10): `extsvc ledger print --pdf FILE` and
GET /api/v1/ledger.pdf write A4 landscape pages with the ledger's header on
every page and the table's header row again on each; Japanese text wraps
inside its cell, never past it and never inside a character. Read back with
pdftotext (poppler-utils, installed by the test command).
"""
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from harness import approve_new, new_request, run, setup_db  # noqa: E402

PURPOSE = "庁内の会議資料と議事録を関係課で共有し改訂履歴を残すための利用"  # 33 characters


def pdftotext(path, *args):
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext is missing: scripts/deps test installs poppler-utils"
    return subprocess.run([exe, *args, path, "-"], capture_output=True, text=True,
                          check=True).stdout


def ledger(env, rows):
    lines = ["番号,サービス名,事業者名,業務内容,格付,利用期間,担当課,申請者,利用範囲"]
    for i in range(rows):
        lines.append("A-%d,サービス%d,株式会社周南%d,%s%d,2-2-1,R8.4.1-R9.3.31,総務課,職員 %d,課内"
                     % (i, i, i, PURPOSE, i, i))
    path = env.path("old.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\r\n".join(lines) + "\r\n")
    env.ok("ledger", "import", "--as", "appr", path)


def test_pages_headers_and_wrapped_cells(env):
    setup_db(env)
    ledger(env, 40)
    out = env.path("台帳.pdf")
    env.ok("ledger", "print", "--all", "--pdf", out)
    with open(out, "rb") as f:
        assert f.read(5) == b"%PDF-"
    info = subprocess.run(["pdfinfo", out], capture_output=True, text=True).stdout
    pages = int([l for l in info.splitlines() if l.startswith("Pages:")][0].split()[1])
    assert pages >= 3, info
    for page in (1, 2, pages):
        text = pdftotext(out, "-f", str(page), "-l", str(page))
        assert "外部サービス利用台帳（令和" in text and "%d ページ" % page in text, (page, text[:300])
        assert "(ウ) 利用目的" in text, "the table's header row on page %d" % page
    # The purpose column alone (A4 landscape: 842 x 595 points; the column
    # is the fourth, from 34/100 of the width inside 36-point margins): each
    # purpose, 34 characters, is there whole, wrapped over lines.
    x = 36 + (842 - 72) * 34 / 100
    column = pdftotext(out, "-f", "1", "-l", "1", "-x", str(int(x) + 1), "-y", "0",
                       "-W", str(int((842 - 72) * 20 / 100) - 2), "-H", "595")
    joined = column.replace("\n", "")
    assert PURPOSE + "0" in joined and PURPOSE + "1" in joined, column
    assert any(len(l) < len(PURPOSE) for l in column.splitlines() if l.startswith("庁内")), \
        "a purpose wider than its cell wraps: %r" % column[:400]


def test_a_request_form_and_its_notice(env):
    setup_db(env)
    rid, entry = approve_new(env)
    form, notice = env.path("form.pdf"), env.path("notice.pdf")
    env.ok("request", "print", str(rid), "--pdf", form, "--boxes", "係長,課長")
    env.ok("request", "notice", str(rid), "--pdf", notice, "--dates", "seireki")
    text = pdftotext(form).replace(" ", "").replace("\n", "")
    assert "外部サービス利用申請書" in text and "係長" in text and "課長" in text, text[:600]
    text = pdftotext(notice).replace(" ", "").replace("\n", "")
    assert "外部サービス利用承認通知書" in text and "台帳番号%dに登録しました" % entry in text, text
    draft = new_request(env)
    r = env.run("request", "notice", str(draft), "--pdf", env.path("x.pdf"))
    assert r.code == 1 and "承認も却下もされていません" in r.err, r
    r = env.run("request", "print", str(draft), "--pdf", env.path("y.pdf"), "--as", "mgr_b")
    assert r.code == 1, "another department's manager may not read it: %r" % r


def test_without_the_font_a_clear_error(env):
    setup_db(env)
    r = env.run("ledger", "print", "--pdf", env.path("x.pdf"),
                env={"EXTSVC_PDF_FONT": "/nonexistent/font.ttf"})
    assert r.code == 3 and "フォント" in r.err and r.err.startswith("extsvc: "), r
    assert not os.path.exists(env.path("x.pdf"))
    r = env.run("ledger", "print")
    assert r.code == 2, r


run(globals())
