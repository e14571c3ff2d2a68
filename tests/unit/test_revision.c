/*
 * test_revision.c - a revision of 別紙 and 1(4) (CONTRACT.md section 3: a
 * request keeps the catalogue it was evaluated against): which items a
 * request must answer again, and a document carried over to the new
 * version with the answers that still hold.
 *
 * Catalogues: the bundled shunan-2023, the 2024 test revision (機密性
 * 3A/3B/3C instead of 3; item 17 任意 → 推奨) and two small hand-made ones
 * in tests/data/revision/ (small-a → small-b: item 2 reworded, 3 re-levelled,
 * 4 new, 5 re-categorised, risk ① reworded, ③ new, ④ dropped; no
 * 機密性3 and no 可用性2 in small-b).
 */
#include "unit_util.h"

#include "core/evaluate.h"
#include "core/revision.h"

#define SMALL_A    "tests/data/revision/small-a.json"
#define SMALL_B    "tests/data/revision/small-b.json"
#define ANSWERED_A "tests/data/revision/answered-small-a.json"
#define COUNT(a)   (sizeof(a) / sizeof(a)[0])

static struct catalogue cat2023, cat2024, smallA, smallB;

static int load_catalogues(void **state)
{
    ut_load_catalogue(BUNDLED_CATALOGUE, &cat2023);
    ut_load_catalogue(TEST_CATALOGUE_2024, &cat2024);
    ut_load_catalogue(SMALL_A, &smallA);
    ut_load_catalogue(SMALL_B, &smallB);
    return 0;
}

static int release_catalogues(void **state)
{
    catalogue_release(&cat2023);
    catalogue_release(&cat2024);
    catalogue_release(&smallA);
    catalogue_release(&smallB);
    return 0;
}

/* Assert that the n numbers at got are exactly those of want. */
static void assert_numbers(const int *got, size_t n, const int *want, size_t nWant)
{
    if (n != nWant)
        fail_msg("expected %zu numbers, got %zu", nWant, n);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("number %zu: expected %d, got %d", i, want[i], got[i]);
}

/* Rebase `doc` (stolen) from `from` to `to`; fail the test on error. */
static json_t *rebase(json_t *doc, const struct catalogue *from, const struct catalogue *to)
{
    json_t *out = NULL;
    struct xerr e;
    xerr_clear(&e);
    enum xcode rc = document_rebase(doc, from, to, &out, &e);
    json_decref(doc);
    if (rc != XOK)
        fail_msg("rebase refused: %s", e.msg);
    assert_non_null(out);
    return out;
}

/* Parse `doc` (borrowed) under `cat` and evaluate it; fail where it does not parse. */
static void parse_and_evaluate(json_t *doc, const struct catalogue *cat, struct evaluation *ev)
{
    struct document d;
    struct xerr e;
    xerr_clear(&e);
    if (document_parse(doc, cat, &d, &e) != XOK)
        fail_msg("rebased document refused under %s: %s", cat->id, e.msg);
    assert_int_equal(evaluate(&d, cat, ev, &e), XOK);
    document_release(&d);
}

static json_t *answer_of(json_t *doc, const char *kind, const char *no)
{
    return json_object_get(json_object_get(doc, kind), no);
}

/* ---- catalogue_changed_items ------------------------------------------------- */

/* 別紙: the 2024 revision keeps every text and re-levels item 17 (任意 →
 * 推奨); the known risks of 1(4) are unchanged. */
static void test_revision_changed_items_2023_to_2024(void **state)
{
    int *reqs, *risks;
    size_t nReqs, nRisks;
    struct xerr e;
    assert_int_equal(
        catalogue_changed_items(&cat2023, &cat2024, &reqs, &nReqs, &risks, &nRisks, &e), XOK);
    static const int want[] = {17};
    assert_numbers(reqs, nReqs, want, COUNT(want));
    assert_int_equal(nRisks, 0);
    assert_null(risks);
    free(reqs);

    /* and back again: a level change counts either way */
    assert_int_equal(
        catalogue_changed_items(&cat2024, &cat2023, &reqs, &nReqs, &risks, &nRisks, &e), XOK);
    assert_numbers(reqs, nReqs, want, COUNT(want));
    assert_int_equal(nRisks, 0);
    free(reqs);
}

/* 別紙: a catalogue compared with itself changes nothing. */
static void test_revision_changed_items_same_catalogue_is_empty(void **state)
{
    int *reqs = (int *)1, *risks = (int *)1;
    size_t nReqs = 99, nRisks = 99;
    struct xerr e;
    assert_int_equal(
        catalogue_changed_items(&cat2023, &cat2023, &reqs, &nReqs, &risks, &nRisks, &e), XOK);
    assert_int_equal(nReqs, 0);
    assert_int_equal(nRisks, 0);
    assert_null(reqs);
    assert_null(risks);
}

