/*
 * server.c - the web application. Not built yet: see the issue "Web
 * application"; until then `serve` says so and exits 2.
 */
#include <stdio.h>

#include "server.h"

int web_serve_main(const char *usage, const char *db_url, int argc, char **argv)
{
    (void)usage;
    (void)db_url;
    (void)argc;
    (void)argv;
    fprintf(stderr, "extsvc: serve はまだ実装されていません（Web アプリケーションは開発中です）\n");
    return 2;
}
