/*
 * pdf_doc.c - printed forms as PDF; see pdf_doc.h.
 */
#include "pdf_doc.h"

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARGIN   36.0 /* half an inch */
#define CELL_PAD 3.0
#define MAX_COLS 16

struct pdf_doc {
    HPDF_Doc pdf;
    HPDF_Font font;
    HPDF_Page page;
    bool landscape, failed;
    char header[256];
    int pages;
    double width, height, y; /* y: the next line's top, from the bottom */
    /* the table being drawn */
    int ncols;
    const char *titles[MAX_COLS];
    double colw[MAX_COLS];
};

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *user)
{
    (void)error, (void)detail;
    ((struct pdf_doc *)user)->failed = true;
}

static double text_width(struct pdf_doc *d, const char *s, size_t n, double size)
{
    HPDF_TextWidth w = HPDF_Font_TextWidth(d->font, (const HPDF_BYTE *)s, (HPDF_UINT)n);
    return (double)w.width * size / 1000.0;
}

static size_t char_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Lines of `text` no wider than `width` at `size`: cut only between
 * characters, at line breaks too. Returns how many; offsets into out. */
static int wrap(struct pdf_doc *d, const char *text, double width, double size, size_t *starts,
                size_t *lens, int max)
{
    int n = 0;
    const char *p = text, *line = text;
    double w = 0;
    while (*p && n < max) {
        if (*p == '\n' || *p == '\r') {
            starts[n] = (size_t)(line - text), lens[n] = (size_t)(p - line), n++;
            p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
            line = p, w = 0;
            continue;
        }
        size_t k = char_len(p);
        for (size_t i = 1; i < k; i++)
            if (!p[i]) /* a cut sequence: stop here */
                k = i;
        double cw = text_width(d, p, k, size);
        if (w + cw > width && p > line) {
            starts[n] = (size_t)(line - text), lens[n] = (size_t)(p - line), n++;
            line = p, w = 0;
            continue;
        }
        w += cw;
        p += k;
    }
    if (n < max && (p > line || n == 0))
        starts[n] = (size_t)(line - text), lens[n] = (size_t)(p - line), n++;
    return n;
}

static void show(struct pdf_doc *d, double x, double y, const char *s, size_t n, double size)
{
    char *t = strndup(s, n);
    if (!t) {
        d->failed = true;
        return;
    }
    HPDF_Page_BeginText(d->page);
    HPDF_Page_SetFontAndSize(d->page, d->font, (HPDF_REAL)size);
    HPDF_Page_TextOut(d->page, (HPDF_REAL)x, (HPDF_REAL)y, t);
    HPDF_Page_EndText(d->page);
    free(t);
}

