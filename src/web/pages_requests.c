/*
 * pages_requests.c - 利用申請 as filed, and 審査: the request page is the
 * review page an approver decides from (every requirement with its text and
 * answer, the risks, the conditions, the 事前協議, procurement, what a
 * change changes), with the steps this user may take on it; the lists of
 * requests; the approver's queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/catalogue.h"
#include "../workflow/access.h"
#include "pages.h"

bool can_open_request(const struct user *u, const char *department)
{
    if (has_role(u, ROLE_APPROVER) || has_role(u, ROLE_CISO) || has_role(u, ROLE_AUDITOR))
        return true;
    return has_role(u, ROLE_MANAGER) && strcmp(u->department, department ? department : "") == 0;
}

const char *answer_label(const char *status)
{
    if (strcmp(status, "met") == 0)
        return "満たす";
    if (strcmp(status, "unmet") == 0)
        return "満たさない";
    if (strcmp(status, "na") == 0)
        return "対象外";
    return "未回答";
}

const char *decision_label(const char *decision)
{
    if (strcmp(decision, "accept") == 0)
        return "受容する";
    if (strcmp(decision, "mitigate") == 0)
        return "低減措置を講ずる";
    return "未決定";
}

const char *event_label(const char *action)
{
    int a = req_action_parse(action);
    if (a >= 0)
        return req_action_label((enum req_action)a);
    if (strcmp(action, "create") == 0)
        return "作成";
    if (strcmp(action, "update") == 0)
        return "申請書の更新";
    if (strcmp(action, "rebase") == 0)
        return "カタログの版を移行";
    return action;
}

void return_comment(struct request *r, json_t *req)
{
    if (strcmp(jstr(req, "state"), "returned") != 0)
        return;
    json_t *last = NULL, *h;
    size_t i;
    json_array_foreach(json_object_get(req, "history"), i, h)
    {
        if (strcmp(jstr(h, "action"), "return") == 0)
            last = h;
    }
    if (!last)
        return;
    html_printf(&r->out,
                "<section class=\"returned\" aria-labelledby=\"returned-h\"><h2 id=\"returned-h\">"
                "差戻しの理由</h2><p>%s（%s）<time>%s</time></p><blockquote>%s</blockquote>"
                "</section>",
                jstr(last, "actor_name"), jstr(last, "actor"), jst(r, jstr(last, "at")),
                jstr(last, "comment"));
}

/* One button of the request's step form: it posts the shared comment to
 * /requests/ID/ACTION. `describedby` names the element explaining it, or
 * NULL. */
static void step_button(struct request *r, long long id, const char *action, const char *label,
                        const char *cls, const char *describedby)
{
    html_printf(&r->out, "<button formaction=\"/requests/%lld/%s\"", id, action);
    if (*cls)
        html_printf(&r->out, " class=\"%s\"", cls);
    if (describedby)
        html_printf(&r->out, " aria-describedby=\"%s\"", describedby);
    html_printf(&r->out, ">%s</button> ", label);
}

/* The findings of the evaluation about requirement or risk `item` (the
 * evaluation's track decides which), or about condition `index`. */
static json_t *findings_for(json_t *ev, const char *key, long long n)
{
    json_t *out = json_array(), *f;
    size_t i;
    json_array_foreach(json_object_get(ev, "findings"), i, f)
    {
        if (json_is_integer(json_object_get(f, key)) && jint(f, key) == n)
            json_array_append(out, f);
    }
    return out;
}

static bool has_blocker(json_t *findings)
{
    json_t *f;
    size_t i;
    json_array_foreach(findings, i, f)
    {
        if (strcmp(jstr(f, "severity"), "blocker") == 0)
            return true;
    }
    return false;
}

/* The findings of one row, blockers as 阻害 and warnings as 注意. */
static void findings_cell(struct sbuf *o, json_t *findings)
{
    H(o, "<td class=\"finding\">");
    json_t *f;
    size_t i;
    json_array_foreach(findings, i, f)
    {
        bool b = strcmp(jstr(f, "severity"), "blocker") == 0;
        html_printf(o, "<p class=\"%s\"><span class=\"sev\">%s</span> %s</p>",
                    b ? "blocker" : "warning", b ? "阻害" : "注意", jstr(f, "message"));
    }
    H(o, "</td>");
}

/* Was `field` ("requirements.15") changed since the approved version? */
static bool changed(json_t *changes, const char *field)
{
    json_t *c;
    size_t i;
    json_array_foreach(changes, i, c)
    {
        if (strcmp(jstr(c, "field"), field) == 0)
            return true;
    }
    return false;
}

/* 別紙: every requirement of the catalogue the request keeps, with its
 * answer; unmet, 対象外 and blocker rows carry a class and say so in
 * words. */
