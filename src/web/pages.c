/*
 * pages.c - the Japanese browser pages: sign-in, dashboard, 台帳 (ledger
 * search and entries), 利用申請 (the request form and its evaluation),
 * 審査 (the approver's queue), 監査 (audit log), 利用者管理 (users).
 *
 * Server-rendered HTML usable without JavaScript. Every value goes through
 * html_escape() (via html_printf's %s); every form carries the session's
 * CSRF token, checked before any write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/catalogue.h"
#include "../core/date.h"
#include "../core/document.h"
#include "../workflow/access.h"
#include "formdoc.h"
#include "html.h"
#include "web.h"

#define SESSION_COOKIE "extsvc_session"
#define PAGE_SIZE      50

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static long long jint(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* A stored UTC time ("2026-11-25T09:00:00Z") as Japan time for people:
 * "2026-11-25 18:00" (Japan keeps no daylight saving time). */
static const char *jst(struct request *r, const char *utc)
{
    struct tm tm = {0};
    if (!utc || !strptime(utc, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return utc ? utc : "";
    time_t t = timegm(&tm) + 9 * 3600;
    struct tm out;
    gmtime_r(&t, &out);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &out);
    return pool_strdup(r->pool, buf);
}

/* May this user open requests (their own department's, or all)? */
static bool reads_requests(const struct user *u)
{
    return has_role(u, ROLE_MANAGER) || has_role(u, ROLE_APPROVER) || has_role(u, ROLE_CISO) ||
           has_role(u, ROLE_AUDITOR);
}

static bool method(const struct request *r, const char *m)
{
    return strcmp(r->method, m) == 0;
}

/* --- layout --------------------------------------------------------- */

static void page_start(struct request *r, const char *title)
{
    struct sbuf *o = &r->out;
    const struct user *u = req_user(r);
    html_printf(o,
                "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>%s - 外部サービス利用台帳</title>"
                "<link rel=\"stylesheet\" href=\"/static/style.css\">",
                title);
    if (r->have_session)
        html_printf(o, "<meta name=\"csrf-token\" content=\"%s\">", r->session.csrf);
    H(o, "<script src=\"/static/app.js\" defer></script></head><body>"
         "<header class=\"site\"><a class=\"brand\" href=\"/\">外部サービス利用台帳</a>");
    if (u) {
        H(o, "<nav><a href=\"/\">ダッシュボード</a><a href=\"/ledger\">台帳</a>");
        if (has_role(u, ROLE_MANAGER))
            H(o, "<a href=\"/requests\">利用申請</a>");
        if (has_role(u, ROLE_APPROVER))
            H(o, "<a href=\"/review\">審査</a>");
        if (has_role(u, ROLE_CISO) || has_role(u, ROLE_AUDITOR))
            H(o, "<a href=\"/requests\">申請一覧</a><a href=\"/audit\">監査</a>");
        if (has_role(u, ROLE_CISO))
            H(o, "<a href=\"/catalogue\">カタログ</a>");
        if (has_role(u, ROLE_ADMIN))
            H(o, "<a href=\"/users\">利用者管理</a>");
        html_printf(o,
                    "</nav><form class=\"signout\" method=\"post\" action=\"/logout\">"
                    "<span>%s（%s）</span><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                    "<button>サインアウト</button></form>",
                    u->name, u->department, r->have_session ? r->session.csrf : "");
    }
    html_printf(o, "</header><main><h1>%s</h1>", title);
}

static void page_end(struct request *r)
{
    H(&r->out,
      "</main><footer>周南市外部サービス利用基準（令和5年9月20日策定）に基づく審査と台帳 — "
      "extsvc</footer></body></html>\n");
    r->status = r->status ? r->status : 200;
    r->ctype = "text/html; charset=utf-8";
}

static void notice(struct request *r, const char *cls, const char *msg)
{
    html_printf(&r->out, "<p class=\"notice %s\" role=\"alert\">%s</p>", cls, msg);
}

/* An error page with a link back to `back` (NULL: the dashboard). */
static void error_page(struct request *r, const struct xerr *e, const char *back,
                       const char *back_label)
{
    sbuf_release(&r->out);
    r->status = xerr_http_status(e->code);
    page_start(r, r->status == 404 ? "見つかりません" : "エラー");
    notice(r, "error", e->msg[0] ? e->msg : xerr_name(e->code));
    if (back)
        html_printf(&r->out, "<p><a class=\"button\" href=\"%s\">%s</a></p>", back, back_label);
    H(&r->out, "<p><a href=\"/\">ダッシュボードへ</a></p>");
    page_end(r);
}

void pages_error(struct request *r, const struct xerr *e)
{
    error_page(r, e, NULL, NULL);
}

/* Pages need a signed-in user; otherwise to the sign-in page. */
static bool require_signin(struct request *r)
{
    if (req_user(r) && r->auth == AUTH_COOKIE)
        return true;
    struct sbuf sb;
    sbuf_init(&sb, 4096);
    sbuf_adds(&sb, "/login?next=");
    url_encode(&sb, r->path);
    reply_redirect(r, pool_strdup(r->pool, sb.buf));
    sbuf_release(&sb);
    return false;
}

/* Decode a posted form and check its CSRF token. */
static bool posted_form(struct request *r, struct form *f)
{
    struct xerr e = {0};
    if (!form_decode(r->pool, r->body, r->nBody, f)) {
        xerr_set(&e, X_INVALID, "送信された内容を読めません（文字コードや形式が不正です）");
        pages_error(r, &e);
        return false;
    }
    const char *token = form_get(f, "csrf");
    if (!r->have_session || !csrf_equal(token, r->session.csrf)) {
        xerr_set(
            &e, X_FORBIDDEN,
            "フォームの有効期限が切れたか、不正な送信です（CSRF）。ページを開き直してください");
        pages_error(r, &e);
        return false;
    }
    return true;
}

static void csrf_field(struct request *r)
{
    html_printf(&r->out, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->session.csrf);
}

/* --- sign-in ------------------------------------------------------------ */

static const char *cookie_attrs(const struct request *r)
{
    return r->cfg->tls_cert[0] || r->cfg->behind_proxy ? "; Path=/; HttpOnly; SameSite=Lax; Secure"
                                                       : "; Path=/; HttpOnly; SameSite=Lax";
}

/* Only the application's own paths are followed after sign-in: "/" and
 * then letters, digits and / _ ? = & % . - only (no "//", no backslash, no
 * control characters a browser would strip into a scheme-relative URL). */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/')
        return "/";
    for (const char *p = next; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("/_?=&%.-", c)))
            return "/";
    }
    return next;
}

