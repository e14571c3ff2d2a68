/*
 * admin.c - opening and initializing the database, catalogue versions,
 * users, API tokens and the audit log; see workflow.h.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../embedded.h"
#include "access.h"
#include "internal.h"
#include "token_cache.h"
#include "workflow.h"

#define BUNDLED_CATALOGUE "catalogue/shunan-2023.json"
/* Argon2id cost: OWASP's 19 MiB, 2 passes; interactive sign-in stays fast
 * and a server's memory stays small. */
#define PWHASH_OPS 2
#define PWHASH_MEM (19u << 20)

static const char *actor_name(const struct user *actor)
{
    return actor ? actor->login : "system";
}

enum xcode wf_open(const char *url, struct db **out, struct xerr *e)
{
    if (sodium_init() < 0)
        return xerr_set(e, X_INTERNAL, "libsodium を初期化できません");
    if (db_open(url, DB_OPEN_EXISTING, out, e))
        return e->code;
    if (store_check_version(*out, e)) {
        db_close(*out);
        *out = NULL;
        return e->code;
    }
    return XOK;
}

enum xcode wf_open_present(const char *url, struct db **out, struct xerr *e)
{
    if (sodium_init() < 0)
        return xerr_set(e, X_INTERNAL, "libsodium を初期化できません");
    if (db_open(url, DB_OPEN_PRESENT, out, e))
        return e->code;
    if (*out && store_check_version(*out, e)) {
        db_close(*out);
        *out = NULL;
        return e->code;
    }
    return XOK;
}

enum xcode wf_catalogue_bundled(struct catalogue *out, struct xerr *e)
{
    const struct embedded_file *f = embedded_find(BUNDLED_CATALOGUE);
    if (!f)
        return xerr_set(e, X_INTERNAL, "同梱のカタログがありません");
    return catalogue_parse_text(f->data, f->size, out, e);
}

/* Catalogue versions never change once loaded, so each is parsed once per
 * process and copied out from here (the server's threads share it). */
static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct catalogue g_cache[16];
static int g_nCache;

enum xcode wf_catalogue_by_id(struct db *db, const char *id, struct catalogue *out, struct xerr *e)
{
    enum xcode rc = X_NOTFOUND;
    pthread_mutex_lock(&g_cache_lock);
    for (int i = 0; i < g_nCache; i++)
        if (strcmp(g_cache[i].id, id) == 0)
            rc = catalogue_copy(&g_cache[i], out, e);
    pthread_mutex_unlock(&g_cache_lock);
    if (rc != X_NOTFOUND)
        return rc;
    char *body;
    if (store_catalogue_get(db, id, &body, e))
        return e->code;
    struct catalogue parsed;
    rc = catalogue_parse_text(body, strlen(body), &parsed, e);
    free(body);
    if (rc)
        return rc;
    rc = catalogue_copy(&parsed, out, e);
    pthread_mutex_lock(&g_cache_lock);
    bool cached = false;
    for (int i = 0; i < g_nCache; i++)
        cached |= strcmp(g_cache[i].id, id) == 0;
    if (!cached && g_nCache < (int)(sizeof g_cache / sizeof g_cache[0]))
        g_cache[g_nCache++] = parsed;
    else
        catalogue_release(&parsed);
    pthread_mutex_unlock(&g_cache_lock);
    return rc;
}

enum xcode wf_catalogue_current(struct db *db, struct catalogue *out, struct xerr *e)
{
    if (!db)
        return wf_catalogue_bundled(out, e);
    struct db_rows *rows;
    if (db_query(db, &rows, "SELECT id FROM catalogues WHERE in_force = 1", DB_NOARGS, e))
        return e->code;
    int rc = db_next(rows, e);
    char *id = rc == 1 ? db_dup(rows, 0) : NULL;
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (!id)
        return xerr_set(e, X_STORE, "施行中のカタログがありません。extsvc init を実行してください");
    enum xcode xc = wf_catalogue_by_id(db, id, out, e);
    free(id);
    return xc;
}

