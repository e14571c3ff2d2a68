/*
 * test_db.c - the transaction rules db.c keeps above both drivers: nested
 * transactions as savepoints, all-or-nothing batches (db_batch) without
 * them, the hook run at the outermost commit (db_before_commit, which
 * writes the audit log's head once per transaction) and the memo that is
 * forgotten whenever anything rolls back (db_memo, the audit log's tail).
 *
 * Each case runs on a SQLite file, and on PostgreSQL too where the test
 * command started a cluster (EXTSVC_TEST_PG_URL), in a table of its own.
 */
#include "unit_util.h"

#include <unistd.h>

#include "store/db.h"

struct backend {
    const char *url;
    char table[64];
};

static struct backend sqlite_be, pg_be;
static char sqlite_path[] = "/tmp/extsvc-test-db-XXXXXX";

static int setup_sqlite(void **state)
{
    int fd = mkstemp(sqlite_path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(sqlite_path);
    sqlite_be.url = sqlite_path;
    snprintf(sqlite_be.table, sizeof sqlite_be.table, "t_batch");
    *state = &sqlite_be;
    return 0;
}

static int setup_pg(void **state)
{
    pg_be.url = getenv("EXTSVC_TEST_PG_URL");
    snprintf(pg_be.table, sizeof pg_be.table, "t_batch_%ld", (long)getpid());
    *state = &pg_be;
    return 0;
}

static int teardown_sqlite(void **state)
{
    unlink(sqlite_path);
    return 0;
}

/* A connection with an empty table t(v); skips where the backend is absent. */
static struct db *open_with_table(struct backend *be)
{
    if (!be->url)
        skip();
    struct db *db;
    struct xerr e = {0};
    if (db_open(be->url, DB_OPEN_CREATE, &db, &e))
        fail_msg("db_open(%s): %s", be->url, e.msg);
    /* Table names are the test's own: formatting them in is safe here. */
    char sql[256];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s; CREATE TABLE %s (v INTEGER NOT NULL)",
             be->table, be->table);
    if (db_script(db, sql, &e))
        fail_msg("create table: %s", e.msg);
    return db;
}

static void drop_and_close(struct db *db, struct backend *be)
{
    char sql[128];
    struct xerr e = {0};
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", be->table);
    db_script(db, sql, &e);
    db_close(db);
}

static void insert(struct db *db, struct backend *be, int v)
{
    /* db_exec keeps statements by their text: one buffer per table name. */
    static char sql[2][128];
    char *slot = sql[be == &pg_be];
    snprintf(slot, sizeof sql[0], "INSERT INTO %s(v) VALUES (?1)", be->table);
    struct xerr e = {0};
    if (db_exec(db, slot, DB_ARGS(DI(v)), &e))
        fail_msg("insert %d: %s", v, e.msg);
}

static long long count(struct db *db, struct backend *be)
{
    static char sql[2][128];
    char *slot = sql[be == &pg_be];
    snprintf(slot, sizeof sql[0], "SELECT count(*) FROM %s", be->table);
    struct xerr e = {0};
    long long n = -1;
    if (db_one_int(db, slot, DB_NOARGS, &n, NULL, &e))
        fail_msg("count: %s", e.msg);
    return n;
}

/* Without a batch, an inner transaction rolled back undoes itself only. */
static void test_nested_rollback_undoes_only_itself(void **state)
{
    struct backend *be = *state;
    struct db *db = open_with_table(be);
    struct xerr e = {0};
    assert_int_equal(db_begin_write(db, &e), XOK);
    insert(db, be, 1);
    assert_int_equal(db_begin_write(db, &e), XOK);
    insert(db, be, 2);
    db_rollback(db);
    assert_int_equal(db_commit(db, &e), XOK);
    assert_int_equal(count(db, be), 1);
    drop_and_close(db, be);
}

/* In a batch, one inner write rolled back fails the whole: nothing is kept. */
static void test_batch_is_all_or_nothing(void **state)
{
    struct backend *be = *state;
    struct db *db = open_with_table(be);
    struct xerr e = {0};
    assert_int_equal(db_begin_write(db, &e), XOK);
    db_batch(db);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(db_begin_write(db, &e), XOK);
        insert(db, be, i);
        assert_int_equal(db_commit(db, &e), XOK);
    }
    assert_int_equal(db_begin_write(db, &e), XOK);
    insert(db, be, 99);
    db_rollback(db);
    assert_int_equal(db_commit(db, &e), X_STORE);
    assert_false(db_in_transaction(db));
    assert_int_equal(count(db, be), 0);
    drop_and_close(db, be);
}

