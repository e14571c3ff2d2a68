/*
 * audit.h - the audit log: one record per change, written by workflow/ in
 * the same transaction as the change, append-only (triggers refuse UPDATE
 * and DELETE) and hash-chained:
 *
 *   hash(n) = HMAC-SHA-256(key, JSON [seq, at, actor, action, object, before, after,
 *                                     hash(n-1)])
 *
 * with hash(0) = 64 zeros, under a key kept outside the database
 * (audit_key.h), so that write access to the database is not enough to
 * recompute the chain. Records written before there was a key are plain
 * SHA-256 of the same text; the keyed segment begins with a record of
 * action "audit.keyed" (itself keyed, naming the key's fingerprint) and,
 * once it has, seals everything before it too. A chain without one does
 * not verify.
 *
 * The head (last seq and hash) is also kept in meta, so that removing the
 * newest records shows too; for removal of the newest records together
 * with that, the city keeps the head elsewhere (extsvc audit head) and
 * verifies against it. audit_verify() recomputes the chain and names the
 * first record that does not fit.
 */
#ifndef EXTSVC_AUDIT_H
#define EXTSVC_AUDIT_H

#include <jansson.h>
#include <stdbool.h>

#include "../core/err.h"
#include "db.h"

#define AUDIT_KEYED_ACTION "audit.keyed"

/* Append one record (the keyed segment's first record before it where
 * the chain has none). `before` and `after` (may be NULL) are snapshots of
 * the object; they are serialized, not stolen. */
enum xcode audit_append(struct db *db, const char *actor, const char *action, const char *object,
                        json_t *before, json_t *after, struct xerr *e);

/* Many records of one actor and action in one transaction (an import:
 * one a row), each record's text and hash made on another thread, which
 * took a fifth of the writing thread's time. The chain is the same as
 * audit_append's, record for record:
 *   audit_batch_begin  the writer, in its transaction: where the chain is;
 *   audit_batch_seal   one thread, in the records' order: the next record
 *                      (its seq, time, text and hash), no database;
 *   audit_batch_insert the writer: store a sealed record (any order);
 *   audit_batch_end    the writer, once every sealed record is stored:
 *                      the chain's tail and head, as audit_append leaves
 *                      them. */
struct audit_batch;
struct audit_sealed {
    long long seq;
    char at[21], object[48], prev[65], hash[65];
    char *after; /* the record's after as stored; audit_sealed_release frees it */
};
enum xcode audit_batch_begin(struct db *db, const char *actor, const char *action,
                             struct audit_batch **out, struct xerr *e);
/* `after` is serialized and released (the sealing thread takes it); false
 * without memory. */
bool audit_batch_seal(struct audit_batch *b, const char *object, json_t *after,
                      struct audit_sealed *out);
enum xcode audit_batch_insert(struct db *db, const struct audit_batch *b,
                              const struct audit_sealed *r, struct xerr *e);
void audit_batch_end(struct db *db, struct audit_batch *b);
void audit_batch_free(struct audit_batch *b);
void audit_sealed_release(struct audit_sealed *r);

/* object: "request:3" is that object only; "request:" or "request" every
 * object of that kind (request:3 is not request:30). */
struct audit_filter {
    const char *actor, *action, *object; /* NULL: any */
    const char *since, *until;           /* "YYYY-MM-DD": inclusive; NULL: open */
    long long limit, offset;             /* limit 0: all */
};

/* {"records": [{"seq", "at", "actor", "action", "object", "before", "after",
 * "prev_hash", "hash"}], "total": N}, oldest first. */
enum xcode audit_list(struct db *db, const struct audit_filter *f, json_t **out, struct xerr *e);

/* Make the key file where there is none yet and the chain has never been
 * keyed (init); where it has, the missing key is an error. */
enum xcode audit_key_ensure(struct db *db, struct xerr *e);

/* XOK where the key is there to write and verify with; else the error
 * saying where it was looked for (a server checks before it starts). */
enum xcode audit_key_ready(struct db *db, struct xerr *e);

/* Give the database at to_url the key of `from` (copy), before it is
 * opened: its key file is made with that key, or, where it is there, must
 * hold the same key. */
enum xcode audit_key_follow(const char *to_url, struct db *from, struct xerr *e);

/* Begin the keyed segment now if the chain has none (init: the records
 * so far are sealed before anything else is written). */
enum xcode audit_begin_keyed(struct db *db, struct xerr *e);

/* The head as the database keeps it (meta.audit_head, "SEQ:HASH"; "" for
 * an empty log), into out[96]. It changes with every committed write, so
 * it also says whether anything changed since it was last read. */
enum xcode audit_head(struct db *db, char out[96], struct xerr *e);

/* The newest record as the log holds it, "SEQ:HASH" ("" when empty): what
 * the city keeps elsewhere to check against later (audit_verify). */
enum xcode audit_newest(struct db *db, char out[96], struct xerr *e);

/* Check the chain, and, with `expect` ("SEQ:HASH" kept elsewhere; NULL:
 * none), that it still holds that record. *ok says whether it holds;
 * *report is {"ok", "records", "head", "keyed_from", "key_id",
 * "problems": [{"seq", "problem", "message"}]} where problem is altered,
 * removed, inserted, reordered, unkeyed, wrong-key, head-missing or
 * head-mismatch. Needs the key. */
enum xcode audit_verify(struct db *db, const char *expect, bool *ok, json_t **report,
                        struct xerr *e);

/* The record hash (hex, 65 bytes) of the given content: HMAC under key,
 * or plain SHA-256 with NULL (the records before the keyed segment). */
void audit_hash(const unsigned char *key, long long seq, const char *at, const char *actor,
                const char *action, const char *object, const char *before, const char *after,
                const char *prev, char *out);
/* The bytes audit_hash hashes (caller frees; NULL where an argument is not
 * UTF-8): the array [seq, at, actor, action, object, before, after, prev]
 * as jansson dumps it, compact and ASCII-only. The reference, written by
 * jansson itself, is for the test that the two never differ. */
char *audit_canonical(long long seq, const char *at, const char *actor, const char *action,
                      const char *object, const char *before, const char *after, const char *prev);
char *audit_canonical_reference(long long seq, const char *at, const char *actor,
                                const char *action, const char *object, const char *before,
                                const char *after, const char *prev);

#endif
