/*
 * multipart.h - a multipart/form-data body (a file upload from a page or
 * the API), decoded by libmicrohttpd's post processor: the one file part
 * named "file", with its name, and the short fields beside it.
 */
#ifndef EXTSVC_MULTIPART_H
#define EXTSVC_MULTIPART_H

#include <stdbool.h>

#include "web.h"

struct upload {
    struct sbuf file;   /* the part named "file" */
    const char *name;   /* its file name, as the client gave it (or NULL) */
    struct form fields; /* the other parts (at most 8), from r->pool */
    struct pool *pool;
    bool bad; /* the file was over the cap, or memory ran out */
};

/* Decode r's body; the file may be at most `cap` bytes. False where the
 * body is not form data that decodes (u is released then). */
bool multipart_decode(struct request *r, size_t cap, struct upload *u);
void upload_release(struct upload *u);

#endif