/* A read ended inside a batch (reads end with db_rollback) undoes nothing
 * and spoils nothing; the batch commits every inner write. */
static void test_batch_read_inside_does_not_spoil_it(void **state)
{
    struct backend *be = *state;
    struct db *db = open_with_table(be);
    struct xerr e = {0};
    assert_int_equal(db_begin_write(db, &e), XOK);
    db_batch(db);
    assert_int_equal(db_begin_write(db, &e), XOK);
    insert(db, be, 1);
    assert_int_equal(db_begin_read(db, &e), XOK);
    assert_int_equal(count(db, be), 1);
    db_rollback(db);
    assert_int_equal(db_commit(db, &e), XOK);
    assert_int_equal(db_commit(db, &e), XOK);
    assert_int_equal(count(db, be), 1);
    /* The batch ended with its transaction: the next one nests savepoints again. */
    assert_int_equal(db_begin_write(db, &e), XOK);
    assert_int_equal(db_begin_write(db, &e), XOK);
    insert(db, be, 2);
    db_rollback(db);
    assert_int_equal(db_commit(db, &e), XOK);
    assert_int_equal(count(db, be), 1);
    drop_and_close(db, be);
}

static int hook_runs;
static enum xcode hook(struct db *db, struct xerr *e)
{
    hook_runs++;
    return XOK;
}
static enum xcode failing_hook(struct db *db, struct xerr *e)
{
    return xerr_set(e, X_STORE, "hook failed");
}

/* The hook runs once, at the outermost commit, never at an inner one nor
 * after a rollback; where it fails, the transaction is rolled back. */
static void test_before_commit_runs_once_at_the_outermost_commit(void **state)
{
    struct backend *be = *state;
    struct db *db = open_with_table(be);
    struct xerr e = {0};
    hook_runs = 0;
    assert_int_equal(db_begin_write(db, &e), XOK);
    assert_int_equal(db_begin_write(db, &e), XOK);
    db_before_commit(db, hook);
    assert_int_equal(db_commit(db, &e), XOK);
    assert_int_equal(hook_runs, 0);
    db_before_commit(db, hook);
    assert_int_equal(db_commit(db, &e), XOK);
    assert_int_equal(hook_runs, 1);

    assert_int_equal(db_begin_write(db, &e), XOK);
    db_before_commit(db, hook);
    db_rollback(db);
    assert_int_equal(db_begin_write(db, &e), XOK);
    assert_int_equal(db_commit(db, &e), XOK);
    assert_int_equal(hook_runs, 1);

    assert_int_equal(db_begin_write(db, &e), XOK);
    insert(db, be, 1);
    db_before_commit(db, failing_hook);
    assert_int_equal(db_commit(db, &e), X_STORE);
    assert_false(db_in_transaction(db));
    assert_int_equal(count(db, be), 0);
    drop_and_close(db, be);
}

/* The memo lives only while nothing rolls back and the transaction lasts. */
static void test_memo_is_forgotten_on_any_rollback(void **state)
{
    struct backend *be = *state;
    struct db *db = open_with_table(be);
    struct xerr e = {0};
    db_memo_set(db, "outside");
    assert_null(db_memo(db));
    assert_int_equal(db_begin_write(db, &e), XOK);
    db_memo_set(db, "7:abc");
    assert_string_equal(db_memo(db), "7:abc");
    assert_int_equal(db_begin_write(db, &e), XOK);
    assert_int_equal(db_commit(db, &e), XOK);
    assert_string_equal(db_memo(db), "7:abc");
    assert_int_equal(db_begin_write(db, &e), XOK);
    db_rollback(db);
    assert_null(db_memo(db));
    db_memo_set(db, "8:def");
    assert_int_equal(db_commit(db, &e), XOK);
    assert_int_equal(db_begin_read(db, &e), XOK);
    assert_null(db_memo(db));
    db_rollback(db);
    drop_and_close(db, be);
}

