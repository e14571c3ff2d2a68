/*
 * store.c - the queries of store.h, written once for every backend.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/fold.h"
#include "../core/states.h"
#include "../core/text.h"
#include "../embedded.h"

void store_now(char *buf)
{
    time_t t = time(NULL);
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

/* The searchable text of an entry's version: (ア) name and function, (イ)
 * provider, (ウ) purpose, separated by U+001F so that no search term
 * (control characters are refused) spans two fields, and folded (NFKC and
 * case, core/fold.h) as every query is. Built here, so that no backend needs
 * its own char() or normalization. NULL with *e set where it cannot be. */
static char *search_text(const char *name, const char *function, const char *provider,
                         const char *purpose, struct xerr *e)
{
    struct sbuf text;
    sbuf_init(&text, 0);
    sbuf_addf(&text, "%s\x1f%s\x1f%s\x1f%s", name ? name : "", function ? function : "",
              provider ? provider : "", purpose ? purpose : "");
    char *folded = text.overflow ? NULL : text_fold(text.buf ? text.buf : "");
    if (!folded)
        xerr_set(e, X_INTERNAL,
                 "台帳の検索用テキストを作れません（メモリ不足か、UTF-8 として正しくない文字）");
    sbuf_release(&text);
    return folded;
}

/* Put one entry's searchable text into the bigram index, where the
 * backend has one (db_bigram_fts); elsewhere ledger_search.text is the
 * index's input and nothing more is to be done. */
static enum xcode index_entry(struct db *db, long long entry_id, const char *text, struct xerr *e)
{
    if (!db_bigram_fts(db))
        return XOK;
    struct sbuf grams;
    sbuf_init(&grams, 0);
    text_bigrams(text, &grams);
    enum xcode rc =
        db_exec(db, "DELETE FROM ledger_fts WHERE rowid = ?1", DB_ARGS(DI(entry_id)), e);
    if (!rc)
        rc = db_exec(db, "INSERT INTO ledger_fts(rowid, grams) VALUES (?1, ?2)",
                     DB_ARGS(DI(entry_id), DS(grams.buf ? grams.buf : "")), e);
    sbuf_release(&grams);
    return rc;
}

enum xcode store_reindex_search(struct db *db, struct xerr *e)
{
    struct db_rows *rows;
    if ((db_bigram_fts(db) && db_exec(db, "DELETE FROM ledger_fts", DB_NOARGS, e)) ||
        db_query(db, &rows,
                 "SELECT e.id, v.service_name, v.service_function, v.provider, v.purpose "
                 "FROM ledger_entries e JOIN ledger_versions v ON v.entry_id = e.id AND "
                 "v.version = e.version ORDER BY e.id",
                 DB_NOARGS, e))
        return e->code;
    int rc;
    enum xcode xc = XOK;
    while (!xc && (rc = db_next(rows, e)) == 1) {
        long long id = db_int(rows, 0);
        char *text =
            search_text(db_text(rows, 1), db_text(rows, 2), db_text(rows, 3), db_text(rows, 4), e);
        xc = !text ? e->code
                   : db_exec(db, "UPDATE ledger_search SET text = ?2 WHERE entry_id = ?1",
                             DB_ARGS(DI(id), DS(text)), e);
        if (!xc)
            xc = index_entry(db, id, text, e);
        free(text);
    }
    db_done(rows);
    return xc ? xc : rc < 0 ? e->code : XOK;
}

/* The last schema version that changed how the search text is made (4:
 * folded). A database migrated from below it has its search text and
 * bigram index rebuilt, once, after every migration has run, so that the
 * rebuild meets the schema this code writes. A later change to search_text
 * or text_bigrams comes with a migration and raises this to its number. */
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
static enum xcode query_array(struct db *db, const char *sql, const struct db_val *args, int nArgs,
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
static enum xcode listing(enum xcode rc, const char *key, bool total, json_t *arr, json_t **out)
{
    if (rc)
        return rc;
    *out = total ? json_pack("{s:o, s:I}", key, arr, "total", (json_int_t)json_array_size(arr))
                 : json_pack("{s:o}", key, arr);
    return XOK;
}

/* --- users and departments ------------------------------------------ */

static const char *const role_names[ROLE_COUNT] = {"staff", "manager", "approver",
                                                   "ciso",  "auditor", "admin"};
static const char *const role_labels[ROLE_COUNT] = {"職員",
                                                    "情報セキュリティ管理者",
                                                    "情報システム管理者",
                                                    "統括情報セキュリティ責任者",
                                                    "監査",
                                                    "利用者管理"};

const char *role_name(int bit)
{
    return role_names[bit];
}

const char *role_label(int bit)
{
    return role_labels[bit];
}

unsigned roles_parse(const char *zList, struct xerr *e)
{
    unsigned mask = 0;
    const char *p = zList ? zList : "";
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int found = -1;
        for (int i = 0; i < ROLE_COUNT; i++)
            if (strlen(role_names[i]) == n && strncmp(role_names[i], p, n) == 0)
                found = i;
        if (found < 0) {
            xerr_set(e, X_INVALID,
                     "未知の役割 \"%.*s\" です（staff, manager, approver, ciso, auditor, admin）",
                     (int)n, p);
            return 0;
        }
        mask |= 1u << found;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!mask)
        xerr_set(e, X_INVALID, "役割を一つ以上指定してください");
    return mask;
}

