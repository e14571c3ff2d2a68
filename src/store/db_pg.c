/*
 * db_pg.c - the PostgreSQL driver of db.h (see db_driver.h), over libpq.
 *
 * One connection per struct db. The store writes its SQL once with SQLite's
 * ?1, ?2 ... placeholders; this driver rewrites them to $1, $2 ... when it
 * first meets a statement, prepares it under a name of its own (PQprepare)
 * and from then on only executes it (PQexecPrepared). Every value travels
 * as text (an integer as its decimal digits) with its type declared at
 * prepare time (bigint or text), because PostgreSQL cannot infer the type
 * of a parameter that only meets another parameter (?2 - ?3) or a select
 * list (INSERT ... SELECT ?1, ...). A NULL is declared "unknown" and typed
 * by its context, so the cache key is the SQL text together with that
 * signature. Results come back whole, in text format: a caller may run
 * other statements while it steps through rows, as it does on SQLite.
 *
 * Transactions (see pg_begin): a write transaction is READ COMMITTED and
 * takes one transaction-scoped advisory lock first, so writers run one
 * after another exactly as SQLite's BEGIN IMMEDIATE makes them; a read
 * transaction is a REPEATABLE READ READ ONLY snapshot.
 */
#include "db_driver.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE_MAX 512
#define MAX_PARAMS     64

/* Catalogue OIDs of the two parameter types we declare (pg_type.dat). */
#define OID_INT8 20
#define OID_TEXT 25

/* The key of the advisory lock every write transaction takes: "extsvc" in
 * ASCII. Another program sharing the database would have to pick another. */
#define WRITE_LOCK_KEY "111542711595875"

struct pg_stmt {
    char *sql; /* as the store wrote it */
    char *sig; /* per parameter: 'i' bigint, 't' text, 'n' NULL */
    uint32_t hash;
    char name[16];
};

struct pg_db {
    struct db base; /* first: a struct db * is a struct pg_db * */
    PGconn *conn;
    struct pg_stmt *stmts;
    int nStmts, nAlloc;
    int depth;        /* open transactions; inner ones are savepoints */
    char copying[64]; /* the table of the COPY in progress */
};

struct pg_rows {
    struct db_rows base;
    PGresult *res;
    int row, nRows;
    struct pg_db *db; /* streaming (single-row mode): the connection, until the end */
};

static const struct db_driver pg_driver;
static void pg_close(struct db *base);

/* --- errors --------------------------------------------------------- */

/* The first line of `msg`, without libpq's "FATAL:  " and the like, into buf. */
static void first_line(const char *msg, char *buf, size_t n)
{
    const char *p = msg ? msg : "";
    const char *tags[] = {"FATAL:  ", "ERROR:  "};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        const char *t = strstr(p, tags[i]);
        if (t) {
            p = t + strlen(tags[i]);
            break;
        }
    }
    const char *after = strstr(p, " failed: "); /* connection to server at ... failed: */
    if (after && after < p + strcspn(p, "\r\n"))
        p = after + strlen(" failed: ");
    size_t len = strcspn(p, "\r\n");
    snprintf(buf, n, "%.*s", (int)len, p);
}

/* The error of a failed connection attempt: one Japanese line naming the
 * server and the database, never the password. */
