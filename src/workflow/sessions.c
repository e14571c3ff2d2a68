/*
 * sessions.c - sign-in sessions of the web application and the throttle
 * of failed sign-ins; see sessions.h.
 */
#include "sessions.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "workflow.h"

static void sha256_hex(const char *s, char *out)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void random_hex(char *out, size_t nBytes)
{
    unsigned char raw[32];
    randombytes_buf(raw, nBytes);
    sodium_bin2hex(out, nBytes * 2 + 1, raw, nBytes);
}

static long long now_s(void)
{
    return (long long)time(NULL);
}

/* Is `key` locked out? */
static enum xcode throttled(struct db *db, const char *key, bool *locked, struct xerr *e)
{
    long long until = 0;
    bool found;
    if (db_one_int(db, "SELECT locked_until FROM login_failures WHERE key = ?1", DB_ARGS(DS(key)),
                   &until, &found, e))
        return e->code;
    *locked = found && until > now_s();
    return XOK;
}

/* Count one failure for `key`; lock it at the limit. */
static enum xcode count_failure(struct db *db, const char *key, const struct throttle *t,
                                struct xerr *e)
{
    long long now = now_s();
    if (db_exec(db,
                "INSERT INTO login_failures(key, failures, window_start) VALUES (?1, 1, ?2) "
                "ON CONFLICT(key) DO UPDATE SET "
                /* the row's own columns named with the table's name: bare,
                 * PostgreSQL cannot tell them from excluded.* */
                "failures = CASE WHEN login_failures.window_start < ?2 - ?3 THEN 1 "
                "ELSE login_failures.failures + 1 END, "
                "window_start = CASE WHEN login_failures.window_start < ?2 - ?3 THEN ?2 "
                "ELSE login_failures.window_start END",
                DB_ARGS(DS(key), DI(now), DI(t->window)), e))
        return e->code;
    return db_exec(db,
                   "UPDATE login_failures SET locked_until = ?2 + ?3, failures = 0, "
                   "window_start = ?2 WHERE key = ?1 AND failures >= ?4",
                   DB_ARGS(DS(key), DI(now), DI(t->lockout), DI(t->max_failures)), e);
}

enum xcode wf_session_signin(struct db *db, const char *login, const char *password,
                             const char *address, const struct throttle *t, struct session *out,
                             struct xerr *e)
{
    char kLogin[160], kAddr[96];
    memset(out, 0, sizeof *out);
    snprintf(kLogin, sizeof kLogin, "login:%.128s", login ? login : "");
    snprintf(kAddr, sizeof kAddr, "addr:%.64s", address ? address : "");
    bool lockedLogin = false, lockedAddr = false;
    if (throttled(db, kLogin, &lockedLogin, e) || throttled(db, kAddr, &lockedAddr, e))
        return e->code;
    if (lockedLogin || lockedAddr)
        return xerr_set(e, X_THROTTLED,
                        "サインインの失敗が続いたため、しばらくサインインできません。%lld "
                        "分後に再度お試しください",
                        (long long)(t->lockout / 60));
    struct user u;
    struct xerr authErr = {0};
    if (wf_authenticate(db, login, password, &u, &authErr)) {
        if (authErr.code != X_AUTH)
            return xerr_set(e, authErr.code, "%s", authErr.msg);
        if (db_begin_write(db, e))
            return e->code;
        /* Old failures go as new ones come, so random logins do not pile up. */
        if (db_exec(db, "DELETE FROM login_failures WHERE window_start < ?1 AND locked_until < ?2",
                    DB_ARGS(DI(now_s() - t->window), DI(now_s())), e) ||
            count_failure(db, kLogin, t, e) || count_failure(db, kAddr, t, e)) {
            db_rollback(db);
            return e->code;
        }
        if (db_commit(db, e))
            return e->code;
        return xerr_set(e, X_AUTH, "%s", authErr.msg);
    }
    random_hex(out->id, 32);
    random_hex(out->csrf, 32);
    char hash[65];
    sha256_hex(out->id, hash);
    long long now = now_s();
    enum xcode rc = db_begin_write(db, e);
    if (!rc)
        rc = db_exec(
            db,
            "INSERT INTO sessions(id_hash, user_id, csrf, created_at, last_seen, address) "
            "VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            DB_ARGS(DS(hash), DI(u.id), DS(out->csrf), DI(now), DS(address ? address : "")), e);
    if (!rc)
        rc = db_exec(db, "DELETE FROM login_failures WHERE key = ?1", DB_ARGS(DS(kLogin)), e);
    /* Expired sessions of anyone go now and then; cheap with the index. */
    if (!rc)
        rc = db_exec(db, "DELETE FROM sessions WHERE last_seen < ?1 OR created_at < ?2",
                     DB_ARGS(DI(now - t->idle), DI(now - t->absolute)), e);
    if (!rc)
        rc = db_commit(db, e);
    else
        db_rollback(db);
    if (rc) {
        user_release(&u);
        return rc;
    }
    out->user = u;
    return XOK;
}

enum xcode wf_session_resume(struct db *db, const char *id, const struct throttle *t,
                             struct session *out, struct xerr *e)
{
    memset(out, 0, sizeof *out);
    if (!id || strlen(id) != 64)
        return xerr_set(e, X_AUTH, "サインインしてください");
    char hash[65];
    sha256_hex(id, hash);
    struct db_rows *rows;
    if (db_query(db, &rows,
                 "SELECT user_id, csrf, created_at, last_seen FROM sessions WHERE id_hash = ?1",
                 DB_ARGS(DS(hash)), e))
        return e->code;
    int rc = db_next(rows, e);
    long long uid = 0, created = 0, seen = 0;
    if (rc == 1) {
        uid = db_int(rows, 0);
        snprintf(out->csrf, sizeof out->csrf, "%s", db_text(rows, 1));
        created = db_int(rows, 2);
        seen = db_int(rows, 3);
    }
    db_done(rows);
    if (rc < 0)
        return e->code;
    long long now = now_s();
    if (rc == 0 || seen < now - t->idle || created < now - t->absolute)
        return xerr_set(e, X_AUTH,
                        "セッションの有効期限が切れました。もう一度サインインしてください");
    if (store_user_by_id(db, uid, &out->user, e))
        return e->code == X_NOTFOUND ? xerr_set(e, X_AUTH, "サインインしてください") : e->code;
    if (!out->user.active) {
        user_release(&out->user);
        return xerr_set(e, X_AUTH, "利用者が無効になっています");
    }
    snprintf(out->id, sizeof out->id, "%s", id);
    /* Touch at most once a minute, so reads stay reads. */
    if (seen < now - 60 && db_exec(db, "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1",
                                   DB_ARGS(DS(hash), DI(now)), e) != XOK) {
        xerr_clear(e); /* a busy database must not sign anyone out */
    }
    return XOK;
}

enum xcode wf_session_signout(struct db *db, const char *id, struct xerr *e)
{
    char hash[65];
    if (!id)
        return XOK;
    sha256_hex(id, hash);
    return db_exec(db, "DELETE FROM sessions WHERE id_hash = ?1", DB_ARGS(DS(hash)), e);
}

void session_release(struct session *s)
{
    user_release(&s->user);
    sodium_memzero(s->id, sizeof s->id);
}