void roles_format(unsigned roles, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (!(roles & (1u << i)))
            continue;
        if (buf[0])
            strncat(buf, ",", n - strlen(buf) - 1);
        strncat(buf, role_names[i], n - strlen(buf) - 1);
    }
}

void user_release(struct user *u)
{
    free(u->login);
    free(u->name);
    free(u->department);
    free(u->password_hash);
    memset(u, 0, sizeof *u);
}

static json_t *department_row(struct db_rows *rows)
{
    return json_pack("{s:I, s:s}", "id", (json_int_t)db_int(rows, 0), "name", db_text(rows, 1));
}

enum xcode store_department_list(struct db *db, json_t **out, struct xerr *e)
{
    json_t *arr = NULL;
    enum xcode rc = query_array(db, "SELECT id, name FROM departments ORDER BY name", DB_NOARGS,
                                department_row, &arr, e);
    return listing(rc, "departments", false, arr, out);
}

enum xcode store_department_id(struct db *db, const char *name, long long *id, struct xerr *e)
{
    bool found;
    if (db_one_int(db, "SELECT id FROM departments WHERE name = ?1", DB_ARGS(DS(name)), id, &found,
                   e))
        return e->code;
    if (found)
        return XOK;
    return db_one_int(db, "INSERT INTO departments(name) VALUES (?1) RETURNING id",
                      DB_ARGS(DS(name)), id, &found, e);
}

enum xcode store_user_insert(struct db *db, const struct user *u, long long *id, struct xerr *e)
{
    char roles[128], now[21];
    bool found;
    roles_format(u->roles, roles, sizeof roles);
    store_now(now);
    return db_one_int(db,
                      "INSERT INTO users(login, name, department_id, roles, password_hash, active, "
                      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                      DB_ARGS(DS(u->login), DS(u->name), DI(u->department_id), DS(roles),
                              DS(u->password_hash), DI(u->active), DS(now)),
                      id, &found, e);
}

enum xcode store_user_update(struct db *db, const struct user *u, struct xerr *e)
{
    char roles[128];
    roles_format(u->roles, roles, sizeof roles);
    return db_exec(
        db,
        "UPDATE users SET name = ?2, department_id = ?3, roles = ?4, password_hash = ?5, "
        "active = ?6 WHERE id = ?1",
        DB_ARGS(DI(u->id), DS(u->name), DI(u->department_id), DS(roles), DS(u->password_hash),
                DI(u->active)),
        e);
}

#define USER_COLUMNS                                                                               \
    "SELECT u.id, u.login, u.name, u.department_id, d.name, u.roles, u.password_hash, u.active "   \
    "FROM users u JOIN departments d ON d.id = u.department_id "

static void user_from_row(struct db_rows *rows, struct user *u)
{
    struct xerr ignore;
    u->id = db_int(rows, 0);
    u->login = db_dup(rows, 1);
    u->name = db_dup(rows, 2);
    u->department_id = db_int(rows, 3);
    u->department = db_dup(rows, 4);
    u->roles = roles_parse(db_text(rows, 5), &ignore);
    u->password_hash = db_dup(rows, 6);
    u->active = db_int(rows, 7) != 0;
}

static enum xcode user_query(struct db *db, const char *sql, struct db_val arg, struct user *out,
                             const char *what, struct xerr *e)
{
    struct db_rows *rows;
    memset(out, 0, sizeof *out);
    if (db_query(db, &rows, sql, &arg, 1, e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1)
        user_from_row(rows, out);
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (rc == 0)
        return xerr_set(e, X_NOTFOUND, "利用者 '%s' は登録されていません", what);
    return XOK;
}

enum xcode store_user_by_login(struct db *db, const char *login, struct user *out, struct xerr *e)
{
    return user_query(db, USER_COLUMNS "WHERE u.login = ?1", DS(login), out, login, e);
}

enum xcode store_user_by_id(struct db *db, long long id, struct user *out, struct xerr *e)
{
    char what[32];
    snprintf(what, sizeof what, "#%lld", id);
    return user_query(db, USER_COLUMNS "WHERE u.id = ?1", DI(id), out, what, e);
}

json_t *user_to_json(const struct user *u)
{
    json_t *roles = json_array();
    for (int i = 0; i < ROLE_COUNT; i++)
        if (u->roles & (1u << i))
            json_array_append_new(roles, json_string(role_names[i]));
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:b}", "id", (json_int_t)u->id, "login", u->login,
                     "name", u->name, "department", u->department, "roles", roles, "active",
                     u->active);
}

static json_t *user_row(struct db_rows *rows)
{
    struct user u;
    user_from_row(rows, &u);
    json_t *j = user_to_json(&u);
    user_release(&u);
    return j;
}

enum xcode store_user_list(struct db *db, json_t **out, struct xerr *e)
{
    json_t *arr = NULL;
    enum xcode rc = query_array(db, USER_COLUMNS "ORDER BY u.login", DB_NOARGS, user_row, &arr, e);
    return listing(rc, "users", false, arr, out);
}

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
    enum xcode rc = query_array(
        db, "SELECT id, title, effective, loaded_at, in_force FROM catalogues ORDER BY seq",
        DB_NOARGS, catalogue_row, &arr, e);
    return listing(rc, "catalogues", false, arr, out);
}

