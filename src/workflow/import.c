/*
 * import.c - a city's old ledger in (extsvc ledger import): every row
 * checked first (core/csv_read.c, core/ledger_import.c), then all rows
 * written in one transaction or none. Each row becomes an approved
 * request and a ledger entry marked as migrated (migrated_from: the file
 * and its row), with one audit record.
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
#include "row_queue.h"
#include "workflow.h"

/* More rows than a city's ledger will ever hold: past it, not a ledger. */
#define IMPORT_MAX_ROWS 1000000

/* An evaluation's stored text, shared by the rows that have it: the
 * reader's memo holds a reference, and so does each row on its way to the
 * writer. `id` (its evaluation_texts row, 0 until written) is the
 * writer's alone. */
struct shared_eval {
    atomic_int refs;
    long long id;
    char text[];
};

static struct shared_eval *shared_eval_ref(struct shared_eval *s)
{
    atomic_fetch_add(&s->refs, 1);
    return s;
}

static void shared_eval_unref(struct shared_eval *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        free(s);
}

/* The stored evaluations' texts of the last few kinds of rows: the rows
 * of an old ledger lack the same answers, so their evaluations say one of
 * a few things (one per track and level, mostly), and making the text
 * again for every row was a quarter of the import's time. */
#define EVAL_MEMO_SLOTS 8
struct eval_memo {
    struct {
        struct evaluation ev;
        struct shared_eval *text;
    } slot[EVAL_MEMO_SLOTS];
    unsigned next; /* the slot to replace */
};

/* One row ready to be written: read, checked and evaluated by the reading
 * thread; written by the writing one (write_row), which frees it. */
struct prepared {
    struct document doc;
    struct shared_eval *ev;
    bool approvable;
    char *docText, *from;
};

/* Rows go to the writer in batches: one hand-over (and wake-up) a row
 * cost more than the reading thread saved. */
#define BATCH_ROWS 64
struct batch {
    int n;
    struct prepared *row[BATCH_ROWS];
};

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
    /* writing: this pass reads and prepares rows for the writer's queue */
    bool writing;
    const char *data;
    size_t n;
    enum csv_encoding encoding;
    struct row_queue *queue;
    struct batch *batch; /* being filled */
    struct eval_memo memo;
    const char *source, *today;
    enum xcode rc; /* a row that could not be prepared (e) */
    struct xerr e;
};

static json_t *preview(json_t *item);
static enum xcode prepare_row(const struct catalogue *cat, struct eval_memo *memo, json_t *item,
                              const char *source, const char *today, struct prepared **out,
                              struct xerr *e);
static void prepared_free(struct prepared *p);
static void batch_free(struct batch *b);

/* The batch being filled to the writer; false where the writer stopped
 * (it failed), and the batch is dropped. */
static bool send_batch(struct rows *r)
{
    struct batch *b = r->batch;
    r->batch = NULL;
    if (!b || row_queue_push(r->queue, b))
        return true;
    batch_free(b);
    return false;
}

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
    bool go_on = true;
    if (r->writing) {
        struct prepared *p = NULL;
        r->rc = prepare_row(r->cat, &r->memo, item, r->source, r->today, &p, &r->e);
        if (!r->rc && !r->batch && !(r->batch = calloc(1, sizeof *r->batch))) {
            prepared_free(p);
            r->rc = xerr_set(&r->e, X_INTERNAL, "メモリが不足しています");
        }
        if (!r->rc) {
            r->batch->row[r->batch->n++] = p;
            if (r->batch->n == BATCH_ROWS)
                go_on = send_batch(r);
        }
    }
    json_decref(item);
    return go_on && !r->rc;
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

/* `ev`'s stored text, shared (a new reference; NULL without memory): the
 * memo takes `ev`, or releases it where it already had its like. */
