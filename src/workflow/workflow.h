/*
 * workflow.h - the use cases of extsvc, the only writer of the store.
 *
 * Each operation checks who may do it (access.c: roles, department,
 * separation of duties), runs as one transaction, and appends its audit
 * record(s) in that same transaction: either everything an operation
 * changes is written, or nothing is.
 *
 * `actor` is the signed-in user (CLI --as, web session, API token). Reads
 * accept actor NULL for the operator at the command line, who holds the
 * database file; every write needs an actor except user bootstrap.
 *
 * Documents and listings come back as jansson objects the caller owns.
 */
#ifndef EXTSVC_WORKFLOW_H
#define EXTSVC_WORKFLOW_H

#include <jansson.h>
#include <stdbool.h>

#include "../core/catalogue.h"
#include "../core/csv_read.h"
#include "../core/evaluate.h"
#include "../core/err.h"
#include "../core/states.h"
#include "../store/audit.h"
#include "../store/db.h"
#include "../store/store.h"

/* Open a database for everything but init: it must exist and have this
 * version's schema. */
enum xcode wf_open(const char *url, struct db **out, struct xerr *e);
/* As wf_open, but where there is no database yet (no SQLite file; a
 * PostgreSQL database without a table) XOK with *out NULL: `check` and
 * `catalogue show` then read the bundled catalogue. */
enum xcode wf_open_present(const char *url, struct db **out, struct xerr *e);

/* Create or migrate the database and load the bundled catalogue where it is
 * not loaded yet; safe to run again. */
enum xcode wf_init(const char *url, struct db **out, struct xerr *e);
/* Copy every row of the database `from_url` into `to_url` (either backend
 * each), ids kept, in one transaction on the target, which is created or
 * migrated as by init and must hold nothing yet (X_STATE otherwise). The
 * copy is recorded in the target's audit log. *report: {from, to, rows:
 * {table: count}}. Sessions are not copied (copy.c, store_copy.c). */
enum xcode wf_copy(const char *from_url, const char *to_url, json_t **report, struct xerr *e);

/* The bundled catalogue (data/catalogue/, built into the binary). */
enum xcode wf_catalogue_bundled(struct catalogue *out, struct xerr *e);
/* The catalogue in force (db NULL: the bundled one). */
enum xcode wf_catalogue_current(struct db *db, struct catalogue *out, struct xerr *e);
/* One catalogue version by id (parsed once per process, then copied). */
enum xcode wf_catalogue_by_id(struct db *db, const char *id, struct catalogue *out, struct xerr *e);
/* Load a new catalogue version and put it in force (ciso). */
enum xcode wf_catalogue_load(struct db *db, const struct user *actor, const char *text, size_t n,
                             char **id, struct xerr *e);

/* --- users ---------------------------------------------------------- */

/* The acting user by login; inactive users are refused. */
enum xcode wf_actor(struct db *db, const char *login, struct user *out, struct xerr *e);
/* Add a user (admin; actor NULL: the operator bootstrapping a database).
 * password may be NULL (cannot sign in until one is set). */
enum xcode wf_user_add(struct db *db, const struct user *actor, const char *login, const char *name,
                       const char *department, unsigned roles, const char *password, long long *id,
                       struct xerr *e);
/* Change a user's name, department, roles, active flag or password (admin).
 * NULL / 0 / -1 leave a field as it is. */
enum xcode wf_user_update(struct db *db, const struct user *actor, const char *login,
                          const char *name, const char *department, unsigned roles, int active,
                          const char *password, struct xerr *e);
enum xcode wf_user_list(struct db *db, const struct user *actor, json_t **out, struct xerr *e);
/* Why a sign-in was refused (for the audit log; the user is told one
 * message for all). */
enum signin_result { SIGNIN_OK, SIGNIN_UNKNOWN, SIGNIN_DISABLED, SIGNIN_WRONG };
/* Check a login and password in the same time whatever the account (one
 * Argon2id verification each); X_AUTH (one message for every failure),
 * *why says which. */
