"""The entry read kept ready (issue 9, entry read speed): an approval keeps
each entry as `GET /api/v1/ledger/{id}` answers it (ledger_json), less its
state, which is decided on every read from the day; anything the kept
answer was made from (a new version, a user's name, the service) deletes
it at once, by a trigger, in whatever process made the change, and `serve`
makes the missing ones again in the background. Tokens a server has
checked are kept while no user, department or token changes anywhere.

Each test compares with the long way (the entry, its versions and their
事前協議 read and rendered on the request), which must give the same bytes.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import Client, assert_error, run  # noqa: E402
from harness import document  # noqa: E402


def entry_ids(env):
    db = env.connect()
    try:
        return [r[0] for r in db.execute("SELECT id FROM ledger_entries ORDER BY id").fetchall()]
    finally:
        db.close()


def kept(env):
    db = env.connect()
    try:
        return {r[0]: r[1] for r in db.execute("SELECT entry_id, body FROM ledger_json").fetchall()}
    finally:
        db.close()


def sql(env, statement, params=()):
    db = env.connect()
    try:
        db.execute(statement, params)
        db.commit()
    finally:
        db.close()


def read_all(client, ids):
    out = {}
    for i in ids:
        r = client.get("/api/v1/ledger/%d" % i)
        assert r.status == 200, (i, r)
        out[i] = r.body
    return out


def demo(env):
    """The demo's requests and 30 further entries of varied periods."""
    env.ok("demo", "--entries", "30")
    return env.start(demo=False)


def test_the_kept_answer_is_the_long_way_byte_for_byte(env):
    demo(env)
    ids = entry_ids(env)
    assert len(ids) >= 30
    assert sorted(kept(env)) == ids, "every approved entry is kept ready by its approval"
    tok = env.token("shokuin")
    fast = read_all(tok, ids)
    sql(env, "DELETE FROM ledger_json")
    slow = read_all(tok, ids)
    for i in ids:
        assert fast[i] == slow[i], "entry %d:\nkept: %s\nlong: %s" % (i, fast[i][:300], slow[i][:300])
    # Each kept row holds no state: it is the day's, spliced in on reading.
    assert all(b'"state"' not in b.encode() for b in kept(env).values())


def test_the_state_is_the_days_not_the_day_it_was_kept(env):
    demo(env)
    ids = entry_ids(env)
    tok = env.token("shokuin")
    today = {i: tok.get("/api/v1/ledger/%d" % i).json() for i in ids}
    ends = sorted(e["period"]["to"] for e in today.values() if e["state"] in ("active", "upcoming"))
    assert ends, "the demo has entries in use"
    assert sorted(kept(env)) == ids
    env.stop()
    # A year after the last of them ends, read from the same kept rows:
    # every one of them has expired.
    y, m, d = (int(x) for x in ends[-1].split("-"))
    os.environ["EXTSVC_TODAY"] = "%04d-%02d-%02d" % (y + 1, m, min(d, 28))
    try:
        env.start(demo=False)
        later = {i: json.loads(b) for i, b in read_all(tok, ids).items()}
    finally:
        del os.environ["EXTSVC_TODAY"]
    for i in ids:
        was, now = today[i], later[i]
        if was["state"] in ("active", "upcoming", "retiring"):
            assert now["state"] in ("expired", "retired"), (i, was["state"], now["state"])
            assert now["state_label"] in ("期間満了", "廃止"), now["state_label"]
        assert {k: v for k, v in now.items() if not k.startswith("state")} == \
            {k: v for k, v in was.items() if not k.startswith("state")}


def approved(env, mgr, appr, rid):
    mgr.json_ok("POST", "/api/v1/requests/%d/consult" % rid, {})
    appr.json_ok("POST", "/api/v1/requests/%d/conclude" % rid, {"comment": "協議済み"})
    mgr.json_ok("POST", "/api/v1/requests/%d/submit" % rid, {})
    return appr.json_ok("POST", "/api/v1/requests/%d/approve" % rid, {})


