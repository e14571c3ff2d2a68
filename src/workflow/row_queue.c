/*
 * row_queue.c - the bounded queue of row_queue.h: a ring of pointers
 * under one mutex, with a condition for each side.
 */
#include "row_queue.h"

#include <pthread.h>
#include <stdlib.h>

struct row_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    size_t cap, head, count;
    bool finished, stopped;
    void *items[];
};

struct row_queue *row_queue_new(size_t capacity)
{
    if (!capacity)
        return NULL;
    struct row_queue *q = calloc(1, sizeof *q + capacity * sizeof q->items[0]);
    if (!q)
        return NULL;
    q->cap = capacity;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_full, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    return q;
}

void row_queue_free(struct row_queue *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    free(q);
}

/* The oldest item, the lock held and the queue not empty. */
static void *take(struct row_queue *q)
{
    void *item = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    pthread_cond_signal(&q->not_full);
    return item;
}

bool row_queue_push(struct row_queue *q, void *item)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == q->cap && !q->stopped)
        pthread_cond_wait(&q->not_full, &q->lock);
    bool ok = !q->stopped;
    if (ok) {
        q->items[(q->head + q->count) % q->cap] = item;
        q->count++;
        pthread_cond_signal(&q->not_empty);
    }
    pthread_mutex_unlock(&q->lock);
    return ok;
}

void row_queue_finish(struct row_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->finished = true;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

void *row_queue_pop(struct row_queue *q)
{
    void *item = NULL;
    pthread_mutex_lock(&q->lock);
    while (!q->count && !q->finished && !q->stopped)
        pthread_cond_wait(&q->not_empty, &q->lock);
    if (q->count && !q->stopped)
        item = take(q);
    pthread_mutex_unlock(&q->lock);
    return item;
}

void *row_queue_try_pop(struct row_queue *q)
{
    void *item = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->count && !q->stopped)
        item = take(q);
    pthread_mutex_unlock(&q->lock);
    return item;
}

void row_queue_stop(struct row_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->stopped = true;
    pthread_cond_broadcast(&q->not_full);
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

void *row_queue_drain(struct row_queue *q)
{
    void *item = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->count)
        item = take(q);
    pthread_mutex_unlock(&q->lock);
    return item;
}
