/*
 * test_document.c - the request document (CONTRACT.md section 2): what is
 * not a document of that shape and vocabulary is refused as invalid
 * (X_INVALID, exit 2) with a one-line message naming where; what may be
 * missing while a draft is written parses and is left to evaluate().
 */
#include "unit_util.h"

#include "core/changes.h"

UT_TWO_CATALOGUES

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* Assert that the n bytes at zText are refused with `code` and a one-line
 * message holding each of the NULL-terminated needles. */
static void expect_refused_text(const char *zText, size_t n, const struct catalogue *cat,
                                enum xcode code, const char *const *needles)
{
    struct document d;
    struct xerr e;
    xerr_clear(&e);
    enum xcode rc = document_parse_text(zText, n, cat, &d, &e);
    if (rc != code) {
        if (rc == XOK)
            document_release(&d);
        fail_msg("expected code %d, got %d (%s) for: %.200s", code, rc, e.msg, zText);
    }
    assert_int_equal(e.code, code);
    assert_null(d.json); /* nothing is handed out on failure */
    assert_true(strlen(e.msg) > 0);
    assert_null(strchr(e.msg, '\n'));
    for (const char *const *p = needles; p && *p; p++)
        ut_assert_contains(e.msg, *p);
}

/* The same for a document built with jansson (stolen): refused as text and
 * as a loaded JSON value alike. */
static void expect_invalid_doc(json_t *doc, const struct catalogue *cat, const char *needle1,
                               const char *needle2)
{
    const char *needles[] = {needle1, needle2, NULL};
    char *zText = json_dumps(doc, 0);
    assert_non_null(zText);
    expect_refused_text(zText, strlen(zText), cat, X_INVALID, needles);
    free(zText);

    struct document d;
    struct xerr e;
    xerr_clear(&e);
    enum xcode rc = document_parse(doc, cat, &d, &e);
    json_decref(doc);
    if (rc == XOK)
        document_release(&d);
    assert_int_equal(rc, X_INVALID);
    assert_null(d.json);
    for (const char *const *p = needles; *p; p++)
        ut_assert_contains(e.msg, *p);
}

static void expect_invalid_cstr(const char *zText, const char *needle)
{
    const char *needles[] = {needle, NULL};
    expect_refused_text(zText, strlen(zText), &cat2023, X_INVALID, needles);
}

/* Parse `doc` (stolen) as text; fail the test if it is refused. */
static void parse_ok(json_t *doc, const struct catalogue *cat, struct document *d)
{
    char *zText = json_dumps(doc, 0);
    json_decref(doc);
    assert_non_null(zText);
    struct xerr e;
    xerr_clear(&e);
    enum xcode rc = document_parse_text(zText, strlen(zText), cat, d, &e);
    free(zText);
    if (rc != XOK)
        fail_msg("document refused: %s", e.msg);
}

static json_t *base_requirements(void)
{
    return ut_load_doc("approvable-requirements.json");
}

static json_t *base_risk_review(void)
{
    return ut_load_doc("approvable-risk-review.json");
}

/* ---- not a document at all ------------------------------------------------ */

/* CONTRACT 2: a request document is one JSON object. */
static void test_document_refuses_non_object(void **state)
{
    static const char *const texts[] = {"[]",  "[{\"purpose\": \"x\"}]", "\"申請\"", "42", "true",
                                        "null"};
    for (size_t i = 0; i < COUNT(texts); i++)
        expect_invalid_cstr(texts[i], NULL);

    struct document d;
    struct xerr e;
    json_t *arr = json_array();
    assert_int_equal(document_parse(arr, &cat2023, &d, &e), X_INVALID);
    json_decref(arr);
}

/* CONTRACT 2: JSON that does not parse is invalid input. */
static void test_document_refuses_malformed_json(void **state)
{
    static const char *const texts[] = {
        "",
        "{",
        "{\"purpose\": }",
        "{\"purpose\": \"a\",}",
        "{'purpose': 'a'}",
        "{\"purpose\": \"a\"} {}",
        "{\"purpose\": \"改行\n入り\"}",
    };
    for (size_t i = 0; i < COUNT(texts); i++)
        expect_invalid_cstr(texts[i], "JSON");
}

/* CONTRACT 2: the document is UTF-8; Shift_JIS from an old form, overlongs,
 * surrogates, code points past U+10FFFF and cut sequences are refused. */
static void test_document_refuses_invalid_utf8(void **state)
{
    static const char *const bytes[] = {
        "\x8e\xfc\x93\xec", /* 周南 in Shift_JIS */
        "\xff",             /* never in UTF-8 */
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong '/' in three bytes */
        "\xed\xa0\x80",     /* surrogate U+D800 */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xe3\x81",         /* あ cut short */
        "\x80",             /* a lone continuation byte */
    };
    for (size_t i = 0; i < COUNT(bytes); i++) {
        char buf[64];
        int n = snprintf(buf, sizeof buf, "{\"purpose\": \"x%sx\"}", bytes[i]);
        const char *needles[] = {"UTF-8", NULL};
        expect_refused_text(buf, (size_t)n, &cat2023, X_INVALID, needles);
    }
}

/* CONTRACT 2: a NUL byte, raw or escaped, is no text of a request. */
static void test_document_refuses_nul(void **state)
{
    static const char raw[] = "{\"purpose\": \"a\0b\"}";
    expect_refused_text(raw, sizeof raw - 1, &cat2023, X_INVALID, NULL);
    expect_invalid_cstr("{\"purpose\": \"a\\u0000b\"}", NULL);
}

