/*
 * fuzz_date.c - libFuzzer driver for the date code (core/date.c), the
 * entry-state decision that compares ISO dates as strings (core/states.c),
 * the state-name parsers there, and the UTC timestamp reader of the pages
 * (jst() in web/pages_common.c), and 和暦 both ways (core/wareki.c). The
 * standard's dates are ISO YYYY-MM-DD; people write 和暦 too, which
 * date_parse_ja() reads and date_wareki() writes.
 *
 * The input is used three ways:
 *   - the whole input as one string: date_parse() must agree with an
 *     independent reference (exactly 10 bytes, digits and dashes, a day
 *     that exists), leave its output untouched when it refuses, and a date
 *     it accepts must format back to the same text; jst() and the
 *     *_state_parse() functions take the same string; date_parse_ja()
 *     accepts only real days, which read back from their 和暦;
 *   - bytes 0-9, 10-19, 20-29, 30-39 as four candidate dates: what
 *     date_cmp() says agrees with strcmp() on the text and with
 *     date_days(); entry_state_on() (which compares the strings) agrees
 *     with a decision made on parsed dates;
 *   - bytes 40-43 as a day count n: date_add_days(d, n) is a real day, n
 *     days later by date_days(), and formats and parses back.
 * date_days() is checked against a day count written another way,
 * date_wareki() against a second table of the eras (明治6年 to 令和) and
 * for truncation into buffers of every size; what it writes, and the ISO
 * text, read back through date_parse_ja() as the same day.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/wareki.h"
#include "core/states.h"
#include "core/text.h"
#include "web/pages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_date: check failed at line %d: %s\n", __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static bool ref_leap(long y)
{
    return y % 400 == 0 || (y % 4 == 0 && y % 100 != 0);
}

static int ref_mdays(long y, int m)
{
    switch (m) {
    case 2:
        return ref_leap(y) ? 29 : 28;
    case 4:
    case 6:
    case 9:
    case 11:
        return 30;
    default:
        return 31;
    }
}

/* The reference parser: exactly "DDDD-DD-DD" naming a day that exists. */
static bool ref_parse(const char *s, size_t n, struct xdate *out)
{
    if (n != 10)
        return false;
    int v[8], k = 0;
    for (size_t i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return false;
        } else if (s[i] >= '0' && s[i] <= '9') {
            v[k++] = s[i] - '0';
        } else {
            return false;
        }
    }
    int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], m = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
    if (y == 0 || m == 0 || m > 12 || d == 0 || d > ref_mdays(y, m))
        return false;
    *out = (struct xdate){y, m, d};
    return true;
}

/* Days from 1970-01-01, counted from 0001-01-01 year by year. */
static long ref_days(struct xdate dt)
{
    static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    long y = dt.y - 1;
    long n = 365 * y + y / 4 - y / 100 + y / 400 + before[dt.m - 1] + (dt.m > 2 && ref_leap(dt.y)) +
             dt.d - 1;
    return n - 719162; /* 1970-01-01 counted so */
}

static bool real_day(struct xdate d)
{
    return d.m >= 1 && d.m <= 12 && d.d >= 1 && d.d <= ref_mdays(d.y, d.m);
}

static int sign(long v)
{
    return (v > 0) - (v < 0);
}

/* The eras written out again, as (first day as YYYYMMDD, name, base):
 * a second statement of wareki.c's table to check it against. */
static const struct {
    long first;
    const char *name;
    int base;
} ref_eras[] = {{20190501, "令和", 2018},
                {19890108, "平成", 1988},
                {19261225, "昭和", 1925},
                {19120730, "大正", 1911},
                {18730101, "明治", 1867}};