static enum xcode connect_failed(PGconn *conn, struct xerr *e)
{
    const char *msg = conn ? PQerrorMessage(conn) : "";
    const char *host = conn && PQhost(conn) ? PQhost(conn) : "";
    const char *port = conn && PQport(conn) ? PQport(conn) : "";
    const char *dbname = conn && PQdb(conn) ? PQdb(conn) : "";
    const char *user = conn && PQuser(conn) ? PQuser(conn) : "";
    char line[512];
    first_line(msg, line, sizeof line);
    if (!conn)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    if (strstr(msg, "password authentication failed") || strstr(msg, "no password supplied"))
        return xerr_set(e, X_STORE,
                        "PostgreSQL（%s:%s）に接続できません: 利用者 '%s' "
                        "のパスワードが違うか、ありません",
                        host, port, user);
    if (strstr(msg, "database \"") && strstr(msg, "does not exist"))
        return xerr_set(e, X_STORE,
                        "PostgreSQL（%s:%s）にデータベース '%s' "
                        "がありません。管理者が作成してから extsvc init を実行してください",
                        host, port, dbname);
    if (strstr(msg, "role \"") && strstr(msg, "does not exist"))
        return xerr_set(e, X_STORE, "PostgreSQL（%s:%s）に利用者 '%s' がありません", host, port,
                        user);
    if (strstr(msg, "Connection refused") || strstr(msg, "could not translate host name") ||
        strstr(msg, "timeout expired") || strstr(msg, "No route to host") ||
        strstr(msg, "Network is unreachable") || strstr(msg, "No such file or directory") ||
        strstr(msg, "the database system is starting up") ||
        strstr(msg, "the database system is shutting down"))
        return xerr_set(e, X_UNAVAILABLE, "PostgreSQL サーバー（%s:%s）に接続できません: %s", host,
                        port, line);
    /* Anything else (the server shutting down or starting up, too many
     * clients, a connection cut halfway) passes: try again. */
    return xerr_set(e, X_UNAVAILABLE, "PostgreSQL（%s:%s/%s）に接続できません: %s", host, port,
                    dbname, line);
}

/* Turn a failed result (or, where res is NULL, the connection's error) into
 * an xerr, classified by SQLSTATE as db_sqlite.c classifies SQLite's codes. */
static enum xcode fail(struct pg_db *db, const PGresult *res, const char *what, struct xerr *e)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char detail[512];
    first_line(primary ? primary : PQerrorMessage(db->conn), detail, sizeof detail);
    if (PQstatus(db->conn) != CONNECTION_OK || (state && strncmp(state, "08", 2) == 0) ||
        (state && strncmp(state, "57P", 3) == 0))
        return xerr_set(e, X_UNAVAILABLE,
                        "PostgreSQL への接続が切れました（再起動中かもしれません）。"
                        "何も書き込んでいません。しばらくしてから再実行してください（%s）",
                        detail);
    if (!state)
        return xerr_set(e, X_STORE, "データベースエラー（%s）: %s", what, detail);
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return xerr_set(
            e, X_BUSY,
            "データベースが他の処理で使用中です。しばらくしてから再実行してください（%s）", detail);
    if (strncmp(state, "23", 2) == 0)
        return xerr_set(e, X_INVALID, "データの制約に反します: %s", detail);
    if (strcmp(state, "25006") == 0)
        return xerr_set(e, X_STORE, "データベースに書き込めません（読み取り専用）: %s", detail);
    if (strcmp(state, "53100") == 0)
        return xerr_set(e, X_STORE, "ディスクの空きがありません: %s", detail);
    if (strcmp(state, "53200") == 0)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    if (strcmp(state, "42501") == 0)
        return xerr_set(e, X_STORE, "データベースの権限が足りません（%s）: %s", what, detail);
    return xerr_set(e, X_STORE, "データベースエラー（%s, SQLSTATE %s）: %s", what, state, detail);
}

/* Did `res` succeed? */
static bool res_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Run a statement without parameters; XOK or the error in e. */
static enum xcode run(struct pg_db *db, const char *sql, const char *what, struct xerr *e)
{
    PGresult *res = PQexec(db->conn, sql);
    enum xcode rc = res && res_ok(res) ? XOK : fail(db, res, what, e);
    PQclear(res);
    return rc;
}

/* --- connection ------------------------------------------------------ */

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs (CREATE ... IF NOT EXISTS) are not for the user */
}

/* Has the database no table of its own yet (made by its administrator,
 * never touched by init)? */
static enum xcode blank(struct pg_db *db, bool *out, struct xerr *e)
{
    PGresult *res = PQexec(db->conn, "SELECT count(*) FROM pg_catalog.pg_tables "
                                     "WHERE schemaname = current_schema()");
    enum xcode rc = res && res_ok(res) ? XOK : fail(db, res, "open", e);
    if (!rc)
        *out = strcmp(PQgetvalue(res, 0, 0), "0") == 0;
    PQclear(res);
    return rc;
}

/* PostgreSQL databases are made by their administrator, never by init, so
 * DB_OPEN_CREATE is DB_OPEN_EXISTING here; DB_OPEN_PRESENT takes a database
 * without a table for one that is not there. */
