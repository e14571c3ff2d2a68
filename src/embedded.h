/*
 * embedded.h - files built into the binary (tools/embed.py): the bundled
 * catalogue, the migrations, and the web application's templates and
 * static files.
 */
#ifndef EXTSVC_EMBEDDED_H
#define EXTSVC_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* "catalogue/shunan-2023.json" */
    const char *data; /* NUL-terminated */
    size_t size;
};

extern const struct embedded_file embedded_files[]; /* ends with {NULL} */

/* The file called `name`, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
