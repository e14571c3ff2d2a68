/*
 * cmd_token.c - extsvc token: the API tokens of a user.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../workflow/workflow.h"
#include "cli.h"

static int cmd_token_create(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--as", true, 0}, {"--json", false, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as でトークンを発行する利用者を指定してください");
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    char *token;
    if (wf_token_create(db, &c.actor, &token, &e)) {
        rc = fail(&e);
    } else {
        if (opt_flag(opts, "--json"))
            print_json(json_pack("{s:s, s:s}", "token", token, "login", c.actor.login));
        else
            printf("%s\n", token);
        free(token);
    }
    close_ctx(&c);
    return rc;
}

const struct command token_commands[] = {
    {"token create", cmd_token_create, "token create --as LOGIN",
     "その利用者の API トークンを発行して表示します（一度だけ表示し、ハッシュのみ保存します）。"},
    {0},
};
