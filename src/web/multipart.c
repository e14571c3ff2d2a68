/*
 * multipart.c - form data with a file; see multipart.h.
 */
#include "multipart.h"

#include <microhttpd.h>
#include <string.h>

#define MAX_FIELDS 8

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind, (void)content_type, (void)transfer_encoding, (void)off;
    struct upload *u = cls;
    /* A part without a name (its Content-Disposition unreadable): libmicrohttpd
     * passes NULL. Found by fuzz_multipart. */
    if (!key)
        return MHD_YES;
    if (strcmp(key, "file") == 0) {
        if (filename && !u->name)
            u->name = pool_strdup(u->pool, filename);
        if (size && !sbuf_add(&u->file, data, size))
            u->bad = true;
        return MHD_YES;
    }
    /* The other fields are short: each arrives in one piece or a few. */
    for (size_t i = 0; i < u->fields.n; i++)
        if (strcmp(u->fields.fields[i].name, key) == 0) {
            u->fields.fields[i].value =
                pool_printf(u->pool, "%s%.*s", u->fields.fields[i].value, (int)size, data);
            return MHD_YES;
        }
    if (u->fields.n >= MAX_FIELDS)
        return MHD_YES;
    u->fields.fields[u->fields.n++] = (struct form_field){
        pool_strdup(u->pool, key), pool_printf(u->pool, "%.*s", (int)size, data)};
    return MHD_YES;
}

bool multipart_decode(struct request *r, size_t cap, struct upload *u)
{
    memset(u, 0, sizeof *u);
    u->pool = r->pool;
    sbuf_init(&u->file, cap);
    u->fields.fields = pool_alloc(r->pool, MAX_FIELDS * sizeof *u->fields.fields);
    struct MHD_PostProcessor *pp =
        u->fields.fields ? MHD_create_post_processor(r->conn, 64 * 1024, on_part, u) : NULL;
    if (!pp) {
        upload_release(u);
        return false;
    }
    enum MHD_Result ok = MHD_post_process(pp, r->body ? r->body : "", r->nBody);
    MHD_destroy_post_processor(pp);
    if (ok != MHD_YES) {
        upload_release(u);
        return false;
    }
    return true;
}

void upload_release(struct upload *u)
{
    sbuf_release(&u->file);
}