/* Build {"purpose": "aaa…"} of exactly n bytes; caller frees. */
static char *document_of_size(size_t n)
{
    static const char head[] = "{\"purpose\": \"", tail[] = "\"}";
    size_t nFixed = sizeof head - 1 + sizeof tail - 1;
    assert_true(n > nFixed);
    char *z = malloc(n + 1);
    assert_non_null(z);
    memcpy(z, head, sizeof head - 1);
    memset(z + sizeof head - 1, 'a', n - nFixed);
    memcpy(z + n - (sizeof tail - 1), tail, sizeof tail);
    return z;
}

/* CONTRACT 1/6: a document over 1 MiB is too large (exit 2, HTTP 413);
 * exactly 1 MiB is not. */
static void test_document_refuses_over_1_mib(void **state)
{
    char *z = document_of_size(DOCUMENT_MAX_BYTES + 1);
    expect_refused_text(z, DOCUMENT_MAX_BYTES + 1, &cat2023, X_TOOLARGE, NULL);
    free(z);

    z = document_of_size(DOCUMENT_MAX_BYTES);
    struct document d;
    struct xerr e;
    assert_int_equal(document_parse_text(z, DOCUMENT_MAX_BYTES, &cat2023, &d, &e), XOK);
    assert_int_equal(strlen(d.purpose), DOCUMENT_MAX_BYTES - 15);
    document_release(&d);
    free(z);
    assert_int_equal(DOCUMENT_MAX_BYTES, 1048576);
}

/* ---- unknown keys and vocabulary ---------------------------------------------- */

/* CONTRACT 2: unknown top-level keys are an error. */
static void test_document_refuses_unknown_top_level_key(void **state)
{
    static const char *const keys[] = {"colour", "Purpose", "comment", "evaluation"};
    for (size_t i = 0; i < COUNT(keys); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, keys[i], "x");
        expect_invalid_doc(doc, &cat2023, keys[i], NULL);
    }
}

/* CONTRACT 2: the members of each object are fixed too (service.colour). */
static void test_document_refuses_unknown_nested_key(void **state)
{
    static const struct {
        const char *path, *parent, *key;
    } cases[] = {
        {"service.colour", "service", "colour"},
        {"classification.secrecy", "classification", "secrecy"},
        {"period.until", "period", "until"},
        {"applicant.email", "applicant", "email"},
        {"procurement.note", "procurement", "note"},
        {"requirements.1.note", "requirements.1", "note"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, cases[i].path, "x");
        expect_invalid_doc(doc, &cat2023, cases[i].parent, cases[i].key);
    }
    json_t *doc = base_risk_review();
    ut_set_str(doc, "risks.1.note", "x");
    expect_invalid_doc(doc, &cat2023, "risks.1", "note");

    doc = base_requirements();
    json_object_set_new(json_array_get(json_object_get(doc, "conditions"), 0), "note",
                        json_string("x"));
    expect_invalid_doc(doc, &cat2023, "conditions[0]", "note");
}

/* CONTRACT 2, 別紙: item numbers are the catalogue's 1..28. */
static void test_document_refuses_unknown_requirement_number(void **state)
{
    static const char *const keys[] = {"29", "0", "abc", "-1", "01", "1.0", " 1", "99999", "１"};
    for (size_t i = 0; i < COUNT(keys); i++) {
        json_t *doc = base_requirements();
        json_object_set_new(json_object_get(doc, "requirements"), keys[i],
                            json_pack("{s:s}", "status", "met"));
        expect_invalid_doc(doc, &cat2023, keys[i], NULL);
    }
    json_t *doc = base_requirements();
    json_object_set_new(json_object_get(doc, "requirements"), "",
                        json_pack("{s:s}", "status", "met"));
    expect_invalid_doc(doc, &cat2023, NULL, NULL);
}

/* CONTRACT 2, 1(4): the known risks are ①〜⑫. */
static void test_document_refuses_unknown_risk_number(void **state)
{
    static const char *const keys[] = {"13", "0", "x", "⑬"};
    for (size_t i = 0; i < COUNT(keys); i++) {
        json_t *doc = base_risk_review();
        json_object_set_new(json_object_get(doc, "risks"), keys[i],
                            json_pack("{s:s}", "decision", "accept"));
        expect_invalid_doc(doc, &cat2023, keys[i], NULL);
    }
}

/* CONTRACT 2: status is met, unmet, na or unknown, for requirements and conditions. */
static void test_document_refuses_unknown_status(void **state)
{
    static const char *const values[] = {"partly", "Met", "yes", "満たす", "NA", "n/a", "対象外"};
    for (size_t i = 0; i < COUNT(values); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, "requirements.1.status", values[i]);
        expect_invalid_doc(doc, &cat2023, "requirements.1", values[i]);

        doc = base_requirements();
        json_object_set_new(json_array_get(json_object_get(doc, "conditions"), 0), "status",
                            json_string(values[i]));
        expect_invalid_doc(doc, &cat2023, "conditions[0]", values[i]);
    }
}

