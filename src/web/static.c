/*
 * static.c - the stylesheet and script, built into the binary.
 */
#include <string.h>

#include "../embedded.h"
#include "web.h"

bool static_handle(struct request *r)
{
    static const struct {
        const char *path, *name, *ctype;
    } files[] = {{"/static/style.css", "static/style.css", "text/css; charset=utf-8"},
                 {"/static/app.js", "static/app.js", "text/javascript; charset=utf-8"}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (strcmp(r->path, files[i].path) != 0)
            continue;
        const struct embedded_file *f = embedded_find(files[i].name);
        if (!f)
            return false;
        sbuf_add(&r->out, f->data, f->size);
        r->ctype = files[i].ctype;
        r->cache = "public, max-age=3600";
        r->status = 200;
        return true;
    }
    return false;
}
