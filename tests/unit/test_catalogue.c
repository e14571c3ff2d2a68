/*
 * test_catalogue.c - the catalogue (CONTRACT.md section 3): the bundled
 * data/catalogue/shunan-2023.json is the standard's 別紙 and 1(4), text
 * verbatim, checked here against the seed text of the standard itself;
 * catalogues that are not well formed are refused.
 *
 * The seed is found through $EXTSVC_SEED, else at
 * tests/data/standard-shunan-2023.txt (a copy of the seed,
 * ../shared/seed/000_131a20be86a49f82.txt, so that a clone tests alone).
 */
#include "unit_util.h"

#define SEED_DEFAULT "tests/data/standard-shunan-2023.txt"
#define COUNT(a)     (sizeof(a) / sizeof(a)[0])

static struct catalogue cat;
static char *zSeedFlat; /* the seed with every blank removed */

/* Copy s without ASCII whitespace and U+3000; caller frees. */
static char *without_blanks(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    assert_non_null(out);
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v') {
            s++;
        } else if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
                   (unsigned char)s[2] == 0x80) {
            s += 3;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static int setup(void **state)
{
    ut_load_catalogue(BUNDLED_CATALOGUE, &cat);
    const char *zPath = getenv("EXTSVC_SEED");
    if (!zPath || !*zPath)
        zPath = SEED_DEFAULT;
    char *zSeed = ut_read_file(zPath, NULL);
    zSeedFlat = without_blanks(zSeed);
    free(zSeed);
    return 0;
}

static int teardown(void **state)
{
    catalogue_release(&cat);
    free(zSeedFlat);
    return 0;
}

/* ---- the bundled catalogue ------------------------------------------------ */

/* CONTRACT 3: the bundled catalogue parses, under its id, from 令和5年9月20日. */
static void test_catalogue_bundled_parses(void **state)
{
    assert_string_equal(cat.id, "shunan-2023");
    assert_string_equal(cat.effective, "2023-09-20");
    ut_assert_contains(cat.title, "周南市外部サービス利用基準");
}

/* 別紙 and 1(4): 28 requirements, 12 known risks, numbered in order. */
static void test_catalogue_has_28_requirements_and_12_risks(void **state)
{
    assert_int_equal(cat.nReqs, 28);
    assert_int_equal(cat.nRisks, 12);
    for (size_t i = 0; i < cat.nReqs; i++)
        assert_int_equal(cat.reqs[i].no, (int)i + 1);
    for (size_t i = 0; i < cat.nRisks; i++)
        assert_int_equal(cat.risks[i].no, (int)i + 1);
    for (int no = 1; no <= 28; no++)
        assert_non_null(catalogue_requirement(&cat, no));
    assert_null(catalogue_requirement(&cat, 0));
    assert_null(catalogue_requirement(&cat, 29));
    for (int no = 1; no <= 12; no++)
        assert_non_null(catalogue_risk(&cat, no));
    assert_null(catalogue_risk(&cat, 0));
    assert_null(catalogue_risk(&cat, 13));
}

/* 別紙 必須／推奨／任意: the level of each item as the seed's table gives it. */
static void test_catalogue_levels_match_seed(void **state)
{
    static const enum req_level expect[29] = {
        [1] = REQ_RECOMMENDED,  [2] = REQ_OPTIONAL,    [3] = REQ_OPTIONAL,
        [4] = REQ_RECOMMENDED,  [5] = REQ_RECOMMENDED, [6] = REQ_OPTIONAL,
        [7] = REQ_OPTIONAL,     [8] = REQ_RECOMMENDED, [9] = REQ_MANDATORY,
        [10] = REQ_MANDATORY,   [11] = REQ_MANDATORY,  [12] = REQ_MANDATORY,
        [13] = REQ_MANDATORY,   [14] = REQ_MANDATORY,  [15] = REQ_MANDATORY,
        [16] = REQ_OPTIONAL,    [17] = REQ_OPTIONAL,   [18] = REQ_RECOMMENDED,
        [19] = REQ_RECOMMENDED, [20] = REQ_MANDATORY,  [21] = REQ_MANDATORY,
        [22] = REQ_MANDATORY,   [23] = REQ_MANDATORY,  [24] = REQ_MANDATORY,
        [25] = REQ_MANDATORY,   [26] = REQ_MANDATORY,  [27] = REQ_MANDATORY,
        [28] = REQ_MANDATORY,
    };
    for (int no = 1; no <= 28; no++) {
        const struct requirement *r = catalogue_requirement(&cat, no);
        if (r->level != expect[no])
            fail_msg("項番%d: level %s, the standard says %s", no, req_level_name(r->level),
                     req_level_name(expect[no]));
    }
}

/* 3 ①〜⑧: the clause each item serves (17 is ⑤ SLA; 18, 19, 20 are ⑥). */
static void test_catalogue_clauses_match_section_3(void **state)
{
    static const char *const expect[29] = {
        [1] = "①",  [2] = "①",  [3] = "①",  [4] = "①",  [5] = "①",  [6] = "①",  [7] = "①",
        [8] = "①",  [9] = "②",  [10] = "②", [11] = "②", [12] = "②", [13] = "②", [14] = "③",
        [15] = "③", [16] = "④", [17] = "⑤", [18] = "⑥", [19] = "⑥", [20] = "⑥", [21] = "⑦",
        [22] = "⑧", [23] = "⑧", [24] = "⑧", [25] = "⑧", [26] = "⑧", [27] = "⑧", [28] = "⑧",
    };
    for (int no = 1; no <= 28; no++) {
        const struct requirement *r = catalogue_requirement(&cat, no);
        if (strcmp(r->clause, expect[no]) != 0)
            fail_msg("項番%d: clause %s, section 3 says %s", no, r->clause, expect[no]);
    }
}

/* 別紙: each requirement's text is verbatim, and the seed's row gives the
 * same 必須／推奨／任意 right after it. Blanks are ignored (the seed breaks
 * lines and pages inside the table). */
static void test_catalogue_requirement_texts_verbatim(void **state)
{
    for (size_t i = 0; i < cat.nReqs; i++) {
        const struct requirement *r = &cat.reqs[i];
        char *zText = without_blanks(r->text);
        if (!strstr(zSeedFlat, zText))
            fail_msg("項番%d: text not in the standard: %s", r->no, r->text);
        size_t n = strlen(zText) + 32;
        char *zRow = malloc(n);
        assert_non_null(zRow);
        snprintf(zRow, n, "%s%s", zText, req_level_label(r->level));
        if (!strstr(zSeedFlat, zRow))
            fail_msg("項番%d: the standard does not give it as %s", r->no,
                     req_level_label(r->level));
        free(zRow);
        free(zText);
        char *zCat = without_blanks(r->category);
        if (!strstr(zSeedFlat, zCat))
            fail_msg("項番%d: category not in the standard: %s", r->no, r->category);
        free(zCat);
    }
}

/* 1(4) ①〜⑫: each known risk verbatim, under its own number. */
static void test_catalogue_risk_texts_verbatim(void **state)
{
    for (size_t i = 0; i < cat.nRisks; i++) {
        const struct risk *k = &cat.risks[i];
        char *zText = without_blanks(k->text);
        size_t n = strlen(zText) + 8;
        char *zItem = malloc(n);
        assert_non_null(zItem);
        snprintf(zItem, n, "%s%s", circled_number(k->no), zText);
        if (!strstr(zSeedFlat, zItem))
            fail_msg("risk %d: not in 1(4) as %s", k->no, zItem);
        free(zItem);
        free(zText);
    }
}

/* 2(1), 3, 格付: 機密性 3 > 2 > 1 with the threshold at 2; 完全性 and 可用性 2 > 1. */
static void test_catalogue_classification_scheme(void **state)
{
    assert_string_equal(cat.threshold, "2");
    assert_int_equal(cat.nLevels[AXIS_CONFIDENTIALITY], 3);
    assert_int_equal(cat.nLevels[AXIS_INTEGRITY], 2);
    assert_int_equal(cat.nLevels[AXIS_AVAILABILITY], 2);
    const struct class_level *c3 = catalogue_level(&cat, AXIS_CONFIDENTIALITY, "3");
    const struct class_level *c2 = catalogue_level(&cat, AXIS_CONFIDENTIALITY, "2");
    const struct class_level *c1 = catalogue_level(&cat, AXIS_CONFIDENTIALITY, "1");
    assert_non_null(c3);
    assert_non_null(c2);
    assert_non_null(c1);
    assert_true(c3->rank > c2->rank && c2->rank > c1->rank);
    for (int a = AXIS_INTEGRITY; a < AXIS_COUNT; a++) {
        const struct class_level *l2 = catalogue_level(&cat, (enum axis)a, "2");
        const struct class_level *l1 = catalogue_level(&cat, (enum axis)a, "1");
        assert_non_null(l2);
        assert_non_null(l1);
        assert_true(l2->rank > l1->rank);
        assert_null(catalogue_level(&cat, (enum axis)a, "3"));
    }
    assert_null(catalogue_level(&cat, AXIS_CONFIDENTIALITY, "3A"));
    assert_null(catalogue_level(&cat, AXIS_CONFIDENTIALITY, NULL));
    for (int a = 0; a < AXIS_COUNT; a++)
        for (size_t i = 0; i < cat.nLevels[a]; i++)
            assert_true(strlen(cat.levels[a][i].definition) > 0);
}

/* The names the interfaces use for levels, axes and risk numbers. */
static void test_catalogue_names_and_labels(void **state)
{
    assert_string_equal(req_level_name(REQ_MANDATORY), "mandatory");
    assert_string_equal(req_level_name(REQ_RECOMMENDED), "recommended");
    assert_string_equal(req_level_name(REQ_OPTIONAL), "optional");
    assert_string_equal(req_level_label(REQ_MANDATORY), "必須");
    assert_string_equal(req_level_label(REQ_RECOMMENDED), "推奨");
    assert_string_equal(req_level_label(REQ_OPTIONAL), "任意");
    assert_string_equal(axis_key(AXIS_CONFIDENTIALITY), "confidentiality");
    assert_string_equal(axis_key(AXIS_INTEGRITY), "integrity");
    assert_string_equal(axis_key(AXIS_AVAILABILITY), "availability");
    assert_string_equal(axis_label(AXIS_CONFIDENTIALITY), "機密性");
    assert_string_equal(axis_label(AXIS_INTEGRITY), "完全性");
    assert_string_equal(axis_label(AXIS_AVAILABILITY), "可用性");
    assert_string_equal(circled_number(1), "①");
    assert_string_equal(circled_number(8), "⑧");
    assert_string_equal(circled_number(12), "⑫");
    assert_string_equal(circled_number(0), "");
    assert_string_equal(circled_number(13), "");
}

/* CONTRACT 3: the 2024 test catalogue (a scheme with 3A/3B/3C) parses too. */
static void test_catalogue_2024_test_catalogue_parses(void **state)
{
    struct catalogue c24;
    ut_load_catalogue(TEST_CATALOGUE_2024, &c24);
    assert_string_equal(c24.id, "national-2024");
    assert_string_equal(c24.threshold, "2");
    const struct class_level *a = catalogue_level(&c24, AXIS_CONFIDENTIALITY, "3A");
    const struct class_level *b = catalogue_level(&c24, AXIS_CONFIDENTIALITY, "3B");
    const struct class_level *t = catalogue_level(&c24, AXIS_CONFIDENTIALITY, "2");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a->rank > b->rank && b->rank > t->rank);
    catalogue_release(&c24);
}

