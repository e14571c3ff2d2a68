/*
 * test_evaluation_same.c - evaluation_same(): two evaluations are the same
 * exactly where their JSON is the same text. The import keeps the text of
 * the last few evaluations and stores it again for a row whose evaluation
 * is the same, so a "same" that is wrong would store another row's
 * findings.
 *
 * Each pair is evaluated from the test documents in tests/data/docs/ with
 * one thing changed, against the bundled catalogue (and the 2024 test
 * catalogue for the catalogue's own id).
 */
#include "unit_util.h"

#include "core/evaluate.h"

UT_TWO_CATALOGUES

/* Evaluate `doc` (stolen) against `cat` on `today` (NULL: no day). */
static void eval_on(json_t *doc, const struct catalogue *cat, const char *today,
                    struct evaluation *ev)
{
    struct document d;
    struct xerr e;
    xerr_clear(&e);
    if (document_parse(doc, cat, &d, &e) != XOK)
        fail_msg("document refused: %s", e.msg);
    json_decref(doc);
    struct eval_context ctx = {KIND_NEW, today, NULL, NULL, NULL};
    assert_int_equal(evaluate_in(&d, cat, &ctx, ev, &e), XOK);
    document_release(&d);
}

static char *text_of(const struct evaluation *ev)
{
    json_t *j = evaluation_to_json(ev);
    char *t = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_non_null(t);
    return t;
}

/* Asserts evaluation_same() both ways and that it agrees with the text. */
static void check_pair(const struct evaluation *a, const struct evaluation *b, bool same)
{
    char *ta = text_of(a), *tb = text_of(b);
    assert_int_equal(evaluation_same(a, b), same);
    assert_int_equal(evaluation_same(b, a), same);
    assert_int_equal(strcmp(ta, tb) == 0, same);
    free(ta);
    free(tb);
}

static json_t *risk_doc_without(int item)
{
    json_t *doc = ut_load_doc("approvable-risk-review.json");
    char key[8];
    snprintf(key, sizeof key, "%d", item);
    json_object_del(json_object_get(doc, "risks"), key);
    return doc;
}

static void test_same_document_twice_is_same(void **state)
{
    struct evaluation a, b;
    eval_on(risk_doc_without(3), &cat2023, NULL, &a);
    eval_on(risk_doc_without(3), &cat2023, NULL, &b);
    assert_true(a.nFindings > 0);
    check_pair(&a, &b, true);
    evaluation_release(&a);
    evaluation_release(&b);
}

/* Other service names, same findings: the rows of an old ledger. */
static void test_other_text_same_findings_is_same(void **state)
{
    struct evaluation a, b;
    json_t *doc = risk_doc_without(5);
    json_object_set_new(json_object_get(doc, "service"), "name", json_string("別のサービス"));
    eval_on(risk_doc_without(5), &cat2023, NULL, &a);
    eval_on(doc, &cat2023, NULL, &b);
    check_pair(&a, &b, true);
    evaluation_release(&a);
    evaluation_release(&b);
}

/* The same code for another risk (item), or one finding more. */
static void test_other_item_or_count_is_not_same(void **state)
{
    struct evaluation a, b, c;
    eval_on(risk_doc_without(3), &cat2023, NULL, &a);
    eval_on(risk_doc_without(4), &cat2023, NULL, &b);
    json_t *two = risk_doc_without(3);
    json_object_del(json_object_get(two, "risks"), "4");
    eval_on(two, &cat2023, NULL, &c);
    assert_int_equal(a.nFindings, b.nFindings);
    check_pair(&a, &b, false);
    check_pair(&a, &c, false);
    evaluation_release(&a);
    evaluation_release(&b);
    evaluation_release(&c);
}

/* Same codes, other message: a procurement finding names the day. */
static void test_other_message_is_not_same(void **state)
{
    struct evaluation a, b;
    eval_on(ut_load_doc("approvable-requirements.json"), &cat2023, "2026-02-20", &a);
    eval_on(ut_load_doc("approvable-requirements.json"), &cat2023, "2026-02-21", &b);
    assert_true(a.nFindings > 0);
    assert_int_equal(a.nFindings, b.nFindings);
    check_pair(&a, &b, false);
    evaluation_release(&a);
    evaluation_release(&b);
}

/* Track (機密性1 against 2) and catalogue each tell evaluations apart. */
static void test_other_track_or_catalogue_is_not_same(void **state)
{
    struct evaluation risk, reqs, reqs2024;
    eval_on(ut_load_doc("approvable-risk-review.json"), &cat2023, NULL, &risk);
    eval_on(ut_load_doc("approvable-requirements.json"), &cat2023, NULL, &reqs);
    eval_on(ut_load_doc("approvable-requirements.json"), &cat2024, NULL, &reqs2024);
    assert_int_equal(risk.nFindings, 0);
    assert_int_equal(reqs.nFindings, 0);
    check_pair(&risk, &reqs, false);
    check_pair(&reqs, &reqs2024, false);
    evaluation_release(&risk);
    evaluation_release(&reqs);
    evaluation_release(&reqs2024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_document_twice_is_same),
        cmocka_unit_test(test_other_text_same_findings_is_same),
        cmocka_unit_test(test_other_item_or_count_is_not_same),
        cmocka_unit_test(test_other_message_is_not_same),
        cmocka_unit_test(test_other_track_or_catalogue_is_not_same),
    };
    return cmocka_run_group_tests(tests, load_catalogues, release_catalogues);
}
