/*
 * main.c - the extsvc command line: global options, dispatch to the
 * command groups, the shared helpers of cli.h.
 */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../core/wareki.h"
#include "../store/audit_key.h"
#include "../workflow/workflow.h"
#include "cli.h"

static const struct command *const groups[] = {admin_commands,  token_commands,  request_commands,
                                               ledger_commands, import_commands, remind_commands,
                                               demo_commands,   copy_commands};

static void print_overview(FILE *f)
{
    fprintf(f, "使い方: extsvc [--db URL] [--audit-key FILE] COMMAND [ARGS]\n\n"
               "外部サービス利用基準（周南市）に沿って外部サービスの利用申請を審査し、"
               "外部サービス利用台帳を管理します。\n\nコマンド:\n");
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (const struct command *c = groups[g]; c->words; c++)
            fprintf(f, "  extsvc %s\n", c->usage);
    fprintf(f,
            "\n--db URL: SQLite のファイル（既定: $EXTSVC_DB、なければ ./extsvc.db）\n"
            "--audit-key FILE: 監査ログの鍵ファイル（既定: $EXTSVC_AUDIT_KEY、なければ SQLite の"
            "ファイル名に -audit.key を付けたもの。PostgreSQL では指定が必要）\n"
            "各コマンドの説明: extsvc COMMAND --help\n"
            "終了コード: 0 成功 / 1 規則により拒否 / 2 使い方・入力の誤り / 3 保存・内部の失敗\n");
}

static void print_help(const struct command *c)
{
    printf("使い方: extsvc %s\n\n%s\n", c->usage, c->help);
}

bool parse_opts(const struct command *cmd, int argc, char **argv, struct opt *opts, int *npos,
                bool *help)
{
    *npos = 0;
    *help = false;
    bool dashdash = false;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (dashdash || a[0] != '-' || strcmp(a, "-") == 0) {
            argv[(*npos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            dashdash = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(cmd);
            *help = true;
            return true;
        }
        char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        struct opt *o = opts;
        while (o && o->name && !(strlen(o->name) == len && strncmp(o->name, a, len) == 0))
            o++;
        if (!o || !o->name) {
            usage_error(cmd, "未知のオプション %.*s です", (int)len, a);
            return false;
        }
        if (o->takes_value) {
            if (eq)
                o->value = eq + 1;
            else if (i + 1 < argc)
                o->value = argv[++i];
            else {
                usage_error(cmd, "%s には値が必要です", o->name);
                return false;
            }
        } else {
            if (eq) {
                usage_error(cmd, "%s は値を取りません", o->name);
                return false;
            }
            o->value = "";
        }
    }
    return true;
}

const char *opt_value(const struct opt *opts, const char *name)
{
    for (; opts && opts->name; opts++)
        if (strcmp(opts->name, name) == 0)
            return opts->value;
    return NULL;
}

bool opt_flag(const struct opt *opts, const char *name)
{
    return opt_value(opts, name) != NULL;
}

enum xcode read_input(const char *path, size_t cap, char **out, size_t *n, struct xerr *e)
{
    *out = NULL;
    *n = 0;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return xerr_set(e, X_INVALID, "ファイル '%s' を開けません: %s", path, strerror(errno));
    struct sbuf sb;
    sbuf_init(&sb, cap);
    char buf[65536];
    size_t got;
    bool over = false;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        if (!sbuf_add(&sb, buf, got)) {
            over = true;
            break;
        }
    }
    bool err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (over) {
        sbuf_release(&sb);
        return xerr_set(e, X_TOOLARGE, "'%s' が大きすぎます（%zu バイトまで）", path, cap);
    }
    if (err) {
        sbuf_release(&sb);
        return xerr_set(e, X_INVALID, "'%s' を読めません", path);
    }
    *n = sb.len;
    *out = sbuf_detach(&sb);
    return XOK;
}

int fail(const struct xerr *e)
{
    fprintf(stderr, "extsvc: %s\n", e->msg[0] ? e->msg : xerr_name(e->code));
    return xerr_exit_status(e->code);
}

int usage_error(const struct command *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("extsvc: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "（使い方: extsvc %s）", cmd->usage);
    fputc('\n', stderr);
    return 2;
}

void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    json_decref(j);
}

int start(const struct command *self, int argc, char **argv, struct opt *opts, int *npos)
{
    bool help;
    if (!parse_opts(self, argc, argv, opts, npos, &help))
        return 2;
    return help ? 0 : -1;
}

int open_ctx(struct cmdline *cl, const struct opt *opts, struct ctx *c, struct xerr *e)
{
    const char *login = opt_value(opts, "--as");
    memset(c, 0, sizeof *c);
    if (wf_open(cl->db_url, &c->db, e))
        return fail(e);
    if (login) {
        if (wf_actor(c->db, login, &c->actor, e)) {
            db_close(c->db);
            c->db = NULL;
            return fail(e);
        }
        c->have_actor = true;
    }
    return 0;
}

