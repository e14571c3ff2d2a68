"""The same scenario through the JSON API and through the CLI, on two demo
databases, with the results compared field by field (ids and timestamps
aside). Issue 3: "The same rules as the CLI: a test drives the same scenario
through both and compares the results."

The scenario: a manager files a 機密性2 request with two blockers
(tests/data/api/scenario-draft.json), consults (事前協議, standard 5(2)①);
submitting before the approver concludes the consultation is refused; the
approver comments and concludes it; the manager submits; the approver's
approval is refused (blocked), they return it; the manager fixes it
(scenario-fixed.json), submits; the approver approves: a ledger entry. Then
an extension (change request) is filed, submitted and approved: version 2.
Then a retirement, likewise: the entry is retiring (廃止予定), retired on its day.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import assert_error, load_data, run  # noqa: E402
import harness  # noqa: E402  (tests/cli/harness.py, on the path through server)

MANAGER, APPROVER, AUDITOR = "somu", "shinsa", "kansa"
IGNORED = {"id", "request_id", "entry_id", "service_id", "at", "seq", "hash", "prev_hash"}


def normalize(value):
    """Drop ids and timestamps (keys ending in _at) at every depth."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()
                if k not in IGNORED and not k.endswith("_at")}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def diff(a, b, path="$"):
    """Human-readable differences between two JSON values."""
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append("%s.%s: only in CLI: %r" % (path, k, b[k]))
            elif k not in b:
                out.append("%s.%s: only in API: %r" % (path, k, a[k]))
            else:
                out += diff(a[k], b[k], "%s.%s" % (path, k))
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append("%s: API has %d items, CLI %d" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, "%s[%d]" % (path, i))
    elif a != b:
        out.append("%s: API %r, CLI %r" % (path, a, b))
    return out


def same(what, api, cli):
    d = diff(normalize(api), normalize(cli))
    assert not d, "%s differs between API and CLI:\n  %s" % (what, "\n  ".join(d[:40]))


class ApiSide:
    """The scenario's steps over HTTP: the manager by session cookie (with
    CSRF), the approver by Bearer token."""

    def __init__(self, env):
        self.env = env
        self.mgr = env.signin(MANAGER)
        self.appr = env.token(APPROVER)
        self.aud = env.token(AUDITOR)

    def new(self, doc):
        r = self.mgr.post("/api/v1/requests", doc)
        assert r.status == 201, "POST /requests: %r" % r
        return r.json()["id"]

    def update(self, rid, doc):
        r = self.mgr.put("/api/v1/requests/%d" % rid, doc)
        assert r.status == 200, "PUT /requests/%d: %r" % (rid, r)

    def step(self, rid, action, who, comment=None):
        c = self.mgr if who == MANAGER else self.appr
        body = {"comment": comment} if comment is not None else {}
        return c.post("/api/v1/requests/%d/%s" % (rid, action), body)

    def ok(self, rid, action, who, comment=None):
        r = self.step(rid, action, who, comment)
        assert r.status == 200, "API %s #%d by %s: %r" % (action, rid, who, r)
        return r.json()

    def show(self, rid):
        return self.appr.json_ok("GET", "/api/v1/requests/%d" % rid)

    def entry(self, eid):
        return self.mgr.json_ok("GET", "/api/v1/ledger/%d" % eid)

    def extend(self, eid, to, comment):
        r = self.mgr.post("/api/v1/ledger/%d/extend" % eid, {"to": to, "comment": comment})
        assert r.status == 201, "extend: %r" % r
        return r.json()["id"]

    def retire(self, eid, on, comment):
        r = self.mgr.post("/api/v1/ledger/%d/retire" % eid, {"on": on, "comment": comment})
        assert r.status == 201, "retire: %r" % r
        return r.json()["id"]

    def audit(self):
        return self.aud.json_ok("GET", "/api/v1/audit?limit=10000")["records"]


class CliSide:
    def __init__(self, env):
        self.env = env

    def new(self, doc):
        return self.env.json("request", "new", "--as", MANAGER, "--json", "-", input=doc)["id"]

    def update(self, rid, doc):
        self.env.ok("request", "update", "--as", MANAGER, rid, "-", input=doc)

    def step(self, rid, action, who, comment=None):
        args = ["request", action, "--as", who, rid]
        if comment is not None:
            args += ["--comment", comment]
        return self.env.run(*args)

    def ok(self, rid, action, who, comment=None):
        r = self.step(rid, action, who, comment)
        assert r.code == 0, "CLI %s #%d by %s: %r" % (action, rid, who, r)

    def show(self, rid):
        return self.env.json("request", "show", rid, "--json")

    def entry(self, eid):
        return self.env.json("ledger", "show", eid, "--json")

    def extend(self, eid, to, comment):
        return self.env.json("ledger", "extend", "--as", MANAGER, eid, "--to", to,
                             "--comment", comment, "--json")["id"]

    def retire(self, eid, on, comment):
        return self.env.json("ledger", "retire", "--as", MANAGER, eid, "--on", on,
                             "--comment", comment, "--json")["id"]

    def audit(self):
        return self.env.json("audit", "list", "--json")["records"]


