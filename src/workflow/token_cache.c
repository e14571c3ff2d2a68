/*
 * token_cache.c - see token_cache.h. A small table by the token's hash;
 * a slot taken by another token is simply replaced. The user is copied in
 * and out, so that a caller never holds what another thread may free.
 */
#include "token_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { SLOTS = 512 };

struct slot {
    char hash[65];
    long long token_id;
    char expires_at[21], last_used[11];
    struct user user; /* without password_hash */
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot g_slots[SLOTS];
static long long g_gen = -1;

static void slot_clear(struct slot *s)
{
    user_release(&s->user);
    memset(s, 0, sizeof *s);
}

static struct slot *slot_of(const char *hash)
{
    /* The hash is SHA-256 in hex: its first digits are as good as any. */
    return &g_slots[strtoul((char[]){hash[0], hash[1], hash[2], hash[3], 0}, NULL, 16) % SLOTS];
}

static bool user_copy(struct user *to, const struct user *from)
{
    *to = *from;
    to->password_hash = NULL;
    to->login = strdup(from->login ? from->login : "");
    to->name = strdup(from->name ? from->name : "");
    to->department = strdup(from->department ? from->department : "");
    if (to->login && to->name && to->department)
        return true;
    user_release(to);
    memset(to, 0, sizeof *to);
    return false;
}

/* With g_lock held: forget everything checked under another count. */
static void same_gen(long long gen)
{
    if (gen == g_gen)
        return;
    for (int i = 0; i < SLOTS; i++)
        if (g_slots[i].hash[0])
            slot_clear(&g_slots[i]);
    g_gen = gen;
}

bool token_cache_get(const char *hash, long long gen, const char *now, struct user *out,
                     long long *token_id, char last_used[11])
{
    bool hit = false;
    pthread_mutex_lock(&g_lock);
    same_gen(gen);
    struct slot *s = slot_of(hash);
    if (s->hash[0] && strcmp(s->hash, hash) == 0 && strcmp(s->expires_at, now) > 0 &&
        user_copy(out, &s->user)) {
        *token_id = s->token_id;
        memcpy(last_used, s->last_used, 11);
        hit = true;
    }
    pthread_mutex_unlock(&g_lock);
    return hit;
}

void token_cache_put(const char *hash, long long gen, const struct user *u, long long token_id,
                     const char *expires_at, const char *last_used)
{
    if (strlen(hash) != 64 || strlen(expires_at) > 20 || strlen(last_used) > 10)
        return;
    pthread_mutex_lock(&g_lock);
    if (gen == g_gen) { /* a lookup older than the last change keeps nothing */
        struct slot *s = slot_of(hash);
        slot_clear(s);
        if (user_copy(&s->user, u)) {
            memcpy(s->hash, hash, 65);
            s->token_id = token_id;
            strcpy(s->expires_at, expires_at);
            strcpy(s->last_used, last_used);
        }
    }
    pthread_mutex_unlock(&g_lock);
}

void token_cache_used(const char *hash, const char *day)
{
    pthread_mutex_lock(&g_lock);
    struct slot *s = slot_of(hash);
    if (s->hash[0] && strcmp(s->hash, hash) == 0 && strlen(day) <= 10)
        strcpy(s->last_used, day);
    pthread_mutex_unlock(&g_lock);
}
