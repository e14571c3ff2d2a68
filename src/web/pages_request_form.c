/*
 * pages_request_form.c - 利用申請書: the request form (service, purpose,
 * 格付, procurement, the catalogue's requirements and risks, individual
 * conditions) with its evaluation panel, for a new request, for editing a
 * request, and for a change of a ledger entry (「変更を申請」).
 *
 * Every control has a <label for=…> naming it (the control's id is its
 * field name, formdoc.h), and the requirement and risk answers are stacked
 * blocks rather than table rows, so the form works at a phone's width.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/catalogue.h"
#include "../core/document.h"
#include "../core/revision.h"
#include "../workflow/access.h"
#include "formdoc.h"
#include "pages.h"

/* Services offered to start a new request from, a page of them. */
#define SERVICE_CHOICES 50

/* How the form is drawn besides its document. */
struct form_opts {
    const char *action; /* where it posts */
    bool carry_option;  /* offer 「承認済みの回答を引き継ぐ」 (a new request) */
    bool carry;         /* … checked */
    bool fixed_service; /* name and provider read-only (a change keeps them) */
    const char *save;   /* the save button's label */
    json_t *evaluation; /* the panel above the form, or NULL */
};

static const char *answer_field(json_t *doc, const char *group, int no, const char *key)
{
    char k[16];
    snprintf(k, sizeof k, "%d", no);
    return jstr(json_object_get(json_object_get(doc, group), k), key);
}

/* A labelled input whose id is its name. */
/* Dates are text: people write 和暦 (core/wareki.h). */
#define DATE_HINT "例: 令和8年4月1日、R8.4.1、2026-04-01"

static void text_input(struct sbuf *o, const char *label, const char *name, const char *value,
                       const char *type, const char *hint)
{
    html_printf(o,
                "<label for=\"%s\">%s</label><input type=\"%s\" name=\"%s\" value=\"%s\" id=\"%s\"",
                name, label, type, name, value, name);
    if (hint)
        html_printf(o, " aria-describedby=\"%s_hint\"><small id=\"%s_hint\">%s</small>", name, name,
                    hint);
    else
        H(o, ">");
}

/* A text input named and labelled by printf-style `fmt` arguments: the id
 * is the name. */
static void answer_input(struct sbuf *o, const char *value, const char *label, const char *fmt,
                         long long no)
{
    char name[48];
    snprintf(name, sizeof name, fmt, no);
    text_input(o, label, name, value, "text", NULL);
}

/* One axis of the 格付 as radio buttons, each inside its label. */
static void level_select(struct sbuf *o, const struct catalogue *cat, enum axis a,
                         const char *current)
{
    html_printf(o, "<fieldset class=\"levels\"><legend>%s</legend>", axis_label(a));
    for (size_t i = 0; i < cat->nLevels[a]; i++) {
        const struct class_level *lv = &cat->levels[a][i];
        const char *id = axis_key(a);
        html_printf(o,
                    "<label class=\"level\" for=\"%s_%s\"><input type=\"radio\" id=\"%s_%s\" "
                    "name=\"%s\" value=\"%s\" data-rank=\"%d\"%s> <b>%s%s</b> "
                    "<small>%s</small></label>",
                    id, lv->level, id, lv->level, id, lv->level, lv->rank,
                    current && strcmp(current, lv->level) == 0 ? " checked" : "", axis_label(a),
                    lv->level, lv->definition);
    }
    H(o, "</fieldset>");
}

/* The 適用状況 of a requirement or condition: 未回答 / 満たす / 満たさない
 * / 対象外, labelled `label`. */
static void status_select(struct sbuf *o, const char *name, const char *label, const char *current)
{
    html_printf(o, "<label for=\"%s\">%s</label><select id=\"%s\" name=\"%s\">", name, label, name,
                name);
    select_option(o, "", "未回答", current);
    select_option(o, "met", "満たす", current);
    select_option(o, "unmet", "満たさない", current);
    select_option(o, "na", "対象外", current);
    H(o, "</select>");
}

