/*
 * attachments.c - evidence files on a request (別紙 item 15's deletion
 * certificate, an ISMAP registration, the terms of use): added by the
 * request's own department while it is open, read by that department, the
 * approvers, the ciso and the auditors; each addition an audit record
 * (name, size, SHA-256).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../core/filetype.h"
#include "../core/states.h"
#include "../core/text.h"
#include "access.h"
#include "internal.h"
#include "workflow.h"

#define NOTE_MAX_BYTES 1000
#define NAME_MAX_BYTES 255

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/'), *b = strrchr(path, '\\');
    const char *p = s > b ? s : b;
    return p ? p + 1 : path;
}

enum xcode wf_attach(struct db *db, const struct user *actor, long long request_id,
                     const char *name, const char *data, size_t n, long long item, const char *note,
                     size_t max, long long *id, struct xerr *e)
{
    *id = 0;
    if (!actor)
        return xerr_set(e, X_INVALID, "--as で操作する利用者を指定してください");
    if (n > max)
        return xerr_set(e, X_TOOLARGE, "添付ファイルが大きすぎます（%zu MiB まで）", max >> 20);
    if (n == 0)
        return xerr_set(e, X_INVALID, "空のファイルは添付できません");
    name = name ? base_name(name) : "";
    if (!*name || strlen(name) > NAME_MAX_BYTES || !utf8_valid(name, strlen(name)) ||
        strpbrk(name, "\r\n\t\"") != NULL)
        return xerr_set(e, X_INVALID, "ファイル名が不正です（%d バイトまでの UTF-8）",
                        NAME_MAX_BYTES);
    if (note && (strlen(note) > NOTE_MAX_BYTES || !utf8_valid(note, strlen(note))))
        return xerr_set(e, X_INVALID, "メモが不正です（%d バイトまで）", NOTE_MAX_BYTES);
    if (item < 0 || item > 9999)
        return xerr_set(e, X_INVALID, "項番が不正です");
    char why[256];
    const char *type = filetype_check(name, (const unsigned char *)data, n, why, sizeof why);
    if (!type)
        return xerr_set(e, X_INVALID, "%s: %s", name, why);
    unsigned char hash[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof hash + 1];
    crypto_hash_sha256(hash, (const unsigned char *)data, n);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    size_t b64len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64len);
    if (!b64)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    sodium_bin2base64(b64, b64len, (const unsigned char *)data, n, sodium_base64_VARIANT_ORIGINAL);
    struct request_row r;
    memset(&r, 0, sizeof r);
    enum xcode rc = db_begin_write(db, e);
    if (rc)
        goto out;
    if ((rc = store_request_get(db, request_id, &r, e)) ||
        (rc = access_applicant(actor, r.department_id, e)))
        goto fail;
    int st = req_state_parse(r.state);
    if (st == ST_APPROVED || st == ST_REJECTED || st == ST_WITHDRAWN) {
        rc = xerr_set(e, X_STATE, "申請 #%lld は%sのため、添付できません", request_id,
                      req_state_label((enum req_state)st));
        goto fail;
    }
    char now[21];
    store_now(now);
    struct attachment_row a = {.request_id = request_id,
                               .item = item,
                               .size = (long long)n,
                               .uploaded_by = actor->id,
                               .filename = name,
                               .content_type = type,
                               .sha256 = hex,
                               .note = note,
                               .uploaded_at = now};
    if ((rc = store_attachment_insert(db, &a, b64, id, e)))
        goto fail;
    json_t *after = json_pack("{s:I, s:s, s:s, s:I, s:s}", "attachment", (json_int_t)*id, "name",
                              name, "type", type, "size", (json_int_t)n, "sha256", hex);
    if (item > 0)
        json_object_set_new(after, "item", json_integer(item));
    char object[32];
    snprintf(object, sizeof object, "request:%lld", request_id);
    rc = audit_append(db, actor->login, "request.attach", object, NULL, after, e);
    json_decref(after);
    if (rc)
        goto fail;
    rc = db_commit(db, e);
    goto out;
fail:
    db_rollback(db);
    *id = 0;
out:
    request_row_release(&r);
    free(b64);
    return rc;
}

/* May the actor read the evidence of a request of `department_id`? The
 * same as reading the request (a manager: their own department's). */
enum xcode wf_attachments(struct db *db, const struct user *actor, long long request_id,
                          json_t **out, struct xerr *e)
{
    *out = NULL;
    struct request_row r;
    memset(&r, 0, sizeof r);
    enum xcode rc = db_begin_read(db, e);
    if (!rc && !(rc = store_request_get(db, request_id, &r, e)) &&
        !(rc = access_read_request(actor, r.department_id, e)))
        rc = store_attachments_of(db, request_id, out, e);
    db_rollback(db);
    request_row_release(&r);
    return rc;
}

enum xcode wf_entry_attachments(struct db *db, const struct user *actor, long long entry_id,
                                json_t **out, struct xerr *e)
{
    *out = NULL;
    long long dept = 0;
    bool found = false;
    enum xcode rc = db_begin_read(db, e);
    if (!rc)
        rc = db_one_int(db, "SELECT department_id FROM ledger_entries WHERE id = ?1",
                        DB_ARGS(DI(entry_id)), &dept, &found, e);
    if (!rc && !found)
        rc = xerr_set(e, X_NOTFOUND, "台帳番号 %lld の登録はありません", entry_id);
    if (!rc && !(rc = access_read_request(actor, dept, e)))
        rc = store_attachments_of_entry(db, entry_id, out, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_attachment_get(struct db *db, const struct user *actor, long long id, json_t **meta,
                             char **data, size_t *n, struct xerr *e)
{
    *meta = NULL;
    *data = NULL;
    *n = 0;
    char *b64 = NULL;
    struct request_row r;
    memset(&r, 0, sizeof r);
    enum xcode rc = db_begin_read(db, e);
    if (!rc && !(rc = store_attachment_get(db, id, meta, &b64, e)) &&
        !(rc = store_request_get(db, json_integer_value(json_object_get(*meta, "request")), &r, e)))
        rc = access_read_request(actor, r.department_id, e);
    db_rollback(db);
    request_row_release(&r);
    if (!rc) {
        size_t cap = strlen(b64) / 4 * 3 + 3;
        *data = malloc(cap ? cap : 1);
        if (!*data || sodium_base642bin((unsigned char *)*data, cap, b64, strlen(b64), NULL, n,
                                        NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
            rc = xerr_set(e, X_STORE, "添付ファイル %lld の中身を読めません", id);
    }
    free(b64);
    if (rc) {
        json_decref(*meta);
        *meta = NULL;
        free(*data);
        *data = NULL;
        *n = 0;
    }
    return rc;
}