enum xcode db_pg_open(const char *url, enum db_open_mode mode, struct db **out, struct xerr *e)
{
    *out = NULL;
    /* Defaults first, so that the URL overrides them; the encoding last,
     * because every string in extsvc is UTF-8. */
    const char *const keys[] = {"connect_timeout", "gssencmode",      "application_name",
                                "dbname",          "client_encoding", NULL};
    const char *const values[] = {"10", "disable", "extsvc", url, "UTF8", NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        connect_failed(conn, e);
        PQfinish(conn);
        return e->code;
    }
    PQsetNoticeProcessor(conn, quiet, NULL);
    struct pg_db *db = calloc(1, sizeof *db);
    if (!db) {
        PQfinish(conn);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    db->base.drv = &pg_driver;
    db->conn = conn;
    /* Dates and times are text in the schema; nothing depends on the
     * session's time zone, but keep it fixed all the same. */
    bool none = false;
    if (run(db, "SET TIME ZONE 'UTC'", "open", e) ||
        (mode == DB_OPEN_PRESENT && blank(db, &none, e))) {
        pg_close(&db->base);
        return e->code;
    }
    if (none) {
        pg_close(&db->base);
        return XOK;
    }
    *out = &db->base;
    return XOK;
}

/* Forget the prepared statements: a new server session has none. */
static void forget_statements(struct pg_db *db)
{
    for (int i = 0; i < db->nStmts; i++) {
        free(db->stmts[i].sql);
        free(db->stmts[i].sig);
    }
    db->nStmts = 0;
}

/* Between transactions, a connection the server dropped (PostgreSQL
 * restarted, the standby promoted, an administrator's pg_terminate_backend)
 * is opened again, so that a long-running server recovers by itself. The
 * caller's work has not started: nothing is lost or done twice. */
static enum xcode reconnect(struct pg_db *db, struct xerr *e)
{
    /* An idle connection has nothing to read unless the server has said
     * goodbye (a shutdown's FATAL, or the end of the stream): look, without
     * waiting, so that the first transaction after a restart is not lost. */
    if (db->depth == 0 && PQstatus(db->conn) == CONNECTION_OK &&
        PQtransactionStatus(db->conn) == PQTRANS_IDLE) {
        struct pollfd p = {.fd = PQsocket(db->conn), .events = POLLIN};
        if (p.fd < 0 || poll(&p, 1, 0) == 0)
            return XOK;
        if (PQconsumeInput(db->conn) && PQstatus(db->conn) == CONNECTION_OK)
            return XOK;
    }
    if (db->depth > 0)
        return fail(db, NULL, "connection", e);
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK)
        return connect_failed(db->conn, e);
    forget_statements(db);
    return run(db, "SET TIME ZONE 'UTC'", "open", e);
}

static void pg_close(struct db *base)
{
    struct pg_db *db = (struct pg_db *)base;
    if (!db)
        return;
    forget_statements(db);
    free(db->stmts);
    PQfinish(db->conn);
    free(db);
}

/* --- statements ------------------------------------------------------ */

/* The statement text with ?N turned into $N, outside string literals,
 * quoted identifiers and comments; *used gets a bit per parameter seen
 * (bit n-1 for ?n). NULL where out of memory. */
