/*
 * pages_request_form.c - 利用申請書: the request form (service, purpose,
 * 格付, the catalogue's requirements and risks, individual conditions) with
 * its evaluation panel, for a new request and for editing a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/catalogue.h"
#include "../core/document.h"
#include "../workflow/access.h"
#include "formdoc.h"
#include "pages.h"

static const char *answer_field(json_t *doc, const char *group, int no, const char *key)
{
    char k[16];
    snprintf(k, sizeof k, "%d", no);
    return jstr(json_object_get(json_object_get(doc, group), k), key);
}

static void text_input(struct sbuf *o, const char *label, const char *name, const char *value,
                       const char *type, const char *hint)
{
    html_printf(o, "<label>%s<input type=\"%s\" name=\"%s\" value=\"%s\"></label>", label, type,
                name, value);
    if (hint)
        html_printf(o, "<small>%s</small>", hint);
}

static void level_select(struct sbuf *o, const struct catalogue *cat, enum axis a,
                         const char *current)
{
    html_printf(o, "<fieldset class=\"levels\"><legend>%s</legend>", axis_label(a));
    for (size_t i = 0; i < cat->nLevels[a]; i++) {
        const struct class_level *lv = &cat->levels[a][i];
        html_printf(o,
                    "<label class=\"level\"><input type=\"radio\" name=\"%s\" value=\"%s\" "
                    "data-rank=\"%d\"%s> <b>%s%s</b> <small>%s</small></label>",
                    axis_key(a), lv->level, lv->rank,
                    current && strcmp(current, lv->level) == 0 ? " checked" : "", axis_label(a),
                    lv->level, lv->definition);
    }
    H(o, "</fieldset>");
}

static void status_select(struct sbuf *o, const char *name, const char *current)
{
    html_printf(o, "<select name=\"%s\">", name);
    select_option(o, "", "未回答", current);
    select_option(o, "met", "満たす", current);
    select_option(o, "unmet", "満たさない", current);
    H(o, "</select>");
}

/* The whole form for a document (doc may be an empty object). */
static void request_form(struct request *r, const struct catalogue *cat, json_t *doc,
                         const char *action, json_t *evaluation, bool carry)
{
    struct sbuf *o = &r->out;
    json_t *svc = json_object_get(doc, "service"), *cls = json_object_get(doc, "classification");
    json_t *period = json_object_get(doc, "period"), *proc = json_object_get(doc, "procurement");
    if (evaluation)
        evaluation_panel(r, evaluation);
    const struct class_level *th = catalogue_level(cat, AXIS_CONFIDENTIALITY, cat->threshold);
    html_printf(o,
                "<form method=\"post\" action=\"%s\" class=\"request\" data-threshold-rank=\"%d\">",
                action, th ? th->rank : 0);
    csrf_field(r);
    H(o, "<fieldset><legend>外部サービス</legend>");
    text_input(o, "(ア) 外部サービスの名称", "service_name", jstr(svc, "name"), "text", NULL);
    text_input(o, "機能名（必要に応じて）", "service_function", jstr(svc, "function"), "text",
               NULL);
    text_input(o, "(イ) 外部サービス提供者の名称", "provider", jstr(svc, "provider"), "text", NULL);
    H(o, "<label>種類（本基準1(3)の例）<select name=\"category\">");
    const char *const labels[] = {"Web会議", "SNS",    "検索",         "翻訳",
                                  "地図",    "生成AI", "ホスティング", "その他"};
    for (int i = 0; service_categories[i]; i++)
        select_option(o, service_categories[i], labels[i],
                      *jstr(svc, "category") ? jstr(svc, "category") : "other");
    H(o, "</select></label>");
    text_input(o, "ISMAP 登録番号（あれば）", "ismap", jstr(svc, "ismap"), "text", NULL);
    H(o, "</fieldset><fieldset><legend>利用の内容</legend>");
    text_input(o, "(ウ) 利用目的（業務内容）", "purpose", jstr(doc, "purpose"), "text", NULL);
    text_input(o, "(オ) 利用開始日", "period_from", jstr(period, "from"), "date", NULL);
    text_input(o, "(オ) 利用終了日", "period_to", jstr(period, "to"), "date", NULL);
    text_input(o, "(キ) 利用者の範囲", "scope", jstr(doc, "scope"), "text",
               "例: 自組織の関係者内に限る、部局内に限る");
    H(o, "<p class=\"hint\">(カ) 利用申請者（所属・氏名）はサインインしている利用者になります。</p>"
         "</fieldset><fieldset><legend>(エ) 取り扱う情報の格付</legend>");
    html_printf(o,
                "<p class=\"hint\">機密性%s以上は別紙「外部サービス要件一覧」の要件、"
                "それ未満は 1(4) のリスクの検討で審査します（本基準2）。</p>",
                cat->threshold);
    for (int a = 0; a < AXIS_COUNT; a++)
        level_select(o, cat, (enum axis)a, jstr(cls, axis_key((enum axis)a)));
    H(o, "</fieldset><fieldset><legend>事前の審査・利用承認（本基準5(2)）</legend>");
    text_input(o, "決裁番号（職務権限規程）", "proc_ref", jstr(proc, "approval_ref"), "text", NULL);
    text_input(o, "利用承認日", "proc_approved_on", jstr(proc, "approved_on"), "date", NULL);
    text_input(o, "業者決定日", "proc_vendor_on", jstr(proc, "vendor_decided_on"), "date", NULL);
    H(o, "</fieldset>");

    /* Requirements grouped by 規定番号. */
    html_printf(o,
                "<fieldset class=\"track requirements\"><legend>別紙「外部サービス要件一覧」"
                "（機密性%s以上）</legend>",
                cat->threshold);
    H(o,
      "<p class=\"hint\">必須: 満たす必要がある要件。推奨: 満たさない場合は"
      "理由（代替サービスが他にない等）が必要。任意: 満たさない場合は影響の検討結果が必要。</p>");
    const char *clause = "";
    H(o, "<table class=\"reqs\"><thead><tr><th class=\"no\">項番</th><th>区分・要件</th>"
         "<th class=\"status\">適用状況</th><th class=\"why\">根拠・理由</th></tr></thead><tbody>");
    for (size_t i = 0; i < cat->nReqs; i++) {
        const struct requirement *q = &cat->reqs[i];
        if (strcmp(clause, q->clause) != 0) {
            clause = q->clause;
            html_printf(o, "<tr class=\"group\"><th colspan=\"4\">規定%s</th></tr>", clause);
        }
        char name[32];
        html_printf(o, "<tr><td>%d<br><span class=\"lv %s\">%s</span></td><td><b>%s</b><br>%s",
                    q->no, req_level_name(q->level), req_level_label(q->level), q->category,
                    q->text);
        char k[16];
        snprintf(k, sizeof k, "%d", q->no);
        json_t *a = json_object_get(json_object_get(doc, "requirements"), k);
        json_t *co = json_object_get(a, "carried_over");
        if (json_is_object(co)) {
            char *mark = json_dumps(co, JSON_COMPACT);
            html_printf(o,
                        "<br><small class=\"carried\">申請 #%lld（%s、%s 承認）から引継ぎ</small>"
                        "<input type=\"hidden\" name=\"req_%d_co\" value=\"%s\">",
                        jint(co, "request"), jstr(co, "department"), jstr(co, "approved_on"), q->no,
                        mark ? mark : "");
            free(mark);
        }
        H(o, "</td><td>");
        snprintf(name, sizeof name, "req_%d_status", q->no);
        status_select(o, name, answer_field(doc, "requirements", q->no, "status"));
        html_printf(o,
                    "</td><td><input name=\"req_%d_evidence\" value=\"%s\" placeholder=\"根拠\">"
                    "<input name=\"req_%d_reason\" value=\"%s\" placeholder=\"理由・影響\">"
                    "</td></tr>",
                    q->no, answer_field(doc, "requirements", q->no, "evidence"), q->no,
                    answer_field(doc, "requirements", q->no, "reason"));
    }
    H(o, "</tbody></table></fieldset>");

    html_printf(
        o,
        "<fieldset class=\"track risks\"><legend>1(4) 外部サービス利用の特性（機密性%s未満）"
        "</legend>",
        cat->threshold);
    H(o, "<p class=\"hint\">各リスクを受容するか、低減措置を講ずるか決めてください（本基準4）。</p>"
         "<table class=\"reqs\"><tbody>");
    for (size_t i = 0; i < cat->nRisks; i++) {
        const struct risk *k = &cat->risks[i];
        const char *d = answer_field(doc, "risks", k->no, "decision");
        html_printf(o, "<tr><td>%s</td><td>%s</td><td><select name=\"risk_%d_decision\">",
                    circled_number(k->no), k->text, k->no);
        select_option(o, "", "未決定", d);
        select_option(o, "accept", "受容する", d);
        select_option(o, "mitigate", "低減措置を講ずる", d);
        html_printf(
            o,
            "</select><input name=\"risk_%d_measure\" value=\"%s\" placeholder=\"低減措置\">"
            "</td></tr>",
            k->no, answer_field(doc, "risks", k->no, "measure"));
    }
    H(o, "</tbody></table></fieldset>");

    H(o, "<fieldset><legend>個別の選定条件（本基準6）</legend><table class=\"reqs\"><tbody>");
    json_t *conds = json_object_get(doc, "conditions");
    size_t nRows = json_array_size(conds) + 2;
    for (size_t i = 0; i < nRows && i < 100; i++) {
        json_t *c = json_array_get(conds, i);
        html_printf(
            o, "<tr><td><input name=\"cond_%zu_text\" value=\"%s\" placeholder=\"条件\"></td><td>",
            i, jstr(c, "text"));
        char name[32];
        snprintf(name, sizeof name, "cond_%zu_status", i);
        status_select(o, name, jstr(c, "status"));
        html_printf(o,
                    "</td><td><input name=\"cond_%zu_evidence\" value=\"%s\" placeholder=\"根拠\">"
                    "</td></tr>",
                    i, jstr(c, "evidence"));
    }
    H(o, "</tbody></table></fieldset><p class=\"buttons\">");
    if (strcmp(action, "/requests/new") == 0)
        html_printf(o,
                    "<label class=\"inline\"><input type=\"checkbox\" name=\"carry_over\" "
                    "value=\"1\"%s> 未回答の要件は、同じ外部サービスの最新の承認済み申請の回答"
                    "（根拠付き）を引き継ぐ</label><br>",
                    carry ? " checked" : "");
    H(o, "<button name=\"do\" value=\"evaluate\">評価する（保存しない）</button> "
         "<button name=\"do\" value=\"save\" class=\"primary\">下書きを保存</button></p></form>");
}

