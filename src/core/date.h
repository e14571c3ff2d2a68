/*
 * date.h - calendar dates as the standard uses them: ISO YYYY-MM-DD, and
 * 和暦 (令和) for display.
 */
#ifndef EXTSVC_DATE_H
#define EXTSVC_DATE_H

#include <stdbool.h>

struct xdate {
    int y, m, d;
};

/* Parse exactly "YYYY-MM-DD" naming a day that exists (2026-02-30 does not).
 * Returns false, leaving *out untouched, for anything else. */
bool date_parse(const char *zText, struct xdate *out);

/* <0, 0, >0 as a is before, equal to, after b. */
int date_cmp(struct xdate a, struct xdate b);

/* Write "YYYY-MM-DD" into buf (at least 11 bytes). */
void date_format(struct xdate dt, char *buf);

/* Write 和暦 such as "令和8年4月1日" (元年 for the first year) into buf (at
 * least 32 bytes). Dates before 令和 use 平成. */
void date_wareki(struct xdate dt, char *buf, int nBuf);

/* Days from 1970-01-01 (negative before it). */
long date_days(struct xdate dt);

/* The date `n` days after dt (before, for negative n). */
struct xdate date_add_days(struct xdate dt, long n);

/* Today's date in local time, or $EXTSVC_TODAY (YYYY-MM-DD) where set, so
 * that tests can fix the clock. The only impure function here. */
struct xdate date_today(void);

#endif
