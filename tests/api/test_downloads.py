"""The ledger as a download (issue 10): GET /api/v1/ledger.csv and
/api/v1/ledger.xlsx, the buttons of the ledger page that honour its search,
and `extsvc ledger list --xlsx FILE`. The workbook is read back by
LibreOffice (headless, installed by the test command) converting each
sheet to CSV: what a city opening it in a spreadsheet would see.
"""
import csv
import glob
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import Client, document, run  # noqa: E402

HEADER = ("台帳番号,外部サービスの名称,機能名,外部サービス提供者,利用目的,機密性,完全性,可用性,"
          "利用開始日,利用終了日,利用申請者所属,利用申請者氏名,利用者の範囲,状態").split(",")


def soffice():
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice (soffice) is missing: scripts/deps test installs libreoffice-calc-nogui"
    return exe


def sheets(xlsx_bytes):
    """{sheet name: rows} as LibreOffice shows the workbook (cells as
    displayed: dates in their number format, text as text)."""
    work = tempfile.mkdtemp(prefix="extsvc-lo-")
    try:
        path = os.path.join(work, "book.xlsx")
        with open(path, "wb") as f:
            f.write(xlsx_bytes)
        # 44 comma, 34 quote, 76 UTF-8, from line 1, language 1041 (ja-JP),
        # cells as shown (token 9), every sheet to its own file (token 12).
        filt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1041,false,true,true,false,false,-1"
        r = subprocess.run([soffice(), "-env:UserInstallation=file://" + work + "/profile",
                            "--headless", "--convert-to", filt, "--outdir", work, path],
                           capture_output=True, text=True, timeout=180)
        out = {}
        for p in glob.glob(os.path.join(work, "book-*.csv")):
            name = os.path.basename(p)[len("book-"):-len(".csv")]
            with open(p, encoding="utf-8", newline="") as f:
                out[name] = list(csv.reader(f))
        assert out, "LibreOffice converted nothing: %s %s" % (r.stdout, r.stderr)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def csv_rows(body, encoding="utf-8-sig"):
    return list(csv.reader(io.StringIO(body.decode(encoding), newline="")))


def filename_star(resp):
    cd = resp.header("Content-Disposition") or ""
    assert cd.startswith("attachment;"), cd
    m = re.search(r"filename\*=UTF-8''([^;\s]+)", cd)
    assert m, cd
    return urllib.parse.unquote(m.group(1))


def approve(env, doc):
    """File, consult, conclude, submit and approve `doc`; its entry id."""
    mgr, appr = env.token("somu"), env.token("shinsa")
    rid = mgr.json_ok("POST", "/api/v1/requests", doc, status=201)["id"]
    mgr.json_ok("POST", "/api/v1/requests/%d/consult" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {})
    mgr.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/approve" % rid, {})
    return mgr.json_ok("GET", "/api/v1/requests/%d" % rid)["entry_id"]


def tricky_document():
    """Text a spreadsheet likes to turn into numbers, dates and formulas."""
    d = document(name="001234", function="1-2-1", provider="=HYPERLINK(\"http://x\",\"y\")",
                 purpose="1/2", scope="50%", period=("2026-04-01", "2027-03-31"))
    d["requirements"]["15"] = {"status": "met", "evidence": "消去証明書の様式を確認"}
    return d


def test_csv_download_is_the_cli_csv_of_the_same_search(env):
    env.start()
    approve(env, tricky_document())
    staff = env.token("shokuin")
    r = staff.get("/api/v1/ledger.csv?q=" + urllib.parse.quote("翻訳"))
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/csv"), r.headers
    name = filename_star(r)
    assert re.fullmatch(r"外部サービス利用台帳_\d{4}-\d{2}-\d{2}\.csv", name), name
    rows = csv_rows(r.body)
    assert rows[0][:14] == HEADER, rows[0]
    assert [row[1] for row in rows[1:]] == ["DeepL 翻訳"], rows
    cli = env.ok("ledger", "list", "--csv", "--q", "翻訳").out
    assert r.body == cli.encode("utf-8"), "the download and `ledger list --csv` differ"
    # Every entry, also expired and retired, with state=all (the page's
    # words) or all=1 (the API's).
    every = csv_rows(staff.get("/api/v1/ledger.csv?state=all").body)
    assert [row[0] for row in every[1:]] == ["1", "2", "3"], every
    assert csv_rows(staff.get("/api/v1/ledger.csv?all=1").body) == every
    # A formula is written as text, whatever the encoding.
    tricky = [row for row in every if row[1] == "001234"][0]
    assert tricky[3] == "'=HYPERLINK(\"http://x\",\"y\")", tricky
    sj = staff.get("/api/v1/ledger.csv?state=all&encoding=cp932")
    assert sj.status == 200 and "Shift_JIS" in sj.header("Content-Type"), sj
    assert csv_rows(sj.body, "cp932") == every
    assert not sj.body.startswith(b"\xef\xbb\xbf"), "no BOM in CP932"


