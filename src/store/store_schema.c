/*
 * store_schema.c - the clock, the schema version and the migrations
 * (the queries of store.h, written once for every backend).
 */
#include "store_internal.h"

#include <stdio.h>
#include <time.h>

#include "../core/text.h"
#include "../embedded.h"

void store_now(char *buf)
{
    store_time_in(0, buf);
}

void store_time_in(long long seconds, char *buf)
{
    time_t t = time(NULL) + (time_t)seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* --- schema --------------------------------------------------------- */

static enum xcode schema_version(struct db *db, long long *version, struct xerr *e)
{
    bool found = false;
    *version = 0;
    if (db_has_table(db, "meta", &found, e))
        return e->code;
    if (!found)
        return XOK;
    if (db_one_int(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'",
                   DB_NOARGS, version, &found, e))
        return e->code;
    return XOK;
}

enum xcode store_check_version(struct db *db, struct xerr *e)
{
    long long v;
    if (schema_version(db, &v, e))
        return e->code;
    if (v > SCHEMA_VERSION)
        return xerr_set(e, X_STORE,
                        "このデータベースは新しい版の extsvc（スキーマ %lld）で作られています。"
                        "この extsvc はスキーマ %d までしか扱えません",
                        v, SCHEMA_VERSION);
    if (v == 0)
        return xerr_set(e, X_STORE,
                        "extsvc のデータベースではないか、初期化されていません。extsvc init "
                        "を実行してください");
    if (v < SCHEMA_VERSION)
        return xerr_set(
            e, X_STORE,
            "データベースのスキーマ（%lld）が古いままです。extsvc init で移行してください", v);
    return XOK;
}

#define SEARCH_TEXT_VERSION 4

enum xcode store_migrate(struct db *db, struct xerr *e)
{
    long long v;
    if (schema_version(db, &v, e))
        return e->code;
    if (v > SCHEMA_VERSION)
        return store_check_version(db, e);
    for (int n = (int)v + 1; n <= SCHEMA_VERSION; n++) {
        char name[64];
        snprintf(name, sizeof name, "migrations/%s/%03d.sql", db_driver_name(db), n);
        const struct embedded_file *f = embedded_find(name);
        if (!f)
            return xerr_set(e, X_INTERNAL, "移行スクリプト %s がありません", name);
        if (db_script(db, f->data, e))
            return e->code;
        char value[16];
        snprintf(value, sizeof value, "%d", n);
        if (db_exec(db,
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?1) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    DB_ARGS(DS(value)), e))
            return e->code;
    }
    if (v < SEARCH_TEXT_VERSION && store_reindex_search(db, e))
        return e->code;
    return XOK;
}

/* Run a query and make one JSON value of each row with `row`; *out is the
 * array. The one loop every listing shares. */
enum xcode store_query_array(struct db *db, const char *sql, const struct db_val *args, int nArgs,
                             json_t *(*row)(struct db_rows *rows), json_t **out, struct xerr *e)
{
    struct db_rows *rows;
    if (db_query(db, &rows, sql, args, nArgs, e))
        return e->code;
    json_t *arr = json_array();
    int rc;
    while ((rc = db_next(rows, e)) == 1)
        json_array_append_new(arr, row(rows));
    db_done(rows);
    if (rc < 0) {
        json_decref(arr);
        return e->code;
    }
    *out = arr;
    return XOK;
}

/* Wrap a listing as {key: [...]}, and with "total" where asked. */
enum xcode store_listing(enum xcode rc, const char *key, bool total, json_t *arr, json_t **out)
{
    if (rc)
        return rc;
    *out = total ? json_pack("{s:o, s:I}", key, arr, "total", (json_int_t)json_array_size(arr))
                 : json_pack("{s:o}", key, arr);
    return XOK;
}

char *store_like_pattern(const char *q)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    sbuf_adds(&sb, "%");
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            sbuf_add(&sb, "\\", 1);
        sbuf_add(&sb, p, 1);
    }
    sbuf_adds(&sb, "%");
    return sbuf_detach(&sb);
}