enum xcode wf_check_password(struct db *db, const char *login, const char *password,
                             struct user *out, enum signin_result *why, struct xerr *e);
/* Check a login and password; X_AUTH (one message for every failure). */
enum xcode wf_authenticate(struct db *db, const char *login, const char *password, struct user *out,
                           struct xerr *e);
/* API tokens: valid TOKEN_DEFAULT_DAYS unless asked otherwise (1 to
 * TOKEN_MAX_DAYS), ended by revoking, a new password or a disabled account. */
#define TOKEN_DEFAULT_DAYS 90
#define TOKEN_MAX_DAYS     3650
/* A new API token for the actor: *token is shown once, only its hash is kept. */
enum xcode wf_token_create(struct db *db, const struct user *actor, int days, char **token,
                           struct xerr *e);
/* {"tokens": [{"id", "login", "created_at", "expires_at", "last_used_on", "expired"}],
 * "total"}: the actor's own (login NULL), another user's or everyone's ("*")
 * for admin. Never a token itself. */
enum xcode wf_token_list(struct db *db, const struct user *actor, const char *login, json_t **out,
                         struct xerr *e);
/* End token `id`: the actor's own, or anyone's for admin (X_NOTFOUND for
 * someone else's, as for none). */
enum xcode wf_token_revoke(struct db *db, const struct user *actor, long long id, struct xerr *e);
/* The user of a token (X_AUTH where none). */
enum xcode wf_token_user(struct db *db, const char *token, struct user *out, struct xerr *e);

/* --- evaluation and requests ----------------------------------------- */

/* Evaluate a document without storing anything (db NULL: bundled
 * catalogue). *out is the evaluation JSON. */
enum xcode wf_check(struct db *db, const char *text, size_t n, json_t **out, bool *approvable,
                    struct xerr *e);

struct new_result {
    long long id;
    int carried;            /* answers carried over */
    long long carried_from; /* the request they came from, 0 where none */
};

/* File a draft (manager). With carry_over, answers the document leaves
 * out come from the latest approved request for the same service. */
enum xcode wf_request_new(struct db *db, const struct user *actor, const char *text, size_t n,
                          bool carry_over, struct new_result *out, struct xerr *e);
/* Replace the document of an editable request (draft, consulting,
 * returned; manager of its department), read against the catalogue the
 * request keeps. */
enum xcode wf_request_update(struct db *db, const struct user *actor, long long id,
                             const char *text, size_t n, struct xerr *e);
/* Move an editable request to the catalogue in force (request update
 * --catalogue current): with text, that document (written for the catalogue
 * in force) replaces it; without (NULL), the stored one moves, keeping the
 * answers to items whose text did not change. */
enum xcode wf_request_move(struct db *db, const struct user *actor, long long id, const char *text,
                           size_t n, struct xerr *e);
/* Take one step (consult, conclude, submit, withdraw, approve, reject,
 * return, comment). A new request is submitted only once its 事前協議 was
 * concluded (5(2)①). */
enum xcode wf_request_step(struct db *db, const struct user *actor, long long id,
                           enum req_action action, const char *comment, struct xerr *e);
/* {"id", "kind", "state", "document", "evaluation", "history",
 * "consultation": {"held", "concluded_at", "concluded_by", "comments"},
 * "catalogue_in_force", "catalogue_outdated", "rebased_from", and for a
 * change or retirement "previous" {"request", "catalogue", "document"} and
 * "changes" (core/changes.h)} */
enum xcode wf_request_show(struct db *db, const struct user *actor, long long id, json_t **out,
                           struct xerr *e);
/* {"requests": [...], "total"}: q's page (store_request_list); state
 * NULL or "all" for all. A manager sees their department's requests
 * (q->department_id is set here, not by the caller). */
