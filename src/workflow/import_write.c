/*
 * import_write.c - the writing pass of an import; see import_write.h.
 */
#include "import_write.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/states.h"
#include "../core/text.h"
#include "../store/audit.h"
#include "internal.h"
#include "row_queue.h"

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
    struct ledger_fields fields; /* of doc, for its version */
    struct shared_eval *ev;
    bool approvable;
    char *docText, *from, *conditions;
};

/* Rows go to the writer in batches: one hand-over (and wake-up) a row
 * cost more than the reading thread saved. */
#define BATCH_ROWS 64
struct batch {
    int n;
    struct prepared *row[BATCH_ROWS];
};

struct import_pipe {
    const struct catalogue *cat;
    const char *source, *today;
    struct row_queue *queue;
    struct batch *batch;   /* being filled by the reader */
    struct eval_memo memo; /* the reader's */
};

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
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
    free(p->conditions);
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
    p->fields = wf_fields_of(&p->doc, &p->conditions);
    if (!p->ev || !p->docText || !p->from || !p->conditions) {
        prepared_free(p);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    *out = p;
    return XOK;
}

/* What the hashing thread needs of a written row to make its audit
 * record: the row (the hasher frees it) and what writing it decided. */
struct written {
    struct prepared *row;
    long long entry, request, service;
    char category[STORE_CATEGORY_MAX];
};

/* Write one prepared row: an approved request and its entry. */
static enum xcode write_row(struct db *db, const struct user *actor, const struct catalogue *cat,
                            const char *now, struct written *w, struct xerr *e)
{
    struct prepared *p = w->row;
    struct request_row r;
    memset(&r, 0, sizeof r);
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
                                    doc->category, &r.service_id, w->category, e)) ||
        (rc = store_entry_insert(db, r.department_id, r.service_id, now, p->from, 1, &w->entry, e)))
        return rc;
    r.entry_id = w->entry;
    w->service = r.service_id;
    /* The rows share a few evaluations: each is stored once. */
    if (!p->ev->id && (rc = store_evaluation_text_id(db, p->ev->text, &p->ev->id, e)))
        return rc;
    r.evaluation_id = p->ev->id;
    if ((rc = store_request_insert(db, &r, &w->request, e)))
        return rc;
    char comment[600];
    snprintf(comment, sizeof comment, "%sからの移行", p->from);
    return store_event_insert(db, w->request, now, actor->id, "create", NULL, "approved", comment,
                              e) ||
                   store_entry_add_version(db, w->entry, 1, w->request, "new", &p->fields, cat->id,
                                           now, actor->id, e)
               ? e->code
               : XOK;
}

/* The entry a written row made, as its audit record (and
 * store_ledger_get()) shows it on `today`: made from the row's values, not
 * read back. */
static json_t *written_entry(const struct written *w, const struct user *actor,
                             const char *catalogue_id, const char *now, const char *today)
{
    const struct ledger_fields *f = &w->row->fields;
    struct entry_values v = {
        .id = w->entry,
        .version = 1,
        .request_id = w->request,
        .service_id = w->service,
        .state = entry_state_name(entry_state_on(f->period_from, f->period_to, NULL, today)),
        .department = w->row->doc.applicant_department,
        .created_at = now,
        .updated_at = now,
        .catalogue_id = catalogue_id,
        .category = w->category,
        .migrated_from = w->row->from,
        .f = *f,
        .recorded_at = now,
        .recorded_by = actor->login,
        .recorded_by_name = actor->name,
    };
    return store_entry_json(&v);
}

/* The audit records of a batch of written rows, on their way to the
 * hashing thread (entries and their snapshots) and back (sealed). */
