/*
 * cmd_copy.c - extsvc copy: move a city's data between databases (SQLite
 * and PostgreSQL, either way).
 */
#include <stdio.h>

#include "../workflow/workflow.h"
#include "../store/audit_key.h"
#include "cli.h"

static const struct {
    const char *table, *label;
} k_labels[] = {
    {"departments", "所属"},         {"users", "利用者"},       {"catalogues", "カタログの版"},
    {"providers", "事業者"},         {"services", "サービス"},  {"ledger_entries", "台帳"},
    {"ledger_versions", "台帳の版"}, {"requests", "申請"},      {"request_events", "申請の経過"},
    {"api_tokens", "API トークン"},  {"audit_log", "監査記録"},
};

static int cmd_copy(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    (void)cl; /* --db names no database here: --from and --to do */
    struct opt opts[] = {{"--from", true, 0},
                         {"--to", true, 0},
                         {"--to-audit-key", true, 0},
                         {"--json", false, 0},
                         {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos)
        return usage_error(self, "余分な引数 '%s' があります", argv[0]);
    const char *from = opt_value(opts, "--from"), *to = opt_value(opts, "--to");
    if (!from || !to)
        return usage_error(self, "コピー元（--from）とコピー先（--to）を指定してください");
    if (opt_value(opts, "--to-audit-key"))
        audit_key_configure_for(to, opt_value(opts, "--to-audit-key"));
    struct xerr e = {0};
    json_t *report;
    if (wf_copy(from, to, &report, &e))
        return fail(&e);
    if (opt_flag(opts, "--json")) {
        print_json(report);
        return 0;
    }
    json_t *rows = json_object_get(report, "rows");
    printf("%s を %s にコピーしました:\n", json_string_value(json_object_get(report, "from")),
           json_string_value(json_object_get(report, "to")));
    for (size_t i = 0; i < sizeof k_labels / sizeof k_labels[0]; i++)
        printf("  %s %lld\n", k_labels[i].label,
               (long long)json_integer_value(json_object_get(rows, k_labels[i].table)));
    printf("監査ログに記録しました。コピー先で extsvc audit verify を実行して確かめてください。\n"
           "（サインインの状態はコピーしません。利用者はもう一度サインインします）\n");
    json_decref(report);
    return 0;
}

const struct command copy_commands[] = {
    {"copy", cmd_copy, "copy --from SOURCE --to TARGET [--to-audit-key FILE] [--json]",
     "データベースの内容（利用者、カタログの版、申請と経過、台帳と版、API トークン、監査ログ）を"
     "別のデータベースへ番号を保ったままコピーします。SQLite のファイルと postgresql://… の"
     "どちらからどちらへも。コピー先は空のデータベースか、まだないファイル。一つのトランザクション"
     "で書き込み、失敗すれば何も残しません。監査ログはコピー元の鍵でしか検証できないため、"
     "コピー先の監査鍵ファイル（--to-audit-key、なければ --audit-key などの通常の場所）をコピー元の"
     "鍵で作ります（既に違う鍵があれば止まります）。"},
    {0},
};
