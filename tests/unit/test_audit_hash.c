/*
 * test_audit_hash.c - the bytes an audit record's hash covers never change:
 * audit_canonical writes the record array itself, and every chain already
 * written verifies only if that is exactly what jansson wrote
 * (JSON_COMPACT | JSON_ENSURE_ASCII). Each case compares the two on one
 * kind of character; the last on many random strings.
 */
#include "unit_util.h"

#include <sodium.h>

#include "store/audit.h"

/* Both writers on one record; fails naming the first differing byte. */
static void assert_same_bytes(long long seq, const char *before, const char *after)
{
    const char *at = "2026-12-04T05:00:00Z", *prev = "00ff";
    char *got = audit_canonical(seq, at, "somu", "ledger.import", "ledger:1", before, after, prev);
    char *want = audit_canonical_reference(seq, at, "somu", "ledger.import", "ledger:1", before,
                                           after, prev);
    assert_non_null(want);
    assert_non_null(got);
    if (strcmp(got, want) != 0) {
        size_t i = 0;
        while (got[i] && got[i] == want[i])
            i++;
        char msg[400];
        snprintf(msg, sizeof msg, "differ at byte %zu: ours \"%.40s\", jansson's \"%.40s\"", i,
                 got + i, want + i);
        free(got);
        free(want);
        fail_msg("%s", msg);
    }
    free(got);
    free(want);
}

static void test_ascii_and_json_text_as_jansson_writes_them(void **state)
{
    (void)state;
    assert_same_bytes(1, NULL, "{\"id\":1,\"purpose\":\"a \\\"quoted\\\" \\\\ text / 100%\"}");
    assert_same_bytes(0, "", "");
    assert_same_bytes(-7, "plain", NULL);
    assert_same_bytes(9223372036854775807LL, "x", "y");
}

/* Every control character, DEL and the slash (jansson leaves DEL and / as they are). */
static void test_control_characters_as_jansson_escapes_them(void **state)
{
    (void)state;
    char s[0x21 + 3];
    size_t n = 0;
    for (int c = 1; c < 0x20; c++)
        s[n++] = (char)c;
    s[n++] = 0x7F;
    s[n++] = '/';
    s[n++] = '"';
    s[n] = '\0';
    assert_same_bytes(2, s, "\\\"\b\f\n\r\t");
}

/* Japanese, the BMP's edges and characters beyond it (surrogate pairs). */
static void test_non_ascii_as_jansson_escapes_it(void **state)
{
    (void)state;
    assert_same_bytes(3, "旧台帳 ledger.csv 12 行目（台帳番号 A-1）",
                      "株式会社プロバイダ「①」ｶﾀｶﾅ　全角");
    assert_same_bytes(4, "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", "\xed\x9f\xbf\xee\x80\x80");
    assert_same_bytes(5, "😀 𠮷野家", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
}

/* Not UTF-8: jansson refuses such a record, and so does audit_canonical. */
static void test_invalid_utf8_refused_like_jansson(void **state)
{
    (void)state;
    const char *bad[] = {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe3\x81", "\xf4\x90\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *ref = audit_canonical_reference(1, "t", "a", "b", "c", NULL, bad[i], "p");
        char *got = audit_canonical(1, "t", "a", "b", "c", NULL, bad[i], "p");
        assert_null(ref);
        assert_null(got);
    }
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Random strings of code points from every range, 3,000 records. */
static void test_random_text_same_bytes(void **state)
{
    (void)state;
    uint32_t x = 12345;
    char s[4 * 64 + 1];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0;
        int len = (int)(x % 64);
        for (int i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            uint32_t cp;
            switch (x >> 28 & 3) {
            case 0:
                cp = 1 + (x >> 8) % 0x7F;
                break;
            case 1:
                cp = 0x80 + (x >> 4) % (0xD800 - 0x80);
                break;
            case 2:
                cp = 0xE000 + (x >> 8) % (0x10000 - 0xE000);
                break;
            default:
                cp = 0x10000 + (x >> 4) % (0x110000 - 0x10000);
                break;
            }
            n += put_utf8(s + n, cp);
        }
        s[n] = '\0';
        assert_same_bytes(round, round % 2 ? s : NULL, s);
    }
}

/* The hash is the HMAC (keyed) or SHA-256 (before the keyed segment) of those bytes. */
static void test_hash_covers_the_canonical_bytes(void **state)
{
    (void)state;
    unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
    memset(key, 7, sizeof key);
    char *text = audit_canonical_reference(8, "t", "somu", "request.create", "request:1", NULL,
                                           "{\"x\":\"機密性2\"}", "ab");
    unsigned char h[crypto_hash_sha256_BYTES];
    char want[65], got[65];
    crypto_auth_hmacsha256(h, (const unsigned char *)text, strlen(text), key);
    sodium_bin2hex(want, sizeof want, h, sizeof h);
    audit_hash(key, 8, "t", "somu", "request.create", "request:1", NULL, "{\"x\":\"機密性2\"}",
               "ab", got);
    assert_string_equal(got, want);
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(want, sizeof want, h, sizeof h);
    audit_hash(NULL, 8, "t", "somu", "request.create", "request:1", NULL, "{\"x\":\"機密性2\"}",
               "ab", got);
    assert_string_equal(got, want);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_and_json_text_as_jansson_writes_them),
        cmocka_unit_test(test_control_characters_as_jansson_escapes_them),
        cmocka_unit_test(test_non_ascii_as_jansson_escapes_it),
        cmocka_unit_test(test_invalid_utf8_refused_like_jansson),
        cmocka_unit_test(test_random_text_same_bytes),
        cmocka_unit_test(test_hash_covers_the_canonical_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
