/*
 * form.c - form and query decoding; see form.h.
 */
#include "form.h"

#include <string.h>

#include "../core/text.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode one component (+ is space, %XX a byte) into pool memory. */
static char *decode(struct pool *p, const char *s, size_t n)
{
    char *out = pool_alloc(p, n + 1);
    if (!out)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[j++] = ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= n)
                return NULL;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            out[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    if (!utf8_valid(out, j))
        return NULL;
    return out;
}

bool form_decode(struct pool *p, const char *data, size_t n, struct form *out)
{
    out->fields = NULL;
    out->n = 0;
    if (n == 0)
        return true;
    size_t count = 1;
    for (size_t i = 0; i < n; i++)
        count += data[i] == '&';
    if (count > FORM_MAX_FIELDS)
        return false;
    out->fields = pool_alloc(p, count * sizeof *out->fields);
    if (!out->fields)
        return false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && data[i] != '&')
            continue;
        size_t len = i - start;
        if (len > 0) {
            const char *seg = data + start;
            const char *eq = memchr(seg, '=', len);
            size_t nlen = eq ? (size_t)(eq - seg) : len;
            char *name = decode(p, seg, nlen);
            char *value = eq ? decode(p, eq + 1, len - nlen - 1) : pool_strdup(p, "");
            if (!name || !value)
                return false;
            out->fields[out->n++] = (struct form_field){name, value};
        }
        start = i + 1;
    }
    return true;
}

const char *form_get(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}
