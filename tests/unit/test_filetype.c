/*
 * test_filetype.c - an evidence file's type (core/filetype.c): kept where
 * the extension is one of PDF, the images and the Office documents and the
 * content starts as that format does; refused otherwise, with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/filetype.h"

static const char *type_of(const char *name, const char *data, size_t n, char *why)
{
    return filetype_check(name, (const unsigned char *)data, n, why, 256);
}

static void test_filetype_keeps_what_the_content_confirms(void **state)
{
    char why[256];
    assert_string_equal(type_of("証明書.PDF", "%PDF-1.7\n", 9, why), "application/pdf");
    assert_string_equal(type_of("a.png", "\x89PNG\r\n\x1a\n\0", 9, why), "image/png");
    assert_string_equal(type_of("a.jpeg", "\xFF\xD8\xFF\xE0", 4, why), "image/jpeg");
    assert_string_equal(type_of("a.gif", "GIF89a", 6, why), "image/gif");
    assert_string_equal(type_of("規約.docx", "PK\x03\x04", 4, why),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_string_equal(type_of("a.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, why),
                        "application/vnd.ms-excel");
}

static void test_filetype_refuses_a_disguise_and_what_it_does_not_keep(void **state)
{
    char why[256] = "";
    assert_null(type_of("evil.pdf", "<html><script>", 14, why));
    assert_non_null(strstr(why, "形式ではありません"));
    assert_null(type_of("a.png", "%PDF-1.7", 8, why)); /* a PDF named .png */
    assert_null(type_of("page.html", "<html>", 6, why));
    assert_non_null(strstr(why, "添付できません"));
    assert_null(type_of("run.exe", "MZ", 2, why));
    assert_null(type_of("noext", "%PDF-", 5, why));
    assert_non_null(strstr(why, "拡張子"));
    assert_null(type_of("short.pdf", "%PD", 3, why)); /* too short to be one */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filetype_keeps_what_the_content_confirms),
        cmocka_unit_test(test_filetype_refuses_a_disguise_and_what_it_does_not_keep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
