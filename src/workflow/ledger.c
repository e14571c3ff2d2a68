/*
 * ledger.c - reading the ledger and opening change and retirement requests
 * for its entries; see workflow.h.
 */
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

enum xcode wf_service_list(struct db *db, const struct user *actor, json_t **out, struct xerr *e)
{
    if (access_read_ledger(actor, e))
        return e->code;
    return store_service_list(db, out, e);
}

enum xcode wf_ledger_show(struct db *db, const struct user *actor, long long id, json_t **out,
                          struct xerr *e)
{
    char today[11];
    if (access_read_ledger(actor, e))
        return e->code;
    date_format(date_today(), today);
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_ledger_get(db, id, today, true, out, e);
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
    enum xcode rc = db_query(db, &rows,
                             "SELECT e.id FROM ledger_entries e JOIN ledger_versions v ON "
                             "v.entry_id = e.id AND v.version = e.version WHERE e.retired_on IS "
                             "NULL AND v.period_to >= ?1 AND v.period_to <= ?2 ORDER BY "
                             "v.period_to, e.id",
                             DB_ARGS(DS(zToday), DS(zLimit)), e);
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

/* Open a change or retirement request for `entry`, starting from the
 * document of the request behind its current version. */
static enum xcode open_entry_request(struct db *db, const struct user *actor, long long entry,
                                     const char *kind, const char *date, const char *comment,
                                     long long *id, struct xerr *e)
{
    struct xdate dt;
    if (access_applicant(actor, 0, e))
        return e->code;
    if (!date || !date_parse(date, &dt))
        return xerr_set(e, X_INVALID, "日付 \"%s\" は存在する日付（YYYY-MM-DD）ではありません",
                        date ? date : "");
    struct catalogue cat;
    if (wf_catalogue_current(db, &cat, e))
        return e->code;
    json_t *cur = NULL, *doc = NULL;
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
    if (json_is_string(json_object_get(cur, "retired_on"))) {
        rc = xerr_set(e, X_STATE, "台帳番号 %lld は廃止済みです", entry);
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
    if (strcmp(kind, "change") == 0 && strcmp(date, to) <= 0) {
        rc = xerr_set(e, X_INVALID, "延長後の終了日 %s は現在の終了日 %s より後にしてください",
                      date, to);
        goto fail;
    }
    if (strcmp(kind, "retire") == 0 && strcmp(date, from) < 0) {
        rc = xerr_set(e, X_INVALID, "廃止日 %s は利用開始日 %s 以降にしてください", date, from);
        goto fail;
    }
    if ((rc = store_request_get(
             db, (long long)json_integer_value(json_object_get(cur, "request_id")), &src, e)))
        goto fail;
    doc = json_loads(src.document, 0, NULL);
    if (!doc) {
        rc = xerr_set(e, X_INTERNAL, "申請 #%lld の申請書が読めません", src.id);
        goto fail;
    }
    json_object_set_new(
        doc, "applicant",
        json_pack("{s:s, s:s}", "department", actor->department, "name", actor->name));
    if (strcmp(kind, "change") == 0)
        json_object_set_new(json_object_get(doc, "period"), "to", json_string(date));
    /* Evaluate against the catalogue in force: an extension is judged by
     * today's standard. */
    struct document d;
    struct evaluation ev;
    if ((rc = document_parse(doc, &cat, &d, e))) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        rc = xerr_set(e, X_STATE, "現在のカタログ（%s）では台帳番号 %lld の申請書を読めません: %s",
                      cat.id, entry, why);
        goto fail;
    }
    rc = evaluate_request(req_kind_parse(kind), &d, &cat, &ev, e);
    document_release(&d);
    if (rc)
        goto fail;
    json_t *evj = evaluation_to_json(&ev);
    docText = json_dumps(doc, JSON_COMPACT);
    evText = json_dumps(evj, JSON_COMPACT);
    json_decref(evj);
    struct request_row r = {.kind = (char *)kind,
                            .state = "draft",
                            .department_id = dept,
                            .service_id = src.service_id,
                            .entry_id = entry,
                            .catalogue_id = (char *)cat.id,
                            .document = docText,
                            .evaluation = evText,
                            .approvable = ev.approvable,
                            .change_to = strcmp(kind, "change") == 0 ? (char *)date : NULL,
                            .retire_on = strcmp(kind, "retire") == 0 ? (char *)date : NULL,
                            .created_by = actor->id,
                            .created_at = now};
    evaluation_release(&ev);
    if ((rc = wf_insert_request(db, actor, &r, comment, e)))
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
    return open_entry_request(db, actor, entry, "change", to, comment, id, e);
}

enum xcode wf_ledger_retire(struct db *db, const struct user *actor, long long entry,
                            const char *on, const char *comment, long long *id, struct xerr *e)
{
    return open_entry_request(db, actor, entry, "retire", on, comment, id, e);
}

enum xcode wf_overview(struct db *db, const struct user *actor, json_t **out, struct xerr *e)
{
    char today[11];
    if (access_overview(actor, e))
        return e->code;
    date_format(date_today(), today);
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_overview(db, today, out, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_department_list(struct db *db, const struct user *actor, json_t **out, struct xerr *e)
{
    if (access_read_ledger(actor, e))
        return e->code;
    return store_department_list(db, out, e);
}
