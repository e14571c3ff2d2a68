/*
 * evaluate.h - the standard's rules (CONTRACT.md section 2) as one pure
 * function: a request document and a catalogue in, the evaluation out.
 *
 *   track       2(1)/3 requirements where 機密性 ranks at or above the
 *               catalogue's threshold, else 2(2)/4 risk-review
 *   blockers    stop approval (5(2)②); warnings inform and never do
 *
 * Every rule lives in evaluate.c once, in a function named after it.
 */
#ifndef EXTSVC_EVALUATE_H
#define EXTSVC_EVALUATE_H

#include <jansson.h>
#include <stdbool.h>

#include "catalogue.h"
#include "document.h"
#include "err.h"
#include "states.h"

enum severity { SEV_BLOCKER, SEV_WARNING };
enum track { TRACK_REQUIREMENTS, TRACK_RISK_REVIEW };

struct finding {
    enum severity severity;
    const char *code;  /* "mandatory-unmet", ... (static) */
    int item;          /* requirement or risk number; 0 where none */
    const char *field; /* JSON path for missing-field / invalid-period, else NULL (static) */
    int index;         /* condition index for condition-unmet, else -1 */
    char *message;     /* Japanese, citing the clause; owned */
};

struct evaluation {
    bool approvable;
    enum track track;
    const char *catalogue_id; /* points into the catalogue */
    struct finding *findings; /* sorted by item, then code */
    size_t nFindings;
};

/* Evaluate `doc` against `cat`. Fails only for want of memory. */
enum xcode evaluate(const struct document *doc, const struct catalogue *cat, struct evaluation *out,
                    struct xerr *e);

/* Evaluate a request of `kind`: new and change requests as evaluate();
 * a retirement (5(2)③ 廃止) only records that a use ends, so it is
 * approvable whatever the answers were, and has no findings. */
enum xcode evaluate_request(int kind, const struct document *doc, const struct catalogue *cat,
                            struct evaluation *out, struct xerr *e);

/* Track the standard prescribes for a confidentiality level (NULL or blank:
 * requirements, the stricter one, until the level is known). */
enum track evaluate_track(const struct catalogue *cat, const char *confidentiality);

void evaluation_release(struct evaluation *ev);

/* {"approvable", "track", "catalogue", "findings": [...]} as a new reference. */
json_t *evaluation_to_json(const struct evaluation *ev);

const char *track_name(enum track t);
/* Count findings of one severity. */
size_t evaluation_count(const struct evaluation *ev, enum severity sev);

#endif
