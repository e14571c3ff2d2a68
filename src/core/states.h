/*
 * states.h - the life of a request (CONTRACT.md section 5, standard 5(2)):
 *
 *   draft ──consult──▶ consulting (事前協議, 5(2)①) ──submit──▶ submitted
 *     └──────────────────submit──────────────────────────────────┘
 *   submitted ──approve──▶ approved   (5(2)②③)
 *             ──reject───▶ rejected
 *             ──return───▶ returned (差戻し) ──update, submit──▶ …
 *   draft, consulting, submitted, returned ──withdraw──▶ withdrawn
 *
 * and of a ledger entry: in use, expired (past its period, by the calendar
 * alone) or retired. Pure data; who may take a step is workflow's business.
 */
#ifndef EXTSVC_STATES_H
#define EXTSVC_STATES_H

#include <stdbool.h>

enum req_state {
    ST_DRAFT,
    ST_CONSULTING,
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
    ACT_COMMENT, /* a consultation or review comment; no change of state */
    ACT_COUNT
};

enum req_kind { KIND_NEW, KIND_CHANGE, KIND_RETIRE, KIND_COUNT };

enum entry_state { ENTRY_ACTIVE, ENTRY_EXPIRED, ENTRY_RETIRED };

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
 * allowed there. ACT_COMMENT keeps the state where a comment is allowed. */
int req_transition(enum req_state from, enum req_action action);

/* May the document be replaced in this state? (draft and returned: during
 * 事前協議 the approver returns the request when it needs changes) */
bool req_editable(enum req_state s);

/* Does the action need a comment? (reject and return: 5(2)② reasons) */
bool req_action_needs_comment(enum req_action a);

const char *entry_state_name(enum entry_state s);  /* "active" */
const char *entry_state_label(enum entry_state s); /* 利用中 / 期間満了 / 廃止 */
int entry_state_parse(const char *name);           /* accepts names and labels */

#endif