/* The service, the use and the 格付. */
static void form_basics(struct request *r, const struct catalogue *cat, json_t *doc,
                        const struct form_opts *opt)
{
    struct sbuf *o = &r->out;
    json_t *svc = json_object_get(doc, "service"), *cls = json_object_get(doc, "classification");
    json_t *period = json_object_get(doc, "period"), *proc = json_object_get(doc, "procurement");
    H(o, "<fieldset><legend>外部サービス</legend>");
    if (opt->fixed_service) {
        /* A change keeps the service of its entry (workflow refuses others). */
        html_printf(o,
                    "<label for=\"service_name\">(ア) 外部サービスの名称（変更できません）</label>"
                    "<input type=\"text\" name=\"service_name\" value=\"%s\" id=\"service_name\" "
                    "readonly>"
                    "<label for=\"provider\">(イ) 外部サービス提供者の名称（変更できません）"
                    "</label><input type=\"text\" name=\"provider\" value=\"%s\" id=\"provider\" "
                    "readonly>",
                    jstr(svc, "name"), jstr(svc, "provider"));
        text_input(o, "機能名（必要に応じて）", "service_function", jstr(svc, "function"), "text",
                   NULL);
    } else {
        text_input(o, "(ア) 外部サービスの名称", "service_name", jstr(svc, "name"), "text", NULL);
        text_input(o, "機能名（必要に応じて）", "service_function", jstr(svc, "function"), "text",
                   NULL);
        text_input(o, "(イ) 外部サービス提供者の名称", "provider", jstr(svc, "provider"), "text",
                   NULL);
    }
    H(o, "<label for=\"category\">種類（本基準1(3)の例）</label>"
         "<select id=\"category\" name=\"category\">");
    const char *const labels[] = {"Web会議", "SNS",    "検索",         "翻訳",
                                  "地図",    "生成AI", "ホスティング", "その他"};
    for (int i = 0; service_categories[i]; i++)
        select_option(o, service_categories[i], labels[i],
                      *jstr(svc, "category") ? jstr(svc, "category") : "other");
    H(o, "</select>");
    text_input(o, "ISMAP 登録番号（あれば）", "ismap", jstr(svc, "ismap"), "text", NULL);
    text_input(o, "クラウドサービスプロバイダー（提供者と異なる場合）", "cloud_provider",
               jstr(svc, "cloud_provider"), "text", "別紙 項番4〜8 が問う事業者です");
    text_input(o, "データの保存場所（国・地域）", "data_location", jstr(svc, "data_location"),
               "text", "別紙 項番11・18 に関わります（例: 日本国内（東京・大阪リージョン））");
    H(o, "</fieldset><fieldset><legend>利用の内容</legend>");
    text_input(o, "(ウ) 利用目的（業務内容）", "purpose", jstr(doc, "purpose"), "text", NULL);
    text_input(o, "(オ) 利用開始日", "period_from", jstr(period, "from"), "text", DATE_HINT);
    text_input(o, "(オ) 利用終了日", "period_to", jstr(period, "to"), "text", DATE_HINT);
    text_input(o, "(キ) 利用者の範囲", "scope", jstr(doc, "scope"), "text",
               "例: 自組織の関係者内に限る、部局内に限る");
    json_t *pi = json_object_get(doc, "personal_information");
    const char *piv = json_is_true(pi) ? "yes" : json_is_false(pi) ? "no" : "";
    H(o, "<fieldset class=\"levels\"><legend>個人情報を取り扱うか</legend>");
    const char *const piValues[][3] = {
        {"yes", "yes", "取り扱う"}, {"no", "no", "取り扱わない"}, {"unknown", "", "未回答"}};
    for (int i = 0; i < 3; i++)
        html_printf(o,
                    "<label class=\"level\" for=\"personal_information_%s\"><input type=\"radio\" "
                    "id=\"personal_information_%s\" name=\"personal_information\" value=\"%s\"%s> "
                    "%s</label>",
                    piValues[i][0], piValues[i][0], piValues[i][1],
                    strcmp(piv, piValues[i][1]) == 0 ? " checked" : "", piValues[i][2]);
    H(o, "</fieldset><p class=\"hint\">(カ) 利用申請者（所属・氏名）はサインインしている利用者"
         "になります。</p></fieldset><fieldset><legend>(エ) 取り扱う情報の格付</legend>");
    html_printf(o,
                "<p class=\"hint\">機密性%s以上は別紙「外部サービス要件一覧」の要件、"
                "それ未満は 1(4) のリスクの検討で審査します（本基準2）。</p>",
                cat->threshold);
    for (int a = 0; a < AXIS_COUNT; a++)
        level_select(o, cat, (enum axis)a, jstr(cls, axis_key((enum axis)a)));
    H(o, "</fieldset><fieldset><legend>事前の審査・利用承認と業者決定（本基準5(2)）</legend>"
         "<p class=\"hint\">職務権限規程による決裁を受け、業者を決定してから申請します。</p>");
    text_input(o, "決裁番号（職務権限規程）", "proc_ref", jstr(proc, "approval_ref"), "text", NULL);
    text_input(o, "決裁日（利用承認日）", "proc_approved_on", jstr(proc, "approved_on"), "text",
               DATE_HINT);
    text_input(o, "業者決定日", "proc_vendor_on", jstr(proc, "vendor_decided_on"), "text",
               DATE_HINT);
    H(o, "</fieldset>");
}

