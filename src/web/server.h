/*
 * server.h - the web application (extsvc serve).
 */
#ifndef EXTSVC_WEB_SERVER_H
#define EXTSVC_WEB_SERVER_H

/* Run `extsvc serve` with its arguments; returns the exit status. */
int web_serve_main(const char *usage, const char *db_url, int argc, char **argv);

#endif
