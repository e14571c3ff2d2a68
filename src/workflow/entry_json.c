/*
 * entry_json.c - one ledger entry as the API answers it: made the long
 * way (the entry, its versions, each version's 事前協議), kept ready in
 * ledger_json by the approval that changes it, and read back with one
 * statement, the day's state spliced in. See store_read_cache.c for how a
 * kept row can never be stale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/date.h"
#include "../core/states.h"
#include "access.h"
#include "internal.h"
#include "workflow.h"

/* The entry with "versions", each with its "consultation"; inside a
 * transaction. */
static enum xcode entry_full(struct db *db, long long id, const char *today, json_t **out,
                             struct xerr *e)
{
    enum xcode rc = store_ledger_get(db, id, today, true, out, e);
    size_t i;
    json_t *v;
    json_array_foreach(rc ? NULL : json_object_get(*out, "versions"), i, v)
    {
        json_t *history;
        long long req = (long long)json_integer_value(json_object_get(v, "request_id"));
        if ((rc = store_events(db, req, &history, e)))
            break;
        json_object_set_new(v, "consultation", wf_consultation(history));
        json_decref(history);
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

enum xcode wf_ledger_show(struct db *db, const struct user *actor, long long id, json_t **out,
                          struct xerr *e)
{
    char today[11];
    *out = NULL;
    if (access_read_ledger(actor, e))
        return e->code;
    date_format(date_today(), today);
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = entry_full(db, id, today, out, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_entry_json_keep(struct db *db, long long id, struct xerr *e)
{
    char today[11];
    json_t *o;
    date_format(date_today(), today);
    if (entry_full(db, id, today, &o, e))
        return e->code;
    json_object_del(o, "state");
    json_object_del(o, "state_label");
    char *body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_t *period = json_object_get(o, "period");
    const char *from = json_string_value(json_object_get(period, "from")),
               *to = json_string_value(json_object_get(period, "to")),
               *retired = json_string_value(json_object_get(o, "retired_on"));
    enum xcode rc = body && from && to
                        ? store_entry_json_put(db, id, from, to, retired, body, e)
                        : xerr_set(e, X_INTERNAL, "台帳番号 %lld の応答を作れませんでした", id);
    free(body);
    json_decref(o);
    return rc;
}

/* `{"id":N,` + `"state":…,"state_label":…,` + the rest: the bytes the long
 * way dumps, in its order. NULL where body is not such an object. */
static char *splice_state(const char *body, const char *state)
{
    int s = entry_state_parse(state);
    const char *comma = strncmp(body, "{\"id\":", 6) == 0 ? strchr(body, ',') : NULL;
    if (s < 0 || !comma)
        return NULL;
    const char *label = entry_state_label((enum entry_state)s);
    size_t head = (size_t)(comma - body) + 1, n = strlen(body);
    size_t cap = n + strlen(state) + strlen(label) + 40;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    snprintf(out, cap, "%.*s\"state\":\"%s\",\"state_label\":\"%s\",%s", (int)head, body, state,
             label, body + head);
    return out;
}

enum xcode wf_ledger_show_json(struct db *db, const struct user *actor, long long id, char **json,
                               struct xerr *e)
{
    char today[11], state[16];
    char *body;
    *json = NULL;
    if (access_read_ledger(actor, e))
        return e->code;
    date_format(date_today(), today);
    enum xcode rc = store_entry_json_get(db, id, today, state, &body, e);
    if (rc == XOK) {
        *json = splice_state(body, state);
        free(body);
        if (*json)
            return XOK;
    } else if (rc != X_NOTFOUND)
        return rc;
    /* Not kept (yet): the long way, which also says X_NOTFOUND for none. */
    json_t *o;
    if (wf_ledger_show(db, actor, id, &o, e))
        return e->code;
    *json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return *json ? XOK : xerr_set(e, X_INTERNAL, "応答を作成できませんでした");
}

enum xcode wf_entry_json_fill(struct db *db, int max, int *made, struct xerr *e)
{
    enum { BATCH = 200 };
    long long ids[BATCH];
    bool stale;
    int n = 0;
    *made = 0;
    if (max > BATCH)
        max = BATCH;
    if (store_entry_json_stale(db, &stale, e))
        return e->code;
    if (!stale)
        return XOK;
    if (db_begin_write(db, e))
        return e->code;
    enum xcode rc = store_entry_json_missing(db, ids, max, &n, e);
    for (int i = 0; !rc && i < n; i++)
        rc = wf_entry_json_keep(db, ids[i], e);
    if (!rc && n < max)
        rc = store_entry_json_fresh(db, e);
    if (!rc)
        rc = db_commit(db, e);
    else
        db_rollback(db);
    if (!rc)
        *made = n;
    return rc;
}
