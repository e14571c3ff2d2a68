/*
 * guard.c - deadlines and limits on connections; see guard.h.
 */
#include "guard.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum phase {
    AWAIT_HEAD, /* before a request's head is in */
    BODY,       /* its body is arriving */
    HANDLING    /* being answered */
};

struct tracked {
    struct tracked *prev, *next;
    int fd;
    char peer[64];
    bool exempt, over, killed;
    enum phase phase;
    int requests;       /* answered on this connection */
    long long since_ms; /* AWAIT_HEAD: opened or last answered; BODY: head in */
    long long head_ms;  /* AWAIT_HEAD after a request: the next one's first byte, 0: none yet */
    size_t body_bytes;
};

static struct guard_limits g_limits;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static struct tracked *g_list;
static int g_count;
static pthread_t g_thread;
static bool g_running;
static atomic_long g_refused, g_timeouts;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int from_peer(const char *peer)
{
    int n = 0;
    for (struct tracked *t = g_list; t; t = t->next)
        if (!t->exempt && strcmp(t->peer, peer) == 0)
            n++;
    return n;
}

void guard_opened(void **ctx, int fd, const char *peer, bool exempt)
{
    struct tracked *t = calloc(1, sizeof *t);
    *ctx = t;
    if (!t)
        return;
    t->fd = fd;
    snprintf(t->peer, sizeof t->peer, "%s", peer);
    t->exempt = exempt;
    t->since_ms = now_ms();
    pthread_mutex_lock(&g_lock);
    t->over = g_count >= g_limits.max_connections || (!exempt && g_limits.max_per_address > 0 &&
                                                      from_peer(peer) >= g_limits.max_per_address);
    t->next = g_list;
    if (g_list)
        g_list->prev = t;
    g_list = t;
    g_count++;
    pthread_mutex_unlock(&g_lock);
}

/* Called before libmicrohttpd closes the socket: the checking thread,
 * which holds the lock while it shuts a socket down, never touches a
 * closed (or reused) descriptor. */
void guard_closed(void **ctx)
{
    struct tracked *t = *ctx;
    if (!t)
        return;
    pthread_mutex_lock(&g_lock);
    if (t->prev)
        t->prev->next = t->next;
    else
        g_list = t->next;
    if (t->next)
        t->next->prev = t->prev;
    g_count--;
    pthread_mutex_unlock(&g_lock);
    free(t);
    *ctx = NULL;
}

bool guard_head(void *ctx)
{
    struct tracked *t = ctx;
    if (!t)
        return true;
    pthread_mutex_lock(&g_lock);
    t->phase = BODY;
    t->since_ms = now_ms();
    t->body_bytes = 0;
    bool over = t->over;
    pthread_mutex_unlock(&g_lock);
    return !over;
}

void guard_body(void *ctx, size_t n)
{
    struct tracked *t = ctx;
    if (!t)
        return;
    pthread_mutex_lock(&g_lock);
    t->body_bytes += n;
    pthread_mutex_unlock(&g_lock);
}

void guard_handling(void *ctx)
{
    struct tracked *t = ctx;
    if (!t)
        return;
    pthread_mutex_lock(&g_lock);
    t->phase = HANDLING;
    pthread_mutex_unlock(&g_lock);
}

void guard_done(void *ctx)
{
    struct tracked *t = ctx;
    if (!t)
        return;
    pthread_mutex_lock(&g_lock);
    t->phase = AWAIT_HEAD;
    t->requests++;
    t->since_ms = now_ms();
    t->head_ms = 0;
    pthread_mutex_unlock(&g_lock);
}

void guard_refused(void)
{
    atomic_fetch_add(&g_refused, 1);
}

/* Milliseconds since the peer last sent data, from the kernel; -1 if it
 * cannot say. */
static long long since_data(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
        return -1;
    return ti.tcpi_last_data_recv;
}

static char g_timeout_reply[256];

enum { JIFFY_SLACK_MS = 50 };