def test_bad_download_requests_are_refused(env):
    env.start()
    staff = env.token("shokuin")
    for path, code in (("/api/v1/ledger.csv?encoding=latin-1", 400),
                       ("/api/v1/ledger.xlsx?dates=heisei", 400),
                       ("/api/v1/ledger.csv?department=abc", 400),
                       ("/api/v1/ledger.csv?sort=nonsense", 400)):
        r = staff.get(path)
        assert r.status == code, (path, r)
        assert r.json()["error"]["message"], r
    r = env.token("shinsa").post("/api/v1/ledger.csv", {})
    assert r.status == 400, r
    r = Client(env).get("/api/v1/ledger.xlsx")
    assert r.status == 401, r


def test_xlsx_download_reads_back_as_the_ledger_with_text_kept(env):
    env.start()
    entry = approve(env, tricky_document())
    appr = env.token("shinsa")
    r = appr.get("/api/v1/ledger.xlsx?state=all")
    assert r.status == 200, r
    assert r.header("Content-Type") == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", r.headers
    assert re.fullmatch(r"外部サービス利用台帳_\d{4}-\d{2}-\d{2}\.xlsx", filename_star(r))
    book = sheets(r.body)
    assert set(book) == {"台帳", "要件の回答"}, list(book)
    ledger = book["台帳"]
    assert ledger[0][:14] == HEADER, ledger[0]
    by_id = {row[0]: row for row in ledger[1:]}
    assert sorted(by_id) == ["1", "2", str(entry)], ledger
    teams = by_id["1"]
    assert teams[1] == "Microsoft Teams" and teams[13] == "利用中", teams
    # Dates are Excel dates shown in 和暦 (the server's default).
    assert teams[8] == "令和8年4月1日" and teams[9] == "令和9年3月31日", teams
    # Text stays text: no number, date, percentage or formula made of it.
    tricky = by_id[str(entry)]
    assert tricky[1:5] == ["001234", "1-2-1", "=HYPERLINK(\"http://x\",\"y\")", "1/2"], tricky
    assert tricky[12] == "50%", tricky
    # The answers, one row per entry, a column per requirement and risk.
    answers = book["要件の回答"]
    head = answers[0]
    assert head[:4] == ["台帳番号", "外部サービスの名称", "審査の区分", "カタログ"], head
    col15 = head.index("項番15（必須）")
    assert "消去" in answers[1][col15], "the second row holds each requirement's text"
    rows = {row[0]: row for row in answers[2:]}
    assert rows[str(entry)][col15] == "満たす\n根拠: 消去証明書の様式を確認", rows[str(entry)][col15]
    assert rows[str(entry)][2] == "要件一覧"
    assert "リスク①" in head
    # 西暦 where asked.
    book = sheets(appr.get("/api/v1/ledger.xlsx?dates=seireki").body)
    assert {row[0]: row for row in book["台帳"][1:]}["1"][8] == "2026年4月1日"


def test_answers_only_for_those_who_may_read_the_requests(env):
    env.start()
    staff = sheets(env.token("shokuin").get("/api/v1/ledger.xlsx").body)
    assert len(staff["台帳"]) == 3, "staff read the ledger"
    assert len(staff["要件の回答"]) == 2, "but not the requests' answers: %r" % staff["要件の回答"][2:]
    other = sheets(env.token("kyoiku").get("/api/v1/ledger.xlsx").body)
    assert len(other["要件の回答"]) == 2, "another department's manager neither"
    own = sheets(env.token("somu").get("/api/v1/ledger.xlsx").body)
    assert [row[0] for row in own["要件の回答"][2:]] == ["1", "2"], own["要件の回答"]