/* 別紙 項番1 is the ISMAP requirement: found by the bundled catalogue's
 * "topic", and in a catalogue without topics (one stored before they came)
 * by its text; none where no requirement names ISMAP. */
static void test_catalogue_finds_the_ismap_requirement(void **state)
{
    struct catalogue c24;
    const struct requirement *r = catalogue_topic(&cat, "ismap");
    assert_non_null(r);
    assert_int_equal(r->no, 1);
    assert_string_equal(r->topic, "ismap");
    assert_null(catalogue_topic(&cat, "nothing"));
    ut_load_catalogue(TEST_CATALOGUE_2024, &c24);
    r = catalogue_topic(&c24, "ismap");
    assert_non_null(r);
    assert_null(r->topic);
    assert_non_null(strstr(r->text, "ISMAP"));
    catalogue_release(&c24);
}

/* ---- invalid catalogues -------------------------------------------------------- */

/* The bundled catalogue as a fresh JSON value to spoil. */
static json_t *bundled_copy(void)
{
    return ut_load_json(BUNDLED_CATALOGUE);
}

/* Assert that `doc` (stolen) is refused as invalid, as a value and as text. */
static void expect_refused(json_t *doc, const char *needle)
{
    struct catalogue c;
    struct xerr e;
    xerr_clear(&e);
    enum xcode rc = catalogue_parse(doc, &c, &e);
    if (rc == XOK) {
        catalogue_release(&c);
        json_decref(doc);
        fail_msg("catalogue accepted; expected refusal mentioning %s", needle ? needle : "-");
    }
    assert_int_equal(rc, X_INVALID);
    assert_null(c.json);
    if (needle)
        ut_assert_contains(e.msg, needle);

    char *z = json_dumps(doc, 0);
    json_decref(doc);
    assert_non_null(z);
    xerr_clear(&e);
    assert_int_equal(catalogue_parse_text(z, strlen(z), &c, &e), X_INVALID);
    free(z);
}

