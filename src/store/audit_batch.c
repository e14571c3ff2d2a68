/*
 * audit_batch.c - many records of one transaction, hashed off the writing
 * thread; see audit.h.
 */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "store.h"

struct audit_batch {
    const unsigned char *key; /* the database's, alive while it is open */
    char *actor, *action;
    long long seq; /* of the last record sealed */
    char prev[65]; /* its hash */
};

enum xcode audit_batch_begin(struct db *db, const char *actor, const char *action,
                             struct audit_batch **out, struct xerr *e)
{
    *out = NULL;
    const unsigned char *key = NULL;
    if (audit_need_key(db, &key, e) || audit_begin_segment(db, e))
        return e->code;
    struct audit_batch *b = calloc(1, sizeof *b);
    if (!b || !(b->actor = strdup(actor)) || !(b->action = strdup(action))) {
        audit_batch_free(b);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    b->key = key;
    memset(b->prev, '0', 64);
    b->prev[64] = '\0';
    if (audit_tail(db, &b->seq, b->prev, e)) {
        audit_batch_free(b);
        return e->code;
    }
    *out = b;
    return XOK;
}

bool audit_batch_seal(struct audit_batch *b, const char *object, json_t *after,
                      struct audit_sealed *out)
{
    memset(out, 0, sizeof *out);
    out->after = audit_dump(after);
    json_decref(after);
    if (!out->after)
        return false;
    out->seq = ++b->seq;
    store_now(out->at);
    snprintf(out->object, sizeof out->object, "%s", object);
    memcpy(out->prev, b->prev, sizeof out->prev);
    audit_hash(b->key, out->seq, out->at, b->actor, b->action, out->object, NULL, out->after,
               out->prev, out->hash);
    memcpy(b->prev, out->hash, sizeof b->prev);
    return true;
}

enum xcode audit_batch_insert(struct db *db, const struct audit_batch *b,
                              const struct audit_sealed *r, struct xerr *e)
{
    return db_exec(db,
                   "INSERT INTO audit_log(seq, at, actor, action, object, before, after, "
                   "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8)",
                   DB_ARGS(DI(r->seq), DS(r->at), DS(b->actor), DS(b->action), DS(r->object),
                           DS(r->after), DS(r->prev), DS(r->hash)),
                   e);
}

void audit_batch_end(struct db *db, struct audit_batch *b)
{
    char head[96];
    snprintf(head, sizeof head, "%lld:%s", b->seq, b->prev);
    db_memo_set(db, head);
    db_before_commit(db, audit_write_head);
}

void audit_batch_free(struct audit_batch *b)
{
    if (!b)
        return;
    free(b->actor);
    free(b->action);
    free(b);
}

void audit_sealed_release(struct audit_sealed *r)
{
    free(r->after);
    r->after = NULL;
}
