/*
 * ledger_csv.h - the ledger as CSV (CONTRACT.md section 4): RFC 4180 with
 * CRLF, UTF-8 with a BOM or CP932, the contract's columns and then ours,
 * every cell a spreadsheet would run written with a leading '. Built in
 * memory, one entry at a time, so that an error (a character CP932 cannot
 * hold) leaves no half file behind.
 */
#ifndef EXTSVC_LEDGER_CSV_H
#define EXTSVC_LEDGER_CSV_H

#include <jansson.h>
#include <stdbool.h>

#include "../core/err.h"
#include "../core/text.h"

struct ledger_csv {
    struct sbuf out; /* the bytes so far */
    bool cp932;
    long long rows;
};

/* Start: the BOM (UTF-8) and the header row. */
enum xcode ledger_csv_begin(struct ledger_csv *c, bool cp932, struct xerr *e);
/* One entry's row. A character CP932 cannot hold is X_INVALID naming the
 * entry, the column and the character. */
enum xcode ledger_csv_row(struct ledger_csv *c, json_t *en, struct xerr *e);
void ledger_csv_release(struct ledger_csv *c);

#endif
