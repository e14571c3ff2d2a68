/*
 * fuzz_form.c - libFuzzer driver: the form/query decoder takes any bytes;
 * what it accepts is valid UTF-8, and a decoded form turns into a request
 * document without crashing. What url_encode() (web/html.c, the links the
 * pages build) writes is only unreserved characters and %XX, and decoding
 * the form written back with it gives the same fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "web/form.h"
#include "web/formdoc.h"
#include "web/html.h"
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

        struct sbuf enc;
        sbuf_init(&enc, 0);
        for (size_t i = 0; i < f.n; i++) {
            if (i)
                sbuf_add(&enc, "&", 1);
            url_encode(&enc, f.fields[i].name);
            sbuf_add(&enc, "=", 1);
            url_encode(&enc, f.fields[i].value);
        }
        if (enc.overflow)
            abort();
        for (size_t i = 0; i < enc.len; i++)
            if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%&=",
                        enc.buf[i]))
                abort();
        struct form g;
        if (!form_decode(p, enc.buf ? enc.buf : "", enc.len, &g) || g.n != f.n)
            abort();
        for (size_t i = 0; i < f.n; i++)
            if (strcmp(g.fields[i].name, f.fields[i].name) != 0 ||
                strcmp(g.fields[i].value, f.fields[i].value) != 0)
                abort();
        sbuf_release(&enc);
    }
    pool_free(p);
    return 0;
}
