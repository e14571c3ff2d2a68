/*
 * wareki.h - 和暦: dates written with Japan's era names, out (令和8年4月1日)
 * and in (令和8年4月1日, R8.4.1, R8/4/1, 令8.4.1, and ISO), every era from
 * 明治 on, each era's first and last day by date.
 *
 * Eras and their first days (the day of the change of era):
 *   明治 (M) 1873-01-01  -- 明治6年; before it Japan kept the lunisolar
 *                           calendar, so 明治元年〜5年 have no Gregorian day
 *                           that this module could honestly give
 *   大正 (T) 1912-07-30
 *   昭和 (S) 1926-12-25
 *   平成 (H) 1989-01-08
 *   令和 (R) 2019-05-01
 * The first year of an era is 元年. 2019-04-30 is 平成31年4月30日 and
 * 2019-05-01 令和元年5月1日; 令和元年4月30日 does not exist.
 */
#ifndef EXTSVC_WAREKI_H
#define EXTSVC_WAREKI_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"

/* How pages and printed forms show a date. JSON and the API stay ISO. */
enum date_style {
    DATE_WAREKI,  /* 令和8年4月1日 */
    DATE_SEIREKI, /* 2026年4月1日 */
    DATE_ISO      /* 2026-04-01 */
};

/* Write 和暦 such as "令和8年4月1日" (元年 for the first year) into buf (at
 * least 32 bytes for the whole text; shorter buffers get a truncated,
 * terminated text). A day before 明治6年1月1日 (1873-01-01) is written
 * in 西暦, "1872年12月31日". */
void date_wareki(struct xdate dt, char *buf, int nBuf);

/* Write dt in the given style into buf (see date_wareki for the size). */
void date_styled(struct xdate dt, enum date_style style, char *buf, int nBuf);

/* Write the ISO date at the start of zIso ("2026-04-01", or a timestamp
 * "2026-04-01T09:30:00Z" whose date part is taken) in the given style.
 * Text that does not start with a real ISO date is copied as it is, so a
 * blank or a placeholder shows unchanged. */
void date_styled_text(const char *zIso, enum date_style style, char *buf, int nBuf);

/* Parse a date as people write one: ISO "2026-04-01"; 西暦 "2026/4/1",
 * "2026.4.1", "2026年4月1日"; 和暦 "令和8年4月1日", "令和元年5月1日",
 * "R8.4.1", "R8/4/1", "R8-4-1", "令8.4.1", "r8.4.1", with an era's name,
 * its first kanji or its initial (M T S H R, either case). Full-width digits,
 * letters and punctuation count as their ASCII forms; spaces around the
 * parts are ignored. On success sets *out and returns true. Otherwise
 * returns false, leaves *out alone and writes the reason, in Japanese and
 * naming the input, into why (nWhy bytes; why may be NULL):
 * "令和元年4月30日は存在しない日付です（令和は2019年5月1日から）". */
bool date_parse_ja(const char *zText, struct xdate *out, char *why, size_t nWhy);

/* The style named by "wareki", "seireki" or "iso"; false for anything else. */
bool date_style_parse(const char *zName, enum date_style *out);

#endif
