/*
 * api.c - the JSON API under /api/v1 (CONTRACT.md section 6): the same
 * workflow operations and documents as the CLI.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/date.h"
#include "html.h"
#include "web.h"

/* Split "/api/v1/requests/12/approve" into segments after /api/v1. */
struct route {
    const char *seg[6];
    int n;
};

static bool split(struct request *r, struct route *rt)
{
    const char *p = r->path + strlen("/api/v1");
    if (strncmp(r->path, "/api/v1", 7) != 0 || (*p && *p != '/'))
        return false;
    rt->n = 0;
    while (*p == '/') {
        p++;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0)
            break;
        if (rt->n == 6)
            return false;
        rt->seg[rt->n++] = pool_strndup(r->pool, p, len);
        p += len;
    }
    return true;
}

static bool is(const struct route *rt, int i, const char *s)
{
    return i < rt->n && strcmp(rt->seg[i], s) == 0;
}

static bool method(const struct request *r, const char *m)
{
    return strcmp(r->method, m) == 0;
}

/* Parse the body as a JSON object (NULL with an error sent). */
static json_t *body_object(struct request *r)
{
    json_error_t jerr;
    if (!utf8_valid(r->body, r->nBody)) {
        reply_error_code(r, X_INVALID, "本文に UTF-8 として正しくない文字が含まれています");
        return NULL;
    }
    json_t *j = json_loadb(r->body, r->nBody, JSON_REJECT_DUPLICATES, &jerr);
    if (!j || !json_is_object(j)) {
        char *msg = pool_printf(r->pool, "本文が JSON オブジェクトとして読めません: %s",
                                j ? "オブジェクトではありません" : jerr.text);
        json_decref(j);
        reply_error_code(r, X_INVALID, msg);
        return NULL;
    }
    return j;
}

/* A string member of a body object, or NULL; a non-string is an error. */
static bool body_string(struct request *r, json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v)) {
        reply_error_code(r, X_INVALID, pool_printf(r->pool, "%s は文字列で指定してください", key));
        return false;
    }
    *out = json_string_value(v);
    return true;
}

/* Only these keys in a body object. */
static bool body_keys(struct request *r, json_t *obj, const char *const *keys)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const char *const *k = keys;
        while (*k && strcmp(*k, key) != 0)
            k++;
        if (!*k) {
            reply_error_code(r, X_INVALID,
                             pool_printf(r->pool, "未知の項目 \"%s\" があります", key));
            return false;
        }
    }
    return true;
}

static bool parse_long(const char *s, long long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0)
        return false;
    *out = v;
    return true;
}

/* Every route but the session needs a signed-in user; a cookie-signed
 * write needs the session's CSRF token. */
static bool require_user(struct request *r)
{
    if (!req_user(r)) {
        reply_error_code(r, X_AUTH, "サインインするか、API トークンを指定してください");
        return false;
    }
    if (r->auth == AUTH_COOKIE && !method(r, "GET") && !method(r, "HEAD")) {
        if (!csrf_equal(req_header(r, "X-CSRF-Token"), r->session.csrf)) {
            reply_error_code(r, X_FORBIDDEN, "CSRF トークンがないか、一致しません");
            return false;
        }
    }
    return true;
}

static void answer(struct request *r, enum xcode rc, struct xerr *e, int status, json_t *out)
{
    if (rc)
        reply_error(r, e);
    else
        reply_json(r, status, out);
}