static json_t *req_at(json_t *doc, size_t i)
{
    return json_array_get(json_object_get(doc, "requirements"), i);
}

static json_t *level_at(json_t *doc, const char *axis, size_t i)
{
    return json_array_get(json_object_get(json_object_get(doc, "classification"), axis), i);
}

/* 2(1): the threshold must be a level of the confidentiality scheme. */
static void test_catalogue_refuses_threshold_not_a_level(void **state)
{
    static const char *const values[] = {"4", "3A", "", "機密性2"};
    for (size_t i = 0; i < COUNT(values); i++) {
        json_t *doc = bundled_copy();
        ut_set_str(doc, "classification.threshold", values[i]);
        expect_refused(doc, "threshold");
    }
    json_t *doc = bundled_copy();
    ut_set(doc, "classification.threshold", NULL);
    expect_refused(doc, "threshold");
    doc = bundled_copy();
    ut_set_json(doc, "classification.threshold", "2");
    expect_refused(doc, "threshold");
}

/* 別紙: each 項番 once. */
static void test_catalogue_refuses_duplicate_item_numbers(void **state)
{
    json_t *doc = bundled_copy();
    json_object_set_new(req_at(doc, 1), "no", json_integer(1));
    expect_refused(doc, "1");

    doc = bundled_copy();
    json_array_append(json_object_get(doc, "requirements"), req_at(doc, 27));
    expect_refused(doc, "28");

    doc = bundled_copy();
    json_object_set_new(json_array_get(json_object_get(doc, "risks"), 11), "no", json_integer(3));
    expect_refused(doc, "3");
}

