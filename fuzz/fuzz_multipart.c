/*
 * fuzz_multipart.c - libFuzzer driver for file uploads (web/multipart.c):
 * a multipart/form-data body decoded by libmicrohttpd's post processor into
 * the file part, its name and the short fields beside it.
 *
 * The post processor reads the boundary from the connection's Content-Type
 * header, so it needs a real connection: one libmicrohttpd daemon (no
 * listening socket, run by this driver with MHD_run) is handed one end of a
 * socketpair per input (MHD_add_connection), and the driver writes a POST
 * on the other end and reads the answer. The handler gathers the body and
 * calls multipart_decode() as the server does, with a small cap so that
 * the over-the-cap path is reached too.
 *
 * Input: byte 0 chooses how the Content-Type names the boundary (bit 0
 * quoted, bit 1 a charset parameter before it, bit 2 upper-case
 * MULTIPART/FORM-DATA); then the boundary up to the first '\n' (CR, LF and
 * NUL left out: a header cannot hold them); the rest is the body, sent
 * with its Content-Length.
 *
 * Checked for every body (a sanitizer report is a crash too):
 *   - the handler is reached and answers: every body gets a response;
 *   - where the decoding succeeds: the file holds at most the cap, and
 *     "bad" is set exactly when the file part went past the cap (the
 *     buffer's overflow); at most 8 fields, each a name and a value that
 *     are strings; the file's name, where given, is a string;
 *   - decoding the same body twice gives the same file and fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "web/multipart.h"
#include "web/pool.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_multipart: check failed at line %d: %s\n", __LINE__, #cond);     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define FILE_CAP 2048          /* the file part's cap: small, so that it is passed */
#define BODY_MAX (256u << 10) /* inputs past this are cut */

static struct MHD_Daemon *daemon_;
static bool handled; /* the handler decoded the last input's body */

/* One decoding, kept to compare with the second. */
struct decoded {
    bool ok, bad;
    struct sbuf file;
    char *name;
    size_t n;
    char *fields[8][2];
};

static void decode(struct request *r, struct decoded *d)
{
    struct upload u;
    memset(d, 0, sizeof *d);
    d->ok = multipart_decode(r, FILE_CAP, &u);
    if (!d->ok)
        return;
    CHECK(u.file.len <= FILE_CAP);
    CHECK(u.bad == u.file.overflow);
    CHECK(u.fields.n <= 8);
    d->bad = u.bad;
    d->file = u.file; /* taken: not released here */
    d->name = u.name ? strdup(u.name) : NULL;
    d->n = u.fields.n;
    for (size_t i = 0; i < u.fields.n; i++) {
        CHECK(u.fields.fields[i].name && u.fields.fields[i].value);
        d->fields[i][0] = strdup(u.fields.fields[i].name);
        d->fields[i][1] = strdup(u.fields.fields[i].value);
    }
}

static void decoded_release(struct decoded *d)
{
    sbuf_release(&d->file);
    free(d->name);
    for (size_t i = 0; i < d->n; i++) {
        free(d->fields[i][0]);
        free(d->fields[i][1]);
    }
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **ctx)
{
    (void)cls, (void)url, (void)method, (void)version;
    struct sbuf *body = *ctx;
    if (!body) {
        body = calloc(1, sizeof *body);
        CHECK(body);
        sbuf_init(body, BODY_MAX + 1);
        *ctx = body;
        return MHD_YES;
    }
    if (*upload_size) {
        CHECK(sbuf_add(body, upload_data, *upload_size));
        *upload_size = 0;
        return MHD_YES;
    }
    struct request r;
    memset(&r, 0, sizeof r);
    r.pool = pool_new();
    CHECK(r.pool);
    r.conn = conn;
    r.body = body->buf ? body->buf : "";
    r.nBody = body->len;
    struct decoded a, b;
    decode(&r, &a);
    decode(&r, &b);
    CHECK(a.ok == b.ok && a.bad == b.bad && a.n == b.n && same_text(a.name, b.name));
    CHECK(a.file.len == b.file.len && (!a.file.len || !memcmp(a.file.buf, b.file.buf, a.file.len)));
    for (size_t i = 0; i < a.n; i++)
        CHECK(!strcmp(a.fields[i][0], b.fields[i][0]) && !strcmp(a.fields[i][1], b.fields[i][1]));
    decoded_release(&a);
    decoded_release(&b);
    pool_free(r.pool);
    handled = true;
    static const char ok[] = "ok";
    struct MHD_Response *res =
        MHD_create_response_from_buffer(sizeof ok - 1, (void *)ok, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result q = MHD_queue_response(conn, 200, res);
    MHD_destroy_response(res);
    return q;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    struct sbuf *body = *ctx;
    if (body) {
        sbuf_release(body);
        free(body);
        *ctx = NULL;
    }
}

static void start(void)
{
    daemon_ = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, NULL,
                               MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                               MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64u << 10),
                               MHD_OPTION_END);
    CHECK(daemon_);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!daemon_)
        start();
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    data++, size--;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t blen = nl ? (size_t)(nl - data) : size;
    char boundary[128];
    size_t nb = 0;
    for (size_t i = 0; i < blen && nb < sizeof boundary - 1; i++)
        if (data[i] != '\r' && data[i] != '\0' && data[i] != '"')
            boundary[nb++] = (char)data[i];
    boundary[nb] = '\0';
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t nBody = (size_t)(data + size - body);
    if (nBody > BODY_MAX)
        nBody = BODY_MAX;

    char head[512];
    int nh = snprintf(head, sizeof head,
                      "POST /upload HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
                      "Content-Type: %s;%s boundary=%s%s%s\r\nContent-Length: %zu\r\n\r\n",
                      flags & 4 ? "MULTIPART/FORM-DATA" : "multipart/form-data",
                      flags & 2 ? " charset=utf-8;" : "", flags & 1 ? "\"" : "", boundary,
                      flags & 1 ? "\"" : "", nBody);
    CHECK(nh > 0 && (size_t)nh < sizeof head);

    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr = {htonl(INADDR_LOOPBACK)}};
    CHECK(MHD_add_connection(daemon_, sv[0], (struct sockaddr *)&addr, sizeof addr) == MHD_YES);
    handled = false;

    /* Send the head and body as the server takes them, and read the answer
     * until the server closes its end. */
    size_t sent = 0, total = (size_t)nh + nBody;
    char answer[4096];
    size_t got = 0;
    bool closed = false;
    for (int round = 0; round < 100000 && !closed; round++) {
        while (sent < total) {
            const void *p = sent < (size_t)nh ? (const void *)(head + sent)
                                              : (const void *)(body + (sent - (size_t)nh));
            size_t n = sent < (size_t)nh ? (size_t)nh - sent : total - sent;
            ssize_t w = send(sv[1], p, n, MSG_NOSIGNAL);
            if (w <= 0)
                break;
            sent += (size_t)w;
        }
        CHECK(MHD_run(daemon_) == MHD_YES);
        for (;;) {
            ssize_t n = recv(sv[1], answer + got, sizeof answer - 1 - got, 0);
            if (n > 0) {
                got += (size_t)n;
                if (got == sizeof answer - 1)
                    got = 0; /* only the first bytes matter */
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                closed = true;
            break;
        }
    }
    close(sv[1]);
    CHECK(closed);
    CHECK(handled);
    answer[got] = '\0';
    CHECK(got == 0 || strncmp(answer, "HTTP/1.1 200", 12) == 0);
    return 0;
}
