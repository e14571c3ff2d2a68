/*
 * store.h - what extsvc keeps, as operations on a database: users and
 * departments, catalogue versions, services and providers, requests and
 * their history, the ledger and its versions, API tokens. The audit log is
 * in audit.h.
 *
 * Every function runs its statements on `db` and leaves transactions to
 * the caller (workflow/), which wraps each operation in one. The SQL is
 * written once for every backend (see db.h); only migrations differ.
 *
 * Ownership: strings and json_t returned through out-parameters belong to
 * the caller (free / json_decref / the *_release function named).
 */
#ifndef EXTSVC_STORE_H
#define EXTSVC_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "../core/err.h"
#include "db.h"

#define SCHEMA_VERSION 16

/* Create or migrate the schema to SCHEMA_VERSION. A database from a newer
 * extsvc is refused. */
enum xcode store_migrate(struct db *db, struct xerr *e);
/* Rebuild the ledger's search text (ledger_search.text, folded) and its
 * bigram index (ledger_fts) from the current version of every entry. */
enum xcode store_reindex_search(struct db *db, struct xerr *e);
/* For every command but init: the schema must be exactly SCHEMA_VERSION. */
enum xcode store_check_version(struct db *db, struct xerr *e);

/* `extsvc copy` (store_copy.c): is every table of a migrated database
 * empty? Then copy every row of `from` into `to` (both in transactions of
 * the caller's), ids kept; *counts is {table: rows}. */
enum xcode store_copy_is_empty(struct db *db, bool *empty, struct xerr *e);
enum xcode store_copy_all(struct db *from, struct db *to, json_t **counts, struct xerr *e);
/* After the copy's commit, on PostgreSQL: VACUUM (ANALYZE) of the tables
 * filled, so that the first pages read use the indexes alone (a count of
 * 100,000 requests: 100 ms before autovacuum came by, 20 ms after) and
 * the planner knows the tables' sizes. Nothing on SQLite. */
enum xcode store_copy_settle(struct db *to, struct xerr *e);

/* Current time as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into buf[21]. */
void store_now(char *buf);
/* The time `seconds` from now, as store_now writes it. */
void store_time_in(long long seconds, char *buf);

/* --- users and departments ------------------------------------------ */

enum role {
    ROLE_STAFF = 1 << 0,
    ROLE_MANAGER = 1 << 1,
    ROLE_APPROVER = 1 << 2,
    ROLE_CISO = 1 << 3,
    ROLE_AUDITOR = 1 << 4,
    ROLE_ADMIN = 1 << 5,
};
#define ROLE_COUNT 6

struct user {
    long long id, department_id;
    char *login, *name, *department, *password_hash;
    unsigned roles;
    bool active;
};

void user_release(struct user *u);
/* Parse "manager,approver" into a role mask; 0 with a message for an unknown role. */
unsigned roles_parse(const char *zList, struct xerr *e);
/* "manager,approver" into buf. */
void roles_format(unsigned roles, char *buf, size_t n);
const char *role_name(int bit);  /* bit index 0..5 */
const char *role_label(int bit); /* 職員, 情報セキュリティ管理者, ... */

/* {"departments": [{"id", "name"}]} by name. */
enum xcode store_department_list(struct db *db, json_t **out, struct xerr *e);
enum xcode store_department_id(struct db *db, const char *name, long long *id, struct xerr *e);
enum xcode store_user_insert(struct db *db, const struct user *u, long long *id, struct xerr *e);
enum xcode store_user_update(struct db *db, const struct user *u, struct xerr *e);
/* X_NOTFOUND where there is no such user. */
enum xcode store_user_by_login(struct db *db, const char *login, struct user *out, struct xerr *e);
enum xcode store_user_by_id(struct db *db, long long id, struct user *out, struct xerr *e);
/* {"users": [...]} without password hashes. */
enum xcode store_user_list(struct db *db, json_t **out, struct xerr *e);
json_t *user_to_json(const struct user *u);