static struct shared_eval *evaluation_text(struct eval_memo *m, struct evaluation *ev)
{
    for (unsigned i = 0; i < EVAL_MEMO_SLOTS; i++)
        if (m->slot[i].text && evaluation_same(&m->slot[i].ev, ev)) {
            evaluation_release(ev);
            return shared_eval_ref(m->slot[i].text);
        }
    json_t *j = evaluation_to_json(ev);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    size_t n = text ? strlen(text) : 0;
    struct shared_eval *s = text ? malloc(sizeof *s + n + 1) : NULL;
    if (!s) {
        free(text);
        evaluation_release(ev);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    s->id = 0;
    memcpy(s->text, text, n + 1);
    free(text);
    unsigned i = m->next++ % EVAL_MEMO_SLOTS;
    evaluation_release(&m->slot[i].ev);
    shared_eval_unref(m->slot[i].text);
    m->slot[i].ev = *ev;
    memset(ev, 0, sizeof *ev);
    m->slot[i].text = s;
    return shared_eval_ref(s);
}

static void eval_memo_release(struct eval_memo *m)
{
    for (unsigned i = 0; i < EVAL_MEMO_SLOTS; i++) {
        evaluation_release(&m->slot[i].ev);
        shared_eval_unref(m->slot[i].text);
    }
}

static void prepared_free(struct prepared *p)
{
    if (!p)
        return;
    document_release(&p->doc);
    shared_eval_unref(p->ev);
    free(p->docText);
    free(p->from);
    free(p);
}

static void batch_free(struct batch *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++)
        prepared_free(b->row[i]);
    free(b);
}

/* Everything of one checked row that needs no database, on the reading
 * thread: its document parsed and evaluated, the texts to store. */