/* CONTRACT 2, 4: decision is accept or mitigate. */
static void test_document_refuses_unknown_decision(void **state)
{
    static const char *const values[] = {"reject", "Accept", "transfer", "受容"};
    for (size_t i = 0; i < COUNT(values); i++) {
        json_t *doc = base_risk_review();
        ut_set_str(doc, "risks.1.decision", values[i]);
        expect_invalid_doc(doc, &cat2023, "risks.1", values[i]);
    }
}

/* CONTRACT 2, 格付: a level must be one of the catalogue's scheme. */
static void test_document_refuses_unknown_classification_level(void **state)
{
    static const struct {
        const char *path, *level;
    } cases[] = {
        {"classification.confidentiality", "4"},  {"classification.confidentiality", "0"},
        {"classification.confidentiality", "3A"}, {"classification.confidentiality", "２"},
        {"classification.integrity", "3"},        {"classification.availability", "3A"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, cases[i].path, cases[i].level);
        expect_invalid_doc(doc, &cat2023, cases[i].path, cases[i].level);
    }
}

/* CONTRACT 2: "3A" works under a scheme that has it (the 2024 test catalogue). */
static void test_document_accepts_3a_under_2024_catalogue(void **state)
{
    static const char *const levels[] = {"3A", "3B", "3C", "2", "1"};
    for (size_t i = 0; i < COUNT(levels); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, "classification.confidentiality", levels[i]);
        struct document d;
        parse_ok(doc, &cat2024, &d);
        assert_string_equal(d.level[AXIS_CONFIDENTIALITY], levels[i]);
        document_release(&d);
    }
}

/* CONTRACT 2: classification levels are strings, not numbers. */
static void test_document_refuses_level_as_number(void **state)
{
    static const struct {
        const char *path, *value;
    } cases[] = {
        {"classification.confidentiality", "2"},
        {"classification.integrity", "1"},
        {"classification.availability", "2.0"},
        {"classification.confidentiality", "[\"2\"]"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        json_t *doc = base_requirements();
        ut_set_json(doc, cases[i].path, cases[i].value);
        expect_invalid_doc(doc, &cat2023, cases[i].path, NULL);
    }
}

/* CONTRACT 2: each member has its type; another one is invalid, named by path. */
static void test_document_refuses_wrong_types(void **state)
{
    static const struct {
        const char *path, *value, *needle;
    } cases[] = {
        {"service", "\"Teams\"", "service"},
        {"classification", "[]", "classification"},
        {"period", "\"2026-04-01/2027-03-31\"", "period"},
        {"applicant", "1", "applicant"},
        {"requirements", "[]", "requirements"},
        {"risks", "true", "risks"},
        {"conditions", "{}", "conditions"},
        {"conditions", "[\"録画しない\"]", "conditions[0]"},
        {"procurement", "\"承認済み\"", "procurement"},
        {"purpose", "42", "purpose"},
        {"scope", "[\"部局内\"]", "scope"},
        {"service.name", "1", "service.name"},
        {"service.provider", "{}", "service.provider"},
        {"service.category", "3", "service.category"},
        {"service.ismap", "true", "service.ismap"},
        {"period.from", "20260401", "period.from"},
        {"period.to", "[2027, 3, 31]", "period.to"},
        {"applicant.department", "false", "applicant.department"},
        {"applicant.name", "[\"周南\"]", "applicant.name"},
        {"requirements.1", "\"met\"", "requirements.1"},
        {"requirements.1.status", "true", "requirements.1"},
        {"requirements.1.reason", "1", "requirements.1"},
        {"requirements.1.evidence", "[]", "requirements.1"},
        {"procurement.approval_ref", "123", "procurement.approval_ref"},
        {"procurement.approved_on", "20260210", "procurement.approved_on"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        json_t *doc = base_requirements();
        ut_set_json(doc, cases[i].path, cases[i].value);
        expect_invalid_doc(doc, &cat2023, cases[i].needle, NULL);
    }
    static const struct {
        const char *path, *value;
    } risk_cases[] = {
        {"risks.1", "\"accept\""},
        {"risks.1.decision", "1"},
        {"risks.2.measure", "[\"x\"]"},
    };
    for (size_t i = 0; i < COUNT(risk_cases); i++) {
        json_t *doc = base_risk_review();
        ut_set_json(doc, risk_cases[i].path, risk_cases[i].value);
        const char *parent = strncmp(risk_cases[i].path, "risks.2", 7) == 0 ? "risks.2" : "risks.1";
        expect_invalid_doc(doc, &cat2023, parent, NULL);
    }
}

/* CONTRACT 2: one object has each key once; a second answer is not a correction. */
static void test_document_refuses_duplicate_keys(void **state)
{
    expect_invalid_cstr("{\"purpose\": \"a\", \"purpose\": \"b\"}", "purpose");
    expect_invalid_cstr("{\"service\": {\"name\": \"a\", \"name\": \"b\"}}", "name");
    expect_invalid_cstr("{\"requirements\": {\"1\": {\"status\": \"met\"}, "
                        "\"1\": {\"status\": \"unmet\"}}}",
                        "1");
}

/* 6: an individual condition must say what it is. */
static void test_document_refuses_condition_with_blank_text(void **state)
{
    static const char *const texts[] = {NULL, "", " ", "\u3000"};
    for (size_t i = 0; i < COUNT(texts); i++) {
        json_t *doc = base_requirements();
        json_t *c = json_pack("{s:s}", "status", "met");
        if (texts[i])
            json_object_set_new(c, "text", json_string(texts[i]));
        json_array_append_new(json_object_get(doc, "conditions"), c);
        expect_invalid_doc(doc, &cat2023, "conditions[1]", "text");
    }
}

/* 1(3): the category is one of the standard's examples, or other. */
static void test_document_refuses_unknown_category(void **state)
{
    static const char *const values[] = {"chat", "Web-Conference", "生成AI", "cloud"};
    for (size_t i = 0; i < COUNT(values); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, "service.category", values[i]);
        expect_invalid_doc(doc, &cat2023, "service.category", values[i]);
    }
}

/* 1(3): every example category, and none, is accepted. */
static void test_document_accepts_every_category(void **state)
{
    static const char *const values[] = {"web-conference", "sns",  "search",
                                         "translation",    "map",  "generative-ai",
                                         "hosting",        "other"};
    for (size_t i = 0; i < COUNT(values); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, "service.category", values[i]);
        struct document d;
        parse_ok(doc, &cat2023, &d);
        assert_string_equal(d.category, values[i]);
        document_release(&d);
    }
    for (size_t i = 0; service_categories[i]; i++)
        assert_string_equal(service_categories[i], values[i]);
}

