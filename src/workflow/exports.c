/*
 * exports.c - what the ledger's exports need beside the entries
 * themselves: each entry's requirement answers and risk decisions, for
 * those who may read the requests behind them.
 */
#include "../store/store.h"
#include "access.h"
#include "internal.h"
#include "workflow.h"

enum xcode wf_ledger_answers(struct db *db, const struct user *actor, const long long *ids, int n,
                             json_t **out, struct xerr *e)
{
    *out = NULL;
    if (access_read_ledger(actor, e))
        return e->code;
    if (n < 0 || n > 10000)
        return xerr_set(e, X_INVALID, "一度に読める回答は 10000 件までです");
    if (db_begin_read(db, e))
        return e->code;
    json_t *all;
    enum xcode rc = store_entry_answers(db, ids, n, &all, e);
    db_rollback(db);
    if (rc)
        return rc;
    /* The answers are the request's: only for those who may read it. */
    json_t *mine = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(all, i, a)
    {
        struct xerr ignore = {0};
        if (access_read_request(actor, json_integer_value(json_object_get(a, "department_id")),
                                &ignore) == XOK)
            json_array_append(mine, a);
    }
    json_decref(all);
    *out = mine;
    return XOK;
}
