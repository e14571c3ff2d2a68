/*
 * store_catalogue.c - catalogue versions, services and providers
 * (the queries of store.h, written once for every backend).
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- catalogue versions --------------------------------------------- */

enum xcode store_catalogue_in_force(struct db *db, char **id, char **body, struct xerr *e)
{
    struct db_rows *rows;
    *id = *body = NULL;
    if (db_query(db, &rows, "SELECT id, body FROM catalogues WHERE in_force = 1", DB_NOARGS, e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1) {
        *id = db_dup(rows, 0);
        *body = db_dup(rows, 1);
    }
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (rc == 0)
        return xerr_set(e, X_STORE, "施行中のカタログがありません。extsvc init を実行してください");
    return XOK;
}

enum xcode store_catalogue_find(struct db *db, const char *id, char **body, bool *found,
                                struct xerr *e)
{
    struct db_rows *rows;
    *body = NULL;
    if (db_query(db, &rows, "SELECT body FROM catalogues WHERE id = ?1", DB_ARGS(DS(id)), e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1)
        *body = db_dup(rows, 0);
    db_done(rows);
    *found = rc == 1;
    return rc < 0 ? e->code : XOK;
}

enum xcode store_catalogue_get(struct db *db, const char *id, char **body, struct xerr *e)
{
    bool found;
    if (store_catalogue_find(db, id, body, &found, e))
        return e->code;
    if (!found)
        return xerr_set(e, X_NOTFOUND, "カタログ '%s' はありません", id);
    return XOK;
}

enum xcode store_catalogue_insert(struct db *db, const char *id, const char *title,
                                  const char *effective, const char *body, long long loaded_by,
                                  struct xerr *e)
{
    char now[21];
    store_now(now);
    return db_exec(db,
                   "INSERT INTO catalogues(id, title, effective, body, loaded_at, loaded_by) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                   DB_ARGS(DS(id), DS(title), DS(effective), DS(body), DS(now),
                           loaded_by ? DI(loaded_by) : DNULL),
                   e);
}

enum xcode store_catalogue_put_in_force(struct db *db, const char *id, struct xerr *e)
{
    if (db_exec(db, "UPDATE catalogues SET in_force = 0 WHERE in_force = 1", DB_NOARGS, e))
        return e->code;
    return db_exec(db, "UPDATE catalogues SET in_force = 1 WHERE id = ?1", DB_ARGS(DS(id)), e);
}

static json_t *catalogue_row(struct db_rows *rows)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", db_text(rows, 0), "title", db_text(rows, 1),
                     "effective", db_text(rows, 2), "loaded_at", db_text(rows, 3), "in_force",
                     (int)db_int(rows, 4));
}

enum xcode store_catalogue_list(struct db *db, json_t **out, struct xerr *e)
{
    json_t *arr = NULL;
    enum xcode rc = store_query_array(
        db, "SELECT id, title, effective, loaded_at, in_force FROM catalogues ORDER BY seq",
        DB_NOARGS, catalogue_row, &arr, e);
    return store_listing(rc, "catalogues", false, arr, out);
}

/* --- services and providers ------------------------------------------ */

/* `category` into `out` (where wanted). */
static enum xcode category_to(char *out, const char *category, struct xerr *e)
{
    if (out && (size_t)snprintf(out, STORE_CATEGORY_MAX, "%s", category) >= STORE_CATEGORY_MAX)
        return xerr_set(e, X_INTERNAL, "サービスの区分が長すぎます: %s", category);
    return XOK;
}