/* POST/GET/DELETE /api/v1/session */
static void route_session(struct request *r)
{
    struct xerr e = {0};
    if (method(r, "POST")) {
        static const char *const keys[] = {"login", "password", NULL};
        json_t *body = body_object(r);
        const char *login, *password;
        if (!body)
            return;
        if (!body_keys(r, body, keys) || !body_string(r, body, "login", &login) ||
            !body_string(r, body, "password", &password)) {
            json_decref(body);
            return;
        }
        struct session s;
        if (wf_session_signin(r->db, login, password, r->address, &r->cfg->throttle, &s, &e)) {
            json_decref(body);
            reply_error(r, &e);
            return;
        }
        json_decref(body);
        /* The old session, if any, ends: a new id at every sign-in. */
        if (r->have_session) {
            struct xerr ignore;
            wf_session_signout(r->db, r->session.id, &ignore);
        }
        r->set_cookie = session_set_cookie(r, s.id);
        reply_json(r, 200, json_pack("{s:s, s:o}", "csrf", s.csrf, "user", user_to_json(&s.user)));
        session_release(&s);
        return;
    }
    if (method(r, "GET")) {
        if (!req_user(r)) {
            reply_error_code(r, X_AUTH, "サインインしていません");
            return;
        }
        json_t *o = json_pack("{s:o}", "user", user_to_json(req_user(r)));
        if (r->auth == AUTH_COOKIE)
            json_object_set_new(o, "csrf", json_string(r->session.csrf));
        reply_json(r, 200, o);
        return;
    }
    if (method(r, "DELETE")) {
        if (!require_user(r))
            return;
        if (r->auth == AUTH_COOKIE && wf_session_signout(r->db, r->session.id, &e)) {
            reply_error(r, &e);
            return;
        }
        r->set_cookie = session_set_cookie(r, NULL);
        reply_json(r, 200, json_pack("{s:b}", "signed_out", 1));
        return;
    }
    reply_error_code(r, X_INVALID, "このパスでは POST, GET, DELETE のみ使えます");
}

