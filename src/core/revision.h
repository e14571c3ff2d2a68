/*
 * revision.h - what a new version of the catalogue means for a request.
 *
 * The standard's 別紙 and 1(4) may be revised (CONTRACT.md section 3: a
 * request keeps the catalogue it was evaluated against). An answer given to
 * a requirement holds only for the text it answered: where a revision adds
 * an item or changes its wording, level, clause or category, the answer is
 * not carried over and the item starts unanswered again. One function says
 * which items those are; evaluate_in() warns with it (catalogue-revised)
 * and document_rebase() drops the answers with it.
 */
#ifndef EXTSVC_REVISION_H
#define EXTSVC_REVISION_H

#include <jansson.h>
#include <stddef.h>

#include "catalogue.h"
#include "err.h"

/* The item numbers of `to` that a request answered under `from` must answer
 * again: requirements that are new in `to` or whose text, level, clause or
 * category differ; risks that are new or whose text differs. Items that
 * `from` has and `to` dropped are not listed (nothing to answer).
 *
 * On success *reqs and *risks hold *nReqs and *nRisks numbers in ascending
 * order; each is NULL where its count is 0. The caller frees both with
 * free(). On failure (out of memory) both are NULL and the counts 0. */
enum xcode catalogue_changed_items(const struct catalogue *from, const struct catalogue *to,
                                   int **reqs,     /* OUT: changed requirement numbers */
                                   size_t *nReqs,  /* OUT: how many */
                                   int **risks,    /* OUT: changed risk numbers */
                                   size_t *nRisks, /* OUT: how many */
                                   struct xerr *e);

/* A copy of request document `doc` (answered under `from`) fit for `to`:
 *   - requirement and risk answers are kept, carried_over marks and all,
 *     for items catalogue_changed_items() does not list, and dropped (the
 *     item becomes unknown) for the items it lists and for numbers `to`
 *     does not have;
 *   - a classification level that `to`'s scheme lacks becomes "" (the
 *     applicant must choose again; evaluate() reports missing-field);
 *   - everything else is copied unchanged.
 * Where `doc` is a valid document under `from`, the result parses with
 * document_parse(..., to). `doc` is not changed; on success *out is a new
 * reference the caller owns. Fails with X_INVALID where `doc` is not a JSON
 * object, X_INTERNAL for want of memory (*out NULL). */
enum xcode document_rebase(json_t *doc, const struct catalogue *from, const struct catalogue *to,
                           json_t **out, struct xerr *e);

#endif
