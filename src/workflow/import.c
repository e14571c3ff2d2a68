/*
 * import.c - a city's old ledger in (extsvc ledger import): every row
 * checked first (core/csv_read.c, core/ledger_import.c), then all rows
 * written in one transaction or none. Each row becomes an approved
 * request and a ledger entry marked as migrated (migrated_from: the file
 * and its row), with one audit record. The writing pass is in
 * import_write.c: a thread reads the file again while this one writes.
 */
#include <pthread.h>
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
    if (!doc)
        return json_array_size(r->issues) < 1000; /* enough to fix before the next try */
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

/* The writing pass: one thread reads and prepares rows (CSV, documents,
 * evaluations: a fifth of the work) while this one writes them, in the
 * transaction the caller holds. *count rows were written, first..last
 * their entries. */
static enum xcode write_rows(struct db *db, const struct user *actor, struct rows *w,
                             const struct import_options *o, const char *now, const char *today,
                             long total, long *count, long long *first, long long *last,
                             struct xerr *e)
{
    *count = 0;
    *first = *last = 0;
    w->pipe = import_pipe_new(w->cat, o->source ? o->source : "", today);
    if (!w->pipe)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    pthread_t reader;
    if (pthread_create(&reader, NULL, read_rows, w) != 0) {
        import_pipe_free(w->pipe);
        return xerr_set(e, X_INTERNAL, "取り込みのスレッドを作れません");
    }
    enum xcode rc = import_pipe_write(w->pipe, db, actor, now, o, total, count, first, last, e);
    pthread_join(reader, NULL);
    import_pipe_free(w->pipe);
    w->pipe = NULL;
    if (!rc && w->rc) { /* the reader could not prepare a row */
        *e = w->e;
        rc = w->rc;
    }
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
    enum csv_encoding used;
    csv_read(data, n, o->encoding, &used, on_record, &rows, rows.issues);
    if (!rows.have_header && json_array_size(rows.issues) == 0)
        csv_issue(rows.issues, 1, 0, "空のファイルです（見出しの行がありません）");
    else if (rows.count == 0 && json_array_size(rows.issues) == 0)
        csv_issue(rows.issues, 2, 0, "取り込む行がありません（見出しの行だけです）");
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
    enum xcode rc = XOK;
    size_t nIssues = json_array_size(rows.issues);
    if (nIssues) {
        json_t *first = json_array_get(rows.issues, 0);
        rc = xerr_set(e, X_INVALID,
                      "%zu 件の誤りがあります（例: %lld 行目: %s）。何も取り込んでいません",
                      nIssues, (long long)json_integer_value(json_object_get(first, "line")),
                      str(first, "message"));
    }
    if (!rc && o->dry_run) {
        json_object_set_new(out, "entries", rows.table);
        rows.table = NULL;
    } else if (!rc) {
        char now[21], today[11];
        store_now(now);
        date_format(date_today(), today);
        struct rows w = {.cat = &cat,
                         .issues = json_array(),
                         .writing = true,
                         .data = data,
                         .n = n,
                         .encoding = o->encoding};
        long written = 0;
        long long first = 0, last = 0;
        /* Bulk settings first: SQLite decides where a transaction's
         * statement journals live (memory or temporary files) at BEGIN. */
        if (!(rc = store_bulk_begin(db, e)) && !(rc = db_begin_write(db, e))) {
            rc = write_rows(db, actor, &w, o, now, today, rows.count, &written, &first, &last, e);
            if (!rc && (json_array_size(w.issues) || w.count != rows.count || written != w.count))
                rc = xerr_set(e, X_INTERNAL, "二度目の読み込みで結果が変わりました");
            if (!rc && written)
                rc = store_bulk_index(db, first, last, e);
            rc = rc ? (db_rollback(db), rc) : db_commit(db, e);
        }
        store_bulk_end(db);
        if (o->progress)
            o->progress(rc ? 0 : rows.count, rows.count, o->arg);
        json_object_set_new(out, "imported", json_integer(rc ? 0 : (json_int_t)written));
        if (!rc && written) {
            json_object_set_new(out, "first_id", json_integer(first));
            json_object_set_new(out, "last_id", json_integer(last));
        }
        import_map_release(&w.map);
        json_decref(w.issues);
    }
    import_map_release(&rows.map);
    json_decref(rows.issues);
    json_decref(rows.table);
    catalogue_release(&cat);
    *report = out;
    return rc;
}
