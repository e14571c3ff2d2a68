/*
 * access.h - who may do what (CONTRACT.md section 5): roles, the
 * department a request belongs to, and separation of duties. Each check
 * returns XOK or fills `e` with X_FORBIDDEN and a message naming the rule.
 */
#ifndef EXTSVC_ACCESS_H
#define EXTSVC_ACCESS_H

#include "../core/err.h"
#include "../core/states.h"
#include "../store/store.h"

bool has_role(const struct user *u, enum role r);

/* Any signed-in user reads the ledger (staff and every other role). */
enum xcode access_read_ledger(const struct user *actor, struct xerr *e);
/* approver, ciso and auditor read every request; a manager those of their department. */
enum xcode access_read_request(const struct user *actor, long long department_id, struct xerr *e);
enum xcode access_list_requests(const struct user *actor, struct xerr *e);
/* A manager files, edits, consults on, submits and withdraws requests of their department. */
enum xcode access_applicant(const struct user *actor, long long department_id, struct xerr *e);
/* An approver returns, rejects and approves; no one approves a request
 * they created or ever submitted (`submitted_by_actor`: at any time in its
 * history, also before a return). */
/* Could actor change anything about requests or the ledger at all (every
 * such step needs a manager or an approver)? Decided before a body is
 * read; the step's own rule (access_applicant, access_decide, ...) follows. */
enum xcode access_write_requests(const struct user *actor, struct xerr *e);
enum xcode access_decide(const struct user *actor, enum req_action action, long long created_by,
                         bool submitted_by_actor, struct xerr *e);
/* An approver concludes the 事前協議 (5(2)①), not on a request they created. */
enum xcode access_conclude(const struct user *actor, long long created_by, struct xerr *e);
/* The city-wide overview: ciso, auditor and approver. */
enum xcode access_overview(const struct user *actor, struct xerr *e);
enum xcode access_audit(const struct user *actor, struct xerr *e);
enum xcode access_catalogue(const struct user *actor, struct xerr *e);
enum xcode access_users(const struct user *actor, struct xerr *e);

#endif