static void review_requirements(struct request *r, const struct catalogue *cat, json_t *req,
                                bool decides)
{
    struct sbuf *o = &r->out;
    const struct user *u = req_user(r);
    json_t *doc = json_object_get(req, "document"), *ev = json_object_get(req, "evaluation");
    json_t *answers = json_object_get(doc, "requirements");
    json_t *changes = json_object_get(req, "changes");
    html_printf(o,
                "<section class=\"review requirements\" aria-labelledby=\"reqs-h\"><h2 "
                "id=\"reqs-h\">別紙「外部サービス要件一覧」の適用状況%s</h2>",
                decides ? "" : "（参考: この格付ではリスクの検討で審査します）");
    html_printf(o,
                "<p class=\"hint\">カタログ %s。満たさない・対象外・承認を妨げる行には"
                "その旨を記しています。</p>",
                cat->id);
    H(o, "<div class=\"table-scroll\"><table class=\"list review\"><thead><tr><th>項番</th>"
         "<th>規定・区分</th><th>要件</th><th>水準</th><th>適用状況</th><th>根拠・理由</th>"
         "<th>指摘</th></tr></thead><tbody>");
    for (size_t i = 0; i < cat->nReqs; i++) {
        const struct requirement *q = &cat->reqs[i];
        char k[16], field[32];
        snprintf(k, sizeof k, "%d", q->no);
        snprintf(field, sizeof field, "requirements.%d", q->no);
        json_t *a = json_object_get(answers, k);
        const char *st = jstr(a, "status");
        json_t *fs = decides ? findings_for(ev, "item", q->no) : json_array();
        bool blocker = has_blocker(fs), diff = changed(changes, field);
        /* The status (met, unmet, na, unknown) is the row's class. */
        html_printf(o, "<tr id=\"item-%d\" class=\"%s%s%s\"><td>%d", q->no, *st ? st : "unknown",
                    blocker ? " blocker" : "", diff ? " changed" : "", q->no);
        if (diff)
            H(o, "<br><span class=\"tag changed\">変更あり</span>");
        html_printf(o,
                    "</td><td>%s %s</td><td>%s</td><td><span class=\"lv %s\">%s</span></td>"
                    "<td class=\"answer\"><b>%s</b></td><td>",
                    q->clause, q->category, q->text, req_level_name(q->level),
                    req_level_label(q->level), answer_label(st));
        if (*jstr(a, "evidence"))
            html_printf(o, "<p>根拠: %s</p>", jstr(a, "evidence"));
        if (*jstr(a, "reason"))
            html_printf(o, "<p>理由: %s</p>", jstr(a, "reason"));
        /* The ISMAP requirement: what the loaded list says of the number. */
        json_t *ism = json_object_get(req, "ismap");
        if (q->topic && strcmp(q->topic, "ismap") == 0 && ism) {
            if (json_is_true(json_object_get(ism, "listed")))
                html_printf(o,
                            "<p class=\"ismap listed\">ISMAP クラウドサービスリスト（%s 読込）: "
                            "%s は登録あり（%s / %s、有効期限 %s）</p>",
                            day(r, jstr(ism, "loaded_on")), jstr(ism, "number"),
                            jstr(ism, "service_name"), jstr(ism, "provider"),
                            *jstr(ism, "expires_on") ? day(r, jstr(ism, "expires_on"))
                                                     : "記載なし");
            else
                html_printf(o,
                            "<p class=\"ismap unlisted\">ISMAP クラウドサービスリスト（%s 読込）: "
                            "%s は登録なし</p>",
                            day(r, jstr(ism, "loaded_on")), jstr(ism, "number"));
        }
        json_t *co = json_object_get(a, "carried_over");
        if (json_is_object(co)) {
            if (can_open_request(u, jstr(co, "department")))
                html_printf(o,
                            "<p><small class=\"carried\"><a href=\"/requests/%lld\">申請 #%lld"
                            "</a>（%s、%s 承認）から引継ぎ</small></p>",
                            jint(co, "request"), jint(co, "request"), jstr(co, "department"),
                            day(r, jstr(co, "approved_on")));
            else
                html_printf(o,
                            "<p><small class=\"carried\">申請 #%lld（%s、%s 承認）から引継ぎ"
                            "</small></p>",
                            jint(co, "request"), jstr(co, "department"),
                            day(r, jstr(co, "approved_on")));
        }
        H(o, "</td>");
        findings_cell(o, fs);
        H(o, "</tr>");
        json_decref(fs);
    }
    H(o, "</tbody></table></div></section>");
}