/* 5(2): the dates of the procurement record are real days. */
static void test_document_refuses_procurement_date_that_does_not_exist(void **state)
{
    static const struct {
        const char *path, *value;
    } cases[] = {
        {"procurement.approved_on", "2026-02-30"},
        {"procurement.approved_on", "2026/02/10"},
        {"procurement.vendor_decided_on", "2026-13-01"},
        {"procurement.vendor_decided_on", "2025-02-29"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, cases[i].path, cases[i].value);
        expect_invalid_doc(doc, &cat2023, cases[i].path, cases[i].value);
    }
}

/* ---- the fields added for the new rules ------------------------------------ */

/* CONTRACT 2, 別紙 適用状況: "na" (対象外) is a status of a requirement and
 * of a condition, named "na" again on the way out. */
static void test_document_accepts_status_na(void **state)
{
    json_t *doc = base_requirements();
    ut_set(doc, "requirements.7",
           json_pack("{s:s, s:s}", "status", "na", "reason", "CSP を使わない"));
    ut_set(doc, "requirements.8", json_pack("{s:s}", "status", "na"));
    json_object_set_new(json_array_get(json_object_get(doc, "conditions"), 0), "status",
                        json_string("na"));
    struct document d;
    parse_ok(doc, &cat2023, &d);
    assert_int_equal(document_answer(&d, 7)->status, ANSWER_NA);
    assert_string_equal(document_answer(&d, 7)->reason, "CSP を使わない");
    assert_int_equal(document_answer(&d, 8)->status, ANSWER_NA);
    assert_null(document_answer(&d, 8)->reason);
    assert_int_equal(d.conditions[0].status, ANSWER_NA);
    document_release(&d);
    assert_string_equal(answer_status_name(ANSWER_NA), "na");
    assert_string_equal(answer_status_name(ANSWER_UNKNOWN), "unknown");
    assert_string_equal(answer_status_name(ANSWER_MET), "met");
    assert_string_equal(answer_status_name(ANSWER_UNMET), "unmet");
}

/* CONTRACT 2, 4: a risk decision may carry a reason (why it is accepted). */
static void test_document_parses_risk_reason(void **state)
{
    json_t *doc = base_risk_review();
    ut_set(doc, "risks.2",
           json_pack("{s:s, s:s}", "decision", "accept", "reason", "公開情報のみで影響なし"));
    struct document d;
    parse_ok(doc, &cat2023, &d);
    assert_int_equal(document_risk(&d, 2)->decision, RISK_ACCEPT);
    assert_string_equal(document_risk(&d, 2)->reason, "公開情報のみで影響なし");
    assert_null(document_risk(&d, 1)->reason);
    document_release(&d);
}

/* CONTRACT 2: a risk's reason is a string; anything else is invalid, named. */
static void test_document_refuses_risk_reason_of_wrong_type(void **state)
{
    static const char *const values[] = {"1", "true", "[\"理由\"]", "{}"};
    for (size_t i = 0; i < COUNT(values); i++) {
        json_t *doc = base_risk_review();
        ut_set_json(doc, "risks.3.reason", values[i]);
        expect_invalid_doc(doc, &cat2023, "risks.3", NULL);
    }
}

/* CONTRACT 2: service.cloud_provider (items 4-8) and service.data_location
 * (items 11, 18) are optional strings. */
static void test_document_parses_cloud_provider_and_data_location(void **state)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "service.cloud_provider", "Microsoft Corporation (Azure)");
    ut_set_str(doc, "service.data_location", "東日本リージョン（日本国内）");
    struct document d;
    parse_ok(doc, &cat2023, &d);
    assert_string_equal(d.cloud_provider, "Microsoft Corporation (Azure)");
    assert_string_equal(d.data_location, "東日本リージョン（日本国内）");
    document_release(&d);

    parse_ok(base_requirements(), &cat2023, &d);
    assert_null(d.cloud_provider);
    assert_null(d.data_location);
    document_release(&d);

    doc = base_requirements();
    ut_set_json(doc, "service.cloud_provider", "null");
    ut_set_str(doc, "service.data_location", "");
    parse_ok(doc, &cat2023, &d);
    assert_null(d.cloud_provider);
    assert_string_equal(d.data_location, "");
    document_release(&d);
}

