/*
 * store_ledger.c - the ledger: entries, their versions, the search index, listings and the overview
 * (the queries of store.h, written once for every backend).
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fold.h"
#include "../core/states.h"
#include "../core/text.h"

/* The searchable text of an entry's version: (ア) name and function, (イ)
 * provider, (ウ) purpose, separated by U+001F so that no search term
 * (control characters are refused) spans two fields, and folded (NFKC and
 * case, core/fold.h) as every query is. Built here, so that no backend needs
 * its own char() or normalization. NULL with *e set where it cannot be. */
static char *search_text(const char *name, const char *function, const char *provider,
                         const char *purpose, struct xerr *e)
{
    struct sbuf text;
    sbuf_init(&text, 0);
    sbuf_addf(&text, "%s\x1f%s\x1f%s\x1f%s", name ? name : "", function ? function : "",
              provider ? provider : "", purpose ? purpose : "");
    char *folded = text.overflow ? NULL : text_fold(text.buf ? text.buf : "");
    if (!folded)
        xerr_set(e, X_INTERNAL,
                 "台帳の検索用テキストを作れません（メモリ不足か、UTF-8 として正しくない文字）");
    sbuf_release(&text);
    return folded;
}

/* Put one entry's searchable text into the bigram index, where the
 * backend has one (db_bigram_fts); elsewhere ledger_search.text is the
 * index's input and nothing more is to be done. */
static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Set while a bulk write (an import) leaves the bigram index to
 * store_bulk_index(): in SQLite every write statement after an FTS5 insert
 * in the same transaction flushes FTS5's pending terms to a new segment,
 * and an import of 100,000 rows spent most of its time doing so. */
static _Thread_local bool defer_index;

static enum xcode index_entry(struct db *db, long long entry_id, const char *text, bool fresh,
                              struct xerr *e)
{
    if (!db_bigram_fts(db))
        return XOK;
    struct sbuf grams;
    sbuf_init(&grams, 0);
    text_bigrams(text, &grams);
    enum xcode rc =
        fresh ? XOK
              : db_exec(db, "DELETE FROM ledger_fts WHERE rowid = ?1", DB_ARGS(DI(entry_id)), e);
    if (!rc)
        rc = db_exec(db, "INSERT INTO ledger_fts(rowid, grams) VALUES (?1, ?2)",
                     DB_ARGS(DI(entry_id), DS(grams.buf ? grams.buf : "")), e);
    sbuf_release(&grams);
    return rc;
}

enum xcode store_reindex_search(struct db *db, struct xerr *e)
{
    struct db_rows *rows;
    if ((db_bigram_fts(db) && db_exec(db, "DELETE FROM ledger_fts", DB_NOARGS, e)) ||
        db_query(db, &rows,
                 "SELECT e.id, v.service_name, v.service_function, v.provider, v.purpose "
                 "FROM ledger_entries e JOIN ledger_versions v ON v.entry_id = e.id AND "
                 "v.version = e.version ORDER BY e.id",
                 DB_NOARGS, e))
        return e->code;
    int rc;
    enum xcode xc = XOK;
    while (!xc && (rc = db_next(rows, e)) == 1) {
        long long id = db_int(rows, 0);
        char *text =
            search_text(db_text(rows, 1), db_text(rows, 2), db_text(rows, 3), db_text(rows, 4), e);
        xc = !text ? e->code
                   : db_exec(db, "UPDATE ledger_search SET text = ?2 WHERE entry_id = ?1",
                             DB_ARGS(DI(id), DS(text)), e);
        if (!xc)
            xc = index_entry(db, id, text, false, e);
        free(text);
    }
    db_done(rows);
    return xc ? xc : rc < 0 ? e->code : XOK;
}

enum xcode store_bulk_begin(struct db *db, struct xerr *e)
{
    defer_index = true;
    /* A larger cache than a reader's 2 MB, for this connection only: the
     * indexes' hot pages stay in memory. Not the whole import: 256 MiB was
     * slower than 16 (each page a fresh allocation and page fault, where
     * a page spilled to the WAL sits in the kernel's cache anyway), and
     * 2 MB slower still (measured on 100,000 rows: 256 MiB, 64 MiB, 16 MiB
     * and 2 MB took 1.08, 1.03, 1 and 1.17). */
    if (db_backend(db) == DB_SQLITE)
        return db_exec(db, "PRAGMA cache_size = -16384", DB_NOARGS, e) ||
                       db_exec(db, "PRAGMA temp_store = MEMORY", DB_NOARGS, e)
                   ? e->code
                   : XOK;
    return XOK;
}