def test_a_new_version_and_a_renamed_approver_show_at_once(env):
    env.start()
    tok, mgr, appr = env.token("shokuin"), env.token("somu"), env.token("shinsa")
    rid = mgr.json_ok("POST", "/api/v1/requests",
                      document(name="試験サービス", provider="試験株式会社"), status=201)["id"]
    entry = approved(env, mgr, appr, rid)["entry_id"]
    assert entry in kept(env), "the approval kept the entry ready"
    first = tok.get("/api/v1/ledger/%d" % entry).json()
    assert first["approval"]["by"] == "shinsa"
    # Another process renames the approver: the kept rows naming them go,
    # and the next read shows the new name.
    env.ok("user", "update", "shinsa", "--name", "改名 後子")
    assert entry not in kept(env)
    after = tok.get("/api/v1/ledger/%d" % entry).json()
    assert after["approval"]["by_name"] == "改名 後子", after["approval"]
    assert after["versions"][0]["consultation"]["concluded_by_name"] == "改名 後子"
    # A change approved through the workflow: the new version at once.
    rid = mgr.json_ok("POST", "/api/v1/ledger/%d/change" % entry,
                      {"purpose": "庁内会議にも使う"}, status=201)["id"]
    approved(env, mgr, appr, rid)
    assert entry in kept(env)
    now = tok.get("/api/v1/ledger/%d" % entry)
    assert now.json()["purpose"] == "庁内会議にも使う" and now.json()["version"] == 2, now.json()
    assert len(now.json()["versions"]) == 2
    sql(env, "DELETE FROM ledger_json WHERE entry_id = %d" % entry)
    assert tok.get("/api/v1/ledger/%d" % entry).body == now.body


def test_another_entry_of_the_same_service_leaves_the_first_kept(env):
    """Filing and approving a second use of a service already in the ledger
    (its category unchanged, 'other') does not touch the service: the first
    entry stays kept. It used to rewrite the service row with the same
    value, which fired the trigger and dropped every kept entry of that
    service -- an import of 20,000 rows of one service took 46 s instead
    of 2."""
    env.start()
    mgr, appr = env.token("somu"), env.token("shinsa")
    ids = []
    for purpose in ("説明会の受付", "研修の受付"):
        rid = mgr.json_ok("POST", "/api/v1/requests",
                          document(name="共通予約", provider="予約株式会社", purpose=purpose),
                          status=201)["id"]
        ids.append(approved(env, mgr, appr, rid)["entry_id"])
        assert ids[-1] in kept(env)
    assert ids[0] != ids[1]
    assert ids[0] in kept(env), "the first entry of the service is still kept"
    db = env.connect()
    try:
        services = db.execute("SELECT count(*) FROM services WHERE name = '共通予約'").fetchone()[0]
    finally:
        db.close()
    assert services == 1, "both entries are of the one service"


def test_serve_makes_the_missing_answers_in_the_background(env):
    env.ok("demo", "--entries", "450")  # more than one batch of 200
    ids = entry_ids(env)
    # As after an upgrade from schema 8: none kept, and the flag says so.
    sql(env, "DELETE FROM ledger_json")
    sql(env, "UPDATE meta SET value = '1' WHERE key = 'ledger_json_stale'")
    env.start(demo=False)
    deadline = time.time() + 20
    while time.time() < deadline and sorted(kept(env)) != ids:
        time.sleep(0.2)
    assert sorted(kept(env)) == ids, "serve made every missing answer"
    db = env.connect()
    try:
        flag = db.execute("SELECT value FROM meta WHERE key = 'ledger_json_stale'").fetchone()[0]
    finally:
        db.close()
    assert str(flag) == "0", "and then says none are missing (%r, %d entries)" % (flag, len(ids))


def test_a_token_revoked_by_another_process_fails_on_its_next_use(env):
    env.start()
    made = env.json("token", "create", "--as", "shokuin", "--json")
    tok = Client(env, token=made["token"])
    for _ in range(3):  # checked, then kept by the server
        assert tok.get("/api/v1/ledger/1").status == 200
    listed = env.json("token", "list", "--as", "shokuin", "--json")["tokens"]
    env.ok("token", "revoke", "--as", "shokuin", str(listed[-1]["id"]))
    assert_error(tok.get("/api/v1/ledger/1"), 401)
    # A role taken away in another process holds on the next request too.
    other = env.token("somu")
    assert other.get("/api/v1/ledger/1").status == 200
    env.ok("user", "update", "somu", "--role", "staff")
    r = other.post("/api/v1/ledger/1/extend", {"to": "2031-03-31", "comment": "延長"})
    assert_error(r, 403)


run(globals())
