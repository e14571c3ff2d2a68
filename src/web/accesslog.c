/*
 * accesslog.c - see accesslog.h. Each worker thread appends to a buffer
 * of its own under its own lock (uncontended but for the writer thread);
 * the buffer is written when the next line does not fit, and by the
 * writer thread every flush_ms.
 */
#include "accesslog.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { BUF_BYTES = 32 * 1024, MAX_BUFFERS = 64 };

struct buffer {
    pthread_mutex_t lock;
    size_t len;
    char data[BUF_BYTES];
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static struct buffer *g_buffers[MAX_BUFFERS];
static int g_nBuffers;
static int g_flush_ms;
static bool g_running;
static pthread_t g_thread;
static pthread_key_t g_key;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void out(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w <= 0)
            return; /* a log that cannot be written does not stop the server */
        p += w;
        n -= (size_t)w;
    }
}

static void make_key(void)
{
    pthread_key_create(&g_key, NULL); /* buffers live until accesslog_stop */
}

/* This thread's buffer, made on its first line; NULL where no more can be. */
static struct buffer *mine(void)
{
    pthread_once(&g_once, make_key);
    struct buffer *b = pthread_getspecific(g_key);
    if (b)
        return b;
    pthread_mutex_lock(&g_lock);
    if (g_nBuffers < MAX_BUFFERS && (b = calloc(1, sizeof *b))) {
        pthread_mutex_init(&b->lock, NULL);
        g_buffers[g_nBuffers++] = b;
        pthread_setspecific(g_key, b);
    }
    pthread_mutex_unlock(&g_lock);
    return b;
}

static void drain(struct buffer *b)
{
    out(b->data, b->len);
    b->len = 0;
}

void accesslog_line(const char *text, size_t n)
{
    struct buffer *b = g_flush_ms > 0 ? mine() : NULL;
    if (!b || n + 1 > BUF_BYTES) {
        char *line = malloc(n + 1);
        if (!line)
            return;
        memcpy(line, text, n);
        line[n] = '\n';
        out(line, n + 1);
        free(line);
        return;
    }
    pthread_mutex_lock(&b->lock);
    if (b->len + n + 1 > BUF_BYTES)
        drain(b);
    memcpy(b->data + b->len, text, n);
    b->data[b->len + n] = '\n';
    b->len += n + 1;
    pthread_mutex_unlock(&b->lock);
}

static void flush_all(void)
{
    pthread_mutex_lock(&g_lock);
    int n = g_nBuffers;
    pthread_mutex_unlock(&g_lock);
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&g_buffers[i]->lock);
        drain(g_buffers[i]);
        pthread_mutex_unlock(&g_buffers[i]->lock);
    }
}

static void *run(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_lock);
    while (g_running) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long long ns = until.tv_nsec + (long long)g_flush_ms * 1000000LL;
        until.tv_sec += (time_t)(ns / 1000000000LL);
        until.tv_nsec = (long)(ns % 1000000000LL);
        pthread_cond_timedwait(&g_wake, &g_lock, &until);
        pthread_mutex_unlock(&g_lock);
        flush_all();
        pthread_mutex_lock(&g_lock);
    }
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

bool accesslog_start(int flush_ms)
{
    g_flush_ms = flush_ms > 0 ? flush_ms : 0;
    if (!g_flush_ms)
        return true;
    g_running = true;
    if (pthread_create(&g_thread, NULL, run, NULL) != 0) {
        g_running = false;
        g_flush_ms = 0;
        return false;
    }
    return true;
}

void accesslog_stop(void)
{
    if (g_running) {
        pthread_mutex_lock(&g_lock);
        g_running = false;
        pthread_cond_signal(&g_wake);
        pthread_mutex_unlock(&g_lock);
        pthread_join(g_thread, NULL);
    }
    flush_all();
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < g_nBuffers; i++) {
        pthread_mutex_destroy(&g_buffers[i]->lock);
        free(g_buffers[i]);
    }
    g_nBuffers = 0;
    g_flush_ms = 0;
    pthread_mutex_unlock(&g_lock);
}
