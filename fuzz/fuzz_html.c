/*
 * fuzz_html.c - libFuzzer driver: html_escape() output never contains a
 * raw < > " ' or an & that does not start one of its own entities, whatever
 * the input; so it is safe in text and in quoted attributes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "web/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct sbuf sb;
    sbuf_init(&sb, 0);
    html_escape(&sb, s);
    static const char *const entities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    for (size_t i = 0; i < sb.len; i++) {
        char c = sb.buf[i];
        if (c == '<' || c == '>' || c == '"' || c == '\'')
            abort();
        if (c == '&') {
            int ok = 0;
            for (size_t k = 0; k < 5; k++)
                ok |= strncmp(sb.buf + i, entities[k], strlen(entities[k])) == 0;
            if (!ok)
                abort();
        }
    }
    /* Escaping is exactly reversible: unescaping gives the input back. */
    size_t j = 0;
    for (size_t i = 0; i < sb.len; j++) {
        char c = sb.buf[i];
        size_t step = 1;
        if (c == '&') {
            static const char rep[] = {'&', '<', '>', '"', '\''};
            for (size_t k = 0; k < 5; k++)
                if (strncmp(sb.buf + i, entities[k], strlen(entities[k])) == 0) {
                    c = rep[k];
                    step = strlen(entities[k]);
                }
        }
        if (j >= size || s[j] != c)
            abort();
        i += step;
    }
    if (j != strlen(s))
        abort();
    sbuf_release(&sb);
    free(s);
    return 0;
}