/* 別紙: one block per requirement, grouped by 規定番号. */
static void form_requirements(struct request *r, const struct catalogue *cat, json_t *doc)
{
    struct sbuf *o = &r->out;
    html_printf(o,
                "<fieldset class=\"track requirements\"><legend>別紙「外部サービス要件一覧」"
                "（機密性%s以上）</legend>",
                cat->threshold);
    H(o, "<p class=\"hint\">必須: 満たす必要がある要件。推奨: 満たさない場合は理由（代替サービス"
         "が他にない等）が必要。任意: 満たさない場合は影響の検討結果が必要。対象外: 要件が当ては"
         "まらない場合（理由が必要）。</p>");
    const char *clause = "";
    for (size_t i = 0; i < cat->nReqs; i++) {
        const struct requirement *q = &cat->reqs[i];
        if (strcmp(clause, q->clause) != 0) {
            clause = q->clause;
            html_printf(o, "<h3 class=\"clause\">規定%s</h3>", clause);
        }
        html_printf(o,
                    "<div class=\"req\" id=\"req-%d\"><p class=\"req-head\"><b>項番%d</b> "
                    "<span class=\"lv %s\">%s</span> %s</p><p class=\"req-text\">%s</p>",
                    q->no, q->no, req_level_name(q->level), req_level_label(q->level), q->category,
                    q->text);
        char k[16];
        snprintf(k, sizeof k, "%d", q->no);
        json_t *co = json_object_get(json_object_get(json_object_get(doc, "requirements"), k),
                                     "carried_over");
        if (json_is_object(co)) {
            char *mark = json_dumps(co, JSON_COMPACT);
            html_printf(o,
                        "<p><small class=\"carried\">申請 #%lld（%s、%s 承認）から引継ぎ</small>"
                        "<input type=\"hidden\" name=\"req_%d_co\" value=\"%s\"></p>",
                        jint(co, "request"), jstr(co, "department"),
                        day(r, jstr(co, "approved_on")), q->no, mark ? mark : "");
            free(mark);
        }
        char name[32], label[160];
        snprintf(name, sizeof name, "req_%d_status", q->no);
        snprintf(label, sizeof label, "項番%d の適用状況", q->no);
        H(o, "<div class=\"answer\">");
        status_select(o, name, label, answer_field(doc, "requirements", q->no, "status"));
        snprintf(label, sizeof label, "項番%d の根拠", q->no);
        answer_input(o, answer_field(doc, "requirements", q->no, "evidence"), label,
                     "req_%lld_evidence", q->no);
        snprintf(label, sizeof label, "項番%d の理由・影響（満たさない・対象外のとき）", q->no);
        answer_input(o, answer_field(doc, "requirements", q->no, "reason"), label,
                     "req_%lld_reason", q->no);
        H(o, "</div></div>");
    }
    H(o, "</fieldset>");
}

