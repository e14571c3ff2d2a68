/*
 * store_read_cache.c - what the entry read keeps ready (schema 9): each
 * entry's JSON less its state (ledger_json), the flag that says rows are
 * missing, and the count of credential changes (meta 'cred_gen'). The
 * triggers of migration 009 delete a row when what it was made from
 * changes and count every change to users, departments and tokens.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum xcode store_entry_json_get(struct db *db, long long id, const char *today, char state[16],
                                char **body, struct xerr *e)
{
    struct db_rows *rows;
    *body = NULL;
    if (db_query(db, &rows,
                 "SELECT " STATE_CASE("j.retired_on", "j.period_from",
                                      "j.period_to") ", j.body "
                                                     "FROM ledger_json j WHERE j.entry_id = ?2",
                 DB_ARGS(DS(today), DI(id)), e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1) {
        snprintf(state, 16, "%s", db_text(rows, 0));
        *body = strdup(db_text(rows, 1));
    }
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (rc == 0)
        return xerr_set(e, X_NOTFOUND, "台帳番号 %lld の応答はまだ作られていません", id);
    if (!*body)
        return xerr_set(e, X_INTERNAL, "メモリが足りません");
    return XOK;
}

enum xcode store_entry_json_put(struct db *db, long long id, const char *period_from,
                                const char *period_to, const char *retired_on, const char *body,
                                struct xerr *e)
{
    return db_exec(db,
                   "INSERT INTO ledger_json(entry_id, period_from, period_to, retired_on, body) "
                   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(entry_id) DO UPDATE SET "
                   "period_from = excluded.period_from, period_to = excluded.period_to, "
                   "retired_on = excluded.retired_on, body = excluded.body",
                   DB_ARGS(DI(id), DS(period_from), DS(period_to),
                           retired_on ? DS(retired_on) : DNULL, DS(body)),
                   e);
}

enum xcode store_entry_json_missing(struct db *db, long long *ids, int max, int *n, struct xerr *e)
{
    struct db_rows *rows;
    *n = 0;
    if (db_query(db, &rows,
                 "SELECT e.id FROM ledger_entries e "
                 "WHERE NOT EXISTS (SELECT 1 FROM ledger_json j WHERE j.entry_id = e.id) "
                 "ORDER BY e.id LIMIT ?1",
                 DB_ARGS(DI(max)), e))
        return e->code;
    int rc = 0;
    while (*n < max && (rc = db_next(rows, e)) == 1)
        ids[(*n)++] = db_int(rows, 0);
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

static enum xcode meta_int(struct db *db, const char *key, long long *out, struct xerr *e)
{
    *out = 0;
    return db_one_int(db, "SELECT CAST(value AS BIGINT) FROM meta WHERE key = ?1", DB_ARGS(DS(key)),
                      out, NULL, e);
}

enum xcode store_entry_json_stale(struct db *db, bool *stale, struct xerr *e)
{
    long long v;
    if (meta_int(db, "ledger_json_stale", &v, e))
        return e->code;
    *stale = v != 0;
    return XOK;
}

enum xcode store_entry_json_fresh(struct db *db, struct xerr *e)
{
    return db_exec(db, "UPDATE meta SET value = '0' WHERE key = 'ledger_json_stale'", DB_NOARGS, e);
}

enum xcode store_cred_gen(struct db *db, long long *gen, struct xerr *e)
{
    return meta_int(db, "cred_gen", gen, e);
}
