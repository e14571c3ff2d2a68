/*
 * copy.c - `extsvc copy`: a city's whole database into another, of either
 * backend (SQLite to PostgreSQL when it outgrows one machine, and back).
 */
#include <sodium.h>
#include <stdio.h>

#include "internal.h"
#include "workflow.h"

enum xcode wf_copy(const char *from_url, const char *to_url, json_t **report, struct xerr *e)
{
    struct db *from = NULL, *to = NULL;
    json_t *counts = NULL;
    char shown_from[512], shown_to[512];
    db_url_shown(from_url, shown_from, sizeof shown_from);
    db_url_shown(to_url, shown_to, sizeof shown_to);
    if (wf_open(from_url, &from, e))
        return e->code;
    /* The chain verifies only under the key it was written with. */
    enum xcode rc = audit_key_follow(to_url, from, e);
    if (rc || (rc = db_open(to_url, DB_OPEN_CREATE, &to, e)))
        goto out;
    /* One snapshot of the source; everything on the target in one
     * transaction, the schema included: a failure leaves it as it was. */
    if ((rc = db_begin_read(from, e)))
        goto out;
    if ((rc = db_begin_write(to, e))) {
        db_rollback(from);
        goto out;
    }
    bool empty = false;
    if ((rc = store_migrate(to, e)) || (rc = store_check_version(to, e)) ||
        (rc = store_copy_is_empty(to, &empty, e)))
        goto fail;
    if (!empty) {
        rc = xerr_set(e, X_STATE,
                      "コピー先 %s は空ではありません。何も書き込んでいません"
                      "（空のデータベースか、まだないファイルを指定してください）",
                      shown_to);
        goto fail;
    }
    if ((rc = store_copy_all(from, to, &counts, e)))
        goto fail;
    /* The copy itself is the first record the new home adds to the chain. */
    json_t *after = json_pack("{s:s, s:O}", "from", shown_from, "rows", counts);
    rc = audit_append(to, "system", "database.copy", "database", NULL, after, e);
    json_decref(after);
    if (!rc)
        wf_fault_point("copy"); /* killed here, the target must hold nothing */
    if (rc || (rc = db_commit(to, e)))
        goto fail;
    db_rollback(from);
    /* The data is in: a failure here leaves it for autovacuum. */
    struct xerr ignore = {0};
    (void)store_copy_settle(to, &ignore);
    *report = json_pack("{s:s, s:s, s:O}", "from", shown_from, "to", shown_to, "rows", counts);
    goto out;
fail:
    db_rollback(to);
    db_rollback(from);
out:
    json_decref(counts);
    db_close(to);
    db_close(from);
    return rc;
}