/* 1(4) and 4: one block per known risk. */
static void form_risks(struct request *r, const struct catalogue *cat, json_t *doc)
{
    struct sbuf *o = &r->out;
    html_printf(
        o,
        "<fieldset class=\"track risks\"><legend>1(4) 外部サービス利用の特性（機密性%s未満）"
        "</legend>",
        cat->threshold);
    H(o, "<p class=\"hint\">各リスクを受容するか、低減措置を講ずるか、十分検討した上で決めて"
         "ください（本基準4）。受容する場合はその理由を、低減する場合は措置を書きます。</p>");
    for (size_t i = 0; i < cat->nRisks; i++) {
        const struct risk *k = &cat->risks[i];
        const char *d = answer_field(doc, "risks", k->no, "decision");
        const char *c = circled_number(k->no);
        html_printf(o,
                    "<div class=\"req risk\" id=\"risk-%d\"><p class=\"req-head\"><b>1(4)%s</b>"
                    "</p><p class=\"req-text\">%s</p><div class=\"answer\">"
                    "<label for=\"risk_%d_decision\">%s の判断</label>"
                    "<select id=\"risk_%d_decision\" name=\"risk_%d_decision\">",
                    k->no, c, k->text, k->no, c, k->no, k->no);
        select_option(o, "", "未決定", d);
        select_option(o, "accept", "受容する", d);
        select_option(o, "mitigate", "低減措置を講ずる", d);
        H(o, "</select>");
        char label[160];
        snprintf(label, sizeof label, "%s の低減措置", c);
        answer_input(o, answer_field(doc, "risks", k->no, "measure"), label, "risk_%lld_measure",
                     k->no);
        snprintf(label, sizeof label, "%s の判断の理由（受容するとき）", c);
        answer_input(o, answer_field(doc, "risks", k->no, "reason"), label, "risk_%lld_reason",
                     k->no);
        H(o, "</div></div>");
    }
    H(o, "</fieldset>");
}

/* 6 その他: the conditions given, and two empty rows for more. */
static void form_conditions(struct request *r, json_t *doc)
{
    struct sbuf *o = &r->out;
    H(o, "<fieldset><legend>個別の選定条件（本基準6）</legend><p class=\"hint\">取り扱う情報資産"
         "やサービスの内容から、個別に定める選定条件です。空欄の行は保存されません。</p>");
    json_t *conds = json_object_get(doc, "conditions");
    size_t nRows = json_array_size(conds) + 2;
    for (size_t i = 0; i < nRows && i < 100; i++) {
        json_t *c = json_array_get(conds, i);
        char name[32], label[160];
        H(o, "<div class=\"req condition\">");
        snprintf(label, sizeof label, "条件%zu", i + 1);
        answer_input(o, jstr(c, "text"), label, "cond_%lld_text", (long long)i);
        H(o, "<div class=\"answer\">");
        snprintf(name, sizeof name, "cond_%zu_status", i);
        snprintf(label, sizeof label, "条件%zu の状況", i + 1);
        status_select(o, name, label, jstr(c, "status"));
        snprintf(label, sizeof label, "条件%zu の根拠", i + 1);
        answer_input(o, jstr(c, "evidence"), label, "cond_%lld_evidence", (long long)i);
        snprintf(label, sizeof label, "条件%zu の理由（満たさない・対象外のとき）", i + 1);
        answer_input(o, jstr(c, "reason"), label, "cond_%lld_reason", (long long)i);
        H(o, "</div></div>");
    }
    H(o, "</fieldset>");
}

/* The whole form for a document (doc may be an empty object). */
static void request_form(struct request *r, const struct catalogue *cat, json_t *doc,
                         const struct form_opts *opt)
{
    struct sbuf *o = &r->out;
    if (opt->evaluation)
        evaluation_panel(r, opt->evaluation);
    const struct class_level *th = catalogue_level(cat, AXIS_CONFIDENTIALITY, cat->threshold);
    html_printf(o,
                "<form method=\"post\" action=\"%s\" class=\"request\" data-threshold-rank=\"%d\">",
                opt->action, th ? th->rank : 0);
    csrf_field(r);
    form_basics(r, cat, doc, opt);
    form_requirements(r, cat, doc);
    form_risks(r, cat, doc);
    form_conditions(r, doc);
    H(o, "<p class=\"buttons\">");
    if (opt->carry_option)
        html_printf(o,
                    "<label class=\"inline\" for=\"carry_over\"><input type=\"checkbox\" "
                    "id=\"carry_over\" name=\"carry_over\" value=\"1\"%s> 未回答の要件は、同じ外部"
                    "サービスの最新の承認済み申請の回答（根拠付き）を引き継ぐ</label>",
                    opt->carry ? " checked" : "");
    html_printf(o,
                "<button name=\"do\" value=\"evaluate\">評価する（保存しない）</button> "
                "<button name=\"do\" value=\"save\" class=\"primary\">%s</button></p></form>",
                opt->save);
}

