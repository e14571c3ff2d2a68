/*
 * audit.c - the hash-chained audit log; see audit.h.
 */
#include "audit.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "audit_key.h"
#include "store.h"

static const char genesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* meta.audit_head := the newest record's "SEQ:HASH", so that verify sees
 * records removed from the end. */
enum xcode audit_write_head(struct db *db, struct xerr *e)
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
enum xcode audit_tail(struct db *db, long long *seq, char prev[65], struct xerr *e)
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

char *audit_dump(json_t *j)
{
    return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

static enum xcode append(struct db *db, const char *actor, const char *action, const char *object,
                         json_t *before, json_t *after, long long *seq_out, struct xerr *e);

/* The key, or the error saying where it was looked for. */
enum xcode audit_need_key(struct db *db, const unsigned char **key, struct xerr *e)
{
    const struct audit_key *k = db_audit_key(db);
    if (!k || !k->present)
        return k ? audit_key_missing(k, e)
                 : xerr_set(e, X_INTERNAL, "監査鍵が読み込まれていません");
    *key = k->key;
    return XOK;
}

/* Begin the keyed segment where it has not begun: its first record says
 * so, under the key, and meta.audit_keyed_from remembers where (for the
 * writers; verify finds the record itself). Once per transaction: after
 * its first record (db_memo), the segment has begun. */
enum xcode audit_begin_segment(struct db *db, struct xerr *e)
{
    if (db_memo(db))
        return XOK;
    struct db_rows *rows;
    if (db_query(db, &rows, "SELECT value FROM meta WHERE key = 'audit_keyed_from'", DB_NOARGS, e))
        return e->code;
    int rc = db_next(rows, e);
    db_done(rows);
    if (rc != 0)
        return rc < 0 ? e->code : XOK;
    const struct audit_key *k = db_audit_key(db);
    json_t *after = json_pack("{s:s, s:s}", "algorithm", "HMAC-SHA-256", "key_id", k->id);
    long long seq = 0;
    enum xcode xc = append(db, "system", AUDIT_KEYED_ACTION, "audit", NULL, after, &seq, e);
    json_decref(after);
    if (xc)
        return xc;
    char text[24];
    snprintf(text, sizeof text, "%lld", seq);
    return db_exec(db,
                   "INSERT INTO meta(key, value) VALUES ('audit_keyed_from', ?1) "
                   "ON CONFLICT(key) DO NOTHING",
                   DB_ARGS(DS(text)), e);
}

enum xcode audit_append(struct db *db, const char *actor, const char *action, const char *object,
                        json_t *before, json_t *after, struct xerr *e)
{
    const unsigned char *key = NULL;
    if (audit_need_key(db, &key, e) || audit_begin_segment(db, e))
        return e->code;
    long long seq;
    return append(db, actor, action, object, before, after, &seq, e);
}

enum xcode audit_key_ensure(struct db *db, struct xerr *e)
{
    const struct audit_key *k = db_audit_key(db);
    if (k->present)
        return XOK;
    long long from = 0;
    bool keyed = false;
    if (db_one_int(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'audit_keyed_from'",
                   DB_NOARGS, &from, &keyed, e))
        return e->code;
    /* A new key for a chain sealed with the lost one would make every
     * record after the seal look altered. */
    if (keyed)
        return audit_key_missing(k, e);
    return audit_key_create(k, NULL, e);
}

enum xcode audit_key_ready(struct db *db, struct xerr *e)
{
    const unsigned char *key = NULL;
    return audit_need_key(db, &key, e);
}

enum xcode audit_key_follow(const char *to_url, struct db *from, struct xerr *e)
{
    const struct audit_key *k;
    if (audit_key_for(to_url, &k, e))
        return e->code;
    return audit_key_create(k, db_audit_key(from), e);
}

enum xcode audit_begin_keyed(struct db *db, struct xerr *e)
{
    const unsigned char *key = NULL;
    if (audit_need_key(db, &key, e))
        return e->code;
    return audit_begin_segment(db, e);
}

static enum xcode append(struct db *db, const char *actor, const char *action, const char *object,
                         json_t *before, json_t *after, long long *seq_out, struct xerr *e)
{
    const unsigned char *key = db_audit_key(db)->key;
    long long seq = 0;
    char prev[65];
    memcpy(prev, genesis, sizeof genesis);
    if (audit_tail(db, &seq, prev, e))
        return e->code;
    seq++;
    char now[21], hash[65];
    store_now(now);
    char *b = audit_dump(before), *a = audit_dump(after);
    audit_hash(key, seq, now, actor, action, object, b, a, prev, hash);
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
        db_before_commit(db, audit_write_head);
    }
    if (!xc && !db_in_transaction(db))
        xc = audit_write_head(db, e);
    *seq_out = seq;
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

/* The audit log's listing and count for each set of filters (bit 0 actor,
 * 1 action, 2 object, 3 since, 4 until): made once and kept, since the
 * drivers cache statements by the address of their text. Every parameter
 * appears once whatever is filtered (PostgreSQL types each). */
static char *g_count_sql[64], *g_list_sql[64];
static pthread_once_t g_filters_once = PTHREAD_ONCE_INIT;

static void make_filters(void)
{
    /* An object's kind ("request:") as a range of the index
     * (audit_log_object) and, to be exact about the end of the range, the
     * prefix itself: objects are ASCII ("request:12"), all below U+FFFF.
     * Bit 5 of the mask: one object, exactly. */
    static const char *on[5] = {"actor = ?1", "action = ?2",
                                ("object >= ?3 AND object < ?3 || '\uffff' AND "
                                 "substr(object, 1, length(?3)) = ?3"),
                                "at >= ?4", "at <= ?5"};
    static const char *off[5] = {"CAST(?1 AS TEXT) IS NULL", "CAST(?2 AS TEXT) IS NULL",
                                 "CAST(?3 AS TEXT) IS NULL", "CAST(?4 AS TEXT) IS NULL",
                                 "CAST(?5 AS TEXT) IS NULL"};
    for (unsigned mask = 0; mask < 64; mask++) {
        char where[480] = "WHERE ";
        for (int i = 0; i < 5; i++) {
            if (i)
                strcat(where, " AND ");
            strcat(where, !(mask & (1u << i))    ? off[i]
                          : i == 2 && mask & 32u ? "object = ?3"
                                                 : on[i]);
        }
        size_t n = strlen(where) + 128;
        g_count_sql[mask] = malloc(n);
        g_list_sql[mask] = malloc(n);
        if (g_count_sql[mask])
            snprintf(g_count_sql[mask], n, "SELECT count(*) FROM audit_log %s", where);
        if (g_list_sql[mask])
            snprintf(g_list_sql[mask], n,
                     "SELECT seq, at, actor, action, object, before, after, prev_hash, hash "
                     "FROM audit_log %s ORDER BY audit_log.seq LIMIT ?6 OFFSET ?7",
                     where);
    }
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
    /* A kind (no id after its colon) is every object of it; else the one. */
    const char *colon = f->object ? strchr(f->object, ':') : NULL;
    bool exact = colon && colon[1];
    char *kind = NULL;
    if (f->object && !colon &&
        (!(kind = malloc(strlen(f->object) + 2)) || sprintf(kind, "%s:", f->object) < 0)) {
        free(kind);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    struct db_val args[] = {DS(f->actor),
                            DS(f->action),
                            DS(kind ? kind : f->object),
                            DS(f->since),
                            DS(f->until ? until : NULL),
                            DI(f->limit > 0 ? f->limit : DB_NO_LIMIT),
                            DI(f->offset > 0 ? f->offset : 0)};
    /* Only the filters given, so that an index serves (actor, seq) or
     * (action, seq): "?1 IS NULL OR actor = ?1" read the whole log. */
    unsigned mask = (f->actor ? 1u : 0) | (f->action ? 2u : 0) | (f->object ? 4u : 0) |
                    (f->since ? 8u : 0) | (f->until ? 16u : 0) | (exact ? 32u : 0);
    pthread_once(&g_filters_once, make_filters);
    long long total = 0;
    bool found;
    struct db_rows *rows = NULL;
    enum xcode xc;
    if (!g_count_sql[mask] || !g_list_sql[mask])
        xc = xerr_set(e, X_INTERNAL, "メモリが不足しています");
    /* Unfiltered, the count is the newest seq (the chain has no gaps; verify
     * says where it has), found by the primary key instead of a scan. */
    else if (mask ? db_one_int(db, g_count_sql[mask], args, 5, &total, &found, e)
                  : db_one_int(db, "SELECT coalesce(max(seq), 0) FROM audit_log", DB_NOARGS, &total,
                               &found, e))
        xc = e->code;
    else
        xc = db_query(db, &rows, g_list_sql[mask], args, 7, e);
    if (xc) {
        free(kind);
        return xc;
    }
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
    db_done(rows); /* the statement holds the text of `kind` until here */
    free(kind);
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

/* A head kept elsewhere, "SEQ:HASH": false where it is not one. */
static bool parse_head(const char *text, long long *seq, char hash[65])
{
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (errno || end == text || *end != ':' || n < 1 || strlen(end + 1) != 64 ||
        strspn(end + 1, "0123456789abcdef") != 64)
        return false;
    *seq = n;
    memcpy(hash, end + 1, 65);
    return true;
}

/* The marker that begins the keyed segment names the key it was written
 * with; its id, or "" when it does not say. */
static void marker_key_id(struct db_rows *rows, char id[17])
{
    id[0] = '\0';
    json_t *after = db_is_null(rows, 6) ? NULL : json_loads(db_text(rows, 6), 0, NULL);
    const char *s = json_string_value(json_object_get(after, "key_id"));
    if (s)
        snprintf(id, 17, "%s", s);
    json_decref(after);
}

enum xcode audit_verify(struct db *db, const char *expect, bool *ok, json_t **report,
                        struct xerr *e)
{
    const unsigned char *key = NULL;
    long long expect_seq = 0;
    char expect_hash[65] = "";
    bool expect_seen = false;
    if (expect && !parse_head(expect, &expect_seq, expect_hash))
        return xerr_set(e, X_INVALID,
                        "--head は extsvc audit head が出力した「番号:ハッシュ」"
                        "（例 1234:64 桁の 16 進数）で指定してください: %s",
                        expect);
    if (audit_need_key(db, &key, e))
        return e->code;
    const struct audit_key *k = db_audit_key(db);
    struct db_rows *rows;
    if (db_query_stream(db, &rows,
                        "SELECT seq, at, actor, action, object, before, after, prev_hash, hash "
                        "FROM audit_log ORDER BY seq",
                        DB_NOARGS, e))
        return e->code;
    json_t *problems = json_array();
    char prev[65], computed[65];
    memcpy(prev, genesis, sizeof genesis);
    long long lastSeq = 0, n = 0, keyed_from = 0;
    bool wrong_key = false;
    int rc;
    while ((rc = db_next(rows, e)) == 1) {
        long long seq = db_int(rows, 0);
        const char *stored_prev = db_text(rows, 7), *stored = db_text(rows, 8);
        n++;
        /* Records before the keyed segment are plain SHA-256; from its
         * first record on, HMAC under the key. */
        bool marker = !keyed_from && strcmp(db_text(rows, 3), AUDIT_KEYED_ACTION) == 0;
        audit_hash(keyed_from || marker ? key : NULL, seq, db_text(rows, 1), db_text(rows, 2),
                   db_text(rows, 3), db_text(rows, 4),
                   db_is_null(rows, 5) ? NULL : db_text(rows, 5),
                   db_is_null(rows, 6) ? NULL : db_text(rows, 6), stored_prev, computed);
        if (marker) {
            char id[17];
            marker_key_id(rows, id);
            keyed_from = seq;
            if (strcmp(computed, stored) != 0 && id[0] && strcmp(id, k->id) != 0) {
                wrong_key = true;
                problem(problems, seq, "wrong-key",
                        "記録 #%lld からの鍵付きの区間は別の鍵（%s）で書かれています。"
                        "監査鍵ファイル '%s'（%s）はこのデータベースのものではありません",
                        seq, id, k->path, k->id);
            }
        }
        if (!wrong_key && strcmp(computed, stored) != 0)
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
        if (expect && seq == expect_seq) {
            expect_seen = true;
            if (strcmp(stored, expect_hash) != 0)
                problem(problems, seq, "head-mismatch",
                        "記録 #%lld は保管された先頭（%s）と違います（書き換えられています）", seq,
                        expect);
        }
        snprintf(prev, sizeof prev, "%s", stored);
        lastSeq = seq;
    }
    db_done(rows);
    if (rc < 0) {
        json_decref(problems);
        return e->code;
    }
    /* Without its keyed segment, the whole chain could have been
     * recomputed by anyone who can write to the database. */
    if (n > 0 && !keyed_from)
        problem(problems, lastSeq, "unkeyed",
                "監査ログに鍵付きの区間がありません。鍵なしで書き直されたおそれがあります"
                "（これまでの記録を鍵で封じるには extsvc init を実行してください）");
    if (expect && !expect_seen)
        problem(problems, expect_seq, "head-missing",
                "保管された先頭の記録 #%lld がありません（それ以降の記録が削除されています）",
                expect_seq);
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
    *report = json_pack("{s:b, s:I, s:s, s:I, s:s, s:o}", "ok", *ok, "records", (json_int_t)n,
                        "head", prev, "keyed_from", (json_int_t)keyed_from, "key_id", k->id,
                        "problems", problems);
    return XOK;
}

enum xcode audit_newest(struct db *db, char out[96], struct xerr *e)
{
    struct db_rows *rows;
    out[0] = '\0';
    if (db_query(db, &rows, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", DB_NOARGS,
                 e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1)
        snprintf(out, 96, "%lld:%s", db_int(rows, 0), db_text(rows, 1));
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}
