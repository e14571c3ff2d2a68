/*
 * ledger.c - reading the ledger and opening change and retirement requests
 * for its entries; see workflow.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/date.h"
#include "../core/document.h"
#include "../core/evaluate.h"
#include "../core/text.h"
#include "access.h"
#include "internal.h"
#include "workflow.h"

/* Check a ledger query and fix its day; X_OK or an error. */
static enum xcode ledger_query_check(const struct user *actor, struct ledger_query *q,
                                     struct xerr *e)
{
    if (access_read_ledger(actor, e))
        return e->code;
    if (q->state && entry_state_parse(q->state) < 0)
        return xerr_set(e, X_INVALID,
                        "状態 \"%s\" は active（利用中）, expired（期間満了）, "
                        "retired（廃止）のいずれかにしてください",
                        q->state);
    if (q->state)
        q->state = entry_state_name((enum entry_state)entry_state_parse(q->state));
    if (q->q && !utf8_valid(q->q, strlen(q->q)))
        return xerr_set(e, X_INVALID, "検索語に UTF-8 として正しくない文字が含まれています");
    for (const char *p = q->q; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            return xerr_set(e, X_INVALID, "検索語に制御文字は使えません");
    if (q->q && text_is_blank(q->q))
        q->q = NULL;
    if (q->limit < 0 || q->offset < 0)
        return xerr_set(e, X_INVALID, "limit と offset は 0 以上にしてください");
    date_format(date_today(), q->today);
    return XOK;
}

enum xcode wf_ledger_list(struct db *db, const struct user *actor, struct ledger_query *q,
                          json_t **out, struct xerr *e)
{
    if (ledger_query_check(actor, q, e) || db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_ledger_list(db, q, out, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_ledger_each(struct db *db, const struct user *actor, struct ledger_query *q,
                          bool (*fn)(json_t *entry, void *arg), void *arg, struct xerr *e)
{
    if (ledger_query_check(actor, q, e) || db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_ledger_each(db, q, fn, arg, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_service_list(struct db *db, const struct user *actor, const struct service_query *q,
                           json_t **out, struct xerr *e)
{
    if (access_read_ledger(actor, e))
        return e->code;
    if (q->limit < 1 || q->limit > 1000 || q->offset < 0)
        return xerr_set(e, X_INVALID, "limit は 1〜1000、offset は 0 以上です");
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_service_list(db, q, out, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_ledger_expiring(struct db *db, const struct user *actor, int days, json_t **out,
                              struct xerr *e)
{
    if (access_read_ledger(actor, e))
        return e->code;
    struct xdate today = date_today();
    char zToday[11], zLimit[11];
    date_format(today, zToday);
    struct xdate lim = date_add_days(today, days);
    date_format(lim, zLimit);
    struct db_rows *rows;
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_ledger_ending(db, zToday, zLimit, &rows, e);
    if (rc) {
        db_rollback(db);
        return rc;
    }
    json_t *arr = json_array();
    int step;
    while ((step = db_next(rows, e)) == 1) {
        json_t *entry;
        long long id = db_int(rows, 0);
        if (store_ledger_get(db, id, zToday, false, &entry, e) == XOK)
            json_array_append_new(arr, entry);
    }
    db_done(rows);
    db_rollback(db);
    if (step < 0) {
        json_decref(arr);
        return e->code;
    }
    *out = json_pack("{s:o, s:I, s:s}", "entries", arr, "total", (json_int_t)json_array_size(arr),
                     "until", zLimit);
    return XOK;
}

/* Merge `patch` (a request document, possibly partial) into `base`: its
 * top-level keys replace the base's, and the keys of an object-valued
 * member (service, classification, period, procurement, requirements,
 * risks) replace those of the base's member one by one. */
static void merge_document(json_t *base, json_t *patch)
{
    const char *key;
    json_t *v;
    json_object_foreach(patch, key, v)
    {
        json_t *old = json_object_get(base, key);
        if (json_is_object(v) && json_is_object(old))
            json_object_update(old, v);
        else
            json_object_set(base, key, v);
    }
}

/* How a request for an entry is opened: extend (period.to), retire (on a
 * date) or change (a whole or partial document). */
struct entry_request {
    const char *kind; /* "change" or "retire" */
    const char *date; /* extend: new end; retire: the day it ends; else NULL */
    json_t *patch;    /* change: the document sent, else NULL */
    const char *comment;
};

/* Open a change or retirement request for `entry`, starting from the
 * document of the request behind its current version. Where that was
 * approved under an older catalogue, the document is moved to the one in
 * force: answers to unchanged items carry over, new or changed items start
 * unanswered, and the evaluation lists them (catalogue-revised). */
static enum xcode open_entry_request(struct db *db, const struct user *actor, long long entry,
                                     const struct entry_request *er, long long *id, struct xerr *e)
{
    struct xdate dt;
    const char *kind = er->kind, *date = er->date;
    if (access_applicant(actor, 0, e))
        return e->code;
    if (!er->patch && (!date || !date_parse(date, &dt)))
        return xerr_set(e, X_INVALID, "日付 \"%s\" は存在する日付（YYYY-MM-DD）ではありません",
                        date ? date : "");
    struct catalogue cat;
    if (wf_catalogue_current(db, &cat, e))
        return e->code;
    json_t *cur = NULL, *doc = NULL, *moved = NULL;
    struct request_row src;
    memset(&src, 0, sizeof src);
    char *docText = NULL, *evText = NULL;
    char today[11], now[21];
    date_format(date_today(), today);
    store_now(now);
    enum xcode rc = db_begin_write(db, e);
    if (rc) {
        catalogue_release(&cat);
        return rc;
    }
    if ((rc = store_ledger_get(db, entry, today, false, &cur, e)))
        goto fail;
    long long dept = 0, open = 0;
    if ((rc = db_one_int(db, "SELECT department_id FROM ledger_entries WHERE id = ?1",
                         DB_ARGS(DI(entry)), &dept, NULL, e)) ||
        (rc = access_applicant(actor, dept, e)))
        goto fail;
    const char *retired_on = json_string_value(json_object_get(cur, "retired_on"));
    if (retired_on) {
        rc = xerr_set(e, X_STATE, "台帳番号 %lld は%s（%s）です", entry,
                      strcmp(retired_on, today) <= 0 ? "廃止済み" : "廃止予定", retired_on);
        goto fail;
    }
    if ((rc = store_request_open_for_entry(db, entry, &open, e)))
        goto fail;
    if (open) {
        rc = xerr_set(e, X_STATE, "台帳番号 %lld には処理中の申請 #%lld があります", entry, open);
        goto fail;
    }
    const char *from = json_string_value(json_object_get(json_object_get(cur, "period"), "from"));
    const char *to = json_string_value(json_object_get(json_object_get(cur, "period"), "to"));
    if (!er->patch && strcmp(kind, "change") == 0 && strcmp(date, to) <= 0) {
        rc = xerr_set(e, X_INVALID, "延長後の終了日 %s は現在の終了日 %s より後にしてください",
                      date, to);
        goto fail;
    }
    if (strcmp(kind, "retire") == 0 && strcmp(date, from) < 0) {
        rc = xerr_set(e, X_INVALID, "廃止日 %s は利用開始日 %s 以降にしてください", date, from);
        goto fail;
    }
    if ((rc = wf_entry_document(db, entry, &src, e)))
        goto fail;
    doc = json_loads(src.document, 0, NULL);
    if (!doc) {
        rc = xerr_set(e, X_INTERNAL, "申請 #%lld の申請書が読めません", src.id);
        goto fail;
    }
    /* Judged by the standard in force: move the document to it. */
    const char *rebased_from = NULL;
    if (strcmp(src.catalogue_id, cat.id) != 0) {
        if ((rc = wf_rebase(db, doc, src.catalogue_id, &cat, &moved, e)))
            goto fail;
        json_decref(doc);
        doc = moved;
        moved = NULL;
        rebased_from = src.rebased_from ? src.rebased_from : src.catalogue_id;
    }
    json_t *svc = json_deep_copy(json_object_get(doc, "service"));
    if (er->patch)
        merge_document(doc, er->patch);
    json_object_set_new(
        doc, "applicant",
        json_pack("{s:s, s:s}", "department", actor->department, "name", actor->name));
    if (er->patch) {
        /* A change keeps the service of its entry. */
        json_t *ns = json_object_get(doc, "service");
        bool same = json_equal(json_object_get(svc, "name"), json_object_get(ns, "name")) &&
                    json_equal(json_object_get(svc, "provider"), json_object_get(ns, "provider"));
        if (!same) {
            json_decref(svc);
            rc = xerr_set(e, X_INVALID,
                          "変更の申請では外部サービスの名称と提供者は変えられません（新規に申請し"
                          "てください）");
            goto fail;
        }
    } else if (strcmp(kind, "change") == 0) {
        json_object_set_new(json_object_get(doc, "period"), "to", json_string(date));
    }
    json_decref(svc);
    docText = json_dumps(doc, JSON_COMPACT);
    /* The merged document must be a valid one of the catalogue in force. */
    struct document d;
    if ((rc = document_parse_text(docText, strlen(docText), &cat, &d, e)))
        goto fail;
    struct xdate day;
    if (!text_is_blank(d.period_from) && !date_parse(d.period_from, &day))
        rc = xerr_set(e, X_INVALID, "申請書: period.from \"%s\" は存在する日付ではありません",
                      d.period_from);
    else if (!text_is_blank(d.period_to) && !date_parse(d.period_to, &day))
        rc = xerr_set(e, X_INVALID, "申請書: period.to \"%s\" は存在する日付ではありません",
                      d.period_to);
    const char *new_to = d.period_to && strcmp(d.period_to, to) != 0 ? d.period_to : NULL;
    char change_to[11] = "";
    if (new_to)
        snprintf(change_to, sizeof change_to, "%s", new_to);
    document_release(&d);
    if (rc)
        goto fail;
    struct stored_eval se;
    if ((rc = wf_evaluate_stored(db, kind, cat.id, rebased_from, entry, docText, NULL, &se, e)))
        goto fail;
    json_t *evj = evaluation_to_json(&se.ev);
    evText = json_dumps(evj, JSON_COMPACT);
    json_decref(evj);
    bool approvable = se.ev.approvable;
    stored_eval_release(&se);
    struct request_row r = {.kind = (char *)kind,
                            .state = "draft",
                            .department_id = dept,
                            .service_id = src.service_id,
                            .entry_id = entry,
                            .catalogue_id = (char *)cat.id,
                            .rebased_from = (char *)rebased_from,
                            .document = docText,
                            .evaluation = evText,
                            .approvable = approvable,
                            .change_to =
                                strcmp(kind, "change") == 0 && change_to[0] ? change_to : NULL,
                            .retire_on = strcmp(kind, "retire") == 0 ? (char *)date : NULL,
                            .created_by = actor->id,
                            .created_at = now};
    if ((rc = wf_insert_request(db, actor, &r, er->comment, e)))
        goto fail;
    *id = r.id;
    rc = db_commit(db, e);
    goto out;
fail:
    db_rollback(db);
out:
    free(docText);
    free(evText);
    json_decref(doc);
    json_decref(cur);
    request_row_release(&src);
    catalogue_release(&cat);
    return rc;
}

enum xcode wf_ledger_extend(struct db *db, const struct user *actor, long long entry,
                            const char *to, const char *comment, long long *id, struct xerr *e)
{
    struct entry_request er = {"change", to, NULL, comment};
    return open_entry_request(db, actor, entry, &er, id, e);
}

enum xcode wf_ledger_retire(struct db *db, const struct user *actor, long long entry,
                            const char *on, const char *comment, long long *id, struct xerr *e)
{
    struct entry_request er = {"retire", on, NULL, comment};
    return open_entry_request(db, actor, entry, &er, id, e);
}

enum xcode wf_ledger_change(struct db *db, const struct user *actor, long long entry,
                            const char *text, size_t n, long long *id, struct xerr *e)
{
    if (n > DOCUMENT_MAX_BYTES)
        return xerr_set(e, X_TOOLARGE, "申請書が大きすぎます（%u バイトまで）", DOCUMENT_MAX_BYTES);
    if (!utf8_valid(text, n))
        return xerr_set(e, X_INVALID, "申請書に UTF-8 として正しくない文字が含まれています");
    json_error_t je;
    json_t *patch = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!patch)
        return xerr_set(e, X_INVALID, "申請書の JSON を読めません（%d 行 %d 列: %s）", je.line,
                        je.column, je.text);
    if (!json_is_object(patch)) {
        json_decref(patch);
        return xerr_set(e, X_INVALID, "申請書は JSON のオブジェクトにしてください");
    }
    struct entry_request er = {"change", NULL, patch, NULL};
    enum xcode rc = open_entry_request(db, actor, entry, &er, id, e);
    json_decref(patch);
    return rc;
}

/* The overview counts every entry (130 ms at 100,000 on SQLite), and every
 * dashboard shows it: kept per process until the day or the audit log's
 * head changes. Every write appends to the audit log in its transaction,
 * so a new head means something changed, in whichever process wrote it. */
static pthread_mutex_t g_overview_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_overview_key[128];
static json_t *g_overview;

enum xcode wf_overview(struct db *db, const struct user *actor, json_t **out, struct xerr *e)
{
    char today[11], head[96], key[128];
    if (access_overview(actor, e))
        return e->code;
    date_format(date_today(), today);
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = audit_head(db, head, e);
    snprintf(key, sizeof key, "%s %s", today, head);
    *out = NULL;
    if (!rc) {
        pthread_mutex_lock(&g_overview_lock);
        if (g_overview && strcmp(key, g_overview_key) == 0)
            *out = json_deep_copy(g_overview);
        pthread_mutex_unlock(&g_overview_lock);
    }
    if (!rc && !*out && !(rc = store_overview(db, today, out, e))) {
        pthread_mutex_lock(&g_overview_lock);
        json_decref(g_overview);
        g_overview = json_deep_copy(*out);
        snprintf(g_overview_key, sizeof g_overview_key, "%s", key);
        pthread_mutex_unlock(&g_overview_lock);
    }
    db_rollback(db);
    return rc;
}

enum xcode wf_department_list(struct db *db, const struct user *actor, json_t **out, struct xerr *e)
{
    if (access_read_ledger(actor, e))
        return e->code;
    return store_department_list(db, out, e);
}
