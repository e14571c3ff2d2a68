/*
 * csv_read.h - a CSV file as a city saves it from Excel, read into UTF-8
 * records: UTF-8 with or without a BOM, or CP932 (detected, or forced);
 * RFC 4180 as Excel writes it (quotes, line breaks inside a cell, a
 * trailing empty line) parsed by libcsv. What is wrong is named by its row
 * (the record's number, 1 for the first, as a spreadsheet counts rows) and
 * column, in Japanese, and reading goes on where it can so that one run
 * reports every problem.
 */
#ifndef EXTSVC_CSV_READ_H
#define EXTSVC_CSV_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum csv_encoding { CSV_ENC_AUTO, CSV_ENC_UTF8, CSV_ENC_CP932 };

#define CSV_MAX_COLUMNS    256
#define CSV_MAX_CELL_BYTES 65536

/* Each record: its cells (NUL-terminated UTF-8; a cell over the size limit
 * or past the column limit is reported and left out), how many, and its
 * row number. Return false to stop reading. */
typedef bool (*csv_record_fn)(char **cells, size_t n, long row, void *arg);

/* Read `data` (n bytes). Problems are appended to `issues` as {"line",
 * "column" (1-based, 0 for the whole row), "message"}; X_INVALID where
 * there were any, else XOK. *used: the encoding read (UTF-8 or CP932). */
enum xcode csv_read(const char *data, size_t n, enum csv_encoding enc, enum csv_encoding *used,
                    csv_record_fn fn, void *arg, json_t *issues);

/* Append one problem to issues. */
void csv_issue(json_t *issues, long line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
