/*
 * pages_home.c - the dashboard: the ledger search box, what waits for this
 * user (returned and draft requests, the approver's queue), the city-wide
 * overview and the entries whose period ends soon.
 */
#include "../workflow/access.h"
#include "pages.h"

void page_dashboard(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *out;
    page_start(r, "ダッシュボード");
    struct sbuf *o = &r->out;
    H(o, "<form class=\"search big\" method=\"get\" action=\"/ledger\">"
         "<label>承認済みの外部サービスを探す<input type=\"search\" name=\"q\" "
         "placeholder=\"サービス名・提供者・利用目的（例: 翻訳、チーム）\"></label>"
         "<button>検索</button></form>");
    if (has_role(u, ROLE_MANAGER)) {
        const char *const states[] = {"returned", "draft", "consulting"};
        const char *const titles[] = {"差し戻された申請", "下書き", "事前協議中"};
        H(o, "<p><a class=\"button\" href=\"/requests/new\">新しい利用申請</a></p>");
        for (int i = 0; i < 3; i++) {
            if (wf_request_list(r->db, u, states[i], &out, &e) == XOK) {
                if (json_array_size(json_object_get(out, "requests"))) {
                    html_printf(o, "<h2>%s</h2>", titles[i]);
                    requests_table(r, json_object_get(out, "requests"));
                }
                json_decref(out);
            }
        }
    }
    if (has_role(u, ROLE_APPROVER) && wf_request_list(r->db, u, "submitted", &out, &e) == XOK) {
        html_printf(o, "<h2>審査待ち（%zu 件）</h2>",
                    json_array_size(json_object_get(out, "requests")));
        requests_table(r, json_object_get(out, "requests"));
        json_decref(out);
    }
    if (wf_overview(r->db, u, &out, &e) == XOK) {
        /* The city-wide view (ciso, auditor, approver). */
        json_t *t = json_object_get(out, "entries"), *rq = json_object_get(out, "requests");
        html_printf(
            o,
            "<h2>全庁の状況</h2><p>台帳: 利用中 %lld 件、期間満了 %lld 件、廃止 %lld 件。"
            "申請: 審査中 %lld 件、事前協議中 %lld 件、差戻し %lld 件、下書き %lld 件。</p>",
            jint(t, "active"), jint(t, "expired"), jint(t, "retired"), jint(rq, "submitted"),
            jint(rq, "consulting"), jint(rq, "returned"), jint(rq, "draft"));
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
    if (wf_ledger_expiring(r->db, u, 90, &out, &e) == XOK) {
        html_printf(o, "<h2>90日以内に利用期間が終わる登録（%s まで）</h2>", jstr(out, "until"));
        if (json_array_size(json_object_get(out, "entries")))
            entries_table(r, json_object_get(out, "entries"));
        else
            H(o, "<p>ありません。</p>");
        json_decref(out);
    }
    page_end(r);
}