/* 1(4), 4: every known risk with its decision, measure and reason. */
static void review_risks(struct request *r, const struct catalogue *cat, json_t *req, bool decides)
{
    struct sbuf *o = &r->out;
    json_t *doc = json_object_get(req, "document"), *ev = json_object_get(req, "evaluation");
    json_t *answers = json_object_get(doc, "risks");
    json_t *changes = json_object_get(req, "changes");
    html_printf(o,
                "<section class=\"review risks\" aria-labelledby=\"risks-h\"><h2 id=\"risks-h\">"
                "1(4) 外部サービス利用の特性のリスクの検討%s</h2>",
                decides ? "（本基準4）" : "（参考: この格付では要件一覧で審査します）");
    H(o, "<div class=\"table-scroll\"><table class=\"list review\"><thead><tr><th>番号</th>"
         "<th>リスク</th><th>判断</th><th>低減措置・理由</th><th>指摘</th></tr></thead><tbody>");
    for (size_t i = 0; i < cat->nRisks; i++) {
        const struct risk *k = &cat->risks[i];
        char key[16], field[32];
        snprintf(key, sizeof key, "%d", k->no);
        snprintf(field, sizeof field, "risks.%d", k->no);
        json_t *a = json_object_get(answers, key);
        const char *d = jstr(a, "decision");
        json_t *fs = decides ? findings_for(ev, "item", k->no) : json_array();
        bool blocker = has_blocker(fs), diff = changed(changes, field);
        html_printf(o, "<tr id=\"risk-%d\" class=\"%s%s%s\"><td>1(4)%s", k->no,
                    *d ? d : "undecided", blocker ? " blocker" : "", diff ? " changed" : "",
                    circled_number(k->no));
        if (diff)
            H(o, "<br><span class=\"tag changed\">変更あり</span>");
        html_printf(o, "</td><td>%s</td><td class=\"answer\"><b>%s</b></td><td>", k->text,
                    decision_label(d));
        if (*jstr(a, "measure"))
            html_printf(o, "<p>低減措置: %s</p>", jstr(a, "measure"));
        if (*jstr(a, "reason"))
            html_printf(o, "<p>理由: %s</p>", jstr(a, "reason"));
        H(o, "</td>");
        findings_cell(o, fs);
        H(o, "</tr>");
        json_decref(fs);
    }
    H(o, "</tbody></table></div></section>");
}

/* 6 その他: the individual conditions. */
static void review_conditions(struct request *r, json_t *req)
{
    struct sbuf *o = &r->out;
    json_t *conds = json_object_get(json_object_get(req, "document"), "conditions");
    json_t *ev = json_object_get(req, "evaluation");
    H(o, "<section class=\"review conditions\" aria-labelledby=\"conds-h\"><h2 id=\"conds-h\">"
         "個別の選定条件（本基準6）</h2>");
    if (!json_array_size(conds)) {
        H(o, "<p>個別の選定条件はありません。</p></section>");
        return;
    }
    H(o, "<div class=\"table-scroll\"><table class=\"list review\"><thead><tr><th>番号</th>"
         "<th>条件</th><th>状況</th><th>根拠</th><th>理由</th><th>指摘</th></tr></thead><tbody>");
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c)
    {
        const char *st = jstr(c, "status");
        json_t *fs = findings_for(ev, "index", (long long)i);
        html_printf(o,
                    "<tr class=\"%s%s\"><td>%zu</td><td>%s</td><td class=\"answer\"><b>%s</b>"
                    "</td><td>%s</td><td>%s</td>",
                    *st ? st : "unknown", has_blocker(fs) ? " blocker" : "", i + 1, jstr(c, "text"),
                    answer_label(st), jstr(c, "evidence"), jstr(c, "reason"));
        findings_cell(o, fs);
        H(o, "</tr>");
        json_decref(fs);
    }
    H(o, "</tbody></table></div></section>");
}

/* A value of a change's before or after, for people. */
static void change_value(struct sbuf *o, json_t *v)
{
    if (!v || json_is_null(v)) {
        H(o, "<span class=\"none\">（なし）</span>");
    } else if (json_is_string(v)) {
        html_printf(o, "%s", json_string_value(v));
    } else if (json_is_boolean(v)) {
        sbuf_adds(o, json_is_true(v) ? "はい" : "いいえ");
    } else if (json_is_array(v)) {
        /* The conditions. */
        if (!json_array_size(v)) {
            H(o, "<span class=\"none\">（なし）</span>");
            return;
        }
        H(o, "<ol>");
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            html_printf(o, "<li>%s（%s）", jstr(c, "text"), answer_label(jstr(c, "status")));
            if (*jstr(c, "evidence"))
                html_printf(o, " 根拠: %s", jstr(c, "evidence"));
            if (*jstr(c, "reason"))
                html_printf(o, " 理由: %s", jstr(c, "reason"));
            H(o, "</li>");
        }
        H(o, "</ol>");
    } else if (json_is_object(v)) {
        /* An answer to a requirement or a risk. */
        if (json_object_get(v, "decision") || json_object_get(v, "measure"))
            html_printf(o, "<b>%s</b>", decision_label(jstr(v, "decision")));
        else
            html_printf(o, "<b>%s</b>", answer_label(jstr(v, "status")));
        if (*jstr(v, "evidence"))
            html_printf(o, " 根拠: %s", jstr(v, "evidence"));
        if (*jstr(v, "measure"))
            html_printf(o, " 低減措置: %s", jstr(v, "measure"));
        if (*jstr(v, "reason"))
            html_printf(o, " 理由: %s", jstr(v, "reason"));
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        html_printf(o, "%s", s ? s : "");
        free(s);
    }
}

