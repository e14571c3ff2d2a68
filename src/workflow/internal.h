/*
 * internal.h - what the workflow files share among themselves.
 */
#ifndef EXTSVC_WORKFLOW_INTERNAL_H
#define EXTSVC_WORKFLOW_INTERNAL_H

#include <jansson.h>

#include "../core/catalogue.h"
#include "../core/document.h"
#include "../core/evaluate.h"
#include "../store/store.h"

/* The ledger fields (ア)〜(キ) and details of a document; *conditions (the
 * caller frees) holds the conditions as JSON text the fields point to. */
struct ledger_fields wf_fields_of(const struct document *doc, char **conditions);
/* The JSON of a stored request (without history). */
json_t *wf_request_json(const struct request_row *r);
/* Insert a new request with its "create" event and audit record, inside
 * the caller's transaction; sets r->id. */
enum xcode wf_insert_request(struct db *db, const struct user *actor, struct request_row *r,
                             const char *comment, struct xerr *e);
/* A stored request evaluated as the rules need it (evaluation.c). */
struct stored_eval {
    struct catalogue cat;      /* the catalogue the request keeps */
    struct catalogue since;    /* where its answers were first given under another */
    struct catalogue prev_cat; /* the catalogue of the entry's approved version */
    struct document doc, prev; /* the request's document; the entry's approved one */
    struct evaluation ev;
    bool has_cat, has_since, has_prev, parsed, evaluated;
};

/* Evaluate a request's document `text` of `kind` against catalogue
 * `catalogue_id`; with rebased_from (a catalogue the answers were first
 * given under) the revision since is reported; for a change or retirement
 * of entry `entry_id` the entry's approved document is compared. `day` is
 * the day of evaluation (NULL: today). On success *s holds everything;
 * release it with stored_eval_release(). */
enum xcode wf_evaluate_stored(struct db *db, const char *kind, const char *catalogue_id,
                              const char *rebased_from, long long entry_id, const char *text,
                              const char *day, struct stored_eval *s, struct xerr *e);
void stored_eval_release(struct stored_eval *s);

/* The request behind the current version of a ledger entry (X_NOTFOUND
 * where there is no such entry); release *src with request_row_release(). */
enum xcode wf_entry_document(struct db *db, long long entry_id, struct request_row *src,
                             struct xerr *e);

/* Move document `doc` from catalogue `from_id` to `to` (core/revision.c
 * document_rebase): *out is a new document. */
enum xcode wf_rebase(struct db *db, json_t *doc, const char *from_id, const struct catalogue *to,
                     json_t **out, struct xerr *e);

/* The 事前協議 of a request from its history (store_events): {"held",
 * "concluded_at", "concluded_by", "concluded_by_name", "comments": [...]}. */
json_t *wf_consultation(json_t *history);
/* Keep entry `id`'s JSON ready for the API (entry_json.c); inside the
 * write that changed it, after its last change. */
enum xcode wf_entry_json_keep(struct db *db, long long id, struct xerr *e);

/* Fault injection for crash tests (no-op unless built with it). */
void wf_fault_point(const char *name);

#endif
