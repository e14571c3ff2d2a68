/*
 * db_sqlite.c - the SQLite driver of db.h (see db_driver.h).
 *
 * One connection per struct db, in WAL mode with a busy timeout, foreign
 * keys on. Prepared statements are cached by the address of their SQL text
 * (every query is a string literal), so a hot query is parsed once per
 * connection.
 */
#include "db_driver.h"

#include <sqlite3.h>
#include <fcntl.h>
#include <pthread.h>
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

/* The statements that begin and end transactions, each prepared once per
 * connection: sqlite3_exec would parse them on every use (a tenth of an
 * entry read's time, measured). */
enum control {
    BEGIN_READ,
    BEGIN_WRITE,
    COMMIT,
    ROLLBACK,
    SAVEPOINT,
    RELEASE,
    ROLLBACK_TO,
    NCONTROL
};
static const char *const control_sql[NCONTROL] = {
    "BEGIN",          "BEGIN IMMEDIATE",   "COMMIT", "ROLLBACK", "SAVEPOINT nested",
    "RELEASE nested", "ROLLBACK TO nested"};

struct sqlite_db {
    struct db base; /* first: a struct db * is a struct sqlite_db * */
    sqlite3 *conn;
    sqlite3_stmt *control[NCONTROL];
    struct cached cache[STMT_CACHE];
    int nCache;
    int depth; /* open transactions; inner ones are savepoints */
};

struct sqlite_rows {
    struct db_rows base;
    struct sqlite_db *db;
    sqlite3_stmt *stmt;
    struct cached *slot; /* NULL where the statement is not cached */
    /* An "INSERT ... RETURNING id" run without its RETURNING (see
     * returning_id): 0 before its step, 1 with the new id as its one row,
     * 2 done. */
    bool returning_id;
    int returned;
    long long id;
};

/* SQLite answers RETURNING by gathering the rows in an ephemeral table,
 * made and dropped for every statement: a tenth of an import's time went
 * there. An INSERT whose text ends so is prepared without the clause and
 * answers with sqlite3_last_insert_rowid() where it inserted a row (none
 * where ON CONFLICT DO NOTHING skipped it), as RETURNING would have; the
 * callers (db_one_int) and PostgreSQL are none the wiser. */
static const char returning_suffix[] = " RETURNING id";

static size_t returning_id(const char *sql)
{
    size_t n = strlen(sql), k = sizeof returning_suffix - 1;
    return strncmp(sql, "INSERT ", 7) == 0 && n > k && strcmp(sql + n - k, returning_suffix) == 0
               ? n - k
               : 0;
}

static enum xcode fail(struct sqlite_db *db, int rc, const char *what, struct xerr *e)
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

static const struct db_driver sqlite_driver;
static void sq_close(struct db *base);
static void sq_done(struct db_rows *base);

