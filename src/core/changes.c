/*
 * changes.c - the differences between two request documents; see changes.h.
 */
#include "changes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "document.h"
#include "text.h"

/* The fields compared one by one, in the order the review page shows them. */
static const struct {
    const char *path, *label;
} fields[] = {
    {"service.name", "外部サービスの名称"},
    {"service.function", "機能名"},
    {"service.provider", "外部サービス提供者の名称"},
    {"service.cloud_provider", "クラウドサービスプロバイダー"},
    {"service.data_location", "データの所在地"},
    {"service.category", "外部サービスの種類"},
    {"service.ismap", "ISMAP 登録番号"},
    {"purpose", "利用目的"},
    {"classification.confidentiality", "取り扱う情報の格付（機密性）"},
    {"classification.integrity", "取り扱う情報の格付（完全性）"},
    {"classification.availability", "取り扱う情報の格付（可用性）"},
    {"period.from", "利用開始日"},
    {"period.to", "利用終了日"},
    {"scope", "利用者の範囲"},
    {"personal_information", "個人情報の取扱い"},
    {"procurement.approval_ref", "職務権限規程による審査・利用承認の番号"},
    {"procurement.approved_on", "職務権限規程による利用承認日"},
    {"procurement.vendor_decided_on", "業者決定日"},
};

/* The member at a path of at most two keys ("purpose", "service.name"),
 * or NULL where it is absent, null or a blank string. Borrowed. */
static json_t *member(json_t *doc, const char *path)
{
    char head[32];
    const char *dot = strchr(path, '.');
    json_t *v = doc;
    if (dot) {
        snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
        v = json_object_get(doc, head);
        path = dot + 1;
    }
    v = json_object_get(v, path);
    if (!v || json_is_null(v) || (json_is_string(v) && text_is_blank(json_string_value(v))))
        return NULL;
    return v;
}

/* An answer as the review page compares and shows it: a new reference
 * without carried_over, null or blank members or status "unknown"; NULL
 * where nothing is left (unanswered). *oom is set for want of memory. */
static json_t *answer_shown(json_t *answer, bool *oom)
{
    if (!answer || json_is_null(answer))
        return NULL;
    json_t *copy = json_deep_copy(answer);
    if (!copy) {
        *oom = true;
        return NULL;
    }
    if (!json_is_object(copy))
        return copy; /* not a document's answer; shown as it is */
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(copy, tmp, key, v)
    {
        if (strcmp(key, "carried_over") == 0 || json_is_null(v) ||
            (json_is_string(v) && text_is_blank(json_string_value(v))) ||
            (strcmp(key, "status") == 0 && json_is_string(v) &&
             strcmp(json_string_value(v), "unknown") == 0))
            json_object_del(copy, key);
    }
    if (json_object_size(copy) == 0) {
        json_decref(copy);
        return NULL;
    }
    return copy;
}

/* Append {"field", "label", "before", "after"}; the values are stolen
 * (NULL: null). Sets *oom where it cannot. Every value goes to a *_new
 * call, which releases it on failure too. */
static void append_change(json_t *arr, const char *field, const char *label, json_t *before,
                          json_t *after, bool *oom)
{
    json_t *o = json_object();
    int rc = 0;
    rc |= json_object_set_new(o, "field", json_string(field));
    rc |= json_object_set_new(o, "label", json_string(label));
    rc |= json_object_set_new(o, "before", before ? before : json_null());
    rc |= json_object_set_new(o, "after", after ? after : json_null());
    rc |= json_array_append_new(arr, o);
    if (rc)
        *oom = true;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The item numbers keyed in either object, ascending and once each;
 * the caller frees. NULL with *n 0 where there are none or on *oom. */
static int *item_numbers(json_t *a, json_t *b, size_t *n, bool *oom)
{
    size_t cap = json_object_size(a) + json_object_size(b);
    *n = 0;
    if (cap == 0)
        return NULL;
    int *nos = malloc(cap * sizeof *nos);
    if (!nos) {
        *oom = true;
        return NULL;
    }
    json_t *objs[] = {a, b};
    for (size_t k = 0; k < 2; k++) {
        const char *key;
        json_t *v;
        json_object_foreach(objs[k], key, v)
        {
            int no = document_item_number(key);
            if (no > 0)
                nos[(*n)++] = no;
        }
    }
    qsort(nos, *n, sizeof *nos, cmp_int);
    size_t w = 0;
    for (size_t i = 0; i < *n; i++)
        if (w == 0 || nos[w - 1] != nos[i])
            nos[w++] = nos[i];
    *n = w;
    return nos;
}

/* Append a change for each answer of `key` ("requirements", "risks") that differs. */
static void answer_changes(json_t *arr, json_t *before, json_t *after, const char *key, bool *oom)
{
    json_t *a = json_object_get(before, key), *b = json_object_get(after, key);
    size_t n;
    int *nos = item_numbers(json_is_object(a) ? a : NULL, json_is_object(b) ? b : NULL, &n, oom);
    bool isRisk = strcmp(key, "risks") == 0;
    for (size_t i = 0; i < n && !*oom; i++) {
        char k[16], field[32], label[48];
        snprintf(k, sizeof k, "%d", nos[i]);
        json_t *x = answer_shown(json_object_get(a, k), oom);
        json_t *y = answer_shown(json_object_get(b, k), oom);
        if ((!x && !y) || (x && y && json_equal(x, y))) {
            json_decref(x);
            json_decref(y);
            continue;
        }
        snprintf(field, sizeof field, "%s.%d", key, nos[i]);
        if (!isRisk)
            snprintf(label, sizeof label, "別紙 項番%d", nos[i]);
        else if (*circled_number(nos[i]))
            snprintf(label, sizeof label, "1(4)%s", circled_number(nos[i]));
        else
            snprintf(label, sizeof label, "1(4) リスク%d", nos[i]);
        append_change(arr, field, label, x, y, oom);
    }
    free(nos);
}

/* The conditions as compared: an absent or null list is empty. New reference. */
static json_t *conditions_of(json_t *doc, bool *oom)
{
    json_t *c = json_object_get(doc, "conditions");
    json_t *copy = c && !json_is_null(c) ? json_deep_copy(c) : json_array();
    if (!copy)
        *oom = true;
    return copy;
}

json_t *document_changes(json_t *before, json_t *after)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    bool oom = false;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0] && !oom; i++) {
        json_t *x = member(before, fields[i].path), *y = member(after, fields[i].path);
        if ((!x && !y) || (x && y && json_equal(x, y)))
            continue;
        json_t *cx = x ? json_deep_copy(x) : NULL, *cy = y ? json_deep_copy(y) : NULL;
        if ((x && !cx) || (y && !cy)) {
            json_decref(cx);
            json_decref(cy);
            oom = true;
            break;
        }
        append_change(arr, fields[i].path, fields[i].label, cx, cy, &oom);
    }
    if (!oom) {
        json_t *x = conditions_of(before, &oom), *y = conditions_of(after, &oom);
        if (!oom && !json_equal(x, y))
            append_change(arr, "conditions", "個別の選定条件", x, y, &oom);
        else {
            json_decref(x);
            json_decref(y);
        }
    }
    if (!oom)
        answer_changes(arr, before, after, "requirements", &oom);
    if (!oom)
        answer_changes(arr, before, after, "risks", &oom);
    if (oom) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}
