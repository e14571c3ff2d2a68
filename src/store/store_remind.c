/*
 * store_remind.c - what is due (extsvc remind, the dashboards): retirements
 * coming, ISMAP registrations that lapse before an entry's use ends, and
 * requests waiting for the approver.
 */
#include <string.h>

#include "store_internal.h"

enum xcode store_retiring_between(struct db *db, const char *after, const char *until, json_t **ids,
                                  struct xerr *e)
{
    struct db_rows *rows;
    *ids = json_array();
    if (db_query(db, &rows,
                 "SELECT x.entry_id FROM ledger_search x WHERE x.retired_on IS NOT NULL AND "
                 "x.retired_on > ?1 AND x.retired_on <= ?2 ORDER BY x.retired_on, x.entry_id",
                 DB_ARGS(DS(after), DS(until)), e))
        return e->code;
    int rc;
    while ((rc = db_next(rows, e)) == 1)
        json_array_append_new(*ids, json_integer(db_int(rows, 0)));
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

enum xcode store_ismap_lapses(struct db *db, const char *today, json_t **out, struct xerr *e)
{
    struct db_rows *rows;
    *out = json_array();
    if (db_query(db, &rows,
                 "SELECT e.id, v.service_name, v.service_function, d.name, v.period_to, s.number, "
                 "s.expires_on, e.department_id FROM ismap_services s "
                 "JOIN ledger_versions v ON v.ismap = s.number "
                 "JOIN ledger_entries e ON e.id = v.entry_id AND e.version = v.version "
                 "JOIN departments d ON d.id = e.department_id "
                 "WHERE s.expires_on IS NOT NULL AND s.expires_on < v.period_to "
                 "AND v.period_to >= ?1 AND (e.retired_on IS NULL OR e.retired_on > ?1) "
                 "ORDER BY s.expires_on, e.id",
                 DB_ARGS(DS(today)), e))
        return e->code;
    int rc;
    while ((rc = db_next(rows, e)) == 1)
        json_array_append_new(
            *out, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "entry",
                            (json_int_t)db_int(rows, 0), "service", db_text(rows, 1), "function",
                            db_text(rows, 2), "department", db_text(rows, 3), "period_to",
                            db_text(rows, 4), "ismap", db_text(rows, 5), "expires_on",
                            db_text(rows, 6), "department_id", (json_int_t)db_int(rows, 7)));
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

enum xcode store_requests_waiting(struct db *db, const char *before, json_t **out, struct xerr *e)
{
    struct db_rows *rows;
    *out = json_array();
    if (db_query(db, &rows,
                 "SELECT r.id, r.kind, r.state, d.name, COALESCE(s.name, ''), r.updated_at, "
                 "r.department_id FROM requests r JOIN departments d ON d.id = r.department_id "
                 "LEFT JOIN services s ON s.id = r.service_id "
                 "WHERE r.state IN ('consulting', 'submitted') AND r.updated_at < ?1 "
                 "ORDER BY r.updated_at, r.id",
                 DB_ARGS(DS(before)), e))
        return e->code;
    int rc;
    while ((rc = db_next(rows, e)) == 1)
        json_array_append_new(*out,
                              json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
                                        (json_int_t)db_int(rows, 0), "kind", db_text(rows, 1),
                                        "state", db_text(rows, 2), "department", db_text(rows, 3),
                                        "service", db_text(rows, 4), "since", db_text(rows, 5),
                                        "department_id", (json_int_t)db_int(rows, 6)));
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}
