/*
 * db.h - the SQL driver under the store: connect, run a statement with
 * bound values, step through rows, transactions. One driver per backend
 * (db_sqlite.c; db_pg.c for PostgreSQL), so that the queries in the store files
 * are written once.
 *
 * SQL uses ?1, ?2 ... for parameters (SQLite's numbered form; the PostgreSQL
 * driver rewrites them to $1, $2). Every value is bound, never formatted in.
 */
#ifndef EXTSVC_DB_H
#define EXTSVC_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"

enum db_backend { DB_SQLITE, DB_POSTGRES };

enum db_type { DB_NULL, DB_INT, DB_TEXT };

struct db_val {
    enum db_type type;
    long long i;
    const char *s;
};

/* Bound values: DI(42), DS("text") (NULL pointer binds NULL), DNULL. */
static inline struct db_val DI(long long i) {
    return (struct db_val){DB_INT, i, 0};
} static inline struct db_val DS(const char *s) {
    return (struct db_val){s ? DB_TEXT : DB_NULL, 0, s};
}
#define DNULL ((struct db_val){DB_NULL, 0, 0})
#define DB_ARGS(...)                                                                               \
    (const struct db_val[]){__VA_ARGS__},                                                          \
        (int)(sizeof((const struct db_val[]){__VA_ARGS__}) / sizeof(struct db_val))
#define DB_NOARGS NULL, 0
/* LIMIT ?N for "no limit": SQLite reads -1 so, PostgreSQL refuses it. */
#define DB_NO_LIMIT 9223372036854775807LL

struct db;
struct db_rows;

enum db_open_mode {
    DB_OPEN_EXISTING, /* the database must exist (every command but init) */
    DB_OPEN_CREATE,   /* create it where missing (init) */
    DB_OPEN_PRESENT   /* open it where it is there: a SQLite file that does not exist, or a
                         PostgreSQL database without a table yet (made by its administrator,
                         not yet by init), gives XOK with *out NULL (check, catalogue show) */
};

/* Open `url`: a SQLite file path, or postgresql://... On failure *out is NULL. */
enum xcode db_open(const char *url, enum db_open_mode mode, struct db **out, struct xerr *e);
void db_close(struct db *db);
/* `url` as it may be shown or logged: a URL's password left out
 * (postgresql://extsvc@host/db), a file path unchanged. Into buf. */
const char *db_url_shown(const char *url, char *buf, size_t n);
enum db_backend db_backend(const struct db *db);
/* "sqlite" or "postgresql": the folder of the driver's migrations. */
const char *db_driver_name(const struct db *db);
/* Does the schema index the ledger's search text as bigrams in the FTS5
 * table ledger_fts (SQLite)? Where not (PostgreSQL), the store matches
 * ledger_search.text with LIKE, which a pg_trgm GIN index serves. */
bool db_bigram_fts(const struct db *db);
/* Whether a few reads cost less in one transaction (db_begin_read) than
 * each on its own: true for SQLite (the file locks are taken once), false
 * for PostgreSQL (BEGIN and COMMIT would be two more round trips). */
bool db_cheap_snapshots(const struct db *db);
/* Does the schema have a table of this name? */
enum xcode db_has_table(struct db *db, const char *name, bool *found, struct xerr *e);

/* Run a statement that returns no rows. For an INSERT that needs the new
 * id, use db_one_int() with "INSERT ... RETURNING id" (both backends). */
enum xcode db_exec(struct db *db, const char *sql, const struct db_val *args, int nArgs,
                   struct xerr *e);
/* After rows were inserted with ids of their own (extsvc copy): make the
 * next generated `column` of `table` follow the largest there. A no-op on
 * SQLite, whose INTEGER PRIMARY KEY always does; PostgreSQL moves the
 * identity's sequence. Names are the store's own, never user input. */
enum xcode db_identity_after(struct db *db, const char *table, const char *column, struct xerr *e);
/* Bulk insertion (extsvc copy): rows into `table`'s `columns` ("a, b, c"),
 * inside the caller's transaction. `insert` is the equivalent INSERT with
 * ?1..?n (a string literal, as every statement). PostgreSQL streams the
 * rows with COPY FROM STDIN; SQLite runs the prepared INSERT per row.
 * db_bulk_end finishes (or, after an error, abandons) and frees. */
struct db_bulk;
enum xcode db_bulk_begin(struct db *db, const char *table, const char *columns, const char *insert,
                         struct db_bulk **out, struct xerr *e);
enum xcode db_bulk_row(struct db_bulk *b, const struct db_val *vals, int n, struct xerr *e);
enum xcode db_bulk_end(struct db_bulk *b, struct xerr *e);
/* Run a script of several statements with no parameters (migrations). */
enum xcode db_script(struct db *db, const char *sql, struct xerr *e);

/* Run a query; step through its rows with db_next(). Release with db_done(). */
enum xcode db_query(struct db *db, struct db_rows **out, const char *sql, const struct db_val *args,
                    int nArgs, struct xerr *e);
/* As db_query, for a result that may be large (an export, the whole audit
 * log, a copy): rows arrive as they are stepped through instead of all at
 * once (PostgreSQL's single-row mode; SQLite always steps). In exchange the
 * caller runs no other statement on `db` until db_done. */
enum xcode db_query_stream(struct db *db, struct db_rows **out, const char *sql,
                           const struct db_val *args, int nArgs, struct xerr *e);
/* 1: a row is there; 0: no more rows; -1: error (in e). */
int db_next(struct db_rows *rows, struct xerr *e);
bool db_is_null(struct db_rows *rows, int col);
long long db_int(struct db_rows *rows, int col);
/* Text of a column, valid until the next db_next()/db_done(); "" for NULL. */
const char *db_text(struct db_rows *rows, int col);
/* A copy of the column's text the caller frees; NULL for NULL. */
char *db_dup(struct db_rows *rows, int col);
void db_done(struct db_rows *rows);

/* Run a query expected to give at most one row with one integer: *found
 * says whether there was a row. */
enum xcode db_one_int(struct db *db, const char *sql, const struct db_val *args, int nArgs,
                      long long *out, bool *found, struct xerr *e);

/* Transactions. db_begin_write takes the write lock at once (SQLite's BEGIN
 * IMMEDIATE), so that two writers never both read-then-write the same row. */
enum xcode db_begin_write(struct db *db, struct xerr *e);
enum xcode db_begin_read(struct db *db, struct xerr *e);
enum xcode db_commit(struct db *db, struct xerr *e);
void db_rollback(struct db *db);

/* Make the open transaction all or nothing: the transactions begun inside
 * it are no longer savepoints (a round trip each on PostgreSQL), and one
 * of them rolled back makes the outer commit fail and roll everything
 * back. For batches that stop at the first failure (demo, imports). */
void db_batch(struct db *db);

bool db_in_transaction(const struct db *db);

/* One short string kept with the open transaction for its writer to read
 * back later in it (the audit log's newest record), forgotten when the
 * transaction ends or any part of it rolls back, so that it never says
 * what the database does not. NULL when there is none. */
const char *db_memo(const struct db *db);
void db_memo_set(struct db *db, const char *value);
/* Run fn once just before the outermost commit of the open transaction
 * (setting it again replaces it); a failure rolls the transaction back. */
void db_before_commit(struct db *db, enum xcode (*fn)(struct db *, struct xerr *));

/* The audit chain's key for this database (audit_key.h), found when it
 * was opened. */
struct audit_key;
const struct audit_key *db_audit_key(const struct db *db);

#endif
