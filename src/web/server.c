/*
 * server.c - extsvc serve: libmicrohttpd with a thread pool, one SQLite
 * connection per worker thread, a memory pool per request, caps on body,
 * headers, connections and time, a structured access log, and a clean
 * shutdown on SIGTERM that lets requests in flight finish.
 *
 * libmicrohttpd calls the access handler several times per request: the
 * first call only sets up (answering then would lose keep-alive), the
 * following ones deliver the body, the last one (no more data) answers.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../core/text.h"
#include "../workflow/access.h"
#include "accesslog.h"
#include "guard.h"
#include "workers.h"
#include "web.h"

static struct web_config g_cfg;
static atomic_int g_in_flight;
/* Sign-ins run on workers of their own, below the others; requests whose
 * cost grows with the ledger on the query workers (workers.h). */
static struct workers *g_signin, *g_query;

/* --- one database connection per worker thread ----------------------- */

static pthread_mutex_t g_dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db *g_dbs[256];
static int g_nDbs;
static __thread struct db *t_db;

static struct db *thread_db(struct xerr *e)
{
    if (t_db)
        return t_db;
    if (wf_open(g_cfg.db_url, &t_db, e))
        return NULL;
    pthread_mutex_lock(&g_dbs_lock);
    if (g_nDbs < (int)(sizeof g_dbs / sizeof g_dbs[0]))
        g_dbs[g_nDbs++] = t_db;
    pthread_mutex_unlock(&g_dbs_lock);
    return t_db;
}

static void close_dbs(void)
{
    pthread_mutex_lock(&g_dbs_lock);
    for (int i = 0; i < g_nDbs; i++)
        db_close(g_dbs[i]);
    g_nDbs = 0;
    pthread_mutex_unlock(&g_dbs_lock);
}

/* --- authentication ---------------------------------------------------- */

/* Who is asking: a Bearer token, or the session cookie. A bad token is an
 * error; a stale cookie is just nobody. */
static enum xcode authenticate(struct request *r, struct xerr *e)
{
    if (r->authenticated) /* already, from the head (refuse_early) */
        return XOK;
    r->authenticated = true;
    const char *authz = req_header(r, "Authorization");
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return xerr_set(e, X_AUTH, "Authorization は Bearer トークンで指定してください");
        if (wf_token_user(r->db, authz + 7, &r->session.user, e))
            return e->code;
        r->auth = AUTH_TOKEN;
        return XOK;
    }
    const char *cookie = req_cookie(r, session_cookie_name(r));
    if (cookie) {
        struct xerr ignore = {0};
        if (wf_session_resume(r->db, cookie, &g_cfg.throttle, &r->session, &ignore) == XOK) {
            r->auth = AUTH_COOKIE;
            r->have_session = true;
        } else if (ignore.code != X_AUTH) {
            return xerr_set(e, ignore.code, "%s", ignore.msg);
        }
    }
    return XOK;
}

/* --- the access handler ------------------------------------------------ */

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct request *r = cls;
    if (r->query.n >= FORM_MAX_FIELDS)
        return MHD_NO;
    if (!r->query.fields)
        r->query.fields = pool_alloc(r->pool, FORM_MAX_FIELDS * sizeof *r->query.fields);
    if (!r->query.fields)
        return MHD_NO;
    r->query.fields[r->query.n++] =
        (struct form_field){pool_strdup(r->pool, key), pool_strdup(r->pool, value ? value : "")};
    return MHD_YES;
}

static bool query_valid(const struct request *r)
{
    for (size_t i = 0; i < r->query.n; i++)
        if (!utf8_valid(r->query.fields[i].name, strlen(r->query.fields[i].name)) ||
            !utf8_valid(r->query.fields[i].value, strlen(r->query.fields[i].value)))
            return false;
    return true;
}

