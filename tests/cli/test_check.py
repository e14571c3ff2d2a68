"""`check` (CONTRACT.md sections 1 and 2): exit 0 approvable, 1 not, 2 invalid;
the evaluation JSON; every finding code; works without a database."""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import assert_error_line, document, run, setup_db  # noqa: E402

BLOCKER_CODES = {"missing-field", "invalid-period", "condition-unmet", "unanswered",
                 "mandatory-unmet", "recommended-unjustified", "optional-unconsidered",
                 "risk-undecided", "measure-missing"}
WARNING_CODES = {"recommended-unmet", "optional-unmet", "procurement-missing"}


def check(env, doc, expect):
    """Run check on stdin; assert the exit status and the evaluation's shape."""
    r = env.run("check", "-", input=doc)
    assert r.code == expect, "expected exit %d: %r" % (expect, r)
    ev = r.json()
    assert set(ev) >= {"approvable", "track", "catalogue", "findings"}, ev
    assert ev["approvable"] is (expect == 0), ev
    assert ev["track"] in ("requirements", "risk-review"), ev
    assert isinstance(ev["findings"], list), ev
    for f in ev["findings"]:
        assert f["severity"] in ("blocker", "warning"), f
        assert isinstance(f["code"], str) and isinstance(f["message"], str) and f["message"], f
        if f["code"] in BLOCKER_CODES:
            assert f["severity"] == "blocker", f
        if f["code"] in WARNING_CODES:
            assert f["severity"] == "warning", f
    blockers = [f for f in ev["findings"] if f["severity"] == "blocker"]
    assert ev["approvable"] is (not blockers), "approvable exactly where no blocker: %s" % ev
    return ev


def find(ev, code, **kw):
    return [f for f in ev["findings"] if f["code"] == code
            and all(f.get(k) == v for k, v in kw.items())]


def no_db(env):
    """Point --db at a file that does not exist."""
    env.db = env.path("absent.db")
    return env


def test_approvable_document_exits_0(env):
    no_db(env)
    ev = check(env, document(), 0)
    assert ev["track"] == "requirements" and ev["catalogue"] == "shunan-2023", ev
    assert [f for f in ev["findings"] if f["severity"] == "blocker"] == [], ev
    assert not os.path.exists(env.db), "check created a database"


def test_reads_a_file_and_stdin_alike(env):
    no_db(env)
    doc = document()
    doc["requirements"]["15"] = {"status": "unmet"}
    path = env.write("doc.json", doc)
    a = env.run("check", path)
    b = env.run("check", "-", input=doc)
    assert a.code == 1 and b.code == 1, (a, b)
    assert a.json() == b.json(), (a, b)


def test_uses_the_catalogue_in_force_when_a_database_exists(env):
    setup_db(env)
    before = env.json("audit", "list", "--json")["records"]
    ev = check(env, document(), 0)
    assert ev["catalogue"] == "shunan-2023", ev
    assert env.json("request", "list", "--json")["requests"] == [], "check stores nothing"
    assert env.json("audit", "list", "--json")["records"] == before, "check stores nothing"


def test_invalid_document_exits_2_without_evaluation(env):
    no_db(env)
    for bad in ('{"service": ', '[1, 2]', '{"service": {"name": "x"}, "colour": "red"}'):
        r = env.run("check", "-", input=bad)
        assert_error_line(r, 2)
        assert r.out.strip() == "", "no evaluation for an invalid document: %r" % r


def test_missing_fields(env):
    no_db(env)
    doc = document()
    doc["service"]["provider"] = "   "
    del doc["scope"]
    doc["purpose"] = ""
    doc["applicant"] = {"department": "総務部", "name": ""}
    ev = check(env, doc, 1)
    fields = sorted(f.get("field") for f in find(ev, "missing-field"))
    assert fields == sorted(["service.provider", "scope", "purpose", "applicant.name"]), ev
    del doc["classification"]
    ev = check(env, doc, 1)
    fields = {f.get("field") for f in find(ev, "missing-field")}
    assert {"classification.confidentiality", "classification.integrity",
            "classification.availability"} <= fields, ev
    del doc["period"]
    del doc["service"]["name"]
    ev = check(env, doc, 1)
    fields = {f.get("field") for f in find(ev, "missing-field")}
    assert {"period.from", "period.to", "service.name"} <= fields, ev