/* CONTRACT 2: each of them is a string; another type is invalid, named by path. */
static void test_document_refuses_cloud_provider_and_data_location_of_wrong_type(void **state)
{
    static const char *const paths[] = {"service.cloud_provider", "service.data_location"};
    static const char *const values[] = {"1", "false", "[\"日本\"]", "{\"region\": \"東日本\"}"};
    for (size_t p = 0; p < COUNT(paths); p++)
        for (size_t i = 0; i < COUNT(values); i++) {
            json_t *doc = base_requirements();
            ut_set_json(doc, paths[p], values[i]);
            expect_invalid_doc(doc, &cat2023, paths[p], NULL);
        }
}

/* CONTRACT 2: personal_information is true or false; absent (or null) is -1. */
static void test_document_parses_personal_information(void **state)
{
    static const struct {
        const char *json;
        int want;
    } cases[] = {{"true", 1}, {"false", 0}, {"null", -1}, {NULL, -1}};
    for (size_t i = 0; i < COUNT(cases); i++) {
        json_t *doc = base_requirements();
        if (cases[i].json)
            ut_set_json(doc, "personal_information", cases[i].json);
        struct document d;
        parse_ok(doc, &cat2023, &d);
        assert_int_equal(d.personal_information, cases[i].want);
        document_release(&d);
    }
    struct document d;
    struct xerr e;
    assert_int_equal(document_parse_text("{}", 2, &cat2023, &d, &e), XOK);
    assert_int_equal(d.personal_information, -1);
    document_release(&d);
}

/* CONTRACT 2: a personal_information that is not a boolean ("true", 1,
 * "はい") is an invalid document. */
static void test_document_refuses_personal_information_not_boolean(void **state)
{
    static const char *const values[] = {"\"true\"", "1", "0", "\"はい\"", "[]", "{}", "\"\""};
    for (size_t i = 0; i < COUNT(values); i++) {
        json_t *doc = base_requirements();
        ut_set_json(doc, "personal_information", values[i]);
        expect_invalid_doc(doc, &cat2023, "personal_information", NULL);
    }
}

/* CONTRACT 2: the new members are known only where they belong. */
static void test_document_refuses_new_members_out_of_place(void **state)
{
    static const struct {
        const char *path, *parent, *key;
    } cases[] = {
        {"cloud_provider", "", "cloud_provider"},
        {"data_location", "", "data_location"},
        {"service.personal_information", "service", "personal_information"},
        {"procurement.reason", "procurement", "reason"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        json_t *doc = base_requirements();
        ut_set_str(doc, cases[i].path, "x");
        expect_invalid_doc(doc, &cat2023, cases[i].key, *cases[i].parent ? cases[i].parent : NULL);
    }
}

/* ---- document_changes: before → after ------------------------------------ */

/* The change for `field` in `changes`, or NULL. */
static json_t *change_of(json_t *changes, const char *field)
{
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "field")), field) == 0)
            return c;
    }
    return NULL;
}

/* Assert the change for `field` has `label` and the JSON `before` and
 * `after` written as text ("null", "\"x\"", "true"). */
static void assert_change(json_t *changes, const char *field, const char *label, const char *before,
                          const char *after)
{
    json_t *c = change_of(changes, field);
    if (!c)
        fail_msg("no change for %s", field);
    assert_int_equal(json_object_size(c), 4);
    assert_string_equal(json_string_value(json_object_get(c, "label")), label);
    const char *want[] = {before, after}, *key[] = {"before", "after"};
    for (int k = 0; k < 2; k++) {
        json_t *v = json_loads(want[k], JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        if (!json_equal(v, json_object_get(c, key[k]))) {
            char *got = json_dumps(json_object_get(c, key[k]), JSON_ENCODE_ANY);
            fail_msg("%s.%s: expected %s, got %s", field, key[k], want[k], got);
        }
        json_decref(v);
    }
}

/* 5(2)③: two equal documents change nothing; nor do carried_over marks
 * (where an answer came from is not what it says). */
static void test_document_changes_none_for_equal_documents(void **state)
{
    json_t *a = base_requirements(), *b = base_requirements();
    ut_set(b, "requirements.1.carried_over",
           json_pack("{s:i, s:s}", "request", 7, "approved_on", "2025-04-01"));
    json_t *changes = document_changes(a, b);
    assert_non_null(changes);
    assert_true(json_is_array(changes));
    assert_int_equal(json_array_size(changes), 0);
    json_decref(changes);
    changes = document_changes(NULL, NULL);
    assert_int_equal(json_array_size(changes), 0);
    json_decref(changes);
    json_decref(a);
    json_decref(b);
}

/* 5(2)③(ア)〜(キ) and the new members: each changed field is one change,
 * labelled in Japanese, in the order of the form. */
static void test_document_changes_lists_changed_fields(void **state)
{
    json_t *a = base_requirements(), *b = base_requirements();
    ut_set_str(b, "purpose", "庁外関係者とのWeb会議及び研修");
    ut_set_str(b, "service.cloud_provider", "Microsoft Corporation");
    ut_set_str(b, "service.data_location", "日本国内");
    ut_set_str(a, "service.data_location", "米国");
    ut_set_str(b, "classification.confidentiality", "3");
    ut_set_str(b, "period.to", "2028-03-31");
    ut_set_str(b, "scope", "自組織の関係者内に限る");
    ut_set(b, "personal_information", json_true());
    ut_set_str(b, "procurement.approved_on", "2026-02-12");
    ut_set(b, "service.ismap", NULL);
    json_t *changes = document_changes(a, b);
    assert_int_equal(json_array_size(changes), 9);
    assert_change(changes, "purpose", "利用目的", "\"庁外関係者とのWeb会議\"",
                  "\"庁外関係者とのWeb会議及び研修\"");
    assert_change(changes, "service.cloud_provider", "クラウドサービスプロバイダー", "null",
                  "\"Microsoft Corporation\"");
    assert_change(changes, "service.data_location", "データの所在地", "\"米国\"", "\"日本国内\"");
    assert_change(changes, "service.ismap", "ISMAP 登録番号", "\"C21-0012-2\"", "null");
    assert_change(changes, "classification.confidentiality", "取り扱う情報の格付（機密性）",
                  "\"2\"", "\"3\"");
    assert_change(changes, "period.to", "利用終了日", "\"2027-03-31\"", "\"2028-03-31\"");
    assert_change(changes, "scope", "利用者の範囲", "\"部局内に限る\"",
                  "\"自組織の関係者内に限る\"");
    assert_change(changes, "personal_information", "個人情報の取扱い", "null", "true");
    assert_change(changes, "procurement.approved_on", "職務権限規程による利用承認日",
                  "\"2026-02-10\"", "\"2026-02-12\"");
    static const char *const order[] = {"service.cloud_provider",
                                        "service.data_location",
                                        "service.ismap",
                                        "purpose",
                                        "classification.confidentiality",
                                        "period.to",
                                        "scope",
                                        "personal_information",
                                        "procurement.approved_on"};
    for (size_t i = 0; i < COUNT(order); i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(changes, i), "field")),
                            order[i]);
    json_decref(changes);
    json_decref(a);
    json_decref(b);
}