static void route_requests(struct request *r, const struct route *rt)
{
    struct xerr e = {0};
    const struct user *u = req_user(r);
    json_t *out = NULL;
    long long id = 0;
    if (rt->n == 1) {
        if (method(r, "GET")) {
            /* A page of them (limit 1〜1000, default 100), oldest first
             * unless order=desc: a city files thousands a year. */
            struct request_query q = {.state = form_get(&r->query, "state"), .limit = 100};
            const char *v = form_get(&r->query, "order");
            q.newest_first = v && strcmp(v, "desc") == 0;
            long long n;
            if ((v = form_get(&r->query, "limit")) &&
                (!parse_long(v, &n) || n < 1 || n > 1000 || !(q.limit = n))) {
                reply_error_code(r, X_INVALID, "limit は 1〜1000 です");
                return;
            }
            if ((v = form_get(&r->query, "offset")) && (!parse_long(v, &n) || (q.offset = n) < 0)) {
                reply_error_code(r, X_INVALID, "offset は 0 以上の整数です");
                return;
            }
            enum xcode rc = wf_request_list(r->db, u, &q, &out, &e);
            if (!rc) {
                json_object_set_new(out, "limit", json_integer(q.limit));
                json_object_set_new(out, "offset", json_integer(q.offset));
            }
            answer(r, rc, &e, 200, out);
        } else if (method(r, "POST")) {
            const char *co = form_get(&r->query, "carry_over");
            struct new_result res;
            bool carry = co && (strcmp(co, "1") == 0 || strcmp(co, "true") == 0);
            if (wf_request_new(r->db, u, r->body, r->nBody, carry, &res, &e)) {
                reply_error(r, &e);
                return;
            }
            out = json_pack("{s:I}", "id", (json_int_t)res.id);
            if (carry) {
                json_object_set_new(out, "carried_over", json_integer(res.carried));
                json_object_set_new(out, "carried_from",
                                    res.carried_from ? json_integer(res.carried_from)
                                                     : json_null());
            }
            reply_json(r, 201, out);
        } else {
            reply_error_code(r, X_INVALID, "このパスでは GET と POST のみ使えます");
        }
        return;
    }
    if (!parse_long(rt->seg[1], &id) || id == 0) {
        reply_error_code(r, X_NOTFOUND, "申請番号が不正です");
        return;
    }
    if (rt->n == 2) {
        if (method(r, "GET")) {
            enum xcode rc = wf_request_show(r->db, u, id, &out, &e);
            answer(r, rc, &e, 200, out);
        } else if (method(r, "PUT")) {
            /* ?catalogue=current moves the request to the catalogue in
             * force (with an empty body: as it stands). */
            const char *cat = form_get(&r->query, "catalogue");
            if (cat && strcmp(cat, "current") != 0) {
                reply_error_code(r, X_INVALID, "catalogue に指定できるのは current だけです");
                return;
            }
            enum xcode rc =
                cat ? wf_request_move(r->db, u, id, r->nBody ? r->body : NULL, r->nBody, &e)
                    : wf_request_update(r->db, u, id, r->body, r->nBody, &e);
            if (rc)
                reply_error(r, &e);
            else if (wf_request_show(r->db, u, id, &out, &e) == XOK)
                reply_json(r, 200, out);
            else
                reply_json(r, 200, json_pack("{s:I}", "id", (json_int_t)id));
        } else {
            reply_error_code(r, X_INVALID, "このパスでは GET と PUT のみ使えます");
        }
        return;
    }
    if (rt->n == 3 && is(rt, 2, "attachments")) {
        api_attachments(r, id);
        return;
    }
    if (rt->n == 3 && (is(rt, 2, "form.pdf") || is(rt, 2, "notice.pdf"))) {
        if (!method(r, "GET")) {
            reply_error_code(r, X_INVALID, "このパスでは GET のみ使えます");
            return;
        }
        api_request_pdf(r, id, is(rt, 2, "notice.pdf"));
        return;
    }
    int action = req_action_parse(rt->seg[2]);
    if (rt->n != 3 || action < 0) {
        reply_error_code(r, X_NOTFOUND, "未知の操作です");
        return;
    }
    if (!method(r, "POST")) {
        reply_error_code(r, X_INVALID, "操作は POST で行います");
        return;
    }
    const char *comment = NULL;
    json_t *body = NULL;
    if (r->nBody) {
        static const char *const keys[] = {"comment", NULL};
        if (!(body = body_object(r)))
            return;
        if (!body_keys(r, body, keys) || !body_string(r, body, "comment", &comment)) {
            json_decref(body);
            return;
        }
    }
    enum xcode rc = wf_request_step(r->db, u, id, (enum req_action)action, comment, &e);
    json_decref(body);
    if (rc) {
        reply_error(r, &e);
        return;
    }
    if (wf_request_show(r->db, u, id, &out, &e) == XOK)
        reply_json(r, 200, out);
    else
        reply_json(r, 200, json_pack("{s:I}", "id", (json_int_t)id));
}

typedef enum xcode csv_importer(struct db *db, const struct user *actor, const char *data, size_t n,
                                const struct import_options *o, json_t **report, struct xerr *e);

/* POST /api/v1/ledger/import and /api/v1/ismap/import
 * ?dry_run=1&encoding=utf-8|cp932&name=FILE: the body is the CSV (the old
 * ledger, the ISMAP list). 200 with the report (dry run), 201 (imported),
 * or 400 with the error and the report listing every issue. */
static void csv_import(struct request *r, csv_importer *import)
{
    if (!method(r, "POST")) {
        reply_error_code(r, X_INVALID, "import は POST で CSV を送ります");
        return;
    }
    const char *v = form_get(&r->query, "dry_run"), *enc = form_get(&r->query, "encoding");
    struct import_options o = {.dry_run = v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0,
                               .source = form_get(&r->query, "name")};
    if (!o.source || !*o.source)
        o.source = "upload.csv";
    if (enc && strcmp(enc, "utf-8") == 0)
        o.encoding = CSV_ENC_UTF8;
    else if (enc && strcmp(enc, "cp932") == 0)
        o.encoding = CSV_ENC_CP932;
    else if (enc && *enc) {
        reply_error_code(r, X_INVALID, "encoding は utf-8 か cp932 です");
        return;
    }
    struct xerr e = {0};
    json_t *report = NULL;
    enum xcode rc = import(r->db, req_user(r), r->body ? r->body : "", r->nBody, &o, &report, &e);
    if (rc && report) {
        reply_json(r, xerr_http_status(rc),
                   json_pack("{s:{s:s, s:s}, s:o}", "error", "code", xerr_name(rc), "message",
                             e.msg, "report", report));
        return;
    }
    if (rc) {
        reply_error(r, &e);
        return;
    }
    reply_json(r, o.dry_run ? 200 : 201, report);
}

