"""The catalogue (CONTRACT.md section 3; issue 2, item 2): the standard's 28
requirements and 12 risks verbatim, the classification scheme, and catalogue
versions: a request keeps the version it was evaluated against."""
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import (DATA, assert_error_line, consult_conclude, counts, document,  # noqa: E402
                     new_request, run, setup_db, show)

# The standard's text, as the seed gives it (../shared/seed/000_131a20be86a49f82.txt).
SEED = os.path.join(DATA, "standard-shunan-2023.txt")
CATALOGUE_2024 = os.path.join(DATA, "catalogue-2024.json")
LEVELS = {"必須": "mandatory", "推奨": "recommended", "任意": "optional"}
# 規定番号 as section 3 assigns them (①..⑧ to the items of 別紙).
CLAUSES = {n: c for c, items in (("①", range(1, 9)), ("②", range(9, 14)), ("③", range(14, 16)),
                                   ("④", [16]), ("⑤", [17]), ("⑥", range(18, 21)), ("⑦", [21]),
                                   ("⑧", range(22, 29))) for n in items}


def squash(text):
    """Whitespace (and the footnote marks ¹ ²) removed: the seed is a PDF's text."""
    return re.sub(r"[\s¹²]", "", text)


def seed_text():
    with open(SEED, encoding="utf-8") as f:
        return f.read()


def seed_requirements():
    """[(no, category or '', text, level)] from the table of 別紙."""
    annex = seed_text()
    annex = annex[annex.index("別紙「外部サービス要件一覧」"):]
    out = []
    for line in annex.splitlines():
        if re.match(r"^\d+\t", line):
            cells = line.split("\t")
            out.append((int(cells[0]), cells[2], cells[3], cells[4].strip()))
    return out


def seed_risks():
    text = seed_text()
    part = text[text.index("(4)外部サービス利用の特性"):text.index("2 外部サービスの利用判断基準\n")]
    part = squash(part)
    found = re.findall(r"-([①-⑫])(.*?)(?=-[①-⑫]|企業等が製品|$)", part)
    return [("①②③④⑤⑥⑦⑧⑨⑩⑪⑫".index(mark) + 1, body) for mark, body in found]


def test_requirements_verbatim(env):
    cat = env.json("catalogue", "show", "--json")  # no database: the bundled catalogue
    seed = seed_requirements()
    assert len(seed) == 28, "the seed table has 28 rows: %d" % len(seed)
    reqs = cat["requirements"]
    assert [r["no"] for r in reqs] == list(range(1, 29)), [r.get("no") for r in reqs]
    category = ""
    for (no, cell, text, level), r in zip(seed, reqs):
        category = cell or category  # a merged cell of the table carries down
        assert squash(r["text"]) == squash(text), "requirement %d:\n%s\n%s" % (no, r["text"], text)
        assert r["level"] == LEVELS[level], (no, r["level"], level)
        assert r["clause"] == CLAUSES[no], (no, r["clause"])
        assert squash(r["category"]) == squash(category), (no, r["category"], category)


def test_risks_verbatim(env):
    cat = env.json("catalogue", "show", "--json")
    seed = seed_risks()
    assert [n for n, _ in seed] == list(range(1, 13)), seed
    assert [r["no"] for r in cat["risks"]] == list(range(1, 13)), cat["risks"]
    for (no, text), r in zip(seed, cat["risks"]):
        assert squash(r["text"]) == text, "risk %d:\n%s\n%s" % (no, r["text"], text)


def test_classification_scheme(env):
    cat = env.json("catalogue", "show", "--json")
    assert cat["id"] == "shunan-2023" and cat["effective"] == "2023-09-20", cat
    assert isinstance(cat["title"], str) and cat["title"].strip(), cat
    cls = cat["classification"]
    assert cls["threshold"] == "2", cls
    for axis, levels in (("confidentiality", ["3", "2", "1"]), ("integrity", ["2", "1"]),
                         ("availability", ["2", "1"])):
        got = sorted(cls[axis], key=lambda x: -x["rank"])
        assert [x["level"] for x in got] == levels, (axis, cls[axis])
        assert all(isinstance(x["definition"], str) and x["definition"].strip() for x in got), axis


def test_show_without_and_with_a_database_agree(env):
    bundled = env.json("catalogue", "show", "--json")
    assert not os.path.exists(env.db), "catalogue show created a database"
    env.ok("init")
    assert env.json("catalogue", "show", "--json") == bundled
    text = env.ok("catalogue", "show").out
    assert "別紙" in text or "要件" in text, text[:300]


