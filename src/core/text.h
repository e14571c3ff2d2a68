/*
 * text.h - text as Japanese offices write it: UTF-8 checks, blankness that
 * counts the ideographic space, a growable buffer with a cap, CSV fields
 * (RFC 4180) and conversion to CP932 for Windows Excel.
 */
#ifndef EXTSVC_TEXT_H
#define EXTSVC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* A growable byte buffer, always NUL-terminated. It grows only up to `cap`
 * bytes (0: no cap); past that every append fails and `overflow` is set. */
struct sbuf {
    char *buf;
    size_t len, alloc, cap;
    bool overflow; /* an append hit the cap or ran out of memory */
};

#define SBUF_INIT                                                                                  \
    {                                                                                              \
        NULL, 0, 0, 0, false                                                                       \
    }

/* Prepare an empty buffer that will never hold more than `cap` bytes. */
void sbuf_init(struct sbuf *sb, size_t cap);
/* Free what the buffer holds and make it empty again. */
void sbuf_release(struct sbuf *sb);
/* Give the caller the string (never NULL; caller frees); the buffer is empty after. */
char *sbuf_detach(struct sbuf *sb);
bool sbuf_add(struct sbuf *sb, const void *data, size_t n);
bool sbuf_adds(struct sbuf *sb, const char *s);
bool sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True where the n bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing past U+10FFFF) with no NUL byte. */
bool utf8_valid(const char *s, size_t n);
/* The length of the one well-formed UTF-8 sequence at s (of the n bytes
 * there), its code point in *cp; 0 where it is not well-formed (as
 * utf8_valid judges) or n is 0. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Append s as a JSON string literal (quotes included): ", \ and control
 * characters escaped, and each byte that is not part of well-formed UTF-8
 * written as U+FFFD, so that any bytes (a hostile URL) give valid JSON. */
bool sbuf_add_json_string(struct sbuf *sb, const char *s);

/* True for NULL, "" and strings of only spaces, tabs, newlines and U+3000. */
bool text_is_blank(const char *s);

/* True where s holds at least one letter or digit: a code point of Unicode
 * general category L* or N* (CONTRACT.md section 2, non-blank content).
 * NULL, "", punctuation such as "." "－" "・" and spaces alone have none. A
 * byte that is not well-formed UTF-8 is skipped. */
bool text_has_content(const char *s);

/* Number of code points in a valid UTF-8 string. */
size_t utf8_chars(const char *s);

/* Append s as one RFC 4180 field: quoted where it holds a comma, quote,
 * CR or LF, with quotes doubled. */
bool csv_field(struct sbuf *sb, const char *s);

/* Convert UTF-8 text to CP932. On a character CP932 cannot hold, returns
 * X_INVALID with *bad_offset set to its byte offset in `in`. On success the
 * caller frees *out, of *nOut bytes. */
enum xcode text_to_cp932(const char *in, size_t nIn, char **out, size_t *nOut, size_t *bad_offset);
/* Convert CP932 (Windows Japanese, what Excel saves as CSV) to UTF-8. On a
 * byte sequence CP932 does not define, X_INVALID with *bad_offset its byte
 * offset in `in`. On success the caller frees *out (*nOut bytes,
 * NUL-terminated). */
enum xcode text_from_cp932(const char *in, size_t nIn, char **out, size_t *nOut,
                           size_t *bad_offset);

/* Append the bigram tokens of s for the ledger's substring index: one
 * token "x" + 6 + 6 hex digits per pair of neighbouring code points, ASCII
 * letters folded to lower case, separated by spaces. A text contains a
 * query (of two or more characters) exactly where the query's tokens stand
 * in it as a consecutive phrase. Returns the number of tokens. */
size_t text_bigrams(const char *s, struct sbuf *out);

/* Does `hay` contain `needle`, comparing ASCII letters without case? */
bool text_contains(const char *hay, const char *needle);

#endif