/* A blank value is no value: "" or U+3000 against absent or null changes nothing. */
static void test_document_changes_blank_is_absent(void **state)
{
    json_t *a = base_requirements(), *b = base_requirements();
    ut_set_str(a, "service.function", "");
    ut_set(b, "service.function", NULL);
    ut_set_str(a, "service.cloud_provider", "\u3000");
    ut_set_json(b, "service.cloud_provider", "null");
    ut_set_json(a, "personal_information", "null");
    json_t *changes = document_changes(a, b);
    assert_int_equal(json_array_size(changes), 0);
    json_decref(changes);
    json_decref(a);
    json_decref(b);
}

/* 6: conditions that differ are one change, the lists before and after;
 * an absent list is an empty one. */
static void test_document_changes_conditions(void **state)
{
    json_t *a = base_requirements(), *b = base_requirements();
    json_array_append_new(json_object_get(b, "conditions"),
                          json_pack("{s:s, s:s}", "text", "外部共有を無効化する", "status", "met"));
    json_t *changes = document_changes(a, b);
    assert_int_equal(json_array_size(changes), 1);
    json_t *c = change_of(changes, "conditions");
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(c, "label")), "個別の選定条件");
    assert_int_equal(json_array_size(json_object_get(c, "before")), 1);
    assert_int_equal(json_array_size(json_object_get(c, "after")), 2);
    json_decref(changes);

    ut_set(a, "conditions", json_array());
    ut_set(b, "conditions", NULL);
    changes = document_changes(a, b);
    assert_int_equal(json_array_size(changes), 0);
    json_decref(changes);
    json_decref(a);
    json_decref(b);
}

/* 別紙, 1(4): each changed answer is a change of its own, requirements by
 * number then risks, shown without carried_over marks; an absent answer
 * and {"status": "unknown"} are the same (null: unanswered). */
static void test_document_changes_answers(void **state)
{
    json_t *a = base_requirements(), *b = base_requirements();
    ut_set(a, "requirements.17.carried_over", json_pack("{s:i}", "request", 3));
    ut_set(b, "requirements.17",
           json_pack("{s:s, s:s}", "status", "unmet", "reason", "SLA 未定義。業務影響は軽微"));
    ut_set(b, "requirements.9", NULL);
    ut_set(b, "requirements.10", json_pack("{s:s, s:s}", "status", "na", "reason", "対象外"));
    ut_set(a, "requirements.10", NULL);
    ut_set(a, "requirements.11", json_pack("{s:s}", "status", "unknown"));
    ut_set(b, "requirements.11", NULL);
    ut_set(a, "risks", json_pack("{s:{s:s}}", "3", "decision", "accept"));
    ut_set(b, "risks",
           json_pack("{s:{s:s, s:s}, s:{s:s}}", "3", "decision", "mitigate", "measure",
                     "個人情報を入力しない", "12", "decision", "accept"));
    json_t *changes = document_changes(a, b);
    char *text = json_dumps(changes, 0);
    assert_int_equal(json_array_size(changes), 5);
    const char *evidence17 = json_string_value(
        json_object_get(json_object_get(json_object_get(a, "requirements"), "17"), "evidence"));
    char before17[512];
    snprintf(before17, sizeof before17, "{\"status\": \"met\", \"evidence\": \"%s\"}", evidence17);
    assert_change(changes, "requirements.17", "別紙 項番17", before17,
                  "{\"status\": \"unmet\", \"reason\": \"SLA 未定義。業務影響は軽微\"}");
    assert_non_null(
        json_object_get(json_object_get(change_of(changes, "requirements.9"), "before"), "status"));
    assert_true(json_is_null(json_object_get(change_of(changes, "requirements.9"), "after")));
    assert_change(changes, "requirements.10", "別紙 項番10", "null",
                  "{\"status\": \"na\", \"reason\": \"対象外\"}");
    assert_null(change_of(changes, "requirements.11"));
    assert_change(changes, "risks.3", "1(4)③", "{\"decision\": \"accept\"}",
                  "{\"decision\": \"mitigate\", \"measure\": \"個人情報を入力しない\"}");
    assert_change(changes, "risks.12", "1(4)⑫", "null", "{\"decision\": \"accept\"}");
    static const char *const order[] = {"requirements.9", "requirements.10", "requirements.17",
                                        "risks.3", "risks.12"};
    for (size_t i = 0; i < COUNT(order); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(changes, i), "field")),
                   order[i]) != 0)
            fail_msg("change %zu is not %s: %s", i, order[i], text);
    free(text);
    json_decref(changes);
    json_decref(a);
    json_decref(b);
}

