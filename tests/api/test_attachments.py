"""Evidence files on a request (issue 10): POST
/api/v1/requests/{id}/attachments (multipart/form-data: file, item, note)
and the same from the request's page; stored with their SHA-256, listed on
the request and on the entry, recorded in the audit log; downloaded as an
attachment with the stored type, which was checked against the content.
Only the request's department, approvers, ciso and auditors read them.
"""
import hashlib
import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import Client, document, multipart, run  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def attach(client, rid, filename, content, **fields):
    body, ctype = multipart(fields, filename, content)
    return client.request("POST", "/api/v1/requests/%d/attachments" % rid, body=body, ctype=ctype)


def test_a_file_in_and_out_with_its_hash(env):
    env.start()
    somu = env.token("somu")
    r = attach(somu, 7, "消去証明書（様式）.pdf", PDF, item="15", note="事業者の様式")
    assert r.status == 201, r
    aid = r.json()["id"]
    listed = somu.json_ok("GET", "/api/v1/requests/7")["attachments"]
    assert len(listed) == 1 and listed[0]["id"] == aid, listed
    a = listed[0]
    assert a["name"] == "消去証明書（様式）.pdf" and a["item"] == 15 and a["size"] == len(PDF)
    assert a["sha256"] == hashlib.sha256(PDF).hexdigest() and a["type"] == "application/pdf"
    assert a["note"] == "事業者の様式" and a["by"] == "somu", a
    for who in ("somu", "shinsa", "ciso", "kansa"):
        d = env.token(who).get("/api/v1/attachments/%d" % aid)
        assert d.status == 200 and d.body == PDF, (who, d.status)
        assert d.header("Content-Type") == "application/pdf", d.headers
        assert d.header("X-Content-Type-Options") == "nosniff"
        cd = d.header("Content-Disposition")
        assert cd.startswith("attachment;") and urllib.parse.unquote(
            re.search(r"filename\*=UTF-8''(\S+)", cd).group(1)) == "消去証明書（様式）.pdf", cd
    for who in ("kyoiku", "shokuin"):
        assert env.token(who).get("/api/v1/attachments/%d" % aid).status == 403, who
        assert env.token(who).get("/api/v1/requests/7/attachments").status == 403, who
    assert Client(env).get("/api/v1/attachments/%d" % aid).status == 401
    assert somu.get("/api/v1/attachments/99999").status == 404
    audit = env.token("kansa").json_ok("GET", "/api/v1/audit?action=request.attach")["records"]
    after = audit[-1]["after"]
    assert after["name"] == "消去証明書（様式）.pdf" and after["size"] == len(PDF)
    assert after["sha256"] == hashlib.sha256(PDF).hexdigest(), after


def test_what_is_refused(env):
    env.start()
    somu = env.token("somu")
    for name, content, why in (("evil.pdf", b"<html><script>alert(1)</script>", "の形式ではありません"),
                               ("page.html", b"<html></html>", "添付できません"),
                               ("noext", PDF, "拡張子がありません"),
                               ("empty.pdf", b"", "空のファイル")):
        r = attach(somu, 7, name, content)
        assert r.status == 400 and why in r.json()["error"]["message"], (name, r)
    # Over the size limit: refused from the head, before the body is read.
    r = somu.request("POST", "/api/v1/requests/7/attachments", body=b"",
                     headers={"Content-Length": str(21 << 20), "Expect": "100-continue",
                              "Content-Type": "multipart/form-data; boundary=x"})
    assert r.status == 413 and "MiB" in r.json()["error"]["message"], r
    for who in ("shokuin", "kansa", "shinsa"):  # no manager: 403 from the head
        assert attach(env.token(who), 7, "a.pdf", PDF).status == 403, who
    assert attach(env.token("kyoiku"), 7, "a.pdf", PDF).status == 403, "another department"
    assert attach(somu, 1, "a.pdf", PDF).status == 409, "an approved request is closed"
    assert somu.json_ok("GET", "/api/v1/requests/7")["attachments"] == []
    # A part whose Content-Disposition names nothing is left out (it once
    # crashed the server: found by fuzz/fuzz_multipart.c).
    body, ctype = multipart({}, "a.pdf", PDF)
    unnamed = b"--" + ctype.split("boundary=")[1].encode() + \
        b"\r\nContent-Disp#sition: form-data; name=\"note\"\r\n\r\nmemo\r\n"
    r = somu.request("POST", "/api/v1/requests/7/attachments", body=unnamed + body, ctype=ctype)
    assert r.status == 201, r
    assert [a["name"] for a in somu.json_ok("GET", "/api/v1/requests/7")["attachments"]] == \
        ["a.pdf"]


def test_the_pages_list_and_take_files(env):
    env.start()
    c, _ = env.page_signin("somu")
    page = c.get("/requests/7").text
    assert 'action="/requests/7/attachments"' in page and 'enctype="multipart/form-data"' in page
    body, ctype = multipart({"csrf": c.csrf, "item": "1", "note": "登録画面"}, "ismap.png", PNG)
    r = c.request("POST", "/requests/7/attachments", body=body, ctype=ctype,
                  headers={"Origin": "http://127.0.0.1:%d" % env.port})
    assert r.status == 303 and r.header("Location").endswith("/requests/7#attachments"), r
    page = c.get("/requests/7").text
    assert "ismap.png" in page and "/api/v1/attachments/" in page
    body, ctype = multipart({"csrf": "wrong"}, "x.png", PNG)
    r = c.request("POST", "/requests/7/attachments", body=body, ctype=ctype,
                  headers={"Origin": "http://127.0.0.1:%d" % env.port})
    assert r.status == 403, r
    # Carried to the entry: approved, the entry page lists it for the
    # department and the approver, not for staff.
    somu, appr = env.token("somu"), env.token("shinsa")
    rid = somu.json_ok("POST", "/api/v1/requests", document(name="Box"), status=201)["id"]
    assert attach(somu, rid, "規約.pdf", PDF).status == 201
    somu.json_ok("POST", "/api/v1/requests/%d/consult" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {})
    somu.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/approve" % rid, {})
    entry = somu.json_ok("GET", "/api/v1/requests/%d" % rid)["entry_id"]
    a, _ = env.page_signin("shinsa")
    assert "規約.pdf" in a.get("/ledger/%d" % entry).text
    s, _ = env.page_signin("shokuin")
    assert "規約.pdf" not in s.get("/ledger/%d" % entry).text


run(globals())
