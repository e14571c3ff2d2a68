"""Evidence files from the command line (issue 10): `extsvc request attach`
stores a file with its SHA-256 and an audit record; the request lists it; a
file whose content is not what its name says, or a request already decided,
is refused and nothing is written.
"""
import hashlib
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from harness import approve_new, assert_error_line, counts, new_request, run, setup_db  # noqa: E402

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4


def test_attach_list_and_refuse(env):
    setup_db(env)
    rid = new_request(env)
    path = env.path("削除証明書.pdf")
    with open(path, "wb") as f:
        f.write(PDF)
    out = env.json("request", "attach", "--as", "mgr", str(rid), path, "--item", "15",
                   "--note", "様式", "--json")
    shown = env.json("request", "show", str(rid), "--json")["attachments"]
    assert [a["id"] for a in shown] == [out["id"]], shown
    assert shown[0]["sha256"] == hashlib.sha256(PDF).hexdigest() and shown[0]["item"] == 15
    assert shown[0]["name"] == "削除証明書.pdf", "the name without its directory"
    records = env.json("audit", "list", "--json", "--action", "request.attach")["records"]
    assert records[-1]["after"]["sha256"] == shown[0]["sha256"], records[-1]
    env.ok("audit", "verify")
    before = counts(env)
    fake = env.path("fake.pdf")
    with open(fake, "wb") as f:
        f.write(b"<html></html>")
    r = env.run("request", "attach", "--as", "mgr", str(rid), fake)
    assert_error_line(r, 2)
    assert "形式ではありません" in r.err
    assert_error_line(env.run("request", "attach", "--as", "mgr_b", str(rid), path), 1)
    done, _ = approve_new(env)
    before = counts(env)
    assert_error_line(env.run("request", "attach", "--as", "mgr", str(done), path), 1)
    assert counts(env) == before


run(globals())