/* 別紙, 1(4): a new item, and a change of text, level or category, must be
 * answered again; an item `to` dropped is not listed. */
static void test_revision_changed_items_small(void **state)
{
    int *reqs, *risks;
    size_t nReqs, nRisks;
    struct xerr e;
    assert_int_equal(catalogue_changed_items(&smallA, &smallB, &reqs, &nReqs, &risks, &nRisks, &e),
                     XOK);
    static const int wantReqs[] = {2, 3, 4, 5}, wantRisks[] = {1, 3};
    assert_numbers(reqs, nReqs, wantReqs, COUNT(wantReqs));
    assert_numbers(risks, nRisks, wantRisks, COUNT(wantRisks));
    free(reqs);
    free(risks);
}

/* 別紙: from an unrelated catalogue, where no item reads the same, every
 * item of `to` is listed: all 28 requirements and all 12 risks. */
static void test_revision_changed_items_unrelated_catalogue(void **state)
{
    int *reqs, *risks;
    size_t nReqs, nRisks;
    struct xerr e;
    assert_int_equal(catalogue_changed_items(&smallA, &cat2023, &reqs, &nReqs, &risks, &nRisks, &e),
                     XOK);
    assert_int_equal(nReqs, 28);
    assert_int_equal(nRisks, 12);
    for (size_t i = 1; i < nReqs; i++)
        assert_true(reqs[i - 1] < reqs[i]);
    free(reqs);
    free(risks);
}

/* ---- document_rebase ----------------------------------------------------------- */

/* 別紙: carried to the 2024 revision, a complete 2023 request keeps every
 * answer but item 17's, which starts unanswered; 機密性2 exists in both. */
static void test_revision_rebase_2023_to_2024_drops_item_17(void **state)
{
    json_t *doc = ut_load_doc("approvable-requirements.json");
    json_t *out = rebase(json_incref(doc), &cat2023, &cat2024);
    assert_null(answer_of(out, "requirements", "17"));
    assert_non_null(answer_of(doc, "requirements", "17")); /* the input is untouched */
    assert_int_equal(json_object_size(json_object_get(out, "requirements")), 27);
    for (int no = 1; no <= 28; no++) {
        char k[8];
        snprintf(k, sizeof k, "%d", no);
        if (no != 17)
            assert_true(
                json_equal(answer_of(out, "requirements", k), answer_of(doc, "requirements", k)));
    }
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "classification"),
                                                          "confidentiality")),
                        "2");
    struct evaluation ev;
    parse_and_evaluate(out, &cat2024, &ev);
    assert_int_equal(ev.nFindings, 1);
    assert_string_equal(ev.findings[0].code, "unanswered");
    assert_int_equal(ev.findings[0].item, 17);
    evaluation_release(&ev);
    json_decref(out);
    json_decref(doc);
}

/* 格付: 機密性3 of 2023 is no level of the 2024 scheme (3A/3B/3C); it is
 * cleared for the applicant to choose again, and evaluate() says so. */
static void test_revision_rebase_clears_level_the_scheme_lacks(void **state)
{
    json_t *doc = ut_load_doc("approvable-requirements.json");
    ut_set_str(doc, "classification.confidentiality", "3");
    json_t *out = rebase(doc, &cat2023, &cat2024);
    json_t *cls = json_object_get(out, "classification");
    assert_string_equal(json_string_value(json_object_get(cls, "confidentiality")), "");
    assert_string_equal(json_string_value(json_object_get(cls, "integrity")), "2");
    assert_string_equal(json_string_value(json_object_get(cls, "availability")), "1");
    struct evaluation ev;
    parse_and_evaluate(out, &cat2024, &ev);
    const struct finding *f = NULL;
    for (size_t i = 0; i < ev.nFindings; i++)
        if (strcmp(ev.findings[i].code, "missing-field") == 0)
            f = &ev.findings[i];
    assert_non_null(f);
    assert_string_equal(f->field, "classification.confidentiality");
    assert_int_equal(ev.track, TRACK_REQUIREMENTS); /* the stricter track until chosen */
    evaluation_release(&ev);
    json_decref(out);
}

/* 4, 1(4): the risks of 2023 and 2024 read the same, so a risk review
 * keeps every decision. */