static void route_ledger(struct request *r, const struct route *rt)
{
    struct xerr e = {0};
    const struct user *u = req_user(r);
    json_t *out = NULL;
    if (rt->n == 1) {
        if (!method(r, "GET")) {
            reply_error_code(r, X_INVALID, "このパスでは GET のみ使えます");
            return;
        }
        struct ledger_query q = {.q = form_get(&r->query, "q"),
                                 .state = form_get(&r->query, "state"),
                                 .confidentiality = form_get(&r->query, "confidentiality"),
                                 .sort = form_get(&r->query, "sort"),
                                 .limit = 50};
        const char *all = form_get(&r->query, "all"), *order = form_get(&r->query, "order");
        q.all = all && strcmp(all, "0") != 0 && strcmp(all, "false") != 0;
        q.desc = order && strcmp(order, "desc") == 0;
        if (q.q && !*q.q)
            q.q = NULL;
        if (q.state && !*q.state)
            q.state = NULL;
        if (q.confidentiality && !*q.confidentiality)
            q.confidentiality = NULL;
        const char *v;
        long long n;
        if ((v = form_get(&r->query, "limit"))) {
            if (!parse_long(v, &n) || n < 1 || n > 1000) {
                reply_error_code(r, X_INVALID, "limit は 1〜1000 です");
                return;
            }
            q.limit = n;
        }
        if ((v = form_get(&r->query, "offset"))) {
            if (!parse_long(v, &n)) {
                reply_error_code(r, X_INVALID, "offset は 0 以上の整数です");
                return;
            }
            q.offset = n;
        }
        if ((v = form_get(&r->query, "department")) && *v) {
            if (!parse_long(v, &n)) {
                reply_error_code(r, X_INVALID, "department は所属の番号です");
                return;
            }
            q.department_id = n;
        }
        enum xcode rc = wf_ledger_list(r->db, u, &q, &out, &e);
        answer(r, rc, &e, 200, out);
        return;
    }
    long long id;
    if (!parse_long(rt->seg[1], &id) || id == 0) {
        reply_error_code(r, X_NOTFOUND, "台帳番号が不正です");
        return;
    }
    if (rt->n == 2) {
        if (!method(r, "GET")) {
            reply_error_code(r, X_INVALID, "このパスでは GET のみ使えます");
            return;
        }
        char *text;
        if (wf_ledger_show_json(r->db, u, id, &text, &e))
            reply_error(r, &e);
        else
            reply_json_text(r, 200, text);
        return;
    }
    bool extend = is(rt, 2, "extend"), retire = is(rt, 2, "retire"), change = is(rt, 2, "change");
    if (rt->n != 3 || (!extend && !retire && !change)) {
        reply_error_code(r, X_NOTFOUND, "未知の操作です");
        return;
    }
    if (!method(r, "POST")) {
        reply_error_code(r, X_INVALID, "操作は POST で行います");
        return;
    }
    long long req;
    if (change) {
        /* The body is a request document over the entry's current one. */
        if (wf_ledger_change(r->db, u, id, r->body ? r->body : "", r->nBody, &req, &e))
            reply_error(r, &e);
        else
            reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)req));
        return;
    }
    static const char *const ext_keys[] = {"to", "comment", NULL};
    static const char *const ret_keys[] = {"on", "comment", NULL};
    json_t *body = body_object(r);
    const char *date, *comment;
    if (!body)
        return;
    if (!body_keys(r, body, extend ? ext_keys : ret_keys) ||
        !body_string(r, body, extend ? "to" : "on", &date) ||
        !body_string(r, body, "comment", &comment)) {
        json_decref(body);
        return;
    }
    enum xcode rc = extend ? wf_ledger_extend(r->db, u, id, date, comment, &req, &e)
                           : wf_ledger_retire(r->db, u, id, date, comment, &req, &e);
    json_decref(body);
    if (rc)
        reply_error(r, &e);
    else
        reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)req));
}