struct sealed_batch;
struct hash_job {
    int n;
    struct written row[BATCH_ROWS];
    /* Stored records, for the hasher to free: memory goes back to the
     * thread that allocated it, so that no thread takes another's malloc
     * arena lock while that one works (it cost the writer a tenth). */
    struct sealed_batch *spent;
};
struct sealed_batch {
    struct sealed_batch *next; /* stored ones, on their way back to be freed */
    int n;
    bool failed; /* out of memory */
    struct audit_sealed rec[BATCH_ROWS];
};

static void sealed_batch_free(struct sealed_batch *b)
{
    while (b) {
        struct sealed_batch *next = b->next;
        for (int i = 0; i < b->n; i++)
            audit_sealed_release(&b->rec[i]);
        free(b);
        b = next;
    }
}

static void hash_job_free(struct hash_job *j)
{
    if (!j)
        return;
    for (int i = 0; i < BATCH_ROWS; i++) /* past n: the row whose write failed */
        prepared_free(j->row[i].row);
    sealed_batch_free(j->spent);
    free(j);
}

/* The hashing thread: each job's records sealed, in order, and sent back. */
struct hasher {
    struct audit_batch *chain;
    struct row_queue *in, *out;
    const struct user *actor;
    const char *catalogue_id, *now, *today;
};

static void *hash_records(void *arg)
{
    struct hasher *h = arg;
    struct hash_job *j;
    while ((j = row_queue_pop(h->in))) {
        struct sealed_batch *b = calloc(1, sizeof *b);
        for (int i = 0; b && i < j->n; i++) {
            char object[48];
            snprintf(object, sizeof object, "ledger:%lld", j->row[i].entry);
            json_t *after = written_entry(&j->row[i], h->actor, h->catalogue_id, h->now, h->today);
            b->failed |= !after || !audit_batch_seal(h->chain, object, after, &b->rec[i]);
            b->n = i + 1;
        }
        hash_job_free(j);
        if (!b || !row_queue_push(h->out, b)) {
            sealed_batch_free(b);
            break; /* the writer stopped, or no memory: it will see none come */
        }
    }
    row_queue_finish(h->out);
    return NULL;
}

/* Store the sealed records that are back: all of them (wait), or those
 * there are now. */
static enum xcode insert_sealed(struct db *db, struct hasher *h, bool wait,
                                struct sealed_batch **spent, struct xerr *e)
{
    struct sealed_batch *b;
    enum xcode rc = XOK;
    while (!rc && (b = wait ? row_queue_pop(h->out) : row_queue_try_pop(h->out))) {
        if (b->failed)
            rc = xerr_set(e, X_INTERNAL, "メモリが不足しています");
        for (int i = 0; !rc && i < b->n; i++)
            rc = audit_batch_insert(db, h->chain, &b->rec[i], e);
        /* Back to the hasher with the next job (freed here at the end). */
        b->next = *spent;
        *spent = b;
    }
    return rc;
}

struct import_pipe *import_pipe_new(const struct catalogue *cat, const char *source,
                                    const char *today)
{
    struct import_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cat = cat;
    p->source = source;
    p->today = today;
    if (!(p->queue = row_queue_new(8))) {
        free(p);
        return NULL;
    }
    return p;
}

void import_pipe_free(struct import_pipe *p)
{
    if (!p)
        return;
    struct batch *b;
    while ((b = row_queue_drain(p->queue)))
        batch_free(b);
    row_queue_free(p->queue);
    batch_free(p->batch);
    eval_memo_release(&p->memo);
    free(p);
}

/* The batch being filled, to the writer; false where the writer stopped
 * (it failed), and the batch is dropped. */
static bool send_batch(struct import_pipe *p)
{
    struct batch *b = p->batch;
    p->batch = NULL;
    if (!b || row_queue_push(p->queue, b))
        return true;
    batch_free(b);
    return false;
}