/* 別紙: a level is mandatory, recommended or optional. */
static void test_catalogue_refuses_unknown_level(void **state)
{
    static const char *const values[] = {"required", "必須", "Mandatory", ""};
    for (size_t i = 0; i < COUNT(values); i++) {
        json_t *doc = bundled_copy();
        json_object_set_new(req_at(doc, 14), "level", json_string(values[i]));
        expect_refused(doc, NULL);
    }
}

/* CONTRACT 3: the shape is fixed; an unknown key anywhere is refused. */
static void test_catalogue_refuses_unknown_key(void **state)
{
    json_t *doc = bundled_copy();
    ut_set_str(doc, "version", "2");
    expect_refused(doc, "version");

    doc = bundled_copy();
    ut_set_str(doc, "classification.scheme", "national");
    expect_refused(doc, "scheme");

    doc = bundled_copy();
    json_object_set_new(req_at(doc, 0), "note", json_string("x"));
    expect_refused(doc, "note");

    doc = bundled_copy();
    json_object_set_new(json_array_get(json_object_get(doc, "risks"), 0), "level",
                        json_string("x"));
    expect_refused(doc, "level");

    doc = bundled_copy();
    json_object_set_new(level_at(doc, "integrity", 0), "label", json_string("x"));
    expect_refused(doc, "label");
}

