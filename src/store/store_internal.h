/*
 * store_internal.h - what the store_*.c files share and nothing above
 * store/ sees: the loop that turns rows into a JSON array, and the
 * {key: [...]} wrapper of every listing.
 */
#ifndef EXTSVC_STORE_INTERNAL_H
#define EXTSVC_STORE_INTERNAL_H

#include "store.h"

/* Run a query and make one JSON value of each row with `row`; *out is the
 * array. */
enum xcode store_query_array(struct db *db, const char *sql, const struct db_val *args, int nArgs,
                             json_t *(*row)(struct db_rows *rows), json_t **out, struct xerr *e);
/* "%q%" with % _ and \ escaped, for LIKE ... ESCAPE '\'. Caller frees. */
char *store_like_pattern(const char *q);
/* Wrap a listing as {key: [...]}, and with "total" where asked. */
enum xcode store_listing(enum xcode rc, const char *key, bool total, json_t *arr, json_t **out);

/* An entry's state on the day ?1 (YYYY-MM-DD), from its retirement date R
 * and period F..T (SQL expressions): 廃止, 期間満了, 廃止予定, 利用開始前 or 利用中. */
#define STATE_CASE(R, F, T)                                                                        \
    "CASE WHEN " R " <= ?1 THEN 'retired' WHEN " T " < ?1 THEN 'expired' "                         \
    "WHEN " R " IS NOT NULL THEN 'retiring' WHEN " F " > ?1 THEN 'upcoming' ELSE 'active' END"

#endif
