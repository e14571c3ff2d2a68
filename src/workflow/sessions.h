/*
 * sessions.h - sign-in sessions for the web application, stored in the
 * database (several server processes can share them), with idle and
 * absolute timeouts, a new id at every sign-in, a throttle of failed
 * sign-ins per account and address together (and per address, higher),
 * and an audit record of every attempt.
 *
 * The cookie carries a random id; only its SHA-256 is stored. Each session
 * has its own CSRF token.
 */
#ifndef EXTSVC_SESSIONS_H
#define EXTSVC_SESSIONS_H

#include "../store/store.h"

struct throttle {
    long long idle, absolute;  /* session timeouts, seconds */
    long long max_failures;    /* failures within `window` that hold an account and address
                                  back (an address alone: ten times as many) */
    long long window, lockout; /* seconds */
};

struct session {
    char id[65];   /* the cookie value (hex) */
    char csrf[65]; /* the CSRF token */
    struct user user;
};

/* Check the password and open a new session. X_AUTH on a wrong login or
 * password (one message for both), X_THROTTLED while locked out. */
enum xcode wf_session_signin(struct db *db, const char *login, const char *password,
                             const char *address, const struct throttle *t, struct session *out,
                             struct xerr *e);
/* The session of a cookie value; X_AUTH where none or expired. */
enum xcode wf_session_resume(struct db *db, const char *id, const struct throttle *t,
                             struct session *out, struct xerr *e);
enum xcode wf_session_signout(struct db *db, const char *id, struct xerr *e);
void session_release(struct session *s);

#endif