/* --- services and providers ------------------------------------------ */

enum xcode store_service_resolve(struct db *db, const char *name, const char *function,
                                 const char *provider, const char *category, long long *id,
                                 struct xerr *e)
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
    if (db_one_int(db,
                   "SELECT id FROM services WHERE provider_id = ?1 AND name = ?2 AND function = ?3",
                   DB_ARGS(DI(pid), DS(name), DS(function)), id, &found, e))
        return e->code;
    if (found)
        return db_exec(db, "UPDATE services SET category = ?2 WHERE id = ?1 AND category = 'other'",
                       DB_ARGS(DI(*id), DS(category)), e);
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

enum xcode store_service_list(struct db *db, json_t **out, struct xerr *e)
{
    json_t *arr = NULL;
    enum xcode rc = query_array(db,
                                "SELECT s.id, s.name, s.function, p.name, s.category, "
                                "(SELECT count(*) FROM ledger_entries e WHERE e.service_id = s.id) "
                                "FROM services s JOIN providers p ON p.id = s.provider_id "
                                "ORDER BY s.name, s.function, p.name",
                                DB_NOARGS, service_row, &arr, e);
    return listing(rc, "services", false, arr, out);
}

/* --- requests ------------------------------------------------------- */

void request_row_release(struct request_row *r)
{
    char **strings[] = {&r->kind,
                        &r->state,
                        &r->department,
                        &r->catalogue_id,
                        &r->document,
                        &r->evaluation,
                        &r->change_to,
                        &r->retire_on,
                        &r->created_at,
                        &r->updated_at,
                        &r->decided_at,
                        &r->created_by_login,
                        &r->created_by_name,
                        &r->rebased_from};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(*strings[i]);
    memset(r, 0, sizeof *r);
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
        "updated_at, rebased_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
        "?13, ?13, ?14) RETURNING id",
        DB_ARGS(DS(r->kind), DS(r->state), DI(r->department_id), opt_id(r->service_id),
                opt_id(r->entry_id), DS(r->catalogue_id), DS(r->document), DS(r->evaluation),
                DI(r->approvable), DS(r->change_to), DS(r->retire_on), DI(r->created_by),
                DS(r->created_at), DS(r->rebased_from)),
        id, &found, e);
}

enum xcode store_request_update(struct db *db, const struct request_row *r, struct xerr *e)
{
    return db_exec(
        db,
        "UPDATE requests SET state = ?2, document = ?3, evaluation = ?4, approvable = ?5, "
        "catalogue_id = ?6, service_id = ?7, submitted_by = ?8, decided_by = ?9, "
        "updated_at = ?10, decided_at = ?11, rebased_from = ?12 WHERE id = ?1",
        DB_ARGS(DI(r->id), DS(r->state), DS(r->document), DS(r->evaluation), DI(r->approvable),
                DS(r->catalogue_id), opt_id(r->service_id), opt_id(r->submitted_by),
                opt_id(r->decided_by), DS(r->updated_at), DS(r->decided_at), DS(r->rebased_from)),
        e);
}

#define REQUEST_COLUMNS                                                                            \
    "SELECT r.id, r.kind, r.state, r.department_id, d.name, r.service_id, r.entry_id, "            \
    "r.catalogue_id, r.document, r.evaluation, r.approvable, r.change_to, r.retire_on, "           \
    "r.created_by, u.login, u.name, r.submitted_by, r.decided_by, r.created_at, r.updated_at, "    \
    "r.decided_at, r.rebased_from FROM requests r JOIN departments d ON d.id = r.department_id "   \
    "JOIN users u ON u.id = r.created_by "

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

enum xcode store_request_list(struct db *db, const char *state, long long department_id,
                              json_t **out, struct xerr *e)
{
    json_t *arr = NULL;
    enum xcode rc =
        query_array(db,
                    "SELECT r.id, r.kind, r.state, d.name, r.approvable, u.login, r.updated_at, "
                    "s.name, s.function, p.name, r.entry_id, r.created_at "
                    "FROM requests r JOIN departments d ON d.id = r.department_id "
                    "JOIN users u ON u.id = r.created_by "
                    "LEFT JOIN services s ON s.id = r.service_id "
                    "LEFT JOIN providers p ON p.id = s.provider_id "
                    "WHERE (?1 IS NULL OR r.state = ?1) AND (?2 = 0 OR r.department_id = ?2) "
                    "ORDER BY r.id",
                    DB_ARGS(DS(state), DI(department_id)), request_summary_row, &arr, e);
    return listing(rc, "requests", true, arr, out);
}

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
    return query_array(db,
                       "SELECT ev.at, u.login, u.name, ev.action, ev.from_state, ev.to_state, "
                       "ev.comment FROM request_events ev JOIN users u ON u.id = ev.actor_id "
                       "WHERE ev.request_id = ?1 ORDER BY ev.id",
                       DB_ARGS(DI(request_id)), event_row, out, e);
}

/* --- ledger --------------------------------------------------------- */

