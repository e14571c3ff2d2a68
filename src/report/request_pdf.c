/*
 * request_pdf.c - a request's form and decision notice as PDF; see
 * request_pdf.h.
 */
#include "request_pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/catalogue.h"
#include "../core/text.h"
#include "pdf_doc.h"

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static const char *or_none(const char *s)
{
    return *s ? s : "（記載なし）";
}

static void row2(struct pdf_doc *d, const char *label, const char *value)
{
    const char *cells[] = {label, or_none(value)};
    pdf_table_row(d, cells);
}

static const char *status_label(const char *s)
{
    return strcmp(s, "met") == 0     ? "満たす"
           : strcmp(s, "unmet") == 0 ? "満たさない"
           : strcmp(s, "na") == 0    ? "対象外"
                                     : "未回答";
}

/* (ア)〜(キ) and the details, as a two-column table. */
static void fields(struct pdf_doc *d, json_t *req, enum date_style style)
{
    json_t *doc = json_object_get(req, "document");
    json_t *svc = json_object_get(doc, "service"), *cls = json_object_get(doc, "classification");
    json_t *per = json_object_get(doc, "period"), *app = json_object_get(doc, "applicant");
    json_t *pro = json_object_get(doc, "procurement");
    static const char *const titles[] = {"項目", "内容"};
    static const double shares[] = {28, 72};
    pdf_table_begin(d, 2, titles, shares);
    char buf[1024], from[40], to[40];
    snprintf(buf, sizeof buf, "%s%s%s%s", str(svc, "name"), *str(svc, "function") ? "（" : "",
             str(svc, "function"), *str(svc, "function") ? "）" : "");
    row2(d, "(ア) 外部サービスの名称", buf);
    row2(d, "(イ) 外部サービス提供者の名称", str(svc, "provider"));
    row2(d, "(ウ) 利用目的（業務内容）", str(doc, "purpose"));
    snprintf(buf, sizeof buf, "機密性%s・完全性%s・可用性%s", str(cls, "confidentiality"),
             str(cls, "integrity"), str(cls, "availability"));
    row2(d, "(エ) 取り扱う情報の格付", buf);
    date_styled_text(str(per, "from"), style, from, sizeof from);
    date_styled_text(str(per, "to"), style, to, sizeof to);
    snprintf(buf, sizeof buf, "%s 〜 %s", from, to);
    row2(d, "(オ) 利用期間", buf);
    snprintf(buf, sizeof buf, "%s %s", str(app, "department"), str(app, "name"));
    row2(d, "(カ) 利用申請者（所属・氏名）", buf);
    row2(d, "(キ) 利用者の範囲", str(doc, "scope"));
    row2(d, "ISMAP 登録番号", str(svc, "ismap"));
    row2(d, "データの保存場所", str(svc, "data_location"));
    json_t *pi = json_object_get(doc, "personal_information");
    row2(d, "個人情報の取扱い",
         json_is_true(pi)    ? "取り扱う"
         : json_is_false(pi) ? "取り扱わない"
                             : "");
    date_styled_text(str(pro, "approved_on"), style, from, sizeof from);
    date_styled_text(str(pro, "vendor_decided_on"), style, to, sizeof to);
    snprintf(buf, sizeof buf, "決裁番号 %s / 決裁日 %s / 業者決定日 %s",
             or_none(str(pro, "approval_ref")), or_none(from), or_none(to));
    row2(d, "事前の審査・利用承認（本基準5(2)）", buf);
    pdf_table_end(d);
}

