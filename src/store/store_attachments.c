/*
 * store_attachments.c - evidence files on requests (schema 13): the list
 * apart from the bytes, which are kept as base64 text.
 */
#include <string.h>

#include "store_internal.h"

enum xcode store_attachment_insert(struct db *db, const struct attachment_row *a,
                                   const char *content_b64, long long *id, struct xerr *e)
{
    bool found;
    if (db_one_int(
            db,
            "INSERT INTO attachments(request_id, item, filename, content_type, size, sha256, "
            "note, uploaded_by, uploaded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
            "RETURNING id",
            DB_ARGS(DI(a->request_id), a->item > 0 ? DI(a->item) : DNULL, DS(a->filename),
                    DS(a->content_type), DI(a->size), DS(a->sha256), DS(a->note ? a->note : ""),
                    DI(a->uploaded_by), DS(a->uploaded_at)),
            id, &found, e))
        return e->code;
    return db_exec(db, "INSERT INTO attachment_data(attachment_id, content) VALUES (?1, ?2)",
                   DB_ARGS(DI(*id), DS(content_b64)), e);
}

static json_t *row_json(struct db_rows *rows)
{
    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)db_int(rows, 0),
        "request", (json_int_t)db_int(rows, 1), "name", db_text(rows, 3), "type", db_text(rows, 4),
        "size", (json_int_t)db_int(rows, 5), "sha256", db_text(rows, 6), "note", db_text(rows, 7),
        "by", db_text(rows, 8), "by_name", db_text(rows, 9), "at", db_text(rows, 10));
    json_object_set_new(o, "item",
                        db_is_null(rows, 2) ? json_null() : json_integer(db_int(rows, 2)));
    return o;
}

#define ATTACHMENT_COLUMNS                                                                         \
    "SELECT a.id, a.request_id, a.item, a.filename, a.content_type, a.size, a.sha256, a.note, "    \
    "u.login, u.name, a.uploaded_at FROM attachments a JOIN users u ON u.id = a.uploaded_by "

/* The rows of `sql` (ATTACHMENT_COLUMNS …) for one id. */
static enum xcode list(struct db *db, const char *sql, long long id, json_t **out, struct xerr *e)
{
    struct db_rows *rows;
    *out = json_array();
    if (db_query(db, &rows, sql, DB_ARGS(DI(id)), e))
        return e->code;
    int rc;
    while ((rc = db_next(rows, e)) == 1)
        json_array_append_new(*out, row_json(rows));
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

enum xcode store_attachments_of(struct db *db, long long request_id, json_t **out, struct xerr *e)
{
    static const char sql[] = ATTACHMENT_COLUMNS "WHERE a.request_id = ?1 ORDER BY a.id";
    return list(db, sql, request_id, out, e);
}

enum xcode store_attachments_of_entry(struct db *db, long long entry_id, json_t **out,
                                      struct xerr *e)
{
    static const char sql[] = ATTACHMENT_COLUMNS
        "JOIN ledger_versions v ON v.request_id = a.request_id WHERE v.entry_id = ?1 ORDER BY a.id";
    return list(db, sql, entry_id, out, e);
}

enum xcode store_attachment_get(struct db *db, long long id, json_t **meta, char **content_b64,
                                struct xerr *e)
{
    struct db_rows *rows;
    *meta = NULL;
    if (content_b64)
        *content_b64 = NULL;
    if (db_query(db, &rows, ATTACHMENT_COLUMNS "WHERE a.id = ?1", DB_ARGS(DI(id)), e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1)
        *meta = row_json(rows);
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (!*meta)
        return xerr_set(e, X_NOTFOUND, "添付ファイル %lld はありません", id);
    if (!content_b64)
        return XOK;
    if (db_query(db, &rows, "SELECT content FROM attachment_data WHERE attachment_id = ?1",
                 DB_ARGS(DI(id)), e))
        goto fail;
    rc = db_next(rows, e);
    if (rc == 1)
        *content_b64 = strdup(db_text(rows, 0));
    db_done(rows);
    if (rc == 1 && *content_b64)
        return XOK;
    if (rc >= 0)
        xerr_set(e, X_STORE, "添付ファイル %lld の中身がありません", id);
fail:
    json_decref(*meta);
    *meta = NULL;
    return e->code;
}
