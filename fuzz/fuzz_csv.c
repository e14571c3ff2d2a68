/*
 * fuzz_csv.c - libFuzzer driver for the CSV writer of the ledger export:
 * csv_field() (RFC 4180 quoting, core/text.c), the capped buffer it writes
 * into, and text_to_cp932() (--encoding cp932).
 *
 * The input, cut at its NUL bytes, is the cells of one row. The row is
 * written as `extsvc ledger list --csv` writes one (fields joined by
 * commas, CRLF at the end) and read back by a strict RFC 4180 reader
 * written here: it must give back exactly the cells, and a cell without
 * , " CR or LF must be written as it is, unquoted.
 *
 * Written into a buffer with a cap, csv_field() either succeeds with the
 * same bytes or fails with the overflow flag set and nothing past the cap.
 *
 * Converted to CP932 as the CLI does (after quoting): where every cell
 * converts, the CP932 row read back by the same reader, now stepping over
 * CP932's two-byte characters, gives each cell's own conversion (no
 * character turns into a quote, comma, CR or LF in CP932, so conversion
 * cannot break the quoting); converting back to UTF-8 and again to CP932
 * gives the same bytes; where a cell does not convert, the error's offset
 * points at the start of a character in the row, and what comes before it
 * converts.
 *
 * Not reached: the spreadsheet-formula neutralisation (a leading = + - @
 * TAB or CR gets a ') is put() in src/report/ledger_csv.c, not driven
 * here yet.
 */
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_csv: check failed at line %d: %s\n", __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_CELLS 64

struct cells {
    char *cell[MAX_CELLS];
    size_t len[MAX_CELLS];
    size_t n;
};

static void cells_free(struct cells *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->cell[i]);
    c->n = 0;
}

static bool cp932_lead(unsigned char c)
{
    return (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC);
}

/* Read exactly one CRLF-terminated RFC 4180 record from row[0..n); false
 * where it is not one. In CP932 mode a lead byte takes the next byte with
 * it, whatever that is. */
static bool read_row(const char *row, size_t n, bool cp932, struct cells *out)
{
    size_t pos = 0;
    out->n = 0;
    for (;;) {
        if (out->n == MAX_CELLS)
            return false;
        struct sbuf cell;
        sbuf_init(&cell, 0);
        if (pos < n && row[pos] == '"') {
            pos++;
            for (;;) {
                if (pos >= n)
                    goto bad;
                unsigned char c = (unsigned char)row[pos];
                if (cp932 && cp932_lead(c) && pos + 1 < n) {
                    sbuf_add(&cell, row + pos, 2);
                    pos += 2;
                } else if (c == '"') {
                    if (pos + 1 < n && row[pos + 1] == '"') {
                        sbuf_add(&cell, "\"", 1);
                        pos += 2;
                    } else {
                        pos++;
                        break;
                    }
                } else {
                    sbuf_add(&cell, row + pos, 1);
                    pos++;
                }
            }
        } else {
            while (pos < n && row[pos] != ',' && row[pos] != '\r') {
                unsigned char c = (unsigned char)row[pos];
                if (c == '"' || c == '\n')
                    goto bad; /* not allowed in an unquoted field */
                size_t step = cp932 && cp932_lead(c) && pos + 1 < n ? 2 : 1;
                sbuf_add(&cell, row + pos, step);
                pos += step;
            }
        }
        CHECK(!cell.overflow);
        out->len[out->n] = cell.len;
        out->cell[out->n++] = sbuf_detach(&cell);
        if (pos < n && row[pos] == ',') {
            pos++;
            continue;
        }
        return pos + 2 == n && row[pos] == '\r' && row[pos + 1] == '\n';
    bad:
        sbuf_release(&cell);
        return false;
    }
}

static iconv_t g_back; /* CP932 to UTF-8 */

