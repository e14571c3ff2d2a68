/*
 * ledger_export.c - the ledger's downloads; see ledger_export.h.
 */
#include "ledger_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger_csv.h"
#include "pdf_doc.h"
#include "ledger_xlsx.h"

struct csv_run {
    struct ledger_csv csv;
    export_progress progress;
    void *arg;
    struct xerr *e;
    enum xcode rc;
};

static bool csv_entry(json_t *en, void *arg)
{
    struct csv_run *c = arg;
    c->rc = ledger_csv_row(&c->csv, en, c->e);
    json_decref(en);
    if (c->progress && c->csv.rows % 10000 == 0)
        c->progress(c->csv.rows, false, c->arg);
    return !c->rc;
}

enum xcode ledger_export_csv(struct db *db, const struct user *actor, struct ledger_query *q,
                             bool cp932, char **out, size_t *n, export_progress progress, void *arg,
                             struct xerr *e)
{
    struct csv_run c = {.progress = progress, .arg = arg, .e = e};
    *out = NULL;
    *n = 0;
    enum xcode rc = ledger_csv_begin(&c.csv, cp932, e);
    if (!rc)
        rc = wf_ledger_each(db, actor, q, csv_entry, &c, e);
    if (!rc)
        rc = c.rc;
    if (progress)
        progress(c.csv.rows, true, arg);
    if (rc) {
        ledger_csv_release(&c.csv);
        return rc;
    }
    *n = c.csv.out.len;
    *out = sbuf_detach(&c.csv.out);
    return *out ? XOK : xerr_set(e, X_INTERNAL, "メモリが不足しています");
}

struct xlsx_run {
    struct ledger_xlsx *x;
    long long *ids;
    size_t nIds, cap;
    export_progress progress;
    void *arg;
    struct xerr *e;
    enum xcode rc;
};

static bool xlsx_entry(json_t *en, void *arg)
{
    struct xlsx_run *r = arg;
    if (r->nIds == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        long long *ids = realloc(r->ids, cap * sizeof *ids);
        if (!ids) {
            json_decref(en);
            r->rc = xerr_set(r->e, X_INTERNAL, "メモリが不足しています");
            return false;
        }
        r->ids = ids;
        r->cap = cap;
    }
    r->ids[r->nIds++] = (long long)json_integer_value(json_object_get(en, "id"));
    r->rc = ledger_xlsx_row(r->x, en, r->e);
    json_decref(en);
    if (r->progress && r->nIds % 10000 == 0)
        r->progress((long long)r->nIds, false, r->arg);
    return !r->rc;
}

enum xcode ledger_export_xlsx(struct db *db, const struct user *actor, struct ledger_query *q,
                              enum date_style style, const char *path, export_progress progress,
                              void *arg, struct xerr *e)
{
    struct catalogue cat;
    if (wf_catalogue_current(db, &cat, e))
        return e->code;
    char *partial = malloc(strlen(path) + 16);
    if (!partial) {
        catalogue_release(&cat);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    sprintf(partial, "%s.partial", path);
    struct xlsx_run r = {.progress = progress, .arg = arg, .e = e};
    enum xcode rc = ledger_xlsx_open(partial, style, &cat, &r.x, e);
    if (!rc)
        rc = wf_ledger_each(db, actor, q, xlsx_entry, &r, e);
    if (!rc)
        rc = r.rc;
    /* The answers, a thousand entries at a time. */
    for (size_t at = 0; !rc && at < r.nIds; at += 1000) {
        json_t *answers;
        int n = (int)(r.nIds - at < 1000 ? r.nIds - at : 1000);
        rc = wf_ledger_answers(db, actor, r.ids + at, n, &answers, e);
        if (!rc) {
            rc = ledger_xlsx_answers(r.x, answers, e);
            json_decref(answers);
        }
    }
    if (progress)
        progress((long long)r.nIds, true, arg);
    if (r.x) {
        struct xerr closing = {0};
        enum xcode crc = ledger_xlsx_close(r.x, rc ? NULL : &closing);
        if (!rc && crc) {
            *e = closing;
            rc = crc;
        }
    }
    if (rc)
        remove(partial);
    else if (rename(partial, path) != 0) {
        rc = xerr_set(e, X_STORE, "Excel ファイルを %s に置けません", path);
        remove(partial);
    }
    free(partial);
    free(r.ids);
    catalogue_release(&cat);
    return rc;
}

struct pdf_run {
    struct pdf_doc *doc;
    enum date_style style;
    long long rows;
};

static const char *jget(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static bool pdf_entry(json_t *en, void *arg)
{
    struct pdf_run *r = arg;
    json_t *svc = json_object_get(en, "service"), *cls = json_object_get(en, "classification");
    json_t *per = json_object_get(en, "period"), *app = json_object_get(en, "applicant");
    char id[24], name[1024], levels[64], from[40], to[40], period[96], who[512];
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(en, "id")));
    snprintf(name, sizeof name, "%s%s%s%s", jget(svc, "name"), *jget(svc, "function") ? "（" : "",
             jget(svc, "function"), *jget(svc, "function") ? "）" : "");
    snprintf(levels, sizeof levels, "%s-%s-%s", jget(cls, "confidentiality"),
             jget(cls, "integrity"), jget(cls, "availability"));
    date_styled_text(jget(per, "from"), r->style, from, sizeof from);
    date_styled_text(jget(per, "to"), r->style, to, sizeof to);
    snprintf(period, sizeof period, "%s〜\n%s", from, to);
    snprintf(who, sizeof who, "%s\n%s", jget(app, "department"), jget(app, "name"));
    const char *cells[] = {id,     name, jget(svc, "provider"), jget(en, "purpose"),    levels,
                           period, who,  jget(en, "scope"),     jget(en, "state_label")};
    pdf_table_row(r->doc, cells);
    r->rows++;
    json_decref(en);
    return true;
}

enum xcode ledger_export_pdf(struct db *db, const struct user *actor, struct ledger_query *q,
                             enum date_style style, char **out, size_t *n, struct xerr *e)
{
    char today[11], shown[40], header[128];
    date_format(date_today(), today);
    date_styled_text(today, style == DATE_ISO ? DATE_SEIREKI : style, shown, sizeof shown);
    snprintf(header, sizeof header, "外部サービス利用台帳（%s 現在）", shown);
    struct pdf_run r = {.style = style == DATE_ISO ? DATE_SEIREKI : style};
    if (!(r.doc = pdf_new(true, header, e)))
        return e->code;
    pdf_title(r.doc, "外部サービス利用台帳");
    static const char *const titles[] = {"台帳番号",        "(ア) 外部サービス", "(イ) 提供者",
                                         "(ウ) 利用目的",   "(エ) 格付",         "(オ) 利用期間",
                                         "(カ) 利用申請者", "(キ) 利用者の範囲", "状態"};
    static const double shares[] = {5, 16, 13, 20, 6, 11, 12, 11, 6};
    pdf_table_begin(r.doc, 9, titles, shares);
    enum xcode rc = wf_ledger_each(db, actor, q, pdf_entry, &r, e);
    pdf_table_end(r.doc);
    if (rc) {
        pdf_free(r.doc);
        return rc;
    }
    char count[64];
    snprintf(count, sizeof count, "%lld 件", r.rows);
    pdf_text(r.doc, count, 9);
    return pdf_finish(r.doc, out, n, e);
}
