"""Searching the ledger (issue 3: 「チーム」 finds 「Microsoft Teams（チーム会議）」):
substrings of one character (a scan) and of two or more (the bigram index)
give the same entries and the same totals, whatever the state filter, and
follow each entry through extension and retirement."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import approve_new, document, run, setup_db  # noqa: E402


def ledger(env, *args, today="2026-05-01"):
    r = env.ok("ledger", "list", "--json", *args, env={"EXTSVC_TODAY": today})
    return r.json()


def ids(result):
    return sorted(e["id"] for e in result["entries"])


def four_entries(env):
    """Four entries whose purposes share 「会議」: one in use, one expired by
    2026-05-01, one retired, one in use at another level."""
    setup_db(env)
    made = {}
    for key, purpose, period, conf in (
            ("active", "庁外関係者とのWeb会議（チーム会議）", ("2026-04-01", "2027-03-31"), "2"),
            ("expired", "研修の会議資料の共有", ("2025-04-01", "2026-03-31"), "1"),
            ("retired", "委員会の会議録の作成", ("2026-04-01", "2027-03-31"), "1"),
            ("other", "防災会議の連絡", ("2026-04-01", "2028-03-31"), "1")):
        _, entry = approve_new(env, document(name="Service " + key, purpose=purpose,
                                             period=period, confidentiality=conf))
        made[key] = entry
    rid = env.json("ledger", "retire", "--as", "mgr", made["retired"], "--on", "2026-04-30",
                   "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    return made


def test_two_character_and_one_character_searches_agree(env):
    made = four_entries(env)
    for q in ("会議", "会"):
        in_use = ledger(env, "--q", q)
        assert ids(in_use) == sorted([made["active"], made["other"]]), (q, in_use)
        assert in_use["total"] == 2, (q, in_use)
        every = ledger(env, "--q", q, "--all")
        assert ids(every) == sorted(made.values()) and every["total"] == 4, (q, every)
        for state, key in (("expired", "expired"), ("retired", "retired")):
            one = ledger(env, "--q", q, "--state", state)
            assert ids(one) == [made[key]] and one["total"] == 1, (q, state, one)


def test_a_phrase_must_stand_together(env):
    made = four_entries(env)
    assert ids(ledger(env, "--q", "チーム会議")) == [made["active"]]
    assert ledger(env, "--q", "会議チーム")["total"] == 0     # both words, wrong order
    assert ledger(env, "--q", "SERVICE ACTIVE")["total"] == 1  # ASCII without case
    assert ledger(env, "--q", "%")["total"] == 0               # LIKE wildcards are literal
    assert ledger(env, "--q", "_")["total"] == 0


def test_paging_keeps_the_total_and_the_order(env):
    made = four_entries(env)
    first = ledger(env, "--q", "会議", "--all", "--limit", "3")
    rest = ledger(env, "--q", "会議", "--all", "--limit", "3", "--offset", "3")
    assert first["total"] == rest["total"] == 4, (first, rest)
    assert [e["id"] for e in first["entries"] + rest["entries"]] == sorted(made.values())


def test_an_extension_is_found_by_its_new_text_only(env):
    setup_db(env)
    _, entry = approve_new(env, document(purpose="窓口予約の受付"))
    assert ledger(env, "--q", "窓口")["total"] == 1
    rid = env.json("ledger", "extend", "--as", "mgr", entry, "--to", "2028-03-31", "--json")["id"]
    doc = env.json("request", "show", rid, "--json")["document"]
    doc["purpose"] = "電話相談の受付"
    env.ok("request", "update", "--as", "mgr", rid, env.write("d.json", doc))
    env.ok("request", "submit", "--as", "mgr", rid)
    env.ok("request", "approve", "--as", "appr", rid)
    assert ledger(env, "--q", "窓口")["total"] == 0
    assert ids(ledger(env, "--q", "電話相談")) == [entry]


run(globals())