static void login_form(struct request *r, const char *message, const char *login, const char *next)
{
    page_start(r, "サインイン");
    if (message)
        notice(r, "error", message);
    html_printf(&r->out,
                "<form method=\"post\" action=\"/login\" class=\"login\">"
                "<input type=\"hidden\" name=\"next\" value=\"%s\">"
                "<label>ログイン名<input name=\"login\" value=\"%s\" autocomplete=\"username\" "
                "required autofocus></label>"
                "<label>パスワード<input type=\"password\" name=\"password\" "
                "autocomplete=\"current-password\" required></label>"
                "<button>サインイン</button></form>",
                safe_next(next), login ? login : "");
    page_end(r);
}

static void page_login(struct request *r)
{
    if (method(r, "GET")) {
        login_form(r, NULL, NULL, form_get(&r->query, "next"));
        return;
    }
    struct form f;
    if (!form_decode(r->pool, r->body, r->nBody, &f)) {
        r->status = 400;
        login_form(r, "送信された内容を読めません", NULL, NULL);
        return;
    }
    struct session s;
    struct xerr e = {0};
    const char *login = form_get(&f, "login");
    if (wf_session_signin(r->db, login, form_get(&f, "password"), r->address, &r->cfg->throttle, &s,
                          &e)) {
        r->status = xerr_http_status(e.code);
        login_form(r, e.msg, login, form_get(&f, "next"));
        return;
    }
    if (r->have_session) {
        struct xerr ignore;
        wf_session_signout(r->db, r->session.id, &ignore);
    }
    r->set_cookie = pool_printf(r->pool, "%s=%s%s", SESSION_COOKIE, s.id, cookie_attrs(r));
    session_release(&s);
    reply_redirect(r, pool_strdup(r->pool, safe_next(form_get(&f, "next"))));
}