enum xcode wf_request_list(struct db *db, const struct user *actor, const struct request_query *q,
                           json_t **out, struct xerr *e);

/* Known services and providers, with how many ledger entries each has
 * (any signed-in user); a page of them (store_service_list). */
enum xcode wf_service_list(struct db *db, const struct user *actor, const struct service_query *q,
                           json_t **out, struct xerr *e);

/* --- ledger --------------------------------------------------------- */

enum xcode wf_ledger_list(struct db *db, const struct user *actor, struct ledger_query *q,
                          json_t **out, struct xerr *e);
/* The entries of a query one at a time (for exports): fn gets each entry,
 * a reference it releases, until it returns false. */
enum xcode wf_ledger_each(struct db *db, const struct user *actor, struct ledger_query *q,
                          bool (*fn)(json_t *entry, void *arg), void *arg, struct xerr *e);
/* Evidence files on a request (attachments.c). wf_attach: by the request's
 * own department's manager while it is open; at most `max` bytes; its type
 * from its name, checked against its content (core/filetype.h); item: the
 * requirement it is evidence for, or 0. Reading (list, one file): those
 * who may read the request. */
enum xcode wf_attach(struct db *db, const struct user *actor, long long request_id,
                     const char *name, const char *data, size_t n, long long item, const char *note,
                     size_t max, long long *id, struct xerr *e);
enum xcode wf_attachments(struct db *db, const struct user *actor, long long request_id,
                          json_t **out, struct xerr *e);
enum xcode wf_entry_attachments(struct db *db, const struct user *actor, long long entry_id,
                                json_t **out, struct xerr *e);
/* One file: its listing (*meta) and bytes (*data, n; the caller frees). */
enum xcode wf_attachment_get(struct db *db, const struct user *actor, long long id, json_t **meta,
                             char **data, size_t *n, struct xerr *e);
#define ATTACH_MAX_DEFAULT (20u << 20)
/* Bring in a city's old ledger (CSV saved from Excel; core/csv_read.h,
 * core/ledger_import.h). */
struct import_options {
    const char *source; /* the file's name: each entry records the file and row it came from */
    enum csv_encoding encoding;
    bool dry_run; /* check and show, write nothing */
    void (*progress)(long done, long total, void *arg);
    void *arg;
};
/* admin or approver. Every row is checked first; where any is wrong,
 * X_INVALID and nothing is written, *report listing every problem
 * ("issues": line, column, message). Otherwise (not a dry run) all rows are
 * written in one transaction: each an approved request and a ledger entry
 * whose migrated_from names the file and row, with an audit record
 * (ledger.import). *report (always set, the caller releases it): {"file",
 * "encoding", "dry_run", "rows", "blank_rows", "issues", "notes",
 * "entries" (dry run: the table), "imported", "first_id", "last_id"}.
 * The file is read twice, side by side (checked, and written), rather
 * than held; the transaction is committed once the check found it right. */
enum xcode wf_ledger_import(struct db *db, const struct user *actor, const char *data, size_t n,
                            const struct import_options *o, json_t **report, struct xerr *e);
/* Load the ISMAP cloud service list (CSV; ciso or admin), replacing the
 * one before; every row checked first, as for the ledger. *report: {"file",
 * "encoding", "dry_run", "rows", "issues", "loaded_on"}. */
enum xcode wf_ismap_import(struct db *db, const struct user *actor, const char *data, size_t n,
                           const struct import_options *o, json_t **report, struct xerr *e);
/* What the list says of a registration number, for evaluate_in's context
 * (have: a list is loaded and a number was given). */