/* For a change or retirement: every field and answer changed since the
 * entry's approved version, before → after. */
static void review_changes(struct request *r, json_t *req)
{
    struct sbuf *o = &r->out;
    json_t *prev = json_object_get(req, "previous"), *changes = json_object_get(req, "changes");
    if (!json_is_object(prev))
        return;
    H(o, "<section class=\"review changes\" aria-labelledby=\"changes-h\"><h2 "
         "id=\"changes-h\">承認済みの版からの変更（変更前 → 変更後）</h2>");
    const struct user *u = req_user(r);
    if (can_open_request(u, jstr(req, "department")))
        html_printf(
            o,
            "<p>比べている承認済みの版: <a href=\"/requests/%lld\">申請 #%lld</a>（カタログ "
            "%s）</p>",
            jint(prev, "request"), jint(prev, "request"), jstr(prev, "catalogue"));
    if (!json_array_size(changes)) {
        H(o, "<p>変更された項目はありません。</p></section>");
        return;
    }
    H(o, "<div class=\"table-scroll\"><table class=\"list review\"><thead><tr><th>項目</th>"
         "<th>変更前</th><th>変更後</th></tr></thead><tbody>");
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c)
    {
        html_printf(o, "<tr class=\"changed\"><th scope=\"row\">%s</th><td class=\"before\">",
                    jstr(c, "label"));
        change_value(o, json_object_get(c, "before"));
        H(o, "</td><td class=\"after\">");
        change_value(o, json_object_get(c, "after"));
        H(o, "</td></tr>");
    }
    H(o, "</tbody></table></div></section>");
}

/* What the ledger records beyond (ア)〜(キ), and procurement (5(2)). */
static void review_details(struct request *r, json_t *req)
{
    struct sbuf *o = &r->out;
    json_t *doc = json_object_get(req, "document");
    json_t *svc = json_object_get(doc, "service"), *proc = json_object_get(doc, "procurement");
    json_t *pi = json_object_get(doc, "personal_information");
    const char *none = "（記載なし）";
    H(o, "<dl class=\"fields details\">");
    if (*jstr(req, "retire_on"))
        html_printf(o, "<dt>廃止日</dt><dd><b>%s</b></dd>", day(r, jstr(req, "retire_on")));
    if (*jstr(req, "change_to"))
        html_printf(o, "<dt>延長後の利用終了日</dt><dd><b>%s</b></dd>", jstr(req, "change_to"));
    html_printf(o,
                "<dt>クラウドサービスプロバイダー</dt><dd>%s</dd>"
                "<dt>データの保存場所</dt><dd>%s</dd><dt>個人情報の取扱い</dt><dd>%s</dd>"
                "<dt>ISMAP 登録番号</dt><dd>%s</dd>",
                *jstr(svc, "cloud_provider") ? jstr(svc, "cloud_provider") : "（提供者と同じ）",
                *jstr(svc, "data_location") ? jstr(svc, "data_location") : none,
                json_is_true(pi)    ? "取り扱う"
                : json_is_false(pi) ? "取り扱わない"
                                    : "未回答",
                *jstr(svc, "ismap") ? jstr(svc, "ismap") : none);
    html_printf(o, "<dt>カタログ</dt><dd>%s", jstr(req, "catalogue"));
    if (json_is_true(json_object_get(req, "catalogue_outdated")))
        html_printf(o, "（施行中の版は %s）", jstr(req, "catalogue_in_force"));
    if (*jstr(req, "rebased_from"))
        html_printf(o, "（%s から移行）", jstr(req, "rebased_from"));
    H(o, "</dd></dl>");
    html_printf(
        o,
        "<section class=\"review procurement\" aria-labelledby=\"proc-h\"><h2 "
        "id=\"proc-h\">事前の審査・利用承認と業者決定（本基準5(2)）</h2><dl class=\"fields\">"
        "<dt>決裁番号</dt><dd>%s</dd><dt>決裁日</dt><dd>%s</dd><dt>業者決定日</dt>"
        "<dd>%s</dd></dl></section>",
        *jstr(proc, "approval_ref") ? jstr(proc, "approval_ref") : none,
        *jstr(proc, "approved_on") ? day(r, jstr(proc, "approved_on")) : none,
        *jstr(proc, "vendor_decided_on") ? day(r, jstr(proc, "vendor_decided_on")) : none);
}