int open_ctx_with_input(struct cmdline *cl, const struct opt *opts, const char *path, size_t cap,
                        char **text, size_t *n, struct ctx *c)
{
    struct xerr e = {0};
    if (read_input(path, cap, text, n, &e))
        return fail(&e);
    int rc = open_ctx(cl, opts, c, &e);
    if (rc) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

const struct user *ctx_actor(const struct ctx *c)
{
    return c->have_actor ? &c->actor : NULL;
}

void close_ctx(struct ctx *c)
{
    user_release(&c->actor);
    db_close(c->db);
    c->db = NULL;
}

bool parse_id(const char *s, long long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v <= 0)
        return false;
    *out = v;
    return true;
}

int opt_date(const struct command *cmd, const struct opt *opts, const char *name, char *iso)
{
    const char *v = opt_value(opts, name);
    iso[0] = '\0';
    if (!v)
        return -1;
    struct xdate dt;
    char why[256];
    if (!date_parse_ja(v, &dt, why, sizeof why))
        return usage_error(cmd, "%s: %s", name, why);
    date_format(dt, iso);
    return -1;
}

/* Write n bytes to `path` whole or not at all: beside it, then renamed. */
enum xcode write_file(const char *path, const char *data, size_t n, struct xerr *e)
{
    char *partial = malloc(strlen(path) + 16);
    if (!partial)
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    sprintf(partial, "%s.partial", path);
    FILE *f = fopen(partial, "wb");
    enum xcode rc = XOK;
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0 || rename(partial, path) != 0) {
        rc = xerr_set(e, X_STORE, "%s に書けません: %s", path, strerror(errno));
        if (f)
            remove(partial);
    }
    free(partial);
    return rc;
}

/* Match the longest command whose words begin argv. */
static const struct command *find_command(int argc, char **argv, int *used)
{
    const struct command *best = NULL;
    int bestWords = 0;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        for (const struct command *c = groups[g]; c->words; c++) {
            char words[64];
            snprintf(words, sizeof words, "%s", c->words);
            int n = 0;
            bool match = true;
            for (char *save, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                if (n >= argc || strcmp(argv[n], w) != 0) {
                    match = false;
                    break;
                }
                n++;
            }
            if (match && n > bestWords) {
                best = c;
                bestWords = n;
            }
        }
    }
    *used = bestWords;
    return best;
}

/* List the commands of a group ("request"); false where there is no such group. */
static bool print_group(const char *group)
{
    bool listed = false;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (const struct command *k = groups[g]; k->words; k++)
            if (strncmp(k->words, group, strlen(group)) == 0 && k->words[strlen(group)] == ' ') {
                if (!listed)
                    printf("extsvc %s のコマンド（各コマンドの説明: extsvc %s COMMAND --help）:\n",
                           group, group);
                printf("  extsvc %s\n", k->usage);
                listed = true;
            }
    return listed;
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    struct cmdline cl = {0};
    cl.db_url = getenv("EXTSVC_DB");
    if (!cl.db_url || !*cl.db_url)
        cl.db_url = "extsvc.db";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            cl.db_url = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            cl.db_url = argv[i] + 5;
        } else if (strcmp(argv[i], "--audit-key") == 0 && i + 1 < argc) {
            audit_key_configure(argv[++i]);
        } else if (strncmp(argv[i], "--audit-key=", 12) == 0) {
            audit_key_configure(argv[i] + 12);
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_overview(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("extsvc %s\n", EXTSVC_VERSION);
            return 0;
        } else {
            return usage_error(NULL, "未知のオプション %s です（extsvc --help）", argv[i]);
        }
    }
    if (i >= argc) {
        print_overview(stderr);
        return 2;
    }
    if (strcmp(argv[i], "help") == 0) {
        int used;
        const struct command *c =
            i + 1 < argc ? find_command(argc - i - 1, argv + i + 1, &used) : NULL;
        if (c) {
            print_help(c);
            return 0;
        }
        if (i + 1 >= argc || !print_group(argv[i + 1]))
            print_overview(stdout);
        return 0;
    }
    int used;
    const struct command *c = find_command(argc - i, argv + i, &used);
    if (!c) {
        /* One line: the unknown words, and where to look. */
        bool group = false;
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
            for (const struct command *k = groups[g]; k->words; k++)
                group |= strncmp(k->words, argv[i], strlen(argv[i])) == 0 &&
                         k->words[strlen(argv[i])] == ' ';
        if (group && i + 1 < argc &&
            (strcmp(argv[i + 1], "--help") == 0 || strcmp(argv[i + 1], "-h") == 0))
            return print_group(argv[i]) ? 0 : 2;
        if (group && i + 1 < argc)
            fprintf(stderr, "extsvc: 未知のコマンド '%s %s' です（extsvc help %s で一覧）\n",
                    argv[i], argv[i + 1], argv[i]);
        else if (group)
            fprintf(stderr,
                    "extsvc: '%s' のあとにコマンドを指定してください（extsvc help %s で一覧）\n",
                    argv[i], argv[i]);
        else
            fprintf(stderr, "extsvc: 未知のコマンド '%s' です（extsvc --help で一覧）\n", argv[i]);
        return 2;
    }
    int status = c->run(c, &cl, argc - i - used, argv + i + used);
    /* Output that did not reach its file (disk full, closed pipe) is a
     * failure, whatever the command thought. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "extsvc: 標準出力に書き込めません: %s\n", strerror(errno));
        return 3;
    }
    return status;
}
