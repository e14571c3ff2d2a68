/*
 * document.c - parse and check a request document; see document.h.
 */
#include "document.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "text.h"

const char *const service_categories[] = {"web-conference", "sns",   "search",
                                          "translation",    "map",   "generative-ai",
                                          "hosting",        "other", NULL};

const char *answer_status_name(enum answer_status s)
{
    static const char *const names[] = {"unknown", "met", "unmet", "na"};
    return names[s];
}

static enum xcode only_keys(json_t *obj, const char *where, const char *const *keys, struct xerr *e)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const char *const *k = keys;
        while (*k && strcmp(*k, key) != 0)
            k++;
        if (!*k)
            return xerr_set(e, X_INVALID, "申請書: %s%s未知の項目 \"%s\" があります", where,
                            *where ? " に" : "", key);
    }
    return XOK;
}

/* Fetch an optional string member: absent or null gives NULL; another type
 * is an invalid document. */
static enum xcode opt_string(json_t *obj, const char *key, const char *path, const char **out,
                             struct xerr *e)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return XOK;
    if (!json_is_string(v))
        return xerr_set(e, X_INVALID, "申請書: %s は文字列で指定してください", path);
    *out = json_string_value(v);
    return XOK;
}

/* Fetch an optional boolean member as -1 (absent or null), 0 or 1; another
 * type ("yes", 1) is an invalid document. */
static enum xcode opt_bool(json_t *obj, const char *key, int *out, struct xerr *e)
{
    json_t *v = json_object_get(obj, key);
    *out = -1;
    if (!v || json_is_null(v))
        return XOK;
    if (!json_is_boolean(v))
        return xerr_set(e, X_INVALID, "申請書: %s は true か false で指定してください", key);
    *out = json_is_true(v) ? 1 : 0;
    return XOK;
}

/* Fetch an optional object member: absent or null gives NULL. */
static enum xcode opt_object(json_t *obj, const char *key, json_t **out, struct xerr *e)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return XOK;
    if (!json_is_object(v))
        return xerr_set(e, X_INVALID, "申請書: %s はオブジェクトで指定してください", key);
    *out = v;
    return XOK;
}

