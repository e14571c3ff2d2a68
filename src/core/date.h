/*
 * date.h - calendar dates as the standard uses them: ISO YYYY-MM-DD (和暦
 * is in wareki.h).
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

/* Days from 1970-01-01 (negative before it). */
long date_days(struct xdate dt);

/* The date `n` days after dt (before, for negative n). */
struct xdate date_add_days(struct xdate dt, long n);

/* Today's date in local time, or $EXTSVC_TODAY (YYYY-MM-DD) where set, so
 * that tests can fix the clock. The only impure function here. */
struct xdate date_today(void);

#endif