static void page_logout(struct request *r)
{
    struct form f;
    if (!method(r, "POST") || !require_signin(r) || !posted_form(r, &f))
        return;
    struct xerr e;
    wf_session_signout(r->db, r->session.id, &e);
    r->set_cookie = pool_printf(r->pool, "%s=; Max-Age=0%s", SESSION_COOKIE, cookie_attrs(r));
    reply_redirect(r, "/login");
}

/* --- shared pieces ----------------------------------------------------- */

static void service_label(struct sbuf *o, json_t *svc)
{
    html_printf(o, "%s", jstr(svc, "name"));
    if (*jstr(svc, "function"))
        html_printf(o, "（%s）", jstr(svc, "function"));
}

static void entries_table(struct request *r, json_t *entries)
{
    struct sbuf *o = &r->out;
    H(o, "<table class=\"list\"><thead><tr><th>台帳番号</th><th>外部サービス</th><th>提供者</th>"
         "<th>利用目的</th><th>機密性</th><th>利用期間</th><th>所属</th><th>状態</th></tr></thead>"
         "<tbody>");
    size_t i;
    json_t *en;
    json_array_foreach(entries, i, en)
    {
        json_t *svc = json_object_get(en, "service"), *period = json_object_get(en, "period");
        html_printf(o,
                    "<tr><td><a href=\"/ledger/%lld\">%lld</a></td><td><a href=\"/ledger/%lld\">",
                    jint(en, "id"), jint(en, "id"), jint(en, "id"));
        service_label(o, svc);
        html_printf(o,
                    "</a></td><td>%s</td><td>%s</td><td class=\"level\">%s</td><td>%s〜%s</td>"
                    "<td>%s</td><td><span class=\"state %s\">%s</span></td></tr>",
                    jstr(svc, "provider"), jstr(en, "purpose"),
                    jstr(json_object_get(en, "classification"), "confidentiality"),
                    jstr(period, "from"), jstr(period, "to"), jstr(en, "department"),
                    jstr(en, "state"), jstr(en, "state_label"));
    }
    H(o, "</tbody></table>");
}

static void requests_table(struct request *r, json_t *requests)
{
    struct sbuf *o = &r->out;
    H(o, "<table class=\"list\"><thead><tr><th>申請番号</th><th>種別</th><th>外部サービス</th>"
         "<th>所属</th><th>状態</th><th>評価</th><th>更新</th></tr></thead><tbody>");
    size_t i;
    json_t *q;
    json_array_foreach(requests, i, q)
    {
        int st = req_state_parse(jstr(q, "state"));
        int kind = req_kind_parse(jstr(q, "kind"));
        html_printf(o, "<tr><td><a href=\"/requests/%lld\">#%lld</a></td><td>%s</td><td>",
                    jint(q, "id"), jint(q, "id"), kind >= 0 ? req_kind_label(kind) : "");
        json_t *svc = json_object_get(q, "service");
        if (json_is_object(svc))
            service_label(o, svc);
        else
            H(o, "（未入力）");
        html_printf(o,
                    "</td><td>%s</td><td><span class=\"state %s\">%s</span></td><td>%s</td>"
                    "<td>%s</td></tr>",
                    jstr(q, "department"), jstr(q, "state"), st >= 0 ? req_state_label(st) : "",
                    json_is_true(json_object_get(q, "approvable")) ? "承認可" : "指摘あり",
                    jst(r, jstr(q, "updated_at")));
    }
    H(o, "</tbody></table>");
}

