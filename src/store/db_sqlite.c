/*
 * db_sqlite.c - the SQLite driver of db.h.
 *
 * One connection per struct db, in WAL mode with a busy timeout, foreign
 * keys on. Prepared statements are cached by the address of their SQL text
 * (every query is a string literal), so a hot query is parsed once per
 * connection.
 */
#include "db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STMT_CACHE      64
#define BUSY_TIMEOUT_MS 5000

struct cached {
    const char *sql;
    sqlite3_stmt *stmt;
    bool busy;
};

struct db {
    enum db_backend backend;
    sqlite3 *conn;
    struct cached cache[STMT_CACHE];
    int nCache;
    int depth; /* open transactions; inner ones are savepoints */
};

struct db_rows {
    struct db *db;
    sqlite3_stmt *stmt;
    struct cached *slot; /* NULL where the statement is not cached */
};

static enum xcode fail(struct db *db, int rc, const char *what, struct xerr *e)
{
    const char *detail = db && db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return xerr_set(
            e, X_BUSY,
            "データベースが他の処理で使用中です。しばらくしてから再実行してください（%s）", detail);
    case SQLITE_READONLY:
        return xerr_set(e, X_STORE, "データベースに書き込めません（読み取り専用）: %s", detail);
    case SQLITE_CONSTRAINT:
        return xerr_set(e, X_INVALID, "データの制約に反します: %s", detail);
    case SQLITE_NOMEM:
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return xerr_set(e, X_STORE,
                        "データベースファイルが壊れているか SQLite のファイルではありません: %s",
                        detail);
    case SQLITE_FULL:
        return xerr_set(e, X_STORE, "ディスクの空きがありません: %s", detail);
    default:
        return xerr_set(e, X_STORE, "データベースエラー（%s）: %s", what, detail);
    }
}

/* Is the database file, or the directory its journal files go in, not
 * writable? (WAL needs both.) */
static bool read_only_path(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    return access(path, W_OK) != 0 || access(dir, W_OK) != 0;
}

enum xcode db_open(const char *url, enum db_open_mode mode, struct db **out, struct xerr *e)
{
    *out = NULL;
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
#ifdef EXTSVC_HAVE_PG
        extern enum xcode db_pg_open(const char *url, struct db **out, struct xerr *e);
        return db_pg_open(url, out, e);
#else
        return xerr_set(e, X_INVALID, "PostgreSQL 対応なしでビルドされています: %s", url);
#endif
    }
    if (mode == DB_OPEN_EXISTING && access(url, F_OK) != 0)
        return xerr_set(e, X_STORE,
                        "データベース '%s' がありません。先に extsvc init を実行してください", url);
    struct db *db = calloc(1, sizeof *db);
    if (!db)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    db->backend = DB_SQLITE;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (mode == DB_OPEN_CREATE)
        flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(url, &db->conn, flags, NULL);
    if (rc != SQLITE_OK && mode == DB_OPEN_EXISTING && read_only_path(url)) {
        xerr_set(
            e, X_STORE,
            "データベース '%s' は読み取り専用です（ファイルまたはディレクトリに書き込めません）",
            url);
        db_close(db);
        return X_STORE;
    }
    if (rc != SQLITE_OK) {
        xerr_set(e, X_STORE, "データベース '%s' を開けません: %s", url,
                 db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
        db_close(db);
        return X_STORE;
    }
    sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db->conn, 1);
    /* A file that is not a database shows itself at the first read. */
    rc = sqlite3_exec(db->conn,
                      "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; "
                      "SELECT count(*) FROM sqlite_schema;",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        if (read_only_path(url))
            xerr_set(e, X_STORE,
                     "データベース '%s' "
                     "は読み取り専用です（ファイルまたはディレクトリに書き込めません）: %s",
                     url, sqlite3_errmsg(db->conn));
        else
            fail(db, rc, "open", e);
        db_close(db);
        return e->code;
    }
    if (mode == DB_OPEN_CREATE && !sqlite3_db_readonly(db->conn, "main")) {
        rc = sqlite3_exec(db->conn, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            fail(db, rc, "journal_mode", e);
            db_close(db);
            return e->code;
        }
    }
    *out = db;
    return XOK;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    for (int i = 0; i < db->nCache; i++)
        sqlite3_finalize(db->cache[i].stmt);
    sqlite3_close_v2(db->conn);
    free(db);
}

enum db_backend db_backend(const struct db *db)
{
    return db->backend;
}

static enum xcode prepare(struct db *db, const char *sql, sqlite3_stmt **stmt, struct cached **slot,
                          struct xerr *e)
{
    *slot = NULL;
    for (int i = 0; i < db->nCache; i++) {
        if (db->cache[i].sql == sql && !db->cache[i].busy) {
            *stmt = db->cache[i].stmt;
            *slot = &db->cache[i];
            (*slot)->busy = true;
            return XOK;
        }
    }
    int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
    if (rc != SQLITE_OK)
        return fail(db, rc, "prepare", e);
    if (db->nCache < STMT_CACHE) {
        *slot = &db->cache[db->nCache++];
        (*slot)->sql = sql;
        (*slot)->stmt = *stmt;
        (*slot)->busy = true;
    }
    return XOK;
}