/* 5(2)①: the 事前協議, its comments and who concluded it. */
static void review_consultation(struct request *r, json_t *req)
{
    struct sbuf *o = &r->out;
    json_t *c = json_object_get(req, "consultation");
    const char *st = jstr(req, "state");
    bool isNew = strcmp(jstr(req, "kind"), "new") == 0;
    H(o, "<section class=\"review consultation\" aria-labelledby=\"consult-h\"><h2 "
         "id=\"consult-h\">事前協議（本基準5(2)①）</h2>");
    if (json_is_string(json_object_get(c, "concluded_at")))
        html_printf(o, "<p class=\"concluded\"><b>協議済み</b>: %s（%s）<time>%s</time></p>",
                    jstr(c, "concluded_by_name"), jstr(c, "concluded_by"),
                    jst(r, jstr(c, "concluded_at")));
    else if (strcmp(st, "consulting") == 0)
        H(o, "<p>協議中です。許可権限者が「協議済みにする」と、申請できるようになります。</p>");
    else if (!json_is_true(json_object_get(c, "held")))
        sbuf_adds(
            o, isNew ? "<p>事前協議はまだ行われていません。新規の申請は、許可権限者と事前協議した上"
                       "で行います。</p>"
                     : "<p>事前協議は行われていません（変更・廃止の申請では任意です）。</p>");
    json_t *comments = json_object_get(c, "comments");
    if (json_array_size(comments)) {
        H(o, "<ol class=\"comments\">");
        size_t i;
        json_t *ev;
        json_array_foreach(comments, i, ev)
        {
            html_printf(o, "<li><time>%s</time> %s（%s）: %s<blockquote>%s</blockquote></li>",
                        jst(r, jstr(ev, "at")), jstr(ev, "actor_name"), jstr(ev, "actor"),
                        event_label(jstr(ev, "action")), jstr(ev, "comment"));
        }
        H(o, "</ol>");
    } else if (json_is_true(json_object_get(c, "held"))) {
        H(o, "<p>協議のコメントはありません。</p>");
    }
    H(o, "</section>");
}

/* Did `u` create, edit or submit the request? (No one approves their own.) */
static bool own_request(const struct user *u, json_t *req)
{
    if (strcmp(jstr(req, "created_by"), u->login) == 0)
        return true;
    json_t *h;
    size_t i;
    json_array_foreach(json_object_get(req, "history"), i, h)
    {
        const char *a = jstr(h, "action");
        if (strcmp(jstr(h, "actor"), u->login) == 0 &&
            (strcmp(a, "submit") == 0 || strcmp(a, "update") == 0 || strcmp(a, "rebase") == 0))
            return true;
    }
    return false;
}

/* Why the approval is refused: the blockers, each with its clause. */
static void refusal(struct request *r, const struct catalogue *cat, json_t *ev)
{
    struct sbuf *o = &r->out;
    bool reqs = strcmp(jstr(ev, "track"), "requirements") == 0;
    size_t n = 0, i;
    json_t *f;
    json_array_foreach(json_object_get(ev, "findings"), i, f) n +=
        strcmp(jstr(f, "severity"), "blocker") == 0;
    html_printf(o,
                "<div id=\"approve-refused\" class=\"refused\" role=\"note\"><p><b>承認できません"
                "</b>: 承認を妨げる指摘が %zu 件あります。申請者が直すまで承認は拒まれます"
                "（差し戻すか却下してください）。</p><ul>",
                n);
    json_array_foreach(json_object_get(ev, "findings"), i, f)
    {
        if (strcmp(jstr(f, "severity"), "blocker") != 0)
            continue;
        const struct requirement *q =
            reqs && cat ? catalogue_requirement(cat, (int)jint(f, "item")) : NULL;
        if (q)
            html_printf(o, "<li><a href=\"#item-%d\">規定%s %s</a>: %s</li>", q->no, q->clause,
                        q->category, jstr(f, "message"));
        else
            html_printf(o, "<li>%s</li>", jstr(f, "message"));
    }
    H(o, "</ul></div>");
}