static void cut(struct tracked *t, bool answer)
{
    /* Nothing of an answer is in flight in these phases: the 408 cannot
     * interleave with libmicrohttpd's own writes. */
    if (answer && !g_limits.tls) {
        ssize_t w =
            send(t->fd, g_timeout_reply, strlen(g_timeout_reply), MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
    }
    shutdown(t->fd, SHUT_RDWR);
    t->killed = true;
    if (answer)
        atomic_fetch_add(&g_timeouts, 1);
}

static void check(long long now)
{
    const long long header = g_limits.header_timeout * 1000LL,
                    idle = g_limits.idle_timeout * 1000LL;
    for (struct tracked *t = g_list; t; t = t->next) {
        if (t->killed)
            continue;
        long long age = now - t->since_ms;
        if (t->phase == AWAIT_HEAD && t->requests == 0) {
            if (header && age > header)
                cut(t, true);
        } else if (t->phase == AWAIT_HEAD) {
            /* Kept alive: idle until the next request's first byte. */
            if (!t->head_ms) {
                /* The kernel counts in jiffies (up to 10 ms): the last
                 * request's own bytes, read a moment before it was
                 * answered, can look newer than the answer. Only data
                 * clearly after it begins a new head; else an idle
                 * connection would get the head's deadline and a 408. */
                long long quiet = since_data(t->fd);
                if (quiet >= 0 && quiet + JIFFY_SLACK_MS < age)
                    t->head_ms = now - quiet;
            }
            if (t->head_ms && header && now - t->head_ms > header)
                cut(t, true);
            else if (!t->head_ms && idle && age > idle)
                cut(t, false); /* nothing asked: just closed */
        } else if (t->phase == BODY && g_limits.body_min_rate > 0 && header && age > header) {
            long long due = (age - header) * g_limits.body_min_rate / 1000;
            if ((long long)t->body_bytes < due)
                cut(t, true);
        }
    }
}

static void log_counts(long long now, long long *last)
{
    if (now - *last < 10000)
        return;
    long refused = atomic_exchange(&g_refused, 0), timeouts = atomic_exchange(&g_timeouts, 0);
    if (refused)
        fprintf(stderr, "extsvc: 接続の上限を超えた %ld 件に 503 を返しました（直近 %lld 秒）\n",
                refused, (now - *last) / 1000);
    if (timeouts)
        fprintf(stderr,
                "extsvc: 時間内に要求が届かなかった %ld 件の接続を切りました（直近 %lld 秒）\n",
                timeouts, (now - *last) / 1000);
    *last = now;
}

static void *run(void *arg)
{
    (void)arg;
    long long last_log = now_ms();
    pthread_mutex_lock(&g_lock);
    while (g_running) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g_wake, &g_lock, &until);
        long long now = now_ms();
        check(now);
        log_counts(now, &last_log);
    }
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

bool guard_start(const struct guard_limits *limits)
{
    static const char body[] = "要求が時間内に届きませんでした\n";
    snprintf(g_timeout_reply, sizeof g_timeout_reply,
             "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
             "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n\r\n%s",
             sizeof body - 1, body);
    g_limits = *limits;
    g_running = true;
    if (pthread_create(&g_thread, NULL, run, NULL) != 0) {
        g_running = false;
        return false;
    }
    return true;
}

void guard_stop(void)
{
    pthread_mutex_lock(&g_lock);
    bool was = g_running;
    g_running = false;
    pthread_cond_signal(&g_wake);
    pthread_mutex_unlock(&g_lock);
    if (was)
        pthread_join(g_thread, NULL);
}

void guard_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static long long last;
    static long dropped;
    pthread_mutex_lock(&lock);
    long long now = now_ms();
    if (last && now - last < 10000) {
        dropped++;
    } else {
        char line[512];
        vsnprintf(line, sizeof line, fmt, ap);
        size_t n = strlen(line);
        while (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (dropped)
            fprintf(stderr, "extsvc: libmicrohttpd: %s（ほか %ld 件を省略）\n", line, dropped);
        else
            fprintf(stderr, "extsvc: libmicrohttpd: %s\n", line);
        dropped = 0;
        last = now;
    }
    pthread_mutex_unlock(&lock);
}
