/*
 * import.c - a city's old ledger in (extsvc ledger import): every row
 * checked first (core/csv_read.c, core/ledger_import.c), then all rows
 * written in one transaction or none. Each row becomes an approved
 * request and a ledger entry marked as migrated (migrated_from: the file
 * and its row), with one audit record. The writing pass is in
 * import_write.c: a thread reads the file again while this one writes.
 * The checking pass runs beside it, on a thread of its own: a file found
 * wrong stops the writing, which is rolled back, and one found right is
 * committed; the check no longer holds up the writing (it was a twentieth
 * of an import's time, on one core while the other idled).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/csv_read.h"
#include "../core/date.h"
#include "../core/ledger_import.h"
#include "../core/text.h"
#include "access.h"
#include "internal.h"
#include "import_write.h"
#include "workflow.h"

/* More rows than a city's ledger will ever hold: past it, not a ledger. */
#define IMPORT_MAX_ROWS 1000000

/* One pass over the file: checking every row (the first), or writing
 * them (the second, once the first found nothing wrong). Rows are read
 * again rather than kept: 100,000 documents held in memory took 400 MB. */
struct rows {
    const struct catalogue *cat;
    struct import_map map;
    bool have_header, header_ok;
    json_t *issues;
    json_t *table; /* the dry run's rows, or NULL */
    long count, blank;
    /* writing: this pass reads the file again for the writer (import_write.c) */
    bool writing;
    const char *data;
    size_t n;
    enum csv_encoding encoding;
    struct import_pipe *pipe;
    enum xcode rc; /* a row that could not be prepared (e) */
    struct xerr e;
};

static json_t *preview(json_t *item);