/* 格付: two levels of one axis cannot share a rank (their order would be lost),
 * nor a name. */
static void test_catalogue_refuses_duplicate_ranks(void **state)
{
    json_t *doc = bundled_copy();
    json_object_set(level_at(doc, "confidentiality", 1), "rank",
                    json_object_get(level_at(doc, "confidentiality", 0), "rank"));
    expect_refused(doc, NULL);

    doc = bundled_copy();
    json_object_set(level_at(doc, "availability", 1), "rank",
                    json_object_get(level_at(doc, "availability", 0), "rank"));
    expect_refused(doc, NULL);

    doc = bundled_copy();
    json_object_set(level_at(doc, "integrity", 1), "level",
                    json_object_get(level_at(doc, "integrity", 0), "level"));
    expect_refused(doc, NULL);
}

/* CONTRACT 3: required members present and of their type. */
static void test_catalogue_refuses_missing_or_mistyped_members(void **state)
{
    static const char *const drop[] = {"id",
                                       "title",
                                       "effective",
                                       "classification",
                                       "requirements",
                                       "risks",
                                       "classification.integrity"};
    for (size_t i = 0; i < COUNT(drop); i++) {
        json_t *doc = bundled_copy();
        ut_set(doc, drop[i], NULL);
        expect_refused(doc, NULL);
    }
    json_t *doc = bundled_copy();
    ut_set(doc, "requirements", json_array());
    expect_refused(doc, NULL);

    doc = bundled_copy();
    json_object_set_new(req_at(doc, 3), "no", json_string("4"));
    expect_refused(doc, NULL);

    doc = bundled_copy();
    json_object_set_new(req_at(doc, 3), "text", json_string("\u3000"));
    expect_refused(doc, NULL);

    doc = bundled_copy();
    json_object_set_new(level_at(doc, "confidentiality", 0), "rank", json_string("3"));
    expect_refused(doc, NULL);

    struct catalogue c;
    struct xerr e;
    assert_int_equal(catalogue_parse_text("[]", 2, &c, &e), X_INVALID);
    assert_int_equal(catalogue_parse_text("{", 1, &c, &e), X_INVALID);
    static const char dup[] = "{\"id\": \"a\", \"id\": \"b\"}";
    assert_int_equal(catalogue_parse_text(dup, sizeof dup - 1, &c, &e), X_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue_bundled_parses),
        cmocka_unit_test(test_catalogue_has_28_requirements_and_12_risks),
        cmocka_unit_test(test_catalogue_levels_match_seed),
        cmocka_unit_test(test_catalogue_clauses_match_section_3),
        cmocka_unit_test(test_catalogue_requirement_texts_verbatim),
        cmocka_unit_test(test_catalogue_risk_texts_verbatim),
        cmocka_unit_test(test_catalogue_classification_scheme),
        cmocka_unit_test(test_catalogue_names_and_labels),
        cmocka_unit_test(test_catalogue_2024_test_catalogue_parses),
        cmocka_unit_test(test_catalogue_finds_the_ismap_requirement),
        cmocka_unit_test(test_catalogue_refuses_threshold_not_a_level),
        cmocka_unit_test(test_catalogue_refuses_duplicate_item_numbers),
        cmocka_unit_test(test_catalogue_refuses_unknown_level),
        cmocka_unit_test(test_catalogue_refuses_unknown_key),
        cmocka_unit_test(test_catalogue_refuses_duplicate_ranks),
        cmocka_unit_test(test_catalogue_refuses_missing_or_mistyped_members),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
