/*
 * pages_auth.c - サインイン and サインアウト: the session cookie, and the
 * page a user is sent back to after signing in.
 */
#include <string.h>

#include "pages.h"

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

void page_login(struct request *r)
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
    r->set_cookie = session_set_cookie(r, s.id);
    session_release(&s);
    reply_redirect(r, pool_strdup(r->pool, safe_next(form_get(&f, "next"))));
}

void page_logout(struct request *r)
{
    struct form f;
    if (!method(r, "POST") || !require_signin(r) || !posted_form(r, &f))
        return;
    struct xerr e;
    wf_session_signout(r->db, r->session.id, &e);
    r->set_cookie = session_set_cookie(r, NULL);
    reply_redirect(r, "/login");
}
