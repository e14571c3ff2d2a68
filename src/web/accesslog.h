/*
 * accesslog.h - the access log's lines, one JSON object each, on standard
 * output: gathered per worker thread and written a buffer at a time (as
 * nginx's `access_log ... buffer= flush=`), at the latest `flush_ms` after
 * they were made, and all of them when the server stops. A line is never
 * split between two writes.
 */
#ifndef EXTSVC_ACCESSLOG_H
#define EXTSVC_ACCESSLOG_H

#include <stdbool.h>
#include <stddef.h>

/* Start the thread that writes what waits; flush_ms 0 writes every line
 * at once (no thread). false where the thread cannot start. */
bool accesslog_start(int flush_ms);
/* Add one line (without its newline). */
void accesslog_line(const char *text, size_t n);
/* Write everything that waits and stop the thread. */
void accesslog_stop(void);

#endif
