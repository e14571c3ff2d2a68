/*
 * test_date.c - calendar dates: ISO parsing that refuses days that do not
 * exist (和暦 is test_wareki.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/date.h"

static void test_date_parse_accepts_real_days(void **state)
{
    struct xdate d;
    assert_true(date_parse("2026-02-28", &d));
    assert_int_equal(d.y, 2026);
    assert_int_equal(d.m, 2);
    assert_int_equal(d.d, 28);
    assert_true(date_parse("2024-02-29", &d)); /* leap year */
}

static void test_date_parse_refuses_days_that_do_not_exist(void **state)
{
    struct xdate d;
    assert_false(date_parse("2026-02-30", &d));
    assert_false(date_parse("2026-02-29", &d)); /* not a leap year */
    assert_false(date_parse("2100-02-29", &d)); /* century, not leap */
    assert_false(date_parse("2026-13-01", &d));
    assert_false(date_parse("2026-04-31", &d));
    assert_false(date_parse("2026-4-1", &d));
    assert_false(date_parse("2026/04/01", &d));
    assert_false(date_parse("", &d));
    assert_false(date_parse(NULL, &d));
}

static void test_date_add_days_crosses_months_and_leap_days(void **state)
{
    struct xdate d = date_add_days((struct xdate){2024, 2, 28}, 1);
    assert_int_equal(d.m, 2);
    assert_int_equal(d.d, 29);
    d = date_add_days((struct xdate){2026, 11, 25}, 90);
    char buf[11];
    date_format(d, buf);
    assert_string_equal(buf, "2027-02-23");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_parse_accepts_real_days),
        cmocka_unit_test(test_date_parse_refuses_days_that_do_not_exist),
        cmocka_unit_test(test_date_add_days_crosses_months_and_leap_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
