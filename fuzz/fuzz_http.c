/*
 * fuzz_http.c - libFuzzer driver for the parts of the HTTP request head
 * that are our own code and callable without a live connection (web/reply.c):
 * the same-origin check for state-changing requests (req_same_origin: the
 * Origin header, else the scheme and authority cut from the Referer,
 * against the Host header), the CSRF token comparison (csrf_equal) and the
 * session cookie's Set-Cookie (session_set_cookie).
 *
 * req_same_origin() reads headers through MHD_lookup_connection_value();
 * this file defines that function itself, over a fake connection, and the
 * linker takes it before libmicrohttpd's (src/ is used unchanged).
 *
 * Input: byte 0 is flags (bit 0 Origin sent, 1 Referer sent, 2 Host sent,
 * 3 a TLS certificate configured, 4 [tls] behind_proxy, 5 a session CSRF
 * token, 6 a presented CSRF token); the rest, cut at '\n', is the Origin,
 * Referer, Host, presented token and session token.
 *
 * Checked, with "ours" meaning the scheme (https over TLS or behind a
 * proxy that ends it, else http; http also where no certificate of ours is
 * configured) + "://" + Host, compared without case:
 *   - neither Origin nor Referer: allowed (not a browser);
 *   - Origin "null", or no Host: refused;
 *   - allowed with an Origin: the Origin is ours;
 *   - allowed by the Referer alone: it starts with ours, then '/' or ends;
 *   - and the other way: an Origin that is ours, or a Referer that is ours
 *     followed by a path, is allowed.
 * Host headers of 500 bytes or more are left out of the "allowed implies
 * ours" checks: both sides are cut at 511 bytes, so a Host that long lets
 * an Origin that differs only after byte 511 through (no browser sends
 * such a Host; see fuzz/README.md).
 *   - csrf_equal(p, s) is exactly "p and s present, s not empty, p == s";
 *   - the Set-Cookie names the cookie __Host-extsvc_session and says
 *     Secure over TLS, and is HttpOnly, SameSite=Strict and Path=/ always.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_http: check failed at line %d: %s\n", __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

struct fake_conn {
    const char *origin, *referer, *host;
};

/* libmicrohttpd's lookup, over the fake connection: header names without
 * case, as libmicrohttpd compares them. */
const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                        const char *key)
{
    const struct fake_conn *c = (const struct fake_conn *)(void *)connection;
    if (kind != MHD_HEADER_KIND || !key)
        return NULL;
    if (strcasecmp(key, "Origin") == 0)
        return c->origin;
    if (strcasecmp(key, "Referer") == 0)
        return c->referer;
    if (strcasecmp(key, "Host") == 0)
        return c->host;
    return NULL;
}

/* s starts with scheme "://" host, without case; the length matched. */
static size_t starts_ours(const char *s, const char *scheme, const char *host)
{
    size_t ns = strlen(scheme), nh = strlen(host);
    if (strncasecmp(s, scheme, ns) != 0 || strncmp(s + ns, "://", 3) != 0 ||
        strncasecmp(s + ns + 3, host, nh) != 0)
        return 0;
    return ns + 3 + nh;
}

static bool is_ours(const char *s, const char *scheme, const char *host)
{
    size_t n = starts_ours(s, scheme, host);
    return n && s[n] == '\0';
}

static bool referer_ours(const char *s, const char *scheme, const char *host)
{
    size_t n = starts_ours(s, scheme, host);
    return n && (s[n] == '\0' || s[n] == '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned flags = data[0];
    char *buf = malloc(size);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    const char *part[5] = {"", "", "", "", ""};
    char *p = buf;
    for (int i = 0; i < 5 && p; i++) {
        part[i] = p;
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        p = nl ? nl + 1 : NULL;
    }
    struct fake_conn conn = {
        flags & 1 ? part[0] : NULL,
        flags & 2 ? part[1] : NULL,
        flags & 4 ? part[2] : NULL,
    };
    const char *presented = flags & 64 ? part[3] : NULL;
    const char *expected = flags & 32 ? part[4] : NULL;

    struct web_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (flags & 8)
        snprintf(cfg.tls_cert, sizeof cfg.tls_cert, "/etc/extsvc/cert.pem");
    cfg.behind_proxy = (flags & 16) != 0;
    struct request r;
    memset(&r, 0, sizeof r);
    r.cfg = &cfg;
    r.conn = &conn;
    r.pool = pool_new();
    CHECK(r.pool);

    bool tls = flags & 8, secure = tls || (flags & 16);
    const char *scheme = secure ? "https" : "http";
    bool same = req_same_origin(&r);
    CHECK(req_secure(&r) == secure);

    if (!conn.origin && !conn.referer)
        CHECK(same);
    if (conn.origin && strcmp(conn.origin, "null") == 0)
        CHECK(!same);
    if ((conn.origin || conn.referer) && !conn.host)
        CHECK(!same);
    if (same && conn.host && strlen(conn.host) < 500) {
        if (conn.origin)
            CHECK(is_ours(conn.origin, scheme, conn.host) ||
                  (!tls && is_ours(conn.origin, "http", conn.host)));
        else if (conn.referer)
            CHECK(referer_ours(conn.referer, scheme, conn.host) ||
                  (!tls && referer_ours(conn.referer, "http", conn.host)));
    }
    if (conn.host && strlen(conn.host) < 500) {
        if (conn.origin && is_ours(conn.origin, scheme, conn.host))
            CHECK(same);
        /* A Referer of ours with a path; a Host with a '/' has no such. */
        size_t n = conn.referer ? starts_ours(conn.referer, scheme, conn.host) : 0;
        if (!conn.origin && n && conn.referer[n] == '/' && !strchr(conn.host, '/'))
            CHECK(same);
    }

    bool eq = csrf_equal(presented, expected);
    CHECK(eq == (presented && expected && *expected && strcmp(presented, expected) == 0));

    const char *name = session_cookie_name(&r);
    CHECK(strcmp(name, secure ? "__Host-extsvc_session" : "extsvc_session") == 0);
    const char *set = session_set_cookie(&r, presented);
    CHECK(set && strncmp(set, name, strlen(name)) == 0 && set[strlen(name)] == '=');
    CHECK(strstr(set, "; Path=/; HttpOnly; SameSite=Strict"));
    CHECK((strstr(set, "; Secure") != NULL) == secure ||
          (presented && strstr(presented, "; Secure")));
    if (!presented)
        CHECK(strstr(set, "; Max-Age=0"));

    pool_free(r.pool);
    free(buf);
    return 0;
}
