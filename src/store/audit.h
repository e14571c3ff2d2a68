/*
 * audit.h - the audit log: one record per change, written by workflow/ in
 * the same transaction as the change, append-only (triggers refuse UPDATE
 * and DELETE) and hash-chained:
 *
 *   hash(n) = SHA-256( JSON [seq, at, actor, action, object, before, after, hash(n-1)] )
 *
 * with hash(0) = 64 zeros. The head (last seq and hash) is also kept in
 * meta, so that removing the newest records shows too. audit_verify()
 * recomputes the chain and names the first record that does not fit.
 */
#ifndef EXTSVC_AUDIT_H
#define EXTSVC_AUDIT_H

#include <jansson.h>
#include <stdbool.h>

#include "../core/err.h"
#include "db.h"

/* Append one record. `before` and `after` (may be NULL) are snapshots of
 * the object; they are serialized, not stolen. */
enum xcode audit_append(struct db *db, const char *actor, const char *action, const char *object,
                        json_t *before, json_t *after, struct xerr *e);

struct audit_filter {
    const char *actor, *action, *object_prefix; /* NULL: any */
    const char *since, *until;                  /* "YYYY-MM-DD": inclusive; NULL: open */
    long long limit, offset;                    /* limit 0: all */
};

/* {"records": [{"seq", "at", "actor", "action", "object", "before", "after",
 * "prev_hash", "hash"}], "total": N}, oldest first. */
enum xcode audit_list(struct db *db, const struct audit_filter *f, json_t **out, struct xerr *e);

/* Check the chain. *ok says whether it holds; *report is
 * {"ok", "records", "head", "problems": [{"seq", "problem", "message"}]}
 * where problem is altered, removed, inserted or reordered. */
/* The head as the database keeps it (meta.audit_head, "SEQ:HASH"; "" for
 * an empty log), into out[96]. It changes with every committed write, so
 * it also says whether anything changed since it was last read. */
enum xcode audit_head(struct db *db, char out[96], struct xerr *e);
enum xcode audit_verify(struct db *db, bool *ok, json_t **report, struct xerr *e);

/* The record hash (hex, 65 bytes) of the given content. */
void audit_hash(long long seq, const char *at, const char *actor, const char *action,
                const char *object, const char *before, const char *after, const char *prev,
                char *out);

#endif