enum xcode import_pipe_add(struct import_pipe *p, json_t *item, bool *stopped, struct xerr *e)
{
    *stopped = false;
    struct prepared *row = NULL;
    enum xcode rc = prepare_row(p->cat, &p->memo, item, p->source, p->today, &row, e);
    if (rc)
        return rc;
    if (!p->batch && !(p->batch = calloc(1, sizeof *p->batch))) {
        prepared_free(row);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    p->batch->row[p->batch->n++] = row;
    if (p->batch->n == BATCH_ROWS)
        *stopped = !send_batch(p);
    return XOK;
}

void import_pipe_stop(struct import_pipe *p)
{
    row_queue_stop(p->queue);
}

void import_pipe_finish(struct import_pipe *p, bool failed)
{
    if (failed) {
        batch_free(p->batch);
        p->batch = NULL;
    } else
        send_batch(p);
    row_queue_finish(p->queue);
}

enum xcode import_pipe_write(struct import_pipe *p, struct db *db, const struct user *actor,
                             const char *now, const struct import_options *o,
                             const atomic_long *total, long *count, long long *first,
                             long long *last, struct xerr *e)
{
    *count = 0;
    *first = *last = 0;
    /* The hashing thread's queues: a job goes in only after what came
     * back was stored, so at most in's capacity and two more are in
     * flight, and `out` (larger) never holds the hasher up. */
    struct hasher h = {.in = row_queue_new(8),
                       .out = row_queue_new(16),
                       .actor = actor,
                       .catalogue_id = p->cat->id,
                       .now = now,
                       .today = p->today};
    struct sealed_batch *spent = NULL;
    enum xcode rc = XOK;
    pthread_t hashing;
    bool started = false;
    if (!h.in || !h.out)
        rc = xerr_set(e, X_INTERNAL, "メモリが不足しています");
    else if (!(rc = audit_batch_begin(db, actor->login, "ledger.import", &h.chain, e))) {
        if (pthread_create(&hashing, NULL, hash_records, &h) != 0)
            rc = xerr_set(e, X_INTERNAL, "取り込みのスレッドを作れません");
        else
            started = true;
    }
    struct batch *b;
    while (!rc && (b = row_queue_pop(p->queue))) {
        struct hash_job *j = calloc(1, sizeof *j);
        if (!j)
            rc = xerr_set(e, X_INTERNAL, "メモリが不足しています");
        for (int i = 0; !rc && i < b->n; i++) {
            struct written *w = &j->row[i];
            w->row = b->row[i]; /* the job's now, freed by the hasher */
            b->row[i] = NULL;
            if ((rc = write_row(db, actor, p->cat, now, w, e)))
                break;
            j->n = i + 1;
            *first = *first ? *first : w->entry;
            *last = w->entry;
            ++*count;
            if (*count == 2)
                wf_fault_point("import"); /* killed mid-import: nothing may remain */
            long all = *count % 1000 ? 0 : atomic_load(total);
            if (o->progress && all)
                o->progress(*count, all, o->arg);
        }
        batch_free(b);
        if (!rc)
            rc = insert_sealed(db, &h, false, &spent, e);
        if (j) {
            j->spent = spent;
            spent = NULL;
        }
        if (!rc && !row_queue_push(h.in, j))
            rc = xerr_set(e, X_INTERNAL, "監査記録を作れません");
        if (rc)
            hash_job_free(j);
    }
    if (started) {
        if (!rc) {
            row_queue_finish(h.in);
            rc = insert_sealed(db, &h, true, &spent, e);
        }
        if (rc) {
            row_queue_stop(h.in);
            row_queue_stop(h.out);
        }
        pthread_join(hashing, NULL);
    }
    if (rc)
        row_queue_stop(p->queue);
    else if (h.chain)
        audit_batch_end(db, h.chain);
    void *left;
    while (h.in && (left = row_queue_drain(h.in)))
        hash_job_free(left);
    while (h.out && (left = row_queue_drain(h.out)))
        sealed_batch_free(left);
    sealed_batch_free(spent);
    row_queue_free(h.in);
    row_queue_free(h.out);
    audit_batch_free(h.chain);
    return rc;
}
