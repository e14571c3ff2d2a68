/*
 * db_driver.h - what a database driver provides to db.c. A driver's own
 * connection and row types begin with `struct db` and `struct db_rows`,
 * whose first member names the driver; db.c dispatches through it. SQLite
 * is db_sqlite.c, PostgreSQL db_pg.c; db_open() picks one by URL, and
 * nothing above store/ knows which.
 */
#ifndef EXTSVC_DB_DRIVER_H
#define EXTSVC_DB_DRIVER_H

#include "db.h"

struct db_driver {
    const char *name; /* "sqlite": the folder of its migrations */
    enum db_backend backend;
    bool bigram_fts;      /* the schema has ledger_fts, an FTS5 index of bigrams (db_bigram_fts) */
    bool cheap_snapshots; /* one read transaction costs less than one per statement */
    void (*close)(struct db *db);
    enum xcode (*query)(struct db *db, struct db_rows **out, const char *sql,
                        const struct db_val *args, int nArgs, struct xerr *e);
    /* NULL: query (db_query_stream). */
    enum xcode (*query_stream)(struct db *db, struct db_rows **out, const char *sql,
                               const struct db_val *args, int nArgs, struct xerr *e);
    int (*next)(struct db_rows *rows, struct xerr *e);
    bool (*is_null)(struct db_rows *rows, int col);
    long long (*get_int)(struct db_rows *rows, int col);
    const char *(*get_text)(struct db_rows *rows, int col);
    void (*done)(struct db_rows *rows);
    enum xcode (*script)(struct db *db, const char *sql, struct xerr *e);
    enum xcode (*begin)(struct db *db, bool write, struct xerr *e);
    enum xcode (*commit)(struct db *db, struct xerr *e);
    void (*rollback)(struct db *db);
    enum xcode (*has_table)(struct db *db, const char *name, bool *found, struct xerr *e);
    /* A faster way to insert many rows than one INSERT each (db_bulk_*);
     * NULL: db.c runs the INSERT per row. copy_data gets whole lines of
     * PostgreSQL's COPY text format. */
    enum xcode (*copy_begin)(struct db *db, const char *table, const char *columns, struct xerr *e);
    enum xcode (*copy_data)(struct db *db, const char *data, size_t n, struct xerr *e);
    enum xcode (*copy_end)(struct db *db, bool abandon, struct xerr *e);
    /* NULL where the backend needs nothing (see db_identity_after). */
    enum xcode (*identity_after)(struct db *db, const char *table, const char *column,
                                 struct xerr *e);
};

struct db {
    const struct db_driver *drv;
    /* Kept by db.c, not the drivers (which zero them at open). */
    int depth;                /* open transactions, as db.c counts them */
    bool batch;               /* inner transactions without savepoints */
    bool poisoned;            /* an inner one failed in a batch */
    unsigned long long reads; /* bit d: level d+1 only reads (batch) */
    enum xcode (*before_commit)(struct db *, struct xerr *); /* once, at the outermost commit */
    char memo[96];                                           /* db_memo; "" when forgotten */
    const struct audit_key *audit_key;                       /* audit_key.h; set by db_open */
    bool creating; /* opened to be made (init, copy): writes before the key */
};

struct db_rows {
    const struct db_driver *drv;
};

enum xcode db_sqlite_open(const char *url, enum db_open_mode mode, struct db **out, struct xerr *e);
enum xcode db_pg_open(const char *url, enum db_open_mode mode, struct db **out, struct xerr *e);

#endif