/* The steps this user may take now: one comment box, one button per step. */
static void review_actions(struct request *r, const struct catalogue *cat, json_t *req)
{
    struct sbuf *o = &r->out;
    const struct user *u = req_user(r);
    long long id = jint(req, "id");
    int st = req_state_parse(jstr(req, "state"));
    int kind = req_kind_parse(jstr(req, "kind"));
    if (st < 0 || kind < 0 || !req_open((enum req_state)st))
        return;
    enum req_state s = (enum req_state)st;
    bool mine = has_role(u, ROLE_MANAGER) && strcmp(u->department, jstr(req, "department")) == 0;
    bool approver = has_role(u, ROLE_APPROVER);
    bool own = own_request(u, req);
    if (!mine && !approver)
        return;
    json_t *ev = json_object_get(req, "evaluation");
    bool approvable = json_is_true(json_object_get(ev, "approvable"));
    bool early = req_submit_needs_consultation((enum req_kind)kind, s);
    html_printf(o,
                "<section class=\"actions noprint\" aria-labelledby=\"steps-h\"><h2 "
                "id=\"steps-h\">手続</h2><form method=\"post\" action=\"/requests/%lld/comment\" "
                "class=\"step\">",
                id);
    csrf_field(r);
    H(o, "<label for=\"step-comment\">コメント（差戻し・却下では理由を必ず記入）</label>"
         "<textarea id=\"step-comment\" name=\"comment\" rows=\"3\"></textarea>");
    if (approver && s == ST_SUBMITTED && !approvable)
        refusal(r, cat, ev);
    if (mine && early)
        html_printf(o,
                    "<p class=\"hint\" id=\"submit-hint\">新規の利用申請は、許可権限者との事前協議"
                    "を済ませてから申請します（本基準5(2)①）。%s</p>",
                    s == ST_DRAFT ? "まず「事前協議を始める」を押してください。"
                                  : "許可権限者が協議済みにすると申請できます。");
    if (approver && own && (s == ST_SUBMITTED || s == ST_CONSULTING))
        H(o, "<p class=\"hint\">ご自身が作成・編集・申請した申請は、承認も協議済みにすることも"
             "できません（職務の分離）。</p>");
    H(o, "<p>");
    if (mine) {
        if (req_transition(s, ACT_CONSULT) >= 0)
            step_button(r, id, "consult",
                        s == ST_CONSULTED ? "事前協議を再開する"
                                          : "事前協議を始める（本基準5(2)①）",
                        early ? "primary" : "", NULL);
        if (req_transition(s, ACT_SUBMIT) >= 0 && !early)
            step_button(r, id, "submit", "許可権限者に申請する", "primary", NULL);
    }
    if (approver && s == ST_CONSULTING && strcmp(jstr(req, "created_by"), u->login) != 0)
        step_button(r, id, "conclude", "協議済みにする", "primary", NULL);
    if (approver && s == ST_SUBMITTED && !own)
        step_button(r, id, "approve", "承認する（台帳に登録）", approvable ? "primary" : "",
                    approvable ? NULL : "approve-refused");
    if (approver && req_transition(s, ACT_RETURN) >= 0)
        step_button(r, id, "return", "差し戻す", "", NULL);
    if (approver && req_transition(s, ACT_REJECT) >= 0)
        step_button(r, id, "reject", "却下する", "danger", NULL);
    if (req_transition(s, ACT_COMMENT) >= 0)
        step_button(r, id, "comment", "コメントだけ残す", "", NULL);
    if (mine && req_transition(s, ACT_WITHDRAW) >= 0)
        step_button(r, id, "withdraw", "取り下げる", "danger", NULL);
    H(o, "</p></form></section>");
}

