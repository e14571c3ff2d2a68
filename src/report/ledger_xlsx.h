/*
 * ledger_xlsx.h - the ledger as an Excel workbook (libxlsxwriter): the
 * sheet 「台帳」 with CONTRACT.md section 4's columns (a frozen header row,
 * an autofilter, widths that fit Japanese text, dates as real Excel dates
 * shown in 和暦 or 西暦), and the sheet 「要件の回答」 with each entry's
 * answer to every requirement and risk of the catalogue. Text is written
 * as text, never as a formula, so 001234 or 1-2-1 stay what they are.
 * Written row by row (libxlsxwriter's constant-memory mode): a ledger of
 * any size takes little memory.
 */
#ifndef EXTSVC_LEDGER_XLSX_H
#define EXTSVC_LEDGER_XLSX_H

#include <jansson.h>

#include "../core/catalogue.h"
#include "../core/err.h"
#include "../core/wareki.h"

struct ledger_xlsx;

/* Start a workbook to be written at `path`. style: DATE_WAREKI or
 * DATE_SEIREKI (DATE_ISO is taken as 西暦) for how the dates show; cat:
 * the catalogue whose requirements and risks head the second sheet. */
enum xcode ledger_xlsx_open(const char *path, enum date_style style, const struct catalogue *cat,
                            struct ledger_xlsx **out, struct xerr *e);
/* One entry on the first sheet. */
enum xcode ledger_xlsx_row(struct ledger_xlsx *x, json_t *en, struct xerr *e);
/* Entries' answers on the second sheet (wf_ledger_answers' array). */
enum xcode ledger_xlsx_answers(struct ledger_xlsx *x, json_t *answers, struct xerr *e);
/* Finish and write the file; frees x whatever happens. */
enum xcode ledger_xlsx_close(struct ledger_xlsx *x, struct xerr *e);

#endif
