/*
 * audit_key.c - the audit chain's key file; see audit_key.h.
 */
#include "audit_key.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KEYS 8 /* paths one process opens: copy uses two */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_configured[4096];
static struct audit_key g_keys[MAX_KEYS];
static int g_nkeys;

static char g_for_url[2][4096], g_for_path[2][4096]; /* audit_key_configure_for */

void audit_key_configure(const char *path)
{
    snprintf(g_configured, sizeof g_configured, "%s", path ? path : "");
}

void audit_key_configure_for(const char *url, const char *path)
{
    for (int i = 0; i < 2; i++)
        if (!g_for_url[i][0] || strcmp(g_for_url[i], url) == 0) {
            snprintf(g_for_url[i], sizeof g_for_url[i], "%s", url);
            snprintf(g_for_path[i], sizeof g_for_path[i], "%s", path);
            return;
        }
}

static bool is_pg(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

static void fingerprint(struct audit_key *k)
{
    static const char label[] = "extsvc audit key id";
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)label, sizeof label - 1, k->key);
    sodium_bin2hex(k->id, sizeof k->id, mac, 8);
}

/* Read k->path into k: present = false where there is no file. */
static enum xcode load(struct audit_key *k, struct xerr *e)
{
    k->present = false;
    k->id[0] = '\0';
    int fd = open(k->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return XOK;
        return xerr_set(e, X_STORE, "監査鍵ファイル '%s' を開けません: %s", k->path,
                        strerror(errno));
    }
    struct stat st;
    char buf[160];
    ssize_t n = -1;
    enum xcode rc = XOK;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        rc = xerr_set(e, X_STORE, "監査鍵ファイル '%s' は通常のファイルではありません", k->path);
    else if (st.st_mode & 077)
        rc = xerr_set(e, X_STORE,
                      "監査鍵ファイル '%s' は所有者以外も読み書きできます（mode %03o）。"
                      "鍵を守るため起動しません。chmod 600 '%s' としてください",
                      k->path, (unsigned)(st.st_mode & 0777), k->path);
    else if ((n = read(fd, buf, sizeof buf - 1)) < 0)
        rc = xerr_set(e, X_STORE, "監査鍵ファイル '%s' を読めません: %s", k->path, strerror(errno));
    close(fd);
    if (rc)
        return rc;
    buf[n] = '\0';
    size_t len = strcspn(buf, "\r\n");
    size_t got = 0;
    if (len != 2 * AUDIT_KEY_BYTES || strspn(buf + len, "\r\n") != (size_t)n - len ||
        sodium_hex2bin(k->key, sizeof k->key, buf, len, NULL, &got, NULL) != 0 ||
        got != AUDIT_KEY_BYTES) {
        sodium_memzero(buf, sizeof buf);
        return xerr_set(e, X_STORE,
                        "監査鍵ファイル '%s' の形式が正しくありません（64 桁の 16 進数が 1 行）",
                        k->path);
    }
    sodium_memzero(buf, sizeof buf);
    k->present = true;
    fingerprint(k);
    return XOK;
}

enum xcode audit_key_for(const char *url, const struct audit_key **out, struct xerr *e)
{
    char path[4096] = "";
    const char *env = getenv("EXTSVC_AUDIT_KEY");
    for (int i = 0; i < 2 && !path[0]; i++)
        if (g_for_url[i][0] && strcmp(g_for_url[i], url) == 0)
            snprintf(path, sizeof path, "%.4095s", g_for_path[i]);
    if (!path[0] && g_configured[0])
        snprintf(path, sizeof path, "%s", g_configured);
    else if (!path[0] && env && env[0])
        snprintf(path, sizeof path, "%s", env);
    else if (!path[0] && !is_pg(url))
        snprintf(path, sizeof path, "%s-audit.key", url);
    if (sodium_init() < 0)
        return xerr_set(e, X_INTERNAL, "libsodium を初期化できません");
    pthread_mutex_lock(&g_lock);
    enum xcode rc = XOK;
    struct audit_key *k = NULL;
    for (int i = 0; i < g_nkeys && !k; i++)
        if (strcmp(g_keys[i].path, path) == 0)
            k = &g_keys[i];
    if (!k) {
        if (g_nkeys == MAX_KEYS) {
            rc = xerr_set(e, X_INTERNAL, "監査鍵ファイルが多すぎます");
            goto out;
        }
        k = &g_keys[g_nkeys];
        memset(k, 0, sizeof *k);
        snprintf(k->path, sizeof k->path, "%s", path);
        if (path[0] && (rc = load(k, e)))
            goto out; /* not kept: the next open reads the file again */
        g_nkeys++;
    }
    *out = k;
out:
    pthread_mutex_unlock(&g_lock);
    return rc;
}

enum xcode audit_key_missing(const struct audit_key *k, struct xerr *e)
{
    if (!k->path[0])
        return xerr_set(
            e, X_STORE,
            "監査鍵ファイルの場所が設定されていません。PostgreSQL では --audit-key FILE、"
            "環境変数 EXTSVC_AUDIT_KEY または設定の [audit] key_file で指定してください"
            "（extsvc init が作ります）");
    return xerr_set(e, X_STORE,
                    "監査鍵ファイル '%s' がありません。監査ログへの記録と検証には鍵が要ります"
                    "（新しいデータベースでは extsvc init が作ります。鍵付きの監査ログでは"
                    "バックアップから戻してください）",
                    k->path);
}

enum xcode audit_key_create(const struct audit_key *ck, const struct audit_key *from,
                            struct xerr *e)
{
    struct audit_key *k = (struct audit_key *)ck; /* one of g_keys */
    if (!k->path[0])
        return audit_key_missing(k, e);
    if (from && !from->present)
        return audit_key_missing(from, e);
    pthread_mutex_lock(&g_lock);
    enum xcode rc = XOK;
    if (!k->present) {
        unsigned char key[AUDIT_KEY_BYTES];
        char hex[2 * AUDIT_KEY_BYTES + 2], tmp[4200];
        if (from)
            memcpy(key, from->key, sizeof key);
        else
            randombytes_buf(key, sizeof key);
        sodium_bin2hex(hex, sizeof hex, key, sizeof key);
        sodium_memzero(key, sizeof key);
        strcat(hex, "\n");
        snprintf(tmp, sizeof tmp, "%s.XXXXXX", k->path);
        int fd = mkstemp(tmp); /* 0600 */
        if (fd < 0) {
            rc = xerr_set(e, X_STORE, "監査鍵ファイル '%s' を作れません: %s", k->path,
                          strerror(errno));
            goto out;
        }
        size_t len = strlen(hex);
        bool ok = write(fd, hex, len) == (ssize_t)len && fsync(fd) == 0;
        int err = errno;
        close(fd);
        sodium_memzero(hex, sizeof hex);
        /* link() never replaces: whoever made it first, everyone uses theirs. */
        if (ok && link(tmp, k->path) != 0 && errno != EEXIST) {
            err = errno;
            ok = false;
        }
        unlink(tmp);
        if (!ok) {
            rc = xerr_set(e, X_STORE, "監査鍵ファイル '%s' を作れません: %s", k->path,
                          strerror(err));
            goto out;
        }
        if ((rc = load(k, e)))
            goto out;
    }
    if (from && memcmp(from->key, k->key, sizeof k->key) != 0)
        rc = xerr_set(e, X_STATE,
                      "監査鍵ファイル '%s' は '%s' と違う鍵です。監査ログは元の鍵でしか"
                      "検証できないため、何もしていません",
                      k->path, from->path);
out:
    pthread_mutex_unlock(&g_lock);
    return rc;
}
