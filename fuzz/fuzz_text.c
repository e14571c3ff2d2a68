/*
 * fuzz_text.c - libFuzzer driver for the text functions of core/text.c and
 * core/fold.c and the LIKE pattern of the ledger and catalogue searches
 * (store_like_pattern), each checked against a reference written here:
 *
 *   - utf8_valid() on the raw bytes agrees with a validator written from
 *     the Unicode standard's table of well-formed sequences (Table 3-7),
 *     NUL refused;
 *   - the input is cut at its first NUL into a text and a query;
 *   - text_is_blank() agrees with a reference; text_has_content() agrees
 *     with isalnum() on ASCII text; utf8_chars() counts code points;
 *   - text_fold(): NULL exactly where the text is not valid UTF-8, else
 *     valid UTF-8 that folds to itself again (a folded query finds folded
 *     text, and folding twice changes nothing);
 *   - text_bigrams(): one token per pair of neighbouring code points, each
 *     "x" + 12 hex digits; and its promise holds: a text contains a query
 *     of two or more characters (ASCII letters without case) exactly where
 *     the query's tokens stand in the text's as a consecutive phrase, both
 *     raw and folded as the ledger search uses it;
 *   - text_contains() agrees with a reference substring search;
 *   - store_like_pattern(query): SQLite's `text LIKE pattern ESCAPE '\'`
 *     is true exactly where text_contains() is (% _ and \ in the query
 *     are literal), for valid UTF-8 as the searches get it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/fold.h"
#include "core/text.h"
#include "store/store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_text: check failed at line %d: %s\n", __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Table 3-7 of the Unicode standard, NUL excluded; the number of code
 * points through *count where valid. */
static bool ref_valid(const unsigned char *p, size_t n, size_t *count)
{
    size_t i = 0, cps = 0;
    while (i < n) {
        unsigned char b = p[i];
        unsigned char lo = 0x80, hi = 0xBF;
        size_t len;
        if (b == 0x00)
            return false;
        if (b <= 0x7F)
            len = 1;
        else if (b >= 0xC2 && b <= 0xDF)
            len = 2;
        else if (b == 0xE0)
            len = 3, lo = 0xA0;
        else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF)
            len = 3;
        else if (b == 0xED)
            len = 3, hi = 0x9F;
        else if (b == 0xF0)
            len = 4, lo = 0x90;
        else if (b >= 0xF1 && b <= 0xF3)
            len = 4;
        else if (b == 0xF4)
            len = 4, hi = 0x8F;
        else
            return false;
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            unsigned char c = p[i + k];
            if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF))
                return false;
        }
        i += len;
        cps++;
    }
    if (count)
        *count = cps;
    return true;
}

static bool ref_blank(const char *s)
{
    for (; *s;) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        else if (strncmp(s, "\xE3\x80\x80", 3) == 0)
            s += 3;
        else
            return false;
    }
    return true;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ref_contains(const char *hay, const char *needle)
{
    size_t h = strlen(hay), n = strlen(needle);
    for (size_t i = 0; i + n <= h; i++) {
        size_t k = 0;
        while (k < n && lower(hay[i + k]) == lower(needle[k]))
            k++;
        if (k == n)
            return true;
    }
    return false;
}

/* The bigram tokens of s, checked for form; the count through *n. */
static char *bigrams(const char *s, size_t chars, size_t *n)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    *n = text_bigrams(s, &sb);
    CHECK(!sb.overflow);
    CHECK(*n == (chars > 1 ? chars - 1 : 0));
    CHECK(sb.len == (*n ? *n * 13 + (*n - 1) : 0));
    for (size_t i = 0; i < sb.len; i++) {
        char c = sb.buf[i];
        if (i % 14 == 13)
            CHECK(c == ' ');
        else if (i % 14 == 0)
            CHECK(c == 'x');
        else
            CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
    return sbuf_detach(&sb);
}

/* Does the phrase of tokens q stand in t, token-aligned? */
static bool phrase_in(const char *t, const char *q)
{
    size_t nt = strlen(t), nq = strlen(q);
    char *tt = malloc(nt + 3), *qq = malloc(nq + 3);
    CHECK(tt && qq);
    snprintf(tt, nt + 3, " %s ", t);
    snprintf(qq, nq + 3, " %s ", q);
    bool in = strstr(tt, qq) != NULL;
    free(tt);
    free(qq);
    return in;
}

