/*
 * fuzz_form.c - libFuzzer driver: the form/query decoder takes any bytes;
 * what it accepts is valid UTF-8, and a decoded form turns into a request
 * document without crashing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "web/form.h"
#include "web/formdoc.h"
#include "web/pool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pool *p = pool_new();
    struct form f;
    if (form_decode(p, (const char *)data, size, &f)) {
        for (size_t i = 0; i < f.n; i++)
            if (!utf8_valid(f.fields[i].name, strlen(f.fields[i].name)) ||
                !utf8_valid(f.fields[i].value, strlen(f.fields[i].value)))
                abort();
        json_t *doc = formdoc_to_document(&f);
        json_decref(doc);
    }
    pool_free(p);
    return 0;
}