/* Who is asking, then the API or the pages. */
static void handle(struct request *r, bool api, struct xerr *e)
{
    if (authenticate(r, e))
        goto error;
    /* A state-changing request that rides on the browser's cookie, or that
     * signs in, must come from our own pages (login CSRF included). */
    if (strcmp(r->method, "GET") != 0 &&
        (!api || r->auth == AUTH_COOKIE || strcmp(r->path, "/api/v1/session") == 0) &&
        !req_same_origin(r)) {
        xerr_set(e, X_FORBIDDEN,
                 "ほかのサイトからの送信は受け付けません（Origin がこのサーバーと異なります）");
        goto error;
    }
    if (api ? api_handle(r) : pages_handle(r))
        return;
    xerr_set(e, X_NOTFOUND, "ページが見つかりません: %s", r->path);
error:
    if (api)
        reply_error(r, e);
    else
        pages_error(r, e);
}

/* A CSV for import: the old ledger (POST /ledger/import,
 * /api/v1/ledger/import) or the ISMAP list (POST /ismap,
 * /api/v1/ismap/import). */
static bool is_ledger_import(const struct request *r)
{
    return strcmp(r->method, "POST") == 0 && (strcmp(r->path, "/ledger/import") == 0 ||
                                              strcmp(r->path, "/api/v1/ledger/import") == 0);
}

static bool is_ismap_import(const struct request *r)
{
    return strcmp(r->method, "POST") == 0 &&
           (strcmp(r->path, "/ismap") == 0 || strcmp(r->path, "/api/v1/ismap/import") == 0);
}

static bool is_import(const struct request *r)
{
    return is_ledger_import(r) || is_ismap_import(r);
}

/* An evidence file for a request: POST /api/v1/requests/N/attachments or
 * /requests/N/attachments. */
static bool is_attach(const struct request *r)
{
    if (strcmp(r->method, "POST") != 0)
        return false;
    const char *p = r->path;
    if (strncmp(p, "/api/v1", 7) == 0)
        p += 7;
    if (strncmp(p, "/requests/", 10) != 0)
        return false;
    p += 10;
    if (*p < '1' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    return strcmp(p, "/attachments") == 0;
}

/* The largest body a request may send: an old ledger for import (a city's
 * whole Excel ledger as CSV) up to IMPORT_BODY_MAX, an evidence file up to
 * [attachments] max_mib (and its form around it), anything else
 * BODY_MAX_BYTES. */
static size_t body_cap(const struct request *r)
{
    return is_import(r)   ? IMPORT_BODY_MAX
           : is_attach(r) ? attach_max(r) + (64u << 10)
                          : BODY_MAX_BYTES;
}

static void dispatch(struct request *r)
{
    struct xerr e = {0};
    bool api = strncmp(r->path, "/api/", 5) == 0;
    if (r->too_large) {
        xerr_set(&e, X_TOOLARGE, "本文が大きすぎます（%zu MiB まで）", body_cap(r) >> 20);
        goto error;
    }
    if (!utf8_valid(r->path, strlen(r->path)) || !query_valid(r)) {
        xerr_set(&e, X_INVALID, "URL に UTF-8 として正しくない文字が含まれています");
        goto error;
    }
    if (static_handle(r))
        return;
    if (strcmp(r->path, "/favicon.ico") == 0) {
        r->status = 204;
        r->cache = "public, max-age=86400";
        return;
    }
    if (!(r->db = thread_db(&e)))
        goto error;
    /* An API read with a token (no session to refresh; the token's
     * last-used day is written at most once a day, and may fail here):
     * its statements share one read transaction where that is cheaper. */
    bool snapshot = api && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) &&
                    req_header(r, "Authorization") && db_cheap_snapshots(r->db);
    if (snapshot && db_begin_read(r->db, &e)) {
        snapshot = false;
        e = (struct xerr){0};
    }
    handle(r, api, &e);
    if (snapshot) {
        struct xerr ignore;
        db_commit(r->db, &ignore);
    }
    return;
error:
    if (api)
        reply_error(r, &e);
    else
        pages_error(r, &e);
}

