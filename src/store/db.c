/*
 * db.c - db.h over the drivers of db_driver.h: choose a driver by URL,
 * dispatch, and the conveniences every driver shares.
 */
#include "db_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum xcode db_open(const char *url, enum db_open_mode mode, struct db **out, struct xerr *e)
{
    *out = NULL;
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return db_pg_open(url, mode, out, e);
    return db_sqlite_open(url, mode, out, e);
}

const char *db_url_shown(const char *url, char *buf, size_t n)
{
    const char *scheme = strstr(url, "://");
    const char *user = scheme ? scheme + 3 : NULL;
    const char *at = user ? strchr(user, '@') : NULL;
    const char *slash = user ? strchr(user, '/') : NULL;
    const char *colon = at ? memchr(user, ':', (size_t)(at - user)) : NULL;
    if (!colon || (slash && slash < at))
        snprintf(buf, n, "%s", url);
    else
        snprintf(buf, n, "%.*s%s", (int)(colon - url), url, at);
    return buf;
}

void db_close(struct db *db)
{
    if (db)
        db->drv->close(db);
}

enum db_backend db_backend(const struct db *db)
{
    return db->drv->backend;
}

const char *db_driver_name(const struct db *db)
{
    return db->drv->name;
}

bool db_bigram_fts(const struct db *db)
{
    return db->drv->bigram_fts;
}

enum xcode db_query(struct db *db, struct db_rows **out, const char *sql, const struct db_val *args,
                    int nArgs, struct xerr *e)
{
    return db->drv->query(db, out, sql, args, nArgs, e);
}

int db_next(struct db_rows *rows, struct xerr *e)
{
    return rows->drv->next(rows, e);
}

bool db_is_null(struct db_rows *rows, int col)
{
    return rows->drv->is_null(rows, col);
}

long long db_int(struct db_rows *rows, int col)
{
    return rows->drv->get_int(rows, col);
}

const char *db_text(struct db_rows *rows, int col)
{
    return rows->drv->get_text(rows, col);
}

char *db_dup(struct db_rows *rows, int col)
{
    if (db_is_null(rows, col))
        return NULL;
    return strdup(db_text(rows, col));
}

void db_done(struct db_rows *rows)
{
    if (rows)
        rows->drv->done(rows);
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
    return db->drv->script(db, sql, e);
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

enum xcode db_begin_write(struct db *db, struct xerr *e)
{
    return db->drv->begin(db, true, e);
}

enum xcode db_begin_read(struct db *db, struct xerr *e)
{
    return db->drv->begin(db, false, e);
}

enum xcode db_commit(struct db *db, struct xerr *e)
{
    return db->drv->commit(db, e);
}

void db_rollback(struct db *db)
{
    db->drv->rollback(db);
}

enum xcode db_has_table(struct db *db, const char *name, bool *found, struct xerr *e)
{
    return db->drv->has_table(db, name, found, e);
}

enum xcode db_identity_after(struct db *db, const char *table, const char *column,
                             struct xerr *e)
{
    return db->drv->identity_after ? db->drv->identity_after(db, table, column, e) : XOK;
}
