/*
 * audit_internal.h - what audit.c shares with audit_batch.c; not for
 * callers outside store/.
 */
#ifndef EXTSVC_AUDIT_INTERNAL_H
#define EXTSVC_AUDIT_INTERNAL_H

#include <jansson.h>

#include "../core/err.h"
#include "db.h"

/* meta.audit_head := the newest record's "SEQ:HASH". */
enum xcode audit_write_head(struct db *db, struct xerr *e);
/* The newest record's seq and hash: what this transaction last appended
 * (db_memo), or else from the table; left as they are where the log is
 * empty (the caller starts from 0 and 64 zeros). */
enum xcode audit_tail(struct db *db, long long *seq, char prev[65], struct xerr *e);
/* A snapshot as stored: compact, keys sorted (NULL for NULL). */
char *audit_dump(json_t *j);
/* The key, or the error saying where it was looked for. */
enum xcode audit_need_key(struct db *db, const unsigned char **key, struct xerr *e);
/* Begin the keyed segment where it has not begun (once per transaction). */
enum xcode audit_begin_segment(struct db *db, struct xerr *e);

#endif
