/*
 * test_evaluate.c - the rules of the standard as CONTRACT.md section 2 states
 * them, one test per rule, each citing its clause of 周南市外部サービス利用基準.
 *
 * Each test starts from a fully approvable document in tests/data/docs/
 * (approvable-requirements.json for 機密性2, approvable-risk-review.json for
 * 機密性1), changes what the rule is about with jansson, and evaluates it
 * against the bundled catalogue data/catalogue/shunan-2023.json (or the
 * 2024 test catalogue where the scheme matters).
 */
#include "unit_util.h"

#include "core/evaluate.h"
#include "core/text.h"

UT_TWO_CATALOGUES

static json_t *base_requirements(void)
{
    return ut_load_doc("approvable-requirements.json");
}

static json_t *base_risk_review(void)
{
    return ut_load_doc("approvable-risk-review.json");
}

/* Parse `doc` (stolen) against `cat` and evaluate it into *ev. Checks on the
 * way the invariants every evaluation has: approvable exactly where there is
 * no blocker, findings sorted by item then code. */
static void eval_with(json_t *doc, const struct catalogue *cat, struct evaluation *ev)
{
    struct document d;
    struct xerr e;
    xerr_clear(&e);
    enum xcode rc = document_parse(doc, cat, &d, &e);
    json_decref(doc);
    if (rc != XOK)
        fail_msg("document refused: %s", e.msg);
    rc = evaluate(&d, cat, ev, &e);
    document_release(&d);
    assert_int_equal(rc, XOK);
    assert_int_equal(ev->approvable, evaluation_count(ev, SEV_BLOCKER) == 0);
    for (size_t i = 1; i < ev->nFindings; i++) {
        const struct finding *a = &ev->findings[i - 1], *b = &ev->findings[i];
        assert_true(a->item < b->item || (a->item == b->item && strcmp(a->code, b->code) <= 0));
    }
}

static void eval(json_t *doc, struct evaluation *ev)
{
    eval_with(doc, &cat2023, ev);
}

/* Parse `doc` (stolen) against `cat` and evaluate it in `ctx`, with the
 * same checks as eval_with(). */
static void eval_ctx(json_t *doc, const struct catalogue *cat, const struct eval_context *ctx,
                     struct evaluation *ev)
{
    struct document d;
    struct xerr e;
    xerr_clear(&e);
    enum xcode rc = document_parse(doc, cat, &d, &e);
    json_decref(doc);
    if (rc != XOK)
        fail_msg("document refused: %s", e.msg);
    rc = evaluate_in(&d, cat, ctx, ev, &e);
    document_release(&d);
    assert_int_equal(rc, XOK);
    assert_int_equal(ev->approvable, evaluation_count(ev, SEV_BLOCKER) == 0);
    for (size_t i = 1; i < ev->nFindings; i++) {
        const struct finding *a = &ev->findings[i - 1], *b = &ev->findings[i];
        assert_true(a->item < b->item || (a->item == b->item && strcmp(a->code, b->code) <= 0));
    }
}

/* The finding with `code` for `item` (0: none), or NULL. */
static const struct finding *find(const struct evaluation *ev, const char *code, int item)
{
    for (size_t i = 0; i < ev->nFindings; i++)
        if (strcmp(ev->findings[i].code, code) == 0 && ev->findings[i].item == item)
            return &ev->findings[i];
    return NULL;
}

/* The missing-field / invalid-period finding naming `field`, or NULL. */
static const struct finding *find_field(const struct evaluation *ev, const char *code,
                                        const char *field)
{
    for (size_t i = 0; i < ev->nFindings; i++)
        if (strcmp(ev->findings[i].code, code) == 0 && ev->findings[i].field &&
            strcmp(ev->findings[i].field, field) == 0)
            return &ev->findings[i];
    return NULL;
}

static size_t count_code(const struct evaluation *ev, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < ev->nFindings; i++)
        n += strcmp(ev->findings[i].code, code) == 0;
    return n;
}

/* Assert the evaluation has exactly one finding, of `code` and `sev`, for `item`. */
static void assert_only_finding(const struct evaluation *ev, const char *code, int item,
                                enum severity sev)
{
    if (ev->nFindings != 1)
        fail_msg("expected only %s for item %d, got %zu findings (first: %s item %d)", code, item,
                 ev->nFindings, ev->nFindings ? ev->findings[0].code : "-",
                 ev->nFindings ? ev->findings[0].item : -1);
    assert_string_equal(ev->findings[0].code, code);
    assert_int_equal(ev->findings[0].item, item);
    assert_int_equal(ev->findings[0].severity, sev);
    assert_int_equal(ev->approvable, sev == SEV_WARNING);
}

static const char *const required_fields[] = {
    "service.name",
    "service.provider",
    "purpose",
    "classification.confidentiality",
    "classification.integrity",
    "classification.availability",
    "period.from",
    "period.to",
    "applicant.department",
    "applicant.name",
    "scope",
};
#define N_REQUIRED_FIELDS (sizeof required_fields / sizeof required_fields[0])

static const int mandatory_items[] = {9,  10, 11, 12, 13, 14, 15, 20,
                                      21, 22, 23, 24, 25, 26, 27, 28};
static const int recommended_items[] = {1, 4, 5, 8, 18, 19};
static const int optional_items[] = {2, 3, 6, 7, 16, 17};
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* ---- the base documents ------------------------------------------------ */

/* 3, 別紙: every requirement met, the records of 5(2) complete: nothing to say. */
static void test_evaluate_complete_requirements_document_is_approvable(void **state)
{
    struct evaluation ev;
    eval(base_requirements(), &ev);
    assert_true(ev.approvable);
    assert_int_equal(ev.track, TRACK_REQUIREMENTS);
    assert_string_equal(ev.catalogue_id, "shunan-2023");
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* 4: every known risk accepted or mitigated, the records of 5(2) complete. */
static void test_evaluate_complete_risk_review_document_is_approvable(void **state)
{
    struct evaluation ev;
    eval(base_risk_review(), &ev);
    assert_true(ev.approvable);
    assert_int_equal(ev.track, TRACK_RISK_REVIEW);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* ---- track ------------------------------------------------------------- */

/* 2(1), 3: 機密性2以上 → the requirements of 別紙. */
static void test_evaluate_track_confidentiality_at_or_above_threshold_is_requirements(void **state)
{
    static const char *const levels[] = {"2", "3"};
    for (size_t i = 0; i < COUNT(levels); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, "classification.confidentiality", levels[i]);
        struct evaluation ev;
        eval(doc, &ev);
        assert_int_equal(ev.track, TRACK_REQUIREMENTS);
        assert_true(ev.approvable);
        evaluation_release(&ev);
        assert_int_equal(evaluate_track(&cat2023, levels[i]), TRACK_REQUIREMENTS);
    }
}

/* 2(2), 4: 機密性2以上の情報を取り扱わない → risk review. */
static void test_evaluate_track_below_threshold_is_risk_review(void **state)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "classification.confidentiality", "1");
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(ev.track, TRACK_RISK_REVIEW);
    evaluation_release(&ev);
    assert_int_equal(evaluate_track(&cat2023, "1"), TRACK_RISK_REVIEW);
}

/* evaluate.h: until the level is known (absent or blank), the stricter
 * track applies. */
static void test_evaluate_track_unknown_confidentiality_is_requirements(void **state)
{
    assert_int_equal(evaluate_track(&cat2023, NULL), TRACK_REQUIREMENTS);
    assert_int_equal(evaluate_track(&cat2023, ""), TRACK_REQUIREMENTS);
    json_t *doc = base_risk_review();
    ut_set_str(doc, "classification.confidentiality", "\u3000");
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(ev.track, TRACK_REQUIREMENTS);
    assert_non_null(find_field(&ev, "missing-field", "classification.confidentiality"));
    assert_int_equal(count_code(&ev, "unanswered"), 28);
    assert_false(ev.approvable);
    evaluation_release(&ev);
}

/* 2(1)/2(2): the order of levels is the catalogue's, so 3A/3B/3C of the
 * 2024 scheme rank above its threshold 2 and only 1 ranks below. */
static void test_evaluate_track_follows_catalogue_ranks_2024(void **state)
{
    static const struct {
        const char *level;
        enum track track;
    } cases[] = {
        {"3A", TRACK_REQUIREMENTS}, {"3B", TRACK_REQUIREMENTS}, {"3C", TRACK_REQUIREMENTS},
        {"2", TRACK_REQUIREMENTS},  {"1", TRACK_RISK_REVIEW},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, "classification.confidentiality", cases[i].level);
        struct evaluation ev;
        eval_with(doc, &cat2024, &ev);
        if (ev.track != cases[i].track)
            fail_msg("level %s: track %s", cases[i].level, track_name(ev.track));
        assert_string_equal(ev.catalogue_id, "national-2024");
        evaluation_release(&ev);
        assert_int_equal(evaluate_track(&cat2024, cases[i].level), cases[i].track);
    }
}

