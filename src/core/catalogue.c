/*
 * catalogue.c - parse and validate a catalogue document; see catalogue.h.
 */
#include "catalogue.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char *const axis_keys[AXIS_COUNT] = {"confidentiality", "integrity", "availability"};

const char *axis_key(enum axis axis)
{
    return axis_keys[axis];
}

const char *axis_label(enum axis axis)
{
    static const char *const labels[AXIS_COUNT] = {"機密性", "完全性", "可用性"};
    return labels[axis];
}

const char *req_level_name(enum req_level level)
{
    static const char *const names[] = {"mandatory", "recommended", "optional"};
    return names[level];
}

const char *req_level_label(enum req_level level)
{
    static const char *const labels[] = {"必須", "推奨", "任意"};
    return labels[level];
}

const char *circled_number(int n)
{
    static const char *const c[] = {"", "①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨", "⑩", "⑪", "⑫"};
    return n >= 1 && n <= 12 ? c[n] : "";
}

/* Check that `obj` has only the keys listed (NULL-terminated). */
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
            return xerr_set(e, X_INVALID, "カタログ: %s に未知のキー \"%s\" があります", where,
                            key);
    }
    return XOK;
}

static const char *get_text(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) && !text_is_blank(json_string_value(v)) ? json_string_value(v) : NULL;
}

static enum xcode parse_levels(struct catalogue *cat, json_t *cls, enum axis axis, struct xerr *e)
{
    static const char *const keys[] = {"level", "rank", "definition", NULL};
    json_t *arr = json_object_get(cls, axis_keys[axis]);
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return xerr_set(e, X_INVALID, "カタログ: classification.%s がありません", axis_keys[axis]);
    size_t n = json_array_size(arr);
    cat->levels[axis] = calloc(n, sizeof *cat->levels[axis]);
    if (!cat->levels[axis])
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    cat->nLevels[axis] = n;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(arr, i);
        if (!json_is_object(it) || only_keys(it, "classification", keys, e))
            return e->code ? e->code
                           : xerr_set(e, X_INVALID, "カタログ: classification.%s[%zu] が不正です",
                                      axis_keys[axis], i);
        struct class_level *lv = &cat->levels[axis][i];
        lv->level = get_text(it, "level");
        lv->definition = get_text(it, "definition");
        json_t *rank = json_object_get(it, "rank");
        if (!lv->level || !lv->definition || !json_is_integer(rank))
            return xerr_set(
                e, X_INVALID,
                "カタログ: classification.%s[%zu] に level, rank, definition が必要です",
                axis_keys[axis], i);
        lv->rank = (int)json_integer_value(rank);
        for (size_t j = 0; j < i; j++)
            if (strcmp(cat->levels[axis][j].level, lv->level) == 0 ||
                cat->levels[axis][j].rank == lv->rank)
                return xerr_set(e, X_INVALID, "カタログ: %s の格付 \"%s\" が重複しています",
                                axis_label(axis), lv->level);
    }
    return XOK;
}

