/*
 * states.c - request and ledger entry states; see states.h.
 */
#include "states.h"

#include <string.h>

static const char *const state_names[ST_COUNT] = {"draft",     "consulting", "consulted",
                                                  "submitted", "approved",   "rejected",
                                                  "returned",  "withdrawn"};
static const char *const state_labels[ST_COUNT] = {"下書き", "事前協議中", "協議済み", "審査中",
                                                   "承認",   "却下",       "差戻し",   "取下げ"};
static const char *const action_names[ACT_COUNT] = {"consult", "submit", "withdraw", "approve",
                                                    "reject",  "return", "conclude", "comment"};
static const char *const action_labels[ACT_COUNT] = {"事前協議", "申請",   "取下げ",   "承認",
                                                     "却下",     "差戻し", "協議済み", "コメント"};
static const char *const kind_names[KIND_COUNT] = {"new", "change", "retire"};
static const char *const kind_labels[KIND_COUNT] = {"新規", "変更", "廃止"};

static int find(const char *const *names, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *req_state_name(enum req_state s)
{
    return state_names[s];
}
const char *req_state_label(enum req_state s)
{
    return state_labels[s];
}
int req_state_parse(const char *name)
{
    return find(state_names, ST_COUNT, name);
}
const char *req_action_name(enum req_action a)
{
    return action_names[a];
}
const char *req_action_label(enum req_action a)
{
    return action_labels[a];
}
int req_action_parse(const char *name)
{
    return find(action_names, ACT_COUNT, name);
}
const char *req_kind_name(enum req_kind k)
{
    return kind_names[k];
}
const char *req_kind_label(enum req_kind k)
{
    return kind_labels[k];
}
int req_kind_parse(const char *name)
{
    return find(kind_names, KIND_COUNT, name);
}

int req_transition(enum req_state from, enum req_action action)
{
    switch (action) {
    case ACT_CONSULT:
        return from == ST_DRAFT || from == ST_CONSULTED ? ST_CONSULTING : -1;
    case ACT_CONCLUDE:
        return from == ST_CONSULTING ? ST_CONSULTED : -1;
    case ACT_SUBMIT:
        return from == ST_DRAFT || from == ST_CONSULTING || from == ST_CONSULTED ||
                       from == ST_RETURNED
                   ? ST_SUBMITTED
                   : -1;
    case ACT_WITHDRAW:
        return req_open(from) ? ST_WITHDRAWN : -1;
    case ACT_APPROVE:
        return from == ST_SUBMITTED ? ST_APPROVED : -1;
    case ACT_REJECT:
        return from == ST_SUBMITTED || from == ST_CONSULTING || from == ST_CONSULTED ? ST_REJECTED
                                                                                     : -1;
    case ACT_RETURN:
        return from == ST_SUBMITTED ? ST_RETURNED : -1;
    case ACT_COMMENT:
        return req_open(from) ? (int)from : -1;
    case ACT_COUNT:
        break;
    }
    return -1;
}

bool req_submit_needs_consultation(enum req_kind kind, enum req_state from)
{
    return kind == KIND_NEW && (from == ST_DRAFT || from == ST_CONSULTING);
}

bool req_editable(enum req_state s)
{
    return s == ST_DRAFT || s == ST_CONSULTING || s == ST_RETURNED;
}

bool req_open(enum req_state s)
{
    return s == ST_DRAFT || s == ST_CONSULTING || s == ST_CONSULTED || s == ST_SUBMITTED ||
           s == ST_RETURNED;
}

bool req_action_needs_comment(enum req_action a)
{
    return a == ACT_REJECT || a == ACT_RETURN || a == ACT_COMMENT;
}

static const char *const entry_names[ENTRY_STATE_COUNT] = {"active", "expired", "retired",
                                                           "upcoming", "retiring"};
static const char *const entry_labels[ENTRY_STATE_COUNT] = {"利用中", "期間満了", "廃止",
                                                            "利用開始前", "廃止予定"};

const char *entry_state_name(enum entry_state s)
{
    return entry_names[s];
}

const char *entry_state_label(enum entry_state s)
{
    return entry_labels[s];
}

int entry_state_parse(const char *name)
{
    int i = find(entry_names, ENTRY_STATE_COUNT, name);
    return i >= 0 ? i : find(entry_labels, ENTRY_STATE_COUNT, name);
}

enum entry_state entry_state_on(const char *period_from, const char *period_to,
                                const char *retired_on, const char *today)
{
    if (retired_on && strcmp(retired_on, today) <= 0)
        return ENTRY_RETIRED;
    if (strcmp(period_to, today) < 0)
        return ENTRY_EXPIRED;
    if (retired_on)
        return ENTRY_RETIRING;
    if (strcmp(period_from, today) > 0)
        return ENTRY_UPCOMING;
    return ENTRY_ACTIVE;
}
