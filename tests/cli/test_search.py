"""Searching the ledger (issue 3: 「チーム」 finds 「Microsoft Teams（チーム会議）」):
substrings of one character (a scan) and of two or more (the bigram index)
give the same entries and the same totals, whatever the state filter, and
follow each entry through extension and retirement. Text and query are
both folded (NFKC and case): ＢＯＸ, Box and box find the same entries, ｶﾅ
finds カナ, full-width digits find ASCII ones; what is shown stays as
written. A database from schema 3 is re-indexed folded by `extsvc init`."""
import os
import sqlite3
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


def folded_entries(env):
    """Entries written in different widths and cases."""
    setup_db(env)
    made = {}
    for key, name, function, provider, purpose in (
            ("fullwidth", "ＢＯＸ", "ファイル共有", "Box, Inc.", "２０２６年度の資料共有"),
            ("ascii", "Box", "ファイル共有", "株式会社ボックス", "2026年度の会議資料"),
            ("halfwidth", "ｶﾅ入力", "文字入力支援", "（株）周南", "翻訳の下書き"),
            ("other", "Teams", "Web会議", "日本マイクロソフト株式会社", "会議のパスワード管理")):
        _, entry = approve_new(env, document(name=name, function=function, provider=provider,
                                             purpose=purpose))
        made[key] = entry
    return made


def test_width_and_case_do_not_matter(env):
    made = folded_entries(env)
    both_boxes = sorted([made["fullwidth"], made["ascii"]])
    for q in ("ＢＯＸ", "box", "Box", "BOX", "ｂｏｘ", "Ｂｏｘ"):
        r = ledger(env, "--q", q)
        assert ids(r) == both_boxes and r["total"] == 2, (q, r)
    for q in ("ｶﾅ", "カナ", "ｶﾅ入力", "カナ入力", "ｶ", "カ"):  # bigrams, and one character
        r = ledger(env, "--q", q)
        assert ids(r) == [made["halfwidth"]] and r["total"] == 1, (q, r)
    for q in ("2026", "２０２６", "２０２６年度"):
        r = ledger(env, "--q", q)
        assert ids(r) == both_boxes and r["total"] == 2, (q, r)


def test_japanese_searches_still_work_folded(env):
    made = folded_entries(env)
    assert ids(ledger(env, "--q", "翻訳")) == [made["halfwidth"]]
    assert ids(ledger(env, "--q", "会議")) == sorted([made["ascii"], made["other"]])
    assert ids(ledger(env, "--q", "会")) == sorted([made["ascii"], made["other"]])
    assert ids(ledger(env, "--q", "ファイル共有")) == sorted([made["fullwidth"], made["ascii"]])
    assert ledger(env, "--q", "資料共有会議")["total"] == 0


def test_the_query_length_that_counts_is_the_folded_one(env):
    made = folded_entries(env)
    # ﾊﾟ is two characters typed, one (パ) folded: a one-character search.
    assert ids(ledger(env, "--q", "ﾊﾟ")) == [made["other"]]
    assert ids(ledger(env, "--q", "ﾊﾟｽﾜｰﾄﾞ")) == [made["other"]]
    # ㈱ is one character typed, three ((株)) folded: a phrase of bigrams.
    assert ids(ledger(env, "--q", "㈱")) == [made["halfwidth"]]
    assert ids(ledger(env, "--q", "(株)周南")) == [made["halfwidth"]]
    # Only a zero-width space: no query at all, every entry in use.
    assert ledger(env, "--q", "\u200b")["total"] == 4


def test_what_is_shown_stays_as_written(env):
    made = folded_entries(env)
    r = ledger(env, "--q", "box", "--sort", "name")
    names = {e["id"]: e["service"]["name"] for e in r["entries"]}
    assert names == {made["fullwidth"]: "ＢＯＸ", made["ascii"]: "Box"}, r
    shown = env.json("ledger", "show", made["halfwidth"], "--json")
    assert shown["service"]["name"] == "ｶﾅ入力", shown
    assert shown["service"]["provider"] == "（株）周南", shown


def v3_bigrams(text):
    """The bigram tokens schema 3 stored: code point pairs, ASCII letters
    lowered and nothing else folded (text_bigrams on unfolded text)."""
    cps = [ord(c) + 32 if "A" <= c <= "Z" else ord(c) for c in text]
    return " ".join("x%06x%06x" % (a, b) for a, b in zip(cps, cps[1:]))


def test_a_schema_3_database_is_reindexed_folded_by_init(env):
    """Schema 4 changes no table, only what ledger_search.text and ledger_fts
    hold. So a database as schema 3 left it is this one with its search text
    unfolded, its bigrams made from that, and schema_version 3: put it back
    in that state, and `extsvc init` must migrate it and fold its search."""
    made = folded_entries(env)
    con = sqlite3.connect(env.db)
    rows = con.execute(
        "SELECT e.id, v.service_name || char(31) || v.service_function || char(31) || "
        "v.provider || char(31) || v.purpose FROM ledger_entries e JOIN ledger_versions v "
        "ON v.entry_id = e.id AND v.version = e.version").fetchall()
    assert len(rows) == 4
    con.execute("DELETE FROM ledger_fts")
    for entry, text in rows:
        con.execute("UPDATE ledger_search SET text = ? WHERE entry_id = ?", (text, entry))
        con.execute("INSERT INTO ledger_fts(rowid, grams) VALUES (?, ?)", (entry, v3_bigrams(text)))
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    r = env.run("ledger", "list", "--json", "--q", "box")
    assert r.code != 0 and "extsvc init" in r.err, "schema 3 must be migrated first: %r" % r
    env.ok("init")
    con = sqlite3.connect(env.db)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("4",)
    texts = dict(con.execute("SELECT entry_id, text FROM ledger_search").fetchall())
    con.close()
    assert texts[made["fullwidth"]].startswith("box\x1f"), texts
    assert texts[made["halfwidth"]].startswith("カナ入力\x1f"), texts
    both_boxes = sorted([made["fullwidth"], made["ascii"]])
    for q in ("ＢＯＸ", "box", "Box"):
        assert ids(ledger(env, "--q", q)) == both_boxes, q
    for q in ("ｶﾅ", "カナ", "カ"):
        assert ids(ledger(env, "--q", q)) == [made["halfwidth"]], q
    assert ids(ledger(env, "--q", "２０２６")) == both_boxes
    assert ids(ledger(env, "--q", "翻訳")) == [made["halfwidth"]]
    # A second init finds schema 4 and changes nothing.
    env.ok("init")
    assert ids(ledger(env, "--q", "ｶﾅ")) == [made["halfwidth"]]


run(globals())