def test_invalid_period(env):
    no_db(env)
    ev = check(env, document(period=("2027-04-01", "2027-03-31")), 1)
    assert len(find(ev, "invalid-period")) == 1, ev
    ev = check(env, document(period=("2026-02-30", "2027-03-31")), 1)
    assert find(ev, "invalid-period"), "a date that does not exist: %s" % ev
    ev = check(env, document(period=("2025-04-01", "2026-02-29")), 1)
    assert find(ev, "invalid-period"), "2026 is not a leap year: %s" % ev
    ev = check(env, document(period=("2027-03-31", "2027-03-31")), 0)
    ev = check(env, document(period=("2024-02-29", "2028-02-29")), 0)


def test_conditions(env):
    no_db(env)
    conds = [{"text": "録画機能は使用しない", "status": "met", "evidence": "管理画面で無効化"},
             {"text": "個人情報を入力しない", "status": "unmet"},
             {"text": "ログを月次で確認する"}]
    ev = check(env, document(conditions=conds), 1)
    got = sorted(f.get("index") for f in find(ev, "condition-unmet"))
    assert got == [1, 2], "conditions not met, by 0-based index: %s" % ev
    conds[1]["status"] = conds[2]["status"] = "met"
    check(env, document(conditions=conds), 0)


def test_requirement_rules(env):
    no_db(env)
    reqs = {str(n): {"status": "met"} for n in range(1, 29)}
    del reqs["5"]                                               # recommended, absent
    reqs["6"] = {"status": "unknown"}                           # optional, unknown
    reqs["15"] = {"status": "unmet", "reason": "理由があっても必須"}  # mandatory
    reqs["1"] = {"status": "unmet", "reason": "代替サービスがない"}   # recommended, reasoned
    reqs["4"] = {"status": "unmet"}                             # recommended, no reason
    reqs["8"] = {"status": "unmet", "reason": "  "}             # recommended, blank reason
    reqs["2"] = {"status": "unmet", "reason": "影響は軽微"}       # optional, reasoned
    reqs["3"] = {"status": "unmet"}                             # optional, no reason
    ev = check(env, document(requirements=reqs), 1)
    assert ev["track"] == "requirements", ev
    expect = {
        (5, "unanswered", "blocker"), (6, "unanswered", "blocker"),
        (15, "mandatory-unmet", "blocker"), (1, "recommended-unmet", "warning"),
        (4, "recommended-unjustified", "blocker"), (8, "recommended-unjustified", "blocker"),
        (2, "optional-unmet", "warning"), (3, "optional-unconsidered", "blocker"),
    }
    got = {(f.get("item"), f["code"], f["severity"]) for f in ev["findings"] if f.get("item")}
    assert got == expect, "findings by item: %s" % sorted(got ^ expect, key=str)
    # The message cites the clause: 別紙 項番15（必須）.
    msg = find(ev, "mandatory-unmet", item=15)[0]["message"]
    assert "項番15" in msg and "必須" in msg, msg


def test_unanswered_mandatory_optional_and_recommended_alike(env):
    no_db(env)
    ev = check(env, document(requirements=None), 1)
    items = sorted(f["item"] for f in find(ev, "unanswered"))
    assert items == list(range(1, 29)), "every requirement unanswered: %s" % ev


def test_warnings_alone_keep_a_request_approvable(env):
    no_db(env)
    reqs = {str(n): {"status": "met"} for n in range(1, 29)}
    reqs["1"] = {"status": "unmet", "reason": "ISMAP 未登録。代替サービスがない"}
    reqs["17"] = {"status": "unmet", "reason": "SLA 未定義。業務影響は軽微"}
    ev = check(env, document(requirements=reqs, procurement=False, category="generative-ai"), 0)
    assert find(ev, "recommended-unmet", item=1) and find(ev, "optional-unmet", item=17), ev
    assert find(ev, "procurement-missing"), ev


