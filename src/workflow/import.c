/*
 * import.c - a city's old ledger in (extsvc ledger import): every row
 * checked first (core/csv_read.c, core/ledger_import.c), then all rows
 * written in one transaction or none. Each row becomes an approved
 * request and a ledger entry marked as migrated (migrated_from: the file
 * and its row), with one audit record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/csv_read.h"
#include "../core/date.h"
#include "../core/ledger_import.h"
#include "../core/text.h"
#include "access.h"
#include "internal.h"
#include "workflow.h"

/* More rows than a city's ledger will ever hold: past it, not a ledger. */
#define IMPORT_MAX_ROWS 1000000

/* The stored evaluations' texts of the last few kinds of rows: the rows
 * of an old ledger lack the same answers, so their evaluations say one of
 * a few things (one per track and level, mostly), and making the text
 * again for every row was a quarter of the import's time. */
#define EVAL_MEMO_SLOTS 8
struct eval_memo {
    struct {
        struct evaluation ev;
        char *text;
        long long id; /* its shared row (store_evaluation_text_id), 0 until written */
    } slot[EVAL_MEMO_SLOTS];
    unsigned next; /* the slot to replace */
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
    /* writing */
    bool writing;
    struct db *db;
    struct eval_memo memo;
    const struct user *actor;
    const struct import_options *o;
    const char *now, *today;
    long long first, last;
    long total;
    enum xcode rc;
    struct xerr *e;
};

static json_t *preview(json_t *item);
static enum xcode write_row(struct db *db, const struct user *actor, const struct catalogue *cat,
                            struct eval_memo *memo, json_t *item, const char *source,
                            const char *now, const char *today, long long *entry, struct xerr *e);

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
    if (r->writing) {
        long long entry;
        r->rc = write_row(r->db, r->actor, r->cat, &r->memo, item, r->o->source ? r->o->source : "",
                          r->now, r->today, &entry, r->e);
        if (!r->rc) {
            r->first = r->first ? r->first : entry;
            r->last = entry;
            if (r->count == 2)
                wf_fault_point("import"); /* killed mid-import: nothing may remain */
            if (r->o->progress && r->count % 1000 == 0)
                r->o->progress(r->count, r->total, r->o->arg);
        }
    }
    json_decref(item);
    return !r->rc;
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

/* The text of `ev`'s JSON, the memo's own (NULL without memory); the
 * memo takes `ev`, or releases it where it already had its like.
 * `approvable` is whether it is approvable; *id, the memo's id of the
 * text's shared row (0 until it is written). */
static const char *evaluation_text(struct eval_memo *m, struct evaluation *ev, bool *approvable,
                                   long long **id)
{
    *approvable = ev->approvable;
    for (unsigned i = 0; i < EVAL_MEMO_SLOTS; i++)
        if (m->slot[i].text && evaluation_same(&m->slot[i].ev, ev)) {
            evaluation_release(ev);
            *id = &m->slot[i].id;
            return m->slot[i].text;
        }
    json_t *j = evaluation_to_json(ev);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) {
        evaluation_release(ev);
        return NULL;
    }
    unsigned i = m->next++ % EVAL_MEMO_SLOTS;
    evaluation_release(&m->slot[i].ev);
    free(m->slot[i].text);
    m->slot[i].ev = *ev;
    memset(ev, 0, sizeof *ev);
    m->slot[i].text = text;
    m->slot[i].id = 0;
    *id = &m->slot[i].id;
    return text;
}

static void eval_memo_release(struct eval_memo *m)
{
    for (unsigned i = 0; i < EVAL_MEMO_SLOTS; i++) {
        evaluation_release(&m->slot[i].ev);
        free(m->slot[i].text);
    }
}