static enum xcode parse_requirements(struct catalogue *cat, json_t *arr, struct xerr *e)
{
    static const char *const keys[] = {"no", "clause", "category", "text", "level", "topic", NULL};
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return xerr_set(e, X_INVALID, "カタログ: requirements がありません");
    size_t n = json_array_size(arr);
    cat->reqs = calloc(n, sizeof *cat->reqs);
    if (!cat->reqs)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    cat->nReqs = n;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(arr, i);
        if (!json_is_object(it))
            return xerr_set(e, X_INVALID, "カタログ: requirements[%zu] が不正です", i);
        if (only_keys(it, "requirements", keys, e))
            return e->code;
        struct requirement *r = &cat->reqs[i];
        json_t *no = json_object_get(it, "no");
        const char *level = get_text(it, "level");
        r->clause = get_text(it, "clause");
        r->category = get_text(it, "category");
        r->text = get_text(it, "text");
        r->topic = get_text(it, "topic");
        if (json_object_get(it, "topic") && !r->topic)
            return xerr_set(e, X_INVALID, "カタログ: requirements[%zu] の topic は文字列です", i);
        if (!json_is_integer(no) || json_integer_value(no) < 1 || json_integer_value(no) > 9999 ||
            !r->clause || !r->category || !r->text || !level)
            return xerr_set(e, X_INVALID,
                            "カタログ: requirements[%zu] に no, clause, category, text, level "
                            "が必要です",
                            i);
        r->no = (int)json_integer_value(no);
        if (strcmp(level, "mandatory") == 0)
            r->level = REQ_MANDATORY;
        else if (strcmp(level, "recommended") == 0)
            r->level = REQ_RECOMMENDED;
        else if (strcmp(level, "optional") == 0)
            r->level = REQ_OPTIONAL;
        else
            return xerr_set(e, X_INVALID, "カタログ: 項番%d の level \"%s\" が不正です", r->no,
                            level);
        for (size_t j = 0; j < i; j++)
            if (cat->reqs[j].no == r->no)
                return xerr_set(e, X_INVALID, "カタログ: 項番%d が重複しています", r->no);
    }
    return XOK;
}

static enum xcode parse_risks(struct catalogue *cat, json_t *arr, struct xerr *e)
{
    static const char *const keys[] = {"no", "text", NULL};
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return xerr_set(e, X_INVALID, "カタログ: risks がありません");
    size_t n = json_array_size(arr);
    cat->risks = calloc(n, sizeof *cat->risks);
    if (!cat->risks)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    cat->nRisks = n;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(arr, i);
        if (!json_is_object(it))
            return xerr_set(e, X_INVALID, "カタログ: risks[%zu] が不正です", i);
        if (only_keys(it, "risks", keys, e))
            return e->code;
        json_t *no = json_object_get(it, "no");
        cat->risks[i].text = get_text(it, "text");
        if (!json_is_integer(no) || json_integer_value(no) < 1 || json_integer_value(no) > 9999 ||
            !cat->risks[i].text)
            return xerr_set(e, X_INVALID, "カタログ: risks[%zu] に no と text が必要です", i);
        cat->risks[i].no = (int)json_integer_value(no);
        for (size_t j = 0; j < i; j++)
            if (cat->risks[j].no == cat->risks[i].no)
                return xerr_set(e, X_INVALID, "カタログ: リスク%d が重複しています",
                                cat->risks[i].no);
    }
    return XOK;
}

enum xcode catalogue_parse(json_t *doc, struct catalogue *out, struct xerr *e)
{
    static const char *const top[] = {"id",           "title", "effective", "classification",
                                      "requirements", "risks", NULL};
    static const char *const cls_keys[] = {"threshold", "confidentiality", "integrity",
                                           "availability", NULL};
    memset(out, 0, sizeof *out);
    if (!json_is_object(doc))
        return xerr_set(e, X_INVALID, "カタログ: JSON オブジェクトではありません");
    out->json = json_incref(doc);
    enum xcode rc;
    if ((rc = only_keys(doc, "トップレベル", top, e)))
        goto fail;
    out->id = get_text(doc, "id");
    out->title = get_text(doc, "title");
    out->effective = get_text(doc, "effective");
    if (!out->id || !out->title || !out->effective) {
        rc = xerr_set(e, X_INVALID, "カタログ: id, title, effective が必要です");
        goto fail;
    }
    if (strlen(out->id) > 64) {
        rc = xerr_set(e, X_INVALID, "カタログ: id が長すぎます");
        goto fail;
    }
    json_t *cls = json_object_get(doc, "classification");
    if (!json_is_object(cls)) {
        rc = xerr_set(e, X_INVALID, "カタログ: classification がありません");
        goto fail;
    }
    if ((rc = only_keys(cls, "classification", cls_keys, e)))
        goto fail;
    for (int a = 0; a < AXIS_COUNT; a++)
        if ((rc = parse_levels(out, cls, (enum axis)a, e)))
            goto fail;
    out->threshold = get_text(cls, "threshold");
    if (!out->threshold || !catalogue_level(out, AXIS_CONFIDENTIALITY, out->threshold)) {
        rc = xerr_set(
            e, X_INVALID,
            "カタログ: classification.threshold は機密性の格付のいずれかである必要があります");
        goto fail;
    }
    if ((rc = parse_requirements(out, json_object_get(doc, "requirements"), e)))
        goto fail;
    if ((rc = parse_risks(out, json_object_get(doc, "risks"), e)))
        goto fail;
    return XOK;
fail:
    catalogue_release(out);
    return rc;
}

