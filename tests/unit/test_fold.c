/*
 * test_fold.c - search folding (NFKC_Casefold): what a person types and
 * what the ledger holds fold to the same text, whichever width, case or
 * composition each was written in.
 */
#include "unit_util.h"

#include "core/fold.h"
#include "core/text.h"

/* Fold s and compare with want; fails the test, naming both, where they differ. */
static void assert_folds_to(const char *s, const char *want)
{
    char *got = text_fold(s);
    if (!got)
        fail_msg("text_fold(\"%s\") refused valid text", s);
    if (strcmp(got, want) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "text_fold(\"%s\") = \"%s\", expected \"%s\"", s, got, want);
        free(got);
        fail_msg("%s", msg);
    }
    free(got);
}

/* ＢＯＸ, Box and BOX all fold to box. */
static void test_fold_latin_width_and_case(void **state)
{
    assert_folds_to("ＢＯＸ", "box");
    assert_folds_to("Box", "box");
    assert_folds_to("BOX", "box");
    assert_folds_to("ｂｏｘ", "box");
    assert_folds_to("Microsoft Teams", "microsoft teams");
}

/* Half-width katakana fold to full width; the voiced marks join their kana. */
static void test_fold_halfwidth_katakana(void **state)
{
    assert_folds_to("ｶﾅ入力", "カナ入力");
    assert_folds_to("ﾊﾟｿｺﾝ", "パソコン");
    assert_folds_to("ｶﾞｲﾌﾞｻｰﾋﾞｽ", "ガイブサービス");
    assert_folds_to("カナ", "カナ"); /* already folded: unchanged */
}

/* Full-width digits and punctuation fold to ASCII; circled numbers to digits. */
static void test_fold_digits_and_symbols(void **state)
{
    assert_folds_to("２０２６年", "2026年");
    assert_folds_to("Ｗｅｂ会議（２）", "web会議(2)");
    assert_folds_to("①", "1");
    assert_folds_to("㈱周南", "(株)周南");
    assert_folds_to("\xe3\x80\x80", " "); /* U+3000 ideographic space */
}

/* Kanji, hiragana and full-width katakana stay as they are. */
static void test_fold_keeps_japanese(void **state)
{
    assert_folds_to("翻訳", "翻訳");
    assert_folds_to("会議", "会議");
    assert_folds_to("日本マイクロソフト株式会社", "日本マイクロソフト株式会社");
    assert_folds_to("ひらがな", "ひらがな");
    assert_folds_to("", "");
}

/* Decomposed and precomposed forms fold alike; full case folding may
 * lengthen text (ß to ss, ﬀ to ff) and composition may shorten it. */
static void test_fold_length_may_change(void **state)
{
    assert_folds_to("Cafe\xcc\x81", "caf\xc3\xa9"); /* e + U+0301 */
    assert_folds_to("Caf\xc3\xa9", "caf\xc3\xa9");
    assert_folds_to("Stra\xc3\x9f"
                    "e",
                    "strasse");            /* ß */
    assert_folds_to("\xef\xac\x80", "ff"); /* U+FB00 ﬀ: one character, two after */
    assert_folds_to("ﾊﾟ", "パ");           /* two characters, one after */
    char *f = text_fold("\xef\xac\x80");
    assert_non_null(f);
    assert_int_equal(utf8_chars(f), 2);
    free(f);
}

/* Default-ignorable characters (soft hyphen, zero-width space, variation
 * selectors) do not stand between a query and a match. */
static void test_fold_drops_ignorables(void **state)
{
    assert_folds_to("Bo\xc2\xadx", "box");           /* U+00AD soft hyphen */
    assert_folds_to("翻\xe2\x80\x8b訳", "翻訳");     /* U+200B zero-width space */
    assert_folds_to("葛\xf3\xa0\x84\x80城", "葛城"); /* U+E0100 variation selector */
}

/* The ledger's field separator U+001F passes through, so that no folded
 * query spans two fields. */
static void test_fold_keeps_field_separator(void **state)
{
    assert_folds_to("ＢＯＸ\x1f"
                    "ファイル共有",
                    "box\x1f"
                    "ファイル共有");
}

/* Invalid UTF-8 is refused, not passed through. */
static void test_fold_refuses_invalid_utf8(void **state)
{
    assert_null(text_fold(NULL));
    assert_null(text_fold("\xff"));
    assert_null(text_fold("abc\xe3\x81"));      /* truncated */
    assert_null(text_fold("\xed\xa0\x80"));     /* surrogate U+D800 */
    assert_null(text_fold("\xc0\xaf"));         /* overlong '/' */
    assert_null(text_fold("\xf4\x90\x80\x80")); /* beyond U+10FFFF */
}

/* Folding is idempotent: folding folded text changes nothing, so that the
 * stored text and a query folded from it agree. */
static void test_fold_is_idempotent(void **state)
{
    const char *samples[] = {"ＢＯＸ", "ｶﾅ入力",
                             ("Stra\xc3\x9f"
                              "e"),
                             "\xef\xac\x80", "㈱周南①"};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char *once = text_fold(samples[i]);
        assert_non_null(once);
        assert_folds_to(once, once);
        free(once);
    }
}

/* Folded, a query's bigrams stand in a folded text however either was typed. */
static void test_fold_then_bigrams_find_each_other(void **state)
{
    struct sbuf t, q;
    sbuf_init(&t, 0);
    sbuf_init(&q, 0);
    char *text = text_fold("ｶﾅ入力のＢＯＸ");
    char *query = text_fold("カナ入力");
    assert_non_null(text);
    assert_non_null(query);
    text_bigrams(text, &t);
    assert_int_equal(text_bigrams(query, &q), 3);
    ut_assert_contains(t.buf, q.buf);
    free(query);
    sbuf_release(&q);
    sbuf_init(&q, 0);
    query = text_fold("box");
    assert_non_null(query);
    text_bigrams(query, &q);
    ut_assert_contains(t.buf, q.buf);
    free(query);
    free(text);
    sbuf_release(&t);
    sbuf_release(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_latin_width_and_case),
        cmocka_unit_test(test_fold_halfwidth_katakana),
        cmocka_unit_test(test_fold_digits_and_symbols),
        cmocka_unit_test(test_fold_keeps_japanese),
        cmocka_unit_test(test_fold_length_may_change),
        cmocka_unit_test(test_fold_drops_ignorables),
        cmocka_unit_test(test_fold_keeps_field_separator),
        cmocka_unit_test(test_fold_refuses_invalid_utf8),
        cmocka_unit_test(test_fold_is_idempotent),
        cmocka_unit_test(test_fold_then_bigrams_find_each_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
