/*
 * reply.c - what every handler uses to read its request and to answer it:
 * the signed-in user, headers and cookies, the CSRF comparison, and the
 * JSON, API error and redirect replies.
 *
 * api.c and the page files depend on this file, not on server.c, the
 * dispatcher that calls them.
 */
#include <microhttpd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

const struct user *req_user(const struct request *r)
{
    return r->auth != AUTH_NONE ? &r->session.user : NULL;
}

const char *req_header(const struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(const struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

bool csrf_equal(const char *presented, const char *expected)
{
    size_t n = expected ? strlen(expected) : 0;
    return presented && n && strlen(presented) == n && sodium_memcmp(presented, expected, n) == 0;
}

void reply_json(struct request *r, int status, json_t *body)
{
    if (!body) /* a value jansson would not take: still answer with JSON */
        body = json_pack("{s:{s:s, s:s}}", "error", "code", "internal", "message",
                         "応答を作成できませんでした");
    r->status = status;
    r->ctype = "application/json; charset=utf-8";
    char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    sbuf_release(&r->out);
    if (s) {
        sbuf_adds(&r->out, s);
        free(s);
    }
}

void reply_error_code(struct request *r, enum xcode code, const char *message)
{
    reply_json(r, xerr_http_status(code),
               json_pack("{s:{s:s, s:s}}", "error", "code", xerr_name(code), "message", message));
}

void reply_error(struct request *r, const struct xerr *e)
{
    reply_error_code(r, e->code, e->msg[0] ? e->msg : xerr_name(e->code));
}

void reply_redirect(struct request *r, const char *location)
{
    r->status = 303;
    r->location = location;
    r->ctype = "text/plain; charset=utf-8";
    sbuf_release(&r->out);
    sbuf_adds(&r->out, "See Other\n");
}
