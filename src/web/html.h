/*
 * html.h - writing HTML. Every value that reaches a page goes through
 * html_escape(), the one escaper: it escapes & < > " ' so that its output
 * is safe both in text and inside a quoted attribute (cgit once shipped an
 * attribute escaper that left " alone; this one is tested and fuzzed).
 */
#ifndef EXTSVC_WEB_HTML_H
#define EXTSVC_WEB_HTML_H

#include <stdbool.h>

#include "../core/text.h"

/* Append s escaped. NULL appends nothing. */
bool html_escape(struct sbuf *sb, const char *s);

/* Append a literal (trusted, program-written) piece of markup. */
#define H(sb, lit) sbuf_add((sb), (lit), sizeof(lit) - 1)

/* Append formatted markup where every %s argument is escaped first:
 * html_printf(sb, "<a href=\"/ledger/%d\">%s</a>", id, name). Only %s, %d,
 * %lld, %zu and %% are understood. */
bool html_printf(struct sbuf *sb, const char *fmt, ...);

/* Percent-encode s for a URL query value. */
bool url_encode(struct sbuf *sb, const char *s);

#endif
