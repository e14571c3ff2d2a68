/*
 * import_write.h - the writing pass of an import (import.c). The reading
 * thread prepares each checked row (its document parsed and evaluated, the
 * texts to store made) and hands rows in batches, through a bounded queue,
 * to the writing thread, which writes each as an approved request, an
 * entry marked as migrated and its audit record.
 */
#ifndef EXTSVC_IMPORT_WRITE_H
#define EXTSVC_IMPORT_WRITE_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "../core/catalogue.h"
#include "workflow.h"

struct import_pipe;

/* Rows of `source` (the file's name, for migrated_from), evaluated as of
 * `today`, against cat; NULL without memory. */
struct import_pipe *import_pipe_new(const struct catalogue *cat, const char *source,
                                    const char *today);
/* Both threads done: frees what is left in it. */
void import_pipe_free(struct import_pipe *p);

/* Reader: prepare one checked row ({"line", "document", "old_id"}) and
 * queue it. An error where it cannot be prepared (e); *stopped where the
 * writer has stopped (it failed): read no further. */
enum xcode import_pipe_add(struct import_pipe *p, json_t *item, bool *stopped, struct xerr *e);
/* Reader: no more rows; `failed`: drop the batch not yet handed over. */
void import_pipe_finish(struct import_pipe *p, bool failed);
/* Any thread (the checking pass, finding the file wrong): the writer takes
 * no more rows, and the reader's next import_pipe_add says *stopped. */
void import_pipe_stop(struct import_pipe *p);

/* Writer: write the rows as they come, as `actor` at `now`, in the
 * transaction the caller holds, until the reader finishes, the pipe is
 * stopped, or a write fails (then the reader is stopped). *count rows
 * written, first..last their entries; o->progress every 1,000 rows once
 * *total (the rows in all, set by another thread) is known. */
enum xcode import_pipe_write(struct import_pipe *p, struct db *db, const struct user *actor,
                             const char *now, const struct import_options *o,
                             const atomic_long *total, long *count, long long *first,
                             long long *last, struct xerr *e);

#endif