enum xcode store_entry_insert(struct db *db, long long department_id, long long service_id,
                              const char *at, long long *id, struct xerr *e)
{
    bool found;
    return db_one_int(db,
                      "INSERT INTO ledger_entries(department_id, service_id, version, created_at, "
                      "updated_at) VALUES (?1, ?2, 0, ?3, ?3) RETURNING id",
                      DB_ARGS(DI(department_id), DI(service_id), DS(at)), id, &found, e);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

enum xcode store_entry_add_version(struct db *db, long long entry_id, int version,
                                   long long request_id, const char *kind,
                                   const struct ledger_fields *f, const char *catalogue_id,
                                   const char *at, long long by, struct xerr *e)
{
    if (db_exec(db,
                "INSERT INTO ledger_versions(entry_id, version, request_id, kind, service_name, "
                "service_function, provider, purpose, confidentiality, integrity, availability, "
                "period_from, period_to, applicant_department, applicant_name, scope, "
                "catalogue_id, recorded_at, recorded_by, cloud_provider, data_location, "
                "personal_information, approval_ref, approved_on, vendor_decided_on, conditions) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
                DB_ARGS(DI(entry_id), DI(version), DI(request_id), DS(kind), DS(f->service_name),
                        DS(f->service_function ? f->service_function : ""), DS(f->provider),
                        DS(f->purpose), DS(f->level[0]), DS(f->level[1]), DS(f->level[2]),
                        DS(f->period_from), DS(f->period_to), DS(f->applicant_department),
                        DS(f->applicant_name), DS(f->scope), DS(catalogue_id), DS(at), DI(by),
                        DS(or_empty(f->cloud_provider)), DS(or_empty(f->data_location)),
                        f->personal_information < 0 ? DNULL : DI(f->personal_information),
                        DS(or_empty(f->approval_ref)), DS(or_empty(f->approved_on)),
                        DS(or_empty(f->vendor_decided_on)),
                        DS(f->conditions ? f->conditions : "[]")),
                e))
        return e->code;
    if (db_exec(db, "UPDATE ledger_entries SET version = ?2, updated_at = ?3 WHERE id = ?1",
                DB_ARGS(DI(entry_id), DI(version), DS(at)), e))
        return e->code;
    char *text = search_text(f->service_name, f->service_function, f->provider, f->purpose, e);
    if (!text)
        return e->code;
    enum xcode xc = db_exec(
        db,
        "INSERT INTO ledger_search(entry_id, text, period_from, period_to, "
        "department_id, confidentiality) SELECT ?1, ?2, ?5, ?3, department_id, ?4 "
        "FROM ledger_entries WHERE id = ?1 ON CONFLICT(entry_id) DO UPDATE SET "
        "text = excluded.text, period_from = excluded.period_from, "
        "period_to = excluded.period_to, confidentiality = excluded.confidentiality",
        DB_ARGS(DI(entry_id), DS(text), DS(f->period_to), DS(f->level[0]), DS(f->period_from)), e);
    if (!xc)
        xc = index_entry(db, entry_id, text, e);
    free(text);
    return xc;
}

enum xcode store_entry_retire(struct db *db, long long entry_id, const char *on, const char *at,
                              struct xerr *e)
{
    if (db_exec(db, "UPDATE ledger_entries SET retired_on = ?2, updated_at = ?3 WHERE id = ?1",
                DB_ARGS(DI(entry_id), DS(on), DS(at)), e))
        return e->code;
    return db_exec(db, "UPDATE ledger_search SET retired_on = ?2 WHERE entry_id = ?1",
                   DB_ARGS(DI(entry_id), DS(on)), e);
}

/* The state of an entry on day ?1, derived as entry_state_on() (core/states.c)
 * does: retired from an approved retirement's date, expired past the end of
 * its period, retiring while the retirement's date is ahead, upcoming before
 * the period begins, else in use. R, F and T name the columns of the
 * retirement's date and the period's first and last day. */
#define STATE_CASE(R, F, T)                                                                        \
    "CASE WHEN " R " <= ?1 THEN 'retired' WHEN " T " < ?1 THEN 'expired' "                         \
    "WHEN " R " IS NOT NULL THEN 'retiring' WHEN " F " > ?1 THEN 'upcoming' ELSE 'active' END"
#define ENTRY_STATE_SQL STATE_CASE("e.retired_on", "v.period_from", "v.period_to")

#define ENTRY_COLUMNS                                                                              \
    "SELECT e.id, " ENTRY_STATE_SQL ", d.name, e.version, e.retired_on, e.created_at, "            \
    "e.updated_at, v.request_id, v.service_name, v.service_function, v.provider, v.purpose, "      \
    "v.confidentiality, v.integrity, v.availability, v.period_from, v.period_to, "                 \
    "v.applicant_department, v.applicant_name, v.scope, v.catalogue_id, s.category, "              \
    "e.service_id, e.department_id, " DETAIL_COLUMNS                                               \
    "FROM ledger_entries e JOIN departments d ON d.id = e.department_id "                          \
    "JOIN services s ON s.id = e.service_id "                                                      \
    "JOIN ledger_versions v ON v.entry_id = e.id AND v.version = e.version "                       \
    "JOIN users ru ON ru.id = v.recorded_by "

/* What a version keeps beside (ア)〜(キ): ten columns, read by details_to_json(). */
#define DETAIL_COLUMNS                                                                             \
    "v.cloud_provider, v.data_location, v.personal_information, v.approval_ref, v.approved_on, "   \
    "v.vendor_decided_on, v.conditions, v.recorded_at, ru.login, ru.name "

static const char *state_label(const char *state)
{
    int s = entry_state_parse(state);
    return s < 0 ? "" : entry_state_label((enum entry_state)s);
}

/* The details of DETAIL_COLUMNS from column `c` on: the cloud provider and
 * data location (別紙 4〜8, 11, 18), personal information, procurement
 * (5(2) 職務権限規程の決裁, 業者決定), the conditions of section 6 and the
 * approval that recorded the version (承認者・承認日). */
static void details_to_json(json_t *o, struct db_rows *rows, int c)
{
    json_t *svc = json_object_get(o, "service");
    json_object_set_new(svc, "cloud_provider", json_string(db_text(rows, c)));
    json_object_set_new(svc, "data_location", json_string(db_text(rows, c + 1)));
    json_object_set_new(o, "personal_information",
                        db_is_null(rows, c + 2) ? json_null() : json_boolean(db_int(rows, c + 2)));
    json_object_set_new(o, "procurement",
                        json_pack("{s:s, s:s, s:s}", "approval_ref", db_text(rows, c + 3),
                                  "approved_on", db_text(rows, c + 4), "vendor_decided_on",
                                  db_text(rows, c + 5)));
    json_t *conds = json_loads(db_text(rows, c + 6), 0, NULL);
    json_object_set_new(o, "conditions", json_is_array(conds) ? conds : json_array());
    if (conds && !json_is_array(conds))
        json_decref(conds);
    json_object_set_new(o, "approval",
                        json_pack("{s:s, s:s, s:s}", "at", db_text(rows, c + 7), "by",
                                  db_text(rows, c + 8), "by_name", db_text(rows, c + 9)));
}

/* The fields (ア)〜(キ) from columns starting at `c` (service_name). */
static void fields_to_json(json_t *o, struct db_rows *rows, int c)
{
    json_object_set_new(o, "service",
                        json_pack("{s:s, s:s, s:s}", "name", db_text(rows, c), "function",
                                  db_text(rows, c + 1), "provider", db_text(rows, c + 2)));
    json_object_set_new(o, "purpose", json_string(db_text(rows, c + 3)));
    json_object_set_new(o, "classification",
                        json_pack("{s:s, s:s, s:s}", "confidentiality", db_text(rows, c + 4),
                                  "integrity", db_text(rows, c + 5), "availability",
                                  db_text(rows, c + 6)));
    json_object_set_new(
        o, "period",
        json_pack("{s:s, s:s}", "from", db_text(rows, c + 7), "to", db_text(rows, c + 8)));
    json_object_set_new(
        o, "applicant",
        json_pack("{s:s, s:s}", "department", db_text(rows, c + 9), "name", db_text(rows, c + 10)));
    json_object_set_new(o, "scope", json_string(db_text(rows, c + 11)));
}

static json_t *entry_from_row(struct db_rows *rows)
{
    const char *state = db_text(rows, 1);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "id", (json_int_t)db_int(rows, 0),
                          "state", state, "state_label", state_label(state), "department",
                          db_text(rows, 2), "version", (json_int_t)db_int(rows, 3), "request_id",
                          (json_int_t)db_int(rows, 7));
    fields_to_json(o, rows, 8);
    json_object_set_new(json_object_get(o, "service"), "category", json_string(db_text(rows, 21)));
    json_object_set_new(o, "catalogue", json_string(db_text(rows, 20)));
    json_object_set_new(o, "retired_on",
                        db_is_null(rows, 4) ? json_null() : json_string(db_text(rows, 4)));
    json_object_set_new(o, "created_at", json_string(db_text(rows, 5)));
    json_object_set_new(o, "updated_at", json_string(db_text(rows, 6)));
    json_object_set_new(o, "service_id", json_integer(db_int(rows, 22)));
    details_to_json(o, rows, 24);
    return o;
}