/* CP932 bytes back to UTF-8: must always work for text_to_cp932()'s output. */
static char *from_cp932(const char *in, size_t n, size_t *nOut)
{
    if (!g_back) {
        g_back = iconv_open("UTF-8", "CP932");
        CHECK(g_back != (iconv_t)-1);
    }
    iconv(g_back, NULL, NULL, NULL, NULL);
    size_t alloc = n * 3 + 16, left = n, room = alloc;
    char *out = malloc(alloc), *src = (char *)in, *dst = out;
    CHECK(out);
    CHECK(iconv(g_back, &src, &left, &dst, &room) != (size_t)-1);
    *nOut = alloc - room;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The cells: the input cut at NUL bytes. */
    struct cells in = {0};
    size_t start = 0;
    for (size_t i = 0; i <= size && in.n < MAX_CELLS; i++) {
        if (i < size && data[i] != 0)
            continue;
        in.len[in.n] = i - start;
        in.cell[in.n] = malloc(i - start + 1);
        CHECK(in.cell[in.n]);
        memcpy(in.cell[in.n], data + start, i - start);
        in.cell[in.n][i - start] = '\0';
        in.n++;
        start = i + 1;
    }

    /* One row, as the ledger export writes it. */
    struct sbuf row;
    sbuf_init(&row, 0);
    for (size_t i = 0; i < in.n; i++) {
        if (i)
            CHECK(sbuf_add(&row, ",", 1));
        size_t before = row.len;
        CHECK(csv_field(&row, in.cell[i]));
        const char *c = in.cell[i];
        if (!strpbrk(c, ",\"\r\n"))
            CHECK(row.len - before == in.len[i] && memcmp(row.buf + before, c, in.len[i]) == 0);

        /* The same field into a capped buffer: all of it or an overflow. */
        size_t cap = (size * 7 + i) % 64 + 1;
        struct sbuf capped;
        sbuf_init(&capped, cap);
        bool ok = csv_field(&capped, c);
        size_t full = row.len - before;
        CHECK(ok == (full <= cap));
        CHECK(ok != capped.overflow);
        CHECK(capped.len <= cap);
        if (ok)
            CHECK(capped.len == full &&
                  memcmp(capped.buf ? capped.buf : "", row.buf + before, full) == 0);
        sbuf_release(&capped);
    }
    CHECK(sbuf_add(&row, "\r\n", 2));
    {
        struct sbuf empty;
        sbuf_init(&empty, 0);
        CHECK(csv_field(&empty, NULL) && empty.len == 0);
        sbuf_release(&empty);
    }

    /* Read back: the same cells. */
    struct cells back;
    CHECK(read_row(row.buf, row.len, false, &back));
    CHECK(back.n == in.n);
    for (size_t i = 0; i < in.n; i++)
        CHECK(back.len[i] == in.len[i] && memcmp(back.cell[i], in.cell[i], in.len[i]) == 0);
    cells_free(&back);

    /* CP932, where the CLI is asked for it. */
    bool valid = utf8_valid(row.buf, row.len);
    char *out = NULL;
    size_t nOut = 0, bad = (size_t)-1;
    enum xcode rc = text_to_cp932(row.buf, row.len, &out, &nOut, &bad);
    CHECK(rc == XOK || rc == X_INVALID);
    if (rc == XOK) {
        CHECK(valid); /* iconv refuses what utf8_valid refuses */
        char *conv[MAX_CELLS];
        size_t nconv[MAX_CELLS];
        for (size_t i = 0; i < in.n; i++) {
            size_t b2 = 0;
            CHECK(text_to_cp932(in.cell[i], in.len[i], &conv[i], &nconv[i], &b2) == XOK);
        }
        struct cells got;
        CHECK(read_row(out, nOut, true, &got));
        CHECK(got.n == in.n);
        for (size_t i = 0; i < in.n; i++) {
            CHECK(got.len[i] == nconv[i] && memcmp(got.cell[i], conv[i], nconv[i]) == 0);
            free(conv[i]);
        }
        cells_free(&got);
        /* Stable: CP932 -> UTF-8 -> CP932 gives the same bytes. */
        size_t nu;
        char *u = from_cp932(out, nOut, &nu);
        char *again;
        size_t nAgain, b3;
        CHECK(text_to_cp932(u, nu, &again, &nAgain, &b3) == XOK);
        CHECK(nAgain == nOut && memcmp(again, out, nOut) == 0);
        free(again);
        free(u);
        free(out);
    } else {
        CHECK(out == NULL);
        CHECK(bad <= row.len);
        if (valid) {
            /* At a character's start, and what comes before converts. */
            CHECK(bad < row.len && ((unsigned char)row.buf[bad] & 0xC0) != 0x80);
            char *pre;
            size_t nPre, b4;
            CHECK(text_to_cp932(row.buf, bad, &pre, &nPre, &b4) == XOK);
            free(pre);
        }
    }

    sbuf_release(&row);
    cells_free(&in);
    return 0;
}
