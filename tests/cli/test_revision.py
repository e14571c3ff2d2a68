#!/usr/bin/env python3
"""Catalogue revisions strand no work (issue 7; CONTRACT.md section 3: a request
keeps the catalogue version it was evaluated against). tests/data/catalogue-2024.json
(national-2024) changes item 17 (任意 → 推奨) and the 機密性 scheme (3 becomes
3A/3B/3C). Every path across the revision: drafts, consultations and returned
requests keep their version until moved; extension, change and retirement of
entries approved under the old version work and are judged by the new one."""
import os

from harness import (DATA, assert_error_line, counts, document, new_request, run, setup_db,
                     show)

CATALOGUE_2024 = os.path.join(DATA, "catalogue-2024.json")


def consult_conclude_submit(env, rid, manager="mgr"):
    env.ok("request", "consult", "--as", manager, rid)
    env.ok("request", "conclude", "--as", "appr2", rid)
    env.ok("request", "submit", "--as", manager, rid)


def approve(env, doc=None):
    rid = new_request(env, doc)
    consult_conclude_submit(env, rid)
    env.ok("request", "approve", "--as", "appr", rid)
    return show(env, rid)["entry_id"]


def revise(env):
    env.ok("catalogue", "load", "--as", "ciso", CATALOGUE_2024)


def codes(ev):
    return {f["code"] for f in ev["findings"]}


def test_draft_consultation_and_returned_request_keep_their_version(env):
    setup_db(env)
    draft = new_request(env)
    consulting = new_request(env)
    env.ok("request", "consult", "--as", "mgr", consulting)
    returned = new_request(env)
    consult_conclude_submit(env, returned)
    env.ok("request", "return", "--as", "appr", returned, "--comment", "直してください")
    revise(env)
    for rid in (draft, consulting, returned):
        # Updated with a document of the old version: read against the one it keeps.
        env.ok("request", "update", "--as", "mgr", rid, "-", input=document(purpose="改訂後に更新"))
        req = show(env, rid)
        assert req["catalogue"] == "shunan-2023", req["catalogue"]
        assert req["catalogue_outdated"] is True and req["catalogue_in_force"] == "national-2024"
        assert req["evaluation"]["catalogue"] == "shunan-2023"
    # The returned one is re-submitted and approved under its own version.
    env.ok("request", "submit", "--as", "mgr", returned)
    env.ok("request", "approve", "--as", "appr", returned)
    assert show(env, returned)["state"] == "approved"


def test_moving_a_draft_to_the_version_in_force(env):
    setup_db(env)
    rid = new_request(env)
    revise(env)
    before = counts(env)
    env.ok("request", "update", "--as", "mgr", "--catalogue", "current", rid)
    req = show(env, rid)
    assert req["catalogue"] == "national-2024" and req["rebased_from"] == "shunan-2023", req
    assert req["catalogue_outdated"] is False
    ev = req["evaluation"]
    assert ev["catalogue"] == "national-2024"
    # Item 17 changed: its answer no longer holds and it starts unanswered.
    assert "17" not in req["document"]["requirements"], req["document"]["requirements"].keys()
    assert "1" in req["document"]["requirements"]
    unanswered = [f["item"] for f in ev["findings"] if f["code"] == "unanswered"]
    assert unanswered == [17], unanswered
    revised = [f for f in ev["findings"] if f["code"] == "catalogue-revised"]
    assert revised and "17" in revised[0]["message"], ev["findings"]
    assert req["history"][-1]["action"] == "rebase", req["history"][-1]
    assert counts(env) == (before[0], before[1], before[2] + 1)
    # Answered under the new version, it is approvable there.
    doc = req["document"]
    doc["requirements"]["17"] = {"status": "met", "evidence": "SLA 99.9%"}
    env.ok("request", "update", "--as", "mgr", rid, "-", input=doc)
    assert show(env, rid)["evaluation"]["approvable"] is True
    consult_conclude_submit(env, rid)
    env.ok("request", "approve", "--as", "appr", rid)