def test_full_life_same_through_api_and_cli(env):
    env.start()
    cli_env = harness.Env()
    try:
        cli_env.ok("demo")
        api, cli = ApiSide(env), CliSide(cli_env)
        env.token("shokuin")  # every identity's token before the audit baseline
        audit_base = (len(api.audit()), len(cli.audit()))
        draft, fixed = load_data("scenario-draft.json"), load_data("scenario-fixed.json")
        ids = {}
        for name, side in (("api", api), ("cli", cli)):
            ids[name] = {"new": side.new(draft)}
        a, c = ids["api"]["new"], ids["cli"]["new"]

        def compare(label, key="new"):
            x, y = api.show(ids["api"][key]), cli.show(ids["cli"][key])
            same("request after %s" % label, x, y)
            return x

        q = compare("new")
        assert q["state"] == "draft" and q["evaluation"]["approvable"] is False, q
        assert q["document"]["applicant"]["department"] == "総務部 総務課", \
            "the applicant is the filing user, not what the document says: %r" % q["document"]["applicant"]

        api.ok(a, "consult", MANAGER, "事前協議をお願いします")
        cli.ok(c, "consult", MANAGER, "事前協議をお願いします")
        assert compare("consult")["state"] == "consulting"

        # Not yet concluded: a new request is not submitted (409 / exit 1).
        r = api.step(a, "submit", MANAGER)
        err = assert_error(r, 409)
        assert "5(2)①" in err["message"], err
        rc = cli.step(c, "submit", MANAGER)
        assert rc.code == 1 and "5(2)①" in rc.err, "CLI must refuse the submission: %r" % rc
        assert compare("refused submission")["state"] == "consulting"

        api.ok(a, "comment", APPROVER, "項番17・18の扱いを確認してください")
        cli.ok(c, "comment", APPROVER, "項番17・18の扱いを確認してください")
        api.ok(a, "conclude", APPROVER, "協議済みとします")
        cli.ok(c, "conclude", APPROVER, "協議済みとします")
        q = compare("conclude")
        assert q["state"] == "consulted", q
        assert q["consultation"]["concluded_by"] == APPROVER, q["consultation"]
        assert len(q["consultation"]["comments"]) == 3, q["consultation"]

        api.ok(a, "submit", MANAGER)
        cli.ok(c, "submit", MANAGER)
        assert compare("submit")["state"] == "submitted"

        # Approval with blockers: refused by both (409 / exit 1), nothing changed.
        r = api.step(a, "approve", APPROVER, "承認します")
        assert_error(r, 409)
        rc = cli.step(c, "approve", APPROVER, "承認します")
        assert rc.code == 1, "CLI must refuse the blocked approval with exit 1: %r" % rc
        assert compare("refused approval")["state"] == "submitted"

        api.ok(a, "return", APPROVER, "項番17・18の理由を記載してください")
        cli.ok(c, "return", APPROVER, "項番17・18の理由を記載してください")
        assert compare("return")["state"] == "returned"

        api.update(a, fixed)
        cli.update(c, fixed)
        q = compare("update")
        assert q["state"] == "returned" and q["evaluation"]["approvable"] is True, q

        api.ok(a, "submit", MANAGER, "理由を記載しました")
        cli.ok(c, "submit", MANAGER, "理由を記載しました")
        compare("re-submit")

        api.ok(a, "approve", APPROVER, "承認します")
        cli.ok(c, "approve", APPROVER, "承認します")
        q = compare("approve")
        assert q["state"] == "approved" and isinstance(q.get("entry_id"), int), q
        ea, ec = api.show(a)["entry_id"], cli.show(c)["entry_id"]
        en = api.entry(ea)
        same("ledger entry after approval", en, cli.entry(ec))
        assert en["service"]["name"] == "Box" and len(en["versions"]) == 1, en

        # Extension: a change request, submitted and approved: version 2.
        ids["api"]["change"] = api.extend(ea, "2028-03-31", "次年度も利用します")
        ids["cli"]["change"] = cli.extend(ec, "2028-03-31", "次年度も利用します")
        q = compare("extend", "change")
        assert q["kind"] == "change" and q["state"] == "draft", q
        for side, key in ((api, "api"), (cli, "cli")):
            side.ok(ids[key]["change"], "submit", MANAGER)
            side.ok(ids[key]["change"], "approve", APPROVER)
        assert compare("extension approved", "change")["state"] == "approved"
        en = api.entry(ea)
        same("ledger entry after extension", en, cli.entry(ec))
        assert en["version"] == 2 and en["period"]["to"] == "2028-03-31", en
        assert [v["period"]["to"] for v in en["versions"]] == ["2027-03-31", "2028-03-31"], en

        # Retirement, likewise: approved, the entry is 廃止予定 (retiring)
        # until its day.
        ids["api"]["retire"] = api.retire(ea, "2027-12-31", "契約終了のため")
        ids["cli"]["retire"] = cli.retire(ec, "2027-12-31", "契約終了のため")
        compare("retire", "retire")
        for side, key in ((api, "api"), (cli, "cli")):
            side.ok(ids[key]["retire"], "submit", MANAGER)
            side.ok(ids[key]["retire"], "approve", APPROVER)
        assert compare("retirement approved", "retire")["state"] == "approved"
        en = api.entry(ea)
        same("ledger entry after retirement", en, cli.entry(ec))
        assert en["state"] == "retiring" and en["retired_on"] == "2027-12-31", en
        assert len(en["versions"]) == 3, en
        later = cli_env.json("ledger", "show", ec, "--json", env={"EXTSVC_TODAY": "2027-12-31"})
        assert later["state"] == "retired", later

        # Every request of the scenario, as it ends.
        for key in ("new", "change", "retire"):
            compare("the end (%s)" % key, key)

        # The ledger listings agree on the entry.
        listed_api = env.token("shokuin").json_ok("GET", "/api/v1/ledger?state=retiring")
        listed_cli = cli_env.json("ledger", "list", "--all", "--json")
        mine_api = [x for x in listed_api["entries"] if x["id"] == ea]
        mine_cli = [x for x in listed_cli["entries"] if x["id"] == ec]
        assert len(mine_api) == 1 and len(mine_cli) == 1, (listed_api, listed_cli)
        same("ledger list entry", mine_api[0], mine_cli[0])

        # The same audit trail: who did what to which kind of object.
        def trail(records, base):
            return [(x["actor"], x["action"], x["object"].split(":")[0]) for x in records[base:]
                    if x["action"] != "token.create"]
        ta, tc = trail(api.audit(), audit_base[0]), trail(cli.audit(), audit_base[1])
        assert ta == tc, "audit trails differ:\nAPI %s\nCLI %s" % (ta, tc)
        assert len(ta) >= 15, "too few audit records for the scenario: %s" % ta
        assert (APPROVER, "request.conclude", "request") in ta, ta
        assert env.token(AUDITOR).json_ok("GET", "/api/v1/audit/verify")["ok"] is True
        assert cli_env.run("audit", "verify").code == 0
    finally:
        cli_env.close()