static enum xcode prepare_row(const struct catalogue *cat, struct eval_memo *memo, json_t *item,
                              const char *source, const char *today, struct prepared **out,
                              struct xerr *e)
{
    *out = NULL;
    struct prepared *p = calloc(1, sizeof *p);
    if (!p)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    long line = (long)json_integer_value(json_object_get(item, "line"));
    if (document_parse(json_object_get(item, "document"), cat, &p->doc, e)) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        free(p);
        return xerr_set(e, X_INVALID, "%ld 行目: %s", line, why);
    }
    struct evaluation ev;
    struct eval_context ctx = {.kind = KIND_NEW, .today = today};
    enum xcode rc = evaluate_in(&p->doc, cat, &ctx, &ev, e);
    if (rc) {
        prepared_free(p);
        return rc;
    }
    p->approvable = ev.approvable;
    p->ev = evaluation_text(memo, &ev);
    p->docText = json_dumps(p->doc.json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    const char *old = str(item, "old_id");
    struct sbuf sb;
    sbuf_init(&sb, 0);
    sbuf_addf(&sb, "旧台帳 %s %ld 行目", source, line);
    if (text_has_content(old))
        sbuf_addf(&sb, "（台帳番号 %s）", old);
    p->from = sbuf_detach(&sb);
    if (!p->ev || !p->docText || !p->from) {
        prepared_free(p);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    *out = p;
    return XOK;
}

/* Write one prepared row: an approved request, its entry, the audit record. */
static enum xcode write_row(struct db *db, const struct user *actor, const struct catalogue *cat,
                            struct prepared *p, const char *now, const char *today,
                            long long *entry, struct xerr *e)
{
    struct request_row r;
    memset(&r, 0, sizeof r);
    char *conditions = NULL;
    json_t *after = NULL;
    enum xcode rc;
    r.kind = "new";
    r.state = "approved";
    r.catalogue_id = (char *)cat->id;
    r.document = p->docText;
    r.evaluation = p->ev->text;
    r.approvable = p->approvable;
    r.created_by = r.decided_by = actor->id;
    r.created_at = r.updated_at = r.decided_at = (char *)now;
    /* The entry first, marked as migrated, so that the request is written
     * once with it (not written and then updated). */
    const struct document *doc = &p->doc;
    if ((rc = store_department_id(db, doc->applicant_department, &r.department_id, e)) ||
        (rc = store_service_resolve(db, doc->service_name, doc->service_function, doc->provider,
                                    doc->category, &r.service_id, e)) ||
        (rc = store_entry_insert(db, r.department_id, r.service_id, now, p->from, entry, e)))
        goto out;
    r.entry_id = *entry;
    /* The rows share a few evaluations: each is stored once. */
    if (!p->ev->id && (rc = store_evaluation_text_id(db, p->ev->text, &p->ev->id, e)))
        goto out;
    r.evaluation_id = p->ev->id;
    if ((rc = store_request_insert(db, &r, &r.id, e)))
        goto out;
    char comment[600];
    snprintf(comment, sizeof comment, "%sからの移行", p->from);
    struct ledger_fields f = wf_fields_of(doc, &conditions);
    if ((rc = store_event_insert(db, r.id, now, actor->id, "create", NULL, "approved", comment,
                                 e)) ||
        (rc =
             store_entry_add_version(db, *entry, 1, r.id, "new", &f, cat->id, now, actor->id, e)) ||
        (rc = store_ledger_get(db, *entry, today, false, &after, e)))
        goto out;
    char object[32];
    snprintf(object, sizeof object, "ledger:%lld", *entry);
    rc = audit_append(db, actor->login, "ledger.import", object, NULL, after, e);
out:
    json_decref(after);
    free(conditions);
    return rc;
}

/* The reading thread of the writing pass: the file read again, each row
 * prepared and queued for the writer. */
static void *read_rows(void *arg)
{
    struct rows *w = arg;
    enum csv_encoding again;
    csv_read(w->data, w->n, w->encoding, &again, on_record, w, w->issues);
    if (w->rc)
        batch_free(w->batch);
    else
        send_batch(w);
    w->batch = NULL;
    row_queue_finish(w->queue);
    return NULL;
}

/* The writing pass: one thread reads and prepares rows (CSV, documents,
 * evaluations: a fifth of the work) while this one writes them, in the
 * transaction the caller holds. *count rows were written, first..last
 * their entries. */
static enum xcode write_rows(struct db *db, const struct user *actor, struct rows *w,
                             const struct import_options *o, const char *now, long total,
                             long *count, long long *first, long long *last, struct xerr *e)
{
    *count = 0;
    *first = *last = 0;
    w->queue = row_queue_new(8);
    if (!w->queue)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    pthread_t reader;
    if (pthread_create(&reader, NULL, read_rows, w) != 0) {
        row_queue_free(w->queue);
        return xerr_set(e, X_INTERNAL, "取り込みのスレッドを作れません");
    }
    enum xcode rc = XOK;
    struct batch *b;
    while (!rc && (b = row_queue_pop(w->queue))) {
        for (int i = 0; !rc && i < b->n; i++) {
            long long entry;
            if ((rc = write_row(db, actor, w->cat, b->row[i], now, w->today, &entry, e)))
                break;
            *first = *first ? *first : entry;
            *last = entry;
            ++*count;
            if (*count == 2)
                wf_fault_point("import"); /* killed mid-import: nothing may remain */
            if (o->progress && *count % 1000 == 0)
                o->progress(*count, total, o->arg);
        }
        batch_free(b);
    }
    if (rc)
        row_queue_stop(w->queue);
    pthread_join(reader, NULL);
    while ((b = row_queue_drain(w->queue)))
        batch_free(b);
    row_queue_free(w->queue);
    w->queue = NULL;
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
                         .encoding = o->encoding,
                         .source = o->source ? o->source : "",
                         .today = today};
        long written = 0;
        long long first = 0, last = 0;
        /* Bulk settings first: SQLite decides where a transaction's
         * statement journals live (memory or temporary files) at BEGIN. */
        if (!(rc = store_bulk_begin(db, e)) && !(rc = db_begin_write(db, e))) {
            rc = write_rows(db, actor, &w, o, now, rows.count, &written, &first, &last, e);
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
        eval_memo_release(&w.memo);
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
