/*
 * audit.c - the hash-chained audit log; see audit.h.
 */
#include "audit.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

static const char genesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

void audit_hash(long long seq, const char *at, const char *actor, const char *action,
                const char *object, const char *before, const char *after, const char *prev,
                char *out)
{
    json_t *arr = json_pack("[I, s, s, s, s, s?, s?, s]", (json_int_t)seq, at, actor, action,
                            object, before, after, prev);
    char *text = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(out, 65, h, sizeof h);
    free(text);
    json_decref(arr);
}

/* meta.audit_head := the newest record's "SEQ:HASH", so that verify sees
 * records removed from the end. */
static enum xcode write_head(struct db *db, struct xerr *e)
{
    struct db_rows *rows;
    if (db_query(db, &rows, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", DB_NOARGS,
                 e))
        return e->code;
    char head[96] = "";
    int rc = db_next(rows, e);
    if (rc == 1)
        snprintf(head, sizeof head, "%lld:%s", db_int(rows, 0), db_text(rows, 1));
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (!head[0])
        return XOK;
    return db_exec(db,
                   "INSERT INTO meta(key, value) VALUES ('audit_head', ?1) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                   DB_ARGS(DS(head)), e);
}

/* The newest record's seq and hash (0 and the genesis hash where the log
 * is empty): what this transaction last appended, or else from the table. */
static enum xcode tail(struct db *db, long long *seq, char prev[65], struct xerr *e)
{
    const char *memo = db_memo(db);
    char *colon;
    if (memo && (colon = strchr(memo, ':')) && strlen(colon + 1) == 64) {
        *seq = strtoll(memo, NULL, 10);
        memcpy(prev, colon + 1, 65);
        return XOK;
    }
    struct db_rows *rows;
    if (db_query(db, &rows, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", DB_NOARGS,
                 e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1) {
        *seq = db_int(rows, 0);
        snprintf(prev, 65, "%s", db_text(rows, 1));
    }
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

static char *dump(json_t *j)
{
    return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

enum xcode audit_append(struct db *db, const char *actor, const char *action, const char *object,
                        json_t *before, json_t *after, struct xerr *e)
{
    long long seq = 0;
    char prev[65];
    memcpy(prev, genesis, sizeof genesis);
    if (tail(db, &seq, prev, e))
        return e->code;
    seq++;
    char now[21], hash[65];
    store_now(now);
    char *b = dump(before), *a = dump(after);
    audit_hash(seq, now, actor, action, object, b, a, prev, hash);
    enum xcode xc = db_exec(db,
                            "INSERT INTO audit_log(seq, at, actor, action, object, before, after, "
                            "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                            DB_ARGS(DI(seq), DS(now), DS(actor), DS(action), DS(object), DS(b),
                                    DS(a), DS(prev), DS(hash)),
                            e);
    /* The head is written once per transaction, as it commits: updating
     * one row for every record of a long transaction costs PostgreSQL a
     * growing chain of versions of it. */
    if (!xc) {
        char head[96];
        snprintf(head, sizeof head, "%lld:%s", seq, hash);
        db_memo_set(db, head);
        db_before_commit(db, write_head);
    }
    if (!xc && !db_in_transaction(db))
        xc = write_head(db, e);
    free(b);
    free(a);
    return xc;
}

enum xcode audit_head(struct db *db, char out[96], struct xerr *e)
{
    struct db_rows *rows;
    out[0] = '\0';
    if (db_query(db, &rows, "SELECT value FROM meta WHERE key = 'audit_head'", DB_NOARGS, e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1)
        snprintf(out, 96, "%s", db_text(rows, 0));
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

static json_t *parse_or_null(struct db_rows *rows, int col)
{
    if (db_is_null(rows, col))
        return json_null();
    json_t *j = json_loads(db_text(rows, col), 0, NULL);
    return j ? j : json_string(db_text(rows, col));
}

enum xcode audit_list(struct db *db, const struct audit_filter *f, json_t **out, struct xerr *e)
{
    static const struct audit_filter none = {0};
    if (!f)
        f = &none;
    char until[24] = "";
    if (f->until)
        snprintf(until, sizeof until, "%.10sT99", f->until);
    struct db_val args[] = {DS(f->actor),
                            DS(f->action),
                            DS(f->object_prefix),
                            DS(f->since),
                            DS(f->until ? until : NULL),
                            DI(f->limit > 0 ? f->limit : DB_NO_LIMIT),
                            DI(f->offset > 0 ? f->offset : 0)};
#define AUDIT_WHERE                                                                                \
    "WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2) "                            \
    "AND (?3 IS NULL OR substr(object, 1, length(?3)) = ?3) AND (?4 IS NULL OR at >= ?4) "         \
    "AND (?5 IS NULL OR at <= ?5) "
    long long total = 0;
    bool found;
    /* Unfiltered, the count is the newest seq (the chain has no gaps; verify
     * says where it has), found by the primary key instead of a scan. */
    bool filtered = f->actor || f->action || f->object_prefix || f->since || f->until;
    if (filtered ? db_one_int(db, "SELECT count(*) FROM audit_log " AUDIT_WHERE, args, 5, &total,
                              &found, e)
                 : db_one_int(db, "SELECT coalesce(max(seq), 0) FROM audit_log", DB_NOARGS, &total,
                              &found, e))
        return e->code;
    struct db_rows *rows;
    if (db_query(db, &rows,
                 "SELECT seq, at, actor, action, object, before, after, prev_hash, hash "
                 "FROM audit_log " AUDIT_WHERE "ORDER BY seq LIMIT ?6 OFFSET ?7",
                 args, 7, e))
        return e->code;
#undef AUDIT_WHERE
    json_t *arr = json_array();
    int rc;
    while ((rc = db_next(rows, e)) == 1) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "seq", (json_int_t)db_int(rows, 0), "at",
                              db_text(rows, 1), "actor", db_text(rows, 2), "action",
                              db_text(rows, 3), "object", db_text(rows, 4));
        json_object_set_new(o, "before", parse_or_null(rows, 5));
        json_object_set_new(o, "after", parse_or_null(rows, 6));
        json_object_set_new(o, "prev_hash", json_string(db_text(rows, 7)));
        json_object_set_new(o, "hash", json_string(db_text(rows, 8)));
        json_array_append_new(arr, o);
    }
    db_done(rows);
    if (rc < 0) {
        json_decref(arr);
        return e->code;
    }
    *out = json_pack("{s:o, s:I}", "records", arr, "total", (json_int_t)total);
    return XOK;
}

static void problem(json_t *arr, long long seq, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(json_t *arr, long long seq, const char *kind, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(
        arr, json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)seq, "problem", kind, "message", msg));
}

enum xcode audit_verify(struct db *db, bool *ok, json_t **report, struct xerr *e)
{
    struct db_rows *rows;
    if (db_query_stream(db, &rows,
                        "SELECT seq, at, actor, action, object, before, after, prev_hash, hash "
                        "FROM audit_log ORDER BY seq",
                        DB_NOARGS, e))
        return e->code;
    json_t *problems = json_array();
    char prev[65], computed[65];
    memcpy(prev, genesis, sizeof genesis);
    long long lastSeq = 0, n = 0;
    int rc;
    while ((rc = db_next(rows, e)) == 1) {
        long long seq = db_int(rows, 0);
        const char *stored_prev = db_text(rows, 7), *stored = db_text(rows, 8);
        n++;
        audit_hash(seq, db_text(rows, 1), db_text(rows, 2), db_text(rows, 3), db_text(rows, 4),
                   db_is_null(rows, 5) ? NULL : db_text(rows, 5),
                   db_is_null(rows, 6) ? NULL : db_text(rows, 6), stored_prev, computed);
        if (strcmp(computed, stored) != 0)
            problem(problems, seq, "altered",
                    "記録 #%lld の内容が改ざんされています（ハッシュが一致しません）", seq);
        if (seq != lastSeq + 1 && strcmp(stored_prev, prev) != 0)
            problem(
                problems, seq, "removed",
                "記録 #%lld の直前の記録が削除されています（連番とハッシュの連鎖が途切れています）",
                seq);
        else if (strcmp(stored_prev, prev) != 0)
            problem(problems, seq, "reordered",
                    "記録 #%lld は直前の記録とつながりません（挿入または順序の入れ替え）", seq);
        else if (seq != lastSeq + 1)
            problem(problems, seq, "inserted",
                    "記録 #%lld の連番が不正です（挿入または番号の書き換え）", seq);
        snprintf(prev, sizeof prev, "%s", stored);
        lastSeq = seq;
    }
    db_done(rows);
    if (rc < 0) {
        json_decref(problems);
        return e->code;
    }
    /* The newest records removed: the head kept in meta is ahead of the log. */
    if (db_query(db, &rows, "SELECT value FROM meta WHERE key = 'audit_head'", DB_NOARGS, e)) {
        json_decref(problems);
        return e->code;
    }
    rc = db_next(rows, e);
    if (rc == 1) {
        long long headSeq = atoll(db_text(rows, 0));
        const char *colon = strchr(db_text(rows, 0), ':');
        if (headSeq > lastSeq)
            problem(problems, lastSeq + 1, "removed",
                    "記録 #%lld 以降の最新の記録が削除されています", lastSeq + 1);
        else if (headSeq < lastSeq)
            problem(problems, headSeq + 1, "inserted",
                    "記録 #%lld 以降は記録時の末尾より後に追加されたものです（挿入）", headSeq + 1);
        else if (headSeq == lastSeq && colon && strcmp(colon + 1, prev) != 0 &&
                 json_array_size(problems) == 0)
            problem(problems, lastSeq, "altered", "最新の記録 #%lld が記録時のものと一致しません",
                    lastSeq);
    } else if (rc == 0 && n > 0) {
        problem(problems, 0, "altered", "監査ログの先頭情報（meta.audit_head）が失われています");
    }
    db_done(rows);
    if (rc < 0) {
        json_decref(problems);
        return e->code;
    }
    *ok = json_array_size(problems) == 0;
    *report = json_pack("{s:b, s:I, s:s, s:o}", "ok", *ok, "records", (json_int_t)n, "head", prev,
                        "problems", problems);
    return XOK;
}