/* ---- missing-field ----------------------------------------------------- */

/* Check that setting `path` to `value` (NULL: removing it) gives exactly one
 * missing-field blocker, naming `path`, in both tracks. */
static void check_missing_field(const char *path, const char *value)
{
    json_t *(*bases[])(void) = {base_requirements, base_risk_review};
    for (size_t b = 0; b < COUNT(bases); b++) {
        json_t *doc = bases[b]();
        if (value)
            ut_set_str(doc, path, value);
        else
            ut_set(doc, path, NULL);
        struct evaluation ev;
        eval(doc, &ev);
        const struct finding *f = find_field(&ev, "missing-field", path);
        if (!f)
            fail_msg("no missing-field for %s (value %s)", path, value ? value : "absent");
        assert_int_equal(f->severity, SEV_BLOCKER);
        assert_int_equal(f->item, 0);
        assert_int_equal(f->index, -1);
        assert_int_equal(count_code(&ev, "missing-field"), 1);
        assert_false(ev.approvable);
        ut_assert_contains(f->message, "5(2)③");
        evaluation_release(&ev);
    }
}

/* 5(2)③(ア)〜(キ): each field the ledger records must be there. */
static void test_evaluate_missing_field_when_absent(void **state)
{
    for (size_t i = 0; i < N_REQUIRED_FIELDS; i++)
        check_missing_field(required_fields[i], NULL);
}

/* 5(2)③(ア)〜(キ): an empty string is no answer. */
static void test_evaluate_missing_field_when_empty(void **state)
{
    for (size_t i = 0; i < N_REQUIRED_FIELDS; i++)
        check_missing_field(required_fields[i], "");
}

/* 5(2)③(ア)〜(キ): spaces, tabs and newlines are blank. */
static void test_evaluate_missing_field_when_whitespace(void **state)
{
    for (size_t i = 0; i < N_REQUIRED_FIELDS; i++)
        check_missing_field(required_fields[i], " \t\r\n ");
}

/* 5(2)③(ア)〜(キ): the ideographic space U+3000 a Japanese keyboard types is blank too. */
static void test_evaluate_missing_field_ideographic_space_is_blank(void **state)
{
    for (size_t i = 0; i < N_REQUIRED_FIELDS; i++) {
        check_missing_field(required_fields[i], "\u3000");
        check_missing_field(required_fields[i], "\u3000 \u3000\t");
    }
}

/* 5(2)③: an empty document misses all eleven fields, each named once. */
static void test_evaluate_missing_field_every_path_of_empty_document(void **state)
{
    struct evaluation ev;
    eval(json_object(), &ev);
    assert_int_equal(count_code(&ev, "missing-field"), N_REQUIRED_FIELDS);
    for (size_t i = 0; i < N_REQUIRED_FIELDS; i++)
        if (!find_field(&ev, "missing-field", required_fields[i]))
            fail_msg("no missing-field for %s", required_fields[i]);
    assert_false(ev.approvable);
    evaluation_release(&ev);
}

/* 5(2)③: optional service members (function, category, ismap) are not required. */
static void test_evaluate_optional_service_members_may_be_absent(void **state)
{
    json_t *doc = base_requirements();
    ut_set(doc, "service.function", NULL);
    ut_set(doc, "service.category", NULL);
    ut_set(doc, "service.ismap", NULL);
    ut_set(doc, "conditions", NULL);
    struct evaluation ev;
    eval(doc, &ev);
    assert_true(ev.approvable);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* ---- invalid-period ---------------------------------------------------- */

/* 5(2)③(オ): a period that ends before it starts. */
static void test_evaluate_invalid_period_from_after_to(void **state)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "period.from", "2027-04-01");
    ut_set_str(doc, "period.to", "2027-03-31");
    struct evaluation ev;
    eval(doc, &ev);
    assert_only_finding(&ev, "invalid-period", 0, SEV_BLOCKER);
    ut_assert_contains(ev.findings[0].message, "5(2)③(オ)");
    evaluation_release(&ev);
}

/* 5(2)③(オ): 2026-02-30 is no day, in either end of the period. */
static void test_evaluate_invalid_period_date_that_does_not_exist(void **state)
{
    static const char *const bad[] = {"2026-02-30", "2026-02-29", "2026-04-31",
                                      "2026-13-01", "2026/04/01", "令和8年4月1日"};
    static const char *const ends[] = {"period.from", "period.to"};
    for (size_t i = 0; i < COUNT(bad); i++)
        for (size_t k = 0; k < COUNT(ends); k++) {
            json_t *doc = base_requirements();
            ut_set_str(doc, ends[k], bad[i]);
            if (k == 0)
                ut_set_str(doc, "period.to", "2027-03-31");
            struct evaluation ev;
            eval(doc, &ev);
            if (ev.nFindings != 1 || strcmp(ev.findings[0].code, "invalid-period") != 0)
                fail_msg("%s = %s: expected one invalid-period, got %zu findings", ends[k], bad[i],
                         ev.nFindings);
            assert_int_equal(ev.findings[0].severity, SEV_BLOCKER);
            assert_false(ev.approvable);
            evaluation_release(&ev);
        }
}

/* 5(2)③(オ): a use of one day (from == to) is a period. */
static void test_evaluate_period_of_one_day_is_valid(void **state)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "period.from", "2026-04-01");
    ut_set_str(doc, "period.to", "2026-04-01");
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(count_code(&ev, "invalid-period"), 0);
    assert_true(ev.approvable);
    evaluation_release(&ev);

    doc = base_requirements();
    ut_set_str(doc, "period.from", "2028-02-29"); /* leap day */
    ut_set_str(doc, "period.to", "2028-02-29");
    eval(doc, &ev);
    assert_true(ev.approvable);
    evaluation_release(&ev);
}

/* ---- condition-unmet ----------------------------------------------------- */

/* 6 (and 4 選定条件): every individual condition must be met; unmet or
 * unknown (status absent or "unknown") is a blocker with its 0-based index. */
static void test_evaluate_condition_unmet_with_index(void **state)
{
    json_t *(*bases[])(void) = {base_requirements, base_risk_review};
    for (size_t b = 0; b < COUNT(bases); b++) {
        json_t *doc = bases[b]();
        json_t *conds =
            json_pack("[{s:s, s:s}, {s:s, s:s, s:s}, {s:s}, {s:s, s:s}, {s:s, s:s}]", "text",
                      "録画機能は使用しない", "status", "met", "text", "個人情報を入力しない",
                      "status", "unmet", "reason", "運用で担保できない", "text", "管理者を二名置く",
                      "text", "外部共有を無効化する", "status", "unknown", "text",
                      "ログを一年保存する", "status", "met");
        ut_set(doc, "conditions", conds);
        struct evaluation ev;
        eval(doc, &ev);
        assert_int_equal(count_code(&ev, "condition-unmet"), 3);
        int expect[] = {1, 2, 3};
        size_t k = 0;
        for (size_t i = 0; i < ev.nFindings; i++) {
            const struct finding *f = &ev.findings[i];
            if (strcmp(f->code, "condition-unmet") != 0)
                continue;
            assert_int_equal(f->severity, SEV_BLOCKER);
            assert_int_equal(f->item, 0);
            assert_null(f->field);
            assert_int_equal(f->index, expect[k++]);
            ut_assert_contains(f->message, "6");
            ut_assert_contains(f->message, "選定条件");
        }
        assert_false(ev.approvable);
        evaluation_release(&ev);
    }
}

/* 6: conditions all met, or none set, stop nothing. */
static void test_evaluate_conditions_met_or_absent_block_nothing(void **state)
{
    json_t *doc = base_risk_review();
    ut_set(doc, "conditions", json_pack("[{s:s, s:s}]", "text", "公開情報のみ", "status", "met"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_true(ev.approvable);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);

    doc = base_requirements();
    ut_set(doc, "conditions", json_array());
    eval(doc, &ev);
    assert_true(ev.approvable);
    evaluation_release(&ev);
}

/* ---- requirements track: unanswered ------------------------------------ */

/* 別紙 適用状況, 3: an absent answer is unknown, and unknown is a blocker
 * whatever the item's level. */
static void test_evaluate_unanswered_when_item_absent_every_level(void **state)
{
    for (int no = 1; no <= 28; no++) {
        json_t *doc = base_requirements();
        char path[32];
        snprintf(path, sizeof path, "requirements.%d", no);
        ut_set(doc, path, NULL);
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "unanswered", no, SEV_BLOCKER);
        assert_null(ev.findings[0].field);
        assert_int_equal(ev.findings[0].index, -1);
        evaluation_release(&ev);
    }
}

