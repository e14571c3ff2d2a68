/*
 * store_copy.c - every row of one database into another, of either
 * backend (`extsvc copy`): the tables in the order their references
 * need, each row with its own id, so that every number a user has seen
 * (申請 #12, 台帳 #3, audit seq 418) means the same thing afterwards.
 *
 * Copied: departments, users, catalogue versions, providers, services,
 * ledger entries and their versions, requests (and the evaluations they
 * share) and their events, API tokens
 * (as hashes), the audit log and its head (meta.audit_head), and the
 * ledger's search rows (the bigram index is rebuilt from them). Not
 * copied: sign-in sessions and sign-in failure counters, which belong to
 * the running server (everyone signs in again on the new database).
 */
#include "store_internal.h"
#include "core/text.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A table: its columns with a type each ('i' integer, 't' text), the
 * column that orders the rows, and the identity column whose generator
 * must move past the copied ids (NULL: none). */
struct copy_table {
    const char *name;
    const char *columns;
    const char *types;
    const char *order;
    const char *identity;
};

static const struct copy_table k_tables[] = {
    {"departments", "id, name", "it", "id", "id"},
    {"users", "id, login, name, department_id, roles, password_hash, active, created_at",
     "ittittit", "id", "id"},
    {"catalogues", "seq, id, title, effective, body, loaded_at, loaded_by, in_force", "itttttii",
     "seq", "seq"},
    {"providers", "id, name", "it", "id", "id"},
    {"services", "id, provider_id, name, function, category", "iittt", "id", "id"},
    {"ledger_entries",
     "id, department_id, service_id, version, retired_on, created_at, updated_at, migrated_from",
     "iiiitttt", "id", "id"},
    {"evaluation_texts", "id, digest, body", "itt", "id", "id"},
    {"requests",
     "id, kind, state, department_id, service_id, entry_id, catalogue_id, document, evaluation, "
     "approvable, change_to, retire_on, created_by, submitted_by, decided_by, created_at, "
     "updated_at, decided_at, rebased_from, evaluation_id",
     "ittiiitttittiiitttti", "id", "id"},
    {"request_events", "id, request_id, at, actor_id, action, from_state, to_state, comment",
     "iititttt", "id", "id"},
    {"ledger_versions",
     "entry_id, version, request_id, kind, service_name, service_function, provider, purpose, "
     "confidentiality, integrity, availability, period_from, period_to, applicant_department, "
     "applicant_name, scope, catalogue_id, recorded_at, recorded_by, cloud_provider, "
     "data_location, personal_information, approval_ref, approved_on, vendor_decided_on, "
     "conditions, ismap",
     "iiitttttttttttttttittittttt", "entry_id, version", NULL},
    {"ismap_services", "number, service_name, provider, registered_on, expires_on", "ttttt",
     "number", NULL},
    {"attachments",
     "id, request_id, item, filename, content_type, size, sha256, note, uploaded_by, uploaded_at",
     "iiittittit", "id", "id"},
    {"attachment_data", "attachment_id, content", "it", "attachment_id", NULL},
    {"api_tokens", "id, user_id, token_hash, created_at, expires_at, last_used_on", "iitttt", "id",
     "id"},
    {"audit_log", "seq, at, actor, action, object, before, after, prev_hash, hash", "itttttttt",
     "seq", "seq"},
    {"ledger_search",
     "entry_id, text, period_to, department_id, confidentiality, period_from, retired_on, "
     "service_name, service_function, updated_at",
     "ittitttttt", "entry_id", NULL},
    {"meta", "key, value", "tt", "key", NULL},
    /* Last: the triggers of the rows above delete what they touch. */
    {"ledger_json", "entry_id, period_from, period_to, retired_on, body", "itttt", "entry_id",
     NULL},
};

#define NTABLES     ((int)(sizeof k_tables / sizeof k_tables[0]))
#define MAX_COLUMNS 32

/* The number of columns, or -1 where the list and the types disagree. */
static int count_columns(const struct copy_table *t)
{
    int n = 1;
    for (const char *p = t->columns; *p; p++)
        n += *p == ',';
    return n == (int)strlen(t->types) ? n : -1;
}

/* The statements of each table: SELECT, INSERT, count. The drivers cache
 * a prepared statement by the address of its text (db.h), so these are
 * made once per process and kept, never freed and remade elsewhere. */
enum { SQL_SELECT, SQL_INSERT, SQL_COUNT, SQL_KINDS };
static char *g_sql[NTABLES][SQL_KINDS];
static pthread_once_t g_sql_once = PTHREAD_ONCE_INIT;

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

