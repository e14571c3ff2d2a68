/*
 * ismap.c - the ISMAP cloud service list: loaded whole from the published
 * CSV (extsvc ismap import; ciso or admin), and looked up for a request's
 * registration number when it is evaluated (別紙 項番1).
 */
#include <stdio.h>
#include <string.h>

#include "../core/csv_read.h"
#include "../core/date.h"
#include "../core/ismap_list.h"
#include "../core/text.h"
#include "access.h"
#include "internal.h"
#include "workflow.h"

struct list {
    struct ismap_map map;
    bool have_header;
    json_t *issues, *rows, *seen;
};

static bool on_record(char **cells, size_t n, long row, void *arg)
{
    struct list *l = arg;
    if (!l->have_header) {
        l->have_header = true;
        return ismap_header(cells, n, &l->map, l->issues);
    }
    bool blank;
    json_t *o = ismap_row(&l->map, cells, n, row, &blank, l->issues);
    if (!o)
        return json_array_size(l->issues) < 1000;
    const char *number = json_string_value(json_object_get(o, "number"));
    json_t *first = json_object_get(l->seen, number);
    if (first) {
        csv_issue(l->issues, row, l->map.col[ISM_NUMBER] + 1,
                  "登録番号「%s」は %lld 行目にもあります", number,
                  (long long)json_integer_value(first));
        json_decref(o);
        return true;
    }
    json_object_set_new(l->seen, number, json_integer(row));
    json_array_append_new(l->rows, o);
    return true;
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

bool wf_ismap_may_load(const struct user *u)
{
    return has_role(u, ROLE_CISO) || has_role(u, ROLE_ADMIN);
}

enum xcode wf_ismap_status(struct db *db, const struct user *actor, json_t **out, struct xerr *e)
{
    *out = NULL;
    if (!actor)
        return xerr_set(e, X_AUTH, "サインインしてください");
    char today[11];
    date_format(date_today(), today);
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_ismap_status(db, today, out, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_ismap_import(struct db *db, const struct user *actor, const char *data, size_t n,
                           const struct import_options *o, json_t **report, struct xerr *e)
{
    *report = NULL;
    if (!actor)
        return xerr_set(e, X_INVALID, "--as で操作する利用者を指定してください");
    if (!wf_ismap_may_load(actor))
        return xerr_set(e, X_FORBIDDEN,
                        "ISMAP のリストを読み込めるのは統括情報セキュリティ責任者（ciso）と admin "
                        "です");
    struct list l = {.issues = json_array(), .rows = json_array(), .seen = json_object()};
    enum csv_encoding used;
    csv_read(data, n, o->encoding, &used, on_record, &l, l.issues);
    if (!json_array_size(l.issues) && !json_array_size(l.rows))
        csv_issue(l.issues, l.have_header ? 2 : 1, 0, "登録が一件もありません");
    char today[11];
    date_format(date_today(), today);
    json_t *out =
        json_pack("{s:s, s:s, s:b, s:I, s:O, s:s}", "file", o->source ? o->source : "", "encoding",
                  used == CSV_ENC_CP932 ? "cp932" : "utf-8", "dry_run", o->dry_run, "rows",
                  (json_int_t)json_array_size(l.rows), "issues", l.issues, "loaded_on", today);
    if (o->dry_run && !json_array_size(l.issues))
        json_object_set(out, "entries", l.rows); /* as they would be loaded */
    enum xcode rc = XOK;
    if (json_array_size(l.issues)) {
        json_t *first = json_array_get(l.issues, 0);
        rc = xerr_set(
            e, X_INVALID, "%zu 件の誤りがあります（例: %lld 行目: %s）。リストは読み込んでいません",
            json_array_size(l.issues),
            (long long)json_integer_value(json_object_get(first, "line")), str(first, "message"));
    } else if (!o->dry_run && !(rc = db_begin_write(db, e))) {
        size_t i;
        json_t *row;
        rc = store_ismap_clear(db, e);
        json_array_foreach(l.rows, i, row)
        {
            if (rc)
                break;
            rc = store_ismap_insert(db, str(row, "number"), str(row, "service_name"),
                                    str(row, "provider"), str(row, "registered_on"),
                                    str(row, "expires_on"), e);
        }
        if (!rc)
            rc = store_ismap_loaded(db, today, o->source ? o->source : "", e);
        if (!rc) {
            json_t *after =
                json_pack("{s:s, s:I, s:s}", "file", o->source ? o->source : "", "registrations",
                          (json_int_t)json_array_size(l.rows), "loaded_on", today);
            rc = audit_append(db, actor->login, "ismap.load", "ismap", NULL, after, e);
            json_decref(after);
        }
        rc = rc ? (db_rollback(db), rc) : db_commit(db, e);
    }
    json_decref(l.issues);
    json_decref(l.rows);
    json_decref(l.seen);
    *report = out;
    return rc;
}

enum xcode wf_ismap_for(struct db *db, const char *number, struct wf_ismap *out, struct xerr *e)
{
    memset(out, 0, sizeof *out);
    if (!db || text_is_blank(number))
        return XOK;
    if (store_ismap_lookup(db, number, &out->json, e))
        return e->code;
    if (!out->json)
        return XOK;
    out->info.loaded_on = str(out->json, "loaded_on");
    out->info.listed = json_is_true(json_object_get(out->json, "listed"));
    out->info.name = str(out->json, "service_name");
    out->info.expires_on = str(out->json, "expires_on");
    out->have = true;
    return XOK;
}

void wf_ismap_release(struct wf_ismap *w)
{
    json_decref(w->json);
    memset(w, 0, sizeof *w);
}
