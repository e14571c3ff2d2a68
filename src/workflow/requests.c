/*
 * requests.c - filing, editing and deciding requests; see workflow.h.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/date.h"
#include "../core/document.h"
#include "../core/changes.h"
#include "../core/evaluate.h"
#include "../core/revision.h"
#include "../core/text.h"
#include "access.h"
#include "internal.h"
#include "workflow.h"

#define COMMENT_MAX_BYTES 10000

/* Crash on purpose at a named point, for the tests that prove a killed
 * process leaves nothing half-written (built only with -Dfault_injection). */
void wf_fault_point(const char *name)
{
#ifdef EXTSVC_FAULT_INJECTION
    const char *at = getenv("EXTSVC_FAULT");
    if (at && strcmp(at, name) == 0)
        raise(SIGKILL);
#else
    (void)name;
#endif
}

/* Evaluate a new request's document as of today, with what the ISMAP
 * list says of its registration number (where there is a database). */
static enum xcode evaluate_new(struct db *db, const struct document *doc,
                               const struct catalogue *cat, struct evaluation *ev, struct xerr *e)
{
    char today[11];
    date_format(date_today(), today);
    struct wf_ismap ismap;
    if (wf_ismap_for(db, doc->ismap, &ismap, e))
        return e->code;
    struct eval_context ctx = {
        .kind = KIND_NEW, .today = today, .ismap = ismap.have ? &ismap.info : NULL};
    enum xcode rc = evaluate_in(doc, cat, &ctx, ev, e);
    wf_ismap_release(&ismap);
    return rc;
}

/* A stored request's dates must be real days: a draft may be incomplete,
 * but not wrong in a way that would stay wrong. */
static enum xcode check_stored_dates(const struct document *doc, struct xerr *e)
{
    struct xdate dt;
    if (!text_is_blank(doc->period_from) && !date_parse(doc->period_from, &dt))
        return xerr_set(e, X_INVALID,
                        "申請書: period.from \"%s\" は存在する日付（YYYY-MM-DD）ではありません",
                        doc->period_from);
    if (!text_is_blank(doc->period_to) && !date_parse(doc->period_to, &dt))
        return xerr_set(e, X_INVALID,
                        "申請書: period.to \"%s\" は存在する日付（YYYY-MM-DD）ではありません",
                        doc->period_to);
    return XOK;
}

/* The applicant of a stored request is the filing user (ledger field (カ)). */
static void set_applicant(json_t *doc, const struct user *actor)
{
    json_object_set_new(
        doc, "applicant",
        json_pack("{s:s, s:s}", "department", actor->department, "name", actor->name));
}

/* Fill the requirement answers `doc` leaves out from `src`, marking each
 * with where it came from. Returns how many were carried. */
static int carry_answers(json_t *doc, const struct request_row *src, const struct catalogue *cat)
{
    json_t *srcdoc = json_loads(src->document, 0, NULL);
    json_t *srcreqs = json_object_get(srcdoc, "requirements");
    json_t *reqs = json_object_get(doc, "requirements");
    int carried = 0;
    if (!json_is_object(reqs)) {
        reqs = json_object();
        json_object_set_new(doc, "requirements", reqs);
    }
    char approved_on[11] = "";
    if (src->decided_at)
        snprintf(approved_on, sizeof approved_on, "%.10s", src->decided_at);
    for (size_t i = 0; i < cat->nReqs; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", cat->reqs[i].no);
        json_t *from = json_object_get(srcreqs, key);
        if (json_object_get(reqs, key) || !json_is_object(from))
            continue;
        json_t *copy = json_object();
        const char *fields[] = {"status", "evidence", "reason"};
        for (size_t k = 0; k < 3; k++)
            if (json_is_string(json_object_get(from, fields[k])))
                json_object_set(copy, fields[k], json_object_get(from, fields[k]));
        json_object_set_new(copy, "carried_over",
                            json_pack("{s:I, s:s, s:s}", "request", (json_int_t)src->id,
                                      "approved_on", approved_on, "department", src->department));
        json_object_set_new(reqs, key, copy);
        carried++;
    }
    json_decref(srcdoc);
    return carried;
}

/* A "carried over" mark says an answer came unchanged from an approved
 * request for the same service. Marks are never taken on trust: keep each
 * only where that request exists, was approved, is for this service, and
 * gave the very same answer; drop it otherwise (also when the manager has
 * since changed the answer). */
