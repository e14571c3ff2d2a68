/*
 * pdf_doc.h - printed forms as PDF (libharu, the IPAex Gothic font from
 * Debian's fonts-ipaexfont embedded): a small layout of titles, paragraphs
 * and tables on A4, with a header on every page. Japanese text wraps
 * inside its table cell by the width of each character, never inside one;
 * a table that runs past a page goes on to the next with its header row
 * drawn again.
 */
#ifndef EXTSVC_PDF_DOC_H
#define EXTSVC_PDF_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"

struct pdf_doc;

/* The font, where $EXTSVC_PDF_FONT does not name another TrueType file. */
#define PDF_FONT_DEFAULT "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"

/* A new document; `header` is printed at the top of every page with the
 * page's number. NULL after an error (the font missing, say). */
struct pdf_doc *pdf_new(bool landscape, const char *header, struct xerr *e);
void pdf_title(struct pdf_doc *d, const char *text);
/* A paragraph at `size` points, wrapped to the page's width. */
void pdf_text(struct pdf_doc *d, const char *text, double size);
/* A table of n columns: their titles and their shares of the width. */
void pdf_table_begin(struct pdf_doc *d, int n, const char *const *titles, const double *shares);
void pdf_table_row(struct pdf_doc *d, const char *const *cells);
void pdf_table_end(struct pdf_doc *d);
/* Empty space of `points`. */
void pdf_space(struct pdf_doc *d, double points);
/* A row of boxes with labels above them (a 決裁欄: 課長, 部長 …). */
void pdf_boxes(struct pdf_doc *d, int n, const char *const *labels);
/* The bytes of the finished document (caller frees); frees d. */
enum xcode pdf_finish(struct pdf_doc *d, char **out, size_t *n, struct xerr *e);
/* Free d without output. */
void pdf_free(struct pdf_doc *d);

#endif