enum xcode store_service_resolve(struct db *db, const char *name, const char *function,
                                 const char *provider, const char *category, long long *id,
                                 char category_out[STORE_CATEGORY_MAX], struct xerr *e)
{
    long long pid;
    bool found;
    if (!function)
        function = "";
    if (!category)
        category = "other";
    if (db_one_int(db, "SELECT id FROM providers WHERE name = ?1", DB_ARGS(DS(provider)), &pid,
                   &found, e))
        return e->code;
    if (!found && db_one_int(db, "INSERT INTO providers(name) VALUES (?1) RETURNING id",
                             DB_ARGS(DS(provider)), &pid, &found, e))
        return e->code;
    struct db_rows *rows;
    if (db_query(db, &rows,
                 "SELECT id, category FROM services "
                 "WHERE provider_id = ?1 AND name = ?2 AND function = ?3",
                 DB_ARGS(DI(pid), DS(name), DS(function)), e))
        return e->code;
    int rc = db_next(rows, e);
    enum xcode xc = XOK;
    if (rc == 1) {
        *id = db_int(rows, 0);
        const char *had = db_text(rows, 1);
        xc = category_to(category_out, strcmp(had, "other") == 0 ? category : had, e);
    }
    db_done(rows);
    if (rc < 0 || xc)
        return e->code;
    /* Only a real change: an update, even to the same value, fires the
     * trigger that drops the service's entries' rendered JSON. */
    if (rc == 1)
        return strcmp(category, "other") == 0
                   ? XOK
                   : db_exec(
                         db,
                         "UPDATE services SET category = ?2 WHERE id = ?1 AND category = 'other'",
                         DB_ARGS(DI(*id), DS(category)), e);
    if (category_to(category_out, category, e))
        return e->code;
    return db_one_int(db,
                      "INSERT INTO services(provider_id, name, function, category) "
                      "VALUES (?1, ?2, ?3, ?4) RETURNING id",
                      DB_ARGS(DI(pid), DS(name), DS(function), DS(category)), id, &found, e);
}

static json_t *service_row(struct db_rows *rows)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)db_int(rows, 0), "name",
                     db_text(rows, 1), "function", db_text(rows, 2), "provider", db_text(rows, 3),
                     "category", db_text(rows, 4), "entries", (json_int_t)db_int(rows, 5));
}

enum xcode store_service_list(struct db *db, const struct service_query *q, json_t **out,
                              struct xerr *e)
{
    char *pattern = q->q && *q->q ? store_like_pattern(q->q) : NULL;
    struct db_val args[] = {DS(pattern), DI(q->in_ledger), DI(q->id), DI(q->limit), DI(q->offset)};
#define SERVICE_WHERE                                                                              \
    "WHERE (?1 IS NULL OR lower(s.name) LIKE lower(?1) ESCAPE '\\' "                               \
    "OR lower(s.function) LIKE lower(?1) ESCAPE '\\' OR lower(p.name) LIKE lower(?1) ESCAPE "      \
    "'\\') "                                                                                       \
    "AND (?2 = 0 OR EXISTS (SELECT 1 FROM ledger_entries e WHERE e.service_id = s.id)) "           \
    "AND (?3 = 0 OR s.id = ?3) "
    long long total = 0;
    json_t *arr = NULL;
    enum xcode rc = db_one_int(db,
                               "SELECT count(*) FROM services s JOIN providers p ON "
                               "p.id = s.provider_id " SERVICE_WHERE,
                               args, 3, &total, NULL, e);
    if (!rc)
        rc = store_query_array(
            db,
            "SELECT s.id, s.name, s.function, p.name, s.category, "
            "(SELECT count(*) FROM ledger_entries e WHERE e.service_id = s.id) "
            "FROM services s JOIN providers p ON p.id = s.provider_id " SERVICE_WHERE
            "ORDER BY s.name, s.function, p.name, s.id LIMIT ?4 OFFSET ?5",
            args, 5, service_row, &arr, e);
#undef SERVICE_WHERE
    free(pattern);
    if (rc)
        return rc;
    *out = json_pack("{s:o, s:I, s:I, s:I}", "services", arr, "total", (json_int_t)total, "limit",
                     (json_int_t)q->limit, "offset", (json_int_t)q->offset);
    return XOK;
}
