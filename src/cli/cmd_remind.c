/*
 * cmd_remind.c - remind: what is due, for a daily cron job or systemd
 * timer (the README shows both): periods ending, retirements coming, ISMAP
 * registrations lapsing before a use ends, requests waiting too long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../workflow/workflow.h"
#include "cli.h"

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void entry_line(json_t *en, const char *what)
{
    json_t *svc = json_object_get(en, "service"), *per = json_object_get(en, "period");
    printf("  台帳番号 %lld %s%s%s%s（%s）%s %s\n",
           (long long)json_integer_value(json_object_get(en, "id")), str(svc, "name"),
           *str(svc, "function") ? "（" : "", str(svc, "function"),
           *str(svc, "function") ? "）" : "", str(en, "department"), what,
           *str(en, "retired_on") ? str(en, "retired_on") : str(per, "to"));
}

static int cmd_remind(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--within", true, 0},
                         {"--waiting", true, 0},
                         {"--json", false, 0},
                         {"--as", true, 0},
                         {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos)
        return usage_error(self, "余分な引数 '%s' があります", argv[0]);
    long long within = 30, waiting = 14;
    if (opt_value(opts, "--within") &&
        (!parse_id(opt_value(opts, "--within"), &within) || within > 3650))
        return usage_error(self, "--within は 1〜3650 の日数です");
    if (opt_value(opts, "--waiting") &&
        (!parse_id(opt_value(opts, "--waiting"), &waiting) || waiting > 3650))
        return usage_error(self, "--waiting は 1〜3650 の日数です");
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    json_t *out;
    if (wf_remind(c.db, ctx_actor(&c), (int)within, (int)waiting, &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        size_t i;
        json_t *it;
        json_t *ending = json_object_get(out, "ending"),
               *retiring = json_object_get(out, "retiring");
        json_t *lapses = json_object_get(out, "ismap_lapses"),
               *wait = json_object_get(out, "waiting");
        printf("%s から %s まで（%lld 日）\n", str(out, "today"), str(out, "until"), within);
        printf("利用期間が終わる登録: %zu 件\n", json_array_size(ending));
        json_array_foreach(ending, i, it) entry_line(it, "利用終了日");
        printf("廃止になる登録: %zu 件\n", json_array_size(retiring));
        json_array_foreach(retiring, i, it) entry_line(it, "廃止日");
        printf("ISMAP の登録が利用期間より先に切れる登録: %zu 件\n", json_array_size(lapses));
        json_array_foreach(lapses, i, it) printf(
            "  台帳番号 %lld %s（%s）ISMAP %s の有効期限 %s、利用終了日 %s\n",
            (long long)json_integer_value(json_object_get(it, "entry")), str(it, "service"),
            str(it, "department"), str(it, "ismap"), str(it, "expires_on"), str(it, "period_to"));
        printf("%lld 日以上動きのない申請（事前協議中・審査中）: %zu 件\n", waiting,
               json_array_size(wait));
        json_array_foreach(wait, i, it) printf(
            "  申請 #%lld %s（%s）%s、最終更新 %s\n",
            (long long)json_integer_value(json_object_get(it, "id")), str(it, "service"),
            str(it, "department"),
            strcmp(str(it, "state"), "submitted") == 0 ? "審査中" : "事前協議中", str(it, "since"));
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

const struct command remind_commands[] = {
    {"remind", cmd_remind, "remind [--within DAYS] [--waiting DAYS] [--json] [--as LOGIN]",
     "期限の近いものを一覧します（毎日の cron などで）: --within 日（既定 30）以内に利用期間が"
     "終わる登録と廃止になる登録、ISMAP の登録の有効期限が利用期間の終わりより前の登録、"
     "--waiting 日（既定 14）以上動きのない事前協議中・審査中の申請。"},
    {0}};