/* Once per process, before SQLite initializes itself: no allocation
 * statistics (nothing reads them, and keeping them takes a global mutex
 * around every malloc and free of every connection: 4 % of an import's
 * writing thread, measured). */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum xcode db_sqlite_open(const char *url, enum db_open_mode mode, struct db **out, struct xerr *e)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, configure_sqlite);
    *out = NULL;
    if (mode == DB_OPEN_PRESENT && access(url, F_OK) != 0)
        return XOK;
    if (mode == DB_OPEN_EXISTING && access(url, F_OK) != 0)
        return xerr_set(e, X_STORE,
                        "データベース '%s' がありません。先に extsvc init を実行してください", url);
    struct sqlite_db *db = calloc(1, sizeof *db);
    if (!db)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    db->base.drv = &sqlite_driver;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (mode == DB_OPEN_CREATE) {
        flags |= SQLITE_OPEN_CREATE;
        /* The ledger, its sessions and tokens are for the program alone:
         * made 0600 whatever the umask, and SQLite gives its -wal and
         * -shm files the database file's mode. An empty file is an empty
         * database. */
        int fd = open(url, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    int rc = sqlite3_open_v2(url, &db->conn, flags, NULL);
    if (rc != SQLITE_OK && mode != DB_OPEN_CREATE && read_only_path(url)) {
        xerr_set(
            e, X_STORE,
            "データベース '%s' は読み取り専用です（ファイルまたはディレクトリに書き込めません）",
            url);
        sq_close(&db->base);
        return X_STORE;
    }
    if (rc != SQLITE_OK) {
        xerr_set(e, X_STORE, "データベース '%s' を開けません: %s", url,
                 db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
        sq_close(&db->base);
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
        sq_close(&db->base);
        return e->code;
    }
    if (mode == DB_OPEN_CREATE && !sqlite3_db_readonly(db->conn, "main")) {
        rc = sqlite3_exec(db->conn, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            fail(db, rc, "journal_mode", e);
            sq_close(&db->base);
            return e->code;
        }
    }
    *out = &db->base;
    return XOK;
}

static void sq_close(struct db *base)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    if (!db)
        return;
    for (int i = 0; i < db->nCache; i++)
        sqlite3_finalize(db->cache[i].stmt);
    for (int i = 0; i < NCONTROL; i++)
        sqlite3_finalize(db->control[i]);
    sqlite3_close_v2(db->conn);
    free(db);
}

/* With $EXTSVC_PLAN_LOG set (the query-plan test), each statement as it
 * is first prepared is written there with its plan, one record a line:
 * "PLAN<TAB>detail<TAB>sql" for every step of it. */
static void log_plan(struct sqlite_db *db, const char *sql)
{
    const char *path = getenv("EXTSVC_PLAN_LOG");
    if (!path || !*path)
        return;
    char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = NULL;
    if (explain && sqlite3_prepare_v2(db->conn, explain, -1, &st, NULL) == SQLITE_OK) {
        FILE *f = fopen(path, "a");
        if (f) {
            char *flat = sqlite3_mprintf("%s", sql);
            for (char *p = flat; p && *p; p++)
                if (*p == '\n' || *p == '\t')
                    *p = ' ';
            while (sqlite3_step(st) == SQLITE_ROW)
                fprintf(f, "PLAN\t%s\t%s\n", (const char *)sqlite3_column_text(st, 3), flat);
            sqlite3_free(flat);
            fclose(f);
        }
    }
    sqlite3_finalize(st);
    sqlite3_free(explain);
}

static enum xcode prepare(struct sqlite_db *db, const char *sql, sqlite3_stmt **stmt,
                          struct cached **slot, struct xerr *e)
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
    size_t bare = returning_id(sql);
    int rc = sqlite3_prepare_v3(db->conn, sql, bare ? (int)bare : -1, SQLITE_PREPARE_PERSISTENT,
                                stmt, NULL);
    if (rc != SQLITE_OK)
        return fail(db, rc, "prepare", e);
    log_plan(db, sql);
    if (db->nCache < STMT_CACHE) {
        *slot = &db->cache[db->nCache++];
        (*slot)->sql = sql;
        (*slot)->stmt = *stmt;
        (*slot)->busy = true;
    }
    return XOK;
}

static enum xcode bind(struct sqlite_db *db, sqlite3_stmt *stmt, const struct db_val *args,
                       int nArgs, struct xerr *e)
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

static enum xcode sq_query(struct db *base, struct db_rows **out, const char *sql,
                           const struct db_val *args, int nArgs, struct xerr *e)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    *out = NULL;
    struct sqlite_rows *rows = calloc(1, sizeof *rows);
    if (!rows)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    rows->base.drv = &sqlite_driver;
    rows->db = db;
    if (prepare(db, sql, &rows->stmt, &rows->slot, e)) {
        free(rows);
        return e->code;
    }
    rows->returning_id = returning_id(sql) != 0;
    if (bind(db, rows->stmt, args, nArgs, e)) {
        sq_done(&rows->base);
        return e->code;
    }
    *out = &rows->base;
    return XOK;
}

