/*
 * wareki.c - 和暦 out and in; see wareki.h.
 */
#include "wareki.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

struct era {
    const char *name;  /* 令和 */
    const char *kanji; /* 令 */
    char initial;      /* R */
    int base;          /* 西暦 = base + 和暦 year */
    struct xdate first;
};

/* Newest first: a date belongs to the first era that began on or before it. */
static const struct era eras[] = {
    {"令和", "令", 'R', 2018, {2019, 5, 1}},   {"平成", "平", 'H', 1988, {1989, 1, 8}},
    {"昭和", "昭", 'S', 1925, {1926, 12, 25}}, {"大正", "大", 'T', 1911, {1912, 7, 30}},
    {"明治", "明", 'M', 1867, {1873, 1, 1}},
};
#define NERAS (sizeof eras / sizeof eras[0])

static const struct era *era_of(struct xdate dt)
{
    for (size_t i = 0; i < NERAS; i++)
        if (date_cmp(dt, eras[i].first) >= 0)
            return &eras[i];
    return NULL;
}

void date_wareki(struct xdate dt, char *buf, int nBuf)
{
    if (nBuf <= 0)
        return;
    const struct era *e = era_of(dt);
    if (!e) {
        snprintf(buf, (size_t)nBuf, "%d年%d月%d日", dt.y, dt.m, dt.d);
        return;
    }
    int year = dt.y - e->base;
    if (year == 1)
        snprintf(buf, (size_t)nBuf, "%s元年%d月%d日", e->name, dt.m, dt.d);
    else
        snprintf(buf, (size_t)nBuf, "%s%d年%d月%d日", e->name, year, dt.m, dt.d);
}

void date_styled(struct xdate dt, enum date_style style, char *buf, int nBuf)
{
    if (nBuf <= 0)
        return;
    if (style == DATE_WAREKI) {
        date_wareki(dt, buf, nBuf);
    } else if (style == DATE_SEIREKI) {
        snprintf(buf, (size_t)nBuf, "%d年%d月%d日", dt.y, dt.m, dt.d);
    } else {
        char iso[11];
        date_format(dt, iso);
        snprintf(buf, (size_t)nBuf, "%s", iso);
    }
}

void date_styled_text(const char *zIso, enum date_style style, char *buf, int nBuf)
{
    if (nBuf <= 0)
        return;
    char head[11] = "";
    struct xdate dt;
    if (zIso && strlen(zIso) >= 10) {
        memcpy(head, zIso, 10);
        head[10] = '\0';
    }
    if (head[0] && date_parse(head, &dt))
        date_styled(dt, style, buf, nBuf);
    else
        snprintf(buf, (size_t)nBuf, "%s", zIso ? zIso : "");
}

bool date_style_parse(const char *zName, enum date_style *out)
{
    static const struct {
        const char *name;
        enum date_style style;
    } names[] = {{"wareki", DATE_WAREKI}, {"seireki", DATE_SEIREKI}, {"iso", DATE_ISO}};
    for (size_t i = 0; zName && i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(zName, names[i].name) == 0) {
            *out = names[i].style;
            return true;
        }
    }
    return false;
}

/* ---- parsing ---- */

/* The input with full-width ASCII (U+FF01..U+FF5E) turned into ASCII and
 * U+3000 into a space, without leading and trailing spaces. False where it
 * does not fit. */
static bool normalize(const char *in, char *out, size_t nOut)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t n = 0;
    while (*p) {
        unsigned cp = 0;
        int len = 0;
        if (p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) && p[2] >= 0x80 && p[2] <= 0xBF) {
            cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
            len = 3;
        }
        if (len && cp >= 0xFF01 && cp <= 0xFF5E) {
            if (n + 1 >= nOut)
                return false;
            out[n++] = (char)(cp - 0xFEE0);
            p += 3;
        } else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
            if (n + 1 >= nOut)
                return false;
            out[n++] = ' ';
            p += 3;
        } else {
            if (n + 1 >= nOut)
                return false;
            out[n++] = (char)*p++;
        }
    }
    while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    out[n] = '\0';
    size_t lead = strspn(out, " \t");
    memmove(out, out + lead, n - lead + 1);
    return true;
}

static void skip_spaces(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

static bool eat(const char **p, const char *word)
{
    size_t n = strlen(word);
    skip_spaces(p);
    if (strncmp(*p, word, n) != 0)
        return false;
    *p += n;
    return true;
}

/* One to four digits. */
static bool number(const char **p, int *out)
{
    skip_spaces(p);
    int v = 0, n = 0;
    while (**p >= '0' && **p <= '9' && n < 5) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0 || n > 4)
        return false;
    *out = v;
    return true;
}

/* "M月D日" after "年", or "M<sep>D" after a separator; the rest must be empty. */
static bool month_day(const char **p, bool kanji, char sep, int *m, int *d)
{
    if (!number(p, m))
        return false;
    if (kanji) {
        if (!eat(p, "月") || !number(p, d) || !eat(p, "日"))
            return false;
    } else {
        skip_spaces(p);
        if (**p != sep)
            return false;
        (*p)++;
        if (!number(p, d))
            return false;
    }
    skip_spaces(p);
    return **p == '\0';
}