static void new_page(struct pdf_doc *d)
{
    d->page = HPDF_AddPage(d->pdf);
    HPDF_Page_SetSize(d->page, HPDF_PAGE_SIZE_A4,
                      d->landscape ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
    d->width = HPDF_Page_GetWidth(d->page);
    d->height = HPDF_Page_GetHeight(d->page);
    d->pages++;
    char head[320];
    snprintf(head, sizeof head, "%s　%d ページ", d->header, d->pages);
    show(d, MARGIN, d->height - MARGIN + 8, head, strlen(head), 8);
    HPDF_Page_SetLineWidth(d->page, 0.5);
    HPDF_Page_MoveTo(d->page, MARGIN, d->height - MARGIN + 4);
    HPDF_Page_LineTo(d->page, d->width - MARGIN, d->height - MARGIN + 4);
    HPDF_Page_Stroke(d->page);
    d->y = d->height - MARGIN - 6;
}

struct pdf_doc *pdf_new(bool landscape, const char *header, struct xerr *e)
{
    const char *font = getenv("EXTSVC_PDF_FONT");
    if (!font || !*font)
        font = PDF_FONT_DEFAULT;
    if (access(font, R_OK) != 0) {
        xerr_set(e, X_STORE, "PDF に使うフォント %s がありません（Debian の fonts-ipaexfont）",
                 font);
        return NULL;
    }
    struct pdf_doc *d = calloc(1, sizeof *d);
    if (!d) {
        xerr_set(e, X_INTERNAL, "メモリが不足しています");
        return NULL;
    }
    d->landscape = landscape;
    snprintf(d->header, sizeof d->header, "%s", header ? header : "");
    d->pdf = HPDF_New(on_error, d);
    if (!d->pdf) {
        free(d);
        xerr_set(e, X_INTERNAL, "PDF を作れません");
        return NULL;
    }
    HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(d->pdf);
    HPDF_SetCurrentEncoder(d->pdf, "UTF-8");
    const char *name = HPDF_LoadTTFontFromFile(d->pdf, font, HPDF_TRUE);
    d->font = name ? HPDF_GetFont(d->pdf, name, "UTF-8") : NULL;
    if (!d->font || d->failed) {
        HPDF_Free(d->pdf);
        free(d);
        xerr_set(e, X_STORE, "PDF に使うフォント %s を読めません", font);
        return NULL;
    }
    new_page(d);
    return d;
}

void pdf_space(struct pdf_doc *d, double points)
{
    d->y -= points;
    if (d->y < MARGIN)
        new_page(d);
}

void pdf_text(struct pdf_doc *d, const char *text, double size)
{
    size_t starts[256], lens[256];
    int n = wrap(d, text, d->width - 2 * MARGIN, size, starts, lens, 256);
    double lead = size * 1.5;
    for (int i = 0; i < n; i++) {
        if (d->y - lead < MARGIN)
            new_page(d);
        show(d, MARGIN, d->y - size, text + starts[i], lens[i], size);
        d->y -= lead;
    }
}

void pdf_title(struct pdf_doc *d, const char *text)
{
    pdf_text(d, text, 16);
    pdf_space(d, 4);
}

#define TABLE_SIZE 8.0
#define TABLE_LEAD 11.0

/* One row of cells at the current y; `head` shades it. Returns false
 * where it did not fit the rest of the page (nothing drawn). */
static bool draw_row(struct pdf_doc *d, const char *const *cells, bool head, bool force)
{
    enum { MAXL = 60 };
    size_t starts[MAX_COLS][MAXL], lens[MAX_COLS][MAXL];
    int lines[MAX_COLS], most = 1;
    for (int c = 0; c < d->ncols; c++) {
        lines[c] = wrap(d, cells[c] ? cells[c] : "", d->colw[c] - 2 * CELL_PAD, TABLE_SIZE,
                        starts[c], lens[c], MAXL);
        if (lines[c] > most)
            most = lines[c];
    }
    double h = most * TABLE_LEAD + 2 * CELL_PAD;
    double room = d->y - MARGIN;
    if (h > room && !force)
        return false;
    if (h > room) { /* taller than a whole page: what fits */
        most = (int)((room - 2 * CELL_PAD) / TABLE_LEAD);
        h = most * TABLE_LEAD + 2 * CELL_PAD;
    }
    double x = MARGIN;
    if (head) {
        HPDF_Page_SetGrayFill(d->page, 0.88);
        HPDF_Page_Rectangle(d->page, (HPDF_REAL)x, (HPDF_REAL)(d->y - h),
                            (HPDF_REAL)(d->width - 2 * MARGIN), (HPDF_REAL)h);
        HPDF_Page_Fill(d->page);
        HPDF_Page_SetGrayFill(d->page, 0);
    }
    for (int c = 0; c < d->ncols; c++) {
        HPDF_Page_Rectangle(d->page, (HPDF_REAL)x, (HPDF_REAL)(d->y - h), (HPDF_REAL)d->colw[c],
                            (HPDF_REAL)h);
        HPDF_Page_Stroke(d->page);
        for (int l = 0; l < lines[c] && l < most; l++)
            show(d, x + CELL_PAD, d->y - CELL_PAD - (l + 1) * TABLE_LEAD + 2.5,
                 (cells[c] ? cells[c] : "") + starts[c][l], lens[c][l], TABLE_SIZE);
        x += d->colw[c];
    }
    d->y -= h;
    return true;
}

void pdf_table_begin(struct pdf_doc *d, int n, const char *const *titles, const double *shares)
{
    d->ncols = n > MAX_COLS ? MAX_COLS : n;
    double total = 0;
    for (int c = 0; c < d->ncols; c++)
        total += shares[c];
    for (int c = 0; c < d->ncols; c++) {
        d->titles[c] = titles[c];
        d->colw[c] = (d->width - 2 * MARGIN) * shares[c] / total;
    }
    if (!draw_row(d, d->titles, true, false)) {
        new_page(d);
        draw_row(d, d->titles, true, true);
    }
}

void pdf_table_row(struct pdf_doc *d, const char *const *cells)
{
    if (draw_row(d, cells, false, false))
        return;
    new_page(d); /* the header again on the next page */
    draw_row(d, d->titles, true, true);
    draw_row(d, cells, false, true);
}

void pdf_table_end(struct pdf_doc *d)
{
    d->ncols = 0;
    pdf_space(d, 8);
}

void pdf_boxes(struct pdf_doc *d, int n, const char *const *labels)
{
    double w = 64, h = 64, label = 14;
    if (d->y - h - label < MARGIN)
        new_page(d);
    double x = d->width - MARGIN - n * w;
    for (int i = 0; i < n; i++, x += w) {
        HPDF_Page_Rectangle(d->page, (HPDF_REAL)x, (HPDF_REAL)(d->y - label), (HPDF_REAL)w,
                            (HPDF_REAL)label);
        HPDF_Page_Rectangle(d->page, (HPDF_REAL)x, (HPDF_REAL)(d->y - label - h), (HPDF_REAL)w,
                            (HPDF_REAL)h);
        HPDF_Page_Stroke(d->page);
        double tw = text_width(d, labels[i], strlen(labels[i]), 9);
        show(d, x + (w - tw) / 2, d->y - label + 4, labels[i], strlen(labels[i]), 9);
    }
    d->y -= h + label + 8;
}

void pdf_free(struct pdf_doc *d)
{
    if (!d)
        return;
    HPDF_Free(d->pdf);
    free(d);
}

enum xcode pdf_finish(struct pdf_doc *d, char **out, size_t *n, struct xerr *e)
{
    *out = NULL;
    *n = 0;
    if (!d->failed && HPDF_SaveToStream(d->pdf) == HPDF_OK) {
        HPDF_UINT32 size = HPDF_GetStreamSize(d->pdf);
        char *buf = malloc(size ? size : 1);
        HPDF_UINT32 got = size;
        HPDF_STATUS st =
            buf ? HPDF_ReadFromStream(d->pdf, (HPDF_BYTE *)buf, &got) : HPDF_FAILD_TO_ALLOC_MEM;
        if (buf && (st == HPDF_OK || st == HPDF_STREAM_EOF) && got == size) {
            *out = buf;
            *n = size;
        } else {
            free(buf);
        }
    }
    pdf_free(d);
    return *out ? XOK : xerr_set(e, X_INTERNAL, "PDF を作れませんでした");
}
