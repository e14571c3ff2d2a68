/*
 * csv_read.c - CSV as Excel saves it; see csv_read.h.
 */
#include "csv_read.h"

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void csv_issue(json_t *issues, long line, int column, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(issues, json_pack("{s:I, s:i, s:s}", "line", (json_int_t)line, "column",
                                            column, "message",
                                            utf8_valid(msg, strlen(msg)) ? msg : "読めない値です"));
}

/* The physical line (1-based) of byte `at`. */
static long line_of(const char *data, size_t at)
{
    long line = 1;
    for (size_t i = 0; i < at; i++)
        if (data[i] == '\n')
            line++;
    return line;
}

struct reader {
    char **cells;
    size_t n;
    long row;
    bool stop;
    csv_record_fn fn;
    void *arg;
    json_t *issues;
    bool too_wide; /* reported for this row */
};

static void on_field(void *s, size_t len, void *arg)
{
    struct reader *r = arg;
    if (r->stop)
        return;
    size_t col = r->n + 1;
    if (r->n >= CSV_MAX_COLUMNS) {
        if (!r->too_wide)
            csv_issue(r->issues, r->row, 0, "列が多すぎます（上限 %d 列）", CSV_MAX_COLUMNS);
        r->too_wide = true;
        r->n++;
        return;
    }
    char *cell;
    if (len > CSV_MAX_CELL_BYTES) {
        csv_issue(r->issues, r->row, (int)col, "セルが長すぎます（%zu バイト。上限 %d バイト）",
                  len, CSV_MAX_CELL_BYTES);
        cell = strdup("");
    } else {
        cell = malloc(len + 1);
        if (cell) {
            memcpy(cell, s ? s : "", len);
            cell[len] = '\0';
        }
    }
    if (!cell) {
        r->stop = true;
        return;
    }
    r->cells[r->n++] = cell;
}

static void clear_row(struct reader *r)
{
    size_t kept = r->n < CSV_MAX_COLUMNS ? r->n : CSV_MAX_COLUMNS;
    for (size_t i = 0; i < kept; i++)
        free(r->cells[i]);
    r->n = 0;
    r->too_wide = false;
}

static void on_record(int c, void *arg)
{
    (void)c;
    struct reader *r = arg;
    if (!r->stop) {
        size_t kept = r->n < CSV_MAX_COLUMNS ? r->n : CSV_MAX_COLUMNS;
        if (!r->fn(r->cells, kept, r->row, r->arg))
            r->stop = true;
    }
    clear_row(r);
    r->row++;
}

/* Whether well-formed UTF-8 beyond ASCII (Japanese) comes before the first
 * byte that is not UTF-8: then the file is UTF-8 with a fault, not CP932. */
static bool utf8_before_error(const char *data, size_t n)
{
    size_t at = 0;
    bool wide = false;
    while (at < n) {
        unsigned char c = (unsigned char)data[at];
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (at + len > n || !utf8_valid(data + at, len))
            break;
        wide = wide || len > 1;
        at += len;
    }
    return wide;
}

/* The text as UTF-8, per `enc`; NULL after reporting why. */
static char *decode(const char *data, size_t n, enum csv_encoding enc, enum csv_encoding *used,
                    size_t *nOut, json_t *issues)
{
    const char *nul = memchr(data, '\0', n);
    if (nul) {
        csv_issue(issues, line_of(data, (size_t)(nul - data)), 0,
                  "NUL 文字（0x00）があります。CSV ではないファイルではありませんか");
        return NULL;
    }
    bool bom = n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0;
    if (enc == CSV_ENC_AUTO && !bom && !utf8_valid(data, n) && utf8_before_error(data, n))
        bom = false, enc = CSV_ENC_UTF8; /* UTF-8 Japanese, then a bad byte: say where */
    if (enc == CSV_ENC_UTF8 || bom || (enc == CSV_ENC_AUTO && utf8_valid(data, n))) {
        if (bom) {
            data += 3;
            n -= 3;
        }
        if (!utf8_valid(data, n)) {
            /* The first byte that is not UTF-8: sequence by sequence. */
            size_t good = 0;
            while (good < n) {
                unsigned char c = (unsigned char)data[good];
                size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
                if (good + len > n || !utf8_valid(data + good, len))
                    break;
                good += len;
            }
            csv_issue(issues, line_of(data, good), 0,
                      "UTF-8 として正しくないバイト列があります（CP932 なら --encoding cp932）");
            return NULL;
        }
        *used = CSV_ENC_UTF8;
        *nOut = n;
        char *out = malloc(n + 1);
        if (out) {
            memcpy(out, data, n);
            out[n] = '\0';
        }
        return out;
    }
    char *out;
    size_t bad = 0;
    enum xcode rc = text_from_cp932(data, n, &out, nOut, &bad);
    if (rc) {
        csv_issue(issues, line_of(data, bad), 0,
                  enc == CSV_ENC_CP932 ? "CP932 として正しくないバイト列があります"
                                       : "文字コードを判別できません（UTF-8 でも CP932 でも"
                                         "ないバイト列があります）");
        return NULL;
    }
    *used = CSV_ENC_CP932;
    return out;
}

enum xcode csv_read(const char *data, size_t n, enum csv_encoding enc, enum csv_encoding *used,
                    csv_record_fn fn, void *arg, json_t *issues)
{
    size_t before = json_array_size(issues);
    *used = CSV_ENC_UTF8;
    size_t len;
    char *text = decode(data, n, enc, used, &len, issues);
    if (!text)
        return X_INVALID;
    /* A BOM after the start: two files joined, or a cell pasted from one. */
    for (const char *p = text; (p = strstr(p, "\xEF\xBB\xBF")); p += 3)
        csv_issue(issues, line_of(text, (size_t)(p - text)), 0,
                  "途中に BOM（U+FEFF）があります（ファイルをつなぎ合わせていませんか）");
    struct csv_parser p;
    struct reader r = {.row = 1, .fn = fn, .arg = arg, .issues = issues};
    r.cells = calloc(CSV_MAX_COLUMNS, sizeof *r.cells);
    if (!r.cells || csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0) {
        free(r.cells);
        free(text);
        csv_issue(issues, 0, 0, "メモリが不足しています");
        return X_INTERNAL;
    }
    if (csv_parse(&p, text, len, on_field, on_record, &r) != len && !r.stop)
        csv_issue(issues, r.row, (int)r.n + 1, "CSV として読めません（%s）",
                  csv_error(&p) == CSV_EPARSE ? "引用符 \" の閉じ方が正しくありません"
                                              : csv_strerror(csv_error(&p)));
    else if (!r.stop && csv_fini(&p, on_field, on_record, &r) != 0)
        csv_issue(issues, r.row, 0, "CSV の終わり方が正しくありません（引用符が閉じていません）");
    clear_row(&r);
    csv_free(&p);
    free(r.cells);
    free(text);
    return json_array_size(issues) > before ? X_INVALID : XOK;
}