int document_item_number(const char *key)
{
    if (!key[0] || key[0] == '0' || strlen(key) > 4)
        return -1;
    for (const char *p = key; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    return atoi(key);
}

static enum xcode parse_status(json_t *obj, const char *path, enum answer_status *out,
                               struct xerr *e)
{
    const char *s;
    if (opt_string(obj, "status", path, &s, e))
        return e->code;
    if (!s || strcmp(s, "unknown") == 0)
        *out = ANSWER_UNKNOWN;
    else if (strcmp(s, "met") == 0)
        *out = ANSWER_MET;
    else if (strcmp(s, "unmet") == 0)
        *out = ANSWER_UNMET;
    else if (strcmp(s, "na") == 0)
        *out = ANSWER_NA;
    else
        return xerr_set(
            e, X_INVALID,
            "申請書: %s の status \"%s\" は met, unmet, na, unknown のいずれかにしてください", path,
            s);
    return XOK;
}

static int cmp_answer(const void *a, const void *b)
{
    return ((const struct answer *)a)->no - ((const struct answer *)b)->no;
}

static int cmp_risk(const void *a, const void *b)
{
    return ((const struct risk_answer *)a)->no - ((const struct risk_answer *)b)->no;
}

static enum xcode parse_requirements(struct document *doc, json_t *reqs,
                                     const struct catalogue *cat, struct xerr *e)
{
    static const char *const keys[] = {"status", "evidence", "reason", "carried_over", NULL};
    static const char *const co_keys[] = {"request", "approved_on", "department", NULL};
    size_t n = json_object_size(reqs);
    if (n == 0)
        return XOK;
    doc->answers = calloc(n, sizeof *doc->answers);
    if (!doc->answers)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    const char *key;
    json_t *v;
    json_object_foreach(reqs, key, v)
    {
        char path[64];
        snprintf(path, sizeof path, "requirements.%.20s", key);
        int no = document_item_number(key);
        if (no < 0 || !catalogue_requirement(cat, no))
            return xerr_set(e, X_INVALID, "申請書: 要件一覧（%s）に項番 \"%s\" はありません",
                            cat->id, key);
        if (!json_is_object(v))
            return xerr_set(e, X_INVALID, "申請書: %s はオブジェクトで指定してください", path);
        if (only_keys(v, path, keys, e))
            return e->code;
        struct answer *a = &doc->answers[doc->nAnswers++];
        a->no = no;
        if (parse_status(v, path, &a->status, e) ||
            opt_string(v, "evidence", path, &a->evidence, e) ||
            opt_string(v, "reason", path, &a->reason, e))
            return e->code;
        json_t *co = json_object_get(v, "carried_over");
        if (co && !json_is_null(co)) {
            if (!json_is_object(co) || !json_is_integer(json_object_get(co, "request")))
                return xerr_set(e, X_INVALID,
                                "申請書: %s.carried_over には request（申請番号）が必要です", path);
            if (only_keys(co, path, co_keys, e))
                return e->code;
        }
    }
    if (doc->nAnswers > 1)
        qsort(doc->answers, doc->nAnswers, sizeof *doc->answers, cmp_answer);
    return XOK;
}

static enum xcode parse_risks(struct document *doc, json_t *risks, const struct catalogue *cat,
                              struct xerr *e)
{
    static const char *const keys[] = {"decision", "measure", "reason", NULL};
    size_t n = json_object_size(risks);
    if (n == 0)
        return XOK;
    doc->risk_answers = calloc(n, sizeof *doc->risk_answers);
    if (!doc->risk_answers)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    const char *key;
    json_t *v;
    json_object_foreach(risks, key, v)
    {
        char path[64];
        snprintf(path, sizeof path, "risks.%.20s", key);
        int no = document_item_number(key);
        if (no < 0 || !catalogue_risk(cat, no))
            return xerr_set(e, X_INVALID,
                            "申請書: 外部サービス利用の特性（1(4)）にリスク \"%s\" はありません",
                            key);
        if (!json_is_object(v))
            return xerr_set(e, X_INVALID, "申請書: %s はオブジェクトで指定してください", path);
        if (only_keys(v, path, keys, e))
            return e->code;
        struct risk_answer *r = &doc->risk_answers[doc->nRiskAnswers++];
        r->no = no;
        const char *decision;
        if (opt_string(v, "decision", path, &decision, e) ||
            opt_string(v, "measure", path, &r->measure, e) ||
            opt_string(v, "reason", path, &r->reason, e))
            return e->code;
        if (!decision)
            r->decision = RISK_UNDECIDED;
        else if (strcmp(decision, "accept") == 0)
            r->decision = RISK_ACCEPT;
        else if (strcmp(decision, "mitigate") == 0)
            r->decision = RISK_MITIGATE;
        else
            return xerr_set(e, X_INVALID,
                            "申請書: %s の decision \"%s\" は accept か mitigate にしてください",
                            path, decision);
    }
    if (doc->nRiskAnswers > 1)
        qsort(doc->risk_answers, doc->nRiskAnswers, sizeof *doc->risk_answers, cmp_risk);
    return XOK;
}

static enum xcode parse_conditions(struct document *doc, json_t *arr, struct xerr *e)
{
    static const char *const keys[] = {"text", "status", "evidence", "reason", NULL};
    if (!arr || json_is_null(arr))
        return XOK;
    if (!json_is_array(arr))
        return xerr_set(e, X_INVALID, "申請書: conditions は配列で指定してください");
    size_t n = json_array_size(arr);
    if (n == 0)
        return XOK;
    doc->conditions = calloc(n, sizeof *doc->conditions);
    if (!doc->conditions)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        char path[48];
        snprintf(path, sizeof path, "conditions[%zu]", i);
        if (!json_is_object(v))
            return xerr_set(e, X_INVALID, "申請書: %s はオブジェクトで指定してください", path);
        if (only_keys(v, path, keys, e))
            return e->code;
        struct condition *c = &doc->conditions[doc->nConditions++];
        if (opt_string(v, "text", path, &c->text, e) || parse_status(v, path, &c->status, e) ||
            opt_string(v, "evidence", path, &c->evidence, e) ||
            opt_string(v, "reason", path, &c->reason, e))
            return e->code;
        if (text_is_blank(c->text))
            return xerr_set(e, X_INVALID, "申請書: %s の text（選定条件の内容）が空です", path);
    }
    return XOK;
}