/* --- catalogue versions --------------------------------------------- */

/* The catalogue in force: its id and body (JSON text). X_NOTFOUND where none. */
enum xcode store_catalogue_in_force(struct db *db, char **id, char **body, struct xerr *e);
/* One version by id. */
enum xcode store_catalogue_get(struct db *db, const char *id, char **body, struct xerr *e);
/* Does a version with this id exist? Its body (caller frees) where it does. */
enum xcode store_catalogue_find(struct db *db, const char *id, char **body, bool *found,
                                struct xerr *e);
enum xcode store_catalogue_insert(struct db *db, const char *id, const char *title,
                                  const char *effective, const char *body, long long loaded_by,
                                  struct xerr *e);
enum xcode store_catalogue_put_in_force(struct db *db, const char *id, struct xerr *e);
/* {"catalogues": [{"id", "title", "effective", "loaded_at", "in_force"}]} */
enum xcode store_catalogue_list(struct db *db, json_t **out, struct xerr *e);

/* --- services and providers ------------------------------------------ */

/* Room for a service category's name ("file_sharing") and its NUL. */
#define STORE_CATEGORY_MAX 32

/* Find or create the provider and the service (name, function) it offers;
 * `category` is set where the service's was 'other'. `category_out`
 * (NULL: not wanted) receives the service's category as it now is. */
enum xcode store_service_resolve(struct db *db, const char *name, const char *function,
                                 const char *provider, const char *category, long long *id,
                                 char category_out[STORE_CATEGORY_MAX], struct xerr *e);
/* Which services to list: those whose name, function or provider contains
 * q (NULL: all; ASCII letters in either case), only those in the ledger
 * where in_ledger, ordered by name, function and provider, a page of
 * `limit` from `offset`. */
struct service_query {
    long long id; /* that one service only; 0: any */
    const char *q;
    bool in_ledger;
    long long limit, offset;
};
/* {"services": [{"id", "name", "function", "provider", "category", "entries"}],
 *  "total", "limit", "offset"} */
enum xcode store_service_list(struct db *db, const struct service_query *q, json_t **out,
                              struct xerr *e);

/* --- requests ------------------------------------------------------- */

struct request_row {
    long long id, department_id, service_id, entry_id; /* 0 where none */
    long long created_by, submitted_by, decided_by;    /* 0 where none */
    char *kind, *state, *department, *catalogue_id, *document, *evaluation;
    char *change_to, *retire_on, *created_at, *updated_at, *decided_at;
    char *created_by_login, *created_by_name;
    char *rebased_from; /* catalogue the answers were first given under, where moved; else NULL */
    /* On insert: where not 0, the evaluation is this shared text
     * (store_evaluation_text_id) and `evaluation` is not written. Reading
     * gives the text in `evaluation` either way. */
    long long evaluation_id;
    bool approvable;
};

void request_row_release(struct request_row *r);
/* A deep copy of r; release both. */
void request_row_copy(struct request_row *out, const struct request_row *r);
enum xcode store_request_insert(struct db *db, const struct request_row *r, long long *id,
                                struct xerr *e);
/* The id of a shared evaluation text, added where it is new (for requests
 * that share one evaluation by the thousand: an imported ledger's). */
enum xcode store_evaluation_text_id(struct db *db, const char *text, long long *id, struct xerr *e);
/* Writes state, document, evaluation, approvable, catalogue_id, service_id,
 * submitted_by, decided_by, updated_at, decided_at, rebased_from. */
enum xcode store_request_update(struct db *db, const struct request_row *r, struct xerr *e);
/* Writes state, approvable, submitted_by, decided_by, updated_at and
 * decided_at only: a step that leaves the document and its evaluation as
 * they are (rewriting them costs PostgreSQL their compression again). */
enum xcode store_request_set_state(struct db *db, const struct request_row *r, struct xerr *e);
enum xcode store_request_get(struct db *db, long long id, struct request_row *out, struct xerr *e);
/* Which requests to list: in `state` (NULL: all), of a department (0:
 * all), a page of `limit` (0: no limit) from `offset`, oldest first or
 * newest first. */
