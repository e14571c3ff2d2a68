/*
 * pages_ledger.c - 台帳: the ledger search with its filters and pager, one
 * entry with its versions, and the extension and retirement requests
 * started from an entry.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/catalogue.h"
#include "../workflow/access.h"
#include "pages.h"

#define PAGE_SIZE 50

/* May this user open requests (their own department's, or all)? */
static bool reads_requests(const struct user *u)
{
    return has_role(u, ROLE_MANAGER) || has_role(u, ROLE_APPROVER) || has_role(u, ROLE_CISO) ||
           has_role(u, ROLE_AUDITOR);
}

void page_ledger(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    const char *q = form_get(&r->query, "q"), *state = form_get(&r->query, "state");
    const char *conf = form_get(&r->query, "confidentiality"), *sort = form_get(&r->query, "sort");
    const char *pageArg = form_get(&r->query, "page");
    const char *dept = form_get(&r->query, "department");
    long page = pageArg ? atol(pageArg) : 1;
    if (page < 1 || page > 100000)
        page = 1;
    struct ledger_query lq = {.q = q && *q ? q : NULL,
                              .state = state && *state && strcmp(state, "all") != 0 ? state : NULL,
                              .all = state && strcmp(state, "all") == 0,
                              .confidentiality = conf && *conf ? conf : NULL,
                              .sort = sort && *sort ? sort : "id",
                              .desc = form_get(&r->query, "order") &&
                                      strcmp(form_get(&r->query, "order"), "desc") == 0,
                              .department_id = dept ? atoll(dept) : 0,
                              .limit = PAGE_SIZE,
                              .offset = (page - 1) * PAGE_SIZE};
    json_t *out;
    if (wf_ledger_list(r->db, u, &lq, &out, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, "外部サービス利用台帳");
    struct sbuf *o = &r->out;
    html_printf(
        o,
        "<form class=\"search\" method=\"get\" action=\"/ledger\">"
        "<label>キーワード<input type=\"search\" name=\"q\" value=\"%s\" "
        "placeholder=\"サービス名・提供者・利用目的\"></label><label>状態<select name=\"state\">",
        q ? q : "");
    select_option(o, "", "利用中", state);
    select_option(o, "expired", "期間満了", state);
    select_option(o, "retired", "廃止", state);
    select_option(o, "all", "すべて", state);
    H(o, "</select></label><label>機密性<select name=\"confidentiality\">");
    select_option(o, "", "すべて", conf);
    struct catalogue cat;
    if (wf_catalogue_current(r->db, &cat, &e) == XOK) {
        for (size_t i = 0; i < cat.nLevels[AXIS_CONFIDENTIALITY]; i++) {
            const char *lv = cat.levels[AXIS_CONFIDENTIALITY][i].level;
            select_option(o, lv, pool_printf(r->pool, "機密性%s", lv), conf);
        }
        catalogue_release(&cat);
    }
    H(o, "</select></label><label>所属<select name=\"department\">");
    select_option(o, "", "すべて", dept);
    json_t *depts;
    if (wf_department_list(r->db, u, &depts, &e) == XOK) {
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(depts, "departments"), i, d)
            select_option(o, pool_printf(r->pool, "%lld", jint(d, "id")), jstr(d, "name"), dept);
        json_decref(depts);
    }
    H(o, "</select></label><label>並べ替え<select name=\"sort\">");
    select_option(o, "id", "台帳番号", sort);
    select_option(o, "name", "サービス名", sort);
    select_option(o, "period_to", "利用終了日", sort);
    select_option(o, "updated", "更新日時", sort);
    H(o, "</select></label><button>検索</button></form>");
    long long total = jint(out, "total");
    html_printf(o, "<p class=\"count\">%lld 件", total);
    if (total > PAGE_SIZE)
        html_printf(o, "（%lld〜%lld 件目）", (long long)lq.offset + 1,
                    (long long)lq.offset +
                        (long long)json_array_size(json_object_get(out, "entries")));
    H(o, "</p>");
    entries_table(r, json_object_get(out, "entries"));
    if (total > PAGE_SIZE) {
        struct sbuf base;
        sbuf_init(&base, 8192);
        sbuf_adds(&base, "/ledger?q=");
        url_encode(&base, q);
        sbuf_adds(&base, "&state=");
        url_encode(&base, state);
        sbuf_adds(&base, "&confidentiality=");
        url_encode(&base, conf);
        sbuf_adds(&base, "&sort=");
        url_encode(&base, sort);
        sbuf_adds(&base, "&department=");
        url_encode(&base, dept);
        sbuf_adds(&base, "&order=");
        url_encode(&base, form_get(&r->query, "order"));
        H(o, "<nav class=\"pager\">");
        if (page > 1)
            html_printf(o, "<a rel=\"prev\" href=\"%s&page=%lld\">前へ</a>", base.buf,
                        (long long)page - 1);
        if (page * PAGE_SIZE < total)
            html_printf(o, "<a rel=\"next\" href=\"%s&page=%lld\">次へ</a>", base.buf,
                        (long long)page + 1);
        H(o, "</nav>");
        sbuf_release(&base);
    }
    json_decref(out);
    page_end(r);
}