/* Escape % _ and \ for LIKE ... ESCAPE '\'. Caller frees. */
static char *like_pattern(const char *q)
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

/* An entry still in use on ?1 (listed without --all): neither retired nor
 * expired; one not yet begun, or retiring, is listed. */
#define IN_USE_SQL "(x.retired_on IS NULL OR x.retired_on > ?1) AND x.period_to >= ?1"

/* The number of entries a bigram phrase (args[1]) matches, in use unless
 * `all`, without visiting every match: all matches minus the inactive ones
 * among them, counting from whichever side is smaller. */
static enum xcode count_matches(struct db *db, const struct db_val *args, bool all,
                                long long *total, struct xerr *e)
{
    long long matches = 0, inactive = 0, gone = 0;
    if (db_one_int(db, "SELECT count(*) FROM ledger_fts WHERE ledger_fts MATCH ?1", &args[1], 1,
                   &matches, NULL, e))
        return e->code;
    if (all) {
        *total = matches;
        return XOK;
    }
    if (db_one_int(db,
                   "SELECT (SELECT count(*) FROM ledger_search WHERE retired_on <= ?1) + "
                   "(SELECT count(*) FROM ledger_search WHERE period_to < ?1)",
                   &args[0], 1, &inactive, NULL, e))
        return e->code;
    if (matches <= inactive)
        return db_one_int(db,
                          "SELECT count(*) FROM ledger_fts f JOIN ledger_search x ON "
                          "x.entry_id = f.rowid WHERE ledger_fts MATCH ?2 AND " IN_USE_SQL,
                          args, 2, total, NULL, e);
    if (db_one_int(
            db,
            "SELECT count(*) FROM (SELECT entry_id FROM ledger_search WHERE retired_on <= ?1 "
            "UNION SELECT entry_id FROM ledger_search WHERE period_to < ?1) i "
            "WHERE i.entry_id IN (SELECT rowid FROM ledger_fts WHERE ledger_fts MATCH ?2)",
            args, 2, &gone, NULL, e))
        return e->code;
    *total = matches - gone;
    return XOK;
}

