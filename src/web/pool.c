/*
 * pool.c - per-request memory pool; see pool.h.
 */
#include "pool.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 16384

struct block {
    struct block *next;
    size_t used, size;
    max_align_t data[];
};

struct deferred {
    struct deferred *next;
    void (*fn)(void *);
    void *arg;
};

struct pool {
    struct block *blocks;
    struct deferred *deferred;
};

struct pool *pool_new(void)
{
    return calloc(1, sizeof(struct pool));
}

void pool_free(struct pool *p)
{
    if (!p)
        return;
    for (struct deferred *d = p->deferred; d; d = d->next)
        d->fn(d->arg);
    struct block *b = p->blocks;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    /* deferred records live in blocks, freed above */
    free(p);
}

void *pool_alloc(struct pool *p, size_t n)
{
    size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    struct block *b = p->blocks;
    if (!b || b->size - b->used < n) {
        size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        /* A large block goes behind the current one, so the current one's
         * free space stays in use. */
        if (p->blocks && n > BLOCK_SIZE) {
            b->next = p->blocks->next;
            p->blocks->next = b;
        } else {
            b->next = p->blocks;
            p->blocks = b;
        }
    }
    void *mem = (char *)b->data + b->used;
    b->used += n;
    memset(mem, 0, n);
    return mem;
}

char *pool_strndup(struct pool *p, const char *s, size_t n)
{
    char *d = pool_alloc(p, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *pool_strdup(struct pool *p, const char *s)
{
    return s ? pool_strndup(p, s, strlen(s)) : NULL;
}

char *pool_printf(struct pool *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *d = pool_alloc(p, (size_t)n + 1);
    if (!d)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

void pool_defer(struct pool *p, void (*fn)(void *), void *arg)
{
    struct deferred *d = pool_alloc(p, sizeof *d);
    if (!d) {
        return; /* out of memory: leak `arg` rather than free what is still in use */
    }
    d->fn = fn;
    d->arg = arg;
    d->next = p->deferred;
    p->deferred = d;
}