static void add_security_headers(struct MHD_Response *resp, const struct request *r)
{
    if (req_secure(r)) /* over TLS: browsers keep to https for a year */
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                            "base-uri 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
}

static void access_log(const struct request *r, long long usec)
{
    /* Written by hand (not jansson): a path of any bytes, even ones that
     * are not UTF-8, is still logged, as valid JSON. */
    char now[21];
    store_now(now);
    struct sbuf line;
    sbuf_init(&line, 0);
    bool ok =
        sbuf_addf(&line, "{\"at\":\"%s\",\"addr\":", now) &&
        sbuf_add_json_string(&line, r->address) && sbuf_adds(&line, ",\"method\":") &&
        sbuf_add_json_string(&line, r->head ? "HEAD" : r->method) &&
        sbuf_adds(&line, ",\"path\":") && sbuf_add_json_string(&line, r->path) &&
        sbuf_addf(&line, ",\"status\":%d,\"bytes\":%zu,\"us\":%lld", r->status, r->out.len, usec);
    if (ok && req_user(r))
        ok = sbuf_adds(&line, ",\"user\":") && sbuf_add_json_string(&line, req_user(r)->login);
    if (ok && sbuf_adds(&line, "}"))
        accesslog_line(line.buf, line.len);
    sbuf_release(&line);
}

static long long usec_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct conn_state {
    struct request req;
    long long started;
    void *guard;   /* the connection's guard.h context */
    bool overload; /* refused with 503 over a limit: not in the access log */
    struct MHD_Connection *conn;
    atomic_bool done; /* the job handed to workers (workers.h) has answered */
    bool pooled;      /* handed to workers, the connection suspended */
};

/* The peer's address as text ("" if unknown), into addr[INET6_ADDRSTRLEN]. */
static void peer_address(struct MHD_Connection *conn, char *addr)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    addr[0] = '\0';
    if (ci && ci->client_addr) {
        if (ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, addr,
                      INET6_ADDRSTRLEN);
        else if (ci->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr, addr,
                      INET6_ADDRSTRLEN);
    }
}

/* Is the peer at `addr` a proxy whose X-Forwarded-For we believe? */
static bool trusted_proxy(const char *addr)
{
    const char *list = g_cfg.trusted_proxies[0] ? g_cfg.trusted_proxies
                       : g_cfg.behind_proxy     ? "127.0.0.1,::1"
                                                : "";
    size_t n = strlen(addr);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        if (len && len == n && strncmp(p, addr, n) == 0)
            return true;
        p += len;
    }
    return false;
}

/* The audit log's head ("SEQ:HASH", as `extsvc audit head` prints it) to
 * syslog and to the access log, once on each day the server runs: a copy
 * outside the database that `extsvc audit verify --head` checks against. */
static void log_audit_head(char logged_on[11])
{
    char today[11], now[21];
    store_now(now);
    snprintf(today, sizeof today, "%.10s", now);
    if (strcmp(today, logged_on) == 0)
        return;
    struct xerr e = {0};
    struct db *db;
    char head[96] = "";
    if (wf_open(g_cfg.db_url, &db, &e) || wf_audit_head(db, NULL, head, &e)) {
        fprintf(stderr, "extsvc: 監査ログの先頭を記録できません: %s\n", e.msg);
        db_close(db);
        return; /* tried again in a minute */
    }
    db_close(db);
    syslog(LOG_INFO | LOG_AUTH, "audit head %s", head[0] ? head : "(empty)");
    json_t *line = json_pack("{s:s, s:s, s:s}", "at", now, "event", "audit-head", "head", head);
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    if (text) {
        printf("%s\n", text);
        fflush(stdout);
        free(text);
    }
    memcpy(logged_on, today, 11);
}