static void evaluation_panel(struct request *r, json_t *ev)
{
    struct sbuf *o = &r->out;
    bool ok = json_is_true(json_object_get(ev, "approvable"));
    size_t blockers = 0, warnings = 0, i;
    json_t *f;
    json_array_foreach(json_object_get(ev, "findings"), i, f)
    {
        if (strcmp(jstr(f, "severity"), "blocker") == 0)
            blockers++;
        else
            warnings++;
    }
    html_printf(
        o,
        "<section class=\"evaluation %s\" aria-live=\"polite\"><h2>評価: %s</h2>"
        "<p>審査の区分: %s（カタログ %s）。承認を妨げる指摘 %zu 件、注意 %zu 件。</p>",
        ok ? "ok" : "blocked", ok ? "承認できます" : "承認できません",
        strcmp(jstr(ev, "track"), "requirements") == 0
            ? "別紙「外部サービス要件一覧」（機密性が基準の格付以上、本基準2(1)・3）"
            : "1(4) 外部サービス利用の特性のリスク検討（機密性が基準の格付未満、本基準2(2)・4）",
        jstr(ev, "catalogue"), blockers, warnings);
    if (blockers + warnings) {
        /* Blockers first: they are what the manager must fix. */
        H(o, "<ul class=\"findings\">");
        for (int pass = 0; pass < 2; pass++)
            json_array_foreach(json_object_get(ev, "findings"), i, f)
            {
                bool b = strcmp(jstr(f, "severity"), "blocker") == 0;
                if (b != (pass == 0))
                    continue;
                html_printf(o,
                            "<li class=\"%s\"><span class=\"sev\">%s</span> %s "
                            "<code title=\"コード\">%s</code></li>",
                            b ? "blocker" : "warning", b ? "阻害" : "注意", jstr(f, "message"),
                            jstr(f, "code"));
            }
        H(o, "</ul>");
    }
    H(o, "</section>");
}

/* --- dashboard ---------------------------------------------------------- */

static void page_dashboard(struct request *r)
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

/* --- ledger ------------------------------------------------------------- */

static void select_option(struct sbuf *o, const char *value, const char *label, const char *current)
{
    html_printf(o, "<option value=\"%s\"%s>%s</option>", value,
                current && strcmp(current, value) == 0 ? " selected" : "", label);
}

static void page_ledger(struct request *r)
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

static void fields_table(struct sbuf *o, json_t *v)
{
    json_t *svc = json_object_get(v, "service"), *cls = json_object_get(v, "classification");
    json_t *period = json_object_get(v, "period"), *appl = json_object_get(v, "applicant");
    H(o, "<dl class=\"fields\"><dt>(ア) 外部サービスの名称</dt><dd>");
    service_label(o, svc);
    html_printf(o,
                "</dd><dt>(イ) 外部サービス提供者の名称</dt><dd>%s</dd>"
                "<dt>(ウ) 利用目的（業務内容）</dt><dd>%s</dd>"
                "<dt>(エ) 取り扱う情報の格付</dt><dd>機密性%s・完全性%s・可用性%s</dd>"
                "<dt>(オ) 利用期間</dt><dd>%s 〜 %s</dd>"
                "<dt>(カ) 利用申請者</dt><dd>%s %s</dd>"
                "<dt>(キ) 利用者の範囲</dt><dd>%s</dd></dl>",
                jstr(svc, "provider"), jstr(v, "purpose"), jstr(cls, "confidentiality"),
                jstr(cls, "integrity"), jstr(cls, "availability"), jstr(period, "from"),
                jstr(period, "to"), jstr(appl, "department"), jstr(appl, "name"), jstr(v, "scope"));
}

static void page_entry(struct request *r, long long id)
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

