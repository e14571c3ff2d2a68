/*
 * ledger_table.h - the ledger as a table: the columns every export writes
 * (CONTRACT.md section 4: its fourteen, headed exactly, then ours) and the
 * text of each cell of an entry as workflow gives it (wf_ledger_each).
 */
#ifndef EXTSVC_LEDGER_TABLE_H
#define EXTSVC_LEDGER_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum ledger_col {
    COL_ID,              /* 台帳番号 */
    COL_NAME,            /* (ア) 外部サービスの名称 */
    COL_FUNCTION,        /* (ア) 機能名 */
    COL_PROVIDER,        /* (イ) */
    COL_PURPOSE,         /* (ウ) */
    COL_CONFIDENTIALITY, /* (エ) */
    COL_INTEGRITY,
    COL_AVAILABILITY,
    COL_FROM, /* (オ) */
    COL_TO,
    COL_DEPARTMENT, /* (カ) */
    COL_APPLICANT,
    COL_SCOPE,      /* (キ) */
    COL_STATE,      /* 状態 */
    COL_CONDITIONS, /* 個別の選定条件: the first of ours */
    COL_VERSION,
    COL_REQUEST,
    COL_RETIRED_ON,
    COL_UPDATED_AT,
    LEDGER_NCOLS
};

extern const char *const ledger_col_names[LEDGER_NCOLS];

/* The text of column `col` of entry `en`: a string of `en`, or written into
 * buf (n bytes, for numbers), or allocated into *owned, which the caller
 * frees (the conditions; *owned is NULL otherwise). Never NULL. */
const char *ledger_cell(json_t *en, int col, char *buf, size_t n, char **owned);

/* Whether the column holds an ISO date (or a UTC timestamp, COL_UPDATED_AT). */
bool ledger_col_is_date(int col);
/* Whether the column holds a whole number (台帳番号, 版, 承認申請番号). */
bool ledger_col_is_number(int col);

/* A cell a spreadsheet would run as a formula (starting =, +, -, @, tab or
 * CR: OWASP's CSV injection rule): true where `s` needs a leading '. */
bool ledger_cell_is_formula(const char *s);

#endif