/* Run a ledger query: the total where `count` (else *total is left 0), and
 * fn(entry, arg) for each entry of the page in order, until fn returns
 * false. The entry is fn's to keep or release. */
static enum xcode ledger_run(struct db *db, const struct ledger_query *q, bool count,
                             bool (*fn)(json_t *entry, void *arg), void *arg, long long *total,
                             struct xerr *e)
{
    /* The filter is one WHERE clause with every parameter always bound, so
     * the statement text is fixed per sort order and cached. */
#define SEARCH_STATE_SQL STATE_CASE("x.retired_on", "x.period_from", "x.period_to")
#define FILTER_WHERE                                                                               \
    "(?3 IS NULL OR " SEARCH_STATE_SQL " = ?3) "                                                   \
    "AND (?4 = 1 OR ?3 IS NOT NULL OR (" IN_USE_SQL ")) "                                          \
    "AND (?5 = 0 OR x.department_id = ?5) AND (?6 IS NULL OR x.confidentiality = ?6) "
/* Two ways to match the text: a LIKE scan (no query, or one character),
 * or the bigram index (two or more characters). Without a bigram index
 * (PostgreSQL) always LIKE, over the same folded text, which its pg_trgm
 * index serves. */
#define LIKE_WHERE "WHERE (?2 IS NULL OR x.text LIKE ?2 ESCAPE '\\') AND " FILTER_WHERE
#define FTS_WHERE                                                                                  \
    "WHERE e.id IN (SELECT rowid FROM ledger_fts WHERE ledger_fts MATCH ?2) AND " FILTER_WHERE
#define SEARCH_JOIN "JOIN ledger_search x ON x.entry_id = e.id "
#define ORDERS(W)                                                                                  \
    {"id", ENTRY_COLUMNS SEARCH_JOIN W "ORDER BY e.id LIMIT ?7 OFFSET ?8"},                        \
        {"id-desc", ENTRY_COLUMNS SEARCH_JOIN W "ORDER BY e.id DESC LIMIT ?7 OFFSET ?8"},          \
        {"name", ENTRY_COLUMNS SEARCH_JOIN W                                                       \
         "ORDER BY v.service_name, v.service_function, e.id LIMIT ?7 OFFSET ?8"},                  \
        {"name-desc",                                                                              \
         ENTRY_COLUMNS SEARCH_JOIN W "ORDER BY v.service_name DESC, "                              \
                                     "v.service_function DESC, e.id DESC LIMIT ?7 OFFSET ?8"},     \
        {"period_to",                                                                              \
         ENTRY_COLUMNS SEARCH_JOIN W "ORDER BY v.period_to, e.id LIMIT ?7 OFFSET ?8"},             \
        {"period_to-desc",                                                                         \
         ENTRY_COLUMNS SEARCH_JOIN W "ORDER BY v.period_to DESC, e.id DESC LIMIT ?7 OFFSET ?8"},   \
        {"updated", ENTRY_COLUMNS SEARCH_JOIN W "ORDER BY e.updated_at, e.id LIMIT ?7 OFFSET ?8"}, \
    {                                                                                              \
        "updated-desc",                                                                            \
            ENTRY_COLUMNS SEARCH_JOIN W "ORDER BY e.updated_at DESC, e.id DESC LIMIT ?7 OFFSET ?8" \
    }
    static const char *const scan_sorts[][2] = {ORDERS(LIKE_WHERE)};
    static const char *const fts_sorts[][2] = {ORDERS(FTS_WHERE)};
    /* The default order (台帳番号) reads the index in rowid order and stops
     * after one page, instead of collecting every match first. */
    static const char fts_page_by_id[] =
        "SELECT e.id, " ENTRY_STATE_SQL ", d.name, e.version, e.retired_on, e.created_at, "
        "e.updated_at, v.request_id, v.service_name, v.service_function, v.provider, v.purpose, "
        "v.confidentiality, v.integrity, v.availability, v.period_from, v.period_to, "
        "v.applicant_department, v.applicant_name, v.scope, v.catalogue_id, s.category, "
        "e.service_id, e.department_id, " DETAIL_COLUMNS
        "FROM ledger_fts f JOIN ledger_search x ON x.entry_id = f.rowid "
        "JOIN ledger_entries e ON e.id = f.rowid JOIN departments d ON d.id = e.department_id "
        "JOIN services s ON s.id = e.service_id "
        "JOIN ledger_versions v ON v.entry_id = e.id AND v.version = e.version "
        "JOIN users ru ON ru.id = v.recorded_by "
        "WHERE ledger_fts MATCH ?2 AND " FILTER_WHERE "ORDER BY f.rowid LIMIT ?7 OFFSET ?8";
    static const char scan_count[] = "SELECT count(*) FROM ledger_search x " LIKE_WHERE;
    static const char fts_count[] =
        "SELECT count(*) FROM ledger_fts f JOIN ledger_search x ON x.entry_id = f.rowid "
        "WHERE ledger_fts MATCH ?2 AND " FILTER_WHERE;
    /* The query folded as the stored text is; one character or several is
     * decided on the folded form (ﾊﾟ is one, ﬀ two). */
    char *query = NULL;
    if (q->q && q->q[0] && !(query = text_fold(q->q)))
        return utf8_valid(q->q, strlen(q->q))
                   ? xerr_set(e, X_INTERNAL, "メモリが不足しています")
                   : xerr_set(e, X_INVALID, "検索語に UTF-8 として正しくない文字が含まれています");
    if (query && !query[0]) { /* only ignorable characters: no query */
        free(query);
        query = NULL;
    }
    struct sbuf phrase;
    sbuf_init(&phrase, 0);
    bool fts = false;
    if (query && db_bigram_fts(db)) {
        sbuf_adds(&phrase, "\"");
        fts = text_bigrams(query, &phrase) > 0;
        sbuf_adds(&phrase, "\"");
        if (phrase.overflow) {
            sbuf_release(&phrase);
            free(query);
            return xerr_set(e, X_INTERNAL, "メモリが不足しています");
        }
    }
    const char *const(*sorts)[2] = fts ? fts_sorts : scan_sorts;
    const char *count_sql = fts ? fts_count : scan_count;
    char key[32];
    snprintf(key, sizeof key, "%s%s", q->sort ? q->sort : "id", q->desc ? "-desc" : "");
    const char *sql = NULL;
    for (size_t i = 0; i < sizeof scan_sorts / sizeof scan_sorts[0]; i++)
        if (strcmp(sorts[i][0], key) == 0)
            sql = sorts[i][1];
    if (!sql) {
        sbuf_release(&phrase);
        free(query);
        return xerr_set(e, X_INVALID,
                        "並べ替え \"%s\" は id, name, period_to, updated のいずれかにしてください",
                        q->sort);
    }
    char *pattern = fts ? sbuf_detach(&phrase) : query ? like_pattern(query) : NULL;
    sbuf_release(&phrase);
    free(query);
    struct db_val args[] = {DS(q->today),
                            DS(pattern),
                            DS(q->state),
                            DI(q->all),
                            DI(q->department_id),
                            DS(q->confidentiality),
                            DI(q->limit > 0 ? q->limit : DB_NO_LIMIT),
                            DI(q->offset > 0 ? q->offset : 0)};
    bool found;
    enum xcode xc = XOK;
    struct db_rows *rows = NULL;
    *total = 0;
    if (fts && strcmp(key, "id") == 0)
        sql = fts_page_by_id;
    if (!count)
        ;
    else if (fts && !q->state && !q->department_id && !q->confidentiality)
        xc = count_matches(db, args, q->all, total, e);
    else
        xc = db_one_int(db, count_sql, args, 6, total, &found, e);
    if (!xc)
        xc = db_query(db, &rows, sql, args, 8, e);
    if (!xc) {
        int rc;
        while ((rc = db_next(rows, e)) == 1)
            if (!fn(entry_from_row(rows), arg))
                break;
        db_done(rows);
        if (rc < 0)
            xc = e->code;
    }
    free(pattern);
    return xc;
#undef SEARCH_STATE_SQL
#undef FILTER_WHERE
#undef LIKE_WHERE
#undef FTS_WHERE
#undef SEARCH_JOIN
#undef ORDERS
}