static enum xcode verify_marks(struct db *db, json_t *doc, long long service_id, struct xerr *e)
{
    json_t *reqs = json_object_get(doc, "requirements");
    const char *key;
    json_t *a;
    void *tmp;
    json_object_foreach_safe(reqs, tmp, key, a)
    {
        json_t *mark = json_object_get(a, "carried_over");
        if (!mark)
            continue;
        long long src_id = (long long)json_integer_value(json_object_get(mark, "request"));
        struct request_row src;
        bool keep = false;
        enum xcode rc = service_id ? store_request_get(db, src_id, &src, e) : X_NOTFOUND;
        if (rc == XOK) {
            json_t *srcdoc = json_loads(src.document, 0, NULL);
            json_t *from = json_object_get(json_object_get(srcdoc, "requirements"), key);
            keep = strcmp(src.state, "approved") == 0 && src.service_id == service_id && from;
            const char *fields[] = {"status", "evidence", "reason"};
            for (size_t k = 0; keep && k < 3; k++) {
                json_t *x = json_object_get(a, fields[k]), *y = json_object_get(from, fields[k]);
                keep = (!x && !y) || (x && y && json_equal(x, y));
            }
            json_decref(srcdoc);
            if (keep) {
                /* The mark says what the program knows, never what was sent. */
                char approved_on[11] = "";
                if (src.decided_at)
                    snprintf(approved_on, sizeof approved_on, "%.10s", src.decided_at);
                json_object_set_new(a, "carried_over",
                                    json_pack("{s:I, s:s, s:s}", "request", (json_int_t)src.id,
                                              "approved_on", approved_on, "department",
                                              src.department));
            }
            request_row_release(&src);
        } else if (rc != X_NOTFOUND) {
            return rc;
        }
        xerr_clear(e);
        if (!keep)
            json_object_del(a, "carried_over");
    }
    return XOK;
}

/* Resolve the service record a document names (0 where it names none yet). */
static enum xcode resolve_service(struct db *db, const struct document *doc, long long *id,
                                  struct xerr *e)
{
    *id = 0;
    if (text_is_blank(doc->service_name) || text_is_blank(doc->provider))
        return XOK;
    return store_service_resolve(db, doc->service_name, doc->service_function, doc->provider,
                                 doc->category, id, NULL, e);
}

json_t *wf_request_json(const struct request_row *r)
{
    json_t *doc = json_loads(r->document, 0, NULL);
    json_t *ev = json_loads(r->evaluation, 0, NULL);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s}", "id",
                          (json_int_t)r->id, "kind", r->kind, "state", r->state, "state_label",
                          req_state_label((enum req_state)req_state_parse(r->state)), "department",
                          r->department, "catalogue", r->catalogue_id, "document",
                          doc ? doc : json_object(), "evaluation", ev ? ev : json_object(),
                          "created_by", r->created_by_login, "created_by_name", r->created_by_name,
                          "created_at", r->created_at, "updated_at", r->updated_at);
    json_object_set_new(o, "entry_id", r->entry_id ? json_integer(r->entry_id) : json_null());
    json_object_set_new(o, "decided_at", r->decided_at ? json_string(r->decided_at) : json_null());
    if (r->change_to)
        json_object_set_new(o, "change_to", json_string(r->change_to));
    if (r->retire_on)
        json_object_set_new(o, "retire_on", json_string(r->retire_on));
    return o;
}

/* The audit snapshot of a request: what changed, without the history. */
static json_t *request_snapshot(const struct request_row *r)
{
    json_t *o = wf_request_json(r);
    json_object_del(o, "evaluation");
    json_object_set_new(o, "approvable", json_boolean(r->approvable));
    return o;
}

/* The audit snapshot of a step: the state and who moved it, not the
 * document (which only create and update change). */
static json_t *step_snapshot(const struct request_row *r)
{
    return json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)r->id, "kind", r->kind, "state",
                     r->state, "approvable", r->approvable);
}

enum xcode wf_insert_request(struct db *db, const struct user *actor, struct request_row *r,
                             const char *comment, struct xerr *e)
{
    if (store_request_insert(db, r, &r->id, e) ||
        store_event_insert(db, r->id, r->created_at, actor->id, "create", NULL, r->state, comment,
                           e))
        return e->code;
    struct request_row stored;
    if (store_request_get(db, r->id, &stored, e))
        return e->code;
    json_t *after = request_snapshot(&stored);
    char object[32];
    snprintf(object, sizeof object, "request:%lld", r->id);
    enum xcode rc = audit_append(db, actor->login, "request.create", object, NULL, after, e);
    json_decref(after);
    request_row_release(&stored);
    return rc;
}