enum xcode store_bulk_index(struct db *db, long long first, long long last, struct xerr *e)
{
    struct db_rows *rows;
    if (db_query(db, &rows,
                 "SELECT entry_id, text FROM ledger_search WHERE entry_id BETWEEN ?1 AND ?2 "
                 "ORDER BY entry_id",
                 DB_ARGS(DI(first), DI(last)), e))
        return e->code;
    /* Read first, then written: the index is written with nothing between. */
    json_t *all = json_array();
    int rc;
    while ((rc = db_next(rows, e)) == 1)
        json_array_append_new(all,
                              json_pack("[I,s]", (json_int_t)db_int(rows, 0), db_text(rows, 1)));
    db_done(rows);
    enum xcode xc = rc < 0 ? e->code : XOK;
    size_t i;
    json_t *row;
    json_array_foreach(all, i, row)
    {
        if (xc)
            break;
        xc = index_entry(db, json_integer_value(json_array_get(row, 0)),
                         json_string_value(json_array_get(row, 1)), true, e);
    }
    json_decref(all);
    return xc;
}

void store_bulk_end(struct db *db)
{
    defer_index = false;
    struct xerr ignore = {0};
    if (db_backend(db) == DB_SQLITE)
        (void)(db_exec(db, "PRAGMA cache_size = -2000", DB_NOARGS, &ignore) ||
               db_exec(db, "PRAGMA temp_store = DEFAULT", DB_NOARGS, &ignore));
}

/* The last schema version that changed how the search text is made (4:
 * folded). A database migrated from below it has its search text and
 * bigram index rebuilt, once, after every migration has run, so that the
 * rebuild meets the schema this code writes. A later change to search_text
 * or text_bigrams comes with a migration and raises this to its number. */

/* --- ledger --------------------------------------------------------- */

enum xcode store_entry_insert(struct db *db, long long department_id, long long service_id,
                              const char *at, const char *migrated_from, int version, long long *id,
                              struct xerr *e)
{
    bool found;
    return db_one_int(
        db,
        "INSERT INTO ledger_entries(department_id, service_id, version, created_at, "
        "updated_at, migrated_from) VALUES (?1, ?2, ?5, ?3, ?3, ?4) RETURNING id",
        DB_ARGS(DI(department_id), DI(service_id), DS(at), DS(migrated_from), DI(version)), id,
        &found, e);
}

enum xcode store_entry_add_version(struct db *db, long long entry_id, int version,
                                   long long request_id, const char *kind,
                                   const struct ledger_fields *f, const char *catalogue_id,
                                   const char *at, long long by, struct xerr *e)
{
    if (db_exec(db,
                "INSERT INTO ledger_versions(entry_id, version, request_id, kind, service_name, "
                "service_function, provider, purpose, confidentiality, integrity, availability, "
                "period_from, period_to, applicant_department, applicant_name, scope, "
                "catalogue_id, recorded_at, recorded_by, cloud_provider, data_location, "
                "personal_information, approval_ref, approved_on, vendor_decided_on, conditions, "
                "ismap) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
                "CASE WHEN ?4 = 'retire' THEN (SELECT p.ismap FROM ledger_versions p "
                "WHERE p.entry_id = ?1 AND p.version = ?2 - 1) ELSE ?27 END)",
                DB_ARGS(DI(entry_id), DI(version), DI(request_id), DS(kind), DS(f->service_name),
                        DS(f->service_function ? f->service_function : ""), DS(f->provider),
                        DS(f->purpose), DS(f->level[0]), DS(f->level[1]), DS(f->level[2]),
                        DS(f->period_from), DS(f->period_to), DS(f->applicant_department),
                        DS(f->applicant_name), DS(f->scope), DS(catalogue_id), DS(at), DI(by),
                        DS(or_empty(f->cloud_provider)), DS(or_empty(f->data_location)),
                        f->personal_information < 0 ? DNULL : DI(f->personal_information),
                        DS(or_empty(f->approval_ref)), DS(or_empty(f->approved_on)),
                        DS(or_empty(f->vendor_decided_on)),
                        DS(f->conditions ? f->conditions : "[]"),
                        DS(f->ismap && *f->ismap ? f->ismap : NULL)),
                e))
        return e->code;
    /* Not rewritten where the entry was written with this version (an
     * import: a tenth of its writing was this row written twice). */
    if (db_exec(db,
                "UPDATE ledger_entries SET version = ?2, updated_at = ?3 "
                "WHERE id = ?1 AND (version <> ?2 OR updated_at <> ?3)",
                DB_ARGS(DI(entry_id), DI(version), DS(at)), e))
        return e->code;
    char *text = search_text(f->service_name, f->service_function, f->provider, f->purpose, e);
    if (!text)
        return e->code;
    enum xcode xc = db_exec(
        db,
        "INSERT INTO ledger_search(entry_id, text, period_from, period_to, "
        "department_id, confidentiality, service_name, service_function, updated_at) "
        "SELECT ?1, ?2, ?5, ?3, department_id, ?4, ?6, ?7, ?8 "
        "FROM ledger_entries WHERE id = ?1 ON CONFLICT(entry_id) DO UPDATE SET "
        "text = excluded.text, period_from = excluded.period_from, "
        "period_to = excluded.period_to, confidentiality = excluded.confidentiality, "
        "service_name = excluded.service_name, service_function = excluded.service_function, "
        "updated_at = excluded.updated_at",
        DB_ARGS(DI(entry_id), DS(text), DS(f->period_to), DS(f->level[0]), DS(f->period_from),
                DS(f->service_name), DS(f->service_function ? f->service_function : ""), DS(at)),
        e);
    if (!xc)
        xc = defer_index ? XOK : index_entry(db, entry_id, text, false, e);
    free(text);
    return xc;
}