enum xcode catalogue_parse_text(const char *zText, size_t n, struct catalogue *out, struct xerr *e)
{
    if (n > 4u << 20)
        return xerr_set(e, X_TOOLARGE, "カタログ: 4 MiB を超えています");
    json_error_t jerr;
    json_t *doc = json_loadb(zText, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return xerr_set(e, X_INVALID, "カタログ: JSON として読めません（%d行目）: %s", jerr.line,
                        jerr.text);
    enum xcode rc = catalogue_parse(doc, out, e);
    json_decref(doc);
    return rc;
}

void catalogue_release(struct catalogue *cat)
{
    for (int a = 0; a < AXIS_COUNT; a++)
        free(cat->levels[a]);
    free(cat->reqs);
    free(cat->risks);
    json_decref(cat->json);
    memset(cat, 0, sizeof *cat);
}

const struct class_level *catalogue_level(const struct catalogue *cat, enum axis axis,
                                          const char *level)
{
    for (size_t i = 0; level && i < cat->nLevels[axis]; i++)
        if (strcmp(cat->levels[axis][i].level, level) == 0)
            return &cat->levels[axis][i];
    return NULL;
}

const struct requirement *catalogue_requirement(const struct catalogue *cat, int no)
{
    for (size_t i = 0; i < cat->nReqs; i++)
        if (cat->reqs[i].no == no)
            return &cat->reqs[i];
    return NULL;
}

const struct risk *catalogue_risk(const struct catalogue *cat, int no)
{
    for (size_t i = 0; i < cat->nRisks; i++)
        if (cat->risks[i].no == no)
            return &cat->risks[i];
    return NULL;
}

enum xcode catalogue_copy(const struct catalogue *src, struct catalogue *dst, struct xerr *e)
{
    *dst = *src;
    for (int a = 0; a < AXIS_COUNT; a++)
        dst->levels[a] = NULL;
    dst->reqs = NULL;
    dst->risks = NULL;
    dst->json = json_incref(src->json);
    for (int a = 0; a < AXIS_COUNT; a++) {
        dst->levels[a] = malloc(src->nLevels[a] * sizeof *src->levels[a]);
        if (!dst->levels[a])
            goto oom;
        memcpy(dst->levels[a], src->levels[a], src->nLevels[a] * sizeof *src->levels[a]);
    }
    dst->reqs = malloc(src->nReqs * sizeof *src->reqs);
    dst->risks = malloc(src->nRisks * sizeof *src->risks);
    if (!dst->reqs || !dst->risks)
        goto oom;
    memcpy(dst->reqs, src->reqs, src->nReqs * sizeof *src->reqs);
    memcpy(dst->risks, src->risks, src->nRisks * sizeof *src->risks);
    return XOK;
oom:
    catalogue_release(dst);
    return xerr_set(e, X_INTERNAL, "メモリが不足しています");
}

const struct requirement *catalogue_topic(const struct catalogue *cat, const char *topic)
{
    for (size_t i = 0; i < cat->nReqs; i++)
        if (cat->reqs[i].topic && strcmp(cat->reqs[i].topic, topic) == 0)
            return &cat->reqs[i];
    /* A catalogue loaded before topics were given (a database made before
     * schema 12 keeps its copy): the requirement that names ISMAP. */
    for (size_t i = 0; strcmp(topic, "ismap") == 0 && i < cat->nReqs; i++)
        if (strstr(cat->reqs[i].text, "ISMAP"))
            return &cat->reqs[i];
    return NULL;
}
