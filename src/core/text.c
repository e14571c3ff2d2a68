/*
 * text.c - UTF-8, buffers, CSV and CP932; see text.h.
 */
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

void sbuf_init(struct sbuf *sb, size_t cap)
{
    sb->buf = NULL;
    sb->len = sb->alloc = 0;
    sb->cap = cap;
    sb->overflow = false;
}

void sbuf_release(struct sbuf *sb)
{
    free(sb->buf);
    sbuf_init(sb, sb->cap);
}

char *sbuf_detach(struct sbuf *sb)
{
    char *s = sb->buf ? sb->buf : strdup("");
    sbuf_init(sb, sb->cap);
    return s;
}

static bool sbuf_grow(struct sbuf *sb, size_t extra)
{
    if (sb->overflow)
        return false;
    size_t need = sb->len + extra + 1;
    if (need < sb->len || (sb->cap && need > sb->cap + 1)) {
        sb->overflow = true;
        return false;
    }
    if (need <= sb->alloc)
        return true;
    size_t n = sb->alloc ? sb->alloc : 64;
    while (n < need)
        n *= 2;
    char *p = realloc(sb->buf, n);
    if (!p) {
        sb->overflow = true;
        return false;
    }
    sb->buf = p;
    sb->alloc = n;
    return true;
}

bool sbuf_add(struct sbuf *sb, const void *data, size_t n)
{
    if (!sbuf_grow(sb, n))
        return false;
    if (n)
        memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
    return true;
}

bool sbuf_adds(struct sbuf *sb, const char *s)
{
    return sbuf_add(sb, s, strlen(s));
}

bool sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sbuf_grow(sb, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return true;
}

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!n)
        return 0;
    unsigned c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10FFFF ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool utf8_valid(const char *s, size_t n)
{
    while (n) {
        uint32_t cp;
        size_t len = utf8_decode(s, n, &cp);
        if (!len || !cp)
            return false;
        s += len;
        n -= len;
    }
    return true;
}

/* The length of the well-formed UTF-8 sequence at p (before end), 0 if
 * there is none. */
static int utf8_sequence(const unsigned char *p, const unsigned char *end)
{
    uint32_t cp;
    return (int)utf8_decode((const char *)p, (size_t)(end - p), &cp);
}

bool sbuf_add_json_string(struct sbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : ""),
                        *end = p + strlen((const char *)p);
    bool ok = sbuf_add(sb, "\"", 1);
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\')
            p++;
        ok &= sbuf_add(sb, run, (size_t)(p - run));
        if (p == end)
            break;
        int len;
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            ok &= sbuf_add(sb, esc, 2);
            p++;
        } else if (*p < 0x20 || *p == 0x7F) {
            ok &= sbuf_addf(sb, "\\u%04x", *p);
            p++;
        } else if ((len = utf8_sequence(p, end)) > 0) {
            ok &= sbuf_add(sb, p, (size_t)len);
            p += len;
        } else {
            ok &= sbuf_add(sb, "\\ufffd", 6);
            p++;
        }
    }
    return ok & sbuf_add(sb, "\"", 1);
}

bool text_is_blank(const char *s)
{
    if (!s)
        return true;
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            s++;
        } else if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
                   (unsigned char)s[2] == 0x80) {
            s += 3; /* U+3000 IDEOGRAPHIC SPACE */
        } else {
            return false;
        }
    }
    return true;
}

bool text_has_content(const char *s)
{
    if (!s)
        return false;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0) {
            p++; /* not UTF-8: no letter here */
            continue;
        }
        switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_NO:
            return true;
        default:
            break;
        }
        p += n;
    }
    return false;
}

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

bool csv_field(struct sbuf *sb, const char *s)
{
    if (!s)
        s = "";
    if (!strpbrk(s, ",\"\r\n"))
        return sbuf_adds(sb, s);
    bool ok = sbuf_add(sb, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            ok = ok && sbuf_add(sb, "\"\"", 2);
        else
            ok = ok && sbuf_add(sb, p, 1);
    }
    return ok && sbuf_add(sb, "\"", 1);
}

/* Convert with iconv into a new NUL-terminated buffer of at most
 * `grow` times the input (and a little). */
static enum xcode convert(const char *to, const char *from, size_t grow, const char *in, size_t nIn,
                          char **out, size_t *nOut, size_t *bad_offset)
{
    *out = NULL;
    *nOut = 0;
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1)
        return X_INTERNAL;
    size_t alloc = nIn * grow + 16;
    char *buf = malloc(alloc);
    if (!buf) {
        iconv_close(cd);
        return X_INTERNAL;
    }
    char *src = (char *)in, *dst = buf;
    size_t left = nIn, room = alloc - 1;
    enum xcode rc = XOK;
    if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1) {
        rc = (errno == EILSEQ || errno == EINVAL) ? X_INVALID : X_INTERNAL;
        if (bad_offset)
            *bad_offset = (size_t)(src - in);
    }
    iconv_close(cd);
    if (rc != XOK) {
        free(buf);
        return rc;
    }
    *dst = '\0';
    *out = buf;
    *nOut = (size_t)(dst - buf);
    return XOK;
}

enum xcode text_to_cp932(const char *in, size_t nIn, char **out, size_t *nOut, size_t *bad_offset)
{
    /* CP932 never needs more bytes than UTF-8; twice, to be safe. */
    return convert("CP932", "UTF-8", 2, in, nIn, out, nOut, bad_offset);
}

enum xcode text_from_cp932(const char *in, size_t nIn, char **out, size_t *nOut, size_t *bad_offset)
{
    /* A CP932 byte is at most three bytes of UTF-8. */
    return convert("UTF-8", "CP932", 3, in, nIn, out, nOut, bad_offset);
}

bool text_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* Decode one code point of valid UTF-8 at *p and advance. */
static unsigned next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned c = s[0];
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    unsigned cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    int i = 1;
    for (; i < len && s[i]; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    *p = s + i; /* a truncated sequence stops at its end */
    if (cp >= 'A' && cp <= 'Z')
        cp += 'a' - 'A';
    return cp;
}

size_t text_bigrams(const char *s, struct sbuf *out)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = 0;
    if (!*p)
        return 0;
    static const char hex[] = "0123456789abcdef";
    unsigned prev = next_cp(&p);
    while (*p) {
        unsigned cp = next_cp(&p);
        /* " x%06x%06x", without printf: an import makes millions. */
        char g[14];
        size_t at = 0;
        if (n)
            g[at++] = ' ';
        g[at++] = 'x';
        for (int shift = 20; shift >= 0; shift -= 4)
            g[at++] = hex[(prev >> shift) & 0xF];
        for (int shift = 20; shift >= 0; shift -= 4)
            g[at++] = hex[(cp >> shift) & 0xF];
        sbuf_add(out, g, at);
        prev = cp;
        n++;
    }
    return n;
}