/* Make a batch of the entry JSON rows the API reads (after an upgrade, or
 * a rename that touched many entries); the number made, 0 where none
 * were missing. A failure is said once and tried again later. */
static struct db *g_fill_db;

static int fill_entry_json(void)
{
    struct db *db = g_fill_db;
    static bool said;
    struct xerr e = {0};
    int made = 0;
    if ((!db && wf_open(g_cfg.db_url, &db, &e)) || wf_entry_json_fill(db, 200, &made, &e)) {
        if (!said)
            fprintf(stderr, "extsvc: 台帳の応答を用意できません（後で再試行します）: %s\n", e.msg);
        said = true;
        made = 0;
    }
    if (made == 0) {
        db_close(db);
        db = NULL;
    }
    g_fill_db = db;
    return made;
}

/* Send what the handlers made of r. */
static enum MHD_Result respond(struct MHD_Connection *conn, struct request *r)
{
    if (r->out.overflow) {
        sbuf_release(&r->out);
        r->status = 500;
        sbuf_adds(&r->out, "out of memory\n");
    }
    size_t n = r->out.len;
    char *body = sbuf_detach(&r->out);
    struct MHD_Response *resp = MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    r->out.len = n; /* for the access log */
    MHD_add_response_header(resp, "Content-Type", r->ctype);
    MHD_add_response_header(resp, "Cache-Control", r->cache ? r->cache : "no-store");
    add_security_headers(resp, r);
    if (r->location)
        MHD_add_response_header(resp, "Location", r->location);
    if (r->disposition)
        MHD_add_response_header(resp, "Content-Disposition", r->disposition);
    if (r->set_cookie)
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r->status == 503) /* the database busy or restarting: nothing was done */
        MHD_add_response_header(resp, "Retry-After", "2");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* What can be decided from the head alone, before a byte of the body is
 * read: a transfer coding we do not speak (501), a declared body over the
 * cap (413), a body sent to the API without valid credentials (401) or by
 * someone whose roles allow no change to what it is sent to (403). True
 * where r is answered so. A client that waits for 100 Continue gets the
 * answer at once and never sends the body; one that sends it anyway has
 * it read and dropped as it comes, unbuffered, and then the answer (were
 * the connection closed on it, its unread bytes would make the kernel
 * reset the connection and lose the answer). */
