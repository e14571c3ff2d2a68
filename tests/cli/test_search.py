"""Searching the ledger (issue 3: 「チーム」 finds 「Microsoft Teams（チーム会議）」):
substrings of one character (a scan) and of two or more (the bigram index)
give the same entries and the same totals, whatever the state filter, and
follow each entry through extension and retirement. Text and query are
both folded (NFKC and case): ＢＯＸ, Box and box find the same entries, ｶﾅ
finds カナ, full-width digits find ASCII ones; what is shown stays as
written. A database from schema 3 is re-indexed folded by `extsvc init`."""
import json
import os
import sqlite3
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import SOURCE, approve_new, document, run, schema_version, setup_db, skip  # noqa: E402


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


def test_sorted_by_name_or_last_change_as_the_entries_say(env):
    """--sort name and --sort updated (schema 10: read a page at a time
    through an index of keys kept in ledger_search) give the order of the
    entries' own fields, in both directions, page after page; a retirement
    is a change."""
    made = four_entries(env)
    _, late = approve_new(env, document(name="Service active", function="B機能",
                                        purpose="会議の記録"))
    every = ledger(env, "--all", "--limit", "100")["entries"]
    assert len(every) == 5
    by_name = [e["id"] for e in sorted(every, key=lambda e: (e["service"]["name"],
                                                            e["service"]["function"], e["id"]))]
    by_change = [e["id"] for e in sorted(every, key=lambda e: (e["updated_at"], e["id"]))]
    assert by_change[-1] in (made["retired"], late), "the retirement or the last approval is newest"
    for sort, want in (("name", by_name), ("updated", by_change)):
        got = [e["id"] for e in ledger(env, "--all", "--sort", sort)["entries"]]
        assert got == want, (sort, got, want)
        desc = [e["id"] for e in ledger(env, "--all", "--sort", sort, "--desc")["entries"]]
        assert desc == want[::-1], (sort, desc)
        paged = []
        for offset in range(0, 5, 2):
            paged += [e["id"] for e in ledger(env, "--all", "--sort", sort, "--limit", "2",
                                              "--offset", str(offset))["entries"]]
        assert paged == want, (sort, paged)


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


def schema_3_database(path):
    """A database as extsvc schema 3 left it, built from the migrations
    001-003 themselves: one user, three entries (ＢＯＸ and ｶﾅ入力 in use,
    Box retired on 2026-04-30), search text unfolded and its bigrams made
    from that. The ｶﾅ entry's request has conditions and procurement, which
    schema 5 copies into the ledger version."""
    if not os.path.basename(path).endswith(".db"):
        skip("builds a SQLite file of schema 3: SQLite only")
    mig = os.path.join(SOURCE, "src", "store", "migrations", "sqlite")
    con = sqlite3.connect(path)
    for name in ("001_init.sql", "002_sessions.sql", "003_search.sql"):
        with open(os.path.join(mig, name), encoding="utf-8") as f:
            con.executescript(f.read())
    with open(os.path.join(SOURCE, "data", "catalogue", "shunan-2023.json"), encoding="utf-8") as f:
        body = f.read()
    at = "2026-04-01T00:00:00Z"
    con.executescript("""
        INSERT INTO meta VALUES ('schema_version', '3');
        INSERT INTO departments(id, name) VALUES (1, '総務部 情報政策課');
        INSERT INTO users(id, login, name, department_id, roles, created_at)
            VALUES (1, 'mgr', '周南 太郎', 1, 'manager,approver', '%s');
        INSERT INTO providers(id, name) VALUES (1, 'Box, Inc.'), (3, '（株）周南');
    """ % at)
    con.execute("INSERT INTO catalogues(id, title, effective, body, loaded_at, in_force) "
                "VALUES ('shunan-2023', 't', '2023-09-20', ?, ?, 1)", (body, at))
    entries = [(1, "ＢＯＸ", "ファイル共有", "２０２６年度の資料共有", None, None),
               (2, "Box", "ファイル共有", "2026年度の会議資料", "2026-04-30", None),
               (3, "ｶﾅ入力", "文字入力支援", "翻訳の下書き", None,
                {"conditions": [{"text": "個人情報を入力しない", "status": "met"}],
                 "procurement": {"approval_ref": "総務第1号", "approved_on": "2026-02-01",
                                 "vendor_decided_on": "2026-02-15"}})]
    for n, name, function, purpose, retired_on, extra in entries:
        provider = "（株）周南" if n == 3 else "Box, Inc."
        doc = document(name=name, function=function, provider=provider, purpose=purpose)
        doc.update(extra or {})
        con.execute("INSERT INTO services(id, provider_id, name, function) VALUES (?, ?, ?, ?)",
                    (n, 3 if n == 3 else 1, name, function))
        con.execute("INSERT INTO ledger_entries(id, department_id, service_id, version, "
                    "retired_on, created_at, updated_at) VALUES (?, 1, ?, 1, ?, ?, ?)",
                    (n, n, retired_on, at, at))
        con.execute("INSERT INTO requests(id, kind, state, department_id, service_id, entry_id, "
                    "catalogue_id, document, evaluation, approvable, created_by, created_at, "
                    "updated_at, decided_at) VALUES (?, 'new', 'approved', 1, ?, ?, "
                    "'shunan-2023', ?, '{}', 1, 1, ?, ?, ?)",
                    (n, n, n, json.dumps(doc, ensure_ascii=False), at, at, at))
        con.execute("INSERT INTO ledger_versions(entry_id, version, request_id, kind, "
                    "service_name, service_function, provider, purpose, confidentiality, "
                    "integrity, availability, period_from, period_to, applicant_department, "
                    "applicant_name, scope, catalogue_id, recorded_at, recorded_by) VALUES "
                    "(?, 1, ?, 'new', ?, ?, ?, ?, '2', '2', '1', '2026-04-01', "
                    "'2027-03-31', '総務部 情報政策課', '周南 太郎', '部局内に限る', "
                    "'shunan-2023', ?, 1)", (n, n, name, function, provider, purpose, at))
        text = "\x1f".join((name, function, provider, purpose))
        con.execute("INSERT INTO ledger_search(entry_id, text, period_to, retired, "
                    "department_id, confidentiality) VALUES (?, ?, '2027-03-31', ?, 1, '2')",
                    (n, text, 1 if retired_on else 0))
        con.execute("INSERT INTO ledger_fts(rowid, grams) VALUES (?, ?)", (n, v3_bigrams(text)))
    con.commit()
    con.close()


