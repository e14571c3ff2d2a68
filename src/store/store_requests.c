/*
 * store_requests.c - requests and their events
 * (the queries of store.h, written once for every backend).
 */
#include "store_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* --- requests ------------------------------------------------------- */

/* The row's strings, for release and copy alike. */
#define REQUEST_ROW_STRINGS(r)                                                                     \
    {                                                                                              \
        &(r)->kind, &(r)->state, &(r)->department, &(r)->catalogue_id, &(r)->document,             \
            &(r)->evaluation, &(r)->change_to, &(r)->retire_on, &(r)->created_at,                  \
            &(r)->updated_at, &(r)->decided_at, &(r)->created_by_login, &(r)->created_by_name,     \
            &(r)->rebased_from                                                                     \
    }

void request_row_release(struct request_row *r)
{
    char **strings[] = REQUEST_ROW_STRINGS(r);
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(*strings[i]);
    memset(r, 0, sizeof *r);
}

void request_row_copy(struct request_row *out, const struct request_row *r)
{
    *out = *r;
    char **strings[] = REQUEST_ROW_STRINGS(out);
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (*strings[i])
            *strings[i] = strdup(*strings[i]);
}

static struct db_val opt_id(long long id)
{
    return id ? DI(id) : DNULL;
}

enum xcode store_request_insert(struct db *db, const struct request_row *r, long long *id,
                                struct xerr *e)
{
    bool found;
    return db_one_int(
        db,
        "INSERT INTO requests(kind, state, department_id, service_id, entry_id, catalogue_id, "
        "document, evaluation, approvable, change_to, retire_on, created_by, created_at, "
        "updated_at, rebased_from, decided_by, decided_at, evaluation_id) VALUES (?1, ?2, ?3, "
        "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16, ?17) RETURNING id",
        DB_ARGS(DS(r->kind), DS(r->state), DI(r->department_id), opt_id(r->service_id),
                opt_id(r->entry_id), DS(r->catalogue_id), DS(r->document),
                DS(r->evaluation_id ? "" : r->evaluation), DI(r->approvable), DS(r->change_to),
                DS(r->retire_on), DI(r->created_by), DS(r->created_at), DS(r->rebased_from),
                opt_id(r->decided_by), DS(r->decided_at), opt_id(r->evaluation_id)),
        id, &found, e);
}

enum xcode store_evaluation_text_id(struct db *db, const char *text, long long *id, struct xerr *e)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char digest[65];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(digest, sizeof digest, h, sizeof h);
    bool found;
    if (db_one_int(db, "SELECT id FROM evaluation_texts WHERE digest = ?1", DB_ARGS(DS(digest)), id,
                   &found, e))
        return e->code;
    if (found)
        return XOK;
    return db_one_int(db, "INSERT INTO evaluation_texts(digest, body) VALUES (?1, ?2) RETURNING id",
                      DB_ARGS(DS(digest), DS(text)), id, &found, e);
}

enum xcode store_request_update(struct db *db, const struct request_row *r, struct xerr *e)
{
    return db_exec(
        db,
        "UPDATE requests SET state = ?2, document = ?3, evaluation = ?4, evaluation_id = NULL, "
        "approvable = ?5, catalogue_id = ?6, service_id = ?7, submitted_by = ?8, "
        "decided_by = ?9, updated_at = ?10, decided_at = ?11, rebased_from = ?12 WHERE id = ?1",
        DB_ARGS(DI(r->id), DS(r->state), DS(r->document), DS(r->evaluation), DI(r->approvable),
                DS(r->catalogue_id), opt_id(r->service_id), opt_id(r->submitted_by),
                opt_id(r->decided_by), DS(r->updated_at), DS(r->decided_at), DS(r->rebased_from)),
        e);
}

enum xcode store_request_set_state(struct db *db, const struct request_row *r, struct xerr *e)
{
    return db_exec(db,
                   "UPDATE requests SET state = ?2, approvable = ?3, submitted_by = ?4, "
                   "decided_by = ?5, updated_at = ?6, decided_at = ?7 WHERE id = ?1",
                   DB_ARGS(DI(r->id), DS(r->state), DI(r->approvable), opt_id(r->submitted_by),
                           opt_id(r->decided_by), DS(r->updated_at), DS(r->decided_at)),
                   e);
}