/* Evaluate a form's document as it will be stored, without storing it:
 * the applicant is the signed-in user (workflow fills it in on saving), so
 * the preview shows no false 所属・氏名 finding. */
static json_t *evaluate_form(struct request *r, json_t *doc)
{
    const struct user *u = req_user(r);
    json_t *copy = json_deep_copy(doc);
    json_object_set_new(copy, "applicant",
                        json_pack("{s:s, s:s}", "department", u->department, "name", u->name));
    char *text = json_dumps(copy, JSON_COMPACT);
    json_decref(copy);
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
    struct form_opts opt = {
        .action = "/requests/new", .carry_option = true, .save = "下書きを保存"};
    if (method(r, "GET")) {
        /* Start from a known service (its latest approved answers are
         * carried over when saved), or from nothing for a new one. */
        json_t *services = NULL, *doc = json_object(), *chosen = NULL;
        const char *pick = form_get(&r->query, "service");
        const char *find = form_get(&r->query, "find");
        long long pickId = pick ? atoll(pick) : 0;
        /* Only services in the ledger: those have approved answers to
         * carry. A page of them, found by name where there are many. */
        struct service_query sq = {.q = find, .in_ledger = true, .limit = SERVICE_CHOICES};
        if (wf_service_list(r->db, u, &sq, &services, &e) != XOK)
            xerr_clear(&e);
        page_start(r, "新しい利用申請");
        struct sbuf *o = &r->out;
        size_t i;
        json_t *svc;
        json_t *known = json_object_get(services, "services");
        long long total = services ? jint(services, "total") : 0;
        json_t *picked = NULL;
        if (pickId) {
            struct service_query one = {.id = pickId, .in_ledger = true, .limit = 1};
            if (wf_service_list(r->db, u, &one, &picked, &e) != XOK)
                xerr_clear(&e);
            chosen = json_array_get(json_object_get(picked, "services"), 0);
            bool listed = false;
            json_array_foreach(known, i, svc) listed |= jint(svc, "id") == pickId;
            if (chosen && known && !listed)
                json_array_append(known, chosen);
        }
        if (total || (find && *find)) {
            H(o, "<form method=\"get\" action=\"/requests/new\" class=\"search noprint\">"
                 "<label for=\"find\">登録済みの外部サービスから始める</label>");
            html_printf(o,
                        "<input id=\"find\" name=\"find\" type=\"search\" value=\"%s\" "
                        "placeholder=\"サービス名・機能・事業者で探す\"><button>探す</button>",
                        find ? find : "");
            if (json_array_size(known)) {
                H(o, "<select id=\"service\" name=\"service\" aria-label=\"外部サービス\">");
                select_option(o, "", "（新しい外部サービス）", pick);
                json_array_foreach(known, i, svc)
                {
                    const char *label =
                        pool_printf(r->pool, "%s%s%s%s / %s（台帳 %lld 件）", jstr(svc, "name"),
                                    *jstr(svc, "function") ? "（" : "", jstr(svc, "function"),
                                    *jstr(svc, "function") ? "）" : "", jstr(svc, "provider"),
                                    jint(svc, "entries"));
                    select_option(o, pool_printf(r->pool, "%lld", jint(svc, "id")), label, pick);
                }
                H(o, "</select><button>選ぶ</button>");
            }
            if (total > (long long)json_array_size(known))
                html_printf(o,
                            "<p class=\"hint\">該当 %lld 件のうち %zu 件を表示しています。"
                            "名前で絞り込んでください。</p>",
                            total, json_array_size(known));
            else if (find && *find && !total)
                H(o, "<p class=\"hint\">台帳に該当する外部サービスはありません。</p>");
            H(o, "</form>");
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
                 "拠付き）から始められます。</p>");
        }
        H(o, "<p class=\"hint\">保存した下書きは、許可権限者との事前協議を済ませてから申請します"
             "（本基準5(2)①）。</p>");
        opt.carry = chosen != NULL;
        request_form(r, &cat, doc, &opt);
        json_decref(doc);
        json_decref(services);
        json_decref(picked);
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
    opt.evaluation = evaluate_form(r, doc);
    opt.carry = form_get(&f, "carry_over") != NULL;
    request_form(r, &cat, doc, &opt);
    json_decref(opt.evaluation);
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
    /* Only the applicant's department edits, and only while editable: say
     * so before showing a form whose saving would be refused. */
    const char *back = pool_printf(r->pool, "/requests/%lld", id);
    int st = req_state_parse(jstr(req, "state"));
    if (!has_role(u, ROLE_MANAGER) || strcmp(u->department, jstr(req, "department")) != 0)
        xerr_set(&e, X_FORBIDDEN,
                 "申請書の編集は、申請した課の情報セキュリティ管理者（manager）が行います");
    else if (st < 0 || !req_editable((enum req_state)st))
        xerr_set(&e, X_STATE,
                 "「%s」の申請は編集できません（編集できるのは下書き・事前協議中・差戻し）",
                 st >= 0 ? req_state_label((enum req_state)st) : jstr(req, "state"));
    if (e.code) {
        json_decref(req);
        error_page(r, &e, back, "申請に戻る");
        return;
    }
    /* The form of the catalogue the request keeps: its answers are read
     * against that version until the applicant moves it. */
    if (wf_catalogue_by_id(r->db, jstr(req, "catalogue"), &cat, &e)) {
        json_decref(req);
        pages_error(r, &e);
        return;
    }
    bool outdated = json_is_true(json_object_get(req, "catalogue_outdated"));
    struct form_opts opt = {.action = pool_printf(r->pool, "/requests/%lld/edit", id),
                            .fixed_service = strcmp(jstr(req, "kind"), "new") != 0,
                            .save = "下書きを保存"};
    const char *title = pool_printf(r->pool, "申請 #%lld の編集", id);
    if (method(r, "GET")) {
        page_start(r, title);
        html_printf(&r->out, "<p><a href=\"/requests/%lld\">申請 #%lld に戻る</a></p>", id, id);
        return_comment(r, req);
        if (outdated)
            html_printf(&r->out,
                        "<p class=\"notice\">この申請はカタログ %s（施行中の版は %s）で作成されて"
                        "います。申請のページで施行中の版に移せます。</p>",
                        jstr(req, "catalogue"), jstr(req, "catalogue_in_force"));
        opt.evaluation = json_object_get(req, "evaluation");
        request_form(r, &cat, json_object_get(req, "document"), &opt);
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
                page_start(r, title);
                if (e.code)
                    notice(r, "error", e.msg);
                return_comment(r, req);
                /* The preview evaluates against the catalogue in force
                 * (wf_check); a request kept on an older one is evaluated
                 * when saved. */
                if (outdated)
                    H(&r->out, "<p class=\"notice\">この申請は施行中でない版のカタログで作成"
                               "されているため、保存せずに評価することはできません。下書きを保存"
                               "すると評価されます。</p>");
                else
                    opt.evaluation = evaluate_form(r, doc);
                request_form(r, &cat, doc, &opt);
                json_decref(opt.evaluation);
                page_end(r);
            }
            json_decref(doc);
        }
    }
    catalogue_release(&cat);
    json_decref(req);
}

