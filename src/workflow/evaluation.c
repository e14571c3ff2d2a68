/*
 * evaluation.c - evaluating a stored request with everything the rules
 * need from the store: the catalogue it keeps, the catalogue its answers
 * were first given under (a revision since), and for a change or a
 * retirement the entry's approved document. See internal.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/date.h"
#include "../core/revision.h"
#include "internal.h"
#include "workflow.h"

void stored_eval_release(struct stored_eval *s)
{
    if (s->evaluated)
        evaluation_release(&s->ev);
    if (s->parsed)
        document_release(&s->doc);
    if (s->has_prev) {
        document_release(&s->prev);
        catalogue_release(&s->prev_cat);
    }
    if (s->has_since)
        catalogue_release(&s->since);
    if (s->has_cat)
        catalogue_release(&s->cat);
    memset(s, 0, sizeof *s);
}

enum xcode wf_entry_document(struct db *db, long long entry_id, struct request_row *src,
                             struct xerr *e)
{
    long long request_id = 0;
    bool found = false;
    memset(src, 0, sizeof *src);
    if (db_one_int(db,
                   "SELECT v.request_id FROM ledger_entries e JOIN ledger_versions v "
                   "ON v.entry_id = e.id AND v.version = e.version WHERE e.id = ?1",
                   DB_ARGS(DI(entry_id)), &request_id, &found, e))
        return e->code;
    if (!found)
        return xerr_set(e, X_NOTFOUND, "台帳番号 %lld の登録はありません", entry_id);
    return store_request_get(db, request_id, src, e);
}

/* The entry's approved document, parsed against the catalogue it was
 * approved under, for the rules that compare a change with it. */
static enum xcode load_prev(struct db *db, long long entry_id, struct stored_eval *s,
                            struct xerr *e)
{
    struct request_row src;
    if (wf_entry_document(db, entry_id, &src, e))
        return e->code;
    enum xcode rc = wf_catalogue_by_id(db, src.catalogue_id, &s->prev_cat, e);
    if (!rc) {
        rc = document_parse_text(src.document, strlen(src.document), &s->prev_cat, &s->prev, e);
        if (rc)
            catalogue_release(&s->prev_cat);
        else
            s->has_prev = true;
    }
    request_row_release(&src);
    return rc;
}

enum xcode wf_evaluate_stored(struct db *db, const char *kind, const char *catalogue_id,
                              const char *rebased_from, long long entry_id, const char *text,
                              const char *day, struct stored_eval *s, struct xerr *e)
{
    memset(s, 0, sizeof *s);
    enum xcode rc = wf_catalogue_by_id(db, catalogue_id, &s->cat, e);
    if (rc)
        return rc;
    s->has_cat = true;
    if (rebased_from && strcmp(rebased_from, catalogue_id) != 0) {
        if ((rc = wf_catalogue_by_id(db, rebased_from, &s->since, e)))
            goto fail;
        s->has_since = true;
    }
    int k = req_kind_parse(kind);
    if (k != KIND_NEW && entry_id && (rc = load_prev(db, entry_id, s, e)))
        goto fail;
    if ((rc = document_parse_text(text, strlen(text), &s->cat, &s->doc, e)))
        goto fail;
    s->parsed = true;
    char today[11];
    if (!day) {
        date_format(date_today(), today);
        day = today;
    }
    struct wf_ismap ismap;
    if ((rc = wf_ismap_for(db, s->doc.ismap, &ismap, e)))
        goto fail;
    struct eval_context ctx = {.kind = k,
                               .today = day,
                               .prev = s->has_prev ? &s->prev : NULL,
                               .since = s->has_since ? &s->since : NULL,
                               .ismap = ismap.have ? &ismap.info : NULL};
    rc = evaluate_in(&s->doc, &s->cat, &ctx, &s->ev, e);
    wf_ismap_release(&ismap);
    if (rc)
        goto fail;
    s->evaluated = true;
    return XOK;
fail:
    stored_eval_release(s);
    return rc;
}

enum xcode wf_rebase(struct db *db, json_t *doc, const char *from_id, const struct catalogue *to,
                     json_t **out, struct xerr *e)
{
    struct catalogue from;
    if (wf_catalogue_by_id(db, from_id, &from, e))
        return e->code;
    enum xcode rc = document_rebase(doc, &from, to, out, e);
    catalogue_release(&from);
    return rc;
}
