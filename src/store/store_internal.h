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

#endif
