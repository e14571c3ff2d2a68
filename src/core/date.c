/*
 * date.c - calendar dates; see date.h.
 */
#include "date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

bool date_parse(const char *zText, struct xdate *out)
{
    if (!zText || strlen(zText) != 10 || zText[4] != '-' || zText[7] != '-')
        return false;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (zText[i] < '0' || zText[i] > '9')
            return false;
    }
    int y = atoi(zText), m = atoi(zText + 5), d = atoi(zText + 8);
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    out->y = y;
    out->m = m;
    out->d = d;
    return true;
}

int date_cmp(struct xdate a, struct xdate b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

void date_format(struct xdate dt, char *buf)
{
    unsigned y = (unsigned)dt.y % 10000u, m = (unsigned)dt.m % 100u, d = (unsigned)dt.d % 100u;
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
}

long date_days(struct xdate dt)
{
    /* Howard Hinnant's days_from_civil. */
    long y = dt.y - (dt.m <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long mp = (dt.m + 9) % 12;
    long doy = (153 * mp + 2) / 5 + dt.d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct xdate date_add_days(struct xdate dt, long n)
{
    /* Howard Hinnant's civil_from_days. */
    long z = date_days(dt) + n + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    struct xdate out;
    out.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    out.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    out.y = (int)(yoe + era * 400 + (out.m <= 2));
    return out;
}

struct xdate date_today(void)
{
    struct xdate dt;
    const char *fixed = getenv("EXTSVC_TODAY");
    if (fixed && date_parse(fixed, &dt))
        return dt;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    dt.y = tm.tm_year + 1900;
    dt.m = tm.tm_mon + 1;
    dt.d = tm.tm_mday;
    return dt;
}