static char *rewrite(const char *sql, uint64_t *used)
{
    size_t n = strlen(sql);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    *used = 0;
    const char *p = sql;
    char *o = out;
    while (*p) {
        if (*p == '\'' || *p == '"') { /* '...' and "...", doubled quote inside */
            char q = *p;
            *o++ = *p++;
            while (*p && !(*p == q && p[1] != q)) {
                if (*p == q)
                    *o++ = *p++;
                *o++ = *p++;
            }
            if (*p)
                *o++ = *p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                *o++ = *p++;
        } else if (p[0] == '?' && p[1] >= '1' && p[1] <= '9') {
            *o++ = '$';
            p++;
            long num = strtol(p, NULL, 10);
            if (num >= 1 && num <= MAX_PARAMS)
                *used |= 1ull << (num - 1);
            while (*p >= '0' && *p <= '9')
                *o++ = *p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static uint32_t hash_of(const char *sql, const char *sig)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = sql; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (const char *p = sig; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

/* Is this the failure of a statement whose NULL parameters PostgreSQL
 * could not type from their context (?1 IS NULL OR col = ?1)? */
static bool untyped_parameter(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && (strcmp(state, "42P08") == 0 || strcmp(state, "42P18") == 0);
}

/* PQprepare with the NULL parameters left to PostgreSQL to type; where it
 * cannot, once more with them as text. Inside a transaction the first
 * attempt runs under a savepoint, so that its failure does not abort the
 * transaction. This happens once per statement and connection. */
static PGresult *prepare_typed(struct pg_db *db, const char *name, const char *text, int nArgs,
                               const char *sig, Oid *types)
{
    if (!strchr(sig, 'n'))
        return PQprepare(db->conn, name, text, nArgs, types);
    bool guard = db->depth > 0;
    if (guard)
        PQclear(PQexec(db->conn, "SAVEPOINT prepare"));
    PGresult *res = PQprepare(db->conn, name, text, nArgs, types);
    if (guard)
        PQclear(PQexec(db->conn, res && res_ok(res) ? "RELEASE prepare"
                                                    : "ROLLBACK TO prepare; RELEASE prepare"));
    if (!untyped_parameter(res))
        return res;
    PQclear(res);
    for (int i = 0; i < nArgs; i++)
        if (sig[i] == 'n')
            types[i] = OID_TEXT;
    return PQprepare(db->conn, name, text, nArgs, types);
}

/* The name of the prepared statement for `sql` with these parameters,
 * preparing it on first use. A statement past the cache's cap is prepared
 * unnamed each time. */
static enum xcode prepare(struct pg_db *db, const char *sql, const struct db_val *args, int nArgs,
                          const char **name, struct xerr *e)
{
    char sig[MAX_PARAMS + 1];
    for (int i = 0; i < nArgs; i++)
        sig[i] = args[i].type == DB_INT ? 'i' : args[i].type == DB_TEXT ? 't' : 'n';
    sig[nArgs] = '\0';
    uint32_t h = hash_of(sql, sig);
    for (int i = 0; i < db->nStmts; i++) {
        struct pg_stmt *s = &db->stmts[i];
        if (s->hash == h && strcmp(s->sig, sig) == 0 && strcmp(s->sql, sql) == 0) {
            *name = s->name;
            return XOK;
        }
    }
    uint64_t used;
    char *text = rewrite(sql, &used);
    if (!text)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    Oid types[MAX_PARAMS];
    for (int i = 0; i < nArgs; i++)
        /* A NULL is typed by its context; one the text never names gets
         * text, since PostgreSQL must know every declared parameter's type. */
        types[i] = sig[i] == 'i'                ? OID_INT8
                   : sig[i] == 't'              ? OID_TEXT
                   : (used & (1ull << i)) != 0u ? 0
                                                : OID_TEXT;
    struct pg_stmt *slot = NULL;
    if (db->nStmts < STMT_CACHE_MAX) {
        if (db->nStmts == db->nAlloc) {
            int nNew = db->nAlloc ? db->nAlloc * 2 : 32;
            struct pg_stmt *grown = realloc(db->stmts, (size_t)nNew * sizeof *grown);
            if (!grown) {
                free(text);
                return xerr_set(e, X_INTERNAL, "メモリが不足しています");
            }
            db->stmts = grown;
            db->nAlloc = nNew;
        }
        slot = &db->stmts[db->nStmts];
        snprintf(slot->name, sizeof slot->name, "x%d", db->nStmts + 1);
    }
    PGresult *res = prepare_typed(db, slot ? slot->name : "", text, nArgs, sig, types);
    free(text);
    if (!res || !res_ok(res)) {
        enum xcode rc = fail(db, res, "prepare", e);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    if (!slot) {
        *name = "";
        return XOK;
    }
    slot->sql = strdup(sql);
    slot->sig = strdup(sig);
    if (!slot->sql || !slot->sig) {
        free(slot->sql);
        free(slot->sig);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    slot->hash = h;
    db->nStmts++;
    *name = slot->name;
    return XOK;
}

/* The parameters as libpq takes them: text, an integer as its digits. */
static void param_values(const struct db_val *args, int nArgs, char digits[][24],
                         const char **values)
{
    for (int i = 0; i < nArgs; i++) {
        if (args[i].type == DB_INT) {
            snprintf(digits[i], 24, "%lld", args[i].i);
            values[i] = digits[i];
        } else {
            values[i] = args[i].type == DB_TEXT ? args[i].s : NULL;
        }
    }
}

/* Run a statement (prepared on first use): the whole result at once, or
 * (stream) sent with single-row mode set, pg_next then taking one result
 * per row (db_query_stream). */
static enum xcode start_query(struct pg_db *db, struct db_rows **out, const char *sql,
                              const struct db_val *args, int nArgs, bool stream, struct xerr *e)
{
    *out = NULL;
    if (nArgs > MAX_PARAMS)
        return xerr_set(e, X_INTERNAL, "SQL の引数が多すぎます（%d）", nArgs);
    if (db->depth == 0 && reconnect(db, e))
        return e->code;
    const char *name = NULL;
    if (prepare(db, sql, args, nArgs, &name, e))
        return e->code;
    char digits[MAX_PARAMS][24];
    const char *values[MAX_PARAMS];
    param_values(args, nArgs, digits, values);
    struct pg_rows *rows = calloc(1, sizeof *rows);
    if (!rows)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    rows->base.drv = &pg_driver;
    rows->row = -1;
    if (stream) {
        if (!PQsendQueryPrepared(db->conn, name, nArgs, values, NULL, NULL, 0)) {
            free(rows);
            return fail(db, NULL, "query", e);
        }
        PQsetSingleRowMode(db->conn);
        rows->db = db;
    } else {
        PGresult *res = PQexecPrepared(db->conn, name, nArgs, values, NULL, NULL, 0);
        if (!res || !res_ok(res)) {
            enum xcode rc = fail(db, res, "query", e);
            PQclear(res);
            free(rows);
            return rc;
        }
        rows->res = res;
        rows->nRows = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    }
    *out = &rows->base;
    return XOK;
}

static enum xcode pg_query(struct db *base, struct db_rows **out, const char *sql,
                           const struct db_val *args, int nArgs, struct xerr *e)
{
    return start_query((struct pg_db *)base, out, sql, args, nArgs, false, e);
}

static enum xcode pg_query_stream(struct db *base, struct db_rows **out, const char *sql,
                                  const struct db_val *args, int nArgs, struct xerr *e)
{
    return start_query((struct pg_db *)base, out, sql, args, nArgs, true, e);
}

/* Read what is left of a streamed result, so that the connection can take
 * the next statement; the first failure into e (where e is given). */
static enum xcode stream_finish(struct pg_rows *rows, struct xerr *e)
{
    enum xcode rc = XOK;
    PGresult *res;
    while (rows->db && (res = PQgetResult(rows->db->conn)) != NULL) {
        if (!rc && e && !res_ok(res) && PQresultStatus(res) != PGRES_SINGLE_TUPLE)
            rc = fail(rows->db, res, "query", e);
        PQclear(res);
    }
    rows->db = NULL;
    return rc;
}

static int pg_next(struct db_rows *base, struct xerr *e)
{
    struct pg_rows *rows = (struct pg_rows *)base;
    if (rows->db) { /* streaming: one row per result */
        PQclear(rows->res);
        rows->res = PQgetResult(rows->db->conn);
        ExecStatusType st = rows->res ? PQresultStatus(rows->res) : PGRES_TUPLES_OK;
        if (st == PGRES_SINGLE_TUPLE) {
            rows->row = 0;
            rows->nRows = 1;
            return 1;
        }
        enum xcode rc = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK
                            ? XOK
                            : fail(rows->db, rows->res, "query", e);
        PQclear(rows->res);
        rows->res = NULL;
        rows->nRows = 0;
        enum xcode left = stream_finish(rows, rc ? NULL : e);
        return rc || left ? -1 : 0;
    }
    (void)e; /* the whole result is already here: stepping cannot fail */
    if (rows->row + 1 >= rows->nRows)
        return 0;
    rows->row++;
    return 1;
}

static bool pg_is_null(struct db_rows *base, int col)
{
    struct pg_rows *rows = (struct pg_rows *)base;
    return !rows->res || col >= PQnfields(rows->res) || PQgetisnull(rows->res, rows->row, col);
}

/* An integer column as SQLite gives it: digits as their value, a boolean
 * as 1 or 0, anything else (NULL included) as 0. */
static long long pg_int(struct db_rows *base, int col)
{
    struct pg_rows *rows = (struct pg_rows *)base;
    if (pg_is_null(base, col))
        return 0;
    const char *s = PQgetvalue(rows->res, rows->row, col);
    if (s[0] == 't' && !s[1])
        return 1;
    return strtoll(s, NULL, 10);
}

static const char *pg_text(struct db_rows *base, int col)
{
    struct pg_rows *rows = (struct pg_rows *)base;
    if (!rows->res || col >= PQnfields(rows->res))
        return "";
    return PQgetvalue(rows->res, rows->row, col); /* "" for NULL */
}

static void pg_done(struct db_rows *base)
{
    struct pg_rows *rows = (struct pg_rows *)base;
    if (!rows)
        return;
    PQclear(rows->res);
    stream_finish(rows, NULL); /* a result left half-read is read to its end */
    free(rows);
}

static enum xcode pg_script(struct db *base, const char *sql, struct xerr *e)
{
    return run((struct pg_db *)base, sql, "script", e);
}

/* --- transactions ---------------------------------------------------- */

/* Transactions nest as on SQLite: the outermost is BEGIN, inner ones are
 * savepoints.
 *
 * A write transaction runs at READ COMMITTED and first takes one advisory
 * lock for the database, held to its end: writers queue for it and then
 * see everything committed before them, so a read-then-write in the
 * workflow (the state of a request, the audit chain's head) is never raced,
 * exactly as under SQLite's BEGIN IMMEDIATE. SERIALIZABLE would give the
 * same outcome only with every write transaction retried on 40001, and
 * every write appends to the one audit chain anyway, so writers could not
 * run side by side in any case. Readers are not blocked: a read transaction
 * is a REPEATABLE READ READ ONLY snapshot, which never fails to serialize. */
/* Run a BEGIN of pg_begin: where its last result says the transaction is
 * read-only, refuse it. */
static enum xcode run_begin(struct pg_db *db, const char *sql, struct xerr *e)
{
    PGresult *res = PQexec(db->conn, sql);
    enum xcode rc = res && res_ok(res) ? XOK : fail(db, res, "begin", e);
    if (!rc && PQresultStatus(res) == PGRES_TUPLES_OK && PQnfields(res) == 2 &&
        strcmp(PQgetvalue(res, 0, 1), "t") == 0)
        rc = xerr_set(e, X_STORE,
                      "データベースに書き込めません（読み取り専用: スタンバイか、"
                      "default_transaction_read_only）: %s",
                      PQdb(db->conn));
    PQclear(res);
    return rc;
}

static enum xcode pg_begin(struct db *base, bool write, struct xerr *e)
{
    struct pg_db *db = (struct pg_db *)base;
    if (db->depth == 0 && reconnect(db, e))
        return e->code;
    /* A write transaction also asks whether it may write (a hot standby, or
     * default_transaction_read_only), so that it fails before any work, as
     * a read-only SQLite file does, even where it would write nothing. */
    const char *sql = db->depth ? "SAVEPOINT nested"
                      : write   ? "BEGIN ISOLATION LEVEL READ COMMITTED; "
                                  "SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY "), "
                                  "current_setting('transaction_read_only') = 'on'"
                                : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    enum xcode rc = run_begin(db, sql, e);
    /* A connection the server closed since its last use is only found out
     * now (the socket looked open): BEGIN did nothing, so open it again and
     * begin once more. */
    if (rc == X_UNAVAILABLE && db->depth == 0 && PQstatus(db->conn) != CONNECTION_OK &&
        !reconnect(db, e))
        rc = run_begin(db, sql, e);
    if (rc) {
        if (!db->depth && PQstatus(db->conn) == CONNECTION_OK &&
            PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
            PGresult *res = PQexec(db->conn, "ROLLBACK");
            PQclear(res);
        }
        return e->code;
    }
    db->depth++;
    return XOK;
}

static void pg_rollback(struct db *base);

static enum xcode pg_commit(struct db *base, struct xerr *e)
{
    struct pg_db *db = (struct pg_db *)base;
    if (db->depth == 0)
        return XOK;
    PGresult *res = PQexec(db->conn, db->depth > 1 ? "RELEASE nested" : "COMMIT");
    enum xcode rc = XOK;
    if (!res || !res_ok(res))
        rc = fail(db, res, "commit", e);
    else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) /* COMMIT of a failed transaction */
        rc = xerr_set(e, X_STORE, "データベースエラー（commit）: 途中の失敗で取り消されました");
    PQclear(res);
    if (rc) {
        if (db->depth > 1 || PQtransactionStatus(db->conn) != PQTRANS_IDLE)
            pg_rollback(base);
        else
            db->depth = 0;
        return rc;
    }
    db->depth--;
    return XOK;
}

static void pg_rollback(struct db *base)
{
    struct pg_db *db = (struct pg_db *)base;
    if (db->depth == 0)
        return;
    PGresult *res =
        PQexec(db->conn, db->depth > 1 ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK");
    PQclear(res);
    db->depth--;
}

static enum xcode pg_has_table(struct db *base, const char *name, bool *found, struct xerr *e)
{
    struct db_rows *rows;
    *found = false;
    if (pg_query(base, &rows,
                 "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                 "AND tablename = ?1",
                 (const struct db_val[]){DS(name)}, 1, e))
        return e->code;
    if (pg_next(rows, e) == 1)
        *found = pg_int(rows, 0) > 0;
    pg_done(rows);
    return XOK;
}

static enum xcode pg_identity_after(struct db *base, const char *table, const char *column,
                                    struct xerr *e)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT setval(pg_get_serial_sequence('%s', '%s'), "
             "COALESCE((SELECT max(%s) FROM %s), 0) + 1, false)",
             table, column, column, table);
    return run((struct pg_db *)base, sql, "identity", e);
}

/* --- COPY FROM STDIN (db_bulk_*) ----------------------------------------- */

static enum xcode pg_copy_begin(struct db *base, const char *table, const char *columns,
                                struct xerr *e)
{
    struct pg_db *db = (struct pg_db *)base;
    char sql[1024];
    snprintf(sql, sizeof sql, "COPY %s(%s) FROM STDIN", table, columns);
    snprintf(db->copying, sizeof db->copying, "%s", table);
    PGresult *res = PQexec(db->conn, sql);
    enum xcode rc = PQresultStatus(res) == PGRES_COPY_IN ? XOK : fail(db, res, "copy", e);
    PQclear(res);
    return rc;
}

static enum xcode pg_copy_data(struct db *base, const char *data, size_t n, struct xerr *e)
{
    struct pg_db *db = (struct pg_db *)base;
    if (PQputCopyData(db->conn, data, (int)n) != 1)
        return fail(db, NULL, "copy", e);
    return XOK;
}

static enum xcode pg_copy_end(struct db *base, bool abandon, struct xerr *e)
{
    struct pg_db *db = (struct pg_db *)base;
    if (PQputCopyEnd(db->conn, abandon ? "abandoned" : NULL) != 1)
        return fail(db, NULL, "copy", e);
    enum xcode rc = XOK;
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (!rc && !res_ok(res))
            rc = fail(db, res, "copy", e);
        PQclear(res);
    }
    /* The planner's statistics for what just arrived: without them, the
     * first searches of a copied ledger scan (74 ms instead of 33 at 100,000
     * entries) until autovacuum comes by. */
    if (!rc && !abandon) {
        char sql[128];
        snprintf(sql, sizeof sql, "ANALYZE %s", db->copying);
        rc = run(db, sql, "analyze", e);
    }
    return rc;
}

static const struct db_driver pg_driver = {
    .name = "postgresql",
    .backend = DB_POSTGRES,
    .bigram_fts = false,
    /* BEGIN and COMMIT are two more round trips. */
    .cheap_snapshots = false,
    .close = pg_close,
    .query = pg_query,
    .query_stream = pg_query_stream,
    .next = pg_next,
    .is_null = pg_is_null,
    .get_int = pg_int,
    .get_text = pg_text,
    .done = pg_done,
    .script = pg_script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .has_table = pg_has_table,
    .identity_after = pg_identity_after,
    .copy_begin = pg_copy_begin,
    .copy_data = pg_copy_data,
    .copy_end = pg_copy_end,
};
