/*
 * ledger_export.h - the ledger's downloads as the CLI and the web write
 * them: the entries of a query (workflow) through a renderer (CSV, XLSX)
 * into bytes or a file. Both faces call these; neither builds a document
 * itself.
 */
#ifndef EXTSVC_LEDGER_EXPORT_H
#define EXTSVC_LEDGER_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/wareki.h"
#include "../workflow/workflow.h"

/* Called every 10,000 entries (and at the end) with the count so far. */
typedef void (*export_progress)(long long rows, bool done, void *arg);

/* The CSV of the query's entries into *out (n bytes; the caller frees):
 * whole, or nothing and an error. */
enum xcode ledger_export_csv(struct db *db, const struct user *actor, struct ledger_query *q,
                             bool cp932, char **out, size_t *n, export_progress progress, void *arg,
                             struct xerr *e);

/* The workbook of the query's entries written to `path` (replaced only
 * once it is whole: written beside it, then renamed). The second sheet
 * holds the answers the actor may read. */
enum xcode ledger_export_xlsx(struct db *db, const struct user *actor, struct ledger_query *q,
                              enum date_style style, const char *path, export_progress progress,
                              void *arg, struct xerr *e);

/* The ledger as a printed list (PDF, A4 landscape, a header on every
 * page): the query's entries, dates in `style`. */
enum xcode ledger_export_pdf(struct db *db, const struct user *actor, struct ledger_query *q,
                             enum date_style style, char **out, size_t *n, struct xerr *e);

#endif