/* GET /api/v1/tokens[?user=LOGIN|?all=1], DELETE /api/v1/tokens/{id}:
 * one's own tokens (admin: anyone's), never a token itself. */
static void route_tokens(struct request *r, const struct route *rt)
{
    struct xerr e = {0};
    json_t *out = NULL;
    if (rt->n == 1 && method(r, "GET")) {
        const char *all = form_get(&r->query, "all");
        const char *who = all && strcmp(all, "1") == 0 ? "*" : form_get(&r->query, "user");
        enum xcode rc = wf_token_list(r->db, req_user(r), who && *who ? who : NULL, &out, &e);
        answer(r, rc, &e, 200, out);
        return;
    }
    long long id;
    if (rt->n == 2 && method(r, "DELETE")) {
        if (!parse_long(rt->seg[1], &id) || id == 0) {
            reply_error_code(r, X_INVALID, "トークンの番号が正しくありません");
            return;
        }
        enum xcode rc = wf_token_revoke(r->db, req_user(r), id, &e);
        answer(r, rc, &e, 200,
               rc ? NULL : json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1));
        return;
    }
    reply_error_code(r, X_INVALID, "このパスでは GET（一覧）と DELETE /tokens/{id} のみ使えます");
}

static void route_audit(struct request *r, const struct route *rt)
{
    struct xerr e = {0};
    json_t *out = NULL;
    if (!method(r, "GET")) {
        reply_error_code(r, X_INVALID, "このパスでは GET のみ使えます");
        return;
    }
    if (rt->n == 2 && is(rt, 1, "verify")) {
        bool ok;
        enum xcode rc = wf_audit_verify(r->db, req_user(r), NULL, &ok, &out, &e);
        answer(r, rc, &e, 200, out);
        return;
    }
    if (rt->n != 1) {
        reply_error_code(r, X_NOTFOUND, "未知のパスです");
        return;
    }
    struct audit_filter f = {.actor = form_get(&r->query, "actor"),
                             .action = form_get(&r->query, "action"),
                             .object = form_get(&r->query, "object"),
                             .since = form_get(&r->query, "since"),
                             .until = form_get(&r->query, "until"),
                             .limit = 100};
    long long n;
    const char *v;
    if ((v = form_get(&r->query, "limit")) && parse_long(v, &n) && n > 0 && n <= 10000)
        f.limit = n;
    if ((v = form_get(&r->query, "offset")) && parse_long(v, &n))
        f.offset = n;
    enum xcode rc = wf_audit_list(r->db, req_user(r), &f, &out, &e);
    answer(r, rc, &e, 200, out);
}

