/*
 * test_wareki.c - 和暦 out and in (core/wareki.c): every era from 明治,
 * the boundaries by date, 元年, the written forms people use, and a clear
 * refusal of a day that does not exist.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/text.h"
#include "core/wareki.h"

static void assert_wareki(int y, int m, int d, const char *want)
{
    char buf[32];
    date_wareki((struct xdate){y, m, d}, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void assert_parses(const char *text, int y, int m, int d)
{
    struct xdate got = {0, 0, 0};
    char why[256] = "";
    if (!date_parse_ja(text, &got, why, sizeof why))
        fail_msg("%s refused: %s", text, why);
    assert_int_equal(got.y, y);
    assert_int_equal(got.m, m);
    assert_int_equal(got.d, d);
}

/* The refusal's reason, which must contain `part`; *out stays as it was. */
static void assert_refused(const char *text, const char *part)
{
    struct xdate got = {-1, -1, -1};
    char why[256] = "";
    if (date_parse_ja(text, &got, why, sizeof why))
        fail_msg("%s accepted as %d-%d-%d", text, got.y, got.m, got.d);
    assert_int_equal(got.y, -1);
    if (!strstr(why, part))
        fail_msg("%s: reason \"%s\" lacks \"%s\"", text, why, part);
}

static void test_wareki_names_every_era_and_gannen(void **state)
{
    assert_wareki(2023, 9, 20, "令和5年9月20日"); /* the standard's date */
    assert_wareki(2019, 5, 1, "令和元年5月1日");
    assert_wareki(2003, 4, 21, "平成15年4月21日"); /* 周南市職務権限規程 */
    assert_wareki(1989, 1, 8, "平成元年1月8日");
    assert_wareki(1989, 1, 7, "昭和64年1月7日");
    assert_wareki(1926, 12, 25, "昭和元年12月25日");
    assert_wareki(1926, 12, 24, "大正15年12月24日");
    assert_wareki(1912, 7, 30, "大正元年7月30日");
    assert_wareki(1912, 7, 29, "明治45年7月29日");
    assert_wareki(1873, 1, 1, "明治6年1月1日");
    assert_wareki(1872, 12, 31, "1872年12月31日"); /* lunisolar calendar then */
}

static void test_wareki_era_boundaries_are_by_date(void **state)
{
    assert_wareki(2019, 4, 30, "平成31年4月30日");
    assert_wareki(2019, 5, 1, "令和元年5月1日");
    assert_parses("平成31年4月30日", 2019, 4, 30);
    assert_parses("令和元年5月1日", 2019, 5, 1);
    assert_refused("令和元年4月30日", "令和は2019年5月1日から");
    assert_refused("平成31年5月1日", "平成は2019年4月30日まで");
    assert_refused("昭和64年1月8日", "昭和は1989年1月7日まで");
    assert_refused("平成元年1月7日", "平成は1989年1月8日から");
    assert_refused("大正15年12月25日", "大正は1926年12月24日まで");
    assert_refused("明治45年7月30日", "明治は1912年7月29日まで");
    assert_refused("明治5年12月2日", "旧暦");
}

static void test_wareki_reads_the_forms_people_write(void **state)
{
    assert_parses("2026-04-01", 2026, 4, 1);
    assert_parses("2026/4/1", 2026, 4, 1);
    assert_parses("2026.04.01", 2026, 4, 1);
    assert_parses("2026年4月1日", 2026, 4, 1);
    assert_parses("令和8年4月1日", 2026, 4, 1);
    assert_parses("R8.4.1", 2026, 4, 1);
    assert_parses("R8/4/1", 2026, 4, 1);
    assert_parses("r08.04.01", 2026, 4, 1);
    assert_parses("令8.4.1", 2026, 4, 1);
    assert_parses("H31.4.30", 2019, 4, 30);
    assert_parses("S64.1.7", 1989, 1, 7);
    assert_parses("T1.7.30", 1912, 7, 30);
    assert_parses("M45.7.29", 1912, 7, 29);
    assert_parses("Ｒ８．４．１", 2026, 4, 1);        /* full width */
    assert_parses("　令和 8年 4月 1日 ", 2026, 4, 1); /* spaces around parts */
    assert_parses("R元.5.1", 2019, 5, 1);
}

static void test_wareki_refuses_days_that_do_not_exist(void **state)
{
    assert_refused("令和7年2月29日", "存在しない日付"); /* 2025: not a leap year */
    assert_parses("令和6年2月29日", 2024, 2, 29);       /* 2024 is */
    assert_refused("R8.4.31", "存在しない日付");
    assert_refused("R8.13.1", "存在しない日付");
    assert_refused("R0.4.1", "存在しない日付");
    assert_refused("2026-02-30", "存在しない日付");
}

static void test_wareki_refuses_what_is_not_a_date(void **state)
{
    assert_refused("", "日付として読めません");
    assert_refused("令和", "日付として読めません");
    assert_refused("R8.4", "日付として読めません");
    assert_refused("R8.4/1", "日付として読めません"); /* mixed separators */
    assert_refused("令和8年4月1", "日付として読めません");
    assert_refused("X8.4.1", "日付として読めません");
    assert_refused("2026-04-01 extra", "日付として読めません");
    assert_refused("R12345.1.1", "日付として読めません");
    /* The input is named where it is valid UTF-8, else not quoted. */
    assert_refused("R8.4.x", "「R8.4.x」");
    struct xdate got;
    char why[256];
    assert_false(date_parse_ja("\xff\xfe", &got, why, sizeof why));
    assert_null(strstr(why, "\xff"));
    /* A reason cut short by a small buffer ends on a whole character. */
    for (size_t n = 1; n < 40; n++) {
        char small[40];
        assert_false(date_parse_ja("令和元年4月30日", &got, small, n));
        assert_true(utf8_valid(small, strlen(small)));
    }
}

static void test_date_styles_for_pages(void **state)
{
    char buf[32];
    date_styled_text("2026-04-01", DATE_WAREKI, buf, sizeof buf);
    assert_string_equal(buf, "令和8年4月1日");
    date_styled_text("2026-04-01T09:30:00Z", DATE_SEIREKI, buf, sizeof buf);
    assert_string_equal(buf, "2026年4月1日");
    date_styled_text("2026-04-01", DATE_ISO, buf, sizeof buf);
    assert_string_equal(buf, "2026-04-01");
    date_styled_text("", DATE_WAREKI, buf, sizeof buf);
    assert_string_equal(buf, "");
    date_styled_text("未定", DATE_WAREKI, buf, sizeof buf);
    assert_string_equal(buf, "未定");
    enum date_style st;
    assert_true(date_style_parse("wareki", &st));
    assert_int_equal(st, DATE_WAREKI);
    assert_false(date_style_parse("heisei", &st));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wareki_names_every_era_and_gannen),
        cmocka_unit_test(test_wareki_era_boundaries_are_by_date),
        cmocka_unit_test(test_wareki_reads_the_forms_people_write),
        cmocka_unit_test(test_wareki_refuses_days_that_do_not_exist),
        cmocka_unit_test(test_wareki_refuses_what_is_not_a_date),
        cmocka_unit_test(test_date_styles_for_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
