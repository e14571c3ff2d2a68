/*
 * db.c - db.h over the drivers of db_driver.h: choose a driver by URL,
 * dispatch, and the conveniences every driver shares.
 */
#include "db_driver.h"

#include "audit_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum xcode db_open(const char *url, enum db_open_mode mode, struct db **out, struct xerr *e)
{
    *out = NULL;
    const struct audit_key *key;
    /* The key first: a file others can read stops everything at once. */
    if (audit_key_for(url, &key, e))
        return e->code;
    enum xcode rc = strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0
                        ? db_pg_open(url, mode, out, e)
                        : db_sqlite_open(url, mode, out, e);
    if (!rc && *out) {
        (*out)->audit_key = key;
        (*out)->creating = mode == DB_OPEN_CREATE;
    }
    return rc;
}

const struct audit_key *db_audit_key(const struct db *db)
{
    return db->audit_key;
}

const char *db_url_shown(const char *url, char *buf, size_t n)
{
    const char *scheme = strstr(url, "://");
    const char *user = scheme ? scheme + 3 : NULL;
    const char *at = user ? strchr(user, '@') : NULL;
    const char *slash = user ? strchr(user, '/') : NULL;
    const char *colon = at ? memchr(user, ':', (size_t)(at - user)) : NULL;
    if (!colon || (slash && slash < at))
        snprintf(buf, n, "%s", url);
    else
        snprintf(buf, n, "%.*s%s", (int)(colon - url), url, at);
    return buf;
}

void db_close(struct db *db)
{
    if (db)
        db->drv->close(db);
}

enum db_backend db_backend(const struct db *db)
{
    return db->drv->backend;
}

const char *db_driver_name(const struct db *db)
{
    return db->drv->name;
}

bool db_cheap_snapshots(const struct db *db)
{
    return db->drv->cheap_snapshots;
}

bool db_bigram_fts(const struct db *db)
{
    return db->drv->bigram_fts;
}

enum xcode db_query(struct db *db, struct db_rows **out, const char *sql, const struct db_val *args,
                    int nArgs, struct xerr *e)
{
    return db->drv->query(db, out, sql, args, nArgs, e);
}

enum xcode db_query_stream(struct db *db, struct db_rows **out, const char *sql,
                           const struct db_val *args, int nArgs, struct xerr *e)
{
    if (db->drv->query_stream)
        return db->drv->query_stream(db, out, sql, args, nArgs, e);
    return db_query(db, out, sql, args, nArgs, e);
}

int db_next(struct db_rows *rows, struct xerr *e)
{
    return rows->drv->next(rows, e);
}

bool db_is_null(struct db_rows *rows, int col)
{
    return rows->drv->is_null(rows, col);
}

long long db_int(struct db_rows *rows, int col)
{
    return rows->drv->get_int(rows, col);
}

const char *db_text(struct db_rows *rows, int col)
{
    return rows->drv->get_text(rows, col);
}

char *db_dup(struct db_rows *rows, int col)
{
    if (db_is_null(rows, col))
        return NULL;
    return strdup(db_text(rows, col));
}

void db_done(struct db_rows *rows)
{
    if (rows)
        rows->drv->done(rows);
}

