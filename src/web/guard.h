/*
 * guard.h - the connection guard of extsvc serve: what libmicrohttpd 0.9.75
 * does not bound by itself.
 *
 * - Deadlines: a request's head within header_timeout seconds (from the
 *   connection's opening, or from the first byte after the previous answer
 *   on a kept-alive connection, as the kernel's TCP_INFO tells); a body at
 *   body_min_rate bytes a second after a grace of header_timeout; a
 *   kept-alive connection idle for idle_timeout is closed. A client past a
 *   deadline gets 408 and the connection is shut down, so that slow
 *   clients cannot hold every slot.
 * - Limits: over max_connections, or max_per_address from one peer (a
 *   trusted proxy is not counted: its connections are many users'), a
 *   connection is answered 503 with Retry-After as soon as its head is in,
 *   without touching the database, and closed; these refusals are counted
 *   and logged at most once every 10 seconds.
 *
 * One thread checks every connection twice a second. The calls below come
 * from libmicrohttpd's callbacks (server.c).
 */
#ifndef EXTSVC_WEB_GUARD_H
#define EXTSVC_WEB_GUARD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct guard_limits {
    int header_timeout;  /* seconds; 0: none */
    int idle_timeout;    /* seconds; 0: none */
    int body_min_rate;   /* bytes a second; 0: none */
    int max_connections; /* answered beyond this: 503 */
    int max_per_address; /* 0: none */
    bool tls;            /* no plain-text 408 on a TLS connection: just closed */
};

/* Start the checking thread; guard_stop() ends it. */
bool guard_start(const struct guard_limits *limits);
void guard_stop(void);

/* A connection opened (fd, the peer's address; exempt: a trusted proxy)
 * or closed; *ctx is libmicrohttpd's socket context. */
void guard_opened(void **ctx, int fd, const char *peer, bool exempt);
void guard_closed(void **ctx);

/* Its request's head is in: false where the connection is over a limit
 * and must be answered 503 and closed. */
bool guard_head(void *ctx);
/* n more bytes of its body arrived. */
void guard_body(void *ctx, size_t n);
/* The whole request is in and being answered (no deadline applies). */
void guard_handling(void *ctx);
/* The answer went out: the connection waits for the next request. */
void guard_done(void *ctx);
/* Count one 503 for the rate-limited log line. */
void guard_refused(void);

/* libmicrohttpd's own messages (e.g. the hard connection limit), at most
 * one line every 10 seconds with a count of those left out. */
void guard_log(void *cls, const char *fmt, va_list ap);

#endif
