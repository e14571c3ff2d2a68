/*
 * pages_home.c - the dashboard as a work list: the ledger search box, then
 * what waits for this user (the approver: consultations and submitted
 * requests; the manager: returned requests, concluded consultations ready
 * to submit, drafts, and their entries ending within 90 days), the
 * city-wide overview and the entries whose period ends soon.
 */
#include <string.h>

#include "../workflow/access.h"
#include "pages.h"

/* Requests shown in each list of the dashboard; the count says the rest. */
#define WORKLIST_SHOWN 20

/* The requests in `state` this user sees, oldest first, under `title`;
 * with `always`, also where there are none. */
static void worklist(struct request *r, const char *state, const char *title, bool always)
{
    struct xerr e = {0};
    json_t *out;
    struct request_query q = {.state = state, .limit = WORKLIST_SHOWN};
    if (wf_request_list(r->db, req_user(r), &q, &out, &e) != XOK)
        return;
    json_t *list = json_object_get(out, "requests");
    long long total = jint(out, "total");
    if (always || total) {
        html_printf(&r->out, "<h2>%s（%lld 件", title, total);
        if (total > (long long)json_array_size(list))
            html_printf(&r->out, "。古い %zu 件を表示、<a href=\"/requests?state=%s\">すべて</a>",
                        json_array_size(list), state);
        H(&r->out, "）</h2>");
        if (json_array_size(list))
            requests_table(r, list);
        else
            H(&r->out, "<p>ありません。</p>");
    }
    json_decref(out);
}

/* The manager's entries whose period ends within 90 days: to extend or
 * let end. */
static void own_expiring(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *out;
    if (wf_ledger_expiring(r->db, u, 90, &out, &e) != XOK)
        return;
    json_t *mine = json_array(), *en;
    size_t i;
    json_array_foreach(json_object_get(out, "entries"), i, en)
    {
        if (strcmp(jstr(en, "department"), u->department) == 0)
            json_array_append(mine, en);
    }
    html_printf(&r->out, "<h2>90日以内に利用期間が終わる自課の登録（%s まで、%zu 件）</h2>",
                day(r, jstr(out, "until")), json_array_size(mine));
    if (json_array_size(mine))
        entries_table(r, mine);
    else
        H(&r->out, "<p>ありません。</p>");
    json_decref(mine);
    json_decref(out);
}

/* What extsvc remind lists, beside the periods ending (shown above or
 * below): retirements coming, ISMAP registrations lapsing before a use
 * ends, requests waiting 14 days or more. A manager sees their own
 * department's; sections with nothing are left out. */
static void reminders(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *out;
    if (wf_remind(r->db, u, 90, 14, &out, &e) != XOK)
        return;
    bool mine_only =
        !has_role(u, ROLE_APPROVER) && !has_role(u, ROLE_CISO) && !has_role(u, ROLE_AUDITOR);
    struct sbuf *o = &r->out;
    json_t *retiring = json_array(), *it;
    size_t i;
    json_array_foreach(json_object_get(out, "retiring"), i, it)
    {
        if (!mine_only || strcmp(jstr(it, "department"), u->department) == 0)
            json_array_append(retiring, it);
    }
    if (json_array_size(retiring)) {
        html_printf(o, "<h2>90日以内に廃止になる登録（%zu 件）</h2>", json_array_size(retiring));
        entries_table(r, retiring);
    }
    json_decref(retiring);
    json_t *lapses = json_object_get(out, "ismap_lapses");
    size_t shown = 0;
    json_array_foreach(lapses, i, it)
    {
        if (mine_only && jint(it, "department_id") != u->department_id)
            continue;
        if (!shown++)
            H(o, "<h2>ISMAP の登録が利用期間より先に切れる登録</h2><ul class=\"reminders\">");
        html_printf(o,
                    "<li><a href=\"/ledger/%lld\">台帳番号 %lld %s</a>（%s）: ISMAP %s の有効期限 "
                    "%s、利用終了日 %s</li>",
                    jint(it, "entry"), jint(it, "entry"), jstr(it, "service"),
                    jstr(it, "department"), jstr(it, "ismap"), day(r, jstr(it, "expires_on")),
                    day(r, jstr(it, "period_to")));
    }
    if (shown)
        H(o, "</ul>");
    json_t *waiting = json_object_get(out, "waiting");
    if (json_array_size(waiting)) {
        html_printf(o, "<h2>14日以上動きのない申請（%zu 件）</h2><ul class=\"reminders\">",
                    json_array_size(waiting));
        json_array_foreach(waiting, i, it) html_printf(
            o, "<li><a href=\"/requests/%lld\">申請 #%lld %s</a>（%s）%s、最終更新 %s</li>",
            jint(it, "id"), jint(it, "id"), jstr(it, "service"), jstr(it, "department"),
            strcmp(jstr(it, "state"), "submitted") == 0 ? "審査中" : "事前協議中",
            jst(r, jstr(it, "since")));
        H(o, "</ul>");
    }
    json_decref(out);
}