def test_procurement(env):
    no_db(env)
    ev = check(env, document(procurement=False), 0)
    assert len(find(ev, "procurement-missing")) == 1, ev
    doc = document()
    del doc["procurement"]["vendor_decided_on"]
    ev = check(env, doc, 0)
    assert len(find(ev, "procurement-missing")) == 1, "incomplete procurement: %s" % ev
    ev = check(env, document(), 0)
    assert not find(ev, "procurement-missing"), ev


def test_track_by_confidentiality(env):
    no_db(env)
    for level, track in (("3", "requirements"), ("2", "requirements"), ("1", "risk-review")):
        ev = check(env, document(confidentiality=level, requirements=None, risks=None), 1)
        assert ev["track"] == track, (level, ev)


def test_risk_review_rules(env):
    no_db(env)
    risks = {str(n): {"decision": "accept"} for n in range(1, 13)}
    del risks["3"]
    risks["5"] = {"decision": "mitigate", "measure": ""}
    risks["6"] = {"decision": "mitigate", "measure": "個人情報を入力しない"}
    risks["7"] = {"decision": "mitigate"}
    ev = check(env, document(confidentiality="1", requirements=None, risks=risks), 1)
    assert ev["track"] == "risk-review", ev
    got = {(f.get("item"), f["code"]) for f in ev["findings"] if f["severity"] == "blocker"}
    assert got == {(3, "risk-undecided"), (5, "measure-missing"), (7, "measure-missing")}, got
    ev = check(env, document(confidentiality="1", requirements=None, risks=None), 1)
    assert sorted(f["item"] for f in find(ev, "risk-undecided")) == list(range(1, 13)), ev


def test_answers_outside_the_track_decide_nothing(env):
    no_db(env)
    # 機密性1: requirement answers are kept but decide nothing. (Each risk is
    # accepted with its reason, or accept-unexplained would name it.)
    reqs = {"15": {"status": "unmet"}, "3": {"status": "unmet"}}
    risks = {str(n): {"decision": "accept", "reason": "公開情報のみ"} for n in range(1, 13)}
    ev = check(env, document(confidentiality="1", requirements=reqs, risks=risks), 0)
    assert not any(f.get("item") for f in ev["findings"]), ev
    # 機密性2: the risks decide nothing.
    ev = check(env, document(confidentiality="2", risks=None), 0)
    assert not find(ev, "risk-undecided"), ev


def test_findings_are_sorted_by_item_then_code(env):
    no_db(env)
    reqs = {str(n): {"status": "unmet"} for n in range(1, 29) if n % 3}
    doc = document(requirements=reqs, procurement=False, period=("2027-01-01", "2026-01-01"),
                   conditions=[{"text": "a", "status": "unmet"}, {"text": "b"}])
    doc["service"]["provider"] = ""
    doc["scope"] = ""
    ev = check(env, doc, 1)
    items = [f for f in ev["findings"] if f.get("item")]
    keys = [(f["item"], f["code"]) for f in items]
    assert keys == sorted(keys), "findings with an item sorted by item, then code: %s" % keys
    assert len(items) == 28, ev
    # Findings without an item (fields, period, conditions, procurement)
    # stand together, ordered by code.
    pos = [i for i, f in enumerate(ev["findings"]) if not f.get("item")]
    assert pos == list(range(pos[0], pos[0] + len(pos))), "item-less findings together: %s" % ev
    codes = [ev["findings"][i]["code"] for i in pos]
    assert codes == sorted(codes), codes
    assert pos[0] == 0 or pos[-1] == len(ev["findings"]) - 1, ev


def test_output_is_one_json_document(env):
    no_db(env)
    r = env.run("check", "-", input=document(requirements=None))
    assert r.code == 1, r
    json.loads(r.out)  # exactly one document, nothing else on stdout


run(globals())
