/*
 * workers.c - a fixed set of threads and a bounded FIFO queue; see
 * workers.h.
 */
#include "workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct job {
    void (*fn)(void *);
    void *arg;
};

struct workers {
    pthread_mutex_t lock;
    pthread_cond_t work;
    struct job *ring;
    int cap, head, len, reserved;
    pthread_t *threads;
    int nthreads, nice;
    bool stopping;
};

static void *worker(void *arg)
{
    struct workers *w = arg;
    if (w->nice && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), w->nice) != 0) {
        /* not fatal: the set still bounds how many jobs run at once */
    }
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->len && !w->stopping)
            pthread_cond_wait(&w->work, &w->lock);
        if (!w->len)
            break;
        struct job j = w->ring[w->head];
        w->head = (w->head + 1) % w->cap;
        w->len--;
        pthread_mutex_unlock(&w->lock);
        j.fn(j.arg);
        pthread_mutex_lock(&w->lock);
        w->reserved--; /* its place is free once it is done */
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct workers *workers_start(int threads, int queue, int nice)
{
    struct workers *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    w->nice = nice;
    w->cap = threads + queue;
    w->ring = calloc((size_t)w->cap, sizeof *w->ring);
    w->threads = calloc((size_t)threads, sizeof *w->threads);
    if (!w->ring || !w->threads) {
        workers_stop(w);
        return NULL;
    }
    for (; w->nthreads < threads; w->nthreads++)
        if (pthread_create(&w->threads[w->nthreads], NULL, worker, w) != 0) {
            workers_stop(w);
            return NULL;
        }
    return w;
}

void workers_stop(struct workers *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->work);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->work);
    free(w->threads);
    free(w->ring);
    free(w);
}

/* A place is one running or waiting: threads + queue in all. */
bool workers_reserve(struct workers *w)
{
    pthread_mutex_lock(&w->lock);
    bool ok = !w->stopping && w->reserved < w->cap;
    if (ok)
        w->reserved++;
    pthread_mutex_unlock(&w->lock);
    return ok;
}

void workers_run(struct workers *w, void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&w->lock);
    w->ring[(w->head + w->len) % w->cap] = (struct job){fn, arg};
    w->len++;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
}