def test_moving_with_a_document_for_the_new_version(env):
    setup_db(env)
    rid = new_request(env, document(confidentiality="3"))
    revise(env)
    # "3" is no level of national-2024: the document sent is read against it.
    r = env.run("request", "update", "--as", "mgr", "--catalogue", "current", rid, "-",
                input=document(confidentiality="3"))
    assert_error_line(r, 2)
    assert show(env, rid)["catalogue"] == "shunan-2023"
    env.ok("request", "update", "--as", "mgr", "--catalogue", "current", rid, "-",
           input=document(confidentiality="3A"))
    req = show(env, rid)
    assert req["catalogue"] == "national-2024"
    assert req["document"]["classification"]["confidentiality"] == "3A"


def test_moving_as_stored_clears_a_level_the_new_scheme_lacks(env):
    setup_db(env)
    rid = new_request(env, document(confidentiality="3"))
    revise(env)
    env.ok("request", "update", "--as", "mgr", "--catalogue", "current", rid)
    req = show(env, rid)
    assert req["document"]["classification"]["confidentiality"] == "", req["document"]
    missing = [f["field"] for f in req["evaluation"]["findings"] if f["code"] == "missing-field"]
    assert missing == ["classification.confidentiality"], missing


def test_extend_and_retire_an_entry_approved_under_the_old_version(env):
    setup_db(env)
    entry = approve(env)
    other = approve(env, document(name="DeepL", provider="DeepL SE", function="翻訳"))
    revise(env)
    ext = env.json("ledger", "extend", "--as", "mgr", entry, "--to", "2028-03-31", "--json")["id"]
    req = show(env, ext)
    assert req["catalogue"] == "national-2024" and req["rebased_from"] == "shunan-2023", req
    ev = req["evaluation"]
    assert "catalogue-revised" in codes(ev), ev
    assert [f["item"] for f in ev["findings"] if f["code"] == "unanswered"] == [17], ev
    ret = env.json("ledger", "retire", "--as", "mgr", other, "--on", "2026-12-31", "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", ret)
    env.ok("request", "approve", "--as", "appr", ret)
    gone = env.json("ledger", "show", other, "--json")
    assert gone["state"] == "retiring" and gone["retired_on"] == "2026-12-31", gone
    # The retirement version keeps the entry's classification.
    assert gone["classification"]["confidentiality"] == "2"


def test_retire_across_a_new_classification_scheme(env):
    setup_db(env)
    entry = approve(env, document(confidentiality="3"))
    revise(env)
    # Retirement: nothing to re-judge; the version keeps 機密性3.
    ret = env.json("ledger", "retire", "--as", "mgr", entry, "--on", "2026-06-30", "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", ret)
    env.ok("request", "approve", "--as", "appr", ret)
    e = env.json("ledger", "show", entry, "--json")
    assert e["classification"]["confidentiality"] == "3" and e["version"] == 2, e


def test_change_request_for_an_entry_at_a_level_the_new_scheme_lacks(env):
    setup_db(env)
    entry = approve(env, document(confidentiality="3"))
    revise(env)
    rid = env.json("ledger", "change", "--as", "mgr", entry, "-", "--json",
                   input={"purpose": "新しい目的"})["id"]
    req = show(env, rid)
    missing = [f["field"] for f in req["evaluation"]["findings"] if f["code"] == "missing-field"]
    assert missing == ["classification.confidentiality"], req["evaluation"]
    r = env.run("request", "submit", "--as", "mgr", rid)
    assert r.code == 0, r  # submitting is allowed; approval is not
    assert_error_line(env.run("request", "approve", "--as", "appr", rid), 1)
    env.ok("request", "return", "--as", "appr", rid, "--comment", "格付を選び直してください")
    doc = req["document"]
    doc["classification"]["confidentiality"] = "3B"
    doc["requirements"]["17"] = {"status": "met", "evidence": "SLA 定義あり"}
    env.ok("request", "update", "--as", "mgr", rid, "-", input=doc)
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    e = env.json("ledger", "show", entry, "--json")
    assert e["classification"]["confidentiality"] == "3B" and e["catalogue"] == "national-2024", e
    assert e["versions"][0]["classification"]["confidentiality"] == "3"


if __name__ == "__main__":
    run(globals())