static int sq_next(struct db_rows *base, struct xerr *e)
{
    struct sqlite_rows *rows = (struct sqlite_rows *)base;
    if (rows->returning_id && rows->returned) {
        rows->returned = 2;
        return 0;
    }
    int rc = sqlite3_step(rows->stmt);
    if (rows->returning_id && rc == SQLITE_DONE) {
        rows->returned = 2;
        if (sqlite3_changes(rows->db->conn) > 0) {
            rows->id = sqlite3_last_insert_rowid(rows->db->conn);
            rows->returned = 1;
            return 1;
        }
        return 0;
    }
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    fail(rows->db, rc, "step", e);
    return -1;
}

static bool sq_is_null(struct db_rows *base, int col)
{
    struct sqlite_rows *rows = (struct sqlite_rows *)base;
    if (rows->returning_id)
        return false;
    return sqlite3_column_type(rows->stmt, col) == SQLITE_NULL;
}

static long long sq_int(struct db_rows *base, int col)
{
    struct sqlite_rows *rows = (struct sqlite_rows *)base;
    if (rows->returning_id)
        return rows->id;
    return sqlite3_column_int64(rows->stmt, col);
}

static const char *sq_text(struct db_rows *base, int col)
{
    struct sqlite_rows *rows = (struct sqlite_rows *)base;
    const unsigned char *s = sqlite3_column_text(rows->stmt, col);
    return s ? (const char *)s : "";
}

static void sq_done(struct db_rows *base)
{
    struct sqlite_rows *rows = (struct sqlite_rows *)base;
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

static enum xcode sq_script(struct db *base, const char *sql, struct xerr *e)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? XOK : fail(db, rc, "script", e);
}

/* Transactions nest: the outermost is BEGIN, inner ones are savepoints,
 * so that a batch (extsvc demo --entries) can wrap many operations in one
 * commit while each operation still rolls back alone. */
static int control(struct sqlite_db *db, enum control k)
{
    sqlite3_stmt **s = &db->control[k];
    int rc = *s ? SQLITE_OK : sqlite3_prepare_v2(db->conn, control_sql[k], -1, s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(*s);
    sqlite3_reset(*s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static enum xcode begin(struct sqlite_db *db, enum control outer, struct xerr *e)
{
    int rc = control(db, db->depth ? SAVEPOINT : outer);
    if (rc != SQLITE_OK)
        return fail(db, rc, "begin", e);
    db->depth++;
    return XOK;
}

static enum xcode sq_begin(struct db *base, bool write, struct xerr *e)
{
    return begin((struct sqlite_db *)base, write ? BEGIN_WRITE : BEGIN_READ, e);
}

static void sq_rollback(struct db *base);

static enum xcode sq_commit(struct db *base, struct xerr *e)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    if (db->depth == 0)
        return XOK;
    int rc = control(db, db->depth > 1 ? RELEASE : COMMIT);
    if (rc != SQLITE_OK) {
        fail(db, rc, "commit", e);
        sq_rollback(base);
        return e->code;
    }
    db->depth--;
    return XOK;
}

static void sq_rollback(struct db *base)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    if (db->depth == 0)
        return;
    if (db->depth > 1) {
        control(db, ROLLBACK_TO);
        control(db, RELEASE);
    } else
        control(db, ROLLBACK);
    db->depth--;
}

static enum xcode sq_has_table(struct db *base, const char *name, bool *found, struct xerr *e)
{
    struct db_rows *rows;
    *found = false;
    if (sq_query(base, &rows,
                 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                 (const struct db_val[]){DS(name)}, 1, e))
        return e->code;
    int rc = sq_next(rows, e);
    if (rc == 1)
        *found = sq_int(rows, 0) > 0;
    sq_done(rows);
    return rc < 0 ? e->code : XOK;
}

static const struct db_driver sqlite_driver = {
    .name = "sqlite",
    .backend = DB_SQLITE,
    .bigram_fts = true,
    /* Each statement on its own takes and drops the file locks. */
    .cheap_snapshots = true,
    .close = sq_close,
    .query = sq_query,
    .next = sq_next,
    .is_null = sq_is_null,
    .get_int = sq_int,
    .get_text = sq_text,
    .done = sq_done,
    .script = sq_script,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .has_table = sq_has_table,
};