/* The search's promise for a valid text and query of >= 2 characters. */
static void check_phrase(const char *hay, const char *needle)
{
    size_t hc, nc;
    CHECK(ref_valid((const unsigned char *)hay, strlen(hay), &hc));
    CHECK(ref_valid((const unsigned char *)needle, strlen(needle), &nc));
    size_t nh, nn;
    char *th = bigrams(hay, hc, &nh), *tn = bigrams(needle, nc, &nn);
    if (nc >= 2)
        CHECK(phrase_in(th, tn) == ref_contains(hay, needle));
    free(th);
    free(tn);
}

static sqlite3 *g_db;
static sqlite3_stmt *g_like;

static void check_like(const char *hay, const char *needle)
{
    if (!g_db) {
        CHECK(sqlite3_open(":memory:", &g_db) == SQLITE_OK);
        CHECK(sqlite3_prepare_v2(g_db, "SELECT ?1 LIKE ?2 ESCAPE '\\'", -1, &g_like, NULL) ==
              SQLITE_OK);
    }
    char *pattern = store_like_pattern(needle);
    CHECK(pattern);
    sqlite3_reset(g_like);
    sqlite3_bind_text(g_like, 1, hay, -1, SQLITE_STATIC);
    sqlite3_bind_text(g_like, 2, pattern, -1, SQLITE_STATIC);
    CHECK(sqlite3_step(g_like) == SQLITE_ROW);
    bool like = sqlite3_column_int(g_like, 0) != 0;
    sqlite3_reset(g_like);
    sqlite3_clear_bindings(g_like);
    CHECK(like == text_contains(hay, needle));
    free(pattern);
}

/* One string on its own. */
static void check_one(const char *s)
{
    size_t n = strlen(s), chars = 0;
    bool valid = ref_valid((const unsigned char *)s, n, &chars);
    CHECK(utf8_valid(s, n) == valid);
    CHECK(text_is_blank(s) == ref_blank(s));
    bool content = text_has_content(s), ascii = true, alnum = false;
    for (const char *p = s; *p; p++) {
        ascii = ascii && (unsigned char)*p < 0x80;
        alnum = alnum || (*p >= '0' && *p <= '9') || (lower(*p) >= 'a' && lower(*p) <= 'z');
    }
    if (ascii)
        CHECK(content == alnum);
    if (valid)
        CHECK(utf8_chars(s) == chars);
    /* Any bytes: no crash, no more than one token per byte. */
    struct sbuf sb;
    sbuf_init(&sb, 0);
    size_t ng = text_bigrams(s, &sb);
    CHECK(ng <= n);
    sbuf_release(&sb);

    char *f = text_fold(s);
    CHECK((f != NULL) == valid);
    if (f) {
        size_t fc;
        CHECK(ref_valid((const unsigned char *)f, strlen(f), &fc));
        char *ff = text_fold(f);
        CHECK(ff && strcmp(ff, f) == 0);
        free(ff);
        size_t ignore;
        free(bigrams(f, fc, &ignore));
    }
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t count;
    CHECK(utf8_valid((const char *)data, size) == ref_valid(data, size, &count));

    char *buf = malloc(size + 2);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = '\0';
    /* The text up to the first NUL, the query after it (none: empty). */
    const char *hay = buf, *needle = buf + strlen(buf) + 1;

    check_one(hay);
    if (*needle)
        check_one(needle);

    CHECK(text_contains(hay, needle) == ref_contains(hay, needle));

    /* Queries and texts reach the search as valid UTF-8 (SQLite reads
     * malformed bytes as U+FFFD, so LIKE would differ on those). */
    if (utf8_valid(hay, strlen(hay)) && utf8_valid(needle, strlen(needle))) {
        check_like(hay, needle);
        check_phrase(hay, needle);
        char *fh = text_fold(hay), *fn = text_fold(needle);
        CHECK(fh && fn);
        check_phrase(fh, fn); /* as the ledger search uses it */
        check_like(fh, fn);
        free(fh);
        free(fn);
    }
    free(buf);
    return 0;
}