static void check_wareki(struct xdate d)
{
    char want[64];
    long key = d.y * 10000L + d.m * 100 + d.d;
    int e = -1;
    for (int i = 0; i < 5 && e < 0; i++)
        if (key >= ref_eras[i].first)
            e = i;
    if (e < 0) {
        snprintf(want, sizeof want, "%d年%d月%d日", d.y, d.m, d.d);
    } else {
        int year = d.y - ref_eras[e].base;
        char ys[16];
        if (year == 1)
            snprintf(ys, sizeof ys, "元");
        else
            snprintf(ys, sizeof ys, "%d", year);
        snprintf(want, sizeof want, "%s%s年%d月%d日", ref_eras[e].name, ys, d.m, d.d);
    }
    CHECK(strlen(want) < 32); /* the documented buffer always suffices */
    char *buf = malloc(32);
    CHECK(buf);
    date_wareki(d, buf, 32);
    CHECK(strcmp(buf, want) == 0);
    /* What is written reads back as the same day, and so does ISO. */
    struct xdate back = {0, 0, 0};
    char why[256];
    if (e >= 0) {
        CHECK(date_parse_ja(buf, &back, why, sizeof why));
        CHECK(date_cmp(back, d) == 0);
    }
    char iso[11];
    date_format(d, iso);
    back = (struct xdate){0, 0, 0};
    CHECK(date_parse_ja(iso, &back, why, sizeof why));
    CHECK(date_cmp(back, d) == 0);
    free(buf);
    /* Smaller buffers (exactly sized, so that ASan sees an overrun) get a
     * NUL-terminated prefix. */
    for (int n = 1; n < 32; n += 3) {
        char *small = malloc((size_t)n);
        CHECK(small);
        date_wareki(d, small, n);
        size_t len = strnlen(small, (size_t)n);
        CHECK(len < (size_t)n);
        CHECK(strncmp(small, want, len) == 0);
        free(small);
    }
}

/* date_parse_ja() of any text: a day it accepts is real, inside its era,
 * and written as 和暦 reads back the same; a refusal leaves the output
 * alone and says why in valid UTF-8. */
static void check_parse_ja(const char *s)
{
    struct xdate d = {-7, -7, -7};
    char why[200];
    why[0] = '\0';
    if (date_parse_ja(s, &d, why, sizeof why)) {
        CHECK(d.y >= 1 && d.y <= 9999 && real_day(d));
        char buf[32];
        date_wareki(d, buf, sizeof buf);
        struct xdate back;
        if (d.y * 10000L + d.m * 100 + d.d >= 18730101) {
            CHECK(date_parse_ja(buf, &back, NULL, 0));
            CHECK(date_cmp(back, d) == 0);
        }
    } else {
        CHECK(d.y == -7 && d.m == -7 && d.d == -7);
        CHECK(why[0] != '\0');
        CHECK(utf8_valid(why, strlen(why)));
    }
}

/* Everything that must hold of a date date_parse() accepted from `text`. */
static void check_date(struct xdate d, const char *text)
{
    CHECK(d.y >= 1 && d.y <= 9999 && real_day(d));
    char buf[11];
    date_format(d, buf);
    CHECK(strcmp(buf, text) == 0);
    long days = date_days(d);
    CHECK(days == ref_days(d));
    CHECK(date_cmp(date_add_days(d, 0), d) == 0);
    static const long steps[] = {-366, -365, -31, -1, 1, 28, 29, 365, 366, 146097};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct xdate o = date_add_days(d, steps[i]);
        CHECK(real_day(o));
        CHECK(date_days(o) == days + steps[i]);
        CHECK(sign(date_cmp(o, d)) == sign(steps[i]));
        CHECK(date_cmp(date_add_days(o, -steps[i]), d) == 0);
    }
    check_wareki(d);
}

static struct pool *g_pool;

/* jst(): a strictly written UTC time in years 1000-9998 comes back as
 * Japan time (nine hours on, the day after from 15:00 UTC); anything else
 * comes back as something printable without a crash. */