static enum xcode bind(struct db *db, sqlite3_stmt *stmt, const struct db_val *args, int nArgs,
                       struct xerr *e)
{
    for (int i = 0; i < nArgs; i++) {
        int rc;
        switch (args[i].type) {
        case DB_INT:
            rc = sqlite3_bind_int64(stmt, i + 1, args[i].i);
            break;
        case DB_TEXT:
            rc = sqlite3_bind_text(stmt, i + 1, args[i].s, -1, SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(stmt, i + 1);
            break;
        }
        if (rc != SQLITE_OK)
            return fail(db, rc, "bind", e);
    }
    return XOK;
}

enum xcode db_query(struct db *db, struct db_rows **out, const char *sql, const struct db_val *args,
                    int nArgs, struct xerr *e)
{
    *out = NULL;
    struct db_rows *rows = calloc(1, sizeof *rows);
    if (!rows)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    rows->db = db;
    if (prepare(db, sql, &rows->stmt, &rows->slot, e)) {
        free(rows);
        return e->code;
    }
    if (bind(db, rows->stmt, args, nArgs, e)) {
        db_done(rows);
        return e->code;
    }
    *out = rows;
    return XOK;
}

int db_next(struct db_rows *rows, struct xerr *e)
{
    int rc = sqlite3_step(rows->stmt);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    fail(rows->db, rc, "step", e);
    return -1;
}

bool db_is_null(struct db_rows *rows, int col)
{
    return sqlite3_column_type(rows->stmt, col) == SQLITE_NULL;
}

long long db_int(struct db_rows *rows, int col)
{
    return sqlite3_column_int64(rows->stmt, col);
}

const char *db_text(struct db_rows *rows, int col)
{
    const unsigned char *s = sqlite3_column_text(rows->stmt, col);
    return s ? (const char *)s : "";
}

char *db_dup(struct db_rows *rows, int col)
{
    if (db_is_null(rows, col))
        return NULL;
    return strdup(db_text(rows, col));
}

void db_done(struct db_rows *rows)
{
    if (!rows)
        return;
    if (rows->slot) {
        sqlite3_reset(rows->stmt);
        sqlite3_clear_bindings(rows->stmt);
        rows->slot->busy = false;
    } else {
        sqlite3_finalize(rows->stmt);
    }
    free(rows);
}

enum xcode db_exec(struct db *db, const char *sql, const struct db_val *args, int nArgs,
                   struct xerr *e)
{
    struct db_rows *rows;
    if (db_query(db, &rows, sql, args, nArgs, e))
        return e->code;
    int rc;
    while ((rc = db_next(rows, e)) == 1)
        ;
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

enum xcode db_script(struct db *db, const char *sql, struct xerr *e)
{
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? XOK : fail(db, rc, "script", e);
}

enum xcode db_one_int(struct db *db, const char *sql, const struct db_val *args, int nArgs,
                      long long *out, bool *found, struct xerr *e)
{
    struct db_rows *rows;
    if (db_query(db, &rows, sql, args, nArgs, e))
        return e->code;
    int rc = db_next(rows, e);
    if (rc == 1)
        *out = db_int(rows, 0);
    if (found)
        *found = rc == 1;
    if (rc == 1) /* drain, so that INSERT ... RETURNING completes */
        while ((rc = db_next(rows, e)) == 1)
            ;
    db_done(rows);
    return rc < 0 ? e->code : XOK;
}

/* Transactions nest: the outermost is BEGIN, inner ones are savepoints,
 * so that a batch (extsvc demo --entries) can wrap many operations in one
 * commit while each operation still rolls back alone. */
static enum xcode begin(struct db *db, const char *outer, struct xerr *e)
{
    int rc = sqlite3_exec(db->conn, db->depth ? "SAVEPOINT nested" : outer, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return fail(db, rc, "begin", e);
    db->depth++;
    return XOK;
}

enum xcode db_begin_write(struct db *db, struct xerr *e)
{
    return begin(db, "BEGIN IMMEDIATE", e);
}

enum xcode db_begin_read(struct db *db, struct xerr *e)
{
    return begin(db, "BEGIN", e);
}

enum xcode db_commit(struct db *db, struct xerr *e)
{
    if (db->depth == 0)
        return XOK;
    int rc = sqlite3_exec(db->conn, db->depth > 1 ? "RELEASE nested" : "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        fail(db, rc, "commit", e);
        db_rollback(db);
        return e->code;
    }
    db->depth--;
    return XOK;
}

void db_rollback(struct db *db)
{
    if (db->depth == 0)
        return;
    if (db->depth > 1)
        sqlite3_exec(db->conn, "ROLLBACK TO nested; RELEASE nested", NULL, NULL, NULL);
    else
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
    db->depth--;
}
