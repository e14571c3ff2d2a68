/*
 * pages_tokens.c - APIトークン: a user's own API tokens (admin: everyone's),
 * made here with an expiry and shown once, and revoked here.
 */
#include <stdlib.h>
#include <string.h>

#include "../workflow/access.h"
#include "pages.h"

/* The page, with `made` (a token just made, shown this once) or an error. */
static void tokens_page(struct request *r, const char *made, const char *error)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *out;
    if (wf_token_list(r->db, u, has_role(u, ROLE_ADMIN) ? "*" : NULL, &out, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, "APIトークン");
    struct sbuf *o = &r->out;
    if (error)
        notice(r, "error", error);
    if (made)
        html_printf(o,
                    "<div class=\"notice ok\" role=\"status\"><p>トークンを発行しました。"
                    "この画面を離れると二度と表示できません。いま控えてください。</p>"
                    "<p><code id=\"new-token\">%s</code></p></div>",
                    made);
    H(o, "<p class=\"hint\">API トークンはコマンドやほかのシステムから JSON API を使うための"
         "合言葉です（Authorization: Bearer …）。期限が来るか、失効させるか、パスワードを変える"
         "か利用者が無効になると使えなくなります。</p>");
    H(o, "<form method=\"post\" action=\"/tokens\" class=\"search noprint\">");
    csrf_field(r);
    H(o, "<label for=\"days\">有効期間（日）</label>"
         "<input id=\"days\" name=\"days\" type=\"number\" min=\"1\" max=\"3650\" value=\"90\">"
         "<button>新しいトークンを発行</button></form>");
    json_t *list = json_object_get(out, "tokens");
    html_printf(o, "<h2>発行済みのトークン（%zu 件）</h2>", json_array_size(list));
    if (!json_array_size(list)) {
        H(o, "<p>ありません。</p>");
    } else {
        H(o, "<div class=\"table-wrap\" role=\"region\" aria-label=\"APIトークン\" tabindex=\"0\">"
             "<table class=\"list\"><thead><tr><th>番号</th><th>利用者</th><th>発行</th>"
             "<th>有効期限</th><th>最終利用日</th><th>操作</th></tr></thead><tbody>");
        size_t i;
        json_t *t;
        json_array_foreach(list, i, t)
        {
            html_printf(o, "<tr><td>%lld</td><td>%s</td><td>%s</td><td>%s%s</td><td>%s</td><td>",
                        jint(t, "id"), jstr(t, "login"), jst(r, jstr(t, "created_at")),
                        jst(r, jstr(t, "expires_at")),
                        json_is_true(json_object_get(t, "expired")) ? "（期限切れ）" : "",
                        *jstr(t, "last_used_on") ? day(r, jstr(t, "last_used_on")) : "未使用");
            html_printf(o, "<form method=\"post\" action=\"/tokens/%lld/revoke\">", jint(t, "id"));
            csrf_field(r);
            H(o, "<button>失効させる</button></form></td></tr>");
        }
        H(o, "</tbody></table></div>");
    }
    json_decref(out);
    page_end(r);
}

void page_tokens(struct request *r)
{
    if (!method(r, "POST")) {
        tokens_page(r, NULL, NULL);
        return;
    }
    struct form f;
    if (!posted_form(r, &f))
        return;
    const char *d = form_get(&f, "days");
    char *end = NULL;
    long days = d && *d ? strtol(d, &end, 10) : TOKEN_DEFAULT_DAYS;
    struct xerr e = {0};
    char *token = NULL;
    if ((end && *end) ||
        wf_token_create(r->db, req_user(r), (int)(days > 0 && days <= TOKEN_MAX_DAYS ? days : 0),
                        &token, &e)) {
        r->status = 400;
        tokens_page(r, NULL, e.msg[0] ? e.msg : "有効期間は 1〜3650 日の整数です");
        return;
    }
    tokens_page(r, pool_strdup(r->pool, token), NULL);
    free(token);
}

void page_token_revoke(struct request *r, long long id)
{
    struct form f;
    if (!posted_form(r, &f))
        return;
    struct xerr e = {0};
    if (wf_token_revoke(r->db, req_user(r), id, &e)) {
        pages_error(r, &e);
        return;
    }
    reply_redirect(r, "/tokens");
}
