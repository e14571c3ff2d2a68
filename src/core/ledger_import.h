/*
 * ledger_import.h - a row of a city's old ledger (an Excel sheet saved as
 * CSV) as a request document: the header names matched to the fields
 * (ア)〜(キ) with the variants cities use (サービス名, 事業者名, 業務内容,
 * 格付, 担当課 …), the period in two columns or one (2024/4/1～2025/3/31,
 * 令和6年4月1日～令和7年3月31日, R6.4.1-R7.3.31), the classification as
 * 2, 機密性2 or 2-2-1. Pure: what is wrong goes into a list of issues
 * naming the row, the column and why, in Japanese.
 */
#ifndef EXTSVC_LEDGER_IMPORT_H
#define EXTSVC_LEDGER_IMPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "catalogue.h"

enum import_field {
    IMP_NAME,
    IMP_FUNCTION,
    IMP_PROVIDER,
    IMP_PURPOSE,
    IMP_CLASS, /* 格付: one level (機密性) or three (2-2-1) */
    IMP_CONF,
    IMP_INT,
    IMP_AVAIL,
    IMP_FROM,
    IMP_TO,
    IMP_PERIOD, /* both ends in one cell */
    IMP_DEPT,
    IMP_APPLICANT,
    IMP_SCOPE,
    IMP_CONDITIONS,
    IMP_OLD_ID, /* the old ledger's own number, kept as where the entry came from */
    IMP_NFIELDS
};

struct import_map {
    int col[IMP_NFIELDS]; /* 0-based column of each field, -1 where absent */
    char *header[IMP_NFIELDS];
    bool defaulted_levels; /* no 完全性/可用性: they take the scheme's lowest level */
    json_t *ignored;       /* header names read as nothing */
};

/* Match the header row (row 1) to the fields. False, with issues, where a
 * required field has no column or two columns claim one field. */
bool import_header(char **cells, size_t n, struct import_map *m, json_t *issues);
void import_map_release(struct import_map *m);

/* One row as a request document (a new reference; NULL after adding its
 * issues). A row of blank cells gives NULL and no issue (*blank set). */
json_t *import_row(const struct import_map *m, char **cells, size_t n, long row,
                   const struct catalogue *cat, bool *blank, json_t *issues);

#endif