enum xcode store_entry_retire(struct db *db, long long entry_id, const char *on, const char *at,
                              struct xerr *e)
{
    if (db_exec(db, "UPDATE ledger_entries SET retired_on = ?2, updated_at = ?3 WHERE id = ?1",
                DB_ARGS(DI(entry_id), DS(on), DS(at)), e))
        return e->code;
    return db_exec(db,
                   "UPDATE ledger_search SET retired_on = ?2, updated_at = ?3 WHERE entry_id = ?1",
                   DB_ARGS(DI(entry_id), DS(on), DS(at)), e);
}

/* The state of an entry on day ?1, derived as entry_state_on() (core/states.c)
 * does: retired from an approved retirement's date, expired past the end of
 * its period, retiring while the retirement's date is ahead, upcoming before
 * the period begins, else in use. R, F and T name the columns of the
 * retirement's date and the period's first and last day. */
#define ENTRY_STATE_SQL STATE_CASE("e.retired_on", "v.period_from", "v.period_to")

#define ENTRY_COLUMNS                                                                              \
    "SELECT e.id, " ENTRY_STATE_SQL ", d.name, e.version, e.retired_on, e.created_at, "            \
    "e.updated_at, v.request_id, v.service_name, v.service_function, v.provider, v.purpose, "      \
    "v.confidentiality, v.integrity, v.availability, v.period_from, v.period_to, "                 \
    "v.applicant_department, v.applicant_name, v.scope, v.catalogue_id, s.category, "              \
    "e.service_id, e.department_id, " DETAIL_COLUMNS ", e.migrated_from "                          \
    "FROM ledger_entries e JOIN departments d ON d.id = e.department_id "                          \
    "JOIN services s ON s.id = e.service_id "                                                      \
    "JOIN ledger_versions v ON v.entry_id = e.id AND v.version = e.version "                       \
    "JOIN users ru ON ru.id = v.recorded_by "

/* What a version keeps beside (ア)〜(キ): ten columns, read by details_to_json(). */
#define DETAIL_COLUMNS                                                                             \
    "v.cloud_provider, v.data_location, v.personal_information, v.approval_ref, v.approved_on, "   \
    "v.vendor_decided_on, v.conditions, v.recorded_at, ru.login, ru.name "

/* The details of a version beside (ア)〜(キ): the cloud provider and data
 * location (別紙 4〜8, 11, 18), personal information, procurement (5(2)
 * 職務権限規程の決裁, 業者決定), the conditions of section 6 and the
 * approval that recorded the version (承認者・承認日: when, login, name). */
static void details_to_json(json_t *o, const struct ledger_fields *f, const char *at,
                            const char *by, const char *by_name)
{
    json_t *svc = json_object_get(o, "service");
    json_object_set_new(svc, "cloud_provider", json_string(or_empty(f->cloud_provider)));
    json_object_set_new(svc, "data_location", json_string(or_empty(f->data_location)));
    json_object_set_new(o, "personal_information",
                        f->personal_information < 0 ? json_null()
                                                    : json_boolean(f->personal_information));
    json_object_set_new(o, "procurement",
                        json_pack("{s:s, s:s, s:s}", "approval_ref", or_empty(f->approval_ref),
                                  "approved_on", or_empty(f->approved_on), "vendor_decided_on",
                                  or_empty(f->vendor_decided_on)));
    json_t *conds = json_loads(f->conditions ? f->conditions : "[]", 0, NULL);
    json_object_set_new(o, "conditions", json_is_array(conds) ? conds : json_array());
    if (conds && !json_is_array(conds))
        json_decref(conds);
    json_object_set_new(o, "approval",
                        json_pack("{s:s, s:s, s:s}", "at", or_empty(at), "by", or_empty(by),
                                  "by_name", or_empty(by_name)));
}

