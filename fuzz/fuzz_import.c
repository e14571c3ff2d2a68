/*
 * fuzz_import.c - libFuzzer driver for the old-ledger import's parsers:
 * csv_read() (encoding detection, CP932, libcsv, the row and cell limits;
 * core/csv_read.c) and import_header() / import_row() (header names, the
 * period and classification forms, formula cells; core/ledger_import.c),
 * against the bundled catalogue.
 *
 * The input is the file. What must hold besides no crash, leak or
 * sanitizer report:
 *   - every cell handed to a record is valid UTF-8 without a NUL, and no
 *     record has more than CSV_MAX_COLUMNS cells or a cell over
 *     CSV_MAX_CELL_BYTES;
 *   - csv_read() says X_INVALID exactly when it reported an issue, and every
 *     issue's message is valid UTF-8 with a row of at least 1;
 *   - a row import_row() accepts is a request document the program
 *     accepts (document_parse()) with a real period (from <= to, both real
 *     ISO days) and the three levels of the catalogue.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv_read.h"
#include "core/date.h"
#include "core/document.h"
#include "core/ledger_import.h"
#include "core/text.h"
#include "workflow/workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_import: check failed at line %d: %s\n", __LINE__, #cond);        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static struct catalogue g_cat;
static bool g_have_cat;

struct state {
    struct import_map map;
    bool have_header, header_ok;
    json_t *issues;
};

static void check_doc(json_t *doc)
{
    struct document d;
    struct xerr e = {0};
    CHECK(document_parse(doc, &g_cat, &d, &e) == XOK);
    struct xdate a, b;
    CHECK(d.period_from && date_parse(d.period_from, &a));
    CHECK(d.period_to && date_parse(d.period_to, &b));
    CHECK(date_cmp(a, b) <= 0);
    json_t *cls = json_object_get(doc, "classification");
    static const char *const axes[] = {"confidentiality", "integrity", "availability"};
    for (int i = 0; i < 3; i++)
        CHECK(catalogue_level(&g_cat, (enum axis)i,
                              json_string_value(json_object_get(cls, axes[i]))) != NULL);
    document_release(&d);
}

static bool on_record(char **cells, size_t n, long row, void *arg)
{
    struct state *s = arg;
    CHECK(n <= CSV_MAX_COLUMNS);
    CHECK(row >= 1);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(cells[i]);
        CHECK(len <= CSV_MAX_CELL_BYTES);
        CHECK(utf8_valid(cells[i], len));
    }
    if (!s->have_header) {
        s->have_header = true;
        s->header_ok = import_header(cells, n, &s->map, s->issues);
        return s->header_ok;
    }
    bool blank;
    json_t *doc = import_row(&s->map, cells, n, row, &g_cat, &blank, s->issues);
    if (doc) {
        CHECK(!blank);
        check_doc(doc);
        json_decref(doc);
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_have_cat) {
        struct xerr e = {0};
        if (wf_catalogue_bundled(&g_cat, &e))
            abort();
        g_have_cat = true;
    }
    struct state s = {.issues = json_array()};
    for (int enc = CSV_ENC_AUTO; enc <= CSV_ENC_CP932; enc++) {
        enum csv_encoding used;
        size_t before = json_array_size(s.issues);
        enum xcode rc = csv_read((const char *)data, size, (enum csv_encoding)enc, &used, on_record,
                                 &s, s.issues);
        bool reported = json_array_size(s.issues) > before;
        /* A header refused stops reading after its issues: still X_INVALID. */
        CHECK((rc == X_INVALID) == reported);
        size_t i;
        json_t *is;
        json_array_foreach(s.issues, i, is)
        {
            const char *msg = json_string_value(json_object_get(is, "message"));
            CHECK(msg && utf8_valid(msg, strlen(msg)));
            CHECK(json_integer_value(json_object_get(is, "line")) >= 1);
        }
        import_map_release(&s.map);
        s.have_header = s.header_ok = false;
    }
    json_decref(s.issues);
    return 0;
}