static void page_entry_action(struct request *r, long long id, bool retire)
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

/* --- the request form ---------------------------------------------------- */

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

static void page_request_new(struct request *r)
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

static void page_request_edit(struct request *r, long long id)
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

/* One button of the request's step form: it posts the shared comment to
 * /requests/ID/ACTION. */
static void step_button(struct request *r, long long id, const char *action, const char *label,
                        const char *cls)
{
    html_printf(&r->out, "<button formaction=\"/requests/%lld/%s\" class=\"%s\">%s</button> ", id,
                action, cls, label);
}

static void page_request(struct request *r, long long id)
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

static void page_request_step(struct request *r, long long id, const char *action)
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

static void page_requests(struct request *r, const char *state, const char *title)
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
static void page_review(struct request *r)
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

/* --- audit, users, catalogue -------------------------------------------- */

static void page_audit(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *out, *report;
    bool ok;
    const char *actor = form_get(&r->query, "actor"), *object = form_get(&r->query, "object");
    struct audit_filter f = {.actor = actor && *actor ? actor : NULL,
                             .object_prefix = object && *object ? object : NULL,
                             .limit = 200};
    if (wf_audit_verify(r->db, u, &ok, &report, &e) || wf_audit_list(r->db, u, &f, &out, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, "監査ログ");
    struct sbuf *o = &r->out;
    if (ok)
        html_printf(o, "<p class=\"notice ok\">ハッシュの連鎖を検証しました: 正常（%lld 件）</p>",
                    jint(report, "records"));
    else {
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(report, "problems"), i, p)
            notice(r, "error", jstr(p, "message"));
    }
    html_printf(
        o,
        "<form class=\"search\" method=\"get\" action=\"/audit\"><label>操作者<input "
        "name=\"actor\" value=\"%s\"></label><label>対象（例 request:3）<input name=\"object\" "
        "value=\"%s\"></label><button>絞り込む</button></form>",
        f.actor ? f.actor : "", f.object_prefix ? f.object_prefix : "");
    H(o, "<table class=\"list\"><thead><tr><th>#</th><th>日時</th><th>操作者</th><th>操作</th>"
         "<th>対象</th><th>ハッシュ</th></tr></thead><tbody>");
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(out, "records"), i, rec) html_printf(
        o,
        "<tr><td>%lld</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
        "<td><code>%s</code></td></tr>",
        jint(rec, "seq"), jst(r, jstr(rec, "at")), jstr(rec, "actor"), jstr(rec, "action"),
        jstr(rec, "object"), pool_strndup(r->pool, jstr(rec, "hash"), 12));
    H(o, "</tbody></table>");
    json_decref(out);
    json_decref(report);
    page_end(r);
}

/* The roles ticked on a user form. */
static unsigned form_roles(const struct form *f)
{
    unsigned roles = 0;
    for (int b = 0; b < ROLE_COUNT; b++) {
        char k[32];
        snprintf(k, sizeof k, "role_%s", role_name(b));
        if (form_get(f, k))
            roles |= 1u << b;
    }
    return roles;
}

