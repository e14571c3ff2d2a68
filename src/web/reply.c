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
#include <strings.h>

#include "html.h"
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

void reply_json_text(struct request *r, int status, char *text)
{
    r->status = status;
    r->ctype = "application/json; charset=utf-8";
    sbuf_release(&r->out);
    if (text) {
        sbuf_adds(&r->out, text);
        free(text);
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

bool req_secure(const struct request *r)
{
    return r->cfg->tls_cert[0] || r->cfg->behind_proxy;
}

const char *session_cookie_name(const struct request *r)
{
    return req_secure(r) ? "__Host-extsvc_session" : "extsvc_session";
}

const char *session_set_cookie(struct request *r, const char *id)
{
    return pool_printf(r->pool, "%s=%s%s; Path=/; HttpOnly; SameSite=Strict%s",
                       session_cookie_name(r), id ? id : "", id ? "" : "; Max-Age=0",
                       req_secure(r) ? "; Secure" : "");
}

/* "scheme://host[:port]" of an absolute URL, into out; false if it has none. */
static bool origin_of(const char *url, char *out, size_t n)
{
    const char *p = strstr(url, "://");
    if (!p)
        return false;
    const char *end = strchr(p + 3, '/');
    size_t len = end ? (size_t)(end - url) : strlen(url);
    if (len + 1 > n)
        return false;
    memcpy(out, url, len);
    out[len] = '\0';
    return true;
}

bool req_same_origin(const struct request *r)
{
    const char *origin = req_header(r, "Origin");
    char from[512];
    /* Values too long to compare whole are not ours (cut, they could
     * match on their first 511 bytes). */
    if (origin && strcmp(origin, "null") != 0) {
        if (strlen(origin) >= sizeof from)
            return false;
        snprintf(from, sizeof from, "%s", origin);
    } else if (origin) /* "null": a sandboxed or privacy-stripped origin, never ours */
        return false;
    else {
        const char *referer = req_header(r, "Referer");
        if (!referer)
            return true;
        if (!origin_of(referer, from, sizeof from))
            return false;
    }
    const char *host = req_header(r, "Host");
    if (!host || strlen(host) > 400)
        return false;
    char mine[512];
    /* Behind a proxy that ends TLS the user's scheme is https although we
     * are reached by http; with our own certificate too. */
    snprintf(mine, sizeof mine, "%s://%s", req_secure(r) ? "https" : "http", host);
    if (strcasecmp(from, mine) == 0)
        return true;
    /* A proxy that keeps http (a test bench, a closed network) is ours too. */
    snprintf(mine, sizeof mine, "http://%s", host);
    return !r->cfg->tls_cert[0] && strcasecmp(from, mine) == 0;
}

void reply_download(struct request *r, const char *ctype, const char *ascii_name, const char *name,
                    const char *data, size_t n)
{
    struct sbuf enc;
    sbuf_init(&enc, 1024);
    url_encode(&enc, name);
    r->status = 200;
    r->ctype = pool_strdup(r->pool, ctype);
    r->disposition = pool_printf(r->pool, "attachment; filename=\"%s\"; filename*=UTF-8''%s",
                                 ascii_name, enc.buf ? enc.buf : "");
    sbuf_release(&enc);
    sbuf_release(&r->out);
    sbuf_add(&r->out, data, n);
}
