/*
 * fold.c - NFKC_Casefold through utf8proc; see fold.h.
 */
#include "fold.h"

#include <utf8proc.h>

char *text_fold(const char *s)
{
    if (!s)
        return NULL;
    utf8proc_uint8_t *out = NULL;
    /* The flags of utf8proc_NFKC_Casefold, spelled out so that the choice
     * is visible here: compatibility decomposition, canonical composition,
     * full case folding, default ignorables dropped. */
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                          UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    if (n < 0)
        return NULL; /* utf8proc frees its buffer on failure */
    return (char *)out;
}
