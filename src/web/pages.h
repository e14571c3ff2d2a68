/*
 * pages.h - what the page files (pages*.c) share; internal to web/.
 *
 * The layout every page is drawn in, the checks every form passes, the
 * tables several pages show, and the page handlers pages_handle() routes
 * to. Everything writes into r->out and allocates from r->pool, freed when
 * the request ends; values reach the page only through html_printf()'s %s,
 * which escapes them.
 */
#ifndef EXTSVC_WEB_PAGES_H
#define EXTSVC_WEB_PAGES_H

#include <jansson.h>
#include <stdbool.h>

#include "html.h"
#include "web.h"

/* --- JSON fields (pages_common.c) ----------------------------------------- */

/* The string at o[key], or "" where it is missing or not a string. The
 * string belongs to `o`. */
const char *jstr(json_t *o, const char *key);
/* The integer at o[key], or 0. */
long long jint(json_t *o, const char *key);
/* A stored UTC time ("2026-11-25T09:00:00Z") as Japan time for people
 * ("令和8年11月25日 18:00", the date as day() writes it), allocated from
 * r->pool; `utc` itself where it does not parse. */
const char *jst(struct request *r, const char *utc);
/* An ISO date ("2026-04-01") as the pages write dates ([display] dates:
 * 令和8年4月1日 by default); anything else unchanged. */
const char *day(struct request *r, const char *iso);

/* --- layout and checks (pages_common.c) ----------------------------------- */

/* Is the request's method `m` ("GET", "POST")? */
bool method(const struct request *r, const char *m);

/* Open a page titled `title`: head, site header with the navigation the
 * user's roles allow, and the <h1>. */
void page_start(struct request *r, const char *title);
/* Close the page and set the HTML content type (status 200 unless set). */
void page_end(struct request *r);
/* A notice of class `cls` ("error", "ok") saying `msg`. */
void notice(struct request *r, const char *cls, const char *msg);
/* Replace whatever was written with an error page for `e` (status from its
 * code), with a link back to `back` labelled `back_label` (NULL: none). */
void error_page(struct request *r, const struct xerr *e, const char *back, const char *back_label);
/* True where a user signed in with the session cookie; otherwise answer
 * with a redirect to the sign-in page (which comes back here) and false. */
bool require_signin(struct request *r);
/* Decode the posted form into `f` (from r->pool) and check its CSRF token;
 * on failure answer with an error page and return false. */
bool posted_form(struct request *r, struct form *f);
/* The hidden field that carries the session's CSRF token in a form. */
void csrf_field(struct request *r);
/* An <option> of a <select>, selected where `value` equals `current`. */
void select_option(struct sbuf *o, const char *value, const char *label, const char *current);

/* --- tables several pages show (pages_common.c) --------------------------- */

/* Ledger entries as a list table linking to each entry. */
void entries_table(struct request *r, json_t *entries);
/* Requests as a list table linking to each request. */
void requests_table(struct request *r, json_t *requests);
/* A request's evaluation: approvable or not, blockers first. */
void evaluation_panel(struct request *r, json_t *ev);
/* The ledger fields (ア)〜(キ) of an entry or a request document `v`. */
void fields_table(struct request *r, json_t *v);

/* --- the pages; each answers the request in full ---------------------------- */

/* pages_auth.c: GET shows the sign-in form, POST signs in. */
void page_login(struct request *r);
/* pages_auth.c: POST signs out and drops the cookie. */
void page_logout(struct request *r);

/* pages_home.c: the dashboard. */
void page_dashboard(struct request *r);

/* pages_ledger.c: the ledger search. */
void page_ledger(struct request *r);
/* pages_ledger.c: one ledger entry. */
void page_entry(struct request *r, long long id);
/* pages_ledger.c: request an extension, or a retirement where `retire`. */
void page_entry_action(struct request *r, long long id, bool retire);

/* pages_request_form.c: GET shows a new request form, POST evaluates or
 * saves it. */
void page_request_new(struct request *r);
/* pages_request_form.c: the same for an existing request `id`. */
void page_request_edit(struct request *r, long long id);

/* pages_request_form.c: 「変更を申請」 for ledger entry `id`: GET shows the
 * form prefilled with the entry's current document, POST evaluates it or
 * opens the change request. */
void page_entry_change(struct request *r, long long id);
/* POST /requests/{id}/attachments, and the listing (attachments.c). */
void page_attach(struct request *r, long long request_id);
void attachments_html(struct request *r, json_t *files);
/* 旧台帳の取り込み (pages_import.c). */
void page_import(struct request *r);
/* ISMAP クラウドサービスリスト (pages_import.c). */
void page_ismap(struct request *r);

/* pages_requests.c: may `u` open a request of `department`? (approver,
 * ciso, auditor: all; a manager: their department's) */
bool can_open_request(const struct user *u, const char *department);
/* pages_requests.c: 満たす / 満たさない / 対象外 / 未回答 for an answer's
 * status ("met", …; anything else is 未回答). */
const char *answer_label(const char *status);
/* pages_requests.c: 受容する / 低減措置を講ずる / 未決定 for a risk decision. */
const char *decision_label(const char *decision);
/* pages_requests.c: a history event's action in Japanese (the steps, and
 * create, update, rebase). */
const char *event_label(const char *action);
/* pages_requests.c: for a returned request (wf_request_show JSON), the
 * approver's return comment, who and when. */
void return_comment(struct request *r, json_t *req);

/* pages_requests.c: one request: the review page. */
void page_request(struct request *r, long long id);
/* pages_requests.c: POST moves an editable request to the catalogue in
 * force. */
void page_request_rebase(struct request *r, long long id);
/* pages_requests.c: take step `action` ("submit", "approve", …) on it. */
void page_request_step(struct request *r, long long id, const char *action);
/* pages_requests.c: the requests this user sees, in `state` (NULL: the
 * query's state, or all). */
void page_requests(struct request *r, const char *state, const char *title);
/* pages_requests.c: the approver's queue. */
void page_review(struct request *r);

/* pages_admin.c: the audit log with its chain check. */
void page_audit(struct request *r);
/* pages_admin.c: the users; POST adds one. */
void page_users(struct request *r);
/* GET/POST /tokens, POST /tokens/{id}/revoke (pages_tokens.c). */
void page_tokens(struct request *r);
void page_token_revoke(struct request *r, long long id);
/* pages_admin.c: POST updates user `login`. */
void page_user_update(struct request *r, const char *login);
/* pages_admin.c: the catalogue in force. */
void page_catalogue(struct request *r);

#endif