enum xcode db_exec(struct db *db, const char *sql, const struct db_val *args, int nArgs,
                   struct xerr *e)
{
    struct db_rows *rows;
    if (db_query(db, &rows, sql, args, nArgs, e))
        return e->code;
    int rc;
    while ((rc = db_next(rows, e)) == 1)
        ;
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

enum xcode db_script(struct db *db, const char *sql, struct xerr *e)
{
    return db->drv->script(db, sql, e);
}

enum xcode db_one_int(struct db *db, const char *sql, const struct db_val *args, int nArgs,
                      long long *out, bool *found, struct xerr *e)
{
    struct db_rows *rows;
    if (db_query(db, &rows, sql, args, nArgs, e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1)
        *out = db_int(rows, 0);
    if (found)
        *found = rc == 1;
    if (rc == 1) /* drain, so that INSERT ... RETURNING completes */
        while ((rc = db_next(rows, e)) == 1)
            ;
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

/* Inner transactions are savepoints, unless a batch opted out of them
 * (db_batch): then they only count, and one that fails spoils the batch. */
static enum xcode begin(struct db *db, bool write, struct xerr *e)
{
    if (db->depth == 0)
        db->memo[0] = '\0';
    if (db->depth > 0 && db->batch) {
        if (db->depth >= 64)
            return xerr_set(e, X_INTERNAL, "トランザクションの入れ子が深すぎます");
        if (write)
            db->reads &= ~(1ULL << db->depth);
        else
            db->reads |= 1ULL << db->depth;
        db->depth++;
        return XOK;
    }
    enum xcode rc = db->drv->begin(db, write, e);
    if (!rc)
        db->depth++;
    return rc;
}

enum xcode db_begin_write(struct db *db, struct xerr *e)
{
    /* Every write appends to the audit log, which needs the key: refused
     * before anything is touched (a PostgreSQL sequence included), except
     * where the database is being made (init, copy), which makes the key. */
    if (db->depth == 0 && !db->creating && db->audit_key && !db->audit_key->present)
        return audit_key_missing(db->audit_key, e);
    return begin(db, true, e);
}

enum xcode db_begin_read(struct db *db, struct xerr *e)
{
    return begin(db, false, e);
}

static void ended(struct db *db)
{
    if (--db->depth == 0) {
        db->batch = false;
        db->poisoned = false;
        db->before_commit = NULL;
    }
}

enum xcode db_commit(struct db *db, struct xerr *e)
{
    if (db->depth == 0)
        return XOK;
    if (db->depth > 1 && db->batch) {
        db->depth--;
        return XOK;
    }
    if (db->depth == 1) {
        enum xcode rc = db->poisoned
                            ? xerr_set(e, X_STORE, "一括の処理の途中で失敗したため取り消しました")
                        : db->before_commit ? db->before_commit(db, e)
                                            : XOK;
        if (rc) {
            db_rollback(db);
            return rc;
        }
    }
    /* A failed commit leaves its level rolled back, in either driver. */
    enum xcode rc = db->drv->commit(db, e);
    ended(db);
    return rc;
}

void db_rollback(struct db *db)
{
    if (db->depth == 0)
        return;
    if (db->depth > 1 && db->batch) {
        /* Ending a read (db_rollback is how reads end) undoes nothing. */
        if (!(db->reads & (1ULL << (db->depth - 1))))
            db->poisoned = true;
    } else
        db->drv->rollback(db);
    db->memo[0] = '\0';
    ended(db);
}

void db_batch(struct db *db)
{
    if (db->depth > 0)
        db->batch = true;
}

const char *db_memo(const struct db *db)
{
    return db->depth > 0 && db->memo[0] ? db->memo : NULL;
}

void db_memo_set(struct db *db, const char *value)
{
    if (db->depth > 0 && value && strlen(value) < sizeof db->memo)
        snprintf(db->memo, sizeof db->memo, "%s", value);
    else
        db->memo[0] = '\0';
}

bool db_in_transaction(const struct db *db)
{
    return db->depth > 0;
}

void db_before_commit(struct db *db, enum xcode (*fn)(struct db *, struct xerr *))
{
    if (db->depth > 0)
        db->before_commit = fn;
}

enum xcode db_has_table(struct db *db, const char *name, bool *found, struct xerr *e)
{
    return db->drv->has_table(db, name, found, e);
}

enum xcode db_identity_after(struct db *db, const char *table, const char *column, struct xerr *e)
{
    return db->drv->identity_after ? db->drv->identity_after(db, table, column, e) : XOK;
}

/* --- bulk insertion --------------------------------------------------- */

struct db_bulk {
    struct db *db;
    const char *insert;
    bool copying; /* the driver's COPY is open */
    bool failed;
    char *line;
    size_t cap;
};

enum xcode db_bulk_begin(struct db *db, const char *table, const char *columns, const char *insert,
                         struct db_bulk **out, struct xerr *e)
{
    struct db_bulk *b = calloc(1, sizeof *b);
    if (!b)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    b->db = db;
    b->insert = insert;
    if (db->drv->copy_begin) {
        if (db->drv->copy_begin(db, table, columns, e)) {
            free(b);
            return e->code;
        }
        b->copying = true;
    }
    *out = b;
    return XOK;
}

/* Room for `extra` more bytes in the line. */
static bool reserve(struct db_bulk *b, size_t len, size_t extra)
{
    if (len + extra <= b->cap)
        return true;
    size_t cap = (len + extra) * 2;
    char *grown = realloc(b->line, cap);
    if (!grown)
        return false;
    b->line = grown;
    b->cap = cap;
    return true;
}

/* Append one field in COPY's text format: \N for NULL, else the text with
 * backslash, tab, newline and carriage return escaped. */
static bool add_field(struct db_bulk *b, size_t *len, const struct db_val *v)
{
    char digits[24];
    const char *s = v->type == DB_INT ? digits : v->s ? v->s : "";
    if (v->type == DB_INT)
        snprintf(digits, sizeof digits, "%lld", v->i);
    if (!reserve(b, *len, v->type == DB_NULL ? 2 : 2 * strlen(s)))
        return false;
    char *o = b->line + *len;
    if (v->type == DB_NULL) {
        *o++ = '\\';
        *o++ = 'N';
    }
    for (const char *p = v->type == DB_NULL ? "" : s; *p; p++) {
        char c = *p;
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            *o++ = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        *o++ = c;
    }
    *len = (size_t)(o - b->line);
    return true;
}

enum xcode db_bulk_row(struct db_bulk *b, const struct db_val *vals, int n, struct xerr *e)
{
    enum xcode rc;
    if (!b->copying) {
        rc = db_exec(b->db, b->insert, vals, n, e);
    } else {
        size_t len = 0;
        bool ok = true;
        for (int i = 0; ok && i < n; i++) {
            if (i && (ok = reserve(b, len, 1)))
                b->line[len++] = '\t';
            ok = ok && add_field(b, &len, &vals[i]);
        }
        if (ok && (ok = reserve(b, len, 1)))
            b->line[len++] = '\n';
        rc = ok ? b->db->drv->copy_data(b->db, b->line, len, e)
                : xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    b->failed |= rc != XOK;
    return rc;
}

enum xcode db_bulk_end(struct db_bulk *b, struct xerr *e)
{
    if (!b)
        return XOK;
    enum xcode rc = XOK;
    if (b->copying) {
        struct xerr ignored = {0};
        rc = b->db->drv->copy_end(b->db, b->failed, b->failed ? &ignored : e);
        if (b->failed)
            rc = XOK; /* the first error, already in the caller's e, stands */
    }
    free(b->line);
    free(b);
    return rc;
}