/* changes.h: from no document at all, every given field is new; the
 * documents are only read. */
static void test_document_changes_from_nothing(void **state)
{
    json_t *b = base_requirements();
    json_t *copy = json_deep_copy(b);
    json_t *changes = document_changes(NULL, b);
    assert_change(changes, "service.name", "外部サービスの名称", "null", "\"Microsoft Teams\"");
    assert_change(changes, "period.from", "利用開始日", "null", "\"2026-04-01\"");
    assert_non_null(change_of(changes, "conditions"));
    assert_non_null(change_of(changes, "requirements.28"));
    assert_null(change_of(changes, "applicant.name")); /* the filing user, not a change */
    assert_true(json_equal(b, copy));
    json_decref(changes);
    json_decref(copy);
    json_decref(b);
}

/* ---- valid documents ------------------------------------------------------ */

/* The base documents parse from their files byte for byte. */
static void test_document_parses_base_documents_from_text(void **state)
{
    static const char *const files[] = {
        DOCS_DIR "approvable-requirements.json", DOCS_DIR "approvable-risk-review.json",
        DOCS_DIR "contract-example.json", DOCS_DIR "many-findings.json"};
    for (size_t i = 0; i < COUNT(files); i++) {
        size_t n;
        char *z = ut_read_file(files[i], &n);
        struct document d;
        struct xerr e;
        xerr_clear(&e);
        if (document_parse_text(z, n, &cat2023, &d, &e) != XOK)
            fail_msg("%s refused: %s", files[i], e.msg);
        document_release(&d);
        free(z);
    }
}

/* CONTRACT 2: the example document's members land where they belong. */
static void test_document_parses_contract_example(void **state)
{
    struct document d;
    parse_ok(ut_load_doc("contract-example.json"), &cat2023, &d);
    assert_string_equal(d.service_name, "Microsoft Teams");
    assert_string_equal(d.service_function, "Web会議");
    assert_string_equal(d.provider, "日本マイクロソフト株式会社");
    assert_string_equal(d.category, "web-conference");
    assert_string_equal(d.ismap, "C21-0012-2");
    assert_string_equal(d.purpose, "庁外関係者とのWeb会議");
    assert_string_equal(d.level[AXIS_CONFIDENTIALITY], "2");
    assert_string_equal(d.level[AXIS_INTEGRITY], "2");
    assert_string_equal(d.level[AXIS_AVAILABILITY], "1");
    assert_string_equal(d.period_from, "2026-04-01");
    assert_string_equal(d.period_to, "2027-03-31");
    assert_string_equal(d.applicant_department, "総務部 情報政策課");
    assert_string_equal(d.applicant_name, "周南 太郎");
    assert_string_equal(d.scope, "部局内に限る");
    assert_int_equal(d.nAnswers, 2);
    const struct answer *a = document_answer(&d, 17);
    assert_non_null(a);
    assert_int_equal(a->status, ANSWER_UNMET);
    assert_string_equal(a->reason, "SLA 未定義。業務影響は軽微");
    assert_null(a->evidence);
    a = document_answer(&d, 1);
    assert_non_null(a);
    assert_int_equal(a->status, ANSWER_MET);
    assert_string_equal(a->evidence, "ISMAP 登録 C21-0012-2");
    assert_null(document_answer(&d, 2));
    assert_int_equal(d.nRiskAnswers, 2);
    assert_int_equal(document_risk(&d, 1)->decision, RISK_ACCEPT);
    assert_int_equal(document_risk(&d, 2)->decision, RISK_MITIGATE);
    assert_string_equal(document_risk(&d, 2)->measure, "個人情報を入力しない");
    assert_null(document_risk(&d, 3));
    assert_int_equal(d.nConditions, 1);
    assert_string_equal(d.conditions[0].text, "録画機能は使用しない");
    assert_int_equal(d.conditions[0].status, ANSWER_MET);
    assert_false(d.has_procurement);
    document_release(&d);
}

