/*
 * config.c - extsvc serve's settings: their defaults, the INI file
 * ([server], [session], [tls], [audit], [display]) and the checks before the server starts.
 */
#include <arpa/inet.h>
#include <ini.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../store/audit_key.h"
#include "web.h"

void web_config_defaults(struct web_config *c, const char *db_url)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    snprintf(c->db_url, sizeof c->db_url, "%s", db_url);
    /* Twice the cores: a worker waiting on a page read or holding a slow
     * search stalls every connection it owns (libmicrohttpd binds each
     * connection to one worker); at 256 connections with 2 workers some
     * waited over 10 s (bench/soak), with 4 none over 0.5 s. */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c->threads = ncpu > 0 ? (int)(ncpu * 2 > 16 ? 16 : ncpu * 2) : 2;
    c->max_connections = 256;
    c->max_per_address = 64;
    c->connection_timeout = 30;
    c->header_timeout = 10;
    c->idle_timeout = 30;
    c->body_min_rate = 1024;
    c->access_log_flush_ms = 1000;
    c->date_style = DATE_WAREKI;
    c->attach_max = ATTACH_MAX_DEFAULT;
    c->signin_threads = ncpu > 0 ? (int)ncpu : 1; /* one Argon2id per core */
    c->signin_queue = 4 * c->signin_threads;
    c->throttle = (struct throttle){.idle = 30 * 60,
                                    .absolute = 8 * 3600,
                                    .max_failures = 5,
                                    .window = 15 * 60,
                                    .lockout = 15 * 60};
}

static int config_entry(void *user, const char *section, const char *name, const char *value)
{
    struct web_config *c = user;
#define IS(s, n) (strcmp(section, s) == 0 && strcmp(name, n) == 0)
    if (IS("server", "listen"))
        snprintf(c->listen, sizeof c->listen, "%s", value);
    else if (IS("server", "database"))
        snprintf(c->db_url, sizeof c->db_url, "%s", value);
    else if (IS("server", "threads"))
        c->threads = atoi(value);
    else if (IS("server", "max_connections"))
        c->max_connections = atoi(value);
    else if (IS("server", "connection_timeout"))
        c->connection_timeout = atoi(value);
    else if (IS("server", "header_timeout"))
        c->header_timeout = atoi(value);
    else if (IS("server", "idle_timeout"))
        c->idle_timeout = atoi(value);
    else if (IS("server", "access_log_flush_ms"))
        c->access_log_flush_ms = atoi(value);
    else if (IS("server", "body_min_rate"))
        c->body_min_rate = atoi(value);
    else if (IS("server", "query_threads"))
        c->query_threads = atoi(value);
    else if (IS("server", "signin_threads"))
        c->signin_threads = atoi(value);
    else if (IS("server", "signin_queue"))
        c->signin_queue = atoi(value);
    else if (IS("server", "max_connections_per_address"))
        c->max_per_address = atoi(value);
    else if (IS("server", "trusted_proxy"))
        snprintf(c->trusted_proxies, sizeof c->trusted_proxies, "%s", value);
    else if (IS("display", "dates")) {
        if (!date_style_parse(value, &c->date_style)) {
            fprintf(stderr,
                    "extsvc: 設定ファイル: [display] dates は wareki（和暦）、seireki（西暦）、"
                    "iso のいずれかです（\"%s\"）\n",
                    value);
            return 0;
        }
    } else if (IS("attachments", "max_mib")) {
        c->attach_max = (size_t)atoll(value) << 20;
        if (atoll(value) < 1 || atoll(value) > 256) {
            fprintf(stderr, "extsvc: 設定ファイル: [attachments] max_mib は 1〜256 です\n");
            return 0;
        }
    } else if (IS("print", "boxes")) {
        snprintf(c->pdf_boxes, sizeof c->pdf_boxes, "%s", value);
    } else if (IS("audit", "key_file"))
        audit_key_configure(value); /* read by the store when it opens the database */
    else if (IS("session", "idle_minutes"))
        c->throttle.idle = atoll(value) * 60;
    else if (IS("session", "absolute_hours"))
        c->throttle.absolute = atoll(value) * 3600;
    else if (IS("session", "max_failures"))
        c->throttle.max_failures = atoll(value);
    else if (IS("session", "lockout_minutes"))
        c->throttle.lockout = atoll(value) * 60;
    else if (IS("tls", "certificate"))
        snprintf(c->tls_cert, sizeof c->tls_cert, "%s", value);
    else if (IS("tls", "key"))
        snprintf(c->tls_key, sizeof c->tls_key, "%s", value);
    else if (IS("tls", "behind_proxy"))
        c->behind_proxy =
            strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0;
    else {
        fprintf(stderr, "extsvc: 設定ファイル: [%s] %s は未知の設定です\n", section, name);
        return 0;
    }
#undef IS
    return 1;
}