/* 別紙 適用状況, 3: "unknown" (even with a reason or evidence) is unanswered. */
static void test_evaluate_unanswered_when_status_unknown_every_level(void **state)
{
    for (int no = 1; no <= 28; no++) {
        json_t *doc = base_requirements();
        char path[32];
        snprintf(path, sizeof path, "requirements.%d", no);
        ut_set(doc, path, json_pack("{s:s, s:s}", "status", "unknown", "reason", "提供者に照会中"));
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "unanswered", no, SEV_BLOCKER);
        evaluation_release(&ev);
    }
}

/* 別紙 適用状況: an answer without a status is unknown. */
static void test_evaluate_unanswered_when_status_absent(void **state)
{
    json_t *doc = base_requirements();
    ut_set(doc, "requirements.9", json_pack("{s:s}", "evidence", "確認中"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_only_finding(&ev, "unanswered", 9, SEV_BLOCKER);
    evaluation_release(&ev);
}

/* 別紙 必須 (満たす必要がある要件): an unmet mandatory item stops approval,
 * whatever reason is given. */
static void test_evaluate_mandatory_unmet_is_blocker(void **state)
{
    for (size_t i = 0; i < COUNT(mandatory_items); i++) {
        int no = mandatory_items[i];
        json_t *doc = base_requirements();
        char path[32];
        snprintf(path, sizeof path, "requirements.%d", no);
        ut_set(doc, path,
               json_pack("{s:s, s:s}", "status", "unmet", "reason", "代替サービスがない"));
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "mandatory-unmet", no, SEV_BLOCKER);
        evaluation_release(&ev);
    }
}

/* 別紙 推奨 (代替サービスが他にない場合等に満たさないことを許容): unmet with
 * a reason is a warning and the request stays approvable. */
static void test_evaluate_recommended_unmet_with_reason_is_warning(void **state)
{
    for (size_t i = 0; i < COUNT(recommended_items); i++) {
        int no = recommended_items[i];
        json_t *doc = base_requirements();
        char path[32];
        snprintf(path, sizeof path, "requirements.%d", no);
        ut_set(doc, path,
               json_pack("{s:s, s:s}", "status", "unmet", "reason",
                         "同等の機能を持つ代替サービスが他にない"));
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "recommended-unmet", no, SEV_WARNING);
        evaluation_release(&ev);
    }
}

/* 別紙 推奨, 3: unmet without a reason (absent, empty, blank, U+3000) is a
 * blocker: nobody said why no alternative will do. */
static void test_evaluate_recommended_unmet_needs_reason(void **state)
{
    static const char *const reasons[] = {NULL, "", "  ", "\u3000", "\u3000\u3000"};
    for (size_t i = 0; i < COUNT(recommended_items); i++)
        for (size_t r = 0; r < COUNT(reasons); r++) {
            int no = recommended_items[i];
            json_t *doc = base_requirements();
            char path[32];
            snprintf(path, sizeof path, "requirements.%d", no);
            json_t *a = json_pack("{s:s, s:s}", "status", "unmet", "evidence", "ISMAP 未登録");
            if (reasons[r])
                json_object_set_new(a, "reason", json_string(reasons[r]));
            ut_set(doc, path, a);
            struct evaluation ev;
            eval(doc, &ev);
            assert_only_finding(&ev, "recommended-unjustified", no, SEV_BLOCKER);
            evaluation_release(&ev);
        }
}

/* 別紙 任意, 3 (要件を満たしていないことの影響を考慮): unmet with the
 * weighed impact is a warning. */
static void test_evaluate_optional_unmet_with_reason_is_warning(void **state)
{
    for (size_t i = 0; i < COUNT(optional_items); i++) {
        int no = optional_items[i];
        json_t *doc = base_requirements();
        char path[32];
        snprintf(path, sizeof path, "requirements.%d", no);
        ut_set(doc, path,
               json_pack("{s:s, s:s}", "status", "unmet", "reason", "業務への影響は軽微と判断"));
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "optional-unmet", no, SEV_WARNING);
        evaluation_release(&ev);
    }
}

/* 別紙 任意, 3: unmet without the impact considered is a blocker. */
static void test_evaluate_optional_unmet_needs_impact_considered(void **state)
{
    static const char *const reasons[] = {NULL, "", "\t", "\u3000"};
    for (size_t i = 0; i < COUNT(optional_items); i++)
        for (size_t r = 0; r < COUNT(reasons); r++) {
            int no = optional_items[i];
            json_t *doc = base_requirements();
            char path[32];
            snprintf(path, sizeof path, "requirements.%d", no);
            json_t *a = json_pack("{s:s}", "status", "unmet");
            if (reasons[r])
                json_object_set_new(a, "reason", json_string(reasons[r]));
            ut_set(doc, path, a);
            struct evaluation ev;
            eval(doc, &ev);
            assert_only_finding(&ev, "optional-unconsidered", no, SEV_BLOCKER);
            evaluation_release(&ev);
        }
}

/* 3: in the requirements track the known risks decide nothing; no risk
 * answers is no finding. */
static void test_evaluate_requirements_track_ignores_risks(void **state)
{
    json_t *doc = base_requirements();
    ut_set(doc, "risks", json_pack("{s:{s:s}}", "3", "decision", "mitigate"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_true(ev.approvable);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* ---- non-blank content ------------------------------------------------------ */

/* Texts that hold no letter or digit: punctuation, dashes, spaces of every
 * width. A reason, measure or evidence made of these alone is not given. */
static const char *const contentless[] = {
    ".",      "．",   "－",     "-", "―",  "‐",    "・", "・・・",
    "\u3000", "。、", "　．　", "※", "?!", "（）", "→",
};
/* Texts that do hold one: a letter of any script, a digit of any width.
 * The long-vowel mark ー is a letter (Lm) by Unicode, so it counts. */
static const char *const contentful[] = {
    "代替なし", "a", "1", "１", "Ⅳ", "①", "　な　", "…ok", "ｶ", "-1", "ー",
};

/* CONTRACT 2 (non-blank): content is a letter or digit, Unicode L* or N*. */
static void test_evaluate_text_has_content_needs_letter_or_digit(void **state)
{
    assert_false(text_has_content(NULL));
    assert_false(text_has_content(""));
    assert_false(text_has_content(" \t\r\n"));
    for (size_t i = 0; i < COUNT(contentless); i++)
        if (text_has_content(contentless[i]))
            fail_msg("\"%s\" counted as content", contentless[i]);
    for (size_t i = 0; i < COUNT(contentful); i++)
        if (!text_has_content(contentful[i]))
            fail_msg("\"%s\" not counted as content", contentful[i]);
    assert_false(text_has_content("\xff.\xe3\x80")); /* bytes that are not UTF-8 are no letter */
    assert_true(text_has_content("\xff"
                                 "a"));
}

/* 別紙 推奨, 任意, 3: a reason of punctuation or spaces alone ("．", "－",
 * "・") gives no reason: the blocker stands. */
static void test_evaluate_punctuation_reason_is_no_reason(void **state)
{
    static const struct {
        int no;
        const char *code;
    } cases[] = {{1, "recommended-unjustified"}, {17, "optional-unconsidered"}};
    for (size_t k = 0; k < COUNT(cases); k++)
        for (size_t i = 0; i < COUNT(contentless); i++) {
            json_t *doc = base_requirements();
            char path[32];
            snprintf(path, sizeof path, "requirements.%d", cases[k].no);
            ut_set(doc, path, json_pack("{s:s, s:s}", "status", "unmet", "reason", contentless[i]));
            struct evaluation ev;
            eval(doc, &ev);
            assert_only_finding(&ev, cases[k].code, cases[k].no, SEV_BLOCKER);
            evaluation_release(&ev);
        }
}

/* 別紙 推奨: any letter or digit makes a reason, the warning replaces the blocker. */
static void test_evaluate_reason_with_letters_counts(void **state)
{
    for (size_t i = 0; i < COUNT(contentful); i++) {
        json_t *doc = base_requirements();
        ut_set(doc, "requirements.1",
               json_pack("{s:s, s:s}", "status", "unmet", "reason", contentful[i]));
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "recommended-unmet", 1, SEV_WARNING);
        evaluation_release(&ev);
    }
}

/* 4 (リスク低減するための措置): a measure of punctuation alone is no measure. */
static void test_evaluate_punctuation_measure_is_missing(void **state)
{
    for (size_t i = 0; i < COUNT(contentless); i++) {
        json_t *doc = base_risk_review();
        ut_set(doc, "risks.5",
               json_pack("{s:s, s:s}", "decision", "mitigate", "measure", contentless[i]));
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "measure-missing", 5, SEV_BLOCKER);
        evaluation_release(&ev);
    }
}

/* ---- risk-review track ------------------------------------------------- */

/* 4, 1(4)①〜⑫: each known risk must be accepted or mitigated; an absent
 * one is undecided. */
static void test_evaluate_risk_undecided_for_each_absent_risk(void **state)
{
    for (int no = 1; no <= 12; no++) {
        json_t *doc = base_risk_review();
        char path[32];
        snprintf(path, sizeof path, "risks.%d", no);
        ut_set(doc, path, NULL);
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "risk-undecided", no, SEV_BLOCKER);
        ut_assert_contains(ev.findings[0].message, "4");
        ut_assert_contains(ev.findings[0].message, circled_number(no));
        evaluation_release(&ev);
    }
}