/* CONTRACT 2: an absent item is unknown, not an error: {} parses. */
static void test_document_parses_empty_object(void **state)
{
    struct document d;
    struct xerr e;
    assert_int_equal(document_parse_text("{}", 2, &cat2023, &d, &e), XOK);
    assert_null(d.service_name);
    assert_null(d.purpose);
    assert_null(d.level[AXIS_CONFIDENTIALITY]);
    assert_int_equal(d.nAnswers, 0);
    assert_int_equal(d.nRiskAnswers, 0);
    assert_int_equal(d.nConditions, 0);
    assert_false(d.has_procurement);
    assert_null(document_answer(&d, 1));
    assert_null(document_risk(&d, 1));
    document_release(&d);
}

/* CONTRACT 2: items may be left out, and an explicit "unknown" is unknown;
 * answers are found whatever order the document gives them in. */
static void test_document_accepts_absent_and_unknown_items(void **state)
{
    json_t *doc = base_requirements();
    json_t *reqs = json_pack("{s:{s:s}, s:{s:s}, s:{}}", "28", "status", "met", "3", "status",
                             "unknown", "12");
    ut_set(doc, "requirements", reqs);
    struct document d;
    parse_ok(doc, &cat2023, &d);
    assert_int_equal(d.nAnswers, 3);
    assert_int_equal(document_answer(&d, 28)->status, ANSWER_MET);
    assert_int_equal(document_answer(&d, 3)->status, ANSWER_UNKNOWN);
    assert_int_equal(document_answer(&d, 12)->status, ANSWER_UNKNOWN);
    assert_null(document_answer(&d, 1));
    for (size_t i = 1; i < d.nAnswers; i++)
        assert_true(d.answers[i - 1].no < d.answers[i].no);
    document_release(&d);

    doc = base_risk_review();
    ut_set(
        doc, "risks",
        json_pack("{s:{s:s}, s:{s:s}}", "12", "decision", "accept", "2", "decision", "mitigate"));
    parse_ok(doc, &cat2023, &d);
    assert_int_equal(d.nRiskAnswers, 2);
    assert_int_equal(d.risk_answers[0].no, 2);
    assert_null(document_risk(&d, 2)->measure); /* blank measure is evaluate's business */
    document_release(&d);
}

/* document.h: what a draft may lack (a blank field, a blank level, a day
 * that does not exist in the period) parses; evaluate() reports it. */
static void test_document_leaves_blank_and_impossible_values_to_evaluate(void **state)
{
    json_t *doc = base_requirements();
    ut_set_str(doc, "service.name", "");
    ut_set_str(doc, "classification.confidentiality", "\u3000");
    ut_set_str(doc, "period.from", "2026-02-30");
    ut_set_str(doc, "procurement.approved_on", "");
    struct document d;
    parse_ok(doc, &cat2023, &d);
    assert_string_equal(d.period_from, "2026-02-30");
    assert_true(d.has_procurement);
    document_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_refuses_non_object),
        cmocka_unit_test(test_document_refuses_malformed_json),
        cmocka_unit_test(test_document_refuses_invalid_utf8),
        cmocka_unit_test(test_document_refuses_nul),
        cmocka_unit_test(test_document_refuses_over_1_mib),
        cmocka_unit_test(test_document_refuses_unknown_top_level_key),
        cmocka_unit_test(test_document_refuses_unknown_nested_key),
        cmocka_unit_test(test_document_refuses_unknown_requirement_number),
        cmocka_unit_test(test_document_refuses_unknown_risk_number),
        cmocka_unit_test(test_document_refuses_unknown_status),
        cmocka_unit_test(test_document_refuses_unknown_decision),
        cmocka_unit_test(test_document_refuses_unknown_classification_level),
        cmocka_unit_test(test_document_accepts_3a_under_2024_catalogue),
        cmocka_unit_test(test_document_refuses_level_as_number),
        cmocka_unit_test(test_document_refuses_wrong_types),
        cmocka_unit_test(test_document_refuses_duplicate_keys),
        cmocka_unit_test(test_document_refuses_condition_with_blank_text),
        cmocka_unit_test(test_document_refuses_unknown_category),
        cmocka_unit_test(test_document_accepts_every_category),
        cmocka_unit_test(test_document_refuses_procurement_date_that_does_not_exist),
        cmocka_unit_test(test_document_accepts_status_na),
        cmocka_unit_test(test_document_parses_risk_reason),
        cmocka_unit_test(test_document_refuses_risk_reason_of_wrong_type),
        cmocka_unit_test(test_document_parses_cloud_provider_and_data_location),
        cmocka_unit_test(test_document_refuses_cloud_provider_and_data_location_of_wrong_type),
        cmocka_unit_test(test_document_parses_personal_information),
        cmocka_unit_test(test_document_refuses_personal_information_not_boolean),
        cmocka_unit_test(test_document_refuses_new_members_out_of_place),
        cmocka_unit_test(test_document_changes_none_for_equal_documents),
        cmocka_unit_test(test_document_changes_lists_changed_fields),
        cmocka_unit_test(test_document_changes_blank_is_absent),
        cmocka_unit_test(test_document_changes_conditions),
        cmocka_unit_test(test_document_changes_answers),
        cmocka_unit_test(test_document_changes_from_nothing),
        cmocka_unit_test(test_document_parses_base_documents_from_text),
        cmocka_unit_test(test_document_parses_contract_example),
        cmocka_unit_test(test_document_parses_empty_object),
        cmocka_unit_test(test_document_accepts_absent_and_unknown_items),
        cmocka_unit_test(test_document_leaves_blank_and_impossible_values_to_evaluate),
    };
    return cmocka_run_group_tests(tests, load_catalogues, release_catalogues);
}
