/*
 * token_cache.h - the API tokens this process has checked, kept while no
 * user, department or token has changed anywhere (the store's credentials
 * count, bumped by triggers in every process). One database per process.
 */
#ifndef EXTSVC_TOKEN_CACHE_H
#define EXTSVC_TOKEN_CACHE_H

#include <stdbool.h>

#include "../store/store.h"

/* The user of token hash `hash` (a copy: user_release it) and the token's
 * id and last-used day, where it was checked under count `gen` and has not
 * expired at `now`; false otherwise. A different gen empties the cache. */
bool token_cache_get(const char *hash, long long gen, const char *now, struct user *out,
                     long long *token_id, char last_used[11]);
/* Keep what a lookup under count `gen` found. */
void token_cache_put(const char *hash, long long gen, const struct user *u, long long token_id,
                     const char *expires_at, const char *last_used);
/* The token was used on `day` (so it need not be noted again that day). */
void token_cache_used(const char *hash, const char *day);

#endif