/* 4: with no risk answered at all, all twelve are undecided. */
static void test_evaluate_risk_undecided_all_when_risks_absent(void **state)
{
    json_t *doc = base_risk_review();
    ut_set(doc, "risks", NULL);
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(count_code(&ev, "risk-undecided"), 12);
    for (int no = 1; no <= 12; no++)
        assert_non_null(find(&ev, "risk-undecided", no));
    assert_false(ev.approvable);
    evaluation_release(&ev);
}

/* 4 (リスク低減するための措置): mitigate with a blank measure is a blocker. */
static void test_evaluate_measure_missing_for_blank_mitigation(void **state)
{
    static const char *const measures[] = {NULL, "", " ", "\u3000"};
    for (size_t m = 0; m < COUNT(measures); m++)
        for (int no = 1; no <= 12; no += 11) {
            json_t *doc = base_risk_review();
            char path[32];
            snprintf(path, sizeof path, "risks.%d", no);
            json_t *a = json_pack("{s:s}", "decision", "mitigate");
            if (measures[m])
                json_object_set_new(a, "measure", json_string(measures[m]));
            ut_set(doc, path, a);
            struct evaluation ev;
            eval(doc, &ev);
            assert_only_finding(&ev, "measure-missing", no, SEV_BLOCKER);
            ut_assert_contains(ev.findings[0].message, circled_number(no));
            evaluation_release(&ev);
        }
}

/* 4 (リスクを受容する): accepting a risk, with the reason it was weighed,
 * needs no measure. */