static bool collect_entry(json_t *entry, void *arr)
{
    json_array_append_new(arr, entry);
    return true;
}

enum xcode store_ledger_list(struct db *db, const struct ledger_query *q, json_t **out,
                             struct xerr *e)
{
    long long total;
    json_t *arr = json_array();
    if (ledger_run(db, q, true, collect_entry, arr, &total, e)) {
        json_decref(arr);
        return e->code;
    }
    *out = json_pack("{s:o, s:I}", "entries", arr, "total", (json_int_t)total);
    return XOK;
}

enum xcode store_ledger_each(struct db *db, const struct ledger_query *q,
                             bool (*fn)(json_t *entry, void *arg), void *arg, struct xerr *e)
{
    long long total;
    return ledger_run(db, q, false, fn, arg, &total, e);
}

enum xcode store_ledger_get(struct db *db, long long id, const char *today, bool with_versions,
                            json_t **out, struct xerr *e)
{
    struct db_rows *rows;
    *out = NULL;
    if (db_query(db, &rows, ENTRY_COLUMNS "WHERE e.id = ?2", DB_ARGS(DS(today), DI(id)), e))
        return e->code;
    int rc = db_next(rows, e);
    json_t *entry = rc == 1 ? entry_from_row(rows) : NULL;
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (!entry)
        return xerr_set(e, X_NOTFOUND, "台帳番号 %lld の登録はありません", id);
    if (with_versions) {
        if (db_query(db, &rows,
                     "SELECT v.version, v.request_id, v.kind, v.recorded_at, ru.login, "
                     "v.catalogue_id, v.service_name, v.service_function, v.provider, v.purpose, "
                     "v.confidentiality, v.integrity, v.availability, v.period_from, v.period_to, "
                     "v.applicant_department, v.applicant_name, v.scope, " DETAIL_COLUMNS
                     "FROM ledger_versions v JOIN users ru ON ru.id = v.recorded_by "
                     "WHERE v.entry_id = ?1 ORDER BY v.version",
                     DB_ARGS(DI(id)), e)) {
            json_decref(entry);
            return e->code;
        }
        json_t *versions = json_array();
        while ((rc = db_next(rows, e)) == 1) {
            json_t *v = json_pack(
                "{s:I, s:I, s:s, s:s, s:s, s:s}", "version", (json_int_t)db_int(rows, 0),
                "request_id", (json_int_t)db_int(rows, 1), "kind", db_text(rows, 2), "recorded_at",
                db_text(rows, 3), "recorded_by", db_text(rows, 4), "catalogue", db_text(rows, 5));
            fields_to_json(v, rows, 6);
            details_to_json(v, rows, 18);
            json_array_append_new(versions, v);
        }
        db_done(rows);
        if (rc < 0) {
            json_decref(versions);
            json_decref(entry);
            return e->code;
        }
        json_object_set_new(entry, "versions", versions);
    }
    *out = entry;
    return XOK;
}