static enum xcode parse_procurement(struct document *doc, json_t *p, struct xerr *e)
{
    static const char *const keys[] = {"approval_ref", "approved_on", "vendor_decided_on", NULL};
    struct xdate dt;
    if (!p)
        return XOK;
    doc->has_procurement = true;
    if (only_keys(p, "procurement", keys, e) ||
        opt_string(p, "approval_ref", "procurement.approval_ref", &doc->approval_ref, e) ||
        opt_string(p, "approved_on", "procurement.approved_on", &doc->approved_on, e) ||
        opt_string(p, "vendor_decided_on", "procurement.vendor_decided_on", &doc->vendor_decided_on,
                   e))
        return e->code;
    if (doc->approved_on && !text_is_blank(doc->approved_on) && !date_parse(doc->approved_on, &dt))
        return xerr_set(
            e, X_INVALID,
            "申請書: procurement.approved_on \"%s\" は存在する日付（YYYY-MM-DD）にしてください",
            doc->approved_on);
    if (doc->vendor_decided_on && !text_is_blank(doc->vendor_decided_on) &&
        !date_parse(doc->vendor_decided_on, &dt))
        return xerr_set(e, X_INVALID,
                        "申請書: procurement.vendor_decided_on \"%s\" "
                        "は存在する日付（YYYY-MM-DD）にしてください",
                        doc->vendor_decided_on);
    return XOK;
}