static void check_jst(const char *s, size_t n)
{
    struct request r;
    memset(&r, 0, sizeof r);
    r.pool = g_pool;
    const char *out = jst(&r, s);
    CHECK(out);
    CHECK(strlen(out) < 32 || out == s);
    struct xdate d;
    if (n != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return;
    char day[11];
    memcpy(day, s, 10);
    day[10] = '\0';
    int hh = 0, mm = 0, ss = 0;
    for (int i = 11; i < 19; i++)
        if (i != 13 && i != 16 && (s[i] < '0' || s[i] > '9'))
            return;
    hh = (s[11] - '0') * 10 + s[12] - '0';
    mm = (s[14] - '0') * 10 + s[15] - '0';
    ss = (s[17] - '0') * 10 + s[18] - '0';
    if (!ref_parse(day, 10, &d) || d.y < 1000 || d.y > 9998 || hh > 23 || mm > 59 || ss > 59)
        return;
    hh += 9;
    if (hh >= 24) {
        hh -= 24;
        d = date_add_days(d, 1);
    }
    char want[32];
    snprintf(want, sizeof want, "%04d-%02d-%02d %02d:%02d", d.y, d.m, d.d, hh, mm);
    CHECK(strcmp(out, want) == 0);
}

/* The name parsers of core/states.c: a hit names exactly that state. */
static void check_state_names(const char *s)
{
    int i = req_state_parse(s);
    CHECK(i >= -1 && i < ST_COUNT);
    if (i >= 0)
        CHECK(strcmp(req_state_name((enum req_state)i), s) == 0);
    i = req_action_parse(s);
    CHECK(i >= -1 && i < ACT_COUNT);
    if (i >= 0)
        CHECK(strcmp(req_action_name((enum req_action)i), s) == 0);
    i = req_kind_parse(s);
    CHECK(i >= -1 && i < KIND_COUNT);
    if (i >= 0)
        CHECK(strcmp(req_kind_name((enum req_kind)i), s) == 0);
    i = entry_state_parse(s);
    CHECK(i >= -1 && i < ENTRY_STATE_COUNT);
    if (i >= 0)
        CHECK(strcmp(entry_state_name((enum entry_state)i), s) == 0 ||
              strcmp(entry_state_label((enum entry_state)i), s) == 0);
}

/* entry_state_on() compares ISO strings; decide the same on parsed dates. */
static void check_entry_state(const struct xdate *dd, const char (*tt)[11], bool retired)
{
    struct xdate from = dd[0], to = dd[1], ret = dd[2], today = dd[3];
    enum entry_state want;
    if (retired && date_cmp(ret, today) <= 0)
        want = ENTRY_RETIRED;
    else if (date_cmp(to, today) < 0)
        want = ENTRY_EXPIRED;
    else if (retired)
        want = ENTRY_RETIRING;
    else if (date_cmp(from, today) > 0)
        want = ENTRY_UPCOMING;
    else
        want = ENTRY_ACTIVE;
    CHECK(entry_state_on(tt[0], tt[1], retired ? tt[2] : NULL, tt[3]) == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_pool = pool_new(); /* jst()'s results */
    if (!g_pool)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    size_t n = strlen(s);

    /* The whole input as one string. */
    struct xdate sentinel = {-7, -7, -7}, got = sentinel, want;
    bool ok = date_parse(s, &got);
    bool ref = ref_parse(s, n, &want);
    CHECK(ok == ref);
    if (ok) {
        CHECK(date_cmp(got, want) == 0);
        check_date(got, s);
    } else {
        CHECK(got.y == -7 && got.m == -7 && got.d == -7);
    }
    check_jst(s, n);
    check_state_names(s);
    check_parse_ja(s);

    /* Four candidate dates of ten bytes each. */
    char tt[4][11];
    struct xdate dd[4];
    bool valid[4] = {false, false, false, false};
    for (size_t k = 0; k < 4 && (k + 1) * 10 <= size; k++) {
        memcpy(tt[k], data + k * 10, 10);
        tt[k][10] = '\0';
        valid[k] = date_parse(tt[k], &dd[k]);
        CHECK(valid[k] == ref_parse(tt[k], strlen(tt[k]), &want));
        if (valid[k])
            check_date(dd[k], tt[k]);
    }
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++)
            if (valid[a] && valid[b]) {
                int c = date_cmp(dd[a], dd[b]);
                CHECK(sign(c) == sign(strcmp(tt[a], tt[b])));
                CHECK(sign(c) == sign(date_days(dd[a]) - date_days(dd[b])));
                CHECK(sign(c) == -sign(date_cmp(dd[b], dd[a])));
            }
    if (valid[0] && valid[1] && valid[3]) {
        check_entry_state(dd, (const char(*)[11])tt, false);
        if (valid[2])
            check_entry_state(dd, (const char(*)[11])tt, true);
    }

    /* A day count: anywhere within about ±10,000 years. */
    if (size >= 44 && valid[0]) {
        int32_t raw;
        memcpy(&raw, data + 40, sizeof raw);
        long days = (long)(raw % 4000000);
        struct xdate o = date_add_days(dd[0], days);
        CHECK(real_day(o));
        CHECK(date_days(o) == date_days(dd[0]) + days);
        CHECK(date_days(o) == ref_days(o) || o.y < 1);
        if (o.y >= 1 && o.y <= 9999) {
            char buf[11];
            struct xdate back;
            date_format(o, buf);
            CHECK(date_parse(buf, &back) && date_cmp(back, o) == 0);
        }
    }

    /* date_format() of any numbers writes ten characters and never more. */
    if (size >= 12) {
        struct xdate any;
        memcpy(&any.y, data, 4);
        memcpy(&any.m, data + 4, 4);
        memcpy(&any.d, data + 8, 4);
        char *buf = malloc(11);
        CHECK(buf);
        date_format(any, buf);
        CHECK(strlen(buf) == 10 && buf[4] == '-' && buf[7] == '-');
        free(buf);
    }

    free(s);
    pool_free(g_pool);
    g_pool = NULL;
    return 0;
}