static bool refuse_early(struct request *r, struct MHD_Connection *conn)
{
    const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
    if (te && strcasecmp(te, "chunked") != 0) {
        r->status = 501;
        r->ctype = "application/json";
        sbuf_adds(&r->out, "{\"error\": {\"code\": \"not-implemented\", \"message\": "
                           "\"Transfer-Encoding は chunked のみ受け付けます\"}}\n");
        r->unreadable = true; /* no body can be read in a coding we do not know */
        return true;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    bool body = te || (cl && strtoull(cl, NULL, 10) > 0);
    if (cl && strtoull(cl, NULL, 10) > body_cap(r)) {
        r->too_large = true;
        dispatch(r); /* answers 413, in the API's or the pages' form */
        return true;
    }
    bool api = strncmp(r->path, "/api/", 5) == 0;
    if (!body || (!api && !is_import(r) && !is_attach(r)) ||
        strcmp(r->path, "/api/v1/session") == 0)
        return false;
    struct xerr e = {0};
    if (!(r->db = thread_db(&e)) || authenticate(r, &e)) {
        if (api)
            reply_error(r, &e);
        else
            pages_error(r, &e);
        return true;
    }
    if (!req_user(r)) {
        xerr_set(&e, X_AUTH, "サインインしてください（API トークンかセッション）");
        if (api)
            reply_error(r, &e);
        else
            pages_error(r, &e);
        return true;
    }
    /* A file is read only from a manager (the request's department is
     * checked once it is read), and from our own pages. */
    if (is_attach(r) &&
        (!has_role(req_user(r), ROLE_MANAGER) || (r->auth == AUTH_COOKIE && !req_same_origin(r)))) {
        xerr_set(&e, X_FORBIDDEN,
                 "添付できるのは申請した課の情報セキュリティ管理者（manager）です");
        if (api)
            reply_error(r, &e);
        else
            pages_error(r, &e);
        return true;
    }
    /* Up to 64 MiB is read only for those who may import, from our pages. */
    bool foreign = r->auth == AUTH_COOKIE && !req_same_origin(r);
    if (is_ismap_import(r) && (!wf_ismap_may_load(req_user(r)) || foreign)) {
        xerr_set(&e, X_FORBIDDEN,
                 "ISMAP のリストを読み込めるのは統括情報セキュリティ責任者（ciso）と admin です");
        if (api)
            reply_error(r, &e);
        else
            pages_error(r, &e);
        return true;
    }
    if (is_ledger_import(r) &&
        ((!has_role(req_user(r), ROLE_ADMIN) && !has_role(req_user(r), ROLE_APPROVER)) ||
         foreign)) {
        xerr_set(&e, X_FORBIDDEN,
                 "旧台帳の取り込みは admin と情報システム管理者（approver）だけが行えます");
        if (api)
            reply_error(r, &e);
        else
            pages_error(r, &e);
        return true;
    }
    /* A body for requests or the ledger from someone who may change
     * neither (staff, auditor, ciso, admin): 403 before it is read. */
    if ((strncmp(r->path, "/api/v1/requests", 16) == 0 ||
         strncmp(r->path, "/api/v1/ledger", 14) == 0) &&
        access_write_requests(req_user(r), &e)) {
        reply_error(r, &e);
        return true;
    }
    return false;
}

/* Does r check a password (workers.h)? */
static bool is_signin(const struct request *r)
{
    return strcmp(r->method, "POST") == 0 &&
           (strcmp(r->path, "/login") == 0 || strcmp(r->path, "/api/v1/session") == 0);
}

/* Is r served where it was read, on libmicrohttpd's thread? Every write
 * (each does a fixed amount of work, and writers wait for each other on
 * the database, not for the CPU), one entry (the API's and the page) and
 * static files. The other reads, whose cost grows with the ledger
 * (searches, listings, exports, printed forms), go to the query workers,
 * where no connection waits behind another that its thread happens to
 * hold. */
static bool served_in_place(const struct request *r)
{
    const char *p = r->path;
    if (strcmp(r->method, "GET") != 0 || strncmp(p, "/static/", 8) == 0 ||
        strcmp(p, "/favicon.ico") == 0)
        return true;
    if (strncmp(p, "/api/v1/ledger/", 15) == 0)
        p += 15;
    else if (strncmp(p, "/ledger/", 8) == 0)
        p += 8;
    else
        return false;
    const char *digits = p;
    while (*p >= '0' && *p <= '9')
        p++;
    return p > digits && !*p;
}

static void dispatch_job(void *arg)
{
    struct conn_state *st = arg;
    dispatch(&st->req);
    atomic_store(&st->done, true);
    MHD_resume_connection(st->conn);
}

/* Hand r to workers `w` (a place reserved): the connection is suspended
 * before the job can resume it, and answered when resumed. */
static enum MHD_Result hand_over(struct MHD_Connection *conn, struct conn_state *st,
                                 struct workers *w)
{
    st->pooled = true;
    st->conn = conn;
    MHD_suspend_connection(conn);
    workers_run(w, dispatch_job, st);
    return MHD_YES;
}

/* 503 to a connection over the limits: no database, no body read, and
 * the connection closed after it. */
static enum MHD_Result refuse_overload(struct MHD_Connection *conn, struct request *r)
{
    static const char body[] = "{\"error\": {\"code\": \"unavailable\", \"message\": "
                               "\"接続が多すぎます。しばらくしてからやり直してください\"}}\n";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    r->status = 503;
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Retry-After", "5");
    MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(conn, 503, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        guard_closed(socket_context);
        return;
    }
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    char addr[INET6_ADDRSTRLEN];
    peer_address(conn, addr);
    guard_opened(socket_context, fd ? fd->connect_fd : -1, addr, trusted_proxy(addr));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct conn_state *st = *con_cls;
    if (!st) {
        /* First call: set up only. */
        struct pool *p = pool_new();
        if (!p)
            return MHD_NO;
        st = pool_alloc(p, sizeof *st);
        if (!st) {
            pool_free(p);
            return MHD_NO;
        }
        st->started = usec_now();
        struct request *r = &st->req;
        r->pool = p;
        r->cfg = &g_cfg;
        r->conn = conn;
        /* HEAD is answered as GET; libmicrohttpd sends the head only. */
        r->method = pool_strdup(p, strcmp(method, "HEAD") == 0 ? "GET" : method);
        r->head = strcmp(method, "HEAD") == 0;
        r->path = pool_strdup(p, url);
        r->status = 200;
        r->ctype = "text/html; charset=utf-8";
        sbuf_init(&r->out, 0);
        sbuf_init(&r->in, body_cap(r));
        char addr[INET6_ADDRSTRLEN];
        peer_address(conn, addr);
        /* The client's address: the peer's, or, where the peer is a proxy
         * we trust, the last hop its X-Forwarded-For names (earlier hops
         * are the client's own word). */
        const char *fwd = trusted_proxy(addr) ? MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                                            "X-Forwarded-For")
                                              : NULL;
        if (fwd) {
            const char *last = strrchr(fwd, ',');
            fwd = last ? last + 1 : fwd;
            while (*fwd == ' ')
                fwd++;
        }
        r->address = pool_strdup(p, fwd && *fwd ? fwd : addr);
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, r);
        atomic_fetch_add(&g_in_flight, 1);
        *con_cls = st;
        const union MHD_ConnectionInfo *sc =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        st->guard = sc ? sc->socket_context : NULL;
        if (!guard_head(st->guard)) {
            /* Over a limit: answered at once, cheaply, and closed. */
            st->overload = true;
            guard_refused();
            return refuse_overload(conn, r);
        }
        if (refuse_early(r, conn)) {
            const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
            if (r->unreadable || (expect && strcasecmp(expect, "100-continue") == 0))
                return respond(conn, r);
            r->refused = true;
            sbuf_release(&r->in);
        }
        return MHD_YES;
    }
    struct request *r = &st->req;
    if (r->refused) { /* answered from the head: drop the body as it comes */
        if (*upload_data_size) {
            guard_body(st->guard, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        guard_handling(st->guard);
        return respond(conn, r);
    }
    if (*upload_data_size) {
        guard_body(st->guard, *upload_data_size);
        /* Body: keep up to the cap, then only note that it was too large. */
        if (!r->too_large && !sbuf_add(&r->in, upload_data, *upload_data_size)) {
            r->too_large = true;
            sbuf_release(&r->in);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->pooled) { /* resumed: the job has answered */
        if (!atomic_load(&st->done))
            return MHD_YES;
        return respond(conn, r);
    }
    r->body = r->in.buf ? r->in.buf : "";
    r->nBody = r->in.len;
    guard_handling(st->guard);
    if (is_signin(r)) {
        if (!workers_reserve(g_signin)) {
            struct xerr e = {0};
            xerr_set(&e, X_BUSY,
                     "サインインが混み合っています。しばらくしてからやり直してください");
            if (strncmp(r->path, "/api/", 5) == 0)
                reply_error(r, &e);
            else
                pages_error(r, &e);
            return respond(conn, r);
        }
        return hand_over(conn, st, g_signin);
    }
    /* The query workers' queue holds every connection there can be; were
     * it ever full, r is served here rather than refused. */
    if (!served_in_place(r) && workers_reserve(g_query))
        return hand_over(conn, st, g_query);
    dispatch(r);
    return respond(conn, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_state *st = *con_cls;
    if (!st)
        return;
    struct request *r = &st->req;
    if (!st->overload) /* those are counted, and logged every 10 s (guard.c) */
        access_log(r, usec_now() - st->started);
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        guard_done(st->guard);
    if (r->auth != AUTH_NONE || r->have_session)
        session_release(&r->session);
    sbuf_release(&r->out);
    sbuf_release(&r->in);
    pool_free(r->pool);
    *con_cls = NULL;
    atomic_fetch_sub(&g_in_flight, 1);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct sbuf sb;
    sbuf_init(&sb, 1u << 20);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sbuf_add(&sb, buf, n);
    fclose(f);
    if (sb.overflow) {
        sbuf_release(&sb);
        return NULL;
    }
    return sbuf_detach(&sb);
}

static void usage(const char *u)
{
    fprintf(stderr, "使い方: extsvc %s\n", u);
}

int web_serve_main(const char *usage_line, const char *db_url, int argc, char **argv)
{
    web_config_defaults(&g_cfg, db_url);
    const char *config = NULL, *listen = NULL;
    bool check_only = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf(
                "使い方: extsvc %s\n\n"
                "Web アプリケーション（日本語の画面と JSON API /api/v1）を起動します。\n"
                "--listen ADDR:PORT 待ち受けるアドレス（既定 127.0.0.1:8080、IPv6 は [::1]:8080）\n"
                "--config FILE      INI 形式の設定ファイル（[server] listen, database, threads, "
                "max_connections, max_connections_per_address, connection_timeout, header_timeout, "
                "idle_timeout, body_min_rate, query_threads, signin_threads, signin_queue, "
                "trusted_proxy, "
                "access_log_flush_ms / "
                "[session] idle_minutes, absolute_hours, max_failures, lockout_minutes / "
                "[tls] certificate, key, behind_proxy / [audit] key_file）\n"
                "--threads N        接続を受け持つスレッドの数（既定 コア数の 2 倍、16 まで）。"
                "検索・一覧・出力は別の query_threads（既定 コア数、PostgreSQL では 2 "
                "倍）が受け付け順に処理します\n"
                "SIGTERM / SIGINT で、処理中の要求を終えてから停止します。\n",
                usage_line);
            return 0;
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            g_cfg.threads = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--check") == 0) {
            check_only = true;
        } else {
            fprintf(stderr, "extsvc: serve: 未知の引数 %s です\n", argv[i]);
            usage(usage_line);
            return 2;
        }
    }
    if (config && !web_config_read(&g_cfg, config))
        return 2;
    if (listen)
        snprintf(g_cfg.listen, sizeof g_cfg.listen, "%s", listen);
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (!web_config_check(&g_cfg, &ss, &sslen))
        return 2;
    /* The database must be there and current before we listen. */
    struct xerr e = {0};
    struct db *probe;
    if (wf_open(g_cfg.db_url, &probe, &e) || audit_key_ready(probe, &e)) {
        fprintf(stderr, "extsvc: %s\n", e.msg);
        db_close(probe);
        return xerr_exit_status(e.code);
    }
    db_close(probe);
    if (check_only)
        return 0;

    char *cert = NULL, *key = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (g_cfg.tls_cert[0] || g_cfg.tls_key[0]) {
        cert = slurp(g_cfg.tls_cert);
        key = slurp(g_cfg.tls_key);
        if (!cert || !key) {
            fprintf(stderr, "extsvc: TLS の証明書 '%s' または鍵 '%s' を読めません\n",
                    g_cfg.tls_cert, g_cfg.tls_key);
            free(cert);
            free(key);
            return 2;
        }
        flags |= MHD_USE_TLS;
    }
    /* poll(), not epoll: with a thread pool, MHD_quiesce_daemon() under epoll
     * can abort in 0.9.75 ("Failed to remove listen FD from epoll set") when
     * a worker touches its epoll set at the same moment; poll() keeps no such
     * state, and a city's server never has thousands of connections. */
    /* Block the stop signals in every thread; the main thread waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* The connection limit leaves room to answer those over max_connections
     * with a 503 (guard.c) rather than have libmicrohttpd close them; the
     * limit per address is the guard's too, so that it can answer them. */
    unsigned spare = g_cfg.max_connections / 4 > 16 ? (unsigned)g_cfg.max_connections / 4 : 16;
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)guard_log, NULL}, /* first, says 0.9.75 */
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_THREAD_POOL_SIZE, g_cfg.threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)(g_cfg.max_connections + spare), NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, g_cfg.connection_timeout, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, NULL},
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL}};
    struct guard_limits limits = {.header_timeout = g_cfg.header_timeout,
                                  .idle_timeout = g_cfg.idle_timeout,
                                  .body_min_rate = g_cfg.body_min_rate,
                                  .max_connections = g_cfg.max_connections,
                                  .max_per_address = g_cfg.max_per_address,
                                  .tls = cert != NULL};
    if (!(g_signin = workers_start(g_cfg.signin_threads, g_cfg.signin_queue, 10)) ||
        !(g_query =
              workers_start(web_query_threads(&g_cfg), g_cfg.max_connections + (int)spare, 0))) {
        workers_stop(g_signin);
        fprintf(stderr, "extsvc: サインインと検索のスレッドを始められません\n");
        free(cert);
        free(key);
        return 3;
    }
    if (!accesslog_start(g_cfg.access_log_flush_ms)) {
        workers_stop(g_signin);
        workers_stop(g_query);
        fprintf(stderr, "extsvc: アクセスログを書くスレッドを始められません\n");
        free(cert);
        free(key);
        return 3;
    }
    if (!guard_start(&limits)) {
        accesslog_stop();
        workers_stop(g_signin);
        workers_stop(g_query);
        fprintf(stderr, "extsvc: 接続を見張るスレッドを始められません\n");
        free(cert);
        free(key);
        return 3;
    }
    struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
                                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "extsvc: %s で待ち受けを始められません: %s\n", g_cfg.listen,
                strerror(errno));
        guard_stop();
        accesslog_stop();
        workers_stop(g_signin);
        workers_stop(g_query);
        free(cert);
        free(key);
        return 3;
    }
    char shown[512]; /* never the database's password in a log */
    fprintf(stderr,
            "extsvc: %s://%s/ で待ち受けています（データベース %s、スレッド %d、検索・一覧 %d）\n",
            cert ? "https" : "http", g_cfg.listen, db_url_shown(g_cfg.db_url, shown, sizeof shown),
            g_cfg.threads, web_query_threads(&g_cfg));
    /* Wait for a stop signal; meanwhile, say the audit log's head once a
     * day, for the city to keep outside the database. */
    char logged_on[11] = "";
    for (;;) {
        log_audit_head(logged_on);
        /* While entry JSON is being made, a batch every 20 ms (writers get
         * their turn between); else a look once a minute. */
        struct timespec wait = {60, 0};
        if (fill_entry_json() > 0)
            wait = (struct timespec){0, 20 * 1000000L};
        if (sigtimedwait(&stop, NULL, &wait) >= 0)
            break;
    }
    db_close(g_fill_db);
    fprintf(stderr, "extsvc: 停止します（処理中の要求を待っています）\n");
    MHD_quiesce_daemon(d);
    for (int i = 0; i < 100 && atomic_load(&g_in_flight) > 0; i++)
        usleep(100 * 1000);
    MHD_stop_daemon(d);
    guard_stop();
    accesslog_stop();
    workers_stop(g_query);
    workers_stop(g_signin);
    close_dbs();
    free(cert);
    free(key);
    fprintf(stderr, "extsvc: 停止しました\n");
    return 0;
}