/* The fields (ア)〜(キ). */
static void fields_to_json(json_t *o, const struct ledger_fields *f)
{
    json_object_set_new(o, "service",
                        json_pack("{s:s, s:s, s:s}", "name", or_empty(f->service_name), "function",
                                  or_empty(f->service_function), "provider",
                                  or_empty(f->provider)));
    json_object_set_new(o, "purpose", json_string(or_empty(f->purpose)));
    json_object_set_new(o, "classification",
                        json_pack("{s:s, s:s, s:s}", "confidentiality", or_empty(f->level[0]),
                                  "integrity", or_empty(f->level[1]), "availability",
                                  or_empty(f->level[2])));
    json_object_set_new(
        o, "period",
        json_pack("{s:s, s:s}", "from", or_empty(f->period_from), "to", or_empty(f->period_to)));
    json_object_set_new(o, "applicant",
                        json_pack("{s:s, s:s}", "department", or_empty(f->applicant_department),
                                  "name", or_empty(f->applicant_name)));
    json_object_set_new(o, "scope", json_string(or_empty(f->scope)));
}

/* The fields (ア)〜(キ) from the twelve columns starting at `c`
 * (service_name .. scope), and DETAIL_COLUMNS' first seven from `d`; the
 * strings are the row's. */
static void fields_of_row(struct db_rows *rows, int c, int d, struct ledger_fields *f)
{
    memset(f, 0, sizeof *f);
    f->service_name = db_text(rows, c);
    f->service_function = db_text(rows, c + 1);
    f->provider = db_text(rows, c + 2);
    f->purpose = db_text(rows, c + 3);
    for (int i = 0; i < 3; i++)
        f->level[i] = db_text(rows, c + 4 + i);
    f->period_from = db_text(rows, c + 7);
    f->period_to = db_text(rows, c + 8);
    f->applicant_department = db_text(rows, c + 9);
    f->applicant_name = db_text(rows, c + 10);
    f->scope = db_text(rows, c + 11);
    f->cloud_provider = db_text(rows, d);
    f->data_location = db_text(rows, d + 1);
    f->personal_information = db_is_null(rows, d + 2) ? -1 : db_int(rows, d + 2) != 0;
    f->approval_ref = db_text(rows, d + 3);
    f->approved_on = db_text(rows, d + 4);
    f->vendor_decided_on = db_text(rows, d + 5);
    f->conditions = db_text(rows, d + 6);
}

json_t *store_entry_json(const struct entry_values *v)
{
    int s = entry_state_parse(v->state);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "id", (json_int_t)v->id, "state",
                          or_empty(v->state), "state_label",
                          s < 0 ? "" : entry_state_label((enum entry_state)s), "department",
                          or_empty(v->department), "version", (json_int_t)v->version, "request_id",
                          (json_int_t)v->request_id);
    if (!o)
        return NULL;
    fields_to_json(o, &v->f);
    json_object_set_new(json_object_get(o, "service"), "category",
                        json_string(or_empty(v->category)));
    json_object_set_new(o, "catalogue", json_string(or_empty(v->catalogue_id)));
    json_object_set_new(o, "retired_on", v->retired_on ? json_string(v->retired_on) : json_null());
    json_object_set_new(o, "created_at", json_string(or_empty(v->created_at)));
    json_object_set_new(o, "updated_at", json_string(or_empty(v->updated_at)));
    json_object_set_new(o, "service_id", json_integer(v->service_id));
    details_to_json(o, &v->f, v->recorded_at, v->recorded_by, v->recorded_by_name);
    /* Where an entry brought in from an old ledger came from (schema 11). */
    if (v->migrated_from)
        json_object_set_new(o, "migrated_from", json_string(v->migrated_from));
    return o;
}

static json_t *entry_from_row(struct db_rows *rows)
{
    struct entry_values v = {
        .id = db_int(rows, 0),
        .state = db_text(rows, 1),
        .department = db_text(rows, 2),
        .version = db_int(rows, 3),
        .retired_on = db_is_null(rows, 4) ? NULL : db_text(rows, 4),
        .created_at = db_text(rows, 5),
        .updated_at = db_text(rows, 6),
        .request_id = db_int(rows, 7),
        .catalogue_id = db_text(rows, 20),
        .category = db_text(rows, 21),
        .service_id = db_int(rows, 22),
        .recorded_at = db_text(rows, 31),
        .recorded_by = db_text(rows, 32),
        .recorded_by_name = db_text(rows, 33),
        .migrated_from = db_is_null(rows, 34) ? NULL : db_text(rows, 34),
    };
    fields_of_row(rows, 8, 24, &v.f);
    return store_entry_json(&v);
}

/* An entry still in use on ?1 (listed without --all): neither retired nor
 * expired; one not yet begun, or retiring, is listed. */