enum xcode document_parse(json_t *json, const struct catalogue *cat, struct document *doc,
                          struct xerr *e)
{
    static const char *const top[] = {"service",    "purpose",     "classification",       "period",
                                      "applicant",  "scope",       "requirements",         "risks",
                                      "conditions", "procurement", "personal_information", NULL};
    static const char *const svc_keys[] = {"name",  "function",       "provider",      "category",
                                           "ismap", "cloud_provider", "data_location", NULL};
    static const char *const period_keys[] = {"from", "to", NULL};
    static const char *const appl_keys[] = {"department", "name", NULL};
    static const char *const cls_keys[] = {"confidentiality", "integrity", "availability", NULL};
    memset(doc, 0, sizeof *doc);
    doc->personal_information = -1;
    if (!json_is_object(json))
        return xerr_set(e, X_INVALID, "申請書: JSON オブジェクトではありません");
    doc->json = json_incref(json);
    json_t *svc, *cls, *period, *appl, *reqs, *risks, *proc;
    if (only_keys(json, "", top, e) || opt_object(json, "service", &svc, e) ||
        opt_object(json, "classification", &cls, e) || opt_object(json, "period", &period, e) ||
        opt_object(json, "applicant", &appl, e) || opt_object(json, "requirements", &reqs, e) ||
        opt_object(json, "risks", &risks, e) || opt_object(json, "procurement", &proc, e) ||
        opt_string(json, "purpose", "purpose", &doc->purpose, e) ||
        opt_string(json, "scope", "scope", &doc->scope, e))
        goto fail;
    if (svc &&
        (only_keys(svc, "service", svc_keys, e) ||
         opt_string(svc, "name", "service.name", &doc->service_name, e) ||
         opt_string(svc, "function", "service.function", &doc->service_function, e) ||
         opt_string(svc, "provider", "service.provider", &doc->provider, e) ||
         opt_string(svc, "category", "service.category", &doc->category, e) ||
         opt_string(svc, "ismap", "service.ismap", &doc->ismap, e) ||
         opt_string(svc, "cloud_provider", "service.cloud_provider", &doc->cloud_provider, e) ||
         opt_string(svc, "data_location", "service.data_location", &doc->data_location, e)))
        goto fail;
    if (opt_bool(json, "personal_information", &doc->personal_information, e))
        goto fail;
    if (doc->category && !text_is_blank(doc->category)) {
        const char *const *c = service_categories;
        while (*c && strcmp(*c, doc->category) != 0)
            c++;
        if (!*c) {
            xerr_set(e, X_INVALID,
                     "申請書: service.category \"%s\" は web-conference, sns, search, translation, "
                     "map, generative-ai, hosting, other のいずれかにしてください",
                     doc->category);
            goto fail;
        }
    }
    if (cls) {
        if (only_keys(cls, "classification", cls_keys, e))
            goto fail;
        for (int a = 0; a < AXIS_COUNT; a++) {
            char path[48];
            snprintf(path, sizeof path, "classification.%s", axis_key((enum axis)a));
            json_t *v = json_object_get(cls, axis_key((enum axis)a));
            if (json_is_integer(v)) {
                xerr_set(e, X_INVALID, "申請書: %s は文字列で指定してください（例: \"%d\"）", path,
                         (int)json_integer_value(v));
                goto fail;
            }
            if (opt_string(cls, axis_key((enum axis)a), path, &doc->level[a], e))
                goto fail;
            if (!text_is_blank(doc->level[a]) &&
                !catalogue_level(cat, (enum axis)a, doc->level[a])) {
                xerr_set(e, X_INVALID, "申請書: %s \"%s\" はカタログ %s の%sの格付にありません",
                         path, doc->level[a], cat->id, axis_label((enum axis)a));
                goto fail;
            }
        }
    }
    if (period && (only_keys(period, "period", period_keys, e) ||
                   opt_string(period, "from", "period.from", &doc->period_from, e) ||
                   opt_string(period, "to", "period.to", &doc->period_to, e)))
        goto fail;
    if (appl &&
        (only_keys(appl, "applicant", appl_keys, e) ||
         opt_string(appl, "department", "applicant.department", &doc->applicant_department, e) ||
         opt_string(appl, "name", "applicant.name", &doc->applicant_name, e)))
        goto fail;
    if ((reqs && parse_requirements(doc, reqs, cat, e)) ||
        (risks && parse_risks(doc, risks, cat, e)) ||
        parse_conditions(doc, json_object_get(json, "conditions"), e) ||
        parse_procurement(doc, proc, e))
        goto fail;
    return XOK;
fail:
    document_release(doc);
    return e->code;
}

enum xcode document_parse_text(const char *zText, size_t n, const struct catalogue *cat,
                               struct document *out, struct xerr *e)
{
    memset(out, 0, sizeof *out);
    if (n > DOCUMENT_MAX_BYTES)
        return xerr_set(e, X_TOOLARGE,
                        "申請書: 1 MiB（1048576 バイト）を超えています（%zu バイト）", n);
    if (!utf8_valid(zText, n))
        return xerr_set(e, X_INVALID, "申請書: UTF-8 として正しくない文字が含まれています");
    json_error_t jerr;
    json_t *json = json_loadb(zText, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!json)
        return xerr_set(e, X_INVALID, "申請書: JSON として読めません（%d行目 %d文字目）: %s",
                        jerr.line, jerr.column, jerr.text);
    enum xcode rc = document_parse(json, cat, out, e);
    json_decref(json);
    return rc;
}

void document_release(struct document *doc)
{
    free(doc->answers);
    free(doc->risk_answers);
    free(doc->conditions);
    json_decref(doc->json);
    memset(doc, 0, sizeof *doc);
}

const struct answer *document_answer(const struct document *doc, int no)
{
    struct answer key = {.no = no};
    if (!doc->nAnswers)
        return NULL;
    return bsearch(&key, doc->answers, doc->nAnswers, sizeof key, cmp_answer);
}

const struct risk_answer *document_risk(const struct document *doc, int no)
{
    struct risk_answer key = {.no = no};
    if (!doc->nRiskAnswers)
        return NULL;
    return bsearch(&key, doc->risk_answers, doc->nRiskAnswers, sizeof key, cmp_risk);
}
