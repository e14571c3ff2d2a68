/*
 * cmd_token.c - extsvc token: the API tokens of a user.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../workflow/workflow.h"
#include "cli.h"

static int cmd_token_create(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--as", true, 0}, {"--json", false, 0}, {"--expires", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as でトークンを発行する利用者を指定してください");
    long long days = TOKEN_DEFAULT_DAYS;
    if (opt_value(opts, "--expires") &&
        (!parse_id(opt_value(opts, "--expires"), &days) || days > TOKEN_MAX_DAYS))
        return usage_error(self, "--expires は有効期間の日数（1〜3650）です");
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    char *token;
    if (wf_token_create(c.db, &c.actor, (int)days, &token, &e)) {
        rc = fail(&e);
    } else {
        if (opt_flag(opts, "--json"))
            print_json(json_pack("{s:s, s:s, s:I}", "token", token, "login", c.actor.login, "days",
                                 (json_int_t)days));
        else
            printf("%s\n", token);
        free(token);
    }
    close_ctx(&c);
    return rc;
}

static int cmd_token_list(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {
        {"--as", true, 0}, {"--json", false, 0}, {"--user", true, 0}, {"--all", false, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as で利用者を指定してください");
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    json_t *out;
    const char *who = opt_flag(opts, "--all") ? "*" : opt_value(opts, "--user");
    if (wf_token_list(c.db, &c.actor, who, &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        size_t i;
        json_t *t;
        printf("%-6s %-16s %-20s %-20s %s\n", "番号", "利用者", "発行", "有効期限", "最終利用日");
        json_array_foreach(json_object_get(out, "tokens"), i, t)
        {
            const char *exp = json_string_value(json_object_get(t, "expires_at"));
            const char *used = json_string_value(json_object_get(t, "last_used_on"));
            printf("%-6lld %-16s %-20s %-20s %s%s\n",
                   (long long)json_integer_value(json_object_get(t, "id")),
                   json_string_value(json_object_get(t, "login")),
                   json_string_value(json_object_get(t, "created_at")), exp ? exp : "-",
                   used ? used : "未使用",
                   json_is_true(json_object_get(t, "expired")) ? " （期限切れ）" : "");
        }
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

static int cmd_token_revoke(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--as", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    long long id;
    if (npos != 1 || !parse_id(argv[0], &id))
        return usage_error(self, "失効させるトークンの番号を 1 つ指定してください");
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as で利用者を指定してください");
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    if (wf_token_revoke(c.db, &c.actor, id, &e))
        rc = fail(&e);
    else
        printf("トークン #%lld を失効させました\n", id);
    close_ctx(&c);
    return rc;
}

const struct command token_commands[] = {
    {"token create", cmd_token_create, "token create --as LOGIN [--expires DAYS] [--json]",
     "その利用者の API トークンを発行して表示します（一度だけ表示し、ハッシュのみ保存します）。"
     "有効期間は既定で 90 日（--expires で 1〜3650 日）。パスワードの変更・利用者の無効化でも"
     "失効します。"},
    {"token list", cmd_token_list, "token list --as LOGIN [--user LOGIN | --all] [--json]",
     "API トークンの一覧（番号・発行日時・有効期限・最終利用日。トークンそのものは表示しません）。"
     "自分のもの。--user / --all は admin のみ。"},
    {"token revoke", cmd_token_revoke, "token revoke --as LOGIN ID",
     "API トークンを失効させます（自分のもの。admin は誰のものでも）。監査ログに残ります。"},
    {0},
};