def test_load_puts_a_new_version_in_force_and_old_requests_keep_theirs(env):
    setup_db(env)
    before_id = new_request(env, document(confidentiality="3"))
    kept = show(env, before_id)
    assert kept["evaluation"]["catalogue"] == "shunan-2023", kept["evaluation"]
    n_audit = len(env.json("audit", "list", "--json")["records"])

    env.ok("catalogue", "load", "--as", "ciso", CATALOGUE_2024)
    cat = env.json("catalogue", "show", "--json")
    with open(CATALOGUE_2024, encoding="utf-8") as f:
        loaded = json.load(f)
    assert cat["id"] == "national-2024", cat["id"]
    assert [x["level"] for x in cat["classification"]["confidentiality"]] == \
        [x["level"] for x in loaded["classification"]["confidentiality"]], cat["classification"]
    assert [r["text"] for r in cat["requirements"]] == [r["text"] for r in loaded["requirements"]]
    records = env.json("audit", "list", "--json")["records"]
    assert len(records) == n_audit + 1, "one audit record for the load: %s" % records[n_audit:]
    assert records[-1].get("actor") == "ciso", records[-1]

    # The request filed before keeps its catalogue...
    again = show(env, before_id)
    assert again["evaluation"] == kept["evaluation"], "an old request was re-evaluated"
    # ...and goes through under it: 機密性3 exists in shunan-2023 only.
    consult_conclude(env, before_id)
    env.ok("request", "submit", "--as", "mgr", before_id)
    env.ok("request", "approve", "--as", "appr", before_id)
    entry = env.json("ledger", "show", show(env, before_id)["entry_id"], "--json")
    assert entry["classification"]["confidentiality"] == "3", entry

    # A new request is evaluated under national-2024.
    after_id = new_request(env, document(confidentiality="3B", requirements=None))
    ev = show(env, after_id)["evaluation"]
    assert ev["catalogue"] == "national-2024", ev
    assert ev["track"] == "requirements", "3B ranks above the threshold 2: %s" % ev
    assert len([f for f in ev["findings"] if f["code"] == "unanswered"]) == 28, ev


def test_tracks_under_the_2024_scheme(env):
    setup_db(env)
    env.ok("catalogue", "load", "--as", "ciso", CATALOGUE_2024)
    for level, track in (("3A", "requirements"), ("3B", "requirements"), ("3C", "requirements"),
                         ("2", "requirements"), ("1", "risk-review")):
        r = env.run("check", "-", input=document(confidentiality=level, requirements=None,
                                                 risks=None))
        assert r.code == 1, (level, r)
        ev = r.json()
        assert ev["track"] == track and ev["catalogue"] == "national-2024", (level, ev)
    # "3" is no level of national-2024.
    before = counts(env)
    r = env.run("check", "-", input=document(confidentiality="3"))
    assert_error_line(r, 2)
    r = env.run("request", "new", "--as", "mgr", "-", input=document(confidentiality="3"))
    assert_error_line(r, 2)
    assert counts(env) == before


def test_only_ciso_loads_a_catalogue(env):
    setup_db(env)
    before = counts(env)
    for who in ("mgr", "appr", "admin", "aud", "staff"):
        r = env.run("catalogue", "load", "--as", who, CATALOGUE_2024)
        assert_error_line(r, 1)
    assert counts(env) == before
    assert env.json("catalogue", "show", "--json")["id"] == "shunan-2023"


def test_loading_the_same_id_twice_is_refused(env):
    setup_db(env)
    env.ok("catalogue", "load", "--as", "ciso", CATALOGUE_2024)
    before = counts(env)
    r = env.run("catalogue", "load", "--as", "ciso", CATALOGUE_2024)
    assert r.code in (1, 2), r
    assert_error_line(r, r.code)
    assert counts(env) == before
    # Nor may the bundled catalogue's id come back in another body.
    with open(CATALOGUE_2024, encoding="utf-8") as f:
        cat = json.load(f)
    cat["id"] = "shunan-2023"
    path = env.write("again.json", cat)
    r = env.run("catalogue", "load", "--as", "ciso", path)
    assert r.code in (1, 2), r
    assert counts(env) == before
    assert env.json("catalogue", "show", "--json")["id"] == "national-2024"


def test_a_malformed_catalogue_is_refused(env):
    setup_db(env)
    before = counts(env)
    r = env.run("catalogue", "load", "--as", "ciso", env.write("bad.json", '{"id": "x", '))
    assert_error_line(r, 2)
    with open(CATALOGUE_2024, encoding="utf-8") as f:
        cat = json.load(f)
    cat["id"] = "broken-2025"
    cat["requirements"][3]["level"] = "sometimes"
    r = env.run("catalogue", "load", "--as", "ciso", env.write("bad2.json", cat))
    assert_error_line(r, 2)
    assert counts(env) == before
    assert env.json("catalogue", "show", "--json")["id"] == "shunan-2023"


run(globals())
