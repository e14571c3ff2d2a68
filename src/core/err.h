/*
 * err.h - the one error type of extsvc.
 *
 * Every fallible function below main() takes a `struct xerr *` as its last
 * argument, fills it on failure and returns a non-zero `enum xcode`. The
 * faces (cli/, web/) turn the code into an exit status or an HTTP status;
 * nothing below them exits or prints.
 */
#ifndef EXTSVC_ERR_H
#define EXTSVC_ERR_H

#include <stdarg.h>

enum xcode {
    XOK = 0,
    X_INVALID,    /* bad usage or bad input: nothing written (exit 2, HTTP 400) */
    X_TOOLARGE,   /* input over its size cap (exit 2, HTTP 413) */
    X_NOTFOUND,   /* no such request, entry, user (exit 2, HTTP 404) */
    X_AUTH,       /* not signed in / bad credentials (exit 1, HTTP 401) */
    X_THROTTLED,  /* too many failed sign-ins (exit 1, HTTP 429) */
    X_FORBIDDEN,  /* role or separation of duties refuses it (exit 1, HTTP 403) */
    X_STATE,      /* wrong state for the step (exit 1, HTTP 409) */
    X_BLOCKED,    /* not approvable: the evaluation has a blocker (exit 1, HTTP 409) */
    X_CHAIN,      /* audit chain broken (exit 1) */
    X_BUSY,       /* database locked past the busy timeout (exit 3, HTTP 503) */
    X_STORE,      /* storage failure (exit 3, HTTP 500) */
    X_INTERNAL,   /* out of memory, bug (exit 3, HTTP 500) */
    X_UNAVAILABLE /* the database server cannot be reached now, e.g. restarting: nothing was
                     written; try again (exit 3, HTTP 503) */
};

struct xerr {
    enum xcode code;
    char msg[1024]; /* one line, Japanese, for the user */
};

/* Record an error; returns `code` so callers can `return xerr_set(...)`. */
enum xcode xerr_set(struct xerr *e, enum xcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset to XOK with an empty message. */
void xerr_clear(struct xerr *e);

/* Exit status of the CLI for a code (0, 1, 2 or 3). */
int xerr_exit_status(enum xcode code);

/* HTTP status for a code (200, 400, 401, 403, 404, 409, 413, 500, 503). */
int xerr_http_status(enum xcode code);

/* Stable machine name of a code for the API, e.g. "invalid", "not-found". */
const char *xerr_name(enum xcode code);

#endif