#define IN_USE_SQL "(x.retired_on IS NULL OR x.retired_on > ?1) AND x.period_to >= ?1"

/* The number of entries a bigram phrase (args[1]) matches, in use unless
 * `all`, without visiting every match: all matches minus the inactive ones
 * among them, counting from whichever side is smaller. */
static enum xcode count_matches(struct db *db, const struct db_val *args, bool all,
                                long long *total, struct xerr *e)
{
    long long matches = 0, inactive = 0, gone = 0;
    if (db_one_int(db, "SELECT count(*) FROM ledger_fts WHERE ledger_fts MATCH ?1", &args[1], 1,
                   &matches, NULL, e))
        return e->code;
    if (all) {
        *total = matches;
        return XOK;
    }
    if (db_one_int(db,
                   "SELECT (SELECT count(*) FROM ledger_search WHERE retired_on <= ?1) + "
                   "(SELECT count(*) FROM ledger_search WHERE period_to < ?1)",
                   &args[0], 1, &inactive, NULL, e))
        return e->code;
    if (matches <= inactive)
        return db_one_int(db,
                          "SELECT count(*) FROM ledger_fts f JOIN ledger_search x ON "
                          "x.entry_id = f.rowid WHERE ledger_fts MATCH ?2 AND " IN_USE_SQL,
                          args, 2, total, NULL, e);
    if (db_one_int(
            db,
            "SELECT count(*) FROM (SELECT entry_id FROM ledger_search WHERE retired_on <= ?1 "
            "UNION SELECT entry_id FROM ledger_search WHERE period_to < ?1) i "
            "WHERE i.entry_id IN (SELECT rowid FROM ledger_fts WHERE ledger_fts MATCH ?2)",
            args, 2, &gone, NULL, e))
        return e->code;
    *total = matches - gone;
    return XOK;
}

/* The number of entries without a query or a filter: in use unless
 * `all`. All of them less those retired or past their period (found
 * through the indexes of each), not a visit of every row to decide it. */
static enum xcode count_listed(struct db *db, const struct db_val *args, bool all, long long *total,
                               struct xerr *e)
{
    long long n = 0, gone = 0;
    if (db_one_int(db, "SELECT count(*) FROM ledger_search", DB_NOARGS, &n, NULL, e))
        return e->code;
    if (!all &&
        db_one_int(
            db,
            "SELECT count(*) FROM (SELECT entry_id FROM ledger_search WHERE retired_on <= ?1 "
            "UNION SELECT entry_id FROM ledger_search WHERE period_to < ?1) i",
            &args[0], 1, &gone, NULL, e))
        return e->code;
    *total = n - gone;
    return XOK;
}

/* Run a ledger query: the total where `count` (else *total is left 0), and
 * fn(entry, arg) for each entry of the page in order, until fn returns
 * false. The entry is fn's to keep or release. */