struct wf_ismap {
    json_t *json; /* store_ismap_lookup's answer */
    struct ismap_info info;
    bool have;
};
/* The list loaded (store_ismap_status); anyone signed in may read it. */
enum xcode wf_ismap_status(struct db *db, const struct user *actor, json_t **out, struct xerr *e);
/* Whether `u` may load the list (ciso, admin). */
bool wf_ismap_may_load(const struct user *u);
enum xcode wf_ismap_for(struct db *db, const char *number, struct wf_ismap *out, struct xerr *e);
void wf_ismap_release(struct wf_ismap *w);
/* For the entries `ids` (n, at most 10000), in that order, the answers of
 * each one's current version (see store_entry_answers), only of those whose
 * requests the actor may read (an approver all; a manager their own
 * department's; staff none). */
enum xcode wf_ledger_answers(struct db *db, const struct user *actor, const long long *ids, int n,
                             json_t **out, struct xerr *e);
enum xcode wf_ledger_show(struct db *db, const struct user *actor, long long id, json_t **out,
                          struct xerr *e);
/* The same entry as the API's JSON text (compact; caller frees): one
 * statement where the entry is kept ready (ledger_json), the long way
 * where it is not. Byte for byte what dumping wf_ledger_show gives. */
enum xcode wf_ledger_show_json(struct db *db, const struct user *actor, long long id, char **json,
                               struct xerr *e);
/* Make up to `max` (at most 200) of the entry JSON rows that are missing,
 * in one write, when the store says some may be; *made says how many (0:
 * none were missing). For `serve` to run now and then. */
enum xcode wf_entry_json_fill(struct db *db, int max, int *made, struct xerr *e);
/* Open a change request extending the period to `to`; *id is the request. */
enum xcode wf_ledger_extend(struct db *db, const struct user *actor, long long entry,
                            const char *to, const char *comment, long long *id, struct xerr *e);
/* Open a retirement request ending the use on `on`. */
enum xcode wf_ledger_retire(struct db *db, const struct user *actor, long long entry,
                            const char *on, const char *comment, long long *id, struct xerr *e);
/* Open a change request (5(2)③ "other change") with a request document,
 * whole or partial, merged over the entry's current one: top-level keys
 * replace, members of service, classification, period, procurement,
 * requirements and risks replace one by one. The service's name and
 * provider cannot change. *id is the request. */
enum xcode wf_ledger_change(struct db *db, const struct user *actor, long long entry,
                            const char *text, size_t n, long long *id, struct xerr *e);
/* What is due, for a daily reminder (extsvc remind) and the dashboards:
 * {"today", "until", "within", "waiting_days", "ending" (entries whose
 * period ends within `within` days), "retiring" (entries retiring in
 * that time), "ismap_lapses" (entries in use whose ISMAP registration ends
 * before their period), "waiting" (requests in 事前協議 or submitted with
 * nothing done for `waiting_days` days; for those who may read them)}. */
enum xcode wf_remind(struct db *db, const struct user *actor, int within, int waiting_days,
                     json_t **out, struct xerr *e);
/* Entries in use whose period ends within `days` days of today. */
enum xcode wf_ledger_expiring(struct db *db, const struct user *actor, int days, json_t **out,
                              struct xerr *e);

/* The departments, for filters (any signed-in user). */
enum xcode wf_department_list(struct db *db, const struct user *actor, json_t **out,
                              struct xerr *e);

/* City-wide counts of the ledger and of requests (ciso, auditor, approver). */
enum xcode wf_overview(struct db *db, const struct user *actor, json_t **out, struct xerr *e);

/* --- audit ---------------------------------------------------------- */

enum xcode wf_audit_list(struct db *db, const struct user *actor, const struct audit_filter *f,
                         json_t **out, struct xerr *e);
/* Verify the chain (audit.h), and with expect_head ("SEQ:HASH" from
 * wf_audit_head, kept elsewhere; NULL: none) that it still holds it. */
enum xcode wf_audit_verify(struct db *db, const struct user *actor, const char *expect_head,
                           bool *ok, json_t **report, struct xerr *e);
/* The newest record, "SEQ:HASH" ("" for an empty log), to keep elsewhere. */
enum xcode wf_audit_head(struct db *db, const struct user *actor, char out[96], struct xerr *e);

#endif
