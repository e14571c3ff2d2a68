/*
 * remind.c - what is due (extsvc remind, the dashboards): entries whose
 * period ends soon, retirements coming, ISMAP registrations that lapse
 * before an entry's use ends, and requests waiting for the approver longer
 * than they should. Each reader sees what their roles let them read: the
 * ledger to everyone signed in, requests to the approver, ciso and auditor
 * (a manager: their own department's).
 */
#include <stdio.h>
#include <string.h>

#include "../core/date.h"
#include "access.h"
#include "internal.h"
#include "workflow.h"

/* Keep the items of `all` the actor's department may see (for a manager
 * without a city-wide role), by their "department_id". */
static json_t *own_only(const struct user *actor, json_t *all)
{
    if (!actor || has_role(actor, ROLE_APPROVER) || has_role(actor, ROLE_CISO) ||
        has_role(actor, ROLE_AUDITOR))
        return all;
    json_t *mine = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(all, i, it)
    {
        if (actor && has_role(actor, ROLE_MANAGER) &&
            json_integer_value(json_object_get(it, "department_id")) == actor->department_id)
            json_array_append(mine, it);
    }
    json_decref(all);
    return mine;
}

enum xcode wf_remind(struct db *db, const struct user *actor, int within, int waiting_days,
                     json_t **out, struct xerr *e)
{
    *out = NULL;
    if (access_read_ledger(actor, e))
        return e->code;
    if (within < 1 || within > 3650 || waiting_days < 1 || waiting_days > 3650)
        return xerr_set(e, X_INVALID, "日数は 1〜3650 です");
    json_t *ending = NULL;
    if (wf_ledger_expiring(db, actor, within, &ending, e))
        return e->code;
    struct xdate today = date_today();
    char zToday[11], zUntil[11], before[21];
    date_format(today, zToday);
    date_format(date_add_days(today, within), zUntil);
    store_time_in(-(long long)waiting_days * 86400, before);
    json_t *ids = NULL, *lapses = NULL, *waiting = NULL, *retiring = json_array();
    enum xcode rc = db_begin_read(db, e);
    if (!rc && !(rc = store_retiring_between(db, zToday, zUntil, &ids, e))) {
        size_t i;
        json_t *id;
        json_array_foreach(ids, i, id)
        {
            json_t *en;
            if ((rc = store_ledger_get(db, json_integer_value(id), zToday, false, &en, e)))
                break;
            json_array_append_new(retiring, en);
        }
    }
    if (!rc)
        rc = store_ismap_lapses(db, zToday, &lapses, e);
    if (!rc)
        rc = store_requests_waiting(db, before, &waiting, e);
    db_rollback(db);
    json_decref(ids);
    if (rc) {
        json_decref(ending);
        json_decref(retiring);
        json_decref(lapses);
        json_decref(waiting);
        return rc;
    }
    struct xerr ignore = {0};
    bool reads_requests =
        access_list_requests(actor, &ignore) == XOK || (actor && has_role(actor, ROLE_MANAGER));
    if (reads_requests)
        waiting = own_only(actor, waiting);
    *out = json_pack("{s:s, s:s, s:i, s:i, s:O, s:o, s:o, s:o}", "today", zToday, "until", zUntil,
                     "within", within, "waiting_days", waiting_days, "ending",
                     json_object_get(ending, "entries"), "retiring", retiring, "ismap_lapses",
                     lapses, "waiting", reads_requests ? waiting : json_array());
    if (!reads_requests)
        json_decref(waiting);
    json_decref(ending);
    return XOK;
}
