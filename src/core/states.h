/*
 * states.h - the life of a request (CONTRACT.md section 5, standard 5(2)):
 *
 *   draft ──consult──▶ consulting (事前協議, 5(2)①) ──conclude──▶ consulted
 *   consulted ──submit──▶ submitted        (a new request: only from here)
 *   draft, consulting ──submit──▶ submitted (change and retire: consulting
 *                                            is allowed, not required)
 *   consulted ──consult──▶ consulting       (the consultation reopened)
 *   submitted ──approve──▶ approved   (5(2)②③)
 *             ──reject───▶ rejected   (also while consulting or consulted)
 *             ──return───▶ returned (差戻し) ──update, submit──▶ …
 *   every open state ──withdraw──▶ withdrawn
 *
 * and of a ledger entry: not begun, in use, expired (past its period, by
 * the calendar alone), retiring (a retirement approved, its date ahead) or
 * retired. Pure data; who may take a step is workflow's business.
 */
#ifndef EXTSVC_STATES_H
#define EXTSVC_STATES_H

#include <stdbool.h>

enum req_state {
    ST_DRAFT,
    ST_CONSULTING,
    ST_CONSULTED, /* the approver concluded the 事前協議 */
    ST_SUBMITTED,
    ST_APPROVED,
    ST_REJECTED,
    ST_RETURNED,
    ST_WITHDRAWN,
    ST_COUNT
};

enum req_action {
    ACT_CONSULT,
    ACT_SUBMIT,
    ACT_WITHDRAW,
    ACT_APPROVE,
    ACT_REJECT,
    ACT_RETURN,
    ACT_CONCLUDE, /* the approver ends the 事前協議 (5(2)①) */
    ACT_COMMENT,  /* a consultation or review comment; no change of state */
    ACT_COUNT
};

enum req_kind { KIND_NEW, KIND_CHANGE, KIND_RETIRE, KIND_COUNT };

enum entry_state {
    ENTRY_ACTIVE,   /* 利用中 */
    ENTRY_EXPIRED,  /* 期間満了: past the end of its period */
    ENTRY_RETIRED,  /* 廃止: on or after an approved retirement's date */
    ENTRY_UPCOMING, /* 利用開始前: its period has not begun */
    ENTRY_RETIRING, /* 廃止予定: a retirement approved, its date still ahead */
    ENTRY_STATE_COUNT
};

const char *req_state_name(enum req_state s);  /* "draft" */
const char *req_state_label(enum req_state s); /* 下書き */
int req_state_parse(const char *name);         /* -1 where unknown */

const char *req_action_name(enum req_action a);  /* "consult" */
const char *req_action_label(enum req_action a); /* 事前協議 */
int req_action_parse(const char *name);

const char *req_kind_name(enum req_kind k);  /* "new" */
const char *req_kind_label(enum req_kind k); /* 新規 */
int req_kind_parse(const char *name);

/* The state after taking `action` in `from`, or -1 where the step is not
 * allowed there, for any kind of request. ACT_COMMENT keeps the state where
 * a comment is allowed. */
int req_transition(enum req_state from, enum req_action action);

/* Standard 5(2)①: the manager consults the approver before applying. True
 * where submitting a request of `kind` from `from` is refused because the
 * consultation has not been concluded (a new request, before consulted;
 * a returned request was submitted once, so it was concluded then). */
bool req_submit_needs_consultation(enum req_kind kind, enum req_state from);

/* May the document be replaced in this state? (draft, consulting: the
 * applicant edits during 事前協議; returned: 差戻し) */
bool req_editable(enum req_state s);

/* Is the request still open (neither decided nor withdrawn)? */
bool req_open(enum req_state s);

/* Does the action need a comment? (reject and return: 5(2)② reasons) */
bool req_action_needs_comment(enum req_action a);

const char *entry_state_name(enum entry_state s);  /* "active" */
const char *entry_state_label(enum entry_state s); /* 利用中 / 期間満了 / 廃止 ... */
int entry_state_parse(const char *name);           /* accepts names and labels */

/* The state of an entry on `today` (all dates YYYY-MM-DD; retired_on NULL
 * where no retirement was approved): retired from the retirement's date,
 * expired after the period's end, retiring while an approved retirement is
 * ahead, upcoming before the period begins, else active. The store's SQL
 * (ENTRY_STATE_SQL) says the same and is tested against this. */
enum entry_state entry_state_on(const char *period_from, const char *period_to,
                                const char *retired_on, const char *today);

#endif