#define REQUEST_COLUMNS                                                                            \
    "SELECT r.id, r.kind, r.state, r.department_id, d.name, r.service_id, r.entry_id, "            \
    "r.catalogue_id, r.document, COALESCE(et.body, r.evaluation), r.approvable, r.change_to, "     \
    "r.retire_on, r.created_by, u.login, u.name, r.submitted_by, r.decided_by, r.created_at, "     \
    "r.updated_at, r.decided_at, r.rebased_from FROM requests r "                                  \
    "JOIN departments d ON d.id = r.department_id JOIN users u ON u.id = r.created_by "            \
    "LEFT JOIN evaluation_texts et ON et.id = r.evaluation_id "

static void request_from_row(struct db_rows *rows, struct request_row *r)
{
    r->id = db_int(rows, 0);
    r->kind = db_dup(rows, 1);
    r->state = db_dup(rows, 2);
    r->department_id = db_int(rows, 3);
    r->department = db_dup(rows, 4);
    r->service_id = db_int(rows, 5);
    r->entry_id = db_int(rows, 6);
    r->catalogue_id = db_dup(rows, 7);
    r->document = db_dup(rows, 8);
    r->evaluation = db_dup(rows, 9);
    r->approvable = db_int(rows, 10) != 0;
    r->change_to = db_dup(rows, 11);
    r->retire_on = db_dup(rows, 12);
    r->created_by = db_int(rows, 13);
    r->created_by_login = db_dup(rows, 14);
    r->created_by_name = db_dup(rows, 15);
    r->submitted_by = db_int(rows, 16);
    r->decided_by = db_int(rows, 17);
    r->created_at = db_dup(rows, 18);
    r->updated_at = db_dup(rows, 19);
    r->decided_at = db_dup(rows, 20);
    r->rebased_from = db_dup(rows, 21);
}

static enum xcode request_one(struct db *db, const char *sql, const struct db_val *args, int nArgs,
                              struct request_row *out, bool *found, struct xerr *e)
{
    struct db_rows *rows;
    memset(out, 0, sizeof *out);
    if (db_query(db, &rows, sql, args, nArgs, e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1)
        request_from_row(rows, out);
    db_done(rows);
    *found = rc == 1;
    return rc < 0 ? e->code : XOK;
}

enum xcode store_request_get(struct db *db, long long id, struct request_row *out, struct xerr *e)
{
    bool found;
    if (request_one(db, REQUEST_COLUMNS "WHERE r.id = ?1", DB_ARGS(DI(id)), out, &found, e))
        return e->code;
    if (!found)
        return xerr_set(e, X_NOTFOUND, "申請 #%lld はありません", id);
    return XOK;
}

enum xcode store_request_latest_approved(struct db *db, long long service_id, long long except,
                                         struct request_row *out, bool *found, struct xerr *e)
{
    return request_one(db,
                       REQUEST_COLUMNS "WHERE r.service_id = ?1 AND r.state = 'approved' "
                                       "AND r.kind IN ('new', 'change') AND r.id <> ?2 "
                                       "ORDER BY r.decided_at DESC, r.id DESC LIMIT 1",
                       DB_ARGS(DI(service_id), DI(except)), out, found, e);
}

enum xcode store_request_open_for_entry(struct db *db, long long entry_id, long long *open_id,
                                        struct xerr *e)
{
    bool found;
    *open_id = 0;
    return db_one_int(db,
                      "SELECT id FROM requests WHERE entry_id = ?1 AND state IN "
                      "('draft', 'consulting', 'consulted', 'submitted', 'returned') "
                      "ORDER BY id LIMIT 1",
                      DB_ARGS(DI(entry_id)), open_id, &found, e);
}

static json_t *request_summary_row(struct db_rows *rows)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "id",
                          (json_int_t)db_int(rows, 0), "kind", db_text(rows, 1), "state",
                          db_text(rows, 2), "department", db_text(rows, 3), "approvable",
                          (int)db_int(rows, 4), "created_by", db_text(rows, 5), "created_at",
                          db_text(rows, 11), "updated_at", db_text(rows, 6));
    json_object_set_new(o, "service",
                        db_is_null(rows, 7)
                            ? json_null()
                            : json_pack("{s:s, s:s, s:s}", "name", db_text(rows, 7), "function",
                                        db_text(rows, 8), "provider", db_text(rows, 9)));
    json_object_set_new(o, "entry_id",
                        db_is_null(rows, 10) ? json_null() : json_integer(db_int(rows, 10)));
    return o;
}

/* One statement per combination of filters, each naming its parameters
 * so that PostgreSQL knows every type, and none written "?1 IS NULL OR
 * r.state = ?1", which keeps SQLite from using the index. */