/* Evaluate a form's document without storing it, for the panel. */
static json_t *evaluate_form(struct request *r, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_t *ev = NULL;
    bool approvable;
    struct xerr e = {0};
    if (wf_check(r->db, text, strlen(text), &ev, &approvable, &e))
        notice(r, "error", e.msg);
    free(text);
    return ev;
}

void page_request_new(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    struct catalogue cat;
    if (!has_role(u, ROLE_MANAGER)) {
        xerr_set(&e, X_FORBIDDEN, "利用申請は情報セキュリティ管理者（manager）が行います");
        pages_error(r, &e);
        return;
    }
    if (wf_catalogue_current(r->db, &cat, &e)) {
        pages_error(r, &e);
        return;
    }
    if (method(r, "GET")) {
        /* Start from a known service (its latest approved answers are
         * carried over when saved), or from nothing for a new one. */
        json_t *services = NULL, *doc = json_object(), *chosen = NULL;
        const char *pick = form_get(&r->query, "service");
        long long pickId = pick ? atoll(pick) : 0;
        if (wf_service_list(r->db, u, &services, &e) != XOK)
            xerr_clear(&e);
        page_start(r, "新しい利用申請");
        struct sbuf *o = &r->out;
        size_t i;
        json_t *svc;
        /* Only services in the ledger: those have approved answers to carry. */
        json_t *known = json_array();
        json_array_foreach(json_object_get(services, "services"), i, svc)
        {
            if (jint(svc, "entries") > 0)
                json_array_append(known, svc);
        }
        json_object_set_new(services, "services", known);
        json_array_foreach(known, i, svc)
        {
            if (jint(svc, "id") == pickId)
                chosen = svc;
        }
        if (json_array_size(json_object_get(services, "services"))) {
            H(o, "<form method=\"get\" action=\"/requests/new\" class=\"search noprint\">"
                 "<label>登録済みの外部サービスから始める<select name=\"service\">");
            select_option(o, "", "（新しい外部サービス）", pick);
            json_array_foreach(json_object_get(services, "services"), i, svc)
            {
                const char *label =
                    pool_printf(r->pool, "%s%s%s%s / %s（台帳 %lld 件）", jstr(svc, "name"),
                                *jstr(svc, "function") ? "（" : "", jstr(svc, "function"),
                                *jstr(svc, "function") ? "）" : "", jstr(svc, "provider"),
                                jint(svc, "entries"));
                select_option(o, pool_printf(r->pool, "%lld", jint(svc, "id")), label, pick);
            }
            H(o, "</select></label><button>選ぶ</button></form>");
        }
        if (chosen) {
            json_object_set_new(doc, "service",
                                json_pack("{s:s, s:s, s:s, s:s}", "name", jstr(chosen, "name"),
                                          "function", jstr(chosen, "function"), "provider",
                                          jstr(chosen, "provider"), "category",
                                          jstr(chosen, "category")));
            html_printf(o,
                        "<p class=\"hint\">「%s」の最新の承認済み申請の回答（根拠付き）を、保存時に"
                        "引き継ぎます（未回答の要件のみ。引継ぎ元が記録されます）。</p>",
                        jstr(chosen, "name"));
        } else {
            H(o, "<p class=\"hint\">既に他の課が承認を受けた外部サービスなら、上で選ぶか、保存時に"
                 "「承認済みの回答を引き継ぐ」を選ぶと、同じサービスの最新の承認済み申請の回答（根"
                 "拠付き）"
                 "から始められます。</p>");
        }
        request_form(r, &cat, doc, "/requests/new", NULL, chosen != NULL);
        json_decref(doc);
        json_decref(services);
        page_end(r);
        catalogue_release(&cat);
        return;
    }
    struct form f;
    if (!posted_form(r, &f)) {
        catalogue_release(&cat);
        return;
    }
    json_t *doc = formdoc_to_document(&f);
    const char *what = form_get(&f, "do");
    if (what && strcmp(what, "save") == 0) {
        char *text = json_dumps(doc, JSON_COMPACT);
        struct new_result res;
        enum xcode rc = wf_request_new(r->db, u, text, strlen(text),
                                       form_get(&f, "carry_over") != NULL, &res, &e);
        free(text);
        if (rc == XOK) {
            json_decref(doc);
            catalogue_release(&cat);
            reply_redirect(r, pool_printf(r->pool, "/requests/%lld", res.id));
            return;
        }
        r->status = xerr_http_status(e.code);
    }
    page_start(r, "新しい利用申請");
    if (e.code)
        notice(r, "error", e.msg);
    json_t *ev = evaluate_form(r, doc);
    request_form(r, &cat, doc, "/requests/new", ev, form_get(&f, "carry_over") != NULL);
    json_decref(ev);
    json_decref(doc);
    page_end(r);
    catalogue_release(&cat);
}

