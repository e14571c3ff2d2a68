/*
 * row_queue.h - a bounded queue between one producing and one consuming
 * thread (the import's reader and its writer): push blocks while full,
 * pop while empty. Either side may end it: the producer when it has no
 * more (row_queue_finish), the consumer when it will take no more
 * (row_queue_stop, after an error): then push refuses, and the producer
 * stops reading.
 */
#ifndef EXTSVC_ROW_QUEUE_H
#define EXTSVC_ROW_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct row_queue;

/* NULL without memory. */
struct row_queue *row_queue_new(size_t capacity);
/* Free the queue (both threads done with it); items still in it are the
 * caller's to have popped first. */
void row_queue_free(struct row_queue *q);
/* Producer: add item (not NULL); false, without taking it, once stopped. */
bool row_queue_push(struct row_queue *q, void *item);
/* Producer: nothing more will come. */
void row_queue_finish(struct row_queue *q);
/* Consumer: the next item, or NULL once finished and empty, or stopped. */
void *row_queue_pop(struct row_queue *q);
/* Consumer: the next item if there is one now, else NULL at once. */
void *row_queue_try_pop(struct row_queue *q);
/* Consumer: take no more; the producer's next push fails. Items still
 * queued are then drained with row_queue_drain. */
void row_queue_stop(struct row_queue *q);
/* After both are done: the next item left in the queue, NULL when empty. */
void *row_queue_drain(struct row_queue *q);

#endif
