/*
 * html.c - the one HTML escaper and its helpers; see html.h.
 */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool html_escape(struct sbuf *sb, const char *s)
{
    if (!s)
        return true;
    const char *run = s;
    bool ok = true;
    for (const char *p = s; *p; p++) {
        const char *rep;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        ok = ok && sbuf_add(sb, run, (size_t)(p - run)) && sbuf_adds(sb, rep);
        run = p + 1;
    }
    return ok && sbuf_adds(sb, run);
}

bool html_printf(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = true;
    const char *run = fmt;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        ok = ok && sbuf_add(sb, run, (size_t)(p - run));
        char num[32];
        if (p[1] == 's') {
            ok = ok && html_escape(sb, va_arg(ap, const char *));
            p += 1;
        } else if (p[1] == 'd') {
            snprintf(num, sizeof num, "%d", va_arg(ap, int));
            ok = ok && sbuf_adds(sb, num);
            p += 1;
        } else if (p[1] == 'l' && p[2] == 'l' && p[3] == 'd') {
            snprintf(num, sizeof num, "%lld", va_arg(ap, long long));
            ok = ok && sbuf_adds(sb, num);
            p += 3;
        } else if (p[1] == 'z' && p[2] == 'u') {
            snprintf(num, sizeof num, "%zu", va_arg(ap, size_t));
            ok = ok && sbuf_adds(sb, num);
            p += 2;
        } else if (p[1] == '%') {
            ok = ok && sbuf_add(sb, "%", 1);
            p += 1;
        }
        run = p + 1;
    }
    va_end(ap);
    return ok && sbuf_adds(sb, run);
}

bool url_encode(struct sbuf *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    bool ok = true;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            ok = ok && sbuf_add(sb, p, 1);
        } else {
            char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            ok = ok && sbuf_add(sb, enc, 3);
        }
    }
    return ok;
}
