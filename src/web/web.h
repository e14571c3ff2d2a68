/*
 * web.h - what the parts of the web application share: one HTTP request
 * as the handlers see it, and how they answer.
 *
 * A handler reads `r` (method, path, query, body, the signed-in user) and
 * fills r->status, r->ctype and r->out; everything it allocates comes from
 * r->pool and is freed when the request ends. Writes go through workflow/
 * only, on the worker thread's own database connection r->db.
 */
#ifndef EXTSVC_WEB_H
#define EXTSVC_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "../core/text.h"
#include "../core/wareki.h"
#include "../workflow/sessions.h"
#include "../workflow/workflow.h"
#include "form.h"
#include "pool.h"

#define BODY_MAX_BYTES (1u << 20)
/* An old ledger uploaded for import (POST /ledger/import, /api/v1/ledger/import). */
#define IMPORT_BODY_MAX (64u << 20)

struct web_config {
    char listen[128]; /* ADDR:PORT */
    char db_url[1024];
    int threads;
    int max_connections;
    int max_per_address;     /* connections from one address; 0: no limit */
    int connection_timeout;  /* seconds without a byte either way (libmicrohttpd) */
    int header_timeout;      /* seconds for a request's head (guard.h) */
    int idle_timeout;        /* seconds a kept-alive connection may wait for the next request */
    int access_log_flush_ms; /* the access log written at least this often; 0: every line */
    int body_min_rate;       /* bytes a second a body must keep up, after header_timeout */
    int query_threads;       /* searches, listings, exports at once (workers.h); 0: decided */
    int signin_threads;      /* sign-ins (Argon2id) at once, on threads of their own */
    int signin_queue;        /* sign-ins waiting beyond those; more: 503 */
    /* Peers whose X-Forwarded-For names the client ("ADDR,ADDR"; with
     * behind_proxy and none given: loopback, the proxy on this host). */
    char trusted_proxies[512];
    char tls_cert[512], tls_key[512];
    bool behind_proxy;          /* TLS ends at a reverse proxy: cookies Secure, HSTS */
    enum date_style date_style; /* how pages write dates ([display] dates) */
    char pdf_boxes[256];        /* the 決裁欄 of a printed request ([print] boxes) */
    size_t attach_max;          /* the largest evidence file, bytes ([attachments] max_mib) */
    struct throttle throttle;
};

/* --- the settings (config.c) ------------------------------------------ */

void web_config_defaults(struct web_config *c, const char *db_url);
/* Read an INI file over c; false after saying why on stderr. */
bool web_config_read(struct web_config *c, const char *path);
/* Check c before the server starts and resolve its listen address; false
 * after saying why on stderr. */
bool web_config_check(const struct web_config *c, struct sockaddr_storage *ss, socklen_t *sslen);
/* The query workers to start: query_threads, or where 0 the cores (twice
 * as many on PostgreSQL). */
int web_query_threads(const struct web_config *c);

enum auth_kind { AUTH_NONE, AUTH_TOKEN, AUTH_COOKIE };

struct request {
    struct pool *pool;
    struct db *db;
    const struct web_config *cfg;
    void *conn;                          /* struct MHD_Connection */
    const char *method, *path, *address; /* method: HEAD as GET (head says which) */
    bool head;
    struct form query;
    const char *body; /* NUL-terminated */
    size_t nBody;
    struct sbuf in; /* the body as it arrives, capped at BODY_MAX_BYTES */
    bool too_large;
    bool refused;       /* answered from the head; the body is dropped unread */
    bool unreadable;    /* in a transfer coding we do not speak: answered at once */
    bool authenticated; /* who is asking was looked up (once per request) */
    /* who */
    enum auth_kind auth;
    struct session session; /* session.user is the actor where auth != AUTH_NONE */
    bool have_session;
    /* the answer */
    int status;
    const char *ctype;
    struct sbuf out;
    const char *location;    /* redirect */
    const char *disposition; /* Content-Disposition of a download */
    const char *set_cookie;
    const char *cache; /* Cache-Control, default no-store */
};

/* --- reading the request and answering it (reply.c) ------------------- */

/* The signed-in user, or NULL. */
const struct user *req_user(const struct request *r);
/* A request header, or NULL. */
const char *req_header(const struct request *r, const char *name);
/* A cookie value, or NULL. */
const char *req_cookie(const struct request *r, const char *name);

/* Does the user reach us over TLS (our own certificate, or a proxy that
 * ends TLS: [tls] behind_proxy)? Then cookies are Secure and __Host-
 * prefixed, and HSTS is sent. */
bool req_secure(const struct request *r);
/* The session cookie's name ("__Host-extsvc_session" over TLS, else
 * "extsvc_session") and the Set-Cookie header that sets it to id (NULL:
 * removes it): HttpOnly, SameSite=Strict, Path=/, Secure over TLS. */
const char *session_cookie_name(const struct request *r);
const char *session_set_cookie(struct request *r, const char *id);
/* May this state-changing request carry the user's cookie (or sign them
 * in)? Its Origin, or failing that its Referer, must be this server's own
 * (scheme and the Host header); one from elsewhere is a cross-site
 * request forgery, the sign-in included. Where a client sends neither
 * (not a browser: a browser always sends Origin with a cross-site POST),
 * true. */
bool req_same_origin(const struct request *r);

/* Compare a presented CSRF token with the session's, in constant time. */
bool csrf_equal(const char *presented, const char *expected);

/* Answer with JSON (takes the reference) / an API error / a redirect. */
void reply_json(struct request *r, int status, json_t *body);
/* Answer with JSON already dumped (takes the string). */
void reply_json_text(struct request *r, int status, char *text);
void reply_error(struct request *r, const struct xerr *e);
void reply_error_code(struct request *r, enum xcode code, const char *message);
void reply_redirect(struct request *r, const char *location);
/* Answer 200 with a file as a download: Content-Disposition attachment
 * with an ASCII name for old clients and the real one as filename*
 * (RFC 6266, 5987). The bytes are copied. */
void reply_download(struct request *r, const char *ctype, const char *ascii_name, const char *name,
                    const char *data, size_t n);

/* --- the handlers server.c dispatches to ------------------------------- */

/* Each returns true where it answered. */
bool api_handle(struct request *r);
/* GET /api/v1/ledger.csv, .xlsx or .pdf (downloads.c). */
enum download { DOWNLOAD_CSV, DOWNLOAD_XLSX, DOWNLOAD_PDF };
void api_ledger_download(struct request *r, enum download kind);
/* Evidence files (attachments.c): the largest file ([attachments]
 * max_mib), GET/POST /api/v1/requests/{id}/attachments, GET
 * /api/v1/attachments/{id}. */
size_t attach_max(const struct request *r);
void api_attachments(struct request *r, long long request_id);
void api_attachment_get(struct request *r, long long id);
/* GET /api/v1/requests/{id}/form.pdf or notice.pdf (downloads.c). */
void api_request_pdf(struct request *r, long long id, bool notice);
bool pages_handle(struct request *r);
bool static_handle(struct request *r);
/* An error as an HTML page (status from the error code). */
void pages_error(struct request *r, const struct xerr *e);

#endif