static bool parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || !colon[1])
        return false;
    int port = atoi(colon + 1);
    if (port <= 0 || port > 65535)
        return false;
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (host[n - 1] != ']')
            return false;
        host[n - 1] = '\0';
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *len = sizeof *s6;
        return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    *len = sizeof *s4;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    return inet_pton(AF_INET, host, &s4->sin_addr) == 1;
}

bool web_config_read(struct web_config *c, const char *path)
{
    int line = ini_parse(path, config_entry, c);
    if (line < 0)
        fprintf(stderr, "extsvc: 設定ファイル '%s' を読めません\n", path);
    else if (line > 0)
        fprintf(stderr, "extsvc: 設定ファイル '%s' の %d 行目が不正です\n", path, line);
    return line == 0;
}

bool web_config_check(const struct web_config *c, struct sockaddr_storage *ss, socklen_t *sslen)
{
    if (c->threads < 1 || c->threads > 64) {
        fprintf(stderr, "extsvc: serve: スレッド数は 1〜64 です\n");
        return false;
    }
    if (c->query_threads < 0 || c->query_threads > 64) {
        fprintf(stderr, "extsvc: serve: query_threads は 1〜64 です\n");
        return false;
    }
    if (c->signin_threads < 1 || c->signin_threads > 64 || c->signin_queue < 0 ||
        c->signin_queue > 10000) {
        fprintf(stderr, "extsvc: serve: signin_threads は 1〜64、signin_queue は 0〜10000 です\n");
        return false;
    }
    if (c->max_connections < 1 || c->max_connections > 100000) {
        fprintf(stderr, "extsvc: serve: max_connections は 1〜100000 です\n");
        return false;
    }
    if (c->connection_timeout < 1 || c->connection_timeout > 86400 || c->header_timeout < 0 ||
        c->header_timeout > 3600 || c->idle_timeout < 0 || c->idle_timeout > 86400 ||
        c->body_min_rate < 0) {
        fprintf(stderr, "extsvc: serve: connection_timeout は 1〜86400 秒、header_timeout は "
                        "0〜3600 秒、idle_timeout は 0〜86400 秒、body_min_rate は 0 以上"
                        "（0 は制限なし）です\n");
        return false;
    }
    if (c->access_log_flush_ms < 0 || c->access_log_flush_ms > 60000) {
        fprintf(stderr, "extsvc: serve: access_log_flush_ms は 0（1行ずつ書く）〜60000 です\n");
        return false;
    }
    if (c->max_per_address < 0 || c->max_per_address > 100000) {
        fprintf(stderr,
                "extsvc: serve: max_connections_per_address は 0（制限なし）〜100000 です\n");
        return false;
    }
    if (!parse_listen(c->listen, ss, sslen)) {
        fprintf(stderr, "extsvc: serve: 待ち受けアドレス '%s' が不正です（例 127.0.0.1:8080）\n",
                c->listen);
        return false;
    }
    return true;
}

int web_query_threads(const struct web_config *c)
{
    if (c->query_threads > 0)
        return c->query_threads;
    /* One query at a time per core: more only share the CPU out in slices.
     * On PostgreSQL each waits on the network for every statement: twice. */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int n = ncpu > 0 ? (int)(ncpu > 16 ? 16 : ncpu) : 1;
    return strncmp(c->db_url, "postgres", 8) == 0 ? 2 * n : n;
}
