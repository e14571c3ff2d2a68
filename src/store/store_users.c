/*
 * store_users.c - users, departments, roles and API tokens
 * (the queries of store.h, written once for every backend).
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    enum xcode rc = store_query_array(db, "SELECT id, name FROM departments ORDER BY name",
                                      DB_NOARGS, department_row, &arr, e);
    return store_listing(rc, "departments", false, arr, out);
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
    enum xcode rc =
        store_query_array(db, USER_COLUMNS "ORDER BY u.login", DB_NOARGS, user_row, &arr, e);
    return store_listing(rc, "users", false, arr, out);
}

/* --- API tokens ----------------------------------------------------- */

enum xcode store_token_insert(struct db *db, long long user_id, const char *token_hash,
                              const char *at, const char *expires_at, struct xerr *e)
{
    return db_exec(db,
                   "INSERT INTO api_tokens(user_id, token_hash, created_at, expires_at) "
                   "VALUES (?1, ?2, ?3, ?4)",
                   DB_ARGS(DI(user_id), DS(token_hash), DS(at), DS(expires_at)), e);
}

enum xcode store_token_user(struct db *db, const char *token_hash, const char *now,
                            long long *user_id, long long *token_id, char last_used[11],
                            char expires_at[21], struct xerr *e)
{
    struct db_rows *rows;
    if (db_query(db, &rows,
                 "SELECT t.user_id, t.id, t.last_used_on, t.expires_at FROM api_tokens t "
                 "JOIN users u ON u.id = t.user_id "
                 "WHERE t.token_hash = ?1 AND u.active = 1 AND t.expires_at > ?2",
                 DB_ARGS(DS(token_hash), DS(now)), e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1) {
        *user_id = db_int(rows, 0);
        *token_id = db_int(rows, 1);
        snprintf(last_used, 11, "%s", db_is_null(rows, 2) ? "" : db_text(rows, 2));
        snprintf(expires_at, 21, "%s", db_text(rows, 3));
    }
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (rc == 0)
        return xerr_set(e, X_AUTH, "トークンが無効です（期限切れ・失効を含む）");
    return XOK;
}

enum xcode store_token_touch(struct db *db, long long token_id, const char *today, struct xerr *e)
{
    return db_exec(db,
                   "UPDATE api_tokens SET last_used_on = ?2 WHERE id = ?1 AND "
                   "(last_used_on IS NULL OR last_used_on < ?2)",
                   DB_ARGS(DI(token_id), DS(today)), e);
}

static json_t *token_row(struct db_rows *rows)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s?}", "id", (json_int_t)db_int(rows, 0), "login",
                     db_text(rows, 1), "created_at", db_text(rows, 2), "expires_at",
                     db_is_null(rows, 3) ? NULL : db_text(rows, 3), "last_used_on",
                     db_is_null(rows, 4) ? NULL : db_text(rows, 4));
}

enum xcode store_token_list(struct db *db, long long user_id, json_t **out, struct xerr *e)
{
    json_t *arr = NULL;
    enum xcode rc = store_query_array(
        db,
        user_id ? "SELECT t.id, u.login, t.created_at, t.expires_at, t.last_used_on "
                  "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = ?1 "
                  "ORDER BY t.id"
                : "SELECT t.id, u.login, t.created_at, t.expires_at, t.last_used_on "
                  "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE ?1 = 0 "
                  "ORDER BY t.id",
        DB_ARGS(DI(user_id)), token_row, &arr, e);
    return store_listing(rc, "tokens", true, arr, out);
}

enum xcode store_token_owner(struct db *db, long long token_id, long long *user_id, bool *found,
                             struct xerr *e)
{
    return db_one_int(db, "SELECT user_id FROM api_tokens WHERE id = ?1", DB_ARGS(DI(token_id)),
                      user_id, found, e);
}

enum xcode store_token_delete(struct db *db, long long token_id, struct xerr *e)
{
    return db_exec(db, "DELETE FROM api_tokens WHERE id = ?1", DB_ARGS(DI(token_id)), e);
}

enum xcode store_user_end_credentials(struct db *db, long long user_id, struct xerr *e)
{
    if (db_exec(db, "DELETE FROM sessions WHERE user_id = ?1", DB_ARGS(DI(user_id)), e))
        return e->code;
    return db_exec(db, "DELETE FROM api_tokens WHERE user_id = ?1", DB_ARGS(DI(user_id)), e);
}