def test_the_total_counts_the_entries_in_use_on_the_day(env):
    """The ledger's total without a query or filter (counted through the
    indexes of retired and past entries, not row by row) is the number of
    entries in use on the day: an entry both retired and past its period is
    taken off once, an upcoming one is in use."""
    setup_db(env)
    names = {}
    for name, period in (("A", ("2026-04-01", "2027-03-31")), ("B", ("2026-04-01", "2026-12-31")),
                         ("C", ("2026-04-01", "2027-03-31")), ("D", ("2026-06-01", "2028-03-31"))):
        names[name] = approve_new(env, document(name="サービス" + name, period=period))[1]
    ret = env.json("ledger", "retire", "--as", "mgr", names["C"], "--on", "2027-01-31",
                   "--json")["id"]
    env.ok("request", "submit", "--as", "mgr", ret)
    env.ok("request", "approve", "--as", "appr", ret)
    for day, in_use in (("2026-05-01", "ABCD"), ("2027-01-15", "ACD"), ("2027-02-15", "AD"),
                        ("2027-06-01", "D"), ("2028-04-01", "")):
        when = {"EXTSVC_TODAY": day}
        listed = env.json("ledger", "list", "--json", env=when)
        got = sorted(e["service"]["name"][-1] for e in listed["entries"])
        assert got == sorted(in_use) and listed["total"] == len(in_use), (day, got, listed["total"])
        everything = env.json("ledger", "list", "--all", "--json", env=when)
        assert everything["total"] == 4 == len(everything["entries"]), (day, everything["total"])


def test_a_schema_3_database_is_migrated_and_reindexed_folded_by_init(env):
    """A real schema 3 database: `extsvc init` migrates it to the current
    schema (4: folded search; 5: the process's columns, filled from the
    approved documents; 6: indexes for the listings; 7: token expiry; 8: audit indexes; 9: each
    entry's API answer kept ready, made by init; 10: sort keys) and folds its search."""
    schema_3_database(env.db)
    r = env.run("ledger", "list", "--json", "--q", "box")
    assert r.code != 0 and "extsvc init" in r.err, "schema 3 must be migrated first: %r" % r
    env.ok("init")
    con = sqlite3.connect(env.db)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (schema_version(),)
    texts = dict(con.execute("SELECT entry_id, text FROM ledger_search").fetchall())
    kept = dict(con.execute("SELECT entry_id, body FROM ledger_json").fetchall())
    assert con.execute("SELECT value FROM meta WHERE key = 'ledger_json_stale'").fetchone() == ("0",)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    assert texts[1].startswith("box\x1f") and texts[3].startswith("カナ入力\x1f"), texts
    assert sorted(kept) == sorted(texts), "init kept every entry's answer ready"
    for entry_id, body in kept.items():
        shown = env.json("ledger", "show", str(entry_id), "--json")
        for k in ("state", "state_label"):
            shown.pop(k)
        assert json.loads(body) == shown, entry_id
    for q in ("ＢＯＸ", "box", "Box"):
        assert ids(ledger(env, "--q", q)) == [1], q
        assert ids(ledger(env, "--q", q, "--all")) == [1, 2], q
    for q in ("ｶﾅ", "カナ", "カ"):
        assert ids(ledger(env, "--q", q)) == [3], q
    assert ids(ledger(env, "--q", "２０２６")) == [1]
    assert ids(ledger(env, "--q", "翻訳")) == [3]
    gone = env.json("ledger", "show", 2, "--json")
    assert gone["state"] == "retired" and gone["retired_on"] == "2026-04-30", gone
    kana = env.json("ledger", "show", 3, "--json")
    assert kana["conditions"] == [{"text": "個人情報を入力しない", "status": "met"}], kana
    assert kana["procurement"]["approval_ref"] == "総務第1号", kana["procurement"]
    # The migrated requests table takes the new state.
    env.ok("user", "add", "appr", "--name", "審査 一郎", "--dept", "総務部 情報システム課",
           "--role", "approver")
    rid = env.json("request", "new", "--as", "mgr", "--json", "-", input=document())["id"]
    env.ok("request", "consult", "--as", "mgr", rid)
    env.ok("request", "conclude", "--as", "appr", rid)
    assert env.json("request", "show", rid, "--json")["state"] == "consulted"
    # A second init finds the current schema and changes nothing.
    env.ok("init")
    assert ids(ledger(env, "--q", "ｶﾅ")) == [3]


run(globals())