static enum xcode ledger_run(struct db *db, const struct ledger_query *q, bool count,
                             bool (*fn)(json_t *entry, void *arg), void *arg, long long *total,
                             struct xerr *e)
{
    /* The filter is one WHERE clause with every parameter always bound, so
     * the statement text is fixed per sort order and cached. */
#define SEARCH_STATE_SQL STATE_CASE("x.retired_on", "x.period_from", "x.period_to")
#define FILTER_WHERE                                                                               \
    "(?3 IS NULL OR " SEARCH_STATE_SQL " = ?3) "                                                   \
    "AND (?4 = 1 OR ?3 IS NOT NULL OR (" IN_USE_SQL ")) "                                          \
    "AND (?5 = 0 OR x.department_id = ?5) AND (?6 IS NULL OR x.confidentiality = ?6) "
/* Two ways to match the text: a LIKE scan (no query, or one character),
 * or the bigram index (two or more characters). Without a bigram index
 * (PostgreSQL) always LIKE, over the same folded text, which its pg_trgm
 * index serves. */
#define LIKE_WHERE_IN(RANGE)                                                                       \
    "WHERE " RANGE "(?2 IS NULL OR x.text LIKE ?2 ESCAPE '\\') AND " FILTER_WHERE
#define LIKE_WHERE LIKE_WHERE_IN("")
/* What the state 期間満了 or 廃止 implies, written so that an index serves
 * it: these are the few, and the generic filter read every row to find
 * them (and again to count them). Both are restrictions the state's CASE
 * implies, so the rows found are the same. */
#define EXPIRED_RANGE "x.period_to < ?1 AND "
#define RETIRED_RANGE "x.retired_on <= ?1 AND "
#define FTS_WHERE                                                                                  \
    "WHERE x.entry_id IN (SELECT rowid FROM ledger_fts WHERE ledger_fts MATCH ?2) "                \
    "AND " FILTER_WHERE
#define SEARCH_JOIN "JOIN ledger_search x ON x.entry_id = e.id "
/* The page's entries chosen from ledger_search alone, then joined for
 * their columns: an offset of 50,000 otherwise built 50,050 whole rows to
 * keep 50 (137 ms on PostgreSQL at 100,000 entries). */
#define PAGE(W, ORDER)                                                                             \
    ENTRY_COLUMNS SEARCH_JOIN "WHERE x.entry_id IN (SELECT x.entry_id FROM ledger_search x " W     \
                              "ORDER BY " ORDER " LIMIT ?7 OFFSET ?8) ORDER BY " ORDER
#define ORDERS(W)                                                                                  \
    {"id", PAGE(W, "x.entry_id")}, {"id-desc", PAGE(W, "x.entry_id DESC")},                        \
        {"name", PAGE(W, "x.service_name, x.service_function, x.entry_id")},                       \
        {"name-desc", PAGE(W, "x.service_name DESC, x.service_function DESC, x.entry_id DESC")},   \
        {"period_to", PAGE(W, "x.period_to, x.entry_id")},                                         \
        {"period_to-desc", PAGE(W, "x.period_to DESC, x.entry_id DESC")},                          \
        {"updated", PAGE(W, "x.updated_at, x.entry_id")},                                          \
    {                                                                                              \
        "updated-desc", PAGE(W, "x.updated_at DESC, x.entry_id DESC")                              \
    }
    static const char *const scan_sorts[][2] = {ORDERS(LIKE_WHERE)};
    static const char *const expired_sorts[][2] = {ORDERS(LIKE_WHERE_IN(EXPIRED_RANGE))};
    static const char *const retired_sorts[][2] = {ORDERS(LIKE_WHERE_IN(RETIRED_RANGE))};
    static const char *const fts_sorts[][2] = {ORDERS(FTS_WHERE)};
    /* The default order (台帳番号) reads the index in rowid order and stops
     * after one page, instead of collecting every match first. */
    static const char fts_page_by_id[] =
        "SELECT e.id, " ENTRY_STATE_SQL ", d.name, e.version, e.retired_on, e.created_at, "
        "e.updated_at, v.request_id, v.service_name, v.service_function, v.provider, v.purpose, "
        "v.confidentiality, v.integrity, v.availability, v.period_from, v.period_to, "
        "v.applicant_department, v.applicant_name, v.scope, v.catalogue_id, s.category, "
        "e.service_id, e.department_id, " DETAIL_COLUMNS ", e.migrated_from "
        "FROM ledger_fts f JOIN ledger_search x ON x.entry_id = f.rowid "
        "JOIN ledger_entries e ON e.id = f.rowid JOIN departments d ON d.id = e.department_id "
        "JOIN services s ON s.id = e.service_id "
        "JOIN ledger_versions v ON v.entry_id = e.id AND v.version = e.version "
        "JOIN users ru ON ru.id = v.recorded_by "
        "WHERE ledger_fts MATCH ?2 AND " FILTER_WHERE "ORDER BY f.rowid LIMIT ?7 OFFSET ?8";
    static const char scan_count[] = "SELECT count(*) FROM ledger_search x " LIKE_WHERE;
    static const char expired_count[] =
        "SELECT count(*) FROM ledger_search x " LIKE_WHERE_IN(EXPIRED_RANGE);
    static const char retired_count[] =
        "SELECT count(*) FROM ledger_search x " LIKE_WHERE_IN(RETIRED_RANGE);
    static const char fts_count[] =
        "SELECT count(*) FROM ledger_fts f JOIN ledger_search x ON x.entry_id = f.rowid "
        "WHERE ledger_fts MATCH ?2 AND " FILTER_WHERE;
    /* The query folded as the stored text is; one character or several is
     * decided on the folded form (ﾊﾟ is one, ﬀ two). */
    char *query = NULL;
    if (q->q && q->q[0] && !(query = text_fold(q->q)))
        return utf8_valid(q->q, strlen(q->q))
                   ? xerr_set(e, X_INTERNAL, "メモリが不足しています")
                   : xerr_set(e, X_INVALID, "検索語に UTF-8 として正しくない文字が含まれています");
    if (query && !query[0]) { /* only ignorable characters: no query */
        free(query);
        query = NULL;
    }
    struct sbuf phrase;
    sbuf_init(&phrase, 0);
    bool fts = false;
    if (query && db_bigram_fts(db)) {
        sbuf_adds(&phrase, "\"");
        fts = text_bigrams(query, &phrase) > 0;
        sbuf_adds(&phrase, "\"");
        if (phrase.overflow) {
            sbuf_release(&phrase);
            free(query);
            return xerr_set(e, X_INTERNAL, "メモリが不足しています");
        }
    }
    bool expired = !fts && q->state && strcmp(q->state, "expired") == 0;
    bool retired = !fts && q->state && strcmp(q->state, "retired") == 0;
    const char *const(*sorts)[2] = fts       ? fts_sorts
                                   : expired ? expired_sorts
                                   : retired ? retired_sorts
                                             : scan_sorts;
    const char *count_sql = fts       ? fts_count
                            : expired ? expired_count
                            : retired ? retired_count
                                      : scan_count;
    char key[32];
    snprintf(key, sizeof key, "%s%s", q->sort ? q->sort : "id", q->desc ? "-desc" : "");
    const char *sql = NULL;
    for (size_t i = 0; i < sizeof scan_sorts / sizeof scan_sorts[0]; i++)
        if (strcmp(sorts[i][0], key) == 0)
            sql = sorts[i][1];
    if (!sql) {
        sbuf_release(&phrase);
        free(query);
        return xerr_set(e, X_INVALID,
                        "並べ替え \"%s\" は id, name, period_to, updated のいずれかにしてください",
                        q->sort);
    }
    char *pattern = fts ? sbuf_detach(&phrase) : query ? store_like_pattern(query) : NULL;
    sbuf_release(&phrase);
    free(query);
    struct db_val args[] = {DS(q->today),
                            DS(pattern),
                            DS(q->state),
                            DI(q->all),
                            DI(q->department_id),
                            DS(q->confidentiality),
                            DI(q->limit > 0 ? q->limit : DB_NO_LIMIT),
                            DI(q->offset > 0 ? q->offset : 0)};
    bool found;
    enum xcode xc = XOK;
    struct db_rows *rows = NULL;
    *total = 0;
    if (fts && strcmp(key, "id") == 0)
        sql = fts_page_by_id;
    if (!count)
        ;
    else if (fts && !q->state && !q->department_id && !q->confidentiality)
        xc = count_matches(db, args, q->all, total, e);
    else if (!pattern && !q->state && !q->department_id && !q->confidentiality)
        xc = count_listed(db, args, q->all, total, e);
    else
        xc = db_one_int(db, count_sql, args, 6, total, &found, e);
    /* Without a count it is an export (store_ledger_each): stream it. */
    if (!xc)
        xc = count ? db_query(db, &rows, sql, args, 8, e)
                   : db_query_stream(db, &rows, sql, args, 8, e);
    if (!xc) {
        int rc;
        while ((rc = db_next(rows, e)) == 1)
            if (!fn(entry_from_row(rows), arg))
                break;
        db_done(rows);
        if (rc < 0)
            xc = e->code;
    }
    free(pattern);
    return xc;
#undef SEARCH_STATE_SQL
#undef FILTER_WHERE
#undef LIKE_WHERE_IN
#undef LIKE_WHERE
#undef EXPIRED_RANGE
#undef RETIRED_RANGE
#undef FTS_WHERE
#undef SEARCH_JOIN
#undef ORDERS
#undef PAGE
}