/* 「変更を申請」 (5(2)③ other change): the form prefilled with the entry's
 * current document; saving opens a change request (a draft) with it. */
void page_entry_change(struct request *r, long long entry)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *en = NULL, *src = NULL;
    struct catalogue cat;
    if (!has_role(u, ROLE_MANAGER)) {
        xerr_set(&e, X_FORBIDDEN,
                 "変更の申請は、その登録の課の情報セキュリティ管理者（manager）が行います");
        pages_error(r, &e);
        return;
    }
    if (wf_ledger_show(r->db, u, entry, &en, &e)) {
        pages_error(r, &e);
        return;
    }
    const char *back = pool_printf(r->pool, "/ledger/%lld", entry);
    if (strcmp(jstr(en, "department"), u->department) != 0) {
        json_decref(en);
        xerr_set(&e, X_FORBIDDEN,
                 "変更の申請は、その登録の課（%s）の情報セキュリティ管理者が行います",
                 jstr(en, "department"));
        error_page(r, &e, back, "台帳の登録に戻る");
        return;
    }
    /* The document of the request behind the entry's current version. */
    if (wf_request_show(r->db, u, jint(en, "request_id"), &src, &e) ||
        wf_catalogue_current(r->db, &cat, &e)) {
        json_decref(src);
        json_decref(en);
        error_page(r, &e, back, "台帳の登録に戻る");
        return;
    }
    const char *title = pool_printf(r->pool, "台帳番号 %lld の変更を申請", entry);
    struct form_opts opt = {.action = pool_printf(r->pool, "/ledger/%lld/change", entry),
                            .fixed_service = true,
                            .save = "変更の申請を作成（下書き）"};
    json_t *doc = NULL;
    if (method(r, "POST")) {
        struct form f;
        if (!posted_form(r, &f))
            goto out;
        doc = formdoc_to_document(&f);
        /* The select always sends a category; where the entry has none
         * (which means "other"), "other" is no change. */
        json_t *svc = json_object_get(doc, "service");
        if (!json_object_get(json_object_get(json_object_get(src, "document"), "service"),
                             "category") &&
            strcmp(jstr(svc, "category"), "other") == 0)
            json_object_del(svc, "category");
        /* The form shows every condition: none left means none (a missing
         * key would keep the entry's, wf_ledger_change merges). */
        if (!json_object_get(doc, "conditions"))
            json_object_set_new(doc, "conditions", json_array());
        const char *what = form_get(&f, "do");
        if (what && strcmp(what, "save") == 0) {
            char *text = json_dumps(doc, JSON_COMPACT);
            long long id = 0;
            enum xcode rc = wf_ledger_change(r->db, u, entry, text, strlen(text), &id, &e);
            free(text);
            if (rc == XOK) {
                reply_redirect(r, pool_printf(r->pool, "/requests/%lld", id));
                goto out;
            }
            r->status = xerr_http_status(e.code);
        }
    } else {
        doc = json_deep_copy(json_object_get(src, "document"));
        json_object_del(doc, "applicant");
        /* Approved under an older catalogue: start from what the change
         * request will hold (wf_ledger_change moves it the same way), the
         * answers to new or reworded items left out, so the form does not
         * post the old answers back for them. */
        struct catalogue from;
        if (strcmp(jstr(src, "catalogue"), cat.id) != 0 &&
            wf_catalogue_by_id(r->db, jstr(src, "catalogue"), &from, &e) == XOK) {
            json_t *moved = NULL;
            if (document_rebase(doc, &from, &cat, &moved, &e) == XOK) {
                json_decref(doc);
                doc = moved;
            }
            catalogue_release(&from);
        }
        xerr_clear(&e);
    }
    page_start(r, title);
    if (e.code)
        notice(r, "error", e.msg);
    html_printf(&r->out,
                "<p><a href=\"%s\">台帳番号 %lld に戻る</a></p><p class=\"hint\">現在の登録"
                "（第%lld版）の内容から始めます。変えたい項目を書き換えて保存すると、変更の申請"
                "（下書き）ができます。審査では施行中のカタログ（%s）で評価され、変更前 → 変更後"
                "が示されます（本基準5(2)③）。外部サービスの名称と提供者は変えられません。</p>",
                back, entry, jint(en, "version"), cat.id);
    if (method(r, "POST"))
        opt.evaluation = evaluate_form(r, doc);
    request_form(r, &cat, doc, &opt);
    json_decref(opt.evaluation);
    page_end(r);
out:
    json_decref(doc);
    catalogue_release(&cat);
    json_decref(src);
    json_decref(en);
}
