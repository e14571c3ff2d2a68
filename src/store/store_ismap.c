/*
 * store_ismap.c - the ISMAP cloud service list as last loaded (schema 12).
 */
#include <string.h>

#include "store_internal.h"

enum xcode store_ismap_clear(struct db *db, struct xerr *e)
{
    return db_exec(db, "DELETE FROM ismap_services", DB_NOARGS, e);
}

enum xcode store_ismap_insert(struct db *db, const char *number, const char *service_name,
                              const char *provider, const char *registered_on,
                              const char *expires_on, struct xerr *e)
{
    return db_exec(
        db,
        "INSERT INTO ismap_services(number, service_name, provider, registered_on, "
        "expires_on) VALUES (?1, ?2, ?3, ?4, ?5)",
        DB_ARGS(DS(number), DS(service_name), DS(provider), DS(registered_on), DS(expires_on)), e);
}

enum xcode store_ismap_loaded(struct db *db, const char *day, const char *source, struct xerr *e)
{
    static const char sql[] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
                              "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    if (db_exec(db, sql, DB_ARGS(DS("ismap_loaded_on"), DS(day)), e) ||
        db_exec(db, sql, DB_ARGS(DS("ismap_source"), DS(source)), e))
        return e->code;
    return XOK;
}

enum xcode store_ismap_lookup(struct db *db, const char *number, json_t **out, struct xerr *e)
{
    struct db_rows *rows;
    *out = NULL;
    if (db_query(db, &rows, "SELECT value FROM meta WHERE key = 'ismap_loaded_on'", DB_NOARGS, e))
        return e->code;
    int rc = db_next(rows, e);
    json_t *o =
        rc == 1 ? json_pack("{s:s, s:b}", "loaded_on", db_text(rows, 0), "listed", 0) : NULL;
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (!o)
        return XOK; /* no list loaded */
    if (db_query(db, &rows,
                 "SELECT service_name, provider, registered_on, expires_on FROM ismap_services "
                 "WHERE number = ?1",
                 DB_ARGS(DS(number)), e)) {
        json_decref(o);
        return e->code;
    }
    if ((rc = db_next(rows, e)) == 1) {
        json_object_set_new(o, "listed", json_true());
        json_object_set_new(o, "service_name", json_string(db_text(rows, 0)));
        json_object_set_new(o, "provider", json_string(db_text(rows, 1)));
        if (!db_is_null(rows, 2))
            json_object_set_new(o, "registered_on", json_string(db_text(rows, 2)));
        if (!db_is_null(rows, 3))
            json_object_set_new(o, "expires_on", json_string(db_text(rows, 3)));
    }
    db_done(rows);
    if (rc < 0) {
        json_decref(o);
        return e->code;
    }
    *out = o;
    return XOK;
}

enum xcode store_ismap_status(struct db *db, const char *today, json_t **out, struct xerr *e)
{
    *out = NULL;
    struct db_rows *rows;
    if (db_query(db, &rows,
                 "SELECT (SELECT value FROM meta WHERE key = 'ismap_loaded_on'), "
                 "(SELECT value FROM meta WHERE key = 'ismap_source'), "
                 "(SELECT count(*) FROM ismap_services), "
                 "(SELECT count(*) FROM ismap_services WHERE expires_on IS NOT NULL "
                 "AND expires_on < ?1)",
                 DB_ARGS(DS(today)), e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1 && !db_is_null(rows, 0))
        *out = json_pack("{s:b, s:s, s:s, s:I, s:I}", "loaded", 1, "loaded_on", db_text(rows, 0),
                         "file", db_is_null(rows, 1) ? "" : db_text(rows, 1), "registrations",
                         (json_int_t)db_int(rows, 2), "expired", (json_int_t)db_int(rows, 3));
    else if (rc == 1)
        *out = json_pack("{s:b}", "loaded", 0);
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}