def test_the_ledger_page_offers_downloads_of_its_search(env):
    env.start()
    c, _ = env.page_signin("shokuin")
    page = c.get("/ledger?q=" + urllib.parse.quote("翻訳") + "&state=all")
    assert page.status == 200
    links = re.findall(r'href="(/api/v1/ledger\.(?:xlsx|csv)\?[^"]*)"', page.text)
    assert len(links) == 3, links
    assert links[0].startswith("/api/v1/ledger.xlsx"), "the workbook is offered first: %s" % links
    assert page.text.index("Excelでダウンロード") < page.text.index("CSVでダウンロード")
    for link in links:
        href = link.replace("&amp;", "&")
        assert "q=%E7%BF%BB%E8%A8%B3" in href and "state=all" in href, href
        r = c.get(href)  # with the page's session cookie
        assert r.status == 200, (href, r)
        assert r.header("Content-Disposition").startswith("attachment"), r.headers
    pdf = re.findall(r'href="(/api/v1/ledger\.pdf\?[^"]*)"', page.text)
    assert len(pdf) == 1, pdf
    r = c.get(pdf[0].replace("&amp;", "&"))
    assert r.status == 200 and r.header("Content-Type") == "application/pdf", r
    assert r.body.startswith(b"%PDF-") and filename_star(r).endswith(".pdf"), r.headers
    path = env.path("ledger.pdf")
    with open(path, "wb") as f:
        f.write(r.body)
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
    assert "DeepL 翻訳" in text and "Microsoft Teams" not in text, "the PDF of the search: " + text
    csv_link = [l for l in links if "ledger.csv" in l and "cp932" not in l][0]
    rows = csv_rows(c.get(csv_link.replace("&amp;", "&")).body)
    assert [row[1] for row in rows[1:]] == ["DeepL 翻訳"], rows


def test_cli_writes_the_same_workbook(env):
    env.ok("demo")
    out = env.path("台帳.xlsx")
    env.ok("ledger", "list", "--xlsx", out, "--dates", "seireki")
    with open(out, "rb") as f:
        book = sheets(f.read())
    assert [row[1] for row in book["台帳"][1:]] == ["Microsoft Teams", "DeepL 翻訳"]
    assert book["台帳"][1][8] == "2026年4月1日"
    assert [row[0] for row in book["要件の回答"][2:]] == ["1", "2"], "the operator reads all"
    # Bad usage changes nothing; an unwritable place leaves no file.
    for args in (("--xlsx", out, "--dates", "heisei"), ("--xlsx", out, "--csv"),
                 ("--dates", "wareki")):
        r = env.run("ledger", "list", *args)
        assert r.code == 2 and r.err.startswith("extsvc: "), (args, r)
    missing = env.path("no-such-dir/台帳.xlsx")
    r = env.run("ledger", "list", "--xlsx", missing)
    assert r.code == 3 and r.err.startswith("extsvc: "), r
    assert not os.path.exists(os.path.dirname(missing))
    assert not [p for p in os.listdir(env.path(".")) if p.endswith(".partial")]


def test_wareki_dates_in_the_workbook_spell_out_the_first_year(env):
    """The first year of 令和 is 元年 in the workbook as on the pages, and
    the era changes on 2019-05-01 (a city's old ledger has such dates)."""
    env.ok("demo")
    old = env.path("old.csv")
    with open(old, "w", encoding="utf-8", newline="") as f:
        f.write("サービス名,事業者名,業務内容,格付,利用開始日,利用終了日,担当課,利用範囲\r\n"
                "旧A,A社,連絡,1,2019/4/1,2019/4/30,総務課,課内\r\n"
                "旧B,B社,連絡,1,令和元年5月1日,2019/12/31,総務課,課内\r\n"
                "旧C,C社,連絡,1,2020/1/1,令和2年3月31日,総務課,課内\r\n")
    env.ok("ledger", "import", "--as", "shinsa", old)
    out = env.path("台帳.xlsx")
    env.ok("ledger", "list", "--all", "--xlsx", out)
    with open(out, "rb") as f:
        rows = {row[1]: row[8:10] for row in sheets(f.read())["台帳"][1:]}
    assert rows["旧A"] == ["平成31年4月1日", "平成31年4月30日"], rows
    assert rows["旧B"] == ["令和元年5月1日", "令和元年12月31日"], rows
    assert rows["旧C"] == ["令和2年1月1日", "令和2年3月31日"], rows
    assert rows["Microsoft Teams"] == ["令和8年4月1日", "令和9年3月31日"], rows


run(globals())