struct request_query {
    const char *state;
    long long department_id, limit, offset;
    bool newest_first;
};
/* {"requests": [{"id", "kind", "state", "department", "service",
 * "approvable", "created_by", "updated_at"}, ...], "total"} where total
 * counts every request the filters match, not only the page. */
enum xcode store_request_list(struct db *db, const struct request_query *q, json_t **out,
                              struct xerr *e);
/* The latest approved request of kind new or change for a service, other
 * than `except`; *found false where there is none. */
enum xcode store_request_latest_approved(struct db *db, long long service_id, long long except,
                                         struct request_row *out, bool *found, struct xerr *e);
/* Is another request for this ledger entry open (draft .. submitted, returned)? */
enum xcode store_request_open_for_entry(struct db *db, long long entry_id, long long *open_id,
                                        struct xerr *e);

/* Did `actor_id` ever take `action` on the request (any time in its history)? */
enum xcode store_event_by(struct db *db, long long request_id, long long actor_id,
                          const char *action, bool *found, struct xerr *e);

enum xcode store_event_insert(struct db *db, long long request_id, const char *at,
                              long long actor_id, const char *action, const char *from_state,
                              const char *to_state, const char *comment, struct xerr *e);
/* [{"at", "actor", "actor_name", "action", "from", "to", "comment"}], oldest first. */
enum xcode store_events(struct db *db, long long request_id, json_t **out, struct xerr *e);

/* --- ledger --------------------------------------------------------- */

/* The fields (ア)〜(キ) of one version, as the approved document had them,
 * and what the approver decided on besides. */
struct ledger_fields {
    const char *service_name, *service_function, *provider, *purpose;
    const char *level[3];
    const char *period_from, *period_to, *applicant_department, *applicant_name, *scope;
    const char *cloud_provider, *data_location;                 /* NULL: none given */
    int personal_information;                                   /* -1 not said, 0, 1 */
    const char *approval_ref, *approved_on, *vendor_decided_on; /* procurement, 5(2) */
    const char *conditions;                                     /* JSON array text (6 その他) */
    const char *ismap; /* ISMAP registration number; NULL: none (a retirement keeps the last) */
};

/* An entry as store_ledger_get() shows it without its versions, made from
 * its values by store_entry_json(), which also makes every entry read from
 * the database: a writer that knows each value of the entry it has just
 * written (an import) need not read it back. */
struct entry_values {
    long long id, version, request_id, service_id;
    const char *state;      /* entry_state_name() on the day asked about */
    const char *department; /* the department's name */
    const char *retired_on; /* NULL: not retired */
    const char *created_at, *updated_at, *catalogue_id;
    const char *category;      /* the service's */
    const char *migrated_from; /* NULL: not brought in from an old ledger */
    struct ledger_fields f;    /* the current version's (its ismap is not shown) */
    const char *recorded_at, *recorded_by, *recorded_by_name; /* its approval: login, name */
};
/* NULL without memory. */
json_t *store_entry_json(const struct entry_values *v);

/* A new entry; `migrated_from` says where an entry brought in from an old
 * ledger came from, else NULL. Its `version` is 0 until its first version
 * is added, or already the one to be added next at `at` (which then need
 * not rewrite the entry). */
enum xcode store_entry_insert(struct db *db, long long department_id, long long service_id,
                              const char *at, const char *migrated_from, int version, long long *id,
                              struct xerr *e);
/* Add version `version` of entry `entry_id` and make it the current one. */
enum xcode store_entry_add_version(struct db *db, long long entry_id, int version,
                                   long long request_id, const char *kind,
                                   const struct ledger_fields *f, const char *catalogue_id,
                                   const char *at, long long by, struct xerr *e);
enum xcode store_entry_retire(struct db *db, long long entry_id, const char *on, const char *at,
                              struct xerr *e);