/* The 別紙 table, or the risk review (1(4), 4), with the conditions. */
static void answers(struct pdf_doc *d, json_t *req, const struct catalogue *cat)
{
    json_t *doc = json_object_get(req, "document"), *ev = json_object_get(req, "evaluation");
    bool risks = strcmp(str(ev, "track"), "risk-review") == 0;
    if (!risks) {
        pdf_text(d, "別紙「外部サービス要件一覧」の適用状況", 11);
        static const char *const titles[] = {"項番", "要件", "水準", "適用状況", "根拠・理由"};
        static const double shares[] = {5, 50, 7, 9, 29};
        pdf_table_begin(d, 5, titles, shares);
        json_t *ans = json_object_get(doc, "requirements");
        for (size_t i = 0; i < cat->nReqs; i++) {
            const struct requirement *q = &cat->reqs[i];
            char no[16], why[4096];
            snprintf(no, sizeof no, "%d", q->no);
            json_t *a = json_object_get(ans, no);
            snprintf(why, sizeof why, "%s%s%s%s", *str(a, "evidence") ? "根拠: " : "",
                     str(a, "evidence"), *str(a, "reason") ? "\n理由: " : "", str(a, "reason"));
            const char *cells[] = {no, q->text, req_level_label(q->level),
                                   status_label(str(a, "status")), why};
            pdf_table_row(d, cells);
        }
        pdf_table_end(d);
    } else {
        pdf_text(d, "外部サービス利用の特性（1(4)）に対するリスクの検討", 11);
        static const char *const titles[] = {"番号", "リスク", "判断", "対策・理由"};
        static const double shares[] = {5, 55, 8, 32};
        pdf_table_begin(d, 4, titles, shares);
        json_t *ans = json_object_get(doc, "risks");
        for (size_t i = 0; i < cat->nRisks; i++) {
            char no[16], why[4096];
            snprintf(no, sizeof no, "%d", cat->risks[i].no);
            json_t *a = json_object_get(ans, no);
            const char *dec = str(a, "decision");
            snprintf(why, sizeof why, "%s%s%s%s", *str(a, "measure") ? "対策: " : "",
                     str(a, "measure"), *str(a, "reason") ? "\n理由: " : "", str(a, "reason"));
            const char *cells[] = {no, cat->risks[i].text,
                                   strcmp(dec, "accept") == 0     ? "受容"
                                   : strcmp(dec, "mitigate") == 0 ? "低減"
                                                                  : "未検討",
                                   why};
            pdf_table_row(d, cells);
        }
        pdf_table_end(d);
    }
    json_t *conds = json_object_get(doc, "conditions");
    if (json_array_size(conds)) {
        pdf_text(d, "個別の選定条件（本基準6）", 11);
        static const char *const titles[] = {"条件", "適用状況", "根拠・理由"};
        static const double shares[] = {50, 12, 38};
        pdf_table_begin(d, 3, titles, shares);
        size_t i;
        json_t *c;
        json_array_foreach(conds, i, c)
        {
            char why[4096];
            snprintf(why, sizeof why, "%s%s", str(c, "evidence"), str(c, "reason"));
            const char *cells[] = {str(c, "text"), status_label(str(c, "status")), why};
            pdf_table_row(d, cells);
        }
        pdf_table_end(d);
    }
}

static enum xcode load(struct db *db, const struct user *actor, long long id, json_t **req,
                       struct catalogue *cat, struct xerr *e)
{
    if (wf_request_show(db, actor, id, req, e))
        return e->code;
    if (wf_catalogue_by_id(db, str(*req, "catalogue"), cat, e)) {
        json_decref(*req);
        return e->code;
    }
    return XOK;
}

