/*
 * pages_requests.c - 利用申請 as filed: one request with its evaluation,
 * answers and history, the steps this user may take on it, the lists of
 * requests, and 審査 (the approver's queue).
 */
#include <stdio.h>
#include <string.h>

#include "../core/catalogue.h"
#include "../workflow/access.h"
#include "pages.h"

/* One button of the request's step form: it posts the shared comment to
 * /requests/ID/ACTION. */
static void step_button(struct request *r, long long id, const char *action, const char *label,
                        const char *cls)
{
    html_printf(&r->out, "<button formaction=\"/requests/%lld/%s\" class=\"%s\">%s</button> ", id,
                action, cls, label);
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
    json_t *doc = json_object_get(req, "document");
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
    H(o, "</p>");
    evaluation_panel(r, json_object_get(req, "evaluation"));
    fields_table(o, doc);

    /* What this user may do now: one comment box, one button per step. */
    bool mine = has_role(u, ROLE_MANAGER) && strcmp(u->department, jstr(req, "department")) == 0;
    bool approver = has_role(u, ROLE_APPROVER);
    if (mine && st >= 0 && req_editable((enum req_state)st))
        html_printf(o,
                    "<p class=\"noprint\"><a class=\"button\" href=\"/requests/%lld/edit\">"
                    "申請書を編集</a></p>",
                    id);
    bool any =
        st >= 0 && ((mine && (req_transition((enum req_state)st, ACT_CONSULT) >= 0 ||
                              req_transition((enum req_state)st, ACT_SUBMIT) >= 0 ||
                              req_transition((enum req_state)st, ACT_WITHDRAW) >= 0)) ||
                    (approver && req_transition((enum req_state)st, ACT_RETURN) >= 0) ||
                    ((approver || mine) && req_transition((enum req_state)st, ACT_COMMENT) >= 0));
    if (any) {
        html_printf(o,
                    "<form method=\"post\" action=\"/requests/%lld/comment\" class=\"step "
                    "actions noprint\"><h2>手続</h2>",
                    id);
        csrf_field(r);
        H(o,
          "<label>コメント（差戻し・却下では理由を必ず記入）<textarea name=\"comment\" rows=\"3\">"
          "</textarea></label><p>");
        if (mine) {
            if (req_transition((enum req_state)st, ACT_CONSULT) >= 0)
                step_button(r, id, "consult", "事前協議を始める（本基準5(2)①）", "");
            if (req_transition((enum req_state)st, ACT_SUBMIT) >= 0)
                step_button(r, id, "submit", "許可権限者に申請する", "primary");
        }
        if (approver && st == ST_SUBMITTED)
            step_button(r, id, "approve", "承認して台帳に登録する", "primary");
        if (approver && req_transition((enum req_state)st, ACT_RETURN) >= 0)
            step_button(r, id, "return", "差し戻す", "");
        if (approver && req_transition((enum req_state)st, ACT_REJECT) >= 0)
            step_button(r, id, "reject", "却下する", "danger");
        if ((approver || mine) && req_transition((enum req_state)st, ACT_COMMENT) >= 0)
            step_button(r, id, "comment", "コメントだけ残す", "");
        if (mine && req_transition((enum req_state)st, ACT_WITHDRAW) >= 0)
            step_button(r, id, "withdraw", "取り下げる", "danger");
        H(o, "</p></form>");
    }

    /* Answers as filed. */
    json_t *reqs = json_object_get(doc, "requirements");
    if (json_object_size(reqs)) {
        H(o,
          "<h2>要件の適用状況</h2><table class=\"list\"><thead><tr><th>項番</th><th>適用状況</th>"
          "<th>根拠</th><th>理由</th><th>引継ぎ</th></tr></thead><tbody>");
        for (int no = 1; no <= 9999; no++) {
            char k[16];
            snprintf(k, sizeof k, "%d", no);
            json_t *a = json_object_get(reqs, k);
            if (!a)
                continue;
            const char *s = jstr(a, "status");
            json_t *co = json_object_get(a, "carried_over");
            html_printf(o, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>", no,
                        strcmp(s, "met") == 0     ? "満たす"
                        : strcmp(s, "unmet") == 0 ? "満たさない"
                                                  : "未回答",
                        jstr(a, "evidence"), jstr(a, "reason"));
            if (json_is_object(co))
                html_printf(o, "申請 #%lld（%s）", jint(co, "request"), jstr(co, "approved_on"));
            H(o, "</td></tr>");
            if (json_object_size(reqs) == 0)
                break;
        }
        H(o, "</tbody></table>");
    }
    json_t *risks = json_object_get(doc, "risks");
    if (json_object_size(risks)) {
        H(o, "<h2>リスクの検討</h2><ul>");
        for (int no = 1; no <= 99; no++) {
            char k[16];
            snprintf(k, sizeof k, "%d", no);
            json_t *a = json_object_get(risks, k);
            if (!a)
                continue;
            html_printf(o, "<li>1(4)%s: %s %s</li>", circled_number(no),
                        strcmp(jstr(a, "decision"), "accept") == 0 ? "受容" : "低減措置",
                        jstr(a, "measure"));
        }
        H(o, "</ul>");
    }
    H(o, "<h2>経過</h2><ol class=\"history\">");
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(req, "history"), i, h)
    {
        int to = req_state_parse(jstr(h, "to"));
        int act = req_action_parse(jstr(h, "action"));
        html_printf(o, "<li><time>%s</time> %s（%s）: %s → %s", jst(r, jstr(h, "at")),
                    jstr(h, "actor_name"), jstr(h, "actor"),
                    act >= 0                                   ? req_action_label(act)
                    : strcmp(jstr(h, "action"), "create") == 0 ? "作成"
                                                               : "更新",
                    to >= 0 ? req_state_label(to) : "");
        if (json_is_string(json_object_get(h, "comment")))
            html_printf(o, "<blockquote>%s</blockquote>", jstr(h, "comment"));
        H(o, "</li>");
    }
    H(o, "</ol>");
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

void page_requests(struct request *r, const char *state, const char *title)
{
    struct xerr e = {0};
    json_t *out;
    const char *s = state ? state : form_get(&r->query, "state");
    if (s && !*s)
        s = NULL;
    if (wf_request_list(r->db, req_user(r), s, &out, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, title);
    if (has_role(req_user(r), ROLE_MANAGER))
        H(&r->out, "<p><a class=\"button\" href=\"/requests/new\">新しい利用申請</a></p>");
    requests_table(r, json_object_get(out, "requests"));
    json_decref(out);
    page_end(r);
}

/* The approver's queue: submitted requests to decide, and requests in
 * 事前協議 waiting for the approver's comments. */
void page_review(struct request *r)
{
    struct xerr e = {0};
    json_t *submitted, *consulting;
    if (wf_request_list(r->db, req_user(r), "submitted", &submitted, &e)) {
        pages_error(r, &e);
        return;
    }
    if (wf_request_list(r->db, req_user(r), "consulting", &consulting, &e)) {
        json_decref(submitted);
        pages_error(r, &e);
        return;
    }
    page_start(r, "審査");
    html_printf(&r->out, "<h2>審査待ち（%zu 件）</h2>",
                json_array_size(json_object_get(submitted, "requests")));
    requests_table(r, json_object_get(submitted, "requests"));
    html_printf(&r->out, "<h2>事前協議中（%zu 件）</h2>",
                json_array_size(json_object_get(consulting, "requests")));
    requests_table(r, json_object_get(consulting, "requests"));
    json_decref(submitted);
    json_decref(consulting);
    page_end(r);
}