struct ledger_query {
    bool all;          /* also expired and retired */
    const char *q;     /* substring of name, function, provider or purpose */
    const char *state; /* active / expired / retired */
    long long department_id;
    const char *confidentiality;
    const char *sort; /* id, name, period_to, updated (default id) */
    bool desc;
    long long limit, offset; /* limit 0: no limit */
    char today[11];          /* YYYY-MM-DD: decides 期間満了 (set by workflow) */
};

/* {"entries": [...], "total": N} */
enum xcode store_ledger_list(struct db *db, const struct ledger_query *q, json_t **out,
                             struct xerr *e);
/* The same entries one at a time, for exports of any size: fn(entry, arg)
 * gets each entry (a new reference it releases) until it returns false.
 * Rows are streamed (db_query_stream): fn must not use `db`. */
enum xcode store_ledger_each(struct db *db, const struct ledger_query *q,
                             bool (*fn)(json_t *entry, void *arg), void *arg, struct xerr *e);
/* The entry with "versions": [...] oldest first. X_NOTFOUND where none.
 * Entries and versions carry, beside (ア)〜(キ), "service.cloud_provider",
 * "service.data_location", "personal_information", "procurement",
 * "conditions" and "approval" {"at", "by", "by_name"}. */
/* The ISMAP cloud service list (store_ismap.c): replaced whole by an
 * import (clear, insert each, loaded). lookup: NULL where no list was
 * loaded, else {"loaded_on", "listed", and where listed "service_name",
 * "provider", "registered_on", "expires_on"}. */
enum xcode store_ismap_clear(struct db *db, struct xerr *e);
enum xcode store_ismap_insert(struct db *db, const char *number, const char *service_name,
                              const char *provider, const char *registered_on,
                              const char *expires_on, struct xerr *e);
enum xcode store_ismap_loaded(struct db *db, const char *day, const char *source, struct xerr *e);
enum xcode store_ismap_lookup(struct db *db, const char *number, json_t **out, struct xerr *e);
/* What list is loaded: {"loaded": false}, or {"loaded": true, "loaded_on",
 * "file", "registrations", "expired" (registrations ended before `today`)}. */
enum xcode store_ismap_status(struct db *db, const char *today, json_t **out, struct xerr *e);
/* What is due (store_remind.c): entries whose retirement day is after
 * `after` and not after `until` (ids); the entries in use on `today` whose
 * ISMAP registration ends before their period does; requests consulting or
 * submitted whose last change was before `before` (a UTC time). */
enum xcode store_retiring_between(struct db *db, const char *after, const char *until, json_t **ids,
                                  struct xerr *e);
enum xcode store_ismap_lapses(struct db *db, const char *today, json_t **out, struct xerr *e);
enum xcode store_requests_waiting(struct db *db, const char *before, json_t **out, struct xerr *e);
/* Evidence files on a request (store_attachments.c). A listing is
 * [{"id", "request", "item" (or null), "name", "type", "size", "sha256",
 * "note", "by", "by_name", "at"}]; the content is base64 text. */
struct attachment_row {
    long long request_id, item, size, uploaded_by; /* item 0: none */
    const char *filename, *content_type, *sha256, *note, *uploaded_at;
};
enum xcode store_attachment_insert(struct db *db, const struct attachment_row *a,
                                   const char *content_b64, long long *id, struct xerr *e);
enum xcode store_attachments_of(struct db *db, long long request_id, json_t **out, struct xerr *e);
/* Those of every request that made a version of the entry. */
enum xcode store_attachments_of_entry(struct db *db, long long entry_id, json_t **out,
                                      struct xerr *e);
/* One: its listing and (content_b64 not NULL) its content; X_NOTFOUND. */
enum xcode store_attachment_get(struct db *db, long long id, json_t **meta, char **content_b64,
                                struct xerr *e);
/* A bulk write (an import) in one transaction: between store_bulk_begin()
 * and store_bulk_end() new versions are not put in the bigram index;
 * store_bulk_index() indexes the new entries first..last at the end, in the
 * same transaction. */