enum xcode wf_request_new(struct db *db, const struct user *actor, const char *text, size_t n,
                          bool carry_over, struct new_result *out, struct xerr *e)
{
    memset(out, 0, sizeof *out);
    if (access_applicant(actor, 0, e))
        return e->code;
    struct catalogue cat;
    struct document doc;
    struct evaluation ev;
    if (wf_catalogue_current(db, &cat, e))
        return e->code;
    if (document_parse_text(text, n, &cat, &doc, e)) {
        catalogue_release(&cat);
        return e->code;
    }
    json_t *json = json_deep_copy(doc.json);
    enum xcode rc = check_stored_dates(&doc, e);
    long long service_id = 0;
    char *docText = NULL, *evText = NULL;
    bool txn = false;
    if (rc)
        goto done;
    if ((rc = db_begin_write(db, e)))
        goto done;
    txn = true;
    if ((rc = resolve_service(db, &doc, &service_id, e)))
        goto done;
    set_applicant(json, actor);
    if ((rc = verify_marks(db, json, service_id, e)))
        goto done;
    if (carry_over && service_id) {
        struct request_row src;
        bool found;
        if ((rc = store_request_latest_approved(db, service_id, 0, &src, &found, e)))
            goto done;
        if (found) {
            out->carried = carry_answers(json, &src, &cat);
            out->carried_from = src.id;
            request_row_release(&src);
        }
    }
    document_release(&doc);
    if ((rc = document_parse(json, &cat, &doc, e)) || (rc = evaluate_new(db, &doc, &cat, &ev, e)))
        goto done;
    json_t *evj = evaluation_to_json(&ev);
    docText = json_dumps(json, JSON_COMPACT);
    evText = json_dumps(evj, JSON_COMPACT);
    json_decref(evj);
    char now[21];
    store_now(now);
    struct request_row r = {.kind = "new",
                            .state = "draft",
                            .department_id = actor->department_id,
                            .service_id = service_id,
                            .catalogue_id = (char *)cat.id,
                            .document = docText,
                            .evaluation = evText,
                            .approvable = ev.approvable,
                            .created_by = actor->id,
                            .created_at = now};
    evaluation_release(&ev);
    if ((rc = wf_insert_request(db, actor, &r, NULL, e)))
        goto done;
    out->id = r.id;
done:
    if (txn) {
        if (rc)
            db_rollback(db);
        else
            rc = db_commit(db, e);
    }
    free(docText);
    free(evText);
    json_decref(json);
    document_release(&doc);
    catalogue_release(&cat);
    return rc;
}

/* Store a request's new document and its evaluation: the document is
 * json (the applicant already set), evaluated as stored requests are. */
static enum xcode store_document(struct db *db, struct request_row *r, json_t *json, struct xerr *e)
{
    char *docText = json_dumps(json, JSON_COMPACT);
    if (!docText)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    struct stored_eval se;
    enum xcode rc = wf_evaluate_stored(db, r->kind, r->catalogue_id, r->rebased_from, r->entry_id,
                                       docText, NULL, &se, e);
    if (rc) {
        free(docText);
        return rc;
    }
    json_t *evj = evaluation_to_json(&se.ev);
    char *evText = json_dumps(evj, JSON_COMPACT);
    json_decref(evj);
    if (req_kind_parse(r->kind) == KIND_NEW)
        rc = resolve_service(db, &se.doc, &r->service_id, e);
    r->approvable = se.ev.approvable;
    stored_eval_release(&se);
    free(r->document);
    free(r->evaluation);
    r->document = docText;
    r->evaluation = evText;
    if (!rc && !evText)
        rc = xerr_set(e, X_INTERNAL, "メモリが不足しています");
    return rc;
}

/* Replace the document of an editable request and/or move it to the
 * catalogue in force; see wf_request_update and wf_request_move. */