/* Write one checked row: an approved request, its entry, the audit record. */
static enum xcode write_row(struct db *db, const struct user *actor, const struct catalogue *cat,
                            struct eval_memo *memo, json_t *item, const char *source,
                            const char *now, const char *today, long long *entry, struct xerr *e)
{
    struct document doc;
    if (document_parse(json_object_get(item, "document"), cat, &doc, e)) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        return xerr_set(e, X_INVALID, "%lld 行目: %s",
                        (long long)json_integer_value(json_object_get(item, "line")), why);
    }
    struct evaluation ev;
    struct eval_context ctx = {.kind = KIND_NEW, .today = today};
    struct request_row r;
    memset(&r, 0, sizeof r);
    char *conditions = NULL, *docText = NULL;
    const char *evText;
    json_t *after = NULL;
    enum xcode rc = evaluate_in(&doc, cat, &ctx, &ev, e);
    if (rc) {
        document_release(&doc);
        return rc;
    }
    bool approvable;
    long long *evId = NULL;
    evText = evaluation_text(memo, &ev, &approvable, &evId);
    docText = json_dumps(doc.json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    long line = (long)json_integer_value(json_object_get(item, "line"));
    const char *old = str(item, "old_id");
    char *from;
    struct sbuf sb;
    sbuf_init(&sb, 0);
    sbuf_addf(&sb, "旧台帳 %s %ld 行目", source, line);
    if (text_has_content(old))
        sbuf_addf(&sb, "（台帳番号 %s）", old);
    from = sbuf_detach(&sb);
    if (!docText || !evText || !from) {
        rc = xerr_set(e, X_INTERNAL, "メモリが不足しています");
        goto out;
    }
    r.kind = "new";
    r.state = "approved";
    r.catalogue_id = (char *)cat->id;
    r.document = docText;
    r.evaluation = (char *)evText;
    r.approvable = approvable;
    r.created_by = r.decided_by = actor->id;
    r.created_at = r.updated_at = r.decided_at = (char *)now;
    /* The entry first, marked as migrated, so that the request is written
     * once with it (not written and then updated). */
    if ((rc = store_department_id(db, doc.applicant_department, &r.department_id, e)) ||
        (rc = store_service_resolve(db, doc.service_name, doc.service_function, doc.provider,
                                    doc.category, &r.service_id, e)) ||
        (rc = store_entry_insert(db, r.department_id, r.service_id, now, from, entry, e)))
        goto out;
    r.entry_id = *entry;
    /* The rows share a few evaluations: each is stored once. */
    if (!*evId && (rc = store_evaluation_text_id(db, evText, evId, e)))
        goto out;
    r.evaluation_id = *evId;
    if ((rc = store_request_insert(db, &r, &r.id, e)))
        goto out;
    char comment[600];
    snprintf(comment, sizeof comment, "%sからの移行", from);
    struct ledger_fields f = wf_fields_of(&doc, &conditions);
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
    free(docText);
    free(from);
    evaluation_release(&ev);
    document_release(&doc);
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
                         .db = db,
                         .actor = actor,
                         .o = o,
                         .now = now,
                         .today = today,
                         .total = rows.count,
                         .e = e};
        /* Bulk settings first: SQLite decides where a transaction's
         * statement journals live (memory or temporary files) at BEGIN. */
        if (!(rc = store_bulk_begin(db, e)) && !(rc = db_begin_write(db, e))) {
            enum csv_encoding again;
            csv_read(data, n, o->encoding, &again, on_record, &w, w.issues);
            rc = w.rc;
            if (!rc && (json_array_size(w.issues) || w.count != rows.count))
                rc = xerr_set(e, X_INTERNAL, "二度目の読み込みで結果が変わりました");
            if (!rc && w.count)
                rc = store_bulk_index(db, w.first, w.last, e);
            rc = rc ? (db_rollback(db), rc) : db_commit(db, e);
        }
        store_bulk_end(db);
        if (o->progress)
            o->progress(rc ? 0 : rows.count, rows.count, o->arg);
        json_object_set_new(out, "imported", json_integer(rc ? 0 : (json_int_t)w.count));
        if (!rc && w.count) {
            json_object_set_new(out, "first_id", json_integer(w.first));
            json_object_set_new(out, "last_id", json_integer(w.last));
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