static void test_evaluate_risk_accept_with_reason_needs_no_measure(void **state)
{
    json_t *doc = base_risk_review();
    json_t *risks = json_object();
    for (int no = 1; no <= 12; no++) {
        char key[8];
        snprintf(key, sizeof key, "%d", no);
        json_object_set_new(
            risks, key,
            no % 2 ? json_pack("{s:s, s:s}", "decision", "accept", "reason", "影響は軽微")
                   : json_pack("{s:s, s:s, s:s}", "decision", "accept", "measure", "", "reason",
                               "公開情報のみ"));
    }
    ut_set(doc, "risks", risks);
    struct evaluation ev;
    eval(doc, &ev);
    assert_true(ev.approvable);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* 4 (十分検討した上で): accepting a risk without saying why (no reason, a
 * blank one, punctuation alone) warns, and does not block. */
static void test_evaluate_accept_without_reason_warns(void **state)
{
    static const char *const reasons[] = {NULL, "", "\u3000", "・", "－", "."};
    for (size_t r = 0; r < COUNT(reasons); r++)
        for (int no = 2; no <= 11; no += 9) {
            json_t *doc = base_risk_review();
            char path[32];
            snprintf(path, sizeof path, "risks.%d", no);
            json_t *a = json_pack("{s:s}", "decision", "accept");
            if (reasons[r])
                json_object_set_new(a, "reason", json_string(reasons[r]));
            ut_set(doc, path, a);
            struct evaluation ev;
            eval(doc, &ev);
            assert_only_finding(&ev, "accept-unexplained", no, SEV_WARNING);
            ut_assert_contains(ev.findings[0].message, "本基準4");
            ut_assert_contains(ev.findings[0].message, circled_number(no));
            ut_assert_contains(ev.findings[0].message, "十分検討");
            evaluation_release(&ev);
        }
}

/* 4: in the requirements track an unexplained acceptance says nothing. */
static void test_evaluate_accept_unexplained_only_in_risk_review(void **state)
{
    json_t *doc = base_requirements();
    ut_set(doc, "risks.1", json_pack("{s:s}", "decision", "accept"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* 2(2), 4: in the risk review the answers to 別紙 are kept but decide nothing. */
static void test_evaluate_risk_review_ignores_requirement_answers(void **state)
{
    json_t *doc = base_risk_review();
    ut_set(doc, "requirements",
           json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "15", "status", "unmet", "1", "status",
                     "unmet", "17", "status", "unmet", "22", "status", "unknown"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(ev.track, TRACK_RISK_REVIEW);
    assert_true(ev.approvable);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* ---- warnings ------------------------------------------------------------ */

/* 5(2) (職務権限規程による事前の審査・利用承認, 業者決定後): absent or
 * incomplete procurement records warn and do not block. */
static void test_evaluate_procurement_missing_warns(void **state)
{
    static const char *const drop[] = {NULL, "procurement.approval_ref", "procurement.approved_on",
                                       "procurement.vendor_decided_on"};
    json_t *(*bases[])(void) = {base_requirements, base_risk_review};
    for (size_t b = 0; b < COUNT(bases); b++)
        for (size_t i = 0; i < COUNT(drop); i++) {
            json_t *doc = bases[b]();
            ut_set(doc, drop[i] ? drop[i] : "procurement", NULL);
            struct evaluation ev;
            eval(doc, &ev);
            assert_only_finding(&ev, "procurement-missing", 0, SEV_WARNING);
            ut_assert_contains(ev.findings[0].message, "5(2)");
            evaluation_release(&ev);
        }
}

/* 5(2): an empty procurement object, or blank members, is incomplete. */
static void test_evaluate_procurement_blank_members_warn(void **state)
{
    json_t *doc = base_requirements();
    ut_set(doc, "procurement", json_object());
    struct evaluation ev;
    eval(doc, &ev);
    assert_only_finding(&ev, "procurement-missing", 0, SEV_WARNING);
    evaluation_release(&ev);

    doc = base_requirements();
    ut_set_str(doc, "procurement.approval_ref", "\u3000");
    eval(doc, &ev);
    assert_only_finding(&ev, "procurement-missing", 0, SEV_WARNING);
    evaluation_release(&ev);
}

/* 1(3) 生成AI, 1(4)⑥: a generative-AI service warns and does not block. */
static void test_evaluate_generative_ai_warns(void **state)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "service.category", "generative-ai");
    struct evaluation ev;
    eval(doc, &ev);
    assert_only_finding(&ev, "generative-ai", 0, SEV_WARNING);
    evaluation_release(&ev);

    static const char *const others[] = {"web-conference", "sns",  "search", "translation", "map",
                                         "hosting",        "other"};
    for (size_t i = 0; i < COUNT(others); i++) {
        doc = base_risk_review();
        ut_set_str(doc, "service.category", others[i]);
        eval(doc, &ev);
        assert_int_equal(ev.nFindings, 0);
        evaluation_release(&ev);
    }
}

/* ---- ISMAP ------------------------------------------------------------------ */

/* 別紙 項番1 (ISMAP への登録): a registration number the ISMAP cloud service
 * list does not hold warns, naming the list's day; one whose registration
 * ends before the period does warns with both days; the finding is on the
 * catalogue's ISMAP requirement (its topic, not a number in C), and never
 * changes approvable. Without a list, or without a number, nothing. */
static void test_evaluate_ismap_list_warns_on_item_1(void **state)
{
    struct ismap_info none = {"2026-11-01", false, NULL, NULL};
    struct eval_context ctx = {KIND_NEW, NULL, NULL, NULL, &none};
    struct evaluation ev;
    json_t *doc = base_requirements();
    ut_set_str(doc, "service.ismap", "C99-9999-9");
    eval_ctx(doc, &cat2023, &ctx, &ev);
    assert_only_finding(&ev, "ismap-unlisted", 1, SEV_WARNING);
    ut_assert_contains(ev.findings[0].message, "別紙 項番1");
    ut_assert_contains(ev.findings[0].message, "C99-9999-9");
    ut_assert_contains(ev.findings[0].message, "2026-11-01");
    assert_true(ev.approvable);
    evaluation_release(&ev);

    struct ismap_info ends = {"2026-11-01", true, "Teams", "2027-01-31"};
    ctx.ismap = &ends;
    doc = base_requirements(); /* period to 2027-03-31 */
    ut_set_str(doc, "service.ismap", "C21-0012-2");
    eval_ctx(doc, &cat2023, &ctx, &ev);
    assert_only_finding(&ev, "ismap-expires", 1, SEV_WARNING);
    ut_assert_contains(ev.findings[0].message, "2027-01-31");
    ut_assert_contains(ev.findings[0].message, "2027-03-31");
    evaluation_release(&ev);

    struct ismap_info fine = {"2026-11-01", true, "Teams", "2028-03-31"};
    struct ismap_info unknown_end = {"2026-11-01", true, "Teams", NULL};
    struct ismap_info no_list = {NULL, false, NULL, NULL};
    const struct ismap_info *quiet[] = {&fine, &unknown_end, &no_list, NULL};
    for (size_t i = 0; i < COUNT(quiet); i++) {
        ctx.ismap = quiet[i];
        doc = base_requirements();
        ut_set_str(doc, "service.ismap", "C21-0012-2");
        eval_ctx(doc, &cat2023, &ctx, &ev);
        assert_int_equal(ev.nFindings, 0);
        evaluation_release(&ev);
    }
    ctx.ismap = &none; /* no number: nothing to look up */
    doc = base_requirements();
    ut_set_str(doc, "service.ismap", "");
    eval_ctx(doc, &cat2023, &ctx, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* ---- 対象外 (na) ------------------------------------------------------------ */

/* 別紙 適用状況, 3: a requirement declared 対象外 with its reason is a
 * warning, whatever its level; the request stays approvable. */
static void test_evaluate_na_with_reason_is_warning_every_level(void **state)
{
    for (int no = 1; no <= 28; no++) {
        json_t *doc = base_requirements();
        char path[32];
        snprintf(path, sizeof path, "requirements.%d", no);
        ut_set(doc, path,
               json_pack("{s:s, s:s}", "status", "na", "reason", "当該機能を利用しないため"));
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "not-applicable", no, SEV_WARNING);
        ut_assert_contains(ev.findings[0].message, "対象外");
        ut_assert_contains(ev.findings[0].message, "当該機能を利用しないため");
        evaluation_release(&ev);
    }
}

/* 別紙 必須, 5(2)②: a 必須 item set aside as 対象外 says so plainly, for the
 * approver to confirm; other levels do not speak of 必須要件. */
static void test_evaluate_na_on_mandatory_asks_approver_to_confirm(void **state)
{
    for (size_t i = 0; i < COUNT(mandatory_items); i++) {
        json_t *doc = base_requirements();
        char path[32];
        snprintf(path, sizeof path, "requirements.%d", mandatory_items[i]);
        ut_set(doc, path, json_pack("{s:s, s:s}", "status", "na", "reason", "データを保存しない"));
        struct evaluation ev;
        eval(doc, &ev);
        assert_only_finding(&ev, "not-applicable", mandatory_items[i], SEV_WARNING);
        ut_assert_contains(ev.findings[0].message, "（必須）");
        ut_assert_contains(ev.findings[0].message, "必須要件");
        ut_assert_contains(ev.findings[0].message, "対象外");
        ut_assert_contains(ev.findings[0].message, "許可権限者");
        ut_assert_contains(ev.findings[0].message, "確認");
        evaluation_release(&ev);
    }
    json_t *doc = base_requirements();
    ut_set(doc, "requirements.17", json_pack("{s:s, s:s}", "status", "na", "reason", "無償版"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_only_finding(&ev, "not-applicable", 17, SEV_WARNING);
    assert_null(strstr(ev.findings[0].message, "必須要件"));
    evaluation_release(&ev);
}

/* 別紙 適用状況, 3: 対象外 without a reason (absent, blank, punctuation) is
 * a blocker, whatever the level. */
static void test_evaluate_na_without_reason_blocks(void **state)
{
    static const char *const reasons[] = {NULL, "", "\u3000", "・", "－", "．"};
    static const int items[] = {15, 1, 17};
    for (size_t k = 0; k < COUNT(items); k++)
        for (size_t r = 0; r < COUNT(reasons); r++) {
            json_t *doc = base_requirements();
            char path[32];
            snprintf(path, sizeof path, "requirements.%d", items[k]);
            json_t *a = json_pack("{s:s, s:s}", "status", "na", "evidence", "約款");
            if (reasons[r])
                json_object_set_new(a, "reason", json_string(reasons[r]));
            ut_set(doc, path, a);
            struct evaluation ev;
            eval(doc, &ev);
            assert_only_finding(&ev, "not-applicable-unjustified", items[k], SEV_BLOCKER);
            ut_assert_contains(ev.findings[0].message, "理由");
            evaluation_release(&ev);
        }
}

/* 2(2), 4: in the risk review 対象外 decides nothing, as every answer to 別紙. */
static void test_evaluate_na_ignored_in_risk_review(void **state)
{
    json_t *doc = base_risk_review();
    ut_set(doc, "requirements.15", json_pack("{s:s}", "status", "na"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* 6: a condition declared 対象外 with a reason is a warning naming its
 * index; without one it is condition-unmet, a blocker. */
static void test_evaluate_condition_na_needs_reason(void **state)
{
    json_t *doc = base_requirements();
    ut_set(doc, "conditions",
           json_pack("[{s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]", "text", "録画しない",
                     "status", "met", "text", "外部共有を無効化する", "status", "na", "reason",
                     "外部共有機能のない契約", "text", "管理者を二名置く", "status", "na", "reason",
                     "・"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(ev.nFindings, 2);
    const struct finding *w = find(&ev, "condition-not-applicable", 0);
    assert_non_null(w);
    assert_int_equal(w->severity, SEV_WARNING);
    assert_int_equal(w->index, 1);
    ut_assert_contains(w->message, "本基準6");
    ut_assert_contains(w->message, "外部共有機能のない契約");
    const struct finding *b = find(&ev, "condition-unmet", 0);
    assert_non_null(b);
    assert_int_equal(b->severity, SEV_BLOCKER);
    assert_int_equal(b->index, 2);
    ut_assert_contains(b->message, "対象外");
    assert_false(ev.approvable);
    evaluation_release(&ev);
}

/* ---- personal information ------------------------------------------------- */

/* 2(1), 5(2)③(エ): personal information under a level below the threshold
 * (the risk review) warns; the request stays approvable. */
static void test_evaluate_personal_information_low_classification_warns(void **state)
{
    json_t *doc = base_risk_review();
    ut_set(doc, "personal_information", json_true());
    struct evaluation ev;
    eval(doc, &ev);
    assert_only_finding(&ev, "personal-information-low-classification", 0, SEV_WARNING);
    ut_assert_contains(ev.findings[0].message, "個人情報");
    ut_assert_contains(ev.findings[0].message, "本基準2(1)");
    evaluation_release(&ev);

    doc = base_requirements();
    ut_set_str(doc, "classification.confidentiality", "1");
    ut_set(doc, "personal_information", json_true());
    eval_with(doc, &cat2024, &ev);
    assert_non_null(find(&ev, "personal-information-low-classification", 0));
    evaluation_release(&ev);
}

/* 2(1): personal information at 機密性2以上, or none declared, is no concern. */
static void test_evaluate_personal_information_at_threshold_is_quiet(void **state)
{
    json_t *doc = base_requirements();
    ut_set(doc, "personal_information", json_true());
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);

    doc = base_risk_review();
    ut_set(doc, "personal_information", json_false());
    eval(doc, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);

    eval(base_risk_review(), &ev); /* absent */
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* ---- procurement dates ----------------------------------------------------- */

/* 5(2) 事前に審査、利用承認を受けること。業者決定後…: an approval or vendor
 * decision dated after the day of evaluation warns, each naming its field. */
static void test_evaluate_procurement_after_submission_warns(void **state)
{
    struct eval_context ctx = {KIND_NEW, "2026-02-20", NULL, NULL, NULL};
    struct evaluation ev;
    eval_ctx(base_requirements(), &cat2023, &ctx, &ev); /* 2026-02-10, vendor 2026-03-01 */
    assert_only_finding(&ev, "procurement-after-submission", 0, SEV_WARNING);
    assert_string_equal(ev.findings[0].field, "procurement.vendor_decided_on");
    ut_assert_contains(ev.findings[0].message, "本基準5(2)");
    ut_assert_contains(ev.findings[0].message, "2026-03-01");
    ut_assert_contains(ev.findings[0].message, "2026-02-20");
    evaluation_release(&ev);

    ctx.today = "2026-02-01";
    eval_ctx(base_requirements(), &cat2023, &ctx, &ev);
    assert_int_equal(count_code(&ev, "procurement-after-submission"), 2);
    assert_int_equal(ev.nFindings, 2);
    assert_string_equal(ev.findings[0].field, "procurement.approved_on");
    assert_string_equal(ev.findings[1].field, "procurement.vendor_decided_on");
    assert_true(ev.approvable);
    json_t *j = evaluation_to_json(&ev);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "findings"), 0), "field")),
                        "procurement.approved_on");
    json_decref(j);
    evaluation_release(&ev);
}

/* 5(2): a procurement on the day of evaluation or before it is in order;
 * without a day the rule is not applied. */
static void test_evaluate_procurement_on_the_day_is_in_order(void **state)
{
    struct eval_context ctx = {KIND_NEW, "2026-03-01", NULL, NULL, NULL};
    struct evaluation ev;
    eval_ctx(base_requirements(), &cat2023, &ctx, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);

    ctx.today = NULL;
    json_t *doc = base_requirements();
    ut_set_str(doc, "procurement.vendor_decided_on", "2099-01-01");
    eval_ctx(doc, &cat2023, &ctx, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);

    ctx.today = "not a day"; /* an unusable day is no day */
    eval_ctx(base_requirements(), &cat2023, &ctx, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* 5(2) 事前に審査、利用承認…業者決定後: a vendor decided before the internal
 * approval warns; on the same day it does not. */
static void test_evaluate_procurement_order_warns(void **state)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "procurement.approved_on", "2026-03-05");
    ut_set_str(doc, "procurement.vendor_decided_on", "2026-03-01");
    struct evaluation ev;
    eval(doc, &ev);
    assert_only_finding(&ev, "procurement-order", 0, SEV_WARNING);
    ut_assert_contains(ev.findings[0].message, "本基準5(2)");
    ut_assert_contains(ev.findings[0].message, "2026-03-01");
    ut_assert_contains(ev.findings[0].message, "2026-03-05");
    evaluation_release(&ev);

    doc = base_requirements();
    ut_set_str(doc, "procurement.approved_on", "2026-03-01");
    eval(doc, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* 5(2): a procurement date that is no day warns, naming it. document_parse()
 * refuses such dates, so the document is changed after parsing. */
static void test_evaluate_procurement_invalid_date_warns(void **state)
{
    struct document d;
    struct xerr e;
    json_t *doc = base_requirements();
    assert_int_equal(document_parse(doc, &cat2023, &d, &e), XOK);
    json_decref(doc);
    d.approved_on = "2026-02-30";
    d.vendor_decided_on = "令和8年3月1日";
    struct eval_context ctx = {KIND_NEW, "2026-04-01", NULL, NULL, NULL};
    struct evaluation ev;
    assert_int_equal(evaluate_in(&d, &cat2023, &ctx, &ev, &e), XOK);
    assert_int_equal(ev.nFindings, 2);
    assert_int_equal(count_code(&ev, "procurement-invalid-date"), 2);
    assert_string_equal(ev.findings[0].field, "procurement.approved_on");
    assert_string_equal(ev.findings[1].field, "procurement.vendor_decided_on");
    ut_assert_contains(ev.findings[0].message, "2026-02-30");
    ut_assert_contains(ev.findings[1].message, "本基準5(2)");
    assert_true(ev.approvable);
    evaluation_release(&ev);
    document_release(&d);
}

/* ---- extension after expiry ------------------------------------------------- */

/* Parse the approved document of an entry, base_requirements() with its
 * period ending `to`, into *d. */
static void approved_entry(const char *to, struct document *d)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "period.from", "2025-04-01");
    ut_set_str(doc, "period.to", to);
    struct xerr e;
    assert_int_equal(document_parse(doc, &cat2023, d, &e), XOK);
    json_decref(doc);
}

/* 5(2)③ 期間の延長, (オ): an extension asked for after the approved period
 * ended warns that the service was used without one, naming the days. */
static void test_evaluate_extension_after_expiry_warns(void **state)
{
    struct document prev;
    approved_entry("2026-03-31", &prev);
    struct eval_context ctx = {KIND_CHANGE, "2026-05-10", &prev, NULL, NULL};
    struct evaluation ev;
    eval_ctx(base_requirements(), &cat2023, &ctx, &ev); /* to 2027-03-31 */
    assert_only_finding(&ev, "extension-after-expiry", 0, SEV_WARNING);
    ut_assert_contains(ev.findings[0].message, "5(2)③(オ)");
    ut_assert_contains(ev.findings[0].message, "2026-03-31");
    ut_assert_contains(ev.findings[0].message, "2026-04-01 から 2026-05-10");
    evaluation_release(&ev);

    ctx.today = "2026-04-01"; /* the first day without a period */
    eval_ctx(base_requirements(), &cat2023, &ctx, &ev);
    assert_only_finding(&ev, "extension-after-expiry", 0, SEV_WARNING);
    ut_assert_contains(ev.findings[0].message, "2026-04-01 から 2026-04-01");
    evaluation_release(&ev);
    document_release(&prev);
}

/* 5(2)③: an extension in time, a change that does not extend, a new
 * request, or no day or no previous document: no warning. */
static void test_evaluate_extension_in_time_is_quiet(void **state)
{
    struct document prev;
    approved_entry("2026-03-31", &prev);
    struct evaluation ev;
    struct eval_context ctx = {KIND_CHANGE, "2026-03-31", &prev, NULL, NULL};
    eval_ctx(base_requirements(), &cat2023, &ctx, &ev); /* asked on the last day */
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);

    ctx.today = "2026-05-10";
    json_t *doc = base_requirements();
    ut_set_str(doc, "period.from", "2025-04-01");
    ut_set_str(doc, "period.to", "2026-03-31"); /* not extended */
    eval_ctx(doc, &cat2023, &ctx, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);

    const struct eval_context quiet[] = {
        {KIND_NEW, "2026-05-10", &prev, NULL, NULL},
        {KIND_CHANGE, NULL, &prev, NULL, NULL},
        {KIND_CHANGE, "2026-05-10", NULL, NULL, NULL},
    };
    for (size_t i = 0; i < COUNT(quiet); i++) {
        eval_ctx(base_requirements(), &cat2023, &quiet[i], &ev);
        assert_int_equal(count_code(&ev, "extension-after-expiry"), 0);
        evaluation_release(&ev);
    }
    document_release(&prev);
}

/* ---- catalogue revised -------------------------------------------------------- */

/* 別紙: answers given under shunan-2023 and evaluated under the 2024
 * revision warn that item 17 (任意 → 推奨) starts unanswered. */
static void test_evaluate_catalogue_revised_lists_changed_items(void **state)
{
    struct eval_context ctx = {KIND_CHANGE, NULL, NULL, &cat2023, NULL};
    struct evaluation ev;
    eval_ctx(base_requirements(), &cat2024, &ctx, &ev);
    assert_only_finding(&ev, "catalogue-revised", 0, SEV_WARNING);
    ut_assert_contains(ev.findings[0].message, "shunan-2023");
    ut_assert_contains(ev.findings[0].message, "national-2024");
    ut_assert_contains(ev.findings[0].message, "項番17");
    ut_assert_contains(ev.findings[0].message, "未回答");
    assert_null(strstr(ev.findings[0].message, "1(4)")); /* no risk changed */
    evaluation_release(&ev);
}

/* 別紙, 1(4): with hand-made catalogues, changed requirements and risks are
 * both named, risks by their circled number. */
static void test_evaluate_catalogue_revised_names_risks(void **state)
{
    struct catalogue a, b;
    ut_load_catalogue("tests/data/revision/small-a.json", &a);
    ut_load_catalogue("tests/data/revision/small-b.json", &b);
    json_t *doc = ut_load_json("tests/data/revision/answered-small-a.json");
    ut_set_str(doc, "classification.confidentiality", "1"); /* a level both schemes know */
    ut_set_str(doc, "classification.availability", "1");
    ut_set(doc, "requirements", NULL);
    ut_set(doc, "risks.4", NULL);
    struct eval_context ctx = {KIND_NEW, NULL, NULL, &a, NULL};
    struct evaluation ev;
    eval_ctx(doc, &b, &ctx, &ev);
    const struct finding *f = find(&ev, "catalogue-revised", 0);
    assert_non_null(f);
    assert_int_equal(f->severity, SEV_WARNING);
    ut_assert_contains(f->message, "項番2、3、4、5");
    ut_assert_contains(f->message, "1(4)①、③");
    evaluation_release(&ev);
    catalogue_release(&a);
    catalogue_release(&b);
}

/* 別紙: the same catalogue, or none named, is no revision. */
static void test_evaluate_catalogue_unrevised_is_quiet(void **state)
{
    struct eval_context ctx = {KIND_NEW, NULL, NULL, &cat2023, NULL};
    struct evaluation ev;
    eval_ctx(base_requirements(), &cat2023, &ctx, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
    ctx.since = NULL;
    eval_ctx(base_requirements(), &cat2024, &ctx, &ev);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
}

/* ---- the context --------------------------------------------------------------- */

/* evaluate.h: evaluate() and evaluate_request() are evaluate_in() with no
 * day; a NULL context is a new request. */
static void test_evaluate_in_without_context_is_evaluate(void **state)
{
    struct document d;
    struct xerr e;
    json_t *doc = ut_load_doc("many-findings.json");
    assert_int_equal(document_parse(doc, &cat2023, &d, &e), XOK);
    json_decref(doc);
    struct evaluation a, b, c;
    assert_int_equal(evaluate(&d, &cat2023, &a, &e), XOK);
    assert_int_equal(evaluate_in(&d, &cat2023, NULL, &b, &e), XOK);
    assert_int_equal(evaluate_request(KIND_CHANGE, &d, &cat2023, &c, &e), XOK);
    assert_int_equal(a.nFindings, b.nFindings);
    assert_int_equal(a.nFindings, c.nFindings);
    for (size_t i = 0; i < a.nFindings; i++) {
        assert_string_equal(a.findings[i].code, b.findings[i].code);
        assert_string_equal(a.findings[i].message, c.findings[i].message);
    }
    evaluation_release(&a);
    evaluation_release(&b);
    evaluation_release(&c);
    document_release(&d);
}

/* 5(2)③ 廃止: a retirement stays approvable with no findings, whatever the
 * context says (an expired entry, a revised catalogue, a day). */
static void test_evaluate_in_retirement_has_no_findings(void **state)
{
    struct document prev;
    approved_entry("2026-03-31", &prev);
    struct eval_context ctx = {KIND_RETIRE, "2026-05-10", &prev, &cat2024, NULL};
    struct evaluation ev;
    eval_ctx(ut_load_doc("many-findings.json"), &cat2023, &ctx, &ev);
    assert_true(ev.approvable);
    assert_int_equal(ev.nFindings, 0);
    assert_string_equal(ev.catalogue_id, "shunan-2023");
    evaluation_release(&ev);
    document_release(&prev);
}

/* ---- approvable ------------------------------------------------------------ */

/* 5(2)②: warnings, however many, never stop approval. */
static void test_evaluate_warnings_never_change_approvable(void **state)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "service.category", "generative-ai");
    ut_set(doc, "procurement", NULL);
    ut_set(doc, "requirements.1", json_pack("{s:s, s:s}", "status", "unmet", "reason", "代替なし"));
    ut_set(doc, "requirements.18",
           json_pack("{s:s, s:s}", "status", "unmet", "reason", "国内限定の代替なし"));
    ut_set(doc, "requirements.17", json_pack("{s:s, s:s}", "status", "unmet", "reason", "軽微"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(ev.nFindings, 5);
    assert_int_equal(evaluation_count(&ev, SEV_WARNING), 5);
    assert_int_equal(evaluation_count(&ev, SEV_BLOCKER), 0);
    assert_true(ev.approvable);
    evaluation_release(&ev);
}

/* 5(2)②: one blocker among warnings is enough to stop approval. */
static void test_evaluate_one_blocker_makes_not_approvable(void **state)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "service.category", "generative-ai");
    ut_set(doc, "procurement", NULL);
    ut_set(doc, "requirements.26", json_pack("{s:s}", "status", "unmet"));
    struct evaluation ev;
    eval(doc, &ev);
    assert_int_equal(evaluation_count(&ev, SEV_BLOCKER), 1);
    assert_int_equal(evaluation_count(&ev, SEV_WARNING), 2);
    assert_false(ev.approvable);
    evaluation_release(&ev);
}

/* ---- order and shape -------------------------------------------------------- */

/* CONTRACT 2: findings come sorted by item, then code, whatever the order
 * of the document (many-findings.json answers 28 before 1). */
static void test_evaluate_findings_sorted_by_item_then_code(void **state)
{
    struct evaluation ev;
    eval(ut_load_doc("many-findings.json"), &ev);
    static const struct {
        int item;
        const char *code;
    } head[] = {
        {0, "condition-unmet"},     {0, "condition-unmet"},   {0, "generative-ai"},
        {0, "invalid-period"},      {0, "missing-field"},     {0, "missing-field"},
        {0, "procurement-missing"}, {1, "recommended-unmet"}, {2, "optional-unmet"},
        {3, "unanswered"},
    };
    assert_true(ev.nFindings >= COUNT(head));
    for (size_t i = 0; i < COUNT(head); i++) {
        if (ev.findings[i].item != head[i].item || strcmp(ev.findings[i].code, head[i].code) != 0)
            fail_msg("finding %zu: expected %d %s, got %d %s", i, head[i].item, head[i].code,
                     ev.findings[i].item, ev.findings[i].code);
    }
    assert_int_equal(ev.findings[0].index, 0);
    assert_int_equal(ev.findings[1].index, 2);
    const struct finding *last = &ev.findings[ev.nFindings - 1];
    assert_int_equal(last->item, 28);
    assert_string_equal(last->code, "mandatory-unmet");
    assert_non_null(find(&ev, "optional-unconsidered", 17));
    assert_non_null(find(&ev, "unanswered", 15));
    assert_null(find(&ev, "unanswered", 9));
    assert_non_null(find_field(&ev, "missing-field", "service.provider"));
    assert_non_null(find_field(&ev, "missing-field", "purpose"));
    /* 3..8, 10..16, 18..27 absent or unknown: 6 + 7 + 10 */
    assert_int_equal(count_code(&ev, "unanswered"), 23);
    assert_false(ev.approvable);
    evaluation_release(&ev);
}

/* CONTRACT 2: {"approvable", "track", "catalogue", "findings": [{"severity",
 * "code", "item"?, "field"?, "index"?, "message"}]}. */
static void test_evaluate_to_json_shape(void **state)
{
    struct evaluation ev;
    eval(ut_load_doc("many-findings.json"), &ev);
    json_t *j = evaluation_to_json(&ev);
    assert_non_null(j);
    assert_true(json_is_object(j));
    assert_int_equal(json_object_size(j), 4);
    assert_true(json_is_false(json_object_get(j, "approvable")));
    assert_string_equal(json_string_value(json_object_get(j, "track")), "requirements");
    assert_string_equal(json_string_value(json_object_get(j, "catalogue")), "shunan-2023");
    json_t *arr = json_object_get(j, "findings");
    assert_true(json_is_array(arr));
    assert_int_equal(json_array_size(arr), ev.nFindings);
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        const struct finding *src = &ev.findings[i];
        const char *key;
        json_t *v;
        json_object_foreach(f, key, v)
        {
            if (strcmp(key, "severity") && strcmp(key, "code") && strcmp(key, "item") &&
                strcmp(key, "field") && strcmp(key, "index") && strcmp(key, "message"))
                fail_msg("unexpected key \"%s\" in finding %zu", key, i);
        }
        assert_string_equal(json_string_value(json_object_get(f, "severity")),
                            src->severity == SEV_BLOCKER ? "blocker" : "warning");
        assert_string_equal(json_string_value(json_object_get(f, "code")), src->code);
        assert_true(json_is_string(json_object_get(f, "message")));
        assert_true(strlen(json_string_value(json_object_get(f, "message"))) > 0);
        json_t *item = json_object_get(f, "item");
        if (src->item)
            assert_int_equal(json_integer_value(item), src->item);
        else
            assert_true(item == NULL || json_integer_value(item) == 0);
        if (strcmp(src->code, "missing-field") == 0) {
            assert_true(json_is_string(json_object_get(f, "field")));
            assert_null(json_object_get(f, "index"));
        } else if (strcmp(src->code, "condition-unmet") == 0) {
            assert_true(json_is_integer(json_object_get(f, "index")));
            assert_int_equal(json_integer_value(json_object_get(f, "index")), src->index);
            assert_null(json_object_get(f, "field"));
        } else if (src->item) {
            assert_true(json_is_integer(item));
            assert_null(json_object_get(f, "field"));
            assert_null(json_object_get(f, "index"));
        }
    }
    /* The first two are the conditions 0 and 2; the last the 必須 item 28. */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 1), "index")), 2);
    json_t *lastj = json_array_get(arr, json_array_size(arr) - 1);
    assert_string_equal(json_string_value(json_object_get(lastj, "severity")), "blocker");
    assert_int_equal(json_integer_value(json_object_get(lastj, "item")), 28);
    char *text = json_dumps(j, 0);
    assert_non_null(text);
    free(text);
    json_decref(j);
    evaluation_release(&ev);

    eval(base_risk_review(), &ev);
    j = evaluation_to_json(&ev);
    assert_true(json_is_true(json_object_get(j, "approvable")));
    assert_string_equal(json_string_value(json_object_get(j, "track")), "risk-review");
    assert_true(json_is_array(json_object_get(j, "findings")));
    assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
    json_decref(j);
    evaluation_release(&ev);
}