void page_entry(struct request *r, long long id)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *en;
    if (wf_ledger_show(r->db, u, id, &en, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, pool_printf(r->pool, "台帳番号 %lld", id));
    struct sbuf *o = &r->out;
    html_printf(o, "<p><span class=\"state %s\">%s</span> 第%lld版 / %s", jstr(en, "state"),
                jstr(en, "state_label"), jint(en, "version"), jstr(en, "department"));
    if (json_is_string(json_object_get(en, "retired_on")))
        html_printf(o, " / 廃止日 %s", jstr(en, "retired_on"));
    H(o, "</p>");
    fields_table(o, en);
    if (has_role(u, ROLE_MANAGER) && !json_is_string(json_object_get(en, "retired_on"))) {
        html_printf(o,
                    "<section class=\"actions noprint\"><h2>変更の申請</h2>"
                    "<form method=\"post\" action=\"/ledger/%lld/extend\">",
                    id);
        csrf_field(r);
        H(o, "<label>延長後の終了日<input type=\"date\" name=\"to\" required></label>"
             "<button>期間延長を申請（下書き）</button></form>");
        html_printf(o, "<form method=\"post\" action=\"/ledger/%lld/retire\">", id);
        csrf_field(r);
        H(o, "<label>廃止日<input type=\"date\" name=\"on\" required></label>"
             "<button>廃止を申請（下書き）</button></form></section>");
    }
    H(o, "<h2>履歴</h2><table class=\"list\"><thead><tr><th>版</th><th>種別</th><th>申請</th>"
         "<th>利用期間</th><th>利用申請者</th><th>記録</th></tr></thead><tbody>");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(en, "versions"), i, v)
    {
        int kind = req_kind_parse(jstr(v, "kind"));
        json_t *period = json_object_get(v, "period"), *appl = json_object_get(v, "applicant");
        if (reads_requests(u))
            html_printf(
                o, "<tr><td>第%lld版</td><td>%s</td><td><a href=\"/requests/%lld\">#%lld</a></td>",
                jint(v, "version"), kind >= 0 ? req_kind_label(kind) : "", jint(v, "request_id"),
                jint(v, "request_id"));
        else
            html_printf(o, "<tr><td>第%lld版</td><td>%s</td><td>#%lld</td>", jint(v, "version"),
                        kind >= 0 ? req_kind_label(kind) : "", jint(v, "request_id"));
        html_printf(o, "<td>%s〜%s</td><td>%s %s</td><td>%s（%s）</td></tr>", jstr(period, "from"),
                    jstr(period, "to"), jstr(appl, "department"), jstr(appl, "name"),
                    jst(r, jstr(v, "recorded_at")), jstr(v, "recorded_by"));
    }
    H(o, "</tbody></table>");
    json_decref(en);
    page_end(r);
}

void page_entry_action(struct request *r, long long id, bool retire)
{
    struct form f;
    struct xerr e = {0};
    if (!posted_form(r, &f))
        return;
    long long req;
    const char *date = form_get(&f, retire ? "on" : "to");
    enum xcode rc = retire ? wf_ledger_retire(r->db, req_user(r), id, date, NULL, &req, &e)
                           : wf_ledger_extend(r->db, req_user(r), id, date, NULL, &req, &e);
    if (rc) {
        error_page(r, &e, pool_printf(r->pool, "/ledger/%lld", id), "台帳の登録に戻る");
        return;
    }
    reply_redirect(r, pool_printf(r->pool, "/requests/%lld", req));
}
