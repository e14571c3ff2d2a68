/*
 * pages_ledger.c - 台帳: the ledger search with its filters and pager, one
 * entry with its versions, and the extension and retirement requests
 * started from an entry.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/catalogue.h"
#include "../core/text.h"
#include "../core/wareki.h"
#include "../workflow/access.h"
#include "pages.h"

#define PAGE_SIZE 50

/* The id of the department named `name`, or 0 where there is none. */
static long long department_id(struct request *r, const char *name)
{
    struct xerr e = {0};
    json_t *out, *d;
    long long id = 0;
    size_t i;
    if (wf_department_list(r->db, req_user(r), &out, &e))
        return 0;
    json_array_foreach(json_object_get(out, "departments"), i, d)
    {
        if (strcmp(jstr(d, "name"), name) == 0)
            id = jint(d, "id");
    }
    json_decref(out);
    return id;
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
    select_option(o, "", "期間満了・廃止を除く", state);
    select_option(o, "upcoming", "利用開始前", state);
    select_option(o, "active", "利用中", state);
    select_option(o, "retiring", "廃止予定", state);
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
    bool importer = has_role(u, ROLE_ADMIN) || has_role(u, ROLE_APPROVER);
    if (importer || has_role(u, ROLE_CISO)) {
        H(o, "<p class=\"noprint\">");
        if (importer)
            H(o, "<a href=\"/ledger/import\">旧台帳（Excel）の取り込み</a>　");
        H(o, "<a href=\"/ismap\">ISMAP クラウドサービスリスト</a></p>");
    }
    /* The search as a query string: for the pager and the downloads. */
    struct sbuf base;
    sbuf_init(&base, 8192);
    sbuf_adds(&base, "q=");
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
    long long total = jint(out, "total");
    html_printf(o, "<p class=\"count\">%lld 件", total);
    if (total > PAGE_SIZE)
        html_printf(o, "（%lld〜%lld 件目）", (long long)lq.offset + 1,
                    (long long)lq.offset +
                        (long long)json_array_size(json_object_get(out, "entries")));
    H(o, "</p>");
    /* Every entry of this search, not only this page; the workbook first
     * (opened in a spreadsheet, CSV turns 001234 into 1234). */
    html_printf(
        o,
        "<p class=\"downloads noprint\"><a class=\"button\" download "
        "href=\"/api/v1/ledger.xlsx?%s\">Excelでダウンロード</a> "
        "<a class=\"button\" download href=\"/api/v1/ledger.csv?%s\">CSVでダウンロード</a> "
        "<a download href=\"/api/v1/ledger.csv?%s&amp;encoding=cp932\">CSV（Shift_JIS）</a> "
        "<a download href=\"/api/v1/ledger.pdf?%s\">印刷用 PDF</a></p>",
        base.buf, base.buf, base.buf, base.buf);
    entries_table(r, json_object_get(out, "entries"));
    if (total > PAGE_SIZE) {
        H(o, "<nav class=\"pager\" aria-label=\"ページ送り\">");
        if (page > 1)
            html_printf(o, "<a rel=\"prev\" href=\"/ledger?%s&page=%lld\">前へ</a>", base.buf,
                        (long long)page - 1);
        if (page * PAGE_SIZE < total)
            html_printf(o, "<a rel=\"next\" href=\"/ledger?%s&page=%lld\">次へ</a>", base.buf,
                        (long long)page + 1);
        H(o, "</nav>");
    }
    sbuf_release(&base);
    json_decref(out);
    page_end(r);
}

/* A condition's or answer's status in words. */
static const char *status_label(const char *s)
{
    return strcmp(s, "met") == 0     ? "満たす"
           : strcmp(s, "unmet") == 0 ? "満たさない"
           : strcmp(s, "na") == 0    ? "対象外"
                                     : "未回答";
}

/* A value of the entry as a <dd>, or 記載なし where it is blank. */
static void dd_value(struct sbuf *o, const char *v)
{
    if (*v)
        html_printf(o, "<dd>%s</dd>", v);
    else
        H(o, "<dd class=\"none\">記載なし</dd>");
}

/* What the entry keeps beside (ア)〜(キ): the service's cloud provider and
 * data location (別紙 items 4–8, 11, 18), personal information, the
 * procurement that 5(2) requires first, and who approved it when. */
