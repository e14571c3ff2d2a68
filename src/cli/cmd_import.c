/*
 * cmd_import.c - ledger import: a city's old ledger (CSV saved from Excel)
 * into the ledger, checked whole first, written all or nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../workflow/workflow.h"
#include "cli.h"

/* A ledger of a million rows is far past any city's; a file past 512 MiB
 * is not a ledger. */
#define IMPORT_MAX_BYTES (512u << 20)

static void bar(long done, long total, void *arg)
{
    (void)arg;
    int width = 30, filled = total > 0 ? (int)((double)done / (double)total * width) : width;
    fprintf(stderr, "\r取り込み中 [%.*s%.*s] %ld / %ld 件", filled,
            "==============================", width - filled, "                              ",
            done, total);
    if (done == total)
        fputc('\n', stderr);
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_issues(json_t *report)
{
    size_t i;
    json_t *is;
    json_array_foreach(json_object_get(report, "issues"), i, is)
    {
        long long line = (long long)json_integer_value(json_object_get(is, "line"));
        long long col = (long long)json_integer_value(json_object_get(is, "column"));
        if (col > 0)
            fprintf(stderr, "extsvc: %lld 行目 %lld 列目: %s\n", line, col, str(is, "message"));
        else
            fprintf(stderr, "extsvc: %lld 行目: %s\n", line, str(is, "message"));
    }
}

static void print_table(json_t *report)
{
    size_t i;
    json_t *en;
    json_array_foreach(json_object_get(report, "entries"), i, en)
        printf("%5lld行目 %s%s%s%s / %s  機密性%s  %s〜%s  %s\n",
               (long long)json_integer_value(json_object_get(en, "line")), str(en, "name"),
               *str(en, "function") ? "（" : "", str(en, "function"),
               *str(en, "function") ? "）" : "", str(en, "provider"), str(en, "confidentiality"),
               str(en, "from"), str(en, "to"), str(en, "department"));
}

/* What both imports take: --as, --dry-run, --encoding, and the file's
 * name as the source. -1 to go on, else the exit status of a usage error. */
static int import_opts(const struct command *self, const struct opt *opts, const char *path,
                       struct import_options *o)
{
    memset(o, 0, sizeof *o);
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as で操作する利用者を指定してください");
    o->dry_run = opt_flag(opts, "--dry-run");
    const char *enc = opt_value(opts, "--encoding");
    if (enc && strcmp(enc, "utf-8") == 0)
        o->encoding = CSV_ENC_UTF8;
    else if (enc && strcmp(enc, "cp932") == 0)
        o->encoding = CSV_ENC_CP932;
    else if (enc)
        return usage_error(self, "--encoding は utf-8 か cp932 です");
    const char *slash = strrchr(path, '/');
    o->source = slash ? slash + 1 : path;
    return -1;
}

static int cmd_ledger_import(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--as", true, 0},
                         {"--dry-run", false, 0},
                         {"--json", false, 0},
                         {"--encoding", true, 0},
                         {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1)
        return usage_error(self, "取り込む CSV ファイルを一つ指定してください");
    struct import_options o;
    if ((done = import_opts(self, opts, argv[0], &o)) >= 0)
        return done;
    if (!o.dry_run && !opt_flag(opts, "--json") && isatty(STDERR_FILENO))
        o.progress = bar;
    char *text;
    size_t n;
    struct ctx c;
    int rc = open_ctx_with_input(cl, opts, argv[0], IMPORT_MAX_BYTES, &text, &n, &c);
    if (rc)
        return rc;
    struct xerr e = {0};
    json_t *report = NULL;
    enum xcode xc = wf_ledger_import(c.db, &c.actor, text, n, &o, &report, &e);
    free(text);
    if (opt_flag(opts, "--json") && report) {
        json_object_set_new(report, "ok", json_boolean(xc == XOK));
        print_json(json_incref(report));
    } else if (report) {
        print_issues(report);
        if (!xc && o.dry_run)
            print_table(report);
        size_t i;
        json_t *note;
        json_array_foreach(json_object_get(report, "notes"), i, note)
            fprintf(stderr, "extsvc: 注意: %s\n", json_string_value(note));
        if (!xc)
            printf(o.dry_run ? "%lld 件を取り込めます（--dry-run: 何も書き込んでいません）\n"
                             : "%lld 件を台帳に取り込みました（移行）\n",
                   (long long)json_integer_value(json_object_get(report, "rows")));
    }
    json_decref(report);
    rc = xc ? fail(&e) : 0;
    close_ctx(&c);
    return rc;
}

static int cmd_ismap_import(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--as", true, 0},
                         {"--dry-run", false, 0},
                         {"--json", false, 0},
                         {"--encoding", true, 0},
                         {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1)
        return usage_error(self,
                           "ISMAP クラウドサービスリストの CSV ファイルを一つ指定してください");
    struct import_options o;
    if ((done = import_opts(self, opts, argv[0], &o)) >= 0)
        return done;
    char *text;
    size_t n;
    struct ctx c;
    int rc = open_ctx_with_input(cl, opts, argv[0], IMPORT_MAX_BYTES, &text, &n, &c);
    if (rc)
        return rc;
    struct xerr e = {0};
    json_t *report = NULL;
    enum xcode xc = wf_ismap_import(c.db, &c.actor, text, n, &o, &report, &e);
    free(text);
    if (opt_flag(opts, "--json") && report) {
        json_object_set_new(report, "ok", json_boolean(xc == XOK));
        print_json(json_incref(report));
    } else if (report) {
        print_issues(report);
        if (!xc)
            printf(o.dry_run ? "%lld 件の登録を読み込めます（--dry-run: 何も書き込んでいません）\n"
                             : "ISMAP クラウドサービスリストを読み込みました: %lld 件の登録\n",
                   (long long)json_integer_value(json_object_get(report, "rows")));
    }
    json_decref(report);
    rc = xc ? fail(&e) : 0;
    close_ctx(&c);
    return rc;
}

const struct command import_commands[] = {
    {"ledger import", cmd_ledger_import,
     "ledger import --as LOGIN [--dry-run] [--json] [--encoding utf-8|cp932] FILE",
     "市がこれまで Excel で管理してきた台帳（CSV で保存したもの。UTF-8（BOM の有無を問わず）"
     "か CP932、自動で判別）を取り込みます。見出しは (ア)〜(キ) の項目名と、よく使われる別名"
     "（サービス名、事業者名、業務内容、格付、担当課、利用範囲 など）を読みます。利用期間は"
     "二列でも一列（2024/4/1～2025/3/31、令和6年4月1日～令和7年3月31日、R6.4.1-R7.3.31）でも"
     "よく、格付は 2、機密性2、2-2-1 のいずれでも読みます。すべての行を先に確かめ、誤りが一つでも"
     "あれば行・列・理由をすべて示して何も書き込みません（終了コード 2）。--dry-run は確かめた"
     "結果の一覧を示すだけです。取り込んだ登録は「移行」と記録され（元のファイルと行）、"
     "監査ログに一件ずつ残ります。admin と approver が使えます。"},
    {"ismap import", cmd_ismap_import,
     "ismap import --as LOGIN [--dry-run] [--json] [--encoding utf-8|cp932] FILE",
     "公表されている ISMAP クラウドサービスリスト（CSV。見出しは 登録番号、サービス名称、"
     "事業者名、登録日、有効期限 など）を読み込み、前のリストと置き換えます。申請の ISMAP "
     "登録番号がリストにないとき、または登録の有効期限が利用期間の終わりより前のとき、"
     "別紙の ISMAP の要件（項番1）に注意を示します。ciso と admin が使えます。"},
    {0}};
