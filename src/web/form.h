/*
 * form.h - decoding application/x-www-form-urlencoded bodies and query
 * strings into name/value pairs (UTF-8 checked).
 */
#ifndef EXTSVC_WEB_FORM_H
#define EXTSVC_WEB_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "pool.h"

#define FORM_MAX_FIELDS 2000

struct form_field {
    const char *name, *value;
};

struct form {
    struct form_field *fields;
    size_t n;
};

/* Decode `n` bytes; strings are allocated from the pool. Returns false for
 * bad percent-escapes, invalid UTF-8, a NUL byte, or more than
 * FORM_MAX_FIELDS fields. */
bool form_decode(struct pool *p, const char *data, size_t n, struct form *out);

/* The first value of `name`, or NULL. */
const char *form_get(const struct form *f, const char *name);

#endif