enum xcode request_form_pdf(struct db *db, const struct user *actor, long long id,
                            enum date_style style, const char *boxes, char **out, size_t *n,
                            struct xerr *e)
{
    json_t *req;
    struct catalogue cat;
    if (load(db, actor, id, &req, &cat, e))
        return e->code;
    if (style == DATE_ISO)
        style = DATE_SEIREKI;
    char header[128];
    snprintf(header, sizeof header, "外部サービス利用申請書 申請 #%lld（%s）", id,
             str(req, "state_label"));
    struct pdf_doc *d = pdf_new(false, header, e);
    if (!d) {
        json_decref(req);
        catalogue_release(&cat);
        return e->code;
    }
    /* The 決裁欄 first, at the top right as on the paper form. */
    char *labels = strdup(boxes && *boxes ? boxes : PDF_BOXES_DEFAULT);
    const char *box[8];
    int nbox = 0;
    for (char *save = NULL, *t = labels ? strtok_r(labels, ",", &save) : NULL; t && nbox < 8;
         t = strtok_r(NULL, ",", &save))
        box[nbox++] = t;
    pdf_boxes(d, nbox, box);
    free(labels);
    pdf_title(d, "外部サービス利用申請書");
    char line[512], made[40];
    date_styled_text(str(req, "created_at"), style, made, sizeof made);
    snprintf(line, sizeof line, "申請番号 #%lld　種別 %s　所属 %s　作成 %s（%s）　カタログ %s", id,
             strcmp(str(req, "kind"), "new") == 0      ? "新規"
             : strcmp(str(req, "kind"), "change") == 0 ? "変更"
                                                       : "廃止",
             str(req, "department"), made, str(req, "created_by_name"), str(req, "catalogue"));
    pdf_text(d, line, 9);
    pdf_space(d, 4);
    fields(d, req, style);
    answers(d, req, &cat);
    json_decref(req);
    catalogue_release(&cat);
    return pdf_finish(d, out, n, e);
}

enum xcode request_notice_pdf(struct db *db, const struct user *actor, long long id,
                              enum date_style style, char **out, size_t *n, struct xerr *e)
{
    json_t *req;
    struct catalogue cat;
    if (load(db, actor, id, &req, &cat, e))
        return e->code;
    catalogue_release(&cat);
    const char *state = str(req, "state");
    bool approved = strcmp(state, "approved") == 0;
    if (!approved && strcmp(state, "rejected") != 0) {
        json_decref(req);
        return xerr_set(e, X_STATE, "申請 #%lld はまだ承認も却下もされていません", id);
    }
    if (style == DATE_ISO)
        style = DATE_SEIREKI;
    /* The decision: the last approve or reject of the history. */
    json_t *decision = NULL, *h;
    size_t i;
    json_array_foreach(json_object_get(req, "history"), i, h)
    {
        const char *a = str(h, "action");
        if (strcmp(a, "approve") == 0 || strcmp(a, "reject") == 0)
            decision = h;
    }
    const char *title = approved ? "外部サービス利用承認通知書" : "外部サービス利用却下通知書";
    char header[128], day[40], line[1024];
    snprintf(header, sizeof header, "%s 申請 #%lld", title, id);
    struct pdf_doc *d = pdf_new(false, header, e);
    if (!d) {
        json_decref(req);
        return e->code;
    }
    date_styled_text(str(decision, "at"), style, day, sizeof day);
    pdf_text(d, day, 10);
    json_t *doc = json_object_get(req, "document");
    json_t *app = json_object_get(doc, "applicant");
    snprintf(line, sizeof line, "%s　%s 様", str(app, "department"), str(app, "name"));
    pdf_text(d, line, 11);
    snprintf(line, sizeof line, "情報システム管理者（利用申請の許可権限者）　%s",
             str(decision, "actor_name"));
    pdf_text(d, line, 10);
    pdf_space(d, 10);
    pdf_title(d, title);
    snprintf(line, sizeof line,
             "申請番号 #%lld の外部サービスの利用について、周南市外部サービス利用基準 5(2) に基づき"
             "審査した結果、次のとおり%sします。",
             id, approved ? "承認" : "却下");
    pdf_text(d, line, 10);
    pdf_space(d, 6);
    fields(d, req, style);
    if (*str(decision, "comment")) {
        pdf_text(d, approved ? "条件・意見" : "却下の理由", 11);
        pdf_text(d, str(decision, "comment"), 10);
    }
    if (approved && !json_is_null(json_object_get(req, "entry_id"))) {
        snprintf(line, sizeof line, "外部サービス利用台帳 台帳番号 %lld に登録しました。",
                 (long long)json_integer_value(json_object_get(req, "entry_id")));
        pdf_space(d, 6);
        pdf_text(d, line, 10);
    }
    json_decref(req);
    return pdf_finish(d, out, n, e);
}