static void entry_details(struct request *r, json_t *en)
{
    struct sbuf *o = &r->out;
    json_t *svc = json_object_get(en, "service"), *proc = json_object_get(en, "procurement");
    json_t *pi = json_object_get(en, "personal_information"), *ap = json_object_get(en, "approval");
    H(o, "<h2>外部サービスの詳細</h2><dl class=\"fields\"><dt>クラウドサービスプロバイダー</dt>");
    dd_value(o, jstr(svc, "cloud_provider"));
    H(o, "<dt>データの保存場所</dt>");
    dd_value(o, jstr(svc, "data_location"));
    html_printf(o, "<dt>個人情報の取扱い</dt><dd%s>%s</dd></dl>",
                json_is_boolean(pi) ? "" : " class=\"none\"",
                json_is_true(pi)    ? "あり"
                : json_is_false(pi) ? "なし"
                                    : "記載なし");
    H(o, "<h2>事前の審査・利用承認（本基準5(2)）</h2><dl class=\"fields\">"
         "<dt>決裁番号（職務権限規程）</dt>");
    dd_value(o, jstr(proc, "approval_ref"));
    H(o, "<dt>決裁日</dt>");
    dd_value(o, day(r, jstr(proc, "approved_on")));
    H(o, "<dt>業者決定日</dt>");
    dd_value(o, day(r, jstr(proc, "vendor_decided_on")));
    H(o, "<dt>承認者（情報システム管理者）</dt>");
    if (*jstr(ap, "by"))
        html_printf(o, "<dd>%s（%s）</dd>", jstr(ap, "by_name"), jstr(ap, "by"));
    else
        H(o, "<dd class=\"none\">記載なし</dd>");
    H(o, "<dt>承認日</dt>");
    dd_value(o, *jstr(ap, "at") ? jst(r, jstr(ap, "at")) : "");
    H(o, "</dl>");

    json_t *conds = json_object_get(en, "conditions");
    H(o, "<h2>個別の選定条件（本基準6）</h2>");
    if (!json_array_size(conds)) {
        H(o, "<p>ありません。</p>");
        return;
    }
    H(o, "<div class=\"table-wrap\" role=\"region\" aria-label=\"個別の選定条件\" tabindex=\"0\">"
         "<table class=\"list\"><thead><tr><th>条件</th><th>適用状況</th><th>根拠</th>"
         "<th>理由</th></tr></thead><tbody>");
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c)
    {
        html_printf(o, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", jstr(c, "text"),
                    status_label(jstr(c, "status")), jstr(c, "evidence"), jstr(c, "reason"));
    }
    H(o, "</tbody></table></div>");
}

/* A version's 事前協議 (5(2)①) in the history: when and by whom it was
 * concluded, in one cell. */
static void consultation_cell(struct request *r, json_t *c)
{
    struct sbuf *o = &r->out;
    if (!json_is_true(json_object_get(c, "held")))
        H(o, "<td>なし</td>");
    else if (*jstr(c, "concluded_at"))
        html_printf(o, "<td>協議済み %s（%s）</td>", jst(r, jstr(c, "concluded_at")),
                    jstr(c, "concluded_by_name"));
    else
        H(o, "<td>あり（協議済みの記録なし）</td>");
}

/* Each version's 事前協議 comments, oldest first, under the history. */
static void consultation_threads(struct request *r, json_t *versions)
{
    struct sbuf *o = &r->out;
    size_t i, k;
    json_t *v, *h;
    json_array_foreach(versions, i, v)
    {
        json_t *c = json_object_get(v, "consultation");
        json_t *comments = json_object_get(c, "comments");
        if (!json_is_true(json_object_get(c, "held")) || !json_array_size(comments))
            continue;
        html_printf(o,
                    "<details class=\"consultation\"><summary>第%lld版の事前協議（%zu 件）"
                    "</summary><ol class=\"history\">",
                    jint(v, "version"), json_array_size(comments));
        json_array_foreach(comments, k, h)
        {
            int act = req_action_parse(jstr(h, "action"));
            html_printf(o, "<li><time>%s</time> %s（%s）: %s", jst(r, jstr(h, "at")),
                        jstr(h, "actor_name"), jstr(h, "actor"),
                        act >= 0 ? req_action_label(act) : jstr(h, "action"));
            if (*jstr(h, "comment"))
                html_printf(o, "<blockquote>%s</blockquote>", jstr(h, "comment"));
            H(o, "</li>");
        }
        H(o, "</ol></details>");
    }
}