#define REQ_LIST(state, dept, order)                                                               \
    "SELECT r.id, r.kind, r.state, d.name, r.approvable, u.login, r.updated_at, "                  \
    "s.name, s.function, p.name, r.entry_id, r.created_at "                                        \
    "FROM requests r JOIN departments d ON d.id = r.department_id "                                \
    "JOIN users u ON u.id = r.created_by "                                                         \
    "LEFT JOIN services s ON s.id = r.service_id "                                                 \
    "LEFT JOIN providers p ON p.id = s.provider_id "                                               \
    "WHERE " state " AND " dept " ORDER BY r.id " order " LIMIT ?3 OFFSET ?4"
#define REQ_COUNT(state, dept) "SELECT count(*) FROM requests r WHERE " state " AND " dept
#define ST_ANY                 "?1 IS NULL"
#define ST_ONE                 "r.state = ?1"
#define DEPT_ANY               "?2 = 0"
#define DEPT_ONE               "r.department_id = ?2"

enum xcode store_request_list(struct db *db, const struct request_query *q, json_t **out,
                              struct xerr *e)
{
    static const char *const list_sql[2][2][2] = {
        {{REQ_LIST(ST_ANY, DEPT_ANY, "ASC"), REQ_LIST(ST_ANY, DEPT_ANY, "DESC")},
         {REQ_LIST(ST_ANY, DEPT_ONE, "ASC"), REQ_LIST(ST_ANY, DEPT_ONE, "DESC")}},
        {{REQ_LIST(ST_ONE, DEPT_ANY, "ASC"), REQ_LIST(ST_ONE, DEPT_ANY, "DESC")},
         {REQ_LIST(ST_ONE, DEPT_ONE, "ASC"), REQ_LIST(ST_ONE, DEPT_ONE, "DESC")}}};
    static const char *const count_sql[2][2] = {
        {REQ_COUNT(ST_ANY, DEPT_ANY), REQ_COUNT(ST_ANY, DEPT_ONE)},
        {REQ_COUNT(ST_ONE, DEPT_ANY), REQ_COUNT(ST_ONE, DEPT_ONE)}};
    bool st = q->state != NULL, dept = q->department_id != 0;
    struct db_val args[] = {DS(q->state), DI(q->department_id),
                            DI(q->limit > 0 ? q->limit : DB_NO_LIMIT), DI(q->offset)};
    long long total = 0;
    json_t *arr = NULL;
    enum xcode rc = db_one_int(db, count_sql[st][dept], args, 2, &total, NULL, e);
    if (!rc)
        rc = store_query_array(db, list_sql[st][dept][q->newest_first], args, 4,
                               request_summary_row, &arr, e);
    if (rc)
        return rc;
    *out = json_pack("{s:o, s:I}", "requests", arr, "total", (json_int_t)total);
    return XOK;
}
#undef REQ_LIST
#undef REQ_COUNT

enum xcode store_event_insert(struct db *db, long long request_id, const char *at,
                              long long actor_id, const char *action, const char *from_state,
                              const char *to_state, const char *comment, struct xerr *e)
{
    return db_exec(db,
                   "INSERT INTO request_events(request_id, at, actor_id, action, from_state, "
                   "to_state, comment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                   DB_ARGS(DI(request_id), DS(at), DI(actor_id), DS(action), DS(from_state),
                           DS(to_state), DS(comment)),
                   e);
}

enum xcode store_event_by(struct db *db, long long request_id, long long actor_id,
                          const char *action, bool *found, struct xerr *e)
{
    long long n = 0;
    if (db_one_int(db,
                   "SELECT count(*) FROM request_events WHERE request_id = ?1 AND actor_id = ?2 "
                   "AND action = ?3",
                   DB_ARGS(DI(request_id), DI(actor_id), DS(action)), &n, NULL, e))
        return e->code;
    *found = n > 0;
    return XOK;
}

static json_t *event_row(struct db_rows *rows)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "at", db_text(rows, 0), "actor",
                          db_text(rows, 1), "actor_name", db_text(rows, 2), "action",
                          db_text(rows, 3), "to", db_text(rows, 5));
    json_object_set_new(o, "from",
                        db_is_null(rows, 4) ? json_null() : json_string(db_text(rows, 4)));
    json_object_set_new(o, "comment",
                        db_is_null(rows, 6) ? json_null() : json_string(db_text(rows, 6)));
    return o;
}

enum xcode store_events(struct db *db, long long request_id, json_t **out, struct xerr *e)
{
    return store_query_array(
        db,
        "SELECT ev.at, u.login, u.name, ev.action, ev.from_state, ev.to_state, "
        "ev.comment FROM request_events ev JOIN users u ON u.id = ev.actor_id "
        "WHERE ev.request_id = ?1 ORDER BY ev.id",
        DB_ARGS(DI(request_id)), event_row, out, e);
}