enum xcode store_overview(struct db *db, const char *today, json_t **out, struct xerr *e)
{
#define STATE_OF STATE_CASE("x.retired_on", "x.period_from", "x.period_to")
#define STATE_COUNTS(...)                                                                          \
    json_pack("{s:i, s:i, s:i, s:i, s:i}", "upcoming", 0, "active", 0, "retiring", 0, "expired",   \
              0, "retired", 0)
    struct db_rows *rows;
    json_t *o = json_pack("{s:o, s:[], s:[], s:{}}", "entries", STATE_COUNTS(), "by_department",
                          "by_confidentiality", "requests");
    int rc;
    if (db_query(db, &rows,
                 "SELECT d.name, " STATE_OF ", count(*) FROM ledger_search x JOIN departments d "
                 "ON d.id = x.department_id GROUP BY d.name, 2 ORDER BY d.name",
                 DB_ARGS(DS(today)), e))
        goto fail;
    json_t *depts = json_object_get(o, "by_department"), *last = NULL;
    while ((rc = db_next(rows, e)) == 1) {
        const char *dept = db_text(rows, 0), *state = db_text(rows, 1);
        long long n = db_int(rows, 2);
        if (!last || strcmp(json_string_value(json_object_get(last, "department")), dept) != 0) {
            last = STATE_COUNTS();
            json_object_set_new(last, "department", json_string(dept));
            json_array_append_new(depts, last);
        }
        json_object_set_new(last, state, json_integer(n));
        json_t *tot = json_object_get(o, "entries");
        json_object_set_new(tot, state,
                            json_integer(json_integer_value(json_object_get(tot, state)) + n));
    }
    db_done(rows);
    if (rc < 0)
        goto fail;
    if (db_query(db, &rows,
                 "SELECT x.confidentiality, count(*) FROM ledger_search x WHERE " IN_USE_SQL
                 " GROUP BY 1 ORDER BY 1 DESC",
                 DB_ARGS(DS(today)), e))
        goto fail;
    while ((rc = db_next(rows, e)) == 1)
        json_array_append_new(json_object_get(o, "by_confidentiality"),
                              json_pack("{s:s, s:I}", "level", db_text(rows, 0), "active",
                                        (json_int_t)db_int(rows, 1)));
    db_done(rows);
    if (rc < 0)
        goto fail;
    if (db_query(db, &rows, "SELECT state, count(*) FROM requests GROUP BY state", DB_NOARGS, e))
        goto fail;
    while ((rc = db_next(rows, e)) == 1)
        json_object_set_new(json_object_get(o, "requests"), db_text(rows, 0),
                            json_integer(db_int(rows, 1)));
    db_done(rows);
    if (rc < 0)
        goto fail;
    *out = o;
    return XOK;
fail:
    json_decref(o);
    return e->code;
#undef STATE_OF
#undef STATE_COUNTS
}

/* --- API tokens ----------------------------------------------------- */

enum xcode store_token_insert(struct db *db, long long user_id, const char *token_hash,
                              const char *at, struct xerr *e)
{
    return db_exec(db,
                   "INSERT INTO api_tokens(user_id, token_hash, created_at) VALUES (?1, ?2, ?3)",
                   DB_ARGS(DI(user_id), DS(token_hash), DS(at)), e);
}

enum xcode store_token_user(struct db *db, const char *token_hash, long long *user_id,
                            struct xerr *e)
{
    bool found;
    if (db_one_int(db,
                   "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id "
                   "WHERE t.token_hash = ?1 AND u.active = 1",
                   DB_ARGS(DS(token_hash)), user_id, &found, e))
        return e->code;
    if (!found)
        return xerr_set(e, X_AUTH, "トークンが無効です");
    return XOK;
}
