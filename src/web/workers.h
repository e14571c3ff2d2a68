/*
 * workers.h - a fixed set of threads taking jobs from one bounded FIFO
 * queue. The server has two:
 *
 * - the sign-in workers. Checking a password is an Argon2id hash (tens of
 *   milliseconds of CPU and 19 MiB each, by design): run on
 *   libmicrohttpd's threads, a flood of sign-ins held every one of them
 *   and no one else was served. Sign-ins run here instead, at most one per
 *   thread (by default one thread per core, at a lower priority), behind a
 *   short queue; beyond the queue a sign-in is answered 503 with
 *   Retry-After at once.
 * - the query workers. libmicrohttpd binds each connection to one of its
 *   threads for good, so a read whose cost grows with the ledger (a
 *   search, a listing, an export) held up every other connection of its
 *   thread while the other threads stood idle, and more threads than cores
 *   only shared the CPU out in slices (the slowest of 10 concurrent
 *   searches took twice as long as with one thread per core). Those
 *   requests run here, one per core at a time, first come first served
 *   across all connections. Writes stay where they were read: each is a
 *   fixed amount of work, and queued behind the searches of 250 clients
 *   (bench/soak) a write waited 300 ms instead of 2.
 *
 * The libmicrohttpd thread suspends the connection and goes on serving the
 * others; the job resumes it when done.
 */
#ifndef EXTSVC_WEB_WORKERS_H
#define EXTSVC_WEB_WORKERS_H

#include <stdbool.h>

struct workers;

/* Start `threads` threads with room for `queue` waiting jobs, at the
 * scheduling priority `nice` (0 as the process, 10 below it). NULL where
 * they cannot be started. */
struct workers *workers_start(int threads, int queue, int nice);
/* Finish the jobs in hand and stop the threads (NULL: nothing). */
void workers_stop(struct workers *w);

/* Take a place in the queue: false where it is full. A place taken must
 * be used by workers_run(). */
bool workers_reserve(struct workers *w);
/* Run fn(arg) on one of the threads, in the place reserved. */
void workers_run(struct workers *w, void (*fn)(void *), void *arg);

#endif