/* "INSERT ... RETURNING id" gives the new row's id, and no row where ON
 * CONFLICT DO NOTHING inserted none. (SQLite runs it without the clause,
 * for speed, and reads sqlite3_last_insert_rowid(): the rows a trigger
 * inserts must not be taken for it.) */
static void test_insert_returning_id_is_the_new_rows(void **state)
{
    struct backend *be = *state;
    struct db *db = open_with_table(be);
    struct xerr e = {0};
    bool pg = be == &pg_be;
    static char create[2][512], ins[2][160], skip_dup[2][200];
    int k = pg;
    snprintf(create[k], sizeof create[k],
             pg ? "DROP TABLE IF EXISTS %s_ids; CREATE TABLE %s_ids (id BIGINT GENERATED BY "
                  "DEFAULT AS IDENTITY PRIMARY KEY, k TEXT UNIQUE)"
                : "DROP TABLE IF EXISTS %s_ids; CREATE TABLE %s_ids (id INTEGER PRIMARY KEY, "
                  "k TEXT UNIQUE); CREATE TRIGGER %s_ids_more AFTER INSERT ON %s_ids BEGIN "
                  "INSERT INTO %s(v) VALUES (1), (2), (3); END",
             be->table, be->table, be->table, be->table, be->table);
    snprintf(ins[k], sizeof ins[k], "INSERT INTO %s_ids(k) VALUES (?1) RETURNING id", be->table);
    snprintf(skip_dup[k], sizeof skip_dup[k],
             "INSERT INTO %s_ids(k) VALUES (?1) ON CONFLICT(k) DO NOTHING RETURNING id", be->table);
    if (db_script(db, create[k], &e))
        fail_msg("create: %s", e.msg);
    long long id = 0;
    bool found = false;
    const char *keys[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(db_one_int(db, ins[k], DB_ARGS(DS(keys[i])), &id, &found, &e), XOK);
        assert_true(found);
        assert_int_equal(id, i + 1);
    }
    id = -1;
    assert_int_equal(db_one_int(db, skip_dup[k], DB_ARGS(DS("a")), &id, &found, &e), XOK);
    assert_false(found);
    assert_int_equal(db_one_int(db, skip_dup[k], DB_ARGS(DS("d")), &id, &found, &e), XOK);
    assert_true(found);
    assert_true(id >= 4); /* PostgreSQL's sequence moved on at the conflict too */
    char drop[128];
    snprintf(drop, sizeof drop, "DROP TABLE %s_ids", be->table);
    db_script(db, drop, &e);
    drop_and_close(db, be);
}

int main(void)
{
    setup_sqlite(&(void *){0});
    setup_pg(&(void *){0});
    static const struct {
        const char *name;
        CMUnitTestFunction fn;
    } cases[] = {
        {"test_nested_rollback_undoes_only_itself", test_nested_rollback_undoes_only_itself},
        {"test_batch_is_all_or_nothing", test_batch_is_all_or_nothing},
        {"test_batch_read_inside_does_not_spoil_it", test_batch_read_inside_does_not_spoil_it},
        {"test_before_commit_runs_once_at_the_outermost_commit",
         test_before_commit_runs_once_at_the_outermost_commit},
        {"test_memo_is_forgotten_on_any_rollback", test_memo_is_forgotten_on_any_rollback},
        {"test_insert_returning_id_is_the_new_rows", test_insert_returning_id_is_the_new_rows},
    };
    enum { N = sizeof cases / sizeof cases[0] };
    /* Each case on SQLite, and on PostgreSQL where the test command started
     * one (scripts/test sets EXTSVC_TEST_PG_URL). */
    struct CMUnitTest tests[2 * N];
    static char names[2 * N][96];
    size_t n = 0;
    for (size_t i = 0; i < N; i++) {
        snprintf(names[n], sizeof names[n], "%s (SQLite)", cases[i].name);
        tests[n] = (struct CMUnitTest){names[n], cases[i].fn, NULL, NULL, &sqlite_be};
        n++;
        if (pg_be.url) {
            snprintf(names[n], sizeof names[n], "%s (PostgreSQL)", cases[i].name);
            tests[n] = (struct CMUnitTest){names[n], cases[i].fn, NULL, NULL, &pg_be};
            n++;
        }
    }
    int failed = _cmocka_run_group_tests("test_db", tests, n, NULL, NULL);
    teardown_sqlite(NULL);
    return failed;
}
