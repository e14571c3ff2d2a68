/*
 * internal.h - what the workflow files share among themselves.
 */
#ifndef EXTSVC_WORKFLOW_INTERNAL_H
#define EXTSVC_WORKFLOW_INTERNAL_H

#include <jansson.h>

#include "../store/store.h"

/* The JSON of a stored request (without history). */
json_t *wf_request_json(const struct request_row *r);
/* Insert a new request with its "create" event and audit record, inside
 * the caller's transaction; sets r->id. */
enum xcode wf_insert_request(struct db *db, const struct user *actor, struct request_row *r,
                             const char *comment, struct xerr *e);
/* Fault injection for crash tests (no-op unless built with it). */
void wf_fault_point(const char *name);

#endif