/* Store catalogue `cat` (its canonical JSON) as a new version. */
static enum xcode add_catalogue(struct db *db, const struct user *actor,
                                const struct catalogue *cat, bool put_in_force, struct xerr *e)
{
    char *body = json_dumps(cat->json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    enum xcode rc = store_catalogue_insert(db, cat->id, cat->title, cat->effective, body,
                                           actor ? actor->id : 0, e);
    if (!rc && put_in_force)
        rc = store_catalogue_put_in_force(db, cat->id, e);
    if (!rc) {
        char object[96];
        snprintf(object, sizeof object, "catalogue:%s", cat->id);
        json_t *after =
            json_pack("{s:s, s:s, s:s, s:b, s:I, s:I}", "id", cat->id, "title", cat->title,
                      "effective", cat->effective, "in_force", put_in_force, "requirements",
                      (json_int_t)cat->nReqs, "risks", (json_int_t)cat->nRisks);
        rc = audit_append(db, actor_name(actor), "catalogue.load", object, NULL, after, e);
        json_decref(after);
    }
    free(body);
    return rc;
}

enum xcode wf_init(const char *url, struct db **out, struct xerr *e)
{
    *out = NULL;
    if (sodium_init() < 0)
        return xerr_set(e, X_INTERNAL, "libsodium を初期化できません");
    struct db *db;
    if (db_open(url, DB_OPEN_CREATE, &db, e))
        return e->code;
    struct catalogue cat;
    enum xcode rc = wf_catalogue_bundled(&cat, e);
    if (rc) {
        db_close(db);
        return rc;
    }
    if ((rc = db_begin_write(db, e)))
        goto out;
    if ((rc = store_migrate(db, e)) || (rc = audit_key_ensure(db, e)) ||
        (rc = audit_begin_keyed(db, e)))
        goto fail;
    char *body = NULL, *id = NULL;
    bool found;
    if ((rc = store_catalogue_find(db, cat.id, &body, &found, e)))
        goto fail;
    free(body);
    if (!found) {
        /* Put the bundled catalogue in force only where none is. */
        enum xcode none = store_catalogue_in_force(db, &id, &body, e);
        free(id);
        free(body);
        xerr_clear(e);
        if ((rc = add_catalogue(db, NULL, &cat, none != XOK, e)))
            goto fail;
    }
    if ((rc = db_commit(db, e)))
        goto out;
    *out = db;
    catalogue_release(&cat);
    return XOK;
fail:
    db_rollback(db);
out:
    catalogue_release(&cat);
    db_close(db);
    return rc;
}

enum xcode wf_catalogue_load(struct db *db, const struct user *actor, const char *text, size_t n,
                             char **id, struct xerr *e)
{
    struct catalogue cat;
    if (access_catalogue(actor, e))
        return e->code;
    if (!utf8_valid(text, n))
        return xerr_set(e, X_INVALID, "カタログ: UTF-8 として正しくない文字が含まれています");
    if (catalogue_parse_text(text, n, &cat, e))
        return e->code;
    enum xcode rc = db_begin_write(db, e);
    if (rc) {
        catalogue_release(&cat);
        return rc;
    }
    char *body = NULL;
    bool found;
    if ((rc = store_catalogue_find(db, cat.id, &body, &found, e)))
        goto fail;
    free(body);
    if (found) {
        rc = xerr_set(e, X_INVALID,
                      "カタログ '%s' は読み込み済みです。新しい版には新しい id を付けてください",
                      cat.id);
        goto fail;
    }
    if ((rc = add_catalogue(db, actor, &cat, true, e)))
        goto fail;
    if ((rc = db_commit(db, e)))
        goto out;
    *id = strdup(cat.id);
    goto out;
fail:
    db_rollback(db);
out:
    catalogue_release(&cat);
    return rc;
}

/* --- users ---------------------------------------------------------- */

enum xcode wf_actor(struct db *db, const char *login, struct user *out, struct xerr *e)
{
    if (store_user_by_login(db, login, out, e))
        return e->code == X_NOTFOUND
                   ? xerr_set(e, X_AUTH, "利用者 '%s' は登録されていません", login)
                   : e->code;
    if (!out->active) {
        user_release(out);
        return xerr_set(e, X_AUTH, "利用者 '%s' は無効になっています", login);
    }
    return XOK;
}

static enum xcode hash_password(const char *password, char **out, struct xerr *e)
{
    *out = NULL;
    if (!password)
        return XOK;
    size_t n = strlen(password);
    if (n < 8 || n > 256 || !utf8_valid(password, n))
        return xerr_set(e, X_INVALID, "パスワードは 8〜256 バイトの UTF-8 文字列にしてください");
    char buf[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(buf, password, n, PWHASH_OPS, PWHASH_MEM,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return xerr_set(e, X_INTERNAL, "パスワードのハッシュ化に失敗しました（メモリ不足）");
    *out = strdup(buf);
    return XOK;
}

static enum xcode check_user_fields(const char *login, const char *name, const char *department,
                                    struct xerr *e)
{
    if (login) {
        size_t n = strlen(login);
        if (n == 0 || n > 64)
            return xerr_set(e, X_INVALID, "ログイン名は 1〜64 文字にしてください");
        for (const char *p = login; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
                return xerr_set(e, X_INVALID, "ログイン名には英数字と . _ - のみ使えます: '%s'",
                                login);
    }
    const char *texts[] = {name, department};
    const char *labels[] = {"氏名", "所属"};
    for (int i = 0; i < 2; i++)
        if (texts[i] && (text_is_blank(texts[i]) || strlen(texts[i]) > 200 ||
                         !utf8_valid(texts[i], strlen(texts[i]))))
            return xerr_set(e, X_INVALID,
                            "%sは 200 バイトまでの空でない UTF-8 文字列にしてください", labels[i]);
    return XOK;
}

enum xcode wf_user_add(struct db *db, const struct user *actor, const char *login, const char *name,
                       const char *department, unsigned roles, const char *password, long long *id,
                       struct xerr *e)
{
    if (access_users(actor, e) || check_user_fields(login, name, department, e))
        return e->code;
    if (!name || !department)
        return xerr_set(e, X_INVALID, "--name と --dept を指定してください");
    if (!roles)
        return xerr_set(e, X_INVALID, "--role を指定してください");
    char *hash;
    if (hash_password(password, &hash, e))
        return e->code;
    enum xcode rc = db_begin_write(db, e);
    if (rc) {
        free(hash);
        return rc;
    }
    struct user u = {.login = (char *)login,
                     .name = (char *)name,
                     .roles = roles,
                     .password_hash = hash,
                     .active = true,
                     .department = (char *)department};
    long long exists;
    bool found;
    if ((rc = db_one_int(db, "SELECT id FROM users WHERE login = ?1", DB_ARGS(DS(login)), &exists,
                         &found, e)))
        goto fail;
    if (found) {
        rc = xerr_set(e, X_INVALID, "利用者 '%s' は登録済みです", login);
        goto fail;
    }
    if ((rc = store_department_id(db, department, &u.department_id, e)) ||
        (rc = store_user_insert(db, &u, id, e)))
        goto fail;
    u.id = *id;
    {
        json_t *after = user_to_json(&u);
        char object[96];
        snprintf(object, sizeof object, "user:%s", login);
        rc = audit_append(db, actor_name(actor), "user.add", object, NULL, after, e);
        json_decref(after);
    }
    if (rc)
        goto fail;
    rc = db_commit(db, e);
    free(hash);
    return rc;
fail:
    db_rollback(db);
    free(hash);
    return rc;
}

enum xcode wf_user_update(struct db *db, const struct user *actor, const char *login,
                          const char *name, const char *department, unsigned roles, int active,
                          const char *password, struct xerr *e)
{
    if (access_users(actor, e) || check_user_fields(NULL, name, department, e))
        return e->code;
    char *hash;
    if (hash_password(password, &hash, e))
        return e->code;
    struct user u;
    memset(&u, 0, sizeof u);
    enum xcode rc = db_begin_write(db, e);
    if (rc) {
        free(hash);
        return rc;
    }
    if ((rc = store_user_by_login(db, login, &u, e)))
        goto fail;
    json_t *before = user_to_json(&u);
    bool was_admin = u.active && (u.roles & ROLE_ADMIN);
    if (name) {
        free(u.name);
        u.name = strdup(name);
    }
    if (department) {
        free(u.department);
        u.department = strdup(department);
        if ((rc = store_department_id(db, department, &u.department_id, e))) {
            json_decref(before);
            goto fail;
        }
    }
    if (roles)
        u.roles = roles;
    if (active >= 0)
        u.active = active != 0;
    if (hash) {
        free(u.password_hash);
        u.password_hash = hash;
        hash = NULL;
    }
    /* Someone must be left to manage users, and no admin locks themself out. */
    if (actor && actor->id == u.id && !u.active) {
        json_decref(before);
        rc = xerr_set(e, X_STATE, "自分自身を無効にはできません");
        goto fail;
    }
    if (!u.active || !(u.roles & ROLE_ADMIN)) {
        long long others = 0;
        if ((rc = db_one_int(db,
                             "SELECT count(*) FROM users WHERE active = 1 AND id <> ?1 AND "
                             "(',' || roles || ',') LIKE '%,admin,%'",
                             DB_ARGS(DI(u.id)), &others, NULL, e))) {
            json_decref(before);
            goto fail;
        }
        if (was_admin && others == 0) {
            json_decref(before);
            rc = xerr_set(e, X_STATE,
                          "有効な利用者管理担当（admin）が一人もいなくなるため、変更できません");
            goto fail;
        }
    }
    json_t *after = user_to_json(&u);
    if (password)
        json_object_set_new(after, "password_changed", json_true());
    char object[96];
    snprintf(object, sizeof object, "user:%s", login);
    if (!(rc = store_user_update(db, &u, e)))
        rc = audit_append(db, actor_name(actor), "user.update", object, before, after, e);
    /* A new password or a disabled user ends the user's sessions and API
     * tokens: whoever held the old password, or a token made with it,
     * holds nothing now. */
    if (!rc && (password || !u.active))
        rc = store_user_end_credentials(db, u.id, e);
    json_decref(before);
    json_decref(after);
    if (rc)
        goto fail;
    rc = db_commit(db, e);
    user_release(&u);
    return rc;
fail:
    db_rollback(db);
    user_release(&u);
    free(hash);
    return rc;
}

enum xcode wf_user_list(struct db *db, const struct user *actor, json_t **out, struct xerr *e)
{
    if (access_users(actor, e))
        return e->code;
    return store_user_list(db, out, e);
}

/* A hash of a random password, made once with the same cost as real ones:
 * what an unknown login is checked against. */
static char g_dummy_hash[crypto_pwhash_STRBYTES];
static void make_dummy_hash(void)
{
    char pw[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
    if (crypto_pwhash_str_alg(g_dummy_hash, pw, strlen(pw), PWHASH_OPS, PWHASH_MEM,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        g_dummy_hash[0] = '\0';
}

enum xcode wf_check_password(struct db *db, const char *login, const char *password,
                             struct user *out, enum signin_result *why, struct xerr *e)
{
    static const char refused[] = "ログイン名またはパスワードが違います";
    memset(out, 0, sizeof *out);
    *why = SIGNIN_WRONG;
    if (!login || !password || strlen(password) > 256)
        return xerr_set(e, X_AUTH, refused);
    struct xerr ignore;
    bool found = true;
    if (store_user_by_login(db, login, out, &ignore)) {
        if (ignore.code != X_NOTFOUND)
            return xerr_set(e, ignore.code, "%s", ignore.msg);
        found = false;
    }
    /* One Argon2id verification whatever the account, so that the time
     * to refuse does not tell an unknown login or a disabled account from
     * a wrong password: those are checked against a hash of nothing. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_dummy_hash);
    const char *hash = found && out->password_hash ? out->password_hash : g_dummy_hash;
    bool match = hash[0] && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    if (!found) {
        *why = SIGNIN_UNKNOWN;
        return xerr_set(e, X_AUTH, refused);
    }
    if (!out->active || !out->password_hash || !match) {
        *why = !out->active ? SIGNIN_DISABLED : SIGNIN_WRONG;
        user_release(out);
        return xerr_set(e, X_AUTH, refused);
    }
    *why = SIGNIN_OK;
    return XOK;
}

enum xcode wf_authenticate(struct db *db, const char *login, const char *password, struct user *out,
                           struct xerr *e)
{
    enum signin_result why;
    return wf_check_password(db, login, password, out, &why, e);
}

static void token_hash(const char *token, char *out)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, h, sizeof h);
}

enum xcode wf_token_create(struct db *db, const struct user *actor, int days, char **token,
                           struct xerr *e)
{
    if (!actor)
        return xerr_set(e, X_INVALID, "--as でトークンを発行する利用者を指定してください");
    if (days < 1 || days > TOKEN_MAX_DAYS)
        return xerr_set(e, X_INVALID, "有効期間は 1〜%d 日です", TOKEN_MAX_DAYS);
    unsigned char raw[32];
    char hex[65], hash[65], now[21], expires[21];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    char *t = malloc(4 + 65);
    if (!t)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    snprintf(t, 4 + 65, "ext_%s", hex);
    token_hash(t, hash);
    store_now(now);
    store_time_in((long long)days * 86400, expires);
    enum xcode rc = db_begin_write(db, e);
    if (!rc && !(rc = store_token_insert(db, actor->id, hash, now, expires, e))) {
        char object[96];
        snprintf(object, sizeof object, "user:%s", actor->login);
        json_t *after = json_pack("{s:s%, s:s, s:s}", "token_sha256_prefix", hash, (size_t)12,
                                  "created_at", now, "expires_at", expires);
        rc = audit_append(db, actor->login, "token.create", object, NULL, after, e);
        json_decref(after);
    }
    if (!rc)
        rc = db_commit(db, e);
    else
        db_rollback(db);
    if (rc) {
        free(t);
        return rc;
    }
    *token = t;
    return XOK;
}

enum xcode wf_token_user(struct db *db, const char *token, struct user *out, struct xerr *e)
{
    char hash[65], now[21], last[11], expires[21];
    long long uid, tid, gen;
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) != 68 || strncmp(token, "ext_", 4) != 0)
        return xerr_set(e, X_AUTH, "トークンが無効です");
    token_hash(token, hash);
    store_now(now);
    /* The count first: a change committed after it shows as a new count
     * on the next request, which then looks the token up again. */
    if (store_cred_gen(db, &gen, e))
        return e->code;
    if (!token_cache_get(hash, gen, now, out, &tid, last)) {
        if (store_token_user(db, hash, now, &uid, &tid, last, expires, e) ||
            store_user_by_id(db, uid, out, e))
            return e->code;
        token_cache_put(hash, gen, out, tid, expires, last);
    }
    /* The day it was last used, written once a day; a read-only database
     * (a standby) is no reason to refuse the token. */
    if (strncmp(last, now, 10) != 0) {
        char today[11];
        snprintf(today, sizeof today, "%.10s", now);
        struct xerr ignore;
        if (!store_token_touch(db, tid, today, &ignore))
            token_cache_used(hash, today);
    }
    return XOK;
}

/* May actor see or revoke the tokens of user_id? Their own; admin anyone's. */
static enum xcode token_access(const struct user *actor, long long user_id, struct xerr *e)
{
    if (!actor)
        return xerr_set(e, X_INVALID, "--as で利用者を指定してください");
    if (actor->id != user_id && !has_role(actor, ROLE_ADMIN))
        return xerr_set(e, X_FORBIDDEN,
                        "ほかの利用者のトークンは利用者管理担当（admin）だけが扱えます");
    return XOK;
}

enum xcode wf_token_list(struct db *db, const struct user *actor, const char *login, json_t **out,
                         struct xerr *e)
{
    long long uid = actor ? actor->id : 0;
    if (login && strcmp(login, "*") == 0)
        uid = 0;
    else if (login) {
        struct user u;
        if (store_user_by_login(db, login, &u, e))
            return e->code;
        uid = u.id;
        user_release(&u);
    }
    if (!actor || (uid == 0 ? !has_role(actor, ROLE_ADMIN) : false))
        return xerr_set(e, X_FORBIDDEN, "全員のトークンは利用者管理担当（admin）だけが見られます");
    if (uid && token_access(actor, uid, e))
        return e->code;
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_token_list(db, uid, out, e);
    db_rollback(db);
    if (!rc) {
        char now[21];
        store_now(now);
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(*out, "tokens"), i, t)
        {
            const char *exp = json_string_value(json_object_get(t, "expires_at"));
            json_object_set_new(t, "expired", json_boolean(!exp || strcmp(exp, now) <= 0));
        }
    }
    return rc;
}

enum xcode wf_token_revoke(struct db *db, const struct user *actor, long long id, struct xerr *e)
{
    long long owner = 0;
    bool found = false;
    enum xcode rc = db_begin_write(db, e);
    if (!rc && !(rc = store_token_owner(db, id, &owner, &found, e)) && !found)
        rc = xerr_set(e, X_NOTFOUND, "トークン #%lld はありません", id);
    if (!rc && (rc = token_access(actor, owner, e)) == X_FORBIDDEN)
        rc = xerr_set(e, X_NOTFOUND, "トークン #%lld はありません", id); /* not even whether */
    struct user u;
    memset(&u, 0, sizeof u);
    if (!rc)
        rc = store_user_by_id(db, owner, &u, e);
    if (!rc && !(rc = store_token_delete(db, id, e))) {
        char object[96];
        snprintf(object, sizeof object, "user:%s", u.login);
        json_t *before = json_pack("{s:I}", "token", (json_int_t)id);
        rc = audit_append(db, actor->login, "token.revoke", object, before, NULL, e);
        json_decref(before);
    }
    user_release(&u);
    if (!rc)
        return db_commit(db, e);
    db_rollback(db);
    return rc;
}

/* --- audit ---------------------------------------------------------- */

enum xcode wf_audit_list(struct db *db, const struct user *actor, const struct audit_filter *f,
                         json_t **out, struct xerr *e)
{
    if (access_audit(actor, e))
        return e->code;
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = audit_list(db, f, out, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_audit_verify(struct db *db, const struct user *actor, const char *expect_head,
                           bool *ok, json_t **report, struct xerr *e)
{
    if (access_audit(actor, e))
        return e->code;
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = audit_verify(db, expect_head, ok, report, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_audit_head(struct db *db, const struct user *actor, char out[96], struct xerr *e)
{
    if (access_audit(actor, e))
        return e->code;
    return audit_newest(db, out, e);
}