bool api_handle(struct request *r)
{
    struct route rt;
    if (!split(r, &rt))
        return false;
    struct xerr e = {0};
    json_t *out = NULL;
    if (is(&rt, 0, "session") && rt.n == 1) {
        route_session(r);
        return true;
    }
    if (!require_user(r))
        return true;
    const struct user *u = req_user(r);
    if (is(&rt, 0, "check") && rt.n == 1) {
        if (!method(r, "POST")) {
            reply_error_code(r, X_INVALID, "check は POST で申請書を送ります");
            return true;
        }
        bool approvable;
        enum xcode rc = wf_check(r->db, r->body, r->nBody, &out, &approvable, &e);
        answer(r, rc, &e, 200, out);
    } else if ((is(&rt, 0, "catalogue") || is(&rt, 0, "services")) && rt.n == 1 &&
               !method(r, "GET")) {
        reply_error_code(r, X_INVALID, "このパスでは GET のみ使えます");
    } else if (is(&rt, 0, "catalogue") && rt.n == 1) {
        struct catalogue cat;
        if (wf_catalogue_current(r->db, &cat, &e)) {
            reply_error(r, &e);
        } else {
            reply_json(r, 200, json_incref(cat.json));
            catalogue_release(&cat);
        }
    } else if (is(&rt, 0, "requests")) {
        route_requests(r, &rt);
    } else if (is(&rt, 0, "attachments") && rt.n == 2) {
        long long aid;
        if (!parse_long(rt.seg[1], &aid) || aid == 0)
            reply_error_code(r, X_NOTFOUND, "添付ファイルの番号が不正です");
        else
            api_attachment_get(r, aid);
    } else if (is(&rt, 0, "ledger") && is(&rt, 1, "import") && rt.n == 2) {
        csv_import(r, wf_ledger_import);
    } else if (is(&rt, 0, "ismap") && is(&rt, 1, "import") && rt.n == 2) {
        csv_import(r, wf_ismap_import);
    } else if (is(&rt, 0, "ismap") && rt.n == 1) {
        if (!method(r, "GET")) {
            reply_error_code(r, X_INVALID, "このパスでは GET のみ使えます");
            return true;
        }
        enum xcode rc = wf_ismap_status(r->db, u, &out, &e);
        answer(r, rc, &e, 200, out);
    } else if ((is(&rt, 0, "ledger.csv") || is(&rt, 0, "ledger.xlsx") ||
                is(&rt, 0, "ledger.pdf")) &&
               rt.n == 1) {
        api_ledger_download(r, is(&rt, 0, "ledger.xlsx")  ? DOWNLOAD_XLSX
                               : is(&rt, 0, "ledger.pdf") ? DOWNLOAD_PDF
                                                          : DOWNLOAD_CSV);
    } else if (is(&rt, 0, "ledger")) {
        route_ledger(r, &rt);
    } else if (is(&rt, 0, "audit")) {
        route_audit(r, &rt);
    } else if (is(&rt, 0, "tokens")) {
        route_tokens(r, &rt);
    } else if (is(&rt, 0, "services") && rt.n == 1) {
        /* A page of them: a city's ledger names thousands. */
        struct service_query q = {.q = form_get(&r->query, "q"), .limit = 100};
        const char *v = form_get(&r->query, "in_ledger");
        q.in_ledger = v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
        long long n;
        if ((v = form_get(&r->query, "limit")) &&
            (!parse_long(v, &n) || n < 1 || n > 1000 || !(q.limit = n))) {
            reply_error_code(r, X_INVALID, "limit は 1〜1000 です");
            return true;
        }
        if ((v = form_get(&r->query, "offset")) && (!parse_long(v, &n) || (q.offset = n) < 0)) {
            reply_error_code(r, X_INVALID, "offset は 0 以上の整数です");
            return true;
        }
        enum xcode rc = wf_service_list(r->db, u, &q, &out, &e);
        answer(r, rc, &e, 200, out);
    } else if (is(&rt, 0, "departments") && rt.n == 1 && method(r, "GET")) {
        enum xcode rc = wf_department_list(r->db, u, &out, &e);
        answer(r, rc, &e, 200, out);
    } else if (is(&rt, 0, "overview") && rt.n == 1 && method(r, "GET")) {
        enum xcode rc = wf_overview(r->db, u, &out, &e);
        answer(r, rc, &e, 200, out);
    } else if (is(&rt, 0, "users") && rt.n == 1 && method(r, "GET")) {
        enum xcode rc = wf_user_list(r->db, u, &out, &e);
        answer(r, rc, &e, 200, out);
    } else {
        reply_error_code(r, X_NOTFOUND,
                         pool_printf(r->pool, "未知の API です: %s %s", r->method, r->path));
    }
    return true;
}
