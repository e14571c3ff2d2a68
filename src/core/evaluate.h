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
    const char *field; /* JSON path for missing-field / invalid-period and the procurement
                          date findings, else NULL (static) */
    int index;         /* condition index for condition-unmet / condition-not-applicable,
                          else -1 */
    char *message;     /* Japanese, citing the clause; owned */
};

struct evaluation {
    bool approvable;
    enum track track;
    const char *catalogue_id; /* points into the catalogue */
    struct finding *findings; /* sorted by item, then code */
    size_t nFindings;
};

/* What an evaluation may know besides the document: the kind of request,
 * the day, the entry's approved document and the catalogue the answers
 * were first given under. Each member may be left empty (0 / NULL), and
 * the rules that need it are then skipped. Nothing here is owned. */
/* What the ISMAP cloud service list (extsvc ismap import) says of the
 * document's service.ismap; looked up by the workflow. */
struct ismap_info {
    const char *loaded_on;  /* the day the list was loaded (YYYY-MM-DD); NULL: no list */
    bool listed;            /* the number is in the list */
    const char *name;       /* the service's name in the list */
    const char *expires_on; /* the registration's last day, where the list gives one */
};

struct eval_context {
    int kind;                       /* enum req_kind: KIND_NEW, KIND_CHANGE, KIND_RETIRE */
    const char *today;              /* YYYY-MM-DD day of evaluation; NULL skips the date rules */
    const struct document *prev;    /* change/retire: the entry's current approved document, else
                                       NULL */
    const struct catalogue *since;  /* catalogue the answers were first given under, where it
                                       differs from cat; else NULL */
    const struct ismap_info *ismap; /* the ISMAP list on service.ismap; NULL: not looked up */
};

/* Evaluate `doc` against `cat` in `ctx` (NULL: a new request, no day).
 * A retirement (5(2)③ 廃止) only records that a use ends, so it is
 * approvable whatever the answers were, and has no findings. The rules
 * that need the context:
 *   today              procurement-after-submission; with prev,
 *                      extension-after-expiry (change requests)
 *   since              catalogue-revised
 *   ismap              ismap-unlisted, ismap-expires (warnings)
 * Fails only for want of memory; *out is then empty. */
enum xcode evaluate_in(const struct document *doc, const struct catalogue *cat,
                       const struct eval_context *ctx, struct evaluation *out, struct xerr *e);

/* evaluate_in() for a new request with no day. */
enum xcode evaluate(const struct document *doc, const struct catalogue *cat, struct evaluation *out,
                    struct xerr *e);

/* evaluate_in() for a request of `kind` with no day. */
enum xcode evaluate_request(int kind, const struct document *doc, const struct catalogue *cat,
                            struct evaluation *out, struct xerr *e);

/* Track the standard prescribes for a confidentiality level (NULL or blank:
 * requirements, the stricter one, until the level is known). */
enum track evaluate_track(const struct catalogue *cat, const char *confidentiality);

void evaluation_release(struct evaluation *ev);

/* {"approvable", "track", "catalogue", "findings": [...]} as a new reference. */
json_t *evaluation_to_json(const struct evaluation *ev);

/* Whether two evaluations say the same (so their JSON is the same text). */
bool evaluation_same(const struct evaluation *a, const struct evaluation *b);

const char *track_name(enum track t);
/* Count findings of one severity. */
size_t evaluation_count(const struct evaluation *ev, enum severity sev);

#endif