def test_same_refusals_through_api_and_cli(env):
    """Each refusal of the rules is the same through both: HTTP 401/403 ↔
    exit 1, 409 ↔ exit 1, 400/404 ↔ exit 2; and nothing is written."""
    env.start(extra=lambda e: e.ok("user", "add", "kenmu", "--name", "兼務 五郎", "--dept",
                                   "総務部 総務課", "--role", "manager,approver"))
    cli_env = harness.Env()
    try:
        cli_env.ok("demo")
        cli_env.ok("user", "add", "kenmu", "--name", "兼務 五郎", "--dept", "総務部 総務課",
                   "--role", "manager,approver")
        draft = load_data("scenario-draft.json")
        kenmu_api = env.token("kenmu")
        ka = kenmu_api.post("/api/v1/requests", load_data("scenario-fixed.json")).json()["id"]
        assert kenmu_api.post("/api/v1/requests/%d/consult" % ka, {}).status == 200
        assert env.token(APPROVER).post("/api/v1/requests/%d/conclude" % ka, {}).status == 200
        assert kenmu_api.post("/api/v1/requests/%d/submit" % ka, {}).status == 200
        kc = cli_env.json("request", "new", "--as", "kenmu", "--json", "-",
                          input=load_data("scenario-fixed.json"))["id"]
        cli_env.ok("request", "consult", "--as", "kenmu", kc)
        cli_env.ok("request", "conclude", "--as", APPROVER, kc)
        cli_env.ok("request", "submit", "--as", "kenmu", kc)
        # And one of kenmu's in consultation: theirs, so not theirs to conclude.
        kb = kenmu_api.post("/api/v1/requests", load_data("scenario-fixed.json")).json()["id"]
        assert kenmu_api.post("/api/v1/requests/%d/consult" % kb, {}).status == 200
        kd = cli_env.json("request", "new", "--as", "kenmu", "--json", "-",
                          input=load_data("scenario-fixed.json"))["id"]
        cli_env.ok("request", "consult", "--as", "kenmu", kd)
        status_to_exit = {401: 1, 403: 1, 409: 1, 400: 2, 404: 2}
        cases = [
            # (who, API method, API path(id), body, CLI args(id), HTTP status)
            ("shokuin", "POST", "/api/v1/requests", draft, ["request", "new", "--as", "shokuin", "-"], 403),
            ("kyoiku", "POST", "/api/v1/requests/4/submit", {}, ["request", "submit", "--as", "kyoiku", "4"], 403),
            ("somu", "POST", "/api/v1/requests/3/approve", {}, ["request", "approve", "--as", "somu", "3"], 403),
            ("kansa", "POST", "/api/v1/requests/3/return", {"comment": "x"},
             ["request", "return", "--as", "kansa", "3", "--comment", "x"], 403),
            ("kenmu", "POST", "/api/v1/requests/%d/approve" % ka, {},
             ["request", "approve", "--as", "kenmu", str(kc)], 403),
            ("shinsa", "POST", "/api/v1/requests/4/approve", {}, ["request", "approve", "--as", "shinsa", "4"], 409),
            ("somu", "POST", "/api/v1/requests/1/submit", {}, ["request", "submit", "--as", "somu", "1"], 409),
            # 5(2)①: a new request in draft or in consultation is not submitted.
            ("somu", "POST", "/api/v1/requests/4/submit", {}, ["request", "submit", "--as", "somu", "4"], 409),
            ("somu", "POST", "/api/v1/requests/7/submit", {}, ["request", "submit", "--as", "somu", "7"], 409),
            # Only an approver concludes, only a consultation, never their own.
            ("somu", "POST", "/api/v1/requests/7/conclude", {}, ["request", "conclude", "--as", "somu", "7"], 403),
            ("kenmu", "POST", "/api/v1/requests/%d/conclude" % kb, {},
             ["request", "conclude", "--as", "kenmu", str(kd)], 403),
            ("shinsa", "POST", "/api/v1/requests/3/conclude", {}, ["request", "conclude", "--as", "shinsa", "3"], 409),
            ("shinsa", "POST", "/api/v1/requests/8/conclude", {}, ["request", "conclude", "--as", "shinsa", "8"], 409),
            # A consultation is not returned (差戻し is of a submitted request).
            ("shinsa", "POST", "/api/v1/requests/7/return", {"comment": "x"},
             ["request", "return", "--as", "shinsa", "7", "--comment", "x"], 409),
            # Concluded: what was agreed is not edited.
            ("kyoiku", "PUT", "/api/v1/requests/8", draft, ["request", "update", "--as", "kyoiku", "8", "-"], 409),
            ("somu", "PUT", "/api/v1/requests/3", draft, ["request", "update", "--as", "somu", "3", "-"], 409),
            ("shinsa", "POST", "/api/v1/requests/3/reject", {}, ["request", "reject", "--as", "shinsa", "3"], 400),
            ("somu", "POST", "/api/v1/ledger/1/extend", {"to": "2027-02-30"},
             ["ledger", "extend", "--as", "somu", "1", "--to", "2027-02-30"], 400),
            ("somu", "POST", "/api/v1/ledger/1/extend", {"to": "2026-12-31"},
             ["ledger", "extend", "--as", "somu", "1", "--to", "2026-12-31"], 400),
            ("kyoiku", "POST", "/api/v1/ledger/1/retire", {"on": "2026-12-31"},
             ["ledger", "retire", "--as", "kyoiku", "1", "--on", "2026-12-31"], 403),
            ("shinsa", "POST", "/api/v1/requests/999/approve", {}, ["request", "approve", "--as", "shinsa", "999"], 404),
        ]
        problems = []
        for who, *_ in cases:
            env.token(who)  # tokens are audited: make them before the baseline
        aud = env.token("kansa")
        before_api = aud.json_ok("GET", "/api/v1/audit?limit=1")["total"]
        before_cli = len(cli_env.json("audit", "list", "--json")["records"])
        for who, method, path, body, args, status in cases:
            r = env.token(who).request(method, path, body=body)
            rc = cli_env.run(*args, input=body if args[-1] == "-" else None)
            if r.status != status:
                problems.append("API %s %s as %s: expected %d, got %r" % (method, path, who, status, r))
            else:
                try:
                    assert_error(r, status)
                except AssertionError as exc:
                    problems.append(str(exc))
            if rc.code != status_to_exit[status]:
                problems.append("CLI %s: expected exit %d, got %r" % (" ".join(args), status_to_exit[status], rc))
        after_api = aud.json_ok("GET", "/api/v1/audit?limit=1")["total"]
        after_cli = len(cli_env.json("audit", "list", "--json")["records"])
        if after_api != before_api or after_cli != before_cli:
            problems.append("refusals wrote audit records: API %d→%d, CLI %d→%d" % (
                before_api, after_api, before_cli, after_cli))
        assert not problems, "\n  ".join([""] + problems)
    finally:
        cli_env.close()


if __name__ == "__main__":
    run(globals())