void page_request(struct request *r, long long id)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *req;
    if (wf_request_show(r->db, u, id, &req, &e)) {
        pages_error(r, &e);
        return;
    }
    /* The catalogue the request keeps: the text behind each answer. */
    struct catalogue cat;
    bool haveCat = wf_catalogue_by_id(r->db, jstr(req, "catalogue"), &cat, &e) == XOK;
    xerr_clear(&e);
    json_t *doc = json_object_get(req, "document"), *ev = json_object_get(req, "evaluation");
    int kind = req_kind_parse(jstr(req, "kind"));
    int st = req_state_parse(jstr(req, "state"));
    page_start(
        r, pool_printf(r->pool, "利用申請 #%lld（%s）", id, kind >= 0 ? req_kind_label(kind) : ""));
    struct sbuf *o = &r->out;
    html_printf(o, "<p><span class=\"state %s\">%s</span> %s / 作成 %s（%s）", jstr(req, "state"),
                st >= 0 ? req_state_label(st) : "", jstr(req, "department"),
                jstr(req, "created_by_name"), jst(r, jstr(req, "created_at")));
    if (json_is_integer(json_object_get(req, "entry_id")))
        html_printf(o, " / <a href=\"/ledger/%lld\">台帳番号 %lld</a>", jint(req, "entry_id"),
                    jint(req, "entry_id"));
    if (*jstr(req, "retire_on"))
        html_printf(o, " / 廃止日 %s", day(r, jstr(req, "retire_on")));
    H(o, "</p>");
    /* The paper for the 決裁 file. */
    html_printf(o,
                "<p class=\"noprint prints\"><a download href=\"/api/v1/requests/%lld/form.pdf\">"
                "申請書（PDF）</a>",
                id);
    if (st == ST_APPROVED || st == ST_REJECTED)
        html_printf(o, " <a download href=\"/api/v1/requests/%lld/notice.pdf\">%s（PDF）</a>", id,
                    st == ST_APPROVED ? "承認通知書" : "却下通知書");
    H(o, "</p>");
    return_comment(r, req);

    bool mine = has_role(u, ROLE_MANAGER) && strcmp(u->department, jstr(req, "department")) == 0;
    bool editable = mine && st >= 0 && req_editable((enum req_state)st);
    if (editable)
        html_printf(o,
                    "<p class=\"noprint\"><a class=\"button\" href=\"/requests/%lld/edit\">"
                    "申請書を編集</a></p>",
                    id);
    if (editable && json_is_true(json_object_get(req, "catalogue_outdated"))) {
        html_printf(o,
                    "<form method=\"post\" action=\"/requests/%lld/rebase\" class=\"step "
                    "rebase noprint\"><p>この申請はカタログ %s で作成されています。施行中の版は %s "
                    "です。移すと、文言が変わらない要件の回答は引き継がれ、新しい・変わった要件は"
                    "未回答になります。</p>",
                    id, jstr(req, "catalogue"), jstr(req, "catalogue_in_force"));
        csrf_field(r);
        H(o, "<button>施行中のカタログの版に移す</button></form>");
    }
    evaluation_panel(r, ev);
    fields_table(r, doc);
    review_details(r, req);
    review_changes(r, req);
    if (haveCat) {
        bool reqTrack = strcmp(jstr(ev, "track"), "requirements") == 0;
        if (reqTrack || json_object_size(json_object_get(doc, "requirements")))
            review_requirements(r, &cat, req, reqTrack);
        if (!reqTrack || json_object_size(json_object_get(doc, "risks")))
            review_risks(r, &cat, req, !reqTrack);
    }
    review_conditions(r, req);
    review_consultation(r, req);
    review_actions(r, haveCat ? &cat : NULL, req);

    H(o, "<section aria-labelledby=\"history-h\"><h2 id=\"history-h\">経過（時刻は日本時間）"
         "</h2><ol class=\"history\">");
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(req, "history"), i, h)
    {
        int to = req_state_parse(jstr(h, "to"));
        html_printf(o, "<li><time>%s</time> %s（%s）: %s → %s", jst(r, jstr(h, "at")),
                    jstr(h, "actor_name"), jstr(h, "actor"), event_label(jstr(h, "action")),
                    to >= 0 ? req_state_label(to) : "");
        if (json_is_string(json_object_get(h, "comment")))
            html_printf(o, "<blockquote>%s</blockquote>", jstr(h, "comment"));
        H(o, "</li>");
    }
    H(o, "</ol></section>");
    /* Evidence: the files, and a form for the department while it is open. */
    H(o, "<section id=\"attachments\" aria-labelledby=\"att-h\"><h2 id=\"att-h\">添付ファイル"
         "（根拠の資料）</h2>");
    attachments_html(r, json_object_get(req, "attachments"));
    bool open = st != ST_APPROVED && st != ST_REJECTED && st != ST_WITHDRAWN;
    if (mine && open) {
        html_printf(o,
                    "<form class=\"noprint attach\" method=\"post\" "
                    "action=\"/requests/%lld/attachments\" enctype=\"multipart/form-data\">",
                    id);
        csrf_field(r);
        html_printf(o,
                    "<label for=\"att-file\">ファイル（PDF、画像、Office の文書。%zu MiB まで）"
                    "</label><input type=\"file\" id=\"att-file\" name=\"file\" required>"
                    "<label for=\"att-item\">根拠とする要件</label><select id=\"att-item\" "
                    "name=\"item\"><option value=\"\">（申請全体）</option>",
                    attach_max(r) >> 20);
        for (size_t k = 0; haveCat && k < cat.nReqs; k++)
            html_printf(o, "<option value=\"%d\">項番%d</option>", cat.reqs[k].no, cat.reqs[k].no);
        H(o, "</select><label for=\"att-note\">メモ</label><input type=\"text\" "
             "id=\"att-note\" name=\"note\" maxlength=\"300\"><button>添付する</button></form>");
    }
    H(o, "</section>");
    if (haveCat)
        catalogue_release(&cat);
    json_decref(req);
    page_end(r);
}

