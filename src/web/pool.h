/*
 * pool.h - a memory pool per HTTP request (h2o's idea): handlers allocate
 * freely and never free piecemeal; everything goes when the request ends.
 */
#ifndef EXTSVC_WEB_POOL_H
#define EXTSVC_WEB_POOL_H

#include <stddef.h>

struct pool;

struct pool *pool_new(void);
/* Free the pool and everything allocated from it. */
void pool_free(struct pool *p);
/* Zeroed memory that lives as long as the pool; NULL only when out of memory. */
void *pool_alloc(struct pool *p, size_t n);
char *pool_strdup(struct pool *p, const char *s);
char *pool_strndup(struct pool *p, const char *s, size_t n);
char *pool_printf(struct pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Register a destructor run when the pool is freed (for jansson objects,
 * buffers allocated elsewhere). */
void pool_defer(struct pool *p, void (*fn)(void *), void *arg);

#endif