static void page_users(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    const char *message = NULL;
    if (method(r, "POST")) {
        struct form f;
        if (!posted_form(r, &f))
            return;
        unsigned roles = form_roles(&f);
        long long id;
        const char *pw = form_get(&f, "password");
        if (wf_user_add(r->db, u, form_get(&f, "login"), form_get(&f, "name"), form_get(&f, "dept"),
                        roles, pw && *pw ? pw : NULL, &id, &e)) {
            r->status = xerr_http_status(e.code);
            message = e.msg;
        } else {
            reply_redirect(r, "/users");
            return;
        }
    }
    json_t *out;
    if (wf_user_list(r->db, u, &out, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, "利用者管理");
    struct sbuf *o = &r->out;
    if (message)
        notice(r, "error", message);
    H(o,
      "<table class=\"list\"><thead><tr><th>ログイン名</th><th>氏名</th><th>所属</th><th>役割</th>"
      "<th>状態</th></tr></thead><tbody>");
    size_t i, k;
    json_t *x, *role;
    json_array_foreach(json_object_get(out, "users"), i, x)
    {
        html_printf(o, "<tr><td>%s</td><td>%s</td><td>%s</td><td>", jstr(x, "login"),
                    jstr(x, "name"), jstr(x, "department"));
        json_array_foreach(json_object_get(x, "roles"), k, role)
        {
            for (int b = 0; b < ROLE_COUNT; b++)
                if (strcmp(role_name(b), json_string_value(role)) == 0)
                    html_printf(o, "%s%s", k ? "、" : "", role_label(b));
        }
        bool active = json_is_true(json_object_get(x, "active"));
        html_printf(o,
                    "</td><td>%s</td><td><details><summary>変更</summary>"
                    "<form method=\"post\" action=\"/users/%s\" class=\"user\">",
                    active ? "有効" : "無効", jstr(x, "login"));
        csrf_field(r);
        html_printf(o,
                    "<label>氏名<input name=\"name\" value=\"%s\" required></label>"
                    "<label>所属<input name=\"dept\" value=\"%s\" required></label>",
                    jstr(x, "name"), jstr(x, "department"));
        for (int b = 0; b < ROLE_COUNT; b++) {
            bool has = false;
            json_array_foreach(json_object_get(x, "roles"), k, role)
            {
                has |= strcmp(role_name(b), json_string_value(role)) == 0;
            }
            html_printf(
                o,
                "<label class=\"inline\"><input type=\"checkbox\" name=\"role_%s\"%s> %s</label>",
                role_name(b), has ? " checked" : "", role_label(b));
        }
        html_printf(o,
                    "<label class=\"inline\"><input type=\"checkbox\" name=\"active\"%s> 有効"
                    "</label><label>新しいパスワード（変えるときだけ）<input type=\"password\" "
                    "name=\"password\" autocomplete=\"new-password\"></label>"
                    "<button>保存</button></form></details></td></tr>",
                    active ? " checked" : "");
    }
    H(o, "</tbody></table><h2>利用者の追加</h2><form method=\"post\" action=\"/users\" "
         "class=\"user\">");
    csrf_field(r);
    H(o,
      "<label>ログイン名<input name=\"login\" required pattern=\"[A-Za-z0-9._-]+\"></label>"
      "<label>氏名<input name=\"name\" required></label><label>所属<input name=\"dept\" required>"
      "</label><label>初期パスワード（8文字以上）<input type=\"password\" name=\"password\" "
      "autocomplete=\"new-password\"></label><fieldset><legend>役割</legend>");
    for (int b = 0; b < ROLE_COUNT; b++)
        html_printf(o, "<label><input type=\"checkbox\" name=\"role_%s\"> %s（%s）</label>",
                    role_name(b), role_label(b), role_name(b));
    H(o, "</fieldset><button>追加</button></form>");
    json_decref(out);
    page_end(r);
}

static void page_user_update(struct request *r, const char *login)
{
    struct form f;
    struct xerr e = {0};
    if (!posted_form(r, &f))
        return;
    unsigned roles = form_roles(&f);
    const char *pw = form_get(&f, "password");
    if (!roles)
        xerr_set(&e, X_INVALID, "役割を一つ以上選んでください");
    else
        wf_user_update(r->db, req_user(r), login, form_get(&f, "name"), form_get(&f, "dept"), roles,
                       form_get(&f, "active") ? 1 : 0, pw && *pw ? pw : NULL, &e);
    if (e.code) {
        error_page(r, &e, "/users", "利用者管理に戻る");
        return;
    }
    reply_redirect(r, "/users");
}

static void page_catalogue(struct request *r)
{
    struct xerr e = {0};
    struct catalogue cat;
    if (wf_catalogue_current(r->db, &cat, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, "カタログ（施行中）");
    struct sbuf *o = &r->out;
    html_printf(
        o,
        "<p>%s（%s、%s 施行）。新しい版は <code>extsvc catalogue load</code> で読み込みます。</p>",
        cat.title, cat.id, cat.effective);
    H(o, "<table class=\"list\"><thead><tr><th>項番</th><th>規定</th><th>区分</th><th>要件</th>"
         "<th>必須／推奨／任意</th></tr></thead><tbody>");
    for (size_t i = 0; i < cat.nReqs; i++)
        html_printf(o, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
                    cat.reqs[i].no, cat.reqs[i].clause, cat.reqs[i].category, cat.reqs[i].text,
                    req_level_label(cat.reqs[i].level));
    H(o, "</tbody></table><h2>1(4) 外部サービス利用の特性</h2><ol class=\"risks\">");
    for (size_t i = 0; i < cat.nRisks; i++)
        html_printf(o, "<li>%s %s</li>", circled_number(cat.risks[i].no), cat.risks[i].text);
    H(o, "</ol>");
    catalogue_release(&cat);
    page_end(r);
}

/* --- routing ------------------------------------------------------------ */

/* "/requests/12/approve" → id 12, rest "approve". */
static bool path_id(const char *path, const char *prefix, long long *id, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return false;
    const char *p = path + n;
    char *end;
    if (*p < '1' || *p > '9')
        return false;
    *id = strtoll(p, &end, 10);
    if (*end && *end != '/')
        return false;
    *rest = *end == '/' ? end + 1 : "";
    return true;
}

bool pages_handle(struct request *r)
{
    const char *p = r->path, *rest;
    long long id;
    if (strcmp(p, "/login") == 0) {
        page_login(r);
        return true;
    }
    if (strcmp(p, "/logout") == 0) {
        page_logout(r);
        return true;
    }
    if (!require_signin(r))
        return true;
    const struct user *u = req_user(r);
    bool get = method(r, "GET"), post = method(r, "POST");
    if (strcmp(p, "/") == 0 && get)
        page_dashboard(r);
    else if (strcmp(p, "/ledger") == 0 && get)
        page_ledger(r);
    else if (path_id(p, "/ledger/", &id, &rest) && !*rest && get)
        page_entry(r, id);
    else if (path_id(p, "/ledger/", &id, &rest) && post &&
             (strcmp(rest, "extend") == 0 || strcmp(rest, "retire") == 0))
        page_entry_action(r, id, strcmp(rest, "retire") == 0);
    else if (strcmp(p, "/requests") == 0 && get)
        page_requests(r, NULL, "利用申請");
    else if (strcmp(p, "/requests/new") == 0 && (get || post))
        page_request_new(r);
    else if (path_id(p, "/requests/", &id, &rest) && !*rest && get)
        page_request(r, id);
    else if (path_id(p, "/requests/", &id, &rest) && strcmp(rest, "edit") == 0 && (get || post))
        page_request_edit(r, id);
    else if (path_id(p, "/requests/", &id, &rest) && *rest && post)
        page_request_step(r, id, rest);
    else if (strcmp(p, "/review") == 0 && get) {
        if (has_role(u, ROLE_APPROVER)) {
            page_review(r);
        } else {
            struct xerr e = {0};
            xerr_set(&e, X_FORBIDDEN,
                     "審査は利用申請の許可権限者（情報システム管理者, approver）が行います");
            pages_error(r, &e);
        }
    } else if (strcmp(p, "/audit") == 0 && get)
        page_audit(r);
    else if (strcmp(p, "/users") == 0 && (get || post))
        page_users(r);
    else if (strncmp(p, "/users/", 7) == 0 && p[7] && !strchr(p + 7, '/') && post)
        page_user_update(r, p + 7);
    else if (strcmp(p, "/catalogue") == 0 && get)
        page_catalogue(r);
    else
        return false;
    return true;
}