void page_entry(struct request *r, long long id)
{
    const struct user *u = req_user(r);
    struct xerr e = {0}, ignore = {0};
    json_t *en;
    if (wf_ledger_show(r->db, u, id, &en, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, pool_printf(r->pool, "台帳番号 %lld", id));
    struct sbuf *o = &r->out;
    const char *state = jstr(en, "state");
    html_printf(o, "<p><span class=\"state %s\">%s</span> 第%lld版 / %s", state,
                jstr(en, "state_label"), jint(en, "version"), jstr(en, "department"));
    if (json_is_string(json_object_get(en, "retired_on")))
        html_printf(o, " / %s %s", strcmp(state, "retired") == 0 ? "廃止日" : "廃止予定日",
                    day(r, jstr(en, "retired_on")));
    H(o, "</p>");
    if (*jstr(en, "migrated_from"))
        html_printf(o,
                    "<p class=\"notice info migrated\"><strong>移行</strong> %s から取り込んだ"
                    "登録です。この台帳での事前協議・審査は経ていません。</p>",
                    jstr(en, "migrated_from"));
    if (strcmp(state, "retiring") == 0)
        html_printf(o,
                    "<p class=\"notice info\">廃止が承認されています。%s をもって廃止となり、"
                    "それまでは利用中です。</p>",
                    day(r, jstr(en, "retired_on")));
    fields_table(r, en);
    entry_details(r, en);

    /* A page links only to what its viewer may open: the requests behind
     * the versions for those who may read them, the change requests for
     * the managers of the entry's own department. */
    long long dept = department_id(r, jstr(en, "department"));
    bool readsRequests = dept && access_read_request(u, dept, &ignore) == XOK;
    bool applies = dept && access_applicant(u, dept, &ignore) == XOK;
    if (applies && !json_is_string(json_object_get(en, "retired_on"))) {
        html_printf(o,
                    "<section class=\"actions noprint\"><h2>変更の申請（本基準5(2)③）</h2>"
                    "<p><a class=\"button\" href=\"/ledger/%lld/change\">変更を申請</a> "
                    "<small>利用目的・利用者の範囲・格付などの変更</small></p>"
                    "<form method=\"post\" action=\"/ledger/%lld/extend\">",
                    id, id);
        csrf_field(r);
        H(o, "<label>延長後の終了日<input type=\"text\" name=\"to\" required "
             "placeholder=\"例: 令和10年3月31日、R10.3.31、2028-03-31\"></label>"
             "<button>期間延長を申請（下書き）</button></form>");
        html_printf(o, "<form method=\"post\" action=\"/ledger/%lld/retire\">", id);
        csrf_field(r);
        H(o, "<label>廃止日<input type=\"text\" name=\"on\" required "
             "placeholder=\"例: 令和9年3月31日、R9.3.31、2027-03-31\"></label>"
             "<button>廃止を申請（下書き）</button></form></section>");
    }
    json_t *files;
    if (wf_entry_attachments(r->db, u, id, &files, &ignore) == XOK) {
        H(o, "<h2>添付ファイル（根拠の資料）</h2>");
        attachments_html(r, files);
        json_decref(files);
    } else {
        xerr_clear(&ignore);
    }
    H(o, "<h2>履歴</h2><div class=\"table-wrap\" role=\"region\" aria-label=\"履歴\" "
         "tabindex=\"0\"><table class=\"list\"><thead><tr><th>版</th><th>種別</th>"
         "<th>申請</th><th>利用期間</th><th>利用申請者</th><th>事前協議</th><th>承認</th>"
         "</tr></thead><tbody>");
    size_t i;
    json_t *v, *versions = json_object_get(en, "versions");
    json_array_foreach(versions, i, v)
    {
        int kind = req_kind_parse(jstr(v, "kind"));
        json_t *period = json_object_get(v, "period"), *appl = json_object_get(v, "applicant");
        json_t *ap = json_object_get(v, "approval");
        html_printf(o, "<tr><td>第%lld版</td><td>%s</td>", jint(v, "version"),
                    kind >= 0 ? req_kind_label(kind) : "");
        if (readsRequests)
            html_printf(o, "<td><a href=\"/requests/%lld\">#%lld</a></td>", jint(v, "request_id"),
                        jint(v, "request_id"));
        else
            html_printf(o, "<td>#%lld</td>", jint(v, "request_id"));
        html_printf(o, "<td>%s〜%s</td><td>%s %s</td>", day(r, jstr(period, "from")),
                    day(r, jstr(period, "to")), jstr(appl, "department"), jstr(appl, "name"));
        consultation_cell(r, json_object_get(v, "consultation"));
        if (*jstr(ap, "at"))
            html_printf(o, "<td>%s（%s）</td></tr>", jst(r, jstr(ap, "at")), jstr(ap, "by_name"));
        else
            html_printf(o, "<td>%s（%s）</td></tr>", jst(r, jstr(v, "recorded_at")),
                        jstr(v, "recorded_by"));
    }
    H(o, "</tbody></table></div>");
    consultation_threads(r, versions);
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
    struct xdate dt;
    char iso[11], why[256];
    if (date && !text_is_blank(date)) {
        if (!date_parse_ja(date, &dt, why, sizeof why)) {
            xerr_set(&e, X_INVALID, "%s", why);
            error_page(r, &e, pool_printf(r->pool, "/ledger/%lld", id), "台帳の登録に戻る");
            return;
        }
        date_format(dt, iso);
        date = iso;
    }
    enum xcode rc = retire ? wf_ledger_retire(r->db, req_user(r), id, date, NULL, &req, &e)
                           : wf_ledger_extend(r->db, req_user(r), id, date, NULL, &req, &e);
    if (rc) {
        error_page(r, &e, pool_printf(r->pool, "/ledger/%lld", id), "台帳の登録に戻る");
        return;
    }
    reply_redirect(r, pool_printf(r->pool, "/requests/%lld", req));
}