enum xcode store_bulk_begin(struct db *db, struct xerr *e);
enum xcode store_bulk_index(struct db *db, long long first, long long last, struct xerr *e);
void store_bulk_end(struct db *db);
/* For each of the entries `ids` (n of them), in that order, the answers of
 * its current version: [{"entry", "department_id", "service", "catalogue", "track",
 * "requirements", "risks"}] (the request document's objects, as stored).
 * An id without an entry is left out. */
enum xcode store_entry_answers(struct db *db, const long long *ids, int n, json_t **out,
                               struct xerr *e);
enum xcode store_ledger_get(struct db *db, long long id, const char *today, bool with_versions,
                            json_t **out, struct xerr *e);

/* --- What the entry read keeps ready (store_read_cache.c) ---------- */

/* The entry as the API answers it, less "state" and "state_label": its
 * JSON object (compact) in *body (caller frees) and its state on `today`.
 * X_NOTFOUND where no such row is kept (not made yet, or deleted by a
 * change to what it was made from). One statement. */
enum xcode store_entry_json_get(struct db *db, long long id, const char *today, char state[16],
                                char **body, struct xerr *e);
/* Keep (or replace) the entry's JSON with the dates its state is decided
 * from (its current period; its retirement, or NULL); inside the write
 * that changed it. */
enum xcode store_entry_json_put(struct db *db, long long id, const char *period_from,
                                const char *period_to, const char *retired_on, const char *body,
                                struct xerr *e);
/* Up to max ids of entries whose JSON is not kept, lowest first. */
enum xcode store_entry_json_missing(struct db *db, long long *ids, int max, int *n, struct xerr *e);
/* Whether rows may be missing (set by the migration and by the triggers
 * that delete many rows), and clearing it once none are. */
enum xcode store_entry_json_stale(struct db *db, bool *stale, struct xerr *e);
enum xcode store_entry_json_fresh(struct db *db, struct xerr *e);
/* The count of changes to users, departments and tokens, by any process. */
enum xcode store_cred_gen(struct db *db, long long *gen, struct xerr *e);

/* The ids of entries not retired whose period ends between from and until
 * (inclusive), soonest first; rows of one column for the caller to step. */
enum xcode store_ledger_ending(struct db *db, const char *from, const char *until,
                               struct db_rows **rows, struct xerr *e);
/* City-wide counts: {"entries": {"active", "expired", "retired"},
 * "by_department": [{"department", "active", "expired", "retired"}],
 * "by_confidentiality": [{"level", "active"}], "requests": {"draft": N, ...}} */
enum xcode store_overview(struct db *db, const char *today, json_t **out, struct xerr *e);

/* --- API tokens ----------------------------------------------------- */

enum xcode store_token_insert(struct db *db, long long user_id, const char *token_hash,
                              const char *at, const char *expires_at, struct xerr *e);
/* The user and the token of a token hash still valid at `now` (not
 * expired, its user active), the day it was last used ("" never) and
 * when it expires;
 * X_AUTH where none. */
enum xcode store_token_user(struct db *db, const char *token_hash, const char *now,
                            long long *user_id, long long *token_id, char last_used[11],
                            char expires_at[21], struct xerr *e);
/* Note that the token was used `today` (YYYY-MM-DD), once a day. */
enum xcode store_token_touch(struct db *db, long long token_id, const char *today, struct xerr *e);
/* {"tokens": [{"id", "login", "created_at", "expires_at", "last_used_on"}], "total"}:
 * of one user, or of everyone (user_id 0). Never the token or its hash. */
enum xcode store_token_list(struct db *db, long long user_id, json_t **out, struct xerr *e);
enum xcode store_token_owner(struct db *db, long long token_id, long long *user_id, bool *found,
                             struct xerr *e);
enum xcode store_token_delete(struct db *db, long long token_id, struct xerr *e);
/* End every session and API token of a user (a new password, disabled). */
enum xcode store_user_end_credentials(struct db *db, long long user_id, struct xerr *e);

#endif
