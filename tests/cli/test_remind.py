"""What is due (issue 10): `extsvc remind` lists, for a daily cron job,
the entries whose period ends within --within days, the retirements coming
in that time, the entries in use whose ISMAP registration ends before their
period does, and the requests in 事前協議 or review with nothing done for
--waiting days -- each only to those who may read it.
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from harness import (approve_new, consult_conclude, document, new_request, run,  # noqa: E402
                     setup_db)

LIST = ("登録番号,サービス名称,事業者名,登録日,有効期限\r\n"
        "C21-0012-2,Microsoft Teams,日本マイクロソフト株式会社,2021/3/26,2026/12/31\r\n"
        "C21-0099-9,Box,Box Japan,2021/3/26,2030/3/31\r\n")


def remind(env, *args, day="2026-06-01", as_="appr"):
    return env.json("remind", "--json", "--as", as_, *args, env={"EXTSVC_TODAY": day})


def test_periods_retirements_and_ismap_lapses(env):
    setup_db(env)
    teams = document()  # 2026-04-01 .. 2027-03-31
    teams["service"]["ismap"] = "C21-0012-2"
    _, lapsing = approve_new(env, teams)
    box = document(name="Box", provider="Box Japan")
    box["service"]["ismap"] = "C21-0099-9"
    _, fine = approve_new(env, box)
    _, retiring = approve_new(env, document(name="Slack", provider="Slack Japan"))
    ret = env.json("ledger", "retire", "--as", "mgr", retiring, "--on", "2026-07-01", "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", ret)
    env.ok("request", "approve", "--as", "appr", ret)

    r = remind(env, "--within", "60")
    assert [e["id"] for e in r["ending"]] == [] and r["until"] == "2026-07-31", r
    assert [e["id"] for e in r["retiring"]] == [retiring], r["retiring"]
    assert r["ismap_lapses"] == [], "no list loaded yet"

    path = env.path("ismap.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(LIST)
    env.ok("ismap", "import", "--as", "ciso", path)
    r = remind(env)
    assert [(x["entry"], x["ismap"], x["expires_on"], x["period_to"]) for x in r["ismap_lapses"]] \
        == [(lapsing, "C21-0012-2", "2026-12-31", "2027-03-31")], r["ismap_lapses"]
    assert fine not in [x["entry"] for x in r["ismap_lapses"]]
    # Near the end: the periods ending, in order.
    r = remind(env, "--within", "30", day="2027-03-10")
    assert sorted(e["id"] for e in r["ending"]) == sorted([lapsing, fine]), r["ending"]
    # Staff read the ledger too.
    assert remind(env, as_="staff")["ismap_lapses"], "staff see the ledger's reminders"
    text = env.ok("remind", "--as", "appr", env={"EXTSVC_TODAY": "2026-06-01"}).out
    assert "ISMAP の登録が利用期間より先に切れる登録: 1 件" in text and "C21-0012-2" in text, text


def test_requests_waiting_too_long(env):
    setup_db(env)
    old = new_request(env)
    env.ok("request", "consult", "--as", "mgr", old)
    fresh = new_request(env, document(name="Zoom", provider="ZVC"))
    consult_conclude(env, fresh)
    env.ok("request", "submit", "--as", "mgr", fresh)
    other = new_request(env, document(name="kintone", provider="サイボウズ"), as_="mgr_b")
    env.ok("request", "consult", "--as", "mgr_b", other)
    con = env.connect()
    for rid in (old, other):
        con.execute("UPDATE requests SET updated_at = ? WHERE id = ?", ("2020-01-01T00:00:00Z", rid))
    if hasattr(con, "commit"):
        con.commit()
    r = remind(env, "--waiting", "14")
    assert [w["id"] for w in r["waiting"]] == [old, other], r["waiting"]
    assert r["waiting"][0]["state"] == "consulting"
    assert [w["id"] for w in remind(env, as_="mgr")["waiting"]] == [old], "own department only"
    assert remind(env, as_="staff")["waiting"] == [], "staff read no requests"
    bad = env.run("remind", "--within", "0")
    assert bad.code == 2 and bad.err.startswith("extsvc: "), bad


run(globals())
