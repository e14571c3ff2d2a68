/*
 * fuzz_document.c - libFuzzer driver: the request-document parser and the
 * evaluation behind it must take any bytes without crashing, leaking or
 * tripping a sanitizer, and an accepted document must evaluate.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/catalogue.h"
#include "core/document.h"
#include "core/evaluate.h"
#include "embedded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct catalogue cat;
    static int loaded;
    struct xerr e = {0};
    if (!loaded) {
        const struct embedded_file *f = embedded_find("catalogue/shunan-2023.json");
        if (!f || catalogue_parse_text(f->data, f->size, &cat, &e))
            abort();
        loaded = 1;
    }
    struct document doc;
    if (document_parse_text((const char *)data, size, &cat, &doc, &e) == XOK) {
        struct evaluation ev;
        if (evaluate(&doc, &cat, &ev, &e) != XOK)
            abort();
        json_t *j = evaluation_to_json(&ev);
        if (!j)
            abort();
        json_decref(j);
        evaluation_release(&ev);
        document_release(&doc);
    }
    return 0;
}