void page_request_edit(struct request *r, long long id)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *req;
    struct catalogue cat;
    if (wf_request_show(r->db, u, id, &req, &e)) {
        pages_error(r, &e);
        return;
    }
    if (wf_catalogue_current(r->db, &cat, &e)) {
        json_decref(req);
        pages_error(r, &e);
        return;
    }
    const char *action = pool_printf(r->pool, "/requests/%lld/edit", id);
    if (method(r, "GET")) {
        page_start(r, pool_printf(r->pool, "申請 #%lld の編集", id));
        request_form(r, &cat, json_object_get(req, "document"), action,
                     json_object_get(req, "evaluation"), false);
        page_end(r);
    } else {
        struct form f;
        if (posted_form(r, &f)) {
            json_t *doc = formdoc_to_document(&f);
            const char *what = form_get(&f, "do");
            enum xcode rc = X_INVALID;
            if (what && strcmp(what, "save") == 0) {
                char *text = json_dumps(doc, JSON_COMPACT);
                rc = wf_request_update(r->db, u, id, text, strlen(text), &e);
                free(text);
            }
            if (rc == XOK) {
                reply_redirect(r, pool_printf(r->pool, "/requests/%lld", id));
            } else {
                if (e.code)
                    r->status = xerr_http_status(e.code);
                page_start(r, pool_printf(r->pool, "申請 #%lld の編集", id));
                if (e.code)
                    notice(r, "error", e.msg);
                json_t *ev = evaluate_form(r, doc);
                request_form(r, &cat, doc, action, ev, false);
                json_decref(ev);
                page_end(r);
            }
            json_decref(doc);
        }
    }
    catalogue_release(&cat);
    json_decref(req);
}