static enum xcode update_request(struct db *db, const struct user *actor, long long id,
                                 const char *text, size_t n, bool to_current, struct xerr *e)
{
    struct request_row r, before;
    struct catalogue cur, kept;
    struct document doc;
    bool have_cur = false, have_kept = false, have_doc = false;
    enum xcode rc;
    json_t *json = NULL;
    memset(&r, 0, sizeof r);
    memset(&before, 0, sizeof before);
    if (access_applicant(actor, 0, e))
        return e->code;
    if ((rc = db_begin_write(db, e)))
        return rc;
    if ((rc = store_request_get(db, id, &r, e)) ||
        (request_row_copy(&before, &r), rc = access_applicant(actor, r.department_id, e)))
        goto fail;
    enum req_state st = (enum req_state)req_state_parse(r.state);
    if (!req_editable(st)) {
        rc = xerr_set(
            e, X_STATE,
            "申請 #%lld は%sのため変更できません（変更できるのは下書き・事前協議中・差戻し）", id,
            req_state_label(st));
        goto fail;
    }
    if ((rc = wf_catalogue_by_id(db, r.catalogue_id, &kept, e)))
        goto fail;
    have_kept = true;
    if (to_current) {
        if ((rc = wf_catalogue_current(db, &cur, e)))
            goto fail;
        have_cur = true;
    }
    /* A document sent is read against the catalogue it is for: the one the
     * request keeps, or the one in force where it is being moved there. */
    const struct catalogue *target = to_current ? &cur : &kept;
    if (text) {
        if ((rc = document_parse_text(text, n, target, &doc, e)))
            goto fail;
        have_doc = true;
        if ((rc = check_stored_dates(&doc, e)))
            goto fail;
        json = json_deep_copy(doc.json);
    } else if (to_current) {
        /* Moved as it is: keep the answers whose items did not change. */
        json_t *stored = json_loads(r.document, 0, NULL);
        rc = stored ? document_rebase(stored, &kept, &cur, &json, e)
                    : xerr_set(e, X_INTERNAL, "申請 #%lld の申請書が読めません", id);
        json_decref(stored);
        if (rc)
            goto fail;
    } else {
        rc = xerr_set(e, X_INVALID, "申請書がありません");
        goto fail;
    }
    if (strcmp(r.kind, "new") != 0) {
        /* A change or retirement keeps the service of its entry. */
        json_t *old = json_loads(r.document, 0, NULL);
        json_t *os = json_object_get(old, "service"), *ns = json_object_get(json, "service");
        bool same = json_equal(json_object_get(os, "name"), json_object_get(ns, "name")) &&
                    json_equal(json_object_get(os, "provider"), json_object_get(ns, "provider"));
        json_decref(old);
        if (!same) {
            rc = xerr_set(e, X_INVALID,
                          "変更・廃止の申請では外部サービスの名称と提供者は変えられません（新規に申"
                          "請してください）");
            goto fail;
        }
    }
    if (to_current && strcmp(cur.id, r.catalogue_id) != 0) {
        if (!r.rebased_from)
            r.rebased_from = strdup(r.catalogue_id);
        free(r.catalogue_id);
        r.catalogue_id = strdup(cur.id);
    }
    set_applicant(json, actor);
    if ((rc = store_document(db, &r, json, e)) || (rc = verify_marks(db, json, r.service_id, e)))
        goto fail;
    /* verify_marks may have dropped marks: store what it kept. */
    free(r.document);
    r.document = json_dumps(json, JSON_COMPACT);
    char now[21];
    store_now(now);
    free(r.updated_at);
    r.updated_at = strdup(now);
    const char *what = to_current ? "rebase" : "update";
    char note[256] = "";
    if (to_current)
        snprintf(note, sizeof note, "カタログ %s から %s へ移行", before.catalogue_id,
                 r.catalogue_id);
    if ((rc = store_request_update(db, &r, e)) ||
        (rc = store_event_insert(db, id, now, actor->id, what, r.state, r.state,
                                 to_current ? note : NULL, e)))
        goto fail;
    {
        json_t *b = request_snapshot(&before), *a = request_snapshot(&r);
        char object[32], action[32];
        snprintf(object, sizeof object, "request:%lld", id);
        snprintf(action, sizeof action, "request.%s", what);
        rc = audit_append(db, actor->login, action, object, b, a, e);
        json_decref(b);
        json_decref(a);
    }
    if (rc)
        goto fail;
    rc = db_commit(db, e);
    goto out;
fail:
    db_rollback(db);
out:
    json_decref(json);
    if (have_doc)
        document_release(&doc);
    if (have_cur)
        catalogue_release(&cur);
    if (have_kept)
        catalogue_release(&kept);
    request_row_release(&r);
    request_row_release(&before);
    return rc;
}

enum xcode wf_request_update(struct db *db, const struct user *actor, long long id,
                             const char *text, size_t n, struct xerr *e)
{
    return update_request(db, actor, id, text, n, false, e);
}

enum xcode wf_request_move(struct db *db, const struct user *actor, long long id, const char *text,
                           size_t n, struct xerr *e)
{
    return update_request(db, actor, id, text, n, true, e);
}

/* The day a request was (last) submitted, YYYY-MM-DD into day[11]; today
 * where it never was. Date rules judge procurement against it (5(2)). */