static void test_revision_rebase_keeps_unchanged_risks(void **state)
{
    json_t *doc = ut_load_doc("approvable-risk-review.json");
    json_t *out = rebase(json_incref(doc), &cat2023, &cat2024);
    assert_true(json_equal(json_object_get(out, "risks"), json_object_get(doc, "risks")));
    struct evaluation ev;
    parse_and_evaluate(out, &cat2024, &ev);
    assert_true(ev.approvable);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
    json_decref(out);
    json_decref(doc);
}

/* 別紙, 1(4), 格付 with the hand-made pair: answers kept (carried_over mark
 * and all) for items 1 and 6, dropped for 2-5; risk ② kept, ① reworded and
 * ④ dropped; 機密性3 and 可用性2 cleared; everything else as it was. */
static void test_revision_rebase_small(void **state)
{
    json_t *doc = ut_load_json(ANSWERED_A);
    json_t *out = rebase(json_incref(doc), &smallA, &smallB);

    json_t *reqs = json_object_get(out, "requirements");
    assert_int_equal(json_object_size(reqs), 2);
    assert_true(
        json_equal(answer_of(out, "requirements", "1"), answer_of(doc, "requirements", "1")));
    assert_non_null(json_object_get(answer_of(out, "requirements", "1"), "carried_over"));
    assert_true(
        json_equal(answer_of(out, "requirements", "6"), answer_of(doc, "requirements", "6")));
    json_t *risks = json_object_get(out, "risks");
    assert_int_equal(json_object_size(risks), 1);
    assert_true(json_equal(answer_of(out, "risks", "2"), answer_of(doc, "risks", "2")));

    json_t *cls = json_object_get(out, "classification");
    assert_string_equal(json_string_value(json_object_get(cls, "confidentiality")), "");
    assert_string_equal(json_string_value(json_object_get(cls, "integrity")), "2");
    assert_string_equal(json_string_value(json_object_get(cls, "availability")), "");

    static const char *const same[] = {"service", "purpose",    "period",     "applicant",
                                       "scope",   "conditions", "procurement"};
    for (size_t i = 0; i < COUNT(same); i++)
        if (!json_equal(json_object_get(out, same[i]), json_object_get(doc, same[i])))
            fail_msg("%s changed in the rebase", same[i]);

    struct evaluation ev;
    parse_and_evaluate(out, &smallB, &ev);
    assert_false(ev.approvable);
    evaluation_release(&ev);
    json_decref(out);
    json_decref(doc);
}

/* revision.h: a document rebased onto its own catalogue is an equal copy. */
static void test_revision_rebase_onto_same_catalogue_is_a_copy(void **state)
{
    json_t *doc = ut_load_json(ANSWERED_A);
    json_t *out = rebase(json_incref(doc), &smallA, &smallA);
    assert_true(out != doc);
    assert_true(json_equal(out, doc));
    json_object_set_new(out, "purpose", json_string("変更"));
    assert_string_equal(json_string_value(json_object_get(doc, "purpose")), "庁内会議");
    json_decref(out);
    json_decref(doc);
}

/* revision.h: a document with no answers and no classification rebases to itself. */
static void test_revision_rebase_empty_document(void **state)
{
    json_t *out = rebase(json_object(), &cat2023, &cat2024);
    assert_int_equal(json_object_size(out), 0);
    json_decref(out);
}

/* revision.h: what is not a JSON object is refused, with nothing handed out. */
static void test_revision_rebase_refuses_non_object(void **state)
{
    json_t *bad[] = {json_array(), json_string("申請"), json_null()};
    for (size_t i = 0; i < COUNT(bad); i++) {
        json_t *out = (json_t *)1;
        struct xerr e;
        xerr_clear(&e);
        assert_int_equal(document_rebase(bad[i], &cat2023, &cat2024, &out, &e), X_INVALID);
        assert_null(out);
        assert_true(strlen(e.msg) > 0);
        json_decref(bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_revision_changed_items_2023_to_2024),
        cmocka_unit_test(test_revision_changed_items_same_catalogue_is_empty),
        cmocka_unit_test(test_revision_changed_items_small),
        cmocka_unit_test(test_revision_changed_items_unrelated_catalogue),
        cmocka_unit_test(test_revision_rebase_2023_to_2024_drops_item_17),
        cmocka_unit_test(test_revision_rebase_clears_level_the_scheme_lacks),
        cmocka_unit_test(test_revision_rebase_keeps_unchanged_risks),
        cmocka_unit_test(test_revision_rebase_small),
        cmocka_unit_test(test_revision_rebase_onto_same_catalogue_is_a_copy),
        cmocka_unit_test(test_revision_rebase_empty_document),
        cmocka_unit_test(test_revision_rebase_refuses_non_object),
    };
    return cmocka_run_group_tests(tests, load_catalogues, release_catalogues);
}