static bool collect_entry(json_t *entry, void *arr)
{
    json_array_append_new(arr, entry);
    return true;
}

enum xcode store_ledger_list(struct db *db, const struct ledger_query *q, json_t **out,
                             struct xerr *e)
{
    long long total;
    json_t *arr = json_array();
    if (ledger_run(db, q, true, collect_entry, arr, &total, e)) {
        json_decref(arr);
        return e->code;
    }
    *out = json_pack("{s:o, s:I}", "entries", arr, "total", (json_int_t)total);
    return XOK;
}

enum xcode store_ledger_each(struct db *db, const struct ledger_query *q,
                             bool (*fn)(json_t *entry, void *arg), void *arg, struct xerr *e)
{
    long long total;
    return ledger_run(db, q, false, fn, arg, &total, e);
}

enum xcode store_ledger_get(struct db *db, long long id, const char *today, bool with_versions,
                            json_t **out, struct xerr *e)
{
    struct db_rows *rows;
    *out = NULL;
    if (db_query(db, &rows, ENTRY_COLUMNS "WHERE e.id = ?2", DB_ARGS(DS(today), DI(id)), e))
        return e->code;
    int rc = db_next(rows, e);
    json_t *entry = rc == 1 ? entry_from_row(rows) : NULL;
    db_done(rows);
    if (rc < 0)
        return e->code;
    if (!entry)
        return xerr_set(e, X_NOTFOUND, "台帳番号 %lld の登録はありません", id);
    if (with_versions) {
        if (db_query(db, &rows,
                     "SELECT v.version, v.request_id, v.kind, v.recorded_at, ru.login, "
                     "v.catalogue_id, v.service_name, v.service_function, v.provider, v.purpose, "
                     "v.confidentiality, v.integrity, v.availability, v.period_from, v.period_to, "
                     "v.applicant_department, v.applicant_name, v.scope, " DETAIL_COLUMNS
                     "FROM ledger_versions v JOIN users ru ON ru.id = v.recorded_by "
                     "WHERE v.entry_id = ?1 ORDER BY v.version",
                     DB_ARGS(DI(id)), e)) {
            json_decref(entry);
            return e->code;
        }
        json_t *versions = json_array();
        while ((rc = db_next(rows, e)) == 1) {
            json_t *v = json_pack(
                "{s:I, s:I, s:s, s:s, s:s, s:s}", "version", (json_int_t)db_int(rows, 0),
                "request_id", (json_int_t)db_int(rows, 1), "kind", db_text(rows, 2), "recorded_at",
                db_text(rows, 3), "recorded_by", db_text(rows, 4), "catalogue", db_text(rows, 5));
            struct ledger_fields f;
            fields_of_row(rows, 6, 18, &f);
            fields_to_json(v, &f);
            details_to_json(v, &f, db_text(rows, 25), db_text(rows, 26), db_text(rows, 27));
            json_array_append_new(versions, v);
        }
        db_done(rows);
        if (rc < 0) {
            json_decref(versions);
            json_decref(entry);
            return e->code;
        }
        json_object_set_new(entry, "versions", versions);
    }
    *out = entry;
    return XOK;
}