static enum xcode submission_day(struct db *db, long long id, char *day, struct xerr *e)
{
    struct db_rows *rows;
    date_format(date_today(), day);
    if (db_query(db, &rows,
                 "SELECT at FROM request_events WHERE request_id = ?1 AND action = 'submit' "
                 "ORDER BY id DESC LIMIT 1",
                 DB_ARGS(DI(id)), e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1)
        snprintf(day, 11, "%.10s", db_text(rows, 0));
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

/* Fields (ア)〜(キ) of a document, and what the approver decided on
 * besides, for a ledger version. *conditions is the JSON text of the
 * document's conditions, for the caller to free. */
struct ledger_fields wf_fields_of(const struct document *doc, char **conditions)
{
    json_t *conds = json_object_get(doc->json, "conditions");
    *conditions = json_is_array(conds) ? json_dumps(conds, JSON_COMPACT) : strdup("[]");
    struct ledger_fields f = {doc->service_name,
                              doc->service_function,
                              doc->provider,
                              doc->purpose,
                              {doc->level[0], doc->level[1], doc->level[2]},
                              doc->period_from,
                              doc->period_to,
                              doc->applicant_department,
                              doc->applicant_name,
                              doc->scope,
                              doc->cloud_provider,
                              doc->data_location,
                              doc->personal_information,
                              doc->approval_ref,
                              doc->approved_on,
                              doc->vendor_decided_on,
                              *conditions,
                              doc->ismap};
    return f;
}

/* The fields of an entry's current version (entry JSON of the store), for
 * a retirement: it ends the use and changes nothing else. */
static struct ledger_fields fields_of_entry(json_t *en, char **conditions)
{
    json_t *svc = json_object_get(en, "service"), *cls = json_object_get(en, "classification");
    json_t *per = json_object_get(en, "period"), *app = json_object_get(en, "applicant");
    json_t *pro = json_object_get(en, "procurement");
    json_t *pi = json_object_get(en, "personal_information");
    *conditions = json_dumps(json_object_get(en, "conditions"), JSON_COMPACT);
#define S(o, k) json_string_value(json_object_get(o, k))
    struct ledger_fields f = {
        S(svc, "name"),
        S(svc, "function"),
        S(svc, "provider"),
        S(en, "purpose"),
        {S(cls, "confidentiality"), S(cls, "integrity"), S(cls, "availability")},
        S(per, "from"),
        S(per, "to"),
        S(app, "department"),
        S(app, "name"),
        S(en, "scope"),
        S(svc, "cloud_provider"),
        S(svc, "data_location"),
        json_is_boolean(pi) ? json_is_true(pi) : -1,
        S(pro, "approval_ref"),
        S(pro, "approved_on"),
        S(pro, "vendor_decided_on"),
        *conditions,
        NULL}; /* the ISMAP number: the version before's (store) */
#undef S
    return f;
}

/* 5(2)③: what an approval does to the ledger, inside the approval's transaction. */
static enum xcode apply_to_ledger(struct db *db, const struct user *actor, struct request_row *r,
                                  const struct document *doc, const char *now, struct xerr *e)
{
    char *conditions = NULL;
    struct ledger_fields f = wf_fields_of(doc, &conditions);
    long long entry = r->entry_id;
    int version = 1;
    const char *action = "ledger.create";
    json_t *before = NULL;
    char today[11];
    date_format(date_today(), today);
    if (strcmp(r->kind, "new") == 0) {
        if (store_entry_insert(db, r->department_id, r->service_id, now, NULL, 0, &entry, e) ||
            db_exec(db, "UPDATE requests SET entry_id = ?2 WHERE id = ?1",
                    DB_ARGS(DI(r->id), DI(entry)), e)) {
            free(conditions);
            return e->code;
        }
        r->entry_id = entry;
    } else {
        if (store_ledger_get(db, entry, today, false, &before, e)) {
            free(conditions);
            return e->code;
        }
        if (json_is_string(json_object_get(before, "retired_on"))) {
            json_decref(before);
            free(conditions);
            return xerr_set(e, X_STATE, "台帳番号 %lld は廃止済みまたは廃止予定です", entry);
        }
        version = (int)json_integer_value(json_object_get(before, "version")) + 1;
        action = "ledger.version";
        if (strcmp(r->kind, "retire") == 0) {
            action = "ledger.retire";
            free(conditions);
            f = fields_of_entry(before, &conditions);
            if (r->retire_on && f.period_to && strcmp(r->retire_on, f.period_to) < 0)
                f.period_to = r->retire_on;
        }
    }
    enum xcode rc = store_entry_add_version(db, entry, version, r->id, r->kind, &f, r->catalogue_id,
                                            now, actor->id, e);
    if (!rc && strcmp(r->kind, "retire") == 0)
        rc = store_entry_retire(db, entry, r->retire_on, now, e);
    json_t *after = NULL;
    if (!rc)
        rc = store_ledger_get(db, entry, today, false, &after, e);
    if (!rc) {
        char object[32];
        snprintf(object, sizeof object, "ledger:%lld", entry);
        rc = audit_append(db, actor->login, action, object, before, after, e);
    }
    if (!rc)
        rc = wf_entry_json_keep(db, entry, e);
    json_decref(before);
    json_decref(after);
    free(conditions);
    return rc;
}

/* The message of a refused approval: how many blockers, and the first. */
static enum xcode refuse_blocked(const struct evaluation *ev, long long id, struct xerr *e)
{
    const struct finding *first = NULL;
    for (size_t i = 0; i < ev->nFindings && !first; i++)
        if (ev->findings[i].severity == SEV_BLOCKER)
            first = &ev->findings[i];
    return xerr_set(e, X_BLOCKED,
                    "申請 #%lld は承認できません。承認を妨げる指摘が %zu 件あります（例: %s）", id,
                    evaluation_count(ev, SEV_BLOCKER), first ? first->message : "");
}

enum xcode wf_request_step(struct db *db, const struct user *actor, long long id,
                           enum req_action action, const char *comment, struct xerr *e)
{
    if (!actor)
        return xerr_set(e, X_INVALID, "--as で操作する利用者を指定してください");
    if (comment && strlen(comment) > COMMENT_MAX_BYTES)
        return xerr_set(e, X_TOOLARGE, "コメントが長すぎます（%d バイトまで）", COMMENT_MAX_BYTES);
    if (comment && !utf8_valid(comment, strlen(comment)))
        return xerr_set(e, X_INVALID, "コメントに UTF-8 として正しくない文字が含まれています");
    if (req_action_needs_comment(action) && text_is_blank(comment))
        return xerr_set(e, X_INVALID, "%sにはコメント（理由）が必要です", req_action_label(action));
    if (text_is_blank(comment))
        comment = NULL;

    struct request_row r, before;
    struct stored_eval se;
    bool evaluated = false;
    memset(&r, 0, sizeof r);
    memset(&before, 0, sizeof before);
    enum xcode rc = db_begin_write(db, e);
    if (rc)
        return rc;
    if ((rc = store_request_get(db, id, &r, e)))
        goto fail;
    request_row_copy(&before, &r);

    /* Who may take this step. */
    switch (action) {
    case ACT_CONSULT:
    case ACT_SUBMIT:
    case ACT_WITHDRAW:
        rc = access_applicant(actor, r.department_id, e);
        break;
    case ACT_APPROVE:
    case ACT_REJECT:
    case ACT_RETURN: {
        /* Separation of duties: whoever created, ever submitted or edited
         * the request does not approve it. */
        bool submitted = r.submitted_by == actor->id;
        if (!submitted && (rc = store_event_by(db, id, actor->id, "submit", &submitted, e)))
            break;
        if (!submitted && (rc = store_event_by(db, id, actor->id, "update", &submitted, e)))
            break;
        rc = access_decide(actor, action, r.created_by, submitted, e);
        break;
    }
    case ACT_CONCLUDE:
        rc = access_conclude(actor, r.created_by, e);
        break;
    case ACT_COMMENT:
        if (!has_role(actor, ROLE_APPROVER))
            rc = access_applicant(actor, r.department_id, e);
        break;
    case ACT_COUNT:
        rc = xerr_set(e, X_INVALID, "未知の操作です");
        break;
    }
    if (rc)
        goto fail;

    enum req_state from = (enum req_state)req_state_parse(r.state);
    int to = req_transition(from, action);
    if (to < 0) {
        rc = xerr_set(e, X_STATE, "申請 #%lld は%sのため%sできません", id, req_state_label(from),
                      req_action_label(action));
        goto fail;
    }
    if (action == ACT_SUBMIT &&
        req_submit_needs_consultation((enum req_kind)req_kind_parse(r.kind), from)) {
        rc = xerr_set(e, X_STATE,
                      "申請 #%lld は事前協議が済んでいないため申請できません。本基準5(2)①により、"
                      "許可権限者と事前協議し、協議済みにしてもらってから申請してください",
                      id);
        goto fail;
    }
    char now[21];
    store_now(now);
    if (action == ACT_SUBMIT || action == ACT_APPROVE) {
        /* Judged again as the request stands: on submission against that
         * day (5(2): procurement comes first); at approval (5(2)②: no
         * blocker) against the day it was submitted, with the catalogue
         * the request keeps. */
        char day[11];
        if (action == ACT_APPROVE && (rc = submission_day(db, id, day, e)))
            goto fail;
        if ((rc = wf_evaluate_stored(db, r.kind, r.catalogue_id, r.rebased_from, r.entry_id,
                                     r.document, action == ACT_APPROVE ? day : NULL, &se, e)))
            goto fail;
        evaluated = true;
        if (action == ACT_APPROVE && !se.ev.approvable) {
            rc = refuse_blocked(&se.ev, id, e);
            goto fail;
        }
        json_t *evj = evaluation_to_json(&se.ev);
        free(r.evaluation);
        r.evaluation = json_dumps(evj, JSON_COMPACT);
        json_decref(evj);
        r.approvable = se.ev.approvable;
    }
    free(r.state);
    r.state = strdup(req_state_name((enum req_state)to));
    free(r.updated_at);
    r.updated_at = strdup(now);
    if (action == ACT_SUBMIT)
        r.submitted_by = actor->id;
    if (action == ACT_APPROVE || action == ACT_REJECT) {
        r.decided_by = actor->id;
        free(r.decided_at);
        r.decided_at = strdup(now);
    }
    bool same_evaluation = !r.evaluation == !before.evaluation &&
                           (!r.evaluation || strcmp(r.evaluation, before.evaluation) == 0);
    if ((rc = same_evaluation ? store_request_set_state(db, &r, e)
                              : store_request_update(db, &r, e)) ||
        (rc = store_event_insert(db, id, now, actor->id, req_action_name(action),
                                 req_state_name(from), r.state, comment, e)))
        goto fail;
    {
        json_t *b = step_snapshot(&before), *a = step_snapshot(&r);
        if (comment)
            json_object_set_new(a, "comment", json_string(comment));
        char object[32], what[32];
        snprintf(object, sizeof object, "request:%lld", id);
        snprintf(what, sizeof what, "request.%s", req_action_name(action));
        rc = audit_append(db, actor->login, what, object, b, a, e);
        json_decref(b);
        json_decref(a);
        if (rc)
            goto fail;
    }
    if (action == ACT_APPROVE) {
        if ((rc = apply_to_ledger(db, actor, &r, &se.doc, now, e)))
            goto fail;
        wf_fault_point("approve");
    }
    rc = db_commit(db, e);
    goto out;
fail:
    db_rollback(db);
out:
    if (evaluated)
        stored_eval_release(&se);
    request_row_release(&r);
    request_row_release(&before);
    return rc;
}

/* The 事前協議 of a request (5(2)①) from its history: whether and by whom
 * it was concluded, and every comment made in it, oldest first. */
json_t *wf_consultation(json_t *history)
{
    json_t *o = json_pack("{s:b, s:n, s:n, s:n, s:[]}", "held", 0, "concluded_at", "concluded_by",
                          "concluded_by_name", "comments");
    json_t *comments = json_object_get(o, "comments");
    size_t i;
    json_t *ev;
    bool open = false;
    json_array_foreach(history, i, ev)
    {
        const char *action = json_string_value(json_object_get(ev, "action"));
        const char *from = json_string_value(json_object_get(ev, "from"));
        if (strcmp(action, "consult") == 0) {
            open = true;
            json_object_set_new(o, "held", json_true());
        }
        if (strcmp(action, "conclude") == 0) {
            open = false;
            json_object_set(o, "concluded_at", json_object_get(ev, "at"));
            json_object_set(o, "concluded_by", json_object_get(ev, "actor"));
            json_object_set(o, "concluded_by_name", json_object_get(ev, "actor_name"));
        }
        bool during = open || strcmp(action, "conclude") == 0 ||
                      (from && (strcmp(from, "consulting") == 0 || strcmp(from, "consulted") == 0));
        if (during && json_is_string(json_object_get(ev, "comment")))
            json_array_append(comments, ev);
    }
    return o;
}

/* What the approver decides from besides the request itself: the catalogue
 * in force (and whether the request keeps an older one) and, for a change
 * or retirement, the entry's approved document and every field and answer
 * changed since ("previous", "changes"). */
static enum xcode add_review_context(struct db *db, const struct request_row *r, json_t *out,
                                     struct xerr *e)
{
    char *cur = NULL, *body = NULL;
    if (store_catalogue_in_force(db, &cur, &body, e))
        return e->code;
    json_object_set_new(out, "catalogue_in_force", json_string(cur));
    json_object_set_new(out, "catalogue_outdated", json_boolean(strcmp(cur, r->catalogue_id) != 0));
    json_object_set_new(out, "rebased_from",
                        r->rebased_from ? json_string(r->rebased_from) : json_null());
    free(cur);
    free(body);
    /* 別紙 項番1: what the ISMAP list says of the registration number. */
    json_t *d = json_loads(r->document, 0, NULL);
    const char *number = json_string_value(json_object_get(json_object_get(d, "service"), "ismap"));
    struct wf_ismap ismap;
    enum xcode rc = wf_ismap_for(db, number, &ismap, e);
    if (!rc && ismap.have) {
        json_object_set(ismap.json, "number",
                        json_object_get(json_object_get(d, "service"), "ismap"));
        json_object_set(out, "ismap", ismap.json);
    }
    wf_ismap_release(&ismap);
    json_decref(d);
    if (rc)
        return rc;
    if (strcmp(r->kind, "new") == 0 || !r->entry_id)
        return XOK;
    struct request_row src;
    if (r->state && strcmp(r->state, "approved") == 0) {
        /* Decided: compare with the version before the one it made. */
        long long prev_request = 0;
        bool found = false;
        if (db_one_int(db,
                       "SELECT p.request_id FROM ledger_versions v JOIN ledger_versions p "
                       "ON p.entry_id = v.entry_id AND p.version = v.version - 1 "
                       "WHERE v.request_id = ?1",
                       DB_ARGS(DI(r->id)), &prev_request, &found, e))
            return e->code;
        if (!found)
            return XOK;
        if (store_request_get(db, prev_request, &src, e))
            return e->code;
    } else if (wf_entry_document(db, r->entry_id, &src, e)) {
        return e->code;
    }
    json_t *prev = json_loads(src.document, 0, NULL), *doc = json_loads(r->document, 0, NULL);
    if (prev && doc) {
        json_object_set_new(out, "previous",
                            json_pack("{s:I, s:s, s:O}", "request", (json_int_t)src.id, "catalogue",
                                      src.catalogue_id, "document", prev));
        json_object_set_new(out, "changes", document_changes(prev, doc));
    }
    json_decref(prev);
    json_decref(doc);
    request_row_release(&src);
    return XOK;
}

enum xcode wf_request_show(struct db *db, const struct user *actor, long long id, json_t **out,
                           struct xerr *e)
{
    struct request_row r;
    json_t *history = NULL;
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_request_get(db, id, &r, e);
    if (!rc && !(rc = access_read_request(actor, r.department_id, e)) &&
        !(rc = store_events(db, id, &history, e))) {
        *out = wf_request_json(&r);
        json_object_set_new(*out, "consultation", wf_consultation(history));
        json_object_set_new(*out, "history", history);
        rc = add_review_context(db, &r, *out, e);
        json_t *files = NULL;
        if (!rc && !(rc = store_attachments_of(db, id, &files, e)))
            json_object_set_new(*out, "attachments", files);
        if (rc) {
            json_decref(*out);
            *out = NULL;
        }
    }
    if (!rc || rc != X_NOTFOUND)
        request_row_release(&r);
    db_rollback(db);
    return rc;
}

enum xcode wf_request_list(struct db *db, const struct user *actor, const struct request_query *q,
                           json_t **out, struct xerr *e)
{
    if (access_list_requests(actor, e))
        return e->code;
    struct request_query mine = *q;
    if (mine.state && strcmp(mine.state, "all") == 0)
        mine.state = NULL;
    if (mine.state && req_state_parse(mine.state) < 0)
        return xerr_set(
            e, X_INVALID,
            "状態 \"%s\" は draft, consulting, consulted, submitted, approved, rejected, "
            "returned, withdrawn, all のいずれかにしてください",
            mine.state);
    if (mine.limit < 0 || mine.offset < 0)
        return xerr_set(e, X_INVALID, "limit と offset は 0 以上です");
    mine.department_id = 0;
    if (actor && !has_role(actor, ROLE_APPROVER) && !has_role(actor, ROLE_CISO) &&
        !has_role(actor, ROLE_AUDITOR))
        mine.department_id = actor->department_id;
    if (db_begin_read(db, e))
        return e->code;
    enum xcode rc = store_request_list(db, &mine, out, e);
    db_rollback(db);
    return rc;
}

enum xcode wf_check(struct db *db, const char *text, size_t n, json_t **out, bool *approvable,
                    struct xerr *e)
{
    struct catalogue cat;
    struct document doc;
    struct evaluation ev;
    if (wf_catalogue_current(db, &cat, e))
        return e->code;
    enum xcode rc = document_parse_text(text, n, &cat, &doc, e);
    if (!rc && (rc = evaluate_new(db, &doc, &cat, &ev, e)))
        document_release(&doc);
    if (!rc) {
        *out = evaluation_to_json(&ev);
        *approvable = ev.approvable;
        evaluation_release(&ev);
        document_release(&doc);
    }
    catalogue_release(&cat);
    return rc;
}
