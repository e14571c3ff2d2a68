/*
 * hashpool.h - the threads that sign users in. Checking a password is an
 * Argon2id hash (tens of milliseconds of CPU and 19 MiB each, by design):
 * run on libmicrohttpd's workers, a flood of sign-ins held every worker and
 * no one else was served. Sign-ins run here instead, at most one per
 * thread (by default one thread per core, at a lower priority than the
 * workers), behind a short queue; beyond the queue a sign-in is answered
 * 503 with Retry-After at once. The worker suspends the connection and
 * goes on serving others; the job resumes it when done.
 */
#ifndef EXTSVC_WEB_HASHPOOL_H
#define EXTSVC_WEB_HASHPOOL_H

#include <stdbool.h>

/* Start `threads` threads with room for `queue` waiting jobs. */
bool hashpool_start(int threads, int queue);
/* Finish the jobs in hand and stop the threads. */
void hashpool_stop(void);

/* Take a place in the queue: false where it is full (answer 503). A
 * place taken must be used by hashpool_run(). */
bool hashpool_reserve(void);
/* Run fn(arg) on a pool thread, in the place reserved. */
void hashpool_run(void (*fn)(void *), void *arg);

#endif
