/*
 * pages_common.c - what every page is built from: the layout (header with
 * the navigation a user's roles allow, footer), notices and error pages,
 * the sign-in and CSRF checks, JSON field readers, and the tables that
 * several pages show.
 *
 * Server-rendered HTML usable without JavaScript. Every value goes through
 * html_escape() (via html_printf's %s); every form carries the session's
 * CSRF token, checked before any write.
 */
#include <string.h>
#include <time.h>

#include "../workflow/access.h"
#include "pages.h"

const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

long long jint(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* The pages' way of writing dates: [display] dates, 和暦 by default; ISO
 * where there are no settings (the fuzz driver). */
static enum date_style style_of(const struct request *r)
{
    return r->cfg ? r->cfg->date_style : DATE_ISO;
}

/* A stored UTC time ("2026-11-25T09:00:00Z") as Japan time for people:
 * "令和8年11月25日 18:00" or "2026-11-25 18:00" (Japan keeps no daylight
 * saving time). */
const char *jst(struct request *r, const char *utc)
{
    struct tm tm = {0};
    if (!utc || !strptime(utc, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return utc ? utc : "";
    time_t t = timegm(&tm) + 9 * 3600;
    struct tm out;
    gmtime_r(&t, &out);
    char buf[32], date[40];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &out);
    if (style_of(r) == DATE_ISO)
        return pool_strdup(r->pool, buf);
    date_styled_text(buf, style_of(r), date, sizeof date);
    return pool_printf(r->pool, "%s %s", date, buf + 11);
}

const char *day(struct request *r, const char *iso)
{
    if (!iso || !*iso || style_of(r) == DATE_ISO)
        return iso ? iso : "";
    char buf[40];
    date_styled_text(iso, style_of(r), buf, sizeof buf);
    return pool_strdup(r->pool, buf);
}

bool method(const struct request *r, const char *m)
{
    return strcmp(r->method, m) == 0;
}

/* --- layout --------------------------------------------------------- */

/* A link of the site navigation, marked as the current page where the
 * request's path is `href` or below it. */
static void nav_link(struct request *r, const char *href, const char *label)
{
    size_t n = strlen(href);
    bool here = strcmp(href, "/") == 0
                    ? strcmp(r->path, "/") == 0
                    : strncmp(r->path, href, n) == 0 && (r->path[n] == '\0' || r->path[n] == '/');
    html_printf(&r->out, "<a href=\"%s\"%s>%s</a>", href, here ? " aria-current=\"page\"" : "",
                label);
}

void page_start(struct request *r, const char *title)
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
    /* The skip link comes first, so a keyboard or screen reader user
     * reaches the page's content without passing the navigation. */
    H(o, "<script src=\"/static/app.js\" defer></script></head><body>"
         "<a class=\"skip\" href=\"#main\">本文へ移動</a>"
         "<header class=\"site\"><a class=\"brand\" href=\"/\">外部サービス利用台帳</a>");
    if (u) {
        H(o, "<nav aria-label=\"メインメニュー\">");
        nav_link(r, "/", "ダッシュボード");
        nav_link(r, "/ledger", "台帳");
        if (has_role(u, ROLE_MANAGER))
            nav_link(r, "/requests", "利用申請");
        if (has_role(u, ROLE_APPROVER))
            nav_link(r, "/review", "審査");
        if (has_role(u, ROLE_CISO) || has_role(u, ROLE_AUDITOR)) {
            if (!has_role(u, ROLE_MANAGER))
                nav_link(r, "/requests", "申請一覧");
            nav_link(r, "/audit", "監査");
        }
        if (has_role(u, ROLE_CISO))
            nav_link(r, "/catalogue", "カタログ");
        if (has_role(u, ROLE_ADMIN))
            nav_link(r, "/users", "利用者管理");
        html_printf(o,
                    "</nav><form class=\"signout\" method=\"post\" action=\"/logout\">"
                    "<span>%s（%s）</span> <a href=\"/tokens\">APIトークン</a><input "
                    "type=\"hidden\" name=\"csrf\" value=\"%s\">"
                    "<button>サインアウト</button></form>",
                    u->name, u->department, r->have_session ? r->session.csrf : "");
    }
    html_printf(o, "</header><main id=\"main\"><h1>%s</h1>", title);
}

/* The footer says once per page that every time shown is Japan time
 * (jst()); pages show no zone beside each time. */
void page_end(struct request *r)
{
    H(&r->out,
      "</main><footer><p>周南市外部サービス利用基準（令和5年9月20日策定）に基づく審査と台帳 — "
      "extsvc</p><p>時刻は日本時間（JST, UTC+9）で表示しています。</p></footer></body></html>\n");
    r->status = r->status ? r->status : 200;
    r->ctype = "text/html; charset=utf-8";
}

void notice(struct request *r, const char *cls, const char *msg)
{
    html_printf(&r->out, "<p class=\"notice %s\" role=\"alert\">%s</p>", cls, msg);
}

/* An error page with a link back to `back` (NULL: the dashboard). */
void error_page(struct request *r, const struct xerr *e, const char *back, const char *back_label)
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
bool require_signin(struct request *r)
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
bool posted_form(struct request *r, struct form *f)
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

void csrf_field(struct request *r)
{
    html_printf(&r->out, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->session.csrf);
}

/* --- shared pieces ----------------------------------------------------- */

static void service_label(struct sbuf *o, json_t *svc)
{
    html_printf(o, "%s", jstr(svc, "name"));
    if (*jstr(svc, "function"))
        html_printf(o, "（%s）", jstr(svc, "function"));
}

void entries_table(struct request *r, json_t *entries)
{
    struct sbuf *o = &r->out;
    /* Wide tables scroll inside their wrapper on a phone, never the page;
     * every row holds a link, so the keyboard reaches what scrolls. */
    H(o, "<div class=\"table-wrap\"><table "
         "class=\"list\"><thead><tr><th>台帳番号</th><th>外部サービス</th><th>提供者</th>"
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
                    day(r, jstr(period, "from")), day(r, jstr(period, "to")),
                    jstr(en, "department"), jstr(en, "state"), jstr(en, "state_label"));
    }
    H(o, "</tbody></table></div>");
}

void requests_table(struct request *r, json_t *requests)
{
    struct sbuf *o = &r->out;
    H(o, "<div class=\"table-wrap\"><table "
         "class=\"list\"><thead><tr><th>申請番号</th><th>種別</th><th>外部サービス</th>"
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
    H(o, "</tbody></table></div>");
}

void evaluation_panel(struct request *r, json_t *ev)
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

void select_option(struct sbuf *o, const char *value, const char *label, const char *current)
{
    html_printf(o, "<option value=\"%s\"%s>%s</option>", value,
                current && strcmp(current, value) == 0 ? " selected" : "", label);
}

void fields_table(struct request *r, json_t *v)
{
    struct sbuf *o = &r->out;
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
                jstr(cls, "integrity"), jstr(cls, "availability"), day(r, jstr(period, "from")),
                day(r, jstr(period, "to")), jstr(appl, "department"), jstr(appl, "name"),
                jstr(v, "scope"));
}