static void make_sql(void)
{
    for (int i = 0; i < NTABLES; i++) {
        const struct copy_table *t = &k_tables[i];
        g_sql[i][SQL_SELECT] =
            format("SELECT %s FROM %s%s ORDER BY %s", t->columns, t->name,
                   /* What the target's own migrations made stays as they made it. */
                   strcmp(t->name, "meta") == 0
                       ? " WHERE key NOT IN ('schema_version', 'cred_gen', 'ledger_json_stale')"
                       : "",
                   t->order);
        g_sql[i][SQL_COUNT] = format("SELECT count(*) FROM %s", t->name);
        char params[MAX_COLUMNS * 6] = "";
        int len = 0, n = (int)strlen(t->types);
        for (int c = 0; c < n && c < MAX_COLUMNS; c++)
            len +=
                snprintf(params + len, sizeof params - (size_t)len, "%s?%d", c ? ", " : "", c + 1);
        g_sql[i][SQL_INSERT] =
            format("INSERT INTO %s(%s) VALUES (%s)", t->name, t->columns, params);
    }
}

static enum xcode sql_ready(struct xerr *e)
{
    pthread_once(&g_sql_once, make_sql);
    for (int i = 0; i < NTABLES; i++)
        for (int k = 0; k < SQL_KINDS; k++)
            if (!g_sql[i][k])
                return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    return XOK;
}

enum xcode store_copy_is_empty(struct db *db, bool *empty, struct xerr *e)
{
    *empty = true;
    if (sql_ready(e))
        return e->code;
    for (int i = 0; i < NTABLES && *empty; i++) {
        if (strcmp(k_tables[i].name, "meta") == 0)
            continue; /* schema_version is there from the migration */
        long long n = 0;
        bool found;
        if (db_one_int(db, g_sql[i][SQL_COUNT], DB_NOARGS, &n, &found, e))
            return e->code;
        *empty = n == 0;
    }
    return XOK;
}

/* Copy table i; *copied gets its number of rows. */
static enum xcode copy_table(struct db *from, struct db *to, int i, long long *copied,
                             struct xerr *e)
{
    const struct copy_table *t = &k_tables[i];
    int n = count_columns(t);
    if (n < 0 || n > MAX_COLUMNS)
        return xerr_set(e, X_INTERNAL, "コピー: 表 %s の列の定義が正しくありません", t->name);
    struct db_rows *rows;
    if (db_query_stream(from, &rows, g_sql[i][SQL_SELECT], DB_NOARGS, e))
        return e->code;
    struct db_bulk *bulk;
    if (db_bulk_begin(to, t->name, t->columns, g_sql[i][SQL_INSERT], &bulk, e)) {
        db_done(rows);
        return e->code;
    }
    struct db_val args[MAX_COLUMNS];
    enum xcode xc = XOK;
    int rc;
    *copied = 0;
    while (!xc && (rc = db_next(rows, e)) == 1) {
        for (int c = 0; c < n; c++)
            args[c] = db_is_null(rows, c)  ? DNULL
                      : t->types[c] == 'i' ? DI(db_int(rows, c))
                                           : DS(db_text(rows, c));
        xc = db_bulk_row(bulk, args, n, e);
        (*copied)++;
    }
    db_done(rows);
    if (!xc && rc < 0)
        xc = e->code;
    enum xcode end = db_bulk_end(bulk, e);
    xc = xc ? xc : end;
    if (!xc && t->identity)
        xc = db_identity_after(to, t->name, t->identity, e);
    return xc;
}

enum xcode store_copy_settle(struct db *to, struct xerr *e)
{
    if (db_backend(to) != DB_POSTGRES)
        return XOK;
    struct sbuf sql;
    sbuf_init(&sql, 0);
    sbuf_adds(&sql, "VACUUM (ANALYZE)");
    for (int i = 0; i < NTABLES; i++)
        sbuf_addf(&sql, "%s %s", i ? "," : "", k_tables[i].name);
    enum xcode rc = sql.overflow ? xerr_set(e, X_INTERNAL, "メモリが不足しています")
                                 : db_script(to, sql.buf, e);
    sbuf_release(&sql);
    return rc;
}

enum xcode store_copy_all(struct db *from, struct db *to, json_t **counts, struct xerr *e)
{
    if (sql_ready(e))
        return e->code;
    json_t *out = json_object();
    for (int i = 0; i < NTABLES; i++) {
        long long n;
        if (copy_table(from, to, i, &n, e)) {
            json_decref(out);
            return e->code;
        }
        /* The rows copied, but not of what is derived from them. */
        if (strcmp(k_tables[i].name, "meta") != 0 &&
            strcmp(k_tables[i].name, "ledger_search") != 0 &&
            strcmp(k_tables[i].name, "ledger_json") != 0)
            json_object_set_new(out, k_tables[i].name, json_integer(n));
    }
    /* The bigram index where the target has one (SQLite), from the search
     * text as this version makes it. */
    if (db_bigram_fts(to) && store_reindex_search(to, e)) {
        json_decref(out);
        return e->code;
    }
    *counts = out;
    return XOK;
}