void page_request_step(struct request *r, long long id, const char *action)
{
    struct form f;
    struct xerr e = {0};
    int a = req_action_parse(action);
    if (a < 0) {
        xerr_set(&e, X_NOTFOUND, "未知の操作です");
        pages_error(r, &e);
        return;
    }
    if (!posted_form(r, &f))
        return;
    const char *comment = form_get(&f, "comment");
    if (wf_request_step(r->db, req_user(r), id, (enum req_action)a, comment, &e)) {
        error_page(r, &e, pool_printf(r->pool, "/requests/%lld", id), "申請に戻る");
        return;
    }
    reply_redirect(r, pool_printf(r->pool, "/requests/%lld", id));
}

void page_request_rebase(struct request *r, long long id)
{
    struct form f;
    struct xerr e = {0};
    if (!posted_form(r, &f))
        return;
    if (wf_request_move(r->db, req_user(r), id, NULL, 0, &e)) {
        error_page(r, &e, pool_printf(r->pool, "/requests/%lld", id), "申請に戻る");
        return;
    }
    reply_redirect(r, pool_printf(r->pool, "/requests/%lld", id));
}

/* Requests per page of the list, and in each queue of the review. */
#define REQUESTS_PAGE 100

void page_requests(struct request *r, const char *state, const char *title)
{
    struct xerr e = {0};
    json_t *out;
    const char *s = state ? state : form_get(&r->query, "state");
    if (s && !*s)
        s = NULL;
    const char *pageArg = form_get(&r->query, "page");
    long page = pageArg ? atol(pageArg) : 1;
    if (page < 1 || page > 1000000)
        page = 1;
    /* Newest first, a page at a time: a city files thousands a year. */
    struct request_query q = {.state = s,
                              .limit = REQUESTS_PAGE,
                              .offset = (long long)(page - 1) * REQUESTS_PAGE,
                              .newest_first = true};
    if (wf_request_list(r->db, req_user(r), &q, &out, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, title);
    if (has_role(req_user(r), ROLE_MANAGER))
        H(&r->out, "<p><a class=\"button\" href=\"/requests/new\">新しい利用申請</a></p>");
    long long total = jint(out, "total");
    size_t shown = json_array_size(json_object_get(out, "requests"));
    html_printf(&r->out, "<p class=\"hint\">%lld 件（新しい順）", total);
    if (shown && total > (long long)shown)
        html_printf(&r->out, "のうち %lld〜%lld 件目", q.offset + 1, q.offset + (long long)shown);
    H(&r->out, "</p>");
    requests_table(r, json_object_get(out, "requests"));
    if (total > REQUESTS_PAGE) {
        struct sbuf base;
        sbuf_init(&base, 256);
        sbuf_adds(&base, "?state=");
        url_encode(&base, s);
        H(&r->out, "<nav class=\"pager\" aria-label=\"ページ送り\">");
        if (page > 1)
            html_printf(&r->out, "<a rel=\"prev\" href=\"%s&page=%ld\">前へ</a>", base.buf,
                        page - 1);
        if ((long long)page * REQUESTS_PAGE < total)
            html_printf(&r->out, "<a rel=\"next\" href=\"%s&page=%ld\">次へ</a>", base.buf,
                        page + 1);
        H(&r->out, "</nav>");
        sbuf_release(&base);
    }
    json_decref(out);
    page_end(r);
}

/* One queue of the review: its count, and its oldest REQUESTS_PAGE. */
static void review_queue(struct request *r, const char *title, json_t *out)
{
    long long total = jint(out, "total");
    size_t shown = json_array_size(json_object_get(out, "requests"));
    html_printf(&r->out, "<h2>%s（%lld 件、古い順", title, total);
    if (total > (long long)shown)
        html_printf(&r->out, "。古い %zu 件を表示", shown);
    H(&r->out, "）</h2>");
    requests_table(r, json_object_get(out, "requests"));
}

/* The approver's queue, oldest first: requests in 事前協議 waiting for the
 * approver, and submitted requests to decide. */
void page_review(struct request *r)
{
    struct xerr e = {0};
    json_t *submitted, *consulting;
    struct request_query sq = {.state = "submitted", .limit = REQUESTS_PAGE},
                         cq = {.state = "consulting", .limit = REQUESTS_PAGE};
    if (wf_request_list(r->db, req_user(r), &sq, &submitted, &e)) {
        pages_error(r, &e);
        return;
    }
    if (wf_request_list(r->db, req_user(r), &cq, &consulting, &e)) {
        json_decref(submitted);
        pages_error(r, &e);
        return;
    }
    page_start(r, "審査");
    review_queue(r, "審査待ち", submitted);
    review_queue(r, "事前協議中", consulting);
    json_decref(submitted);
    json_decref(consulting);
    page_end(r);
}
