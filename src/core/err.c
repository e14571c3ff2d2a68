/*
 * err.c - the one error type; see err.h.
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

enum xcode xerr_set(struct xerr *e, enum xcode code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        if (n >= (int)sizeof e->msg) {
            /* Cut back to a whole UTF-8 character, and say it was cut. */
            size_t len = sizeof e->msg - 4;
            while (len > 0 && ((unsigned char)e->msg[len] & 0xC0) == 0x80)
                len--;
            memcpy(e->msg + len, "...", 4);
        }
    }
    return code;
}

void xerr_clear(struct xerr *e)
{
    e->code = XOK;
    e->msg[0] = '\0';
}

int xerr_exit_status(enum xcode code)
{
    switch (code) {
    case XOK:
        return 0;
    case X_AUTH:
    case X_THROTTLED:
    case X_FORBIDDEN:
    case X_STATE:
    case X_BLOCKED:
    case X_CHAIN:
        return 1;
    case X_INVALID:
    case X_TOOLARGE:
    case X_NOTFOUND:
        return 2;
    case X_BUSY:
    case X_STORE:
    case X_INTERNAL:
    case X_UNAVAILABLE:
        return 3;
    }
    return 3;
}

int xerr_http_status(enum xcode code)
{
    switch (code) {
    case XOK:
        return 200;
    case X_INVALID:
        return 400;
    case X_TOOLARGE:
        return 413;
    case X_NOTFOUND:
        return 404;
    case X_AUTH:
        return 401;
    case X_THROTTLED:
        return 429;
    case X_FORBIDDEN:
        return 403;
    case X_STATE:
    case X_BLOCKED:
        return 409;
    case X_CHAIN:
    case X_STORE:
    case X_INTERNAL:
        return 500;
    case X_BUSY:
    case X_UNAVAILABLE:
        return 503;
    }
    return 500;
}

const char *xerr_name(enum xcode code)
{
    static const char *const names[] = {
        [XOK] = "ok",
        [X_INVALID] = "invalid",
        [X_TOOLARGE] = "too-large",
        [X_NOTFOUND] = "not-found",
        [X_AUTH] = "unauthorized",
        [X_THROTTLED] = "too-many-attempts",
        [X_FORBIDDEN] = "forbidden",
        [X_STATE] = "wrong-state",
        [X_BLOCKED] = "not-approvable",
        [X_CHAIN] = "chain-broken",
        [X_BUSY] = "busy",
        [X_STORE] = "storage",
        [X_INTERNAL] = "internal",
        [X_UNAVAILABLE] = "unavailable",
    };
    if ((unsigned)code < sizeof names / sizeof names[0] && names[code])
        return names[code];
    return "internal";
}