static bool on_record(char **cells, size_t n, long row, void *arg)
{
    struct rows *r = arg;
    if (!r->have_header) {
        r->have_header = true;
        r->header_ok = import_header(cells, n, &r->map, r->issues);
        return r->header_ok; /* without the columns no row can be read */
    }
    if (r->count >= IMPORT_MAX_ROWS) {
        csv_issue(r->issues, row, 0, "行が多すぎます（上限 %d 行）", IMPORT_MAX_ROWS);
        return false;
    }
    bool blank;
    json_t *doc = import_row(&r->map, cells, n, row, r->cat, &blank, r->issues);
    if (blank) {
        r->blank += !r->writing;
        return true;
    }
    if (!doc) /* writing: the checking pass reports it (and stops the writer) */
        return !r->writing && json_array_size(r->issues) < 1000; /* enough to fix at once */
    int c = r->map.col[IMP_OLD_ID];
    const char *old = c >= 0 && (size_t)c < n ? cells[c] : "";
    json_t *item =
        json_pack("{s:I, s:o, s:s}", "line", (json_int_t)row, "document", doc, "old_id", old);
    r->count++;
    if (r->table)
        json_array_append_new(r->table, preview(item));
    bool stopped = false;
    if (r->writing)
        r->rc = import_pipe_add(r->pipe, item, &stopped, &r->e);
    json_decref(item);
    return !stopped && !r->rc;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* The dry run's table: one row per entry as it would be written. */
static json_t *preview(json_t *item)
{
    json_t *d = json_object_get(item, "document");
    json_t *svc = json_object_get(d, "service"), *cls = json_object_get(d, "classification");
    json_t *per = json_object_get(d, "period"), *app = json_object_get(d, "applicant");
    return json_pack("{s:O, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "line",
                     json_object_get(item, "line"), "name", str(svc, "name"), "function",
                     str(svc, "function"), "provider", str(svc, "provider"), "purpose",
                     str(d, "purpose"), "confidentiality", str(cls, "confidentiality"), "integrity",
                     str(cls, "integrity"), "availability", str(cls, "availability"), "from",
                     str(per, "from"), "to", str(per, "to"), "department", str(app, "department"),
                     "applicant", str(app, "name"), "scope", str(d, "scope"));
}

/* The reading thread of the writing pass: the file read again, each row
 * prepared and queued for the writer. */
static void *read_rows(void *arg)
{
    struct rows *w = arg;
    enum csv_encoding again;
    csv_read(w->data, w->n, w->encoding, &again, on_record, w, w->issues);
    import_pipe_finish(w->pipe, w->rc != XOK);
    return NULL;
}

/* The checking pass: every row read and checked, the problems in
 * r->issues (also for a file without a header or without rows). */
static void check_rows(struct rows *r, const char *data, size_t n, enum csv_encoding enc,
                       enum csv_encoding *used)
{
    csv_read(data, n, enc, used, on_record, r, r->issues);
    if (!r->have_header && json_array_size(r->issues) == 0)
        csv_issue(r->issues, 1, 0, "空のファイルです（見出しの行がありません）");
    else if (r->count == 0 && json_array_size(r->issues) == 0)
        csv_issue(r->issues, 2, 0, "取り込む行がありません（見出しの行だけです）");
}

/* The checking pass beside the writing one: where the file is wrong it
 * stops the writer, else it tells the writer how many rows there are. */
struct checker {
    struct rows *rows;
    const char *data;
    size_t n;
    enum csv_encoding encoding, used;
    struct import_pipe *pipe;
    atomic_long total; /* the rows, once checked and found right; 0 before */
};

static void *check_beside(void *arg)
{
    struct checker *c = arg;
    check_rows(c->rows, c->data, c->n, c->encoding, &c->used);
    if (json_array_size(c->rows->issues))
        import_pipe_stop(c->pipe);
    else
        atomic_store(&c->total, c->rows->count);
    return NULL;
}

/* The writing pass: one thread reads and prepares rows (CSV, documents,
 * evaluations: a fifth of the work) while this one writes them, in the
 * transaction the caller holds, and the checking pass runs beside (c,
 * whose rows the caller reads once this returns). *count rows were
 * written, first..last their entries. */
static enum xcode write_rows(struct db *db, const struct user *actor, struct rows *w,
                             struct checker *c, const struct import_options *o, const char *now,
                             const char *today, long *count, long long *first, long long *last,
                             struct xerr *e)
{
    *count = 0;
    *first = *last = 0;
    w->pipe = import_pipe_new(w->cat, o->source ? o->source : "", today);
    if (!w->pipe)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    c->pipe = w->pipe;
    pthread_t reader, checking;
    bool checked = pthread_create(&checking, NULL, check_beside, c) == 0;
    if (!checked || pthread_create(&reader, NULL, read_rows, w) != 0) {
        if (checked) {
            import_pipe_stop(w->pipe);
            pthread_join(checking, NULL);
        }
        import_pipe_free(w->pipe);
        return xerr_set(e, X_INTERNAL, "取り込みのスレッドを作れません");
    }
    enum xcode rc = import_pipe_write(w->pipe, db, actor, now, o, &c->total, count, first, last, e);
    pthread_join(reader, NULL);
    pthread_join(checking, NULL);
    import_pipe_free(w->pipe);
    w->pipe = NULL;
    if (!rc && w->rc) { /* the reader could not prepare a row */
        *e = w->e;
        rc = w->rc;
    }
    return rc;
}

/* X_INVALID naming the first of the problems found, where there are any. */
static enum xcode issues_error(json_t *issues, struct xerr *e)
{
    size_t nIssues = json_array_size(issues);
    if (!nIssues)
        return XOK;
    json_t *first = json_array_get(issues, 0);
    return xerr_set(e, X_INVALID,
                    "%zu 件の誤りがあります（例: %lld 行目: %s）。何も取り込んでいません", nIssues,
                    (long long)json_integer_value(json_object_get(first, "line")),
                    str(first, "message"));
}

/* Check and write (not a dry run): *rows is the checking pass's, for the
 * report; *written and first..last what was committed. */
static enum xcode check_and_write(struct db *db, const struct user *actor, const char *data,
                                  size_t n, const struct import_options *o, struct rows *rows,
                                  enum csv_encoding *used, long *written, long long *first,
                                  long long *last, struct xerr *e)
{
    char now[21], today[11];
    store_now(now);
    date_format(date_today(), today);
    struct rows w = {.cat = rows->cat,
                     .issues = json_array(),
                     .writing = true,
                     .data = data,
                     .n = n,
                     .encoding = o->encoding};
    struct checker c = {.rows = rows, .data = data, .n = n, .encoding = o->encoding};
    atomic_init(&c.total, 0);
    enum xcode rc;
    *written = 0;
    /* Bulk settings first: SQLite decides where a transaction's statement
     * journals live (memory or temporary files) at BEGIN. */
    if (!(rc = store_bulk_begin(db, e)) && !(rc = db_begin_write(db, e))) {
        enum xcode wrc = write_rows(db, actor, &w, &c, o, now, today, written, first, last, e);
        /* The file's problems first: they are what the user can mend. */
        rc = issues_error(rows->issues, e);
        *used = c.used;
        if (!rc && wrc)
            rc = wrc;
        else if (rc)
            *written = 0;
        if (!rc && (json_array_size(w.issues) || w.count != rows->count || *written != w.count))
            rc = xerr_set(e, X_INTERNAL, "二度目の読み込みで結果が変わりました");
        if (!rc && *written)
            rc = store_bulk_index(db, *first, *last, e);
        rc = rc ? (db_rollback(db), rc) : db_commit(db, e);
    } else
        check_rows(rows, data, n, o->encoding, used); /* for the report */
    store_bulk_end(db);
    import_map_release(&w.map);
    json_decref(w.issues);
    return rc;
}

enum xcode wf_ledger_import(struct db *db, const struct user *actor, const char *data, size_t n,
                            const struct import_options *o, json_t **report, struct xerr *e)
{
    *report = NULL;
    if (!actor)
        return xerr_set(e, X_INVALID, "--as で操作する利用者を指定してください");
    if (!has_role(actor, ROLE_ADMIN) && !has_role(actor, ROLE_APPROVER))
        return xerr_set(e, X_FORBIDDEN,
                        "旧台帳の取り込みは admin と情報システム管理者（approver）だけが行えます");
    struct catalogue cat;
    if (wf_catalogue_current(db, &cat, e))
        return e->code;
    struct rows rows = {
        .cat = &cat, .issues = json_array(), .table = o->dry_run ? json_array() : NULL};
    enum csv_encoding used = CSV_ENC_UTF8;
    long written = 0;
    long long first = 0, last = 0;
    enum xcode rc;
    if (o->dry_run)
        rc = (check_rows(&rows, data, n, o->encoding, &used), issues_error(rows.issues, e));
    else
        rc = check_and_write(db, actor, data, n, o, &rows, &used, &written, &first, &last, e);
    json_t *out =
        json_pack("{s:s, s:s, s:b, s:I, s:I, s:O, s:[]}", "file", o->source ? o->source : "",
                  "encoding", used == CSV_ENC_CP932 ? "cp932" : "utf-8", "dry_run", o->dry_run,
                  "rows", (json_int_t)rows.count, "blank_rows", (json_int_t)rows.blank, "issues",
                  rows.issues, "notes");
    json_t *notes = json_object_get(out, "notes");
    if (rows.map.ignored && json_array_size(rows.map.ignored)) {
        struct sbuf sb;
        sbuf_init(&sb, 0);
        size_t i;
        json_t *h;
        json_array_foreach(rows.map.ignored, i, h)
            sbuf_addf(&sb, "%s「%s」", i ? "、" : "", json_string_value(h));
        json_array_append_new(notes, json_sprintf("読み込まない列: %s", sb.buf ? sb.buf : ""));
        sbuf_release(&sb);
    }
    if (rows.header_ok && rows.map.defaulted_levels)
        json_array_append_new(
            notes, json_string("完全性・可用性の列がない行は、格付の最も低い段階としました"));
    if (!rc && o->dry_run) {
        json_object_set_new(out, "entries", rows.table);
        rows.table = NULL;
    } else if (!o->dry_run && !json_array_size(rows.issues)) {
        if (o->progress)
            o->progress(rc ? 0 : rows.count, rows.count, o->arg);
        json_object_set_new(out, "imported", json_integer(rc ? 0 : (json_int_t)written));
        if (!rc && written) {
            json_object_set_new(out, "first_id", json_integer(first));
            json_object_set_new(out, "last_id", json_integer(last));
        }
    }
    import_map_release(&rows.map);
    json_decref(rows.issues);
    json_decref(rows.table);
    catalogue_release(&cat);
    *report = out;
    return rc;
}