/* 別紙: a requirement finding cites its item and level, "別紙 項番15（必須）". */
static void test_evaluate_requirement_messages_cite_item_and_level(void **state)
{
    static const struct {
        int no;
        const char *status, *reason, *prefix;
    } cases[] = {
        {15, "unmet", NULL, "別紙 項番15（必須）"},
        {15, "unknown", NULL, "別紙 項番15（必須）"},
        {1, "unmet", "代替なし", "別紙 項番1（推奨）"},
        {4, "unmet", NULL, "別紙 項番4（推奨）"},
        {17, "unmet", "軽微", "別紙 項番17（任意）"},
        {2, "unmet", NULL, "別紙 項番2（任意）"},
        {28, "unknown", NULL, "別紙 項番28（必須）"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        json_t *doc = base_requirements();
        char path[32];
        snprintf(path, sizeof path, "requirements.%d", cases[i].no);
        json_t *a = json_pack("{s:s}", "status", cases[i].status);
        if (cases[i].reason)
            json_object_set_new(a, "reason", json_string(cases[i].reason));
        ut_set(doc, path, a);
        struct evaluation ev;
        eval(doc, &ev);
        assert_int_equal(ev.nFindings, 1);
        const char *msg = ev.findings[0].message;
        if (strncmp(msg, cases[i].prefix, strlen(cases[i].prefix)) != 0)
            fail_msg("message \"%s\" does not start with \"%s\"", msg, cases[i].prefix);
        evaluation_release(&ev);
    }
}

/* The contract's own example: item 17 (任意) unmet with its impact weighed
 * warns; the 26 items it leaves out are unanswered; no procurement record. */
static void test_evaluate_contract_example(void **state)
{
    struct evaluation ev;
    eval(ut_load_doc("contract-example.json"), &ev);
    assert_int_equal(ev.track, TRACK_REQUIREMENTS);
    assert_false(ev.approvable);
    assert_non_null(find(&ev, "optional-unmet", 17));
    assert_null(find(&ev, "unanswered", 1));
    assert_int_equal(count_code(&ev, "unanswered"), 26);
    assert_non_null(find(&ev, "procurement-missing", 0));
    assert_int_equal(count_code(&ev, "condition-unmet"), 0);
    assert_int_equal(evaluation_count(&ev, SEV_WARNING), 2);
    evaluation_release(&ev);
}

/* 5(2)③ 廃止: a retirement only records that a use ends. */
static void test_evaluate_retirement_request_is_approvable(void **state)
{
    struct document d;
    struct xerr e;
    json_t *doc = ut_load_doc("many-findings.json");
    assert_int_equal(document_parse(doc, &cat2023, &d, &e), XOK);
    json_decref(doc);
    struct evaluation ev;
    assert_int_equal(evaluate_request(KIND_RETIRE, &d, &cat2023, &ev, &e), XOK);
    assert_true(ev.approvable);
    assert_int_equal(ev.nFindings, 0);
    evaluation_release(&ev);
    assert_int_equal(evaluate_request(KIND_CHANGE, &d, &cat2023, &ev, &e), XOK);
    assert_false(ev.approvable);
    evaluation_release(&ev);
    document_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate_complete_requirements_document_is_approvable),
        cmocka_unit_test(test_evaluate_complete_risk_review_document_is_approvable),
        cmocka_unit_test(test_evaluate_track_confidentiality_at_or_above_threshold_is_requirements),
        cmocka_unit_test(test_evaluate_track_below_threshold_is_risk_review),
        cmocka_unit_test(test_evaluate_track_unknown_confidentiality_is_requirements),
        cmocka_unit_test(test_evaluate_track_follows_catalogue_ranks_2024),
        cmocka_unit_test(test_evaluate_missing_field_when_absent),
        cmocka_unit_test(test_evaluate_missing_field_when_empty),
        cmocka_unit_test(test_evaluate_missing_field_when_whitespace),
        cmocka_unit_test(test_evaluate_missing_field_ideographic_space_is_blank),
        cmocka_unit_test(test_evaluate_missing_field_every_path_of_empty_document),
        cmocka_unit_test(test_evaluate_optional_service_members_may_be_absent),
        cmocka_unit_test(test_evaluate_invalid_period_from_after_to),
        cmocka_unit_test(test_evaluate_invalid_period_date_that_does_not_exist),
        cmocka_unit_test(test_evaluate_period_of_one_day_is_valid),
        cmocka_unit_test(test_evaluate_condition_unmet_with_index),
        cmocka_unit_test(test_evaluate_conditions_met_or_absent_block_nothing),
        cmocka_unit_test(test_evaluate_unanswered_when_item_absent_every_level),
        cmocka_unit_test(test_evaluate_unanswered_when_status_unknown_every_level),
        cmocka_unit_test(test_evaluate_unanswered_when_status_absent),
        cmocka_unit_test(test_evaluate_mandatory_unmet_is_blocker),
        cmocka_unit_test(test_evaluate_recommended_unmet_with_reason_is_warning),
        cmocka_unit_test(test_evaluate_recommended_unmet_needs_reason),
        cmocka_unit_test(test_evaluate_optional_unmet_with_reason_is_warning),
        cmocka_unit_test(test_evaluate_optional_unmet_needs_impact_considered),
        cmocka_unit_test(test_evaluate_requirements_track_ignores_risks),
        cmocka_unit_test(test_evaluate_text_has_content_needs_letter_or_digit),
        cmocka_unit_test(test_evaluate_punctuation_reason_is_no_reason),
        cmocka_unit_test(test_evaluate_reason_with_letters_counts),
        cmocka_unit_test(test_evaluate_punctuation_measure_is_missing),
        cmocka_unit_test(test_evaluate_risk_undecided_for_each_absent_risk),
        cmocka_unit_test(test_evaluate_risk_undecided_all_when_risks_absent),
        cmocka_unit_test(test_evaluate_measure_missing_for_blank_mitigation),
        cmocka_unit_test(test_evaluate_risk_accept_with_reason_needs_no_measure),
        cmocka_unit_test(test_evaluate_accept_without_reason_warns),
        cmocka_unit_test(test_evaluate_accept_unexplained_only_in_risk_review),
        cmocka_unit_test(test_evaluate_risk_review_ignores_requirement_answers),
        cmocka_unit_test(test_evaluate_procurement_missing_warns),
        cmocka_unit_test(test_evaluate_procurement_blank_members_warn),
        cmocka_unit_test(test_evaluate_generative_ai_warns),
        cmocka_unit_test(test_evaluate_ismap_list_warns_on_item_1),
        cmocka_unit_test(test_evaluate_na_with_reason_is_warning_every_level),
        cmocka_unit_test(test_evaluate_na_on_mandatory_asks_approver_to_confirm),
        cmocka_unit_test(test_evaluate_na_without_reason_blocks),
        cmocka_unit_test(test_evaluate_na_ignored_in_risk_review),
        cmocka_unit_test(test_evaluate_condition_na_needs_reason),
        cmocka_unit_test(test_evaluate_personal_information_low_classification_warns),
        cmocka_unit_test(test_evaluate_personal_information_at_threshold_is_quiet),
        cmocka_unit_test(test_evaluate_procurement_after_submission_warns),
        cmocka_unit_test(test_evaluate_procurement_on_the_day_is_in_order),
        cmocka_unit_test(test_evaluate_procurement_order_warns),
        cmocka_unit_test(test_evaluate_procurement_invalid_date_warns),
        cmocka_unit_test(test_evaluate_extension_after_expiry_warns),
        cmocka_unit_test(test_evaluate_extension_in_time_is_quiet),
        cmocka_unit_test(test_evaluate_catalogue_revised_lists_changed_items),
        cmocka_unit_test(test_evaluate_catalogue_revised_names_risks),
        cmocka_unit_test(test_evaluate_catalogue_unrevised_is_quiet),
        cmocka_unit_test(test_evaluate_in_without_context_is_evaluate),
        cmocka_unit_test(test_evaluate_in_retirement_has_no_findings),
        cmocka_unit_test(test_evaluate_warnings_never_change_approvable),
        cmocka_unit_test(test_evaluate_one_blocker_makes_not_approvable),
        cmocka_unit_test(test_evaluate_findings_sorted_by_item_then_code),
        cmocka_unit_test(test_evaluate_to_json_shape),
        cmocka_unit_test(test_evaluate_requirement_messages_cite_item_and_level),
        cmocka_unit_test(test_evaluate_contract_example),
        cmocka_unit_test(test_evaluate_retirement_request_is_approvable),
    };
    return cmocka_run_group_tests(tests, load_catalogues, release_catalogues);
}