void page_dashboard(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *out;
    page_start(r, "ダッシュボード");
    struct sbuf *o = &r->out;
    H(o, "<form class=\"search big\" method=\"get\" action=\"/ledger\">"
         "<label for=\"q\">承認済みの外部サービスを探す</label><input type=\"search\" "
         "id=\"q\" name=\"q\" placeholder=\"サービス名・提供者・利用目的（例: 翻訳、チーム）\">"
         "<button>検索</button></form>");
    if (has_role(u, ROLE_APPROVER)) {
        /* The approver's work: consultations waiting for an answer, then
         * requests to decide, each oldest first. */
        worklist(r, "consulting", "事前協議の依頼（協議済みにするか、コメントを返す）", true);
        worklist(r, "submitted", "審査待ち", true);
    }
    if (has_role(u, ROLE_MANAGER)) {
        H(o, "<p><a class=\"button\" href=\"/requests/new\">新しい利用申請</a></p>");
        worklist(r, "returned", "差し戻された申請（直して再申請）", false);
        worklist(r, "consulted", "協議済み（申請できます）", false);
        worklist(r, "draft", "下書き", false);
        if (!has_role(u, ROLE_APPROVER))
            worklist(r, "consulting", "事前協議中", false);
        own_expiring(r);
    }
    if (wf_overview(r->db, u, &out, &e) == XOK) {
        /* The city-wide view (ciso, auditor, approver). */
        json_t *t = json_object_get(out, "entries"), *rq = json_object_get(out, "requests");
        html_printf(
            o,
            "<h2>全庁の状況</h2><p>台帳: 利用開始前 %lld 件、利用中 %lld 件、廃止予定 %lld 件、"
            "期間満了 %lld 件、廃止 %lld 件。申請: 審査中 %lld 件、事前協議中 %lld 件、協議済み "
            "%lld 件、差戻し %lld 件、下書き %lld 件。</p>",
            jint(t, "upcoming"), jint(t, "active"), jint(t, "retiring"), jint(t, "expired"),
            jint(t, "retired"), jint(rq, "submitted"), jint(rq, "consulting"),
            jint(rq, "consulted"), jint(rq, "returned"), jint(rq, "draft"));
        H(o, "<table class=\"list\"><thead><tr><th>所属</th><th>利用中</th><th>期間満了</th>"
             "<th>廃止</th></tr></thead><tbody>");
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(out, "by_department"), i, d) html_printf(
            o, "<tr><td>%s</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>", jstr(d, "department"),
            jint(d, "active"), jint(d, "expired"), jint(d, "retired"));
        H(o, "</tbody></table><p>利用中の登録の機密性: ");
        json_array_foreach(json_object_get(out, "by_confidentiality"), i, d) html_printf(
            o, "%s機密性%s %lld 件", i ? "、" : "", jstr(d, "level"), jint(d, "active"));
        H(o, "</p>");
        json_decref(out);
    } else {
        xerr_clear(&e);
    }
    if (!has_role(u, ROLE_MANAGER) && wf_ledger_expiring(r->db, u, 90, &out, &e) == XOK) {
        html_printf(o, "<h2>90日以内に利用期間が終わる登録（%s まで）</h2>",
                    day(r, jstr(out, "until")));
        if (json_array_size(json_object_get(out, "entries")))
            entries_table(r, json_object_get(out, "entries"));
        else
            H(o, "<p>ありません。</p>");
        json_decref(out);
    }
    reminders(r);
    page_end(r);
}
