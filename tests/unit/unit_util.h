/*
 * unit_util.h - helpers shared by the unit tests: read a file with stdio,
 * load the bundled and the test catalogues, load a request document from
 * tests/data/docs/ and change one member of it by its JSON path.
 *
 * Every test runs with the working directory at the repository root
 * (tests/unit/meson.build sets workdir), so paths here are relative to it.
 * Functions are static inline so that each test file takes what it uses.
 */
#ifndef EXTSVC_UNIT_UTIL_H
#define EXTSVC_UNIT_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "core/document.h"
#include "core/err.h"

#define BUNDLED_CATALOGUE   "data/catalogue/shunan-2023.json"
#define TEST_CATALOGUE_2024 "tests/data/catalogue-2024.json"
#define DOCS_DIR            "tests/data/docs/"

/* For a test file whose rules are checked against the bundled catalogue
 * (cat2023) and the 2024 test catalogue (cat2024): the two, and the group
 * setup and teardown that load and release them (load_catalogues,
 * release_catalogues). */
#define UT_TWO_CATALOGUES                                                                          \
    static struct catalogue cat2023, cat2024;                                                      \
    static int load_catalogues(void **state)                                                       \
    {                                                                                              \
        (void)state;                                                                               \
        ut_load_catalogue(BUNDLED_CATALOGUE, &cat2023);                                            \
        ut_load_catalogue(TEST_CATALOGUE_2024, &cat2024);                                          \
        return 0;                                                                                  \
    }                                                                                              \
    static int release_catalogues(void **state)                                                    \
    {                                                                                              \
        (void)state;                                                                               \
        catalogue_release(&cat2023);                                                               \
        catalogue_release(&cat2024);                                                               \
        return 0;                                                                                  \
    }

/* Read a whole file; the caller frees the NUL-terminated result, of *pn
 * bytes. Fails the test where the file cannot be read. */
static inline char *ut_read_file(const char *zPath, size_t *pn)
{
    FILE *f = fopen(zPath, "rb");
    if (!f)
        fail_msg("cannot open '%s'", zPath);
    size_t alloc = 4096, n = 0;
    char *buf = malloc(alloc);
    assert_non_null(buf);
    for (;;) {
        if (n + 1 >= alloc) {
            alloc *= 2;
            buf = realloc(buf, alloc);
            assert_non_null(buf);
        }
        size_t got = fread(buf + n, 1, alloc - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    assert_false(ferror(f));
    fclose(f);
    buf[n] = '\0';
    if (pn)
        *pn = n;
    return buf;
}

/* Parse the catalogue file at zPath into *cat; fails the test if it is refused. */
static inline void ut_load_catalogue(const char *zPath, struct catalogue *cat)
{
    size_t n;
    char *zText = ut_read_file(zPath, &n);
    struct xerr e;
    xerr_clear(&e);
    enum xcode rc = catalogue_parse_text(zText, n, cat, &e);
    free(zText);
    if (rc != XOK)
        fail_msg("catalogue '%s' refused: %s", zPath, e.msg);
}

/* A JSON file as a new reference. */
static inline json_t *ut_load_json(const char *zPath)
{
    json_error_t jerr;
    json_t *j = json_load_file(zPath, JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        fail_msg("cannot load '%s': %s", zPath, jerr.text);
    return j;
}

/* tests/data/docs/<name> as a new reference. */
static inline json_t *ut_load_doc(const char *zName)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s", DOCS_DIR, zName);
    return ut_load_json(path);
}

/* Set the member at a dotted path ("service.name", "requirements.17.reason")
 * to `value` (stolen; NULL deletes the member). Missing intermediate objects
 * are created. */
static inline void ut_set(json_t *doc, const char *zPath, json_t *value)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", zPath);
    json_t *obj = doc;
    char *key = buf;
    for (char *dot = strchr(key, '.'); dot; dot = strchr(key, '.')) {
        *dot = '\0';
        json_t *next = json_object_get(obj, key);
        if (!json_is_object(next)) {
            next = json_object();
            json_object_set_new(obj, key, next);
        }
        obj = next;
        key = dot + 1;
    }
    if (value)
        json_object_set_new(obj, key, value);
    else
        json_object_del(obj, key);
}

/* Set a member to a string. */
static inline void ut_set_str(json_t *doc, const char *zPath, const char *zValue)
{
    ut_set(doc, zPath, json_string(zValue));
}

/* Set a member to the JSON value written in zJson ("42", "[]", "\"x\""). */
static inline void ut_set_json(json_t *doc, const char *zPath, const char *zJson)
{
    json_error_t jerr;
    json_t *v = json_loads(zJson, JSON_DECODE_ANY, &jerr);
    if (!v)
        fail_msg("bad JSON in test: %s", zJson);
    ut_set(doc, zPath, v);
}

/* Assert that `hay` contains `needle`, saying which where it does not. */
#define ut_assert_contains(hay, needle)                                                            \
    do {                                                                                           \
        const char *hay_ = (hay), *needle_ = (needle);                                             \
        if (!hay_ || !strstr(hay_, needle_))                                                       \
            fail_msg("expected \"%s\" in \"%s\"", needle_, hay_ ? hay_ : "(null)");                \
    } while (0)

#endif