enum xcode store_ledger_ending(struct db *db, const char *from, const char *until,
                               struct db_rows **rows, struct xerr *e)
{
    /* ledger_search keeps each entry's current period, indexed by its end. */
    return db_query(db, rows,
                    "SELECT x.entry_id FROM ledger_search x WHERE x.retired_on IS NULL AND "
                    "x.period_to >= ?1 AND x.period_to <= ?2 ORDER BY x.period_to, x.entry_id",
                    DB_ARGS(DS(from), DS(until)), e);
}

enum xcode store_overview(struct db *db, const char *today, json_t **out, struct xerr *e)
{
#define STATE_OF STATE_CASE("x.retired_on", "x.period_from", "x.period_to")
#define STATE_COUNTS(...)                                                                          \
    json_pack("{s:i, s:i, s:i, s:i, s:i}", "upcoming", 0, "active", 0, "retiring", 0, "expired",   \
              0, "retired", 0)
    struct db_rows *rows;
    json_t *o = json_pack("{s:o, s:[], s:[], s:{}}", "entries", STATE_COUNTS(), "by_department",
                          "by_confidentiality", "requests");
    int rc;
    if (db_query(db, &rows,
                 "SELECT d.name, " STATE_OF ", count(*) FROM ledger_search x JOIN departments d "
                 "ON d.id = x.department_id GROUP BY d.name, 2 ORDER BY d.name",
                 DB_ARGS(DS(today)), e))
        goto fail;
    json_t *depts = json_object_get(o, "by_department"), *last = NULL;
    while ((rc = db_next(rows, e)) == 1) {
        const char *dept = db_text(rows, 0), *state = db_text(rows, 1);
        long long n = db_int(rows, 2);
        if (!last || strcmp(json_string_value(json_object_get(last, "department")), dept) != 0) {
            last = STATE_COUNTS();
            json_object_set_new(last, "department", json_string(dept));
            json_array_append_new(depts, last);
        }
        json_object_set_new(last, state, json_integer(n));
        json_t *tot = json_object_get(o, "entries");
        json_object_set_new(tot, state,
                            json_integer(json_integer_value(json_object_get(tot, state)) + n));
    }
    db_done(rows);
    if (rc < 0)
        goto fail;
    if (db_query(db, &rows,
                 "SELECT x.confidentiality, count(*) FROM ledger_search x WHERE " IN_USE_SQL
                 " GROUP BY 1 ORDER BY 1 DESC",
                 DB_ARGS(DS(today)), e))
        goto fail;
    while ((rc = db_next(rows, e)) == 1)
        json_array_append_new(json_object_get(o, "by_confidentiality"),
                              json_pack("{s:s, s:I}", "level", db_text(rows, 0), "active",
                                        (json_int_t)db_int(rows, 1)));
    db_done(rows);
    if (rc < 0)
        goto fail;
    if (db_query(db, &rows, "SELECT state, count(*) FROM requests GROUP BY state", DB_NOARGS, e))
        goto fail;
    while ((rc = db_next(rows, e)) == 1)
        json_object_set_new(json_object_get(o, "requests"), db_text(rows, 0),
                            json_integer(db_int(rows, 1)));
    db_done(rows);
    if (rc < 0)
        goto fail;
    *out = o;
    return XOK;
fail:
    json_decref(o);
    return e->code;
#undef STATE_OF
#undef STATE_COUNTS
}
