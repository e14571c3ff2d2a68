/*
 * pages.c - the Japanese browser pages: which page answers which path.
 *
 * Each area has a file of its own: pages_auth.c (sign-in), pages_home.c
 * (dashboard), pages_ledger.c (台帳), pages_request_form.c and
 * pages_requests.c (利用申請, 審査), pages_admin.c (監査, 利用者管理,
 * カタログ); pages_common.c holds the layout and the pieces they share,
 * declared in pages.h.
 */
#include <stdlib.h>
#include <string.h>

#include "../workflow/access.h"
#include "pages.h"

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
    else if (strcmp(p, "/ledger/import") == 0 && (get || post))
        page_import(r);
    else if (strcmp(p, "/ismap") == 0 && (get || post))
        page_ismap(r);
    else if (path_id(p, "/ledger/", &id, &rest) && !*rest && get)
        page_entry(r, id);
    else if (path_id(p, "/ledger/", &id, &rest) && post &&
             (strcmp(rest, "extend") == 0 || strcmp(rest, "retire") == 0))
        page_entry_action(r, id, strcmp(rest, "retire") == 0);
    else if (path_id(p, "/ledger/", &id, &rest) && strcmp(rest, "change") == 0 && (get || post))
        page_entry_change(r, id);
    else if (strcmp(p, "/requests") == 0 && get)
        page_requests(r, NULL, "利用申請");
    else if (strcmp(p, "/requests/new") == 0 && (get || post))
        page_request_new(r);
    else if (path_id(p, "/requests/", &id, &rest) && !*rest && get)
        page_request(r, id);
    else if (path_id(p, "/requests/", &id, &rest) && strcmp(rest, "edit") == 0 && (get || post))
        page_request_edit(r, id);
    else if (path_id(p, "/requests/", &id, &rest) && strcmp(rest, "attachments") == 0 && post)
        page_attach(r, id);
    else if (path_id(p, "/requests/", &id, &rest) && strcmp(rest, "rebase") == 0 && post)
        page_request_rebase(r, id);
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
    else if (strcmp(p, "/tokens") == 0 && (get || post))
        page_tokens(r);
    else if (path_id(p, "/tokens/", &id, &rest) && strcmp(rest, "revoke") == 0 && post)
        page_token_revoke(r, id);
    else
        return false;
    return true;
}
