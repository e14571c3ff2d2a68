/*
 * test_text.c - text as Japanese offices write it: UTF-8 checks, blankness
 * that counts the ideographic space, the capped buffer, RFC 4180 fields and
 * CP932 for the ledger's Excel export (CONTRACT.md section 4).
 */
#include "unit_util.h"

#include "core/text.h"

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static bool valid(const char *s)
{
    return utf8_valid(s, strlen(s));
}

/* ---- sbuf_add_json_string (the access log's lines) ---------------------------- */

static void check_json_string(const char *in, const char *want)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    assert_true(sbuf_add_json_string(&sb, in));
    assert_string_equal(sb.buf, want);
    sbuf_release(&sb);
}

static void test_text_json_string_escapes_and_replaces_bad_bytes(void **state)
{
    (void)state;
    check_json_string("", "\"\"");
    check_json_string("/api/v1/ledger/1", "\"/api/v1/ledger/1\"");
    check_json_string("周南 \"引用\" \\", "\"周南 \\\"引用\\\" \\\\\"");
    check_json_string("a\tb\r\n\x1f\x7f", "\"a\\u0009b\\u000d\\u000a\\u001f\\u007f\"");
    /* A hostile URL's bytes: a lone continuation byte, a cut sequence, an
     * overlong '/', a surrogate; each bad byte one U+FFFD, the rest kept. */
    check_json_string("/\x80x", "\"/\\ufffdx\"");
    check_json_string("\xe5\x91", "\"\\ufffd\\ufffd\"");
    check_json_string("\xc0\xaf", "\"\\ufffd\\ufffd\"");
    check_json_string("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
    check_json_string("\xf0\x9f\x8d\xa3\xff", "\"🍣\\ufffd\"");
}

/* ---- utf8_valid ------------------------------------------------------------ */

/* ASCII, Japanese, four-byte characters and the edges of the code space are text. */
static void test_text_utf8_valid_accepts_well_formed(void **state)
{
    assert_true(utf8_valid("", 0));
    assert_true(valid("extsvc"));
    assert_true(valid("周南市外部サービス利用基準"));
    assert_true(valid("①〜⑧　髙"));
    assert_true(valid("🍣𠮷"));
    assert_true(valid("\x7f"));             /* U+007F */
    assert_true(valid("\xc2\x80"));         /* U+0080, the first two-byte */
    assert_true(valid("\xe0\xa0\x80"));     /* U+0800, the first three-byte */
    assert_true(valid("\xed\x9f\xbf"));     /* U+D7FF, just below the surrogates */
    assert_true(valid("\xee\x80\x80"));     /* U+E000, just above them */
    assert_true(valid("\xef\xbf\xbf"));     /* U+FFFF */
    assert_true(valid("\xf0\x90\x80\x80")); /* U+10000 */
    assert_true(valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last */
}

/* An overlong encoding hides a character behind another ('/' as C0 AF). */
static void test_text_utf8_valid_refuses_overlongs(void **state)
{
    static const char *const bad[] = {
        "\xc0\xaf",     "\xc1\xbf",         "\xc0\x80",         "\xe0\x80\xaf",
        "\xe0\x9f\xbf", "\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf",
    };
    for (size_t i = 0; i < COUNT(bad); i++)
        if (valid(bad[i]))
            fail_msg("overlong %zu accepted", i);
}

/* U+D800..U+DFFF are not characters. */
static void test_text_utf8_valid_refuses_surrogates(void **state)
{
    assert_false(valid("\xed\xa0\x80"));             /* U+D800 */
    assert_false(valid("\xed\xad\xbf"));             /* U+DB7F */
    assert_false(valid("\xed\xb0\x80"));             /* U+DC00 */
    assert_false(valid("\xed\xbf\xbf"));             /* U+DFFF */
    assert_false(valid("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
}

/* Nothing past U+10FFFF, and F5..FF never lead. */
static void test_text_utf8_valid_refuses_beyond_10ffff(void **state)
{
    assert_false(valid("\xf4\x90\x80\x80")); /* U+110000 */
    assert_false(valid("\xf7\xbf\xbf\xbf"));
    assert_false(valid("\xf5\x80\x80\x80"));
    assert_false(valid("\xf8\x88\x80\x80\x80"));
    assert_false(valid("\xfe"));
    assert_false(valid("\xff"));
}

/* A sequence cut short, at the end or by another character, is refused. */
static void test_text_utf8_valid_refuses_truncated_sequences(void **state)
{
    static const char *const bad[] = {
        "\xe3",
        "\xe3\x81",
        "あ\xe3\x81",
        "\xf0\x9f\x8d",
        "\xc2",
        "\xe3\x81"
        "a",
        "\xf0\x9f"
        "ab",
        "\x80",
        "\xbf",
        "a\x80"
        "b",
    };
    for (size_t i = 0; i < COUNT(bad); i++)
        if (valid(bad[i]))
            fail_msg("truncated %zu accepted", i);
    /* the length given counts, not a terminating NUL */
    assert_false(utf8_valid("あ", 2));
    assert_true(utf8_valid("あ", 3));
}

/* A NUL byte inside the bytes given is refused. */
static void test_text_utf8_valid_refuses_nul(void **state)
{
    assert_false(utf8_valid("a\0b", 3));
    assert_false(utf8_valid("\0", 1));
    assert_false(utf8_valid("周\0", 4));
}

/* ---- text_is_blank ---------------------------------------------------------- */

/* NULL, "", spaces, tabs, newlines and U+3000 are blank. */
static void test_text_is_blank_counts_ideographic_space(void **state)
{
    assert_true(text_is_blank(NULL));
    assert_true(text_is_blank(""));
    assert_true(text_is_blank(" "));
    assert_true(text_is_blank("\t\r\n"));
    assert_true(text_is_blank("\u3000"));
    assert_true(text_is_blank("\u3000\u3000 \t\u3000\n"));
}

/* Any character at all, even next to blanks, is not blank. */
static void test_text_is_blank_refuses_text(void **state)
{
    assert_false(text_is_blank("a"));
    assert_false(text_is_blank("　周南"));
    assert_false(text_is_blank(" x "));
    assert_false(text_is_blank("・"));
    assert_false(text_is_blank("0"));
    assert_false(text_is_blank("\xe3\x80"));     /* a cut U+3000 is not U+3000 */
    assert_false(text_is_blank("\xe3\x80\x81")); /* U+3001 、 */
}

/* ---- utf8_chars and text_contains ------------------------------------------ */

static void test_text_utf8_chars_counts_code_points(void **state)
{
    assert_int_equal(utf8_chars(""), 0);
    assert_int_equal(utf8_chars("abc"), 3);
    assert_int_equal(utf8_chars("周南市"), 3);
    assert_int_equal(utf8_chars("🍣a"), 2);
}

static void test_text_contains_ignores_ascii_case(void **state)
{
    assert_true(text_contains("Microsoft Teams", "teams"));
    assert_true(text_contains("Microsoft Teams", "MICRO"));
    assert_true(text_contains("日本マイクロソフト株式会社", "マイクロソフト"));
    assert_true(text_contains("anything", ""));
    assert_false(text_contains("Teams", "Zoom"));
    assert_false(text_contains("", "a"));
}

/* ---- csv_field -------------------------------------------------------------- */

/* Append each field to a fresh buffer and compare with `expect`. */
static void check_csv(const char *field, const char *expect)
{
    struct sbuf sb = SBUF_INIT;
    assert_true(csv_field(&sb, field));
    assert_string_equal(sb.buf ? sb.buf : "", expect);
    sbuf_release(&sb);
}

/* RFC 4180: plain fields stay as they are. */
static void test_text_csv_field_plain(void **state)
{
    check_csv("Microsoft Teams", "Microsoft Teams");
    check_csv("周南市、総務部", "周南市、総務部"); /* 、 is not a comma */
    check_csv("", "");
    check_csv(NULL, "");
}

/* RFC 4180: a comma, quote, CR or LF quotes the field; quotes are doubled. */
static void test_text_csv_field_quotes_special_characters(void **state)
{
    check_csv("a,b", "\"a,b\"");
    check_csv("say \"hi\"", "\"say \"\"hi\"\"\"");
    check_csv("\"", "\"\"\"\"");
    check_csv("line1\r\nline2", "\"line1\r\nline2\"");
    check_csv("a\rb", "\"a\rb\"");
    check_csv("a\nb", "\"a\nb\"");
    check_csv("部局内に限る,課内", "\"部局内に限る,課内\"");
}

/* Fields append to what the buffer holds. */
static void test_text_csv_field_appends(void **state)
{
    struct sbuf sb = SBUF_INIT;
    assert_true(csv_field(&sb, "1"));
    assert_true(sbuf_adds(&sb, ","));
    assert_true(csv_field(&sb, "a,b"));
    assert_true(sbuf_adds(&sb, "\r\n"));
    assert_string_equal(sb.buf, "1,\"a,b\"\r\n");
    assert_int_equal(sb.len, 9);
    sbuf_release(&sb);
}

/* ---- sbuf ------------------------------------------------------------------ */

/* A buffer grows to its cap and no further; every append past it fails. */
static void test_text_sbuf_cap(void **state)
{
    struct sbuf sb;
    sbuf_init(&sb, 8);
    assert_true(sbuf_adds(&sb, "1234"));
    assert_true(sbuf_add(&sb, "5678", 4)); /* exactly the cap */
    assert_int_equal(sb.len, 8);
    assert_false(sb.overflow);
    assert_false(sbuf_adds(&sb, "9"));
    assert_true(sb.overflow);
    assert_int_equal(sb.len, 8);
    assert_string_equal(sb.buf, "12345678"); /* unchanged by the failed append */
    assert_false(sbuf_adds(&sb, "x"));       /* the overflow sticks */
    assert_false(sbuf_addf(&sb, "%d", 1));
    sbuf_release(&sb);

    sbuf_init(&sb, 4);
    assert_false(sbuf_addf(&sb, "%s", "12345"));
    assert_true(sb.overflow);
    sbuf_release(&sb);

    sbuf_init(&sb, 4);
    assert_false(csv_field(&sb, "a,bc")); /* "\"a,bc\"" is 6 bytes */
    sbuf_release(&sb);
}

/* Cap 0 means no cap. */
static void test_text_sbuf_uncapped_grows(void **state)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    for (int i = 0; i < 10000; i++)
        assert_true(sbuf_adds(&sb, "周南市"));
    assert_int_equal(sb.len, 90000);
    assert_false(sb.overflow);
    sbuf_release(&sb);
}

/* sbuf_addf formats; sbuf_detach hands over the string and empties the buffer. */
static void test_text_sbuf_addf_and_detach(void **state)
{
    struct sbuf sb;
    sbuf_init(&sb, 64);
    char *empty = sbuf_detach(&sb);
    assert_string_equal(empty, "");
    free(empty);
    assert_true(sbuf_addf(&sb, "項番%d（%s）", 15, "必須"));
    char *s = sbuf_detach(&sb);
    assert_string_equal(s, "項番15（必須）");
    free(s);
    assert_int_equal(sb.len, 0);
    assert_null(sb.buf);
    assert_int_equal(sb.cap, 64);
    assert_true(sbuf_adds(&sb, "x"));
    sbuf_release(&sb);
}

/* ---- text_to_cp932 ------------------------------------------------------------ */

static void check_cp932(const char *in, const char *expect, size_t nExpect)
{
    char *out = NULL;
    size_t nOut = 99, bad = 12345;
    assert_int_equal(text_to_cp932(in, strlen(in), &out, &nOut, &bad), XOK);
    assert_non_null(out);
    assert_int_equal(nOut, nExpect);
    assert_memory_equal(out, expect, nExpect);
    free(out);
}

/* CONTRACT 4: Japanese converts for Excel, ①〜⑫ and 髙 included (CP932 has them). */
static void test_text_to_cp932_converts_japanese(void **state)
{
    check_cp932("周南市", "\x8e\xfc\x93\xec\x8e\x73", 6);
    check_cp932("台帳番号,状態", "\x91\xe4\x92\xa0\x94\xd4\x8d\x86,\x8f\xf3\x91\xd4", 13);
    check_cp932("①", "\x87\x40", 2);
    check_cp932("⑫", "\x87\x4b", 2);
    check_cp932("髙", "\xfb\xfc", 2);
    check_cp932("ｶﾅ", "\xb6\xc5", 2);
    check_cp932("abc\r\n", "abc\r\n", 5);
    check_cp932("", "", 0);
}

/* CONTRACT 4: a character CP932 lacks is an error at its byte offset, never '?'. */
static void test_text_to_cp932_refuses_missing_character_with_offset(void **state)
{
    static const struct {
        const char *in;
        size_t offset;
    } cases[] = {
        {"🍣", 0},    {"寿司🍣", 6}, {"𠮷野家", 0}, {"abc𠮷", 3}, {"周南市\u00e9", 9}, /* é */
        {"한국", 0},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char *out = (char *)1;
        size_t nOut = 99, bad = 12345;
        enum xcode rc = text_to_cp932(cases[i].in, strlen(cases[i].in), &out, &nOut, &bad);
        if (rc != X_INVALID)
            fail_msg("\"%s\": code %d", cases[i].in, rc);
        assert_null(out);
        assert_int_equal(bad, cases[i].offset);
    }
}

/* The ledger search: a text contains a query exactly where the query's
 * bigram tokens stand in the text's as a consecutive run. */
static bool bigram_contains(const char *text, const char *query)
{
    struct sbuf t, q;
    sbuf_init(&t, 0);
    sbuf_init(&q, 0);
    text_bigrams(text, &t);
    size_t n = text_bigrams(query, &q);
    bool found = n > 0 && t.buf && strstr(t.buf, q.buf) != NULL;
    sbuf_release(&t);
    sbuf_release(&q);
    return found;
}

static void test_text_bigrams_find_japanese_substrings(void **state)
{
    (void)state;
    assert_true(bigram_contains("Microsoft Teams\x1fWeb会議\x1f庁外関係者とのWeb会議（チーム会議）",
                                "チーム"));
    assert_true(bigram_contains("DeepL 翻訳", "翻訳"));
    assert_true(bigram_contains("Microsoft Teams", "teams")); /* ASCII folded */
    assert_false(bigram_contains("DeepL 翻訳", "翻案"));
    assert_false(bigram_contains("チーム会議", "会チ"));
    struct sbuf sb;
    sbuf_init(&sb, 0);
    assert_int_equal(text_bigrams("翻", &sb), 0); /* one character: no bigram */
    assert_int_equal(text_bigrams("翻訳", &sb), 1);
    assert_string_equal(sb.buf, "x007ffb008a33");
    sbuf_release(&sb);
    /* Spelled as the indexes of existing databases hold them: space
     * between, six hex digits a character (one beyond the BMP too). */
    assert_int_equal(text_bigrams("A翻😀", &sb), 2);
    assert_string_equal(sb.buf, "x000061007ffb x007ffb01f600");
    sbuf_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_utf8_valid_accepts_well_formed),
        cmocka_unit_test(test_text_utf8_valid_refuses_overlongs),
        cmocka_unit_test(test_text_utf8_valid_refuses_surrogates),
        cmocka_unit_test(test_text_utf8_valid_refuses_beyond_10ffff),
        cmocka_unit_test(test_text_utf8_valid_refuses_truncated_sequences),
        cmocka_unit_test(test_text_utf8_valid_refuses_nul),
        cmocka_unit_test(test_text_is_blank_counts_ideographic_space),
        cmocka_unit_test(test_text_is_blank_refuses_text),
        cmocka_unit_test(test_text_utf8_chars_counts_code_points),
        cmocka_unit_test(test_text_contains_ignores_ascii_case),
        cmocka_unit_test(test_text_csv_field_plain),
        cmocka_unit_test(test_text_csv_field_quotes_special_characters),
        cmocka_unit_test(test_text_csv_field_appends),
        cmocka_unit_test(test_text_sbuf_cap),
        cmocka_unit_test(test_text_sbuf_uncapped_grows),
        cmocka_unit_test(test_text_json_string_escapes_and_replaces_bad_bytes),
        cmocka_unit_test(test_text_sbuf_addf_and_detach),
        cmocka_unit_test(test_text_to_cp932_converts_japanese),
        cmocka_unit_test(test_text_to_cp932_refuses_missing_character_with_offset),
        cmocka_unit_test(test_text_bigrams_find_japanese_substrings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
