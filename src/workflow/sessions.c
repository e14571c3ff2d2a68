/*
 * sessions.c - sign-in sessions of the web application and the throttle
 * of failed sign-ins; see sessions.h.
 */
#include "sessions.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/text.h"
#include "../store/audit.h"
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

/* An address is held back at this many times an account's failures. */
#define ADDRESS_FACTOR 10

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

/* Count one failure for `key`; lock it at `max` within the window. */
static enum xcode count_failure(struct db *db, const char *key, const struct throttle *t,
                                long long max, struct xerr *e)
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
                   DB_ARGS(DS(key), DI(now), DI(t->lockout), DI(max)), e);
}

/* One record of the attempt in the audit log: who tried (the login as
 * typed; never the password), from where, and what came of it. */
static enum xcode audit_signin(struct db *db, const char *login, const char *address,
                               const char *result, struct xerr *e)
{
    char who[136], object[160];
    snprintf(who, sizeof who, "%.128s", login && *login ? login : "(空)");
    if (!utf8_valid(who, strlen(who)))
        snprintf(who, sizeof who, "(UTF-8 として正しくないログイン名)");
    snprintf(object, sizeof object, "user:%s", who);
    json_t *after = json_pack("{s:s, s:s}", "address", address ? address : "", "result", result);
    enum xcode rc = audit_append(db, who, "session.signin", object, NULL, after, e);
    json_decref(after);
    return rc;
}

static const char *result_name(enum signin_result why)
{
    switch (why) {
    case SIGNIN_OK:
        return "ok";
    case SIGNIN_UNKNOWN:
        return "unknown-login";
    case SIGNIN_DISABLED:
        return "disabled";
    case SIGNIN_WRONG:
        break;
    }
    return "wrong-password";
}

/* Record a refused attempt: count it (unless throttled already) and audit it. */
static enum xcode refused(struct db *db, const char *login, const char *kPair, const char *kAddr,
                          const char *address, const char *result, bool count,
                          const struct throttle *t, struct xerr *e)
{
    if (db_begin_write(db, e))
        return e->code;
    /* Old failures go as new ones come, so random logins do not pile up. */
    if (db_exec(db, "DELETE FROM login_failures WHERE window_start < ?1 AND locked_until < ?2",
                DB_ARGS(DI(now_s() - t->window), DI(now_s())), e) ||
        (count && (count_failure(db, kPair, t, t->max_failures, e) ||
                   count_failure(db, kAddr, t, t->max_failures * ADDRESS_FACTOR, e))) ||
        audit_signin(db, login, address, result, e)) {
        db_rollback(db);
        return e->code;
    }
    return db_commit(db, e);
}

enum xcode wf_session_signin(struct db *db, const char *login, const char *password,
                             const char *address, const struct throttle *t, struct session *out,
                             struct xerr *e)
{
    /* Failures count per account and address together: someone else's
     * wrong passwords from elsewhere never keep the owner out. An address
     * trying many accounts is held back too, at a higher count (behind a
     * proxy or NAT, one address is many people). */
    char kPair[208], kAddr[96];
    memset(out, 0, sizeof *out);
    snprintf(kPair, sizeof kPair, "pair:%.128s@%.64s", login ? login : "", address ? address : "");
    snprintf(kAddr, sizeof kAddr, "addr:%.64s", address ? address : "");
    bool lockedPair = false, lockedAddr = false;
    if (throttled(db, kPair, &lockedPair, e) || throttled(db, kAddr, &lockedAddr, e))
        return e->code;
    if (lockedPair || lockedAddr) {
        if (refused(db, login, kPair, kAddr, address, "throttled", false, t, e))
            return e->code;
        return xerr_set(e, X_THROTTLED,
                        "サインインの失敗が続いたため、しばらくサインインできません。%lld "
                        "分後に再度お試しください",
                        (long long)(t->lockout / 60));
    }
    struct user u;
    struct xerr authErr = {0};
    enum signin_result why;
    if (wf_check_password(db, login, password, &u, &why, &authErr)) {
        if (authErr.code != X_AUTH)
            return xerr_set(e, authErr.code, "%s", authErr.msg);
        if (refused(db, login, kPair, kAddr, address, result_name(why), true, t, e))
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
        rc = db_exec(db, "DELETE FROM login_failures WHERE key = ?1", DB_ARGS(DS(kPair)), e);
    /* Expired sessions of anyone go now and then; cheap with the index. */
    if (!rc)
        rc = db_exec(db, "DELETE FROM sessions WHERE last_seen < ?1 OR created_at < ?2",
                     DB_ARGS(DI(now - t->idle), DI(now - t->absolute)), e);
    if (!rc)
        rc = audit_signin(db, u.login, address, "ok", e);
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