/* After the year: 年 or one of - / . (the same separator again later). */
static bool year_end(const char **p, bool *kanji, char *sep)
{
    if (eat(p, "年")) {
        *kanji = true;
        return true;
    }
    skip_spaces(p);
    if (**p == '-' || **p == '/' || **p == '.') {
        *kanji = false;
        *sep = *(*p)++;
        return true;
    }
    return false;
}

static bool real_day(int y, int m, int d, struct xdate *out)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    struct xdate dt = {y, m, d};
    struct xdate back = date_add_days(dt, 0);
    if (date_cmp(dt, back) != 0)
        return false;
    *out = dt;
    return true;
}

static const struct era *era_named(const char **p)
{
    skip_spaces(p);
    for (size_t i = 0; i < NERAS; i++)
        if (strncmp(*p, eras[i].name, strlen(eras[i].name)) == 0) {
            *p += strlen(eras[i].name);
            return &eras[i];
        }
    for (size_t i = 0; i < NERAS; i++)
        if (strncmp(*p, eras[i].kanji, strlen(eras[i].kanji)) == 0) {
            *p += strlen(eras[i].kanji);
            return &eras[i];
        }
    for (size_t i = 0; i < NERAS; i++)
        if (**p == eras[i].initial || **p == eras[i].initial + ('a' - 'A')) {
            (*p)++;
            return &eras[i];
        }
    return NULL;
}

static void why_set(char *why, size_t nWhy, const char *fmt, const char *shown, const char *more)
{
    if (!why || !nWhy)
        return;
    snprintf(why, nWhy, fmt, shown, more);
    /* Cut short by a small buffer, the text ends on a whole character. */
    size_t n = strlen(why), lead = n;
    while (lead > 0 && ((unsigned char)why[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead > 0 && (unsigned char)why[lead - 1] >= 0xC0) {
        unsigned char c = (unsigned char)why[lead - 1];
        size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (n - (lead - 1) < want)
            why[lead - 1] = '\0';
    }
}

bool date_parse_ja(const char *zText, struct xdate *out, char *why, size_t nWhy)
{
    char norm[96] = "", shown[96];
    const char *src = zText ? zText : "";
    /* The input is quoted in the message only where it is short (64 bytes,
     * with the brackets well inside `shown`), valid UTF-8. */
    if (strlen(src) <= 64 && utf8_valid(src, strlen(src)))
        snprintf(shown, sizeof shown, "「%s」", src);
    else
        snprintf(shown, sizeof shown, "%s", "その日付");
    if (!normalize(src, norm, sizeof norm) || !norm[0])
        goto unreadable;
    const char *p = norm;
    const struct era *e = NULL;
    int y, m, d;
    bool kanji = false;
    char sep = 0;
    if (*p >= '0' && *p <= '9') {
        if (!number(&p, &y) || !year_end(&p, &kanji, &sep) || !month_day(&p, kanji, sep, &m, &d))
            goto unreadable;
    } else {
        e = era_named(&p);
        if (!e)
            goto unreadable;
        if (eat(&p, "元"))
            y = 1;
        else if (!number(&p, &y))
            goto unreadable;
        if (!year_end(&p, &kanji, &sep) || !month_day(&p, kanji, sep, &m, &d))
            goto unreadable;
        if (y < 1) {
            why_set(why, nWhy, "%sは存在しない日付です（年は元年（1年）から）%s", shown, "");
            return false;
        }
        if (e->initial == 'M' && y < 6) {
            why_set(why, nWhy,
                    "%sは旧暦の日付のため扱えません（明治6年1月1日より前は西暦で書いてください）%s",
                    shown, "");
            return false;
        }
        y += e->base;
    }
    struct xdate dt;
    if (!real_day(y, m, d, &dt)) {
        why_set(why, nWhy, "%sは存在しない日付です%s", shown, "");
        return false;
    }
    if (e) {
        char bound[64];
        if (date_cmp(dt, e->first) < 0) {
            snprintf(bound, sizeof bound, "（%sは%d年%d月%d日から）", e->name, e->first.y,
                     e->first.m, e->first.d);
            why_set(why, nWhy, "%sは存在しない日付です%s", shown, bound);
            return false;
        }
        const struct era *now = era_of(dt);
        if (now != e) {
            /* Past the era's end: the day before the next era began. */
            const struct era *next = e - 1;
            struct xdate last = date_add_days(next->first, -1);
            snprintf(bound, sizeof bound, "（%sは%d年%d月%d日まで）", e->name, last.y, last.m,
                     last.d);
            why_set(why, nWhy, "%sは存在しない日付です%s", shown, bound);
            return false;
        }
    }
    *out = dt;
    return true;

unreadable:
    why_set(why, nWhy,
            "%sは日付として読めません（2026-04-01、令和8年4月1日、R8.4.1 などの形で書いて"
            "ください）%s",
            shown, "");
    return false;
}
