/*
 * hashpool.c - a fixed pool of threads and a bounded queue; see hashpool.h.
 */
#include "hashpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct job {
    void (*fn)(void *);
    void *arg;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_work = PTHREAD_COND_INITIALIZER;
static struct job *g_ring;
static int g_cap, g_head, g_len, g_reserved;
static pthread_t *g_threads;
static int g_nthreads;
static bool g_stopping;

static void *worker(void *unused)
{
    (void)unused;
    /* Below the workers that serve everyone else: a flood of sign-ins
     * takes what CPU they leave. */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10) != 0) {
        /* not fatal: the pool still bounds how many hash at once */
    }
    pthread_mutex_lock(&g_lock);
    for (;;) {
        while (!g_len && !g_stopping)
            pthread_cond_wait(&g_work, &g_lock);
        if (!g_len)
            break;
        struct job j = g_ring[g_head];
        g_head = (g_head + 1) % g_cap;
        g_len--;
        pthread_mutex_unlock(&g_lock);
        j.fn(j.arg);
        pthread_mutex_lock(&g_lock);
        g_reserved--; /* its place is free once it is done */
    }
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

bool hashpool_start(int threads, int queue)
{
    g_cap = threads + queue;
    g_ring = calloc((size_t)g_cap, sizeof *g_ring);
    g_threads = calloc((size_t)threads, sizeof *g_threads);
    if (!g_ring || !g_threads)
        return false;
    for (; g_nthreads < threads; g_nthreads++)
        if (pthread_create(&g_threads[g_nthreads], NULL, worker, NULL) != 0) {
            hashpool_stop();
            return false;
        }
    return true;
}

void hashpool_stop(void)
{
    pthread_mutex_lock(&g_lock);
    g_stopping = true;
    pthread_cond_broadcast(&g_work);
    pthread_mutex_unlock(&g_lock);
    for (int i = 0; i < g_nthreads; i++)
        pthread_join(g_threads[i], NULL);
    g_nthreads = 0;
    free(g_threads);
    free(g_ring);
    g_threads = NULL;
    g_ring = NULL;
}

/* A place is one being hashed or waiting: threads + queue in all. */
bool hashpool_reserve(void)
{
    pthread_mutex_lock(&g_lock);
    bool ok = !g_stopping && g_reserved < g_cap;
    if (ok)
        g_reserved++;
    pthread_mutex_unlock(&g_lock);
    return ok;
}

void hashpool_run(void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&g_lock);
    g_ring[(g_head + g_len) % g_cap] = (struct job){fn, arg};
    g_len++;
    pthread_cond_signal(&g_work);
    pthread_mutex_unlock(&g_lock);
}
