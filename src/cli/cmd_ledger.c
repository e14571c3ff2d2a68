/*
 * cmd_ledger.c - ledger list / show / extend / retire / expiring, and the
 * ledger CSV (CONTRACT.md section 4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/document.h"
#include "../core/text.h"
#include "../report/ledger_export.h"
#include "../workflow/workflow.h"
#include "cli.h"

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Progress on a terminal (or where EXTSVC_PROGRESS asks for it). */
static void show_progress(long long rows, bool done, void *arg)
{
    const char *what = arg;
    if (!done)
        fprintf(stderr, "\r台帳を %s に出力中: %lld 件", what, rows);
    else if (rows >= 10000)
        fprintf(stderr, "\r台帳を %s に出力しました: %lld 件\n", what, rows);
}

static bool want_progress(void)
{
    return isatty(STDERR_FILENO) || getenv("EXTSVC_PROGRESS");
}

/* Nothing reaches stdout until every entry converted, so an error never
 * leaves half a file. */
static int write_csv(struct db *db, const struct user *actor, struct ledger_query *q, bool cp932,
                     struct xerr *e)
{
    char *out;
    size_t n;
    enum xcode rc = ledger_export_csv(db, actor, q, cp932, &out, &n,
                                      want_progress() ? show_progress : NULL, "CSV", e);
    if (!rc && fwrite(out, 1, n, stdout) != n)
        rc = xerr_set(e, X_STORE, "CSV を書き出せません: %s", strerror(errno));
    free(out);
    return rc ? fail(e) : 0;
}

static int cmd_ledger_print(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {
        {"--pdf", true, 0},  {"--all", false, 0},  {"--q", true, 0},  {"--state", true, 0},
        {"--sort", true, 0}, {"--dates", true, 0}, {"--as", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos)
        return usage_error(self, "余分な引数 '%s' があります", argv[0]);
    if (!opt_value(opts, "--pdf"))
        return usage_error(self, "--pdf FILE で書き出す先を指定してください");
    enum date_style style = DATE_WAREKI;
    if (opt_value(opts, "--dates") && !date_style_parse(opt_value(opts, "--dates"), &style))
        return usage_error(self, "--dates は wareki、seireki、iso のいずれかです");
    struct ledger_query q = {.all = opt_flag(opts, "--all"),
                             .q = opt_value(opts, "--q"),
                             .state = opt_value(opts, "--state"),
                             .sort = opt_value(opts, "--sort")};
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    char *pdf = NULL;
    size_t n = 0;
    if (ledger_export_pdf(c.db, ctx_actor(&c), &q, style, &pdf, &n, &e) ||
        write_file(opt_value(opts, "--pdf"), pdf, n, &e))
        rc = fail(&e);
    free(pdf);
    close_ctx(&c);
    return rc;
}

static void print_entry_line(json_t *en)
{
    json_t *svc = json_object_get(en, "service"), *cls = json_object_get(en, "classification");
    json_t *period = json_object_get(en, "period");
    printf("%5lld %-8s %s%s%s%s / %s  機密性%s  %s〜%s  %s\n",
           (long long)json_integer_value(json_object_get(en, "id")), str(en, "state_label"),
           str(svc, "name"), *str(svc, "function") ? "（" : "", str(svc, "function"),
           *str(svc, "function") ? "）" : "", str(svc, "provider"), str(cls, "confidentiality"),
           str(period, "from"), str(period, "to"), str(en, "department"));
}

static int cmd_ledger_list(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--all", false, 0},  {"--json", false, 0},
                         {"--csv", false, 0},  {"--encoding", true, 0},
                         {"--q", true, 0},     {"--state", true, 0},
                         {"--sort", true, 0},  {"--desc", false, 0},
                         {"--limit", true, 0}, {"--offset", true, 0},
                         {"--as", true, 0},    {"--xlsx", true, 0},
                         {"--dates", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos)
        return usage_error(self, "余分な引数 '%s' があります", argv[0]);
    const char *enc = opt_value(opts, "--encoding");
    if (enc && strcmp(enc, "utf-8") != 0 && strcmp(enc, "cp932") != 0)
        return usage_error(self, "--encoding は utf-8 か cp932 です");
    if (enc && !opt_flag(opts, "--csv"))
        return usage_error(self, "--encoding は --csv と共に指定します");
    if ((opt_flag(opts, "--csv") + opt_flag(opts, "--json") + !!opt_value(opts, "--xlsx")) > 1)
        return usage_error(self, "--csv、--json、--xlsx のうち一つを指定します");
    enum date_style style = DATE_WAREKI;
    if (opt_value(opts, "--dates") &&
        (!opt_value(opts, "--xlsx") || !date_style_parse(opt_value(opts, "--dates"), &style) ||
         style == DATE_ISO))
        return usage_error(self, "--dates は --xlsx と共に wareki か seireki を指定します");
    struct ledger_query q = {.all = opt_flag(opts, "--all"),
                             .q = opt_value(opts, "--q"),
                             .state = opt_value(opts, "--state"),
                             .sort = opt_value(opts, "--sort"),
                             .desc = opt_flag(opts, "--desc")};
    long long v;
    if (opt_value(opts, "--limit")) {
        if (!parse_id(opt_value(opts, "--limit"), &v))
            return usage_error(self, "--limit は正の整数です");
        q.limit = v;
    }
    if (opt_value(opts, "--offset")) {
        if (strcmp(opt_value(opts, "--offset"), "0") != 0 &&
            !parse_id(opt_value(opts, "--offset"), &v))
            return usage_error(self, "--offset は 0 以上の整数です");
        q.offset = strcmp(opt_value(opts, "--offset"), "0") ? v : 0;
    }
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    json_t *out;
    if (opt_flag(opts, "--csv")) {
        rc = write_csv(db, ctx_actor(&c), &q, enc && strcmp(enc, "cp932") == 0, &e);
    } else if (opt_value(opts, "--xlsx")) {
        if (ledger_export_xlsx(db, ctx_actor(&c), &q, style, opt_value(opts, "--xlsx"),
                               want_progress() ? show_progress : NULL, "Excel", &e))
            rc = fail(&e);
    } else if (wf_ledger_list(db, ctx_actor(&c), &q, &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        size_t i;
        json_t *en;
        json_array_foreach(json_object_get(out, "entries"), i, en) print_entry_line(en);
        printf("（%lld 件）\n", (long long)json_integer_value(json_object_get(out, "total")));
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

static int cmd_ledger_show(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {"--as", true, 0}, {0}};
    long long id;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1 || !parse_id(argv[0], &id))
        return usage_error(self, "台帳番号を一つ指定してください");
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    json_t *out;
    if (wf_ledger_show(db, ctx_actor(&c), id, &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        json_t *svc = json_object_get(out, "service"),
               *cls = json_object_get(out, "classification");
        json_t *period = json_object_get(out, "period"), *appl = json_object_get(out, "applicant");
        printf("台帳番号 %lld（%s、第%lld版）\n", id, str(out, "state_label"),
               (long long)json_integer_value(json_object_get(out, "version")));
        printf("(ア) 外部サービスの名称: %s%s%s%s\n", str(svc, "name"),
               *str(svc, "function") ? "（" : "", str(svc, "function"),
               *str(svc, "function") ? "）" : "");
        printf("(イ) 外部サービス提供者: %s\n", str(svc, "provider"));
        printf("(ウ) 利用目的: %s\n", str(out, "purpose"));
        printf("(エ) 格付: 機密性%s 完全性%s 可用性%s\n", str(cls, "confidentiality"),
               str(cls, "integrity"), str(cls, "availability"));
        printf("(オ) 利用期間: %s 〜 %s\n", str(period, "from"), str(period, "to"));
        printf("(カ) 利用申請者: %s %s\n", str(appl, "department"), str(appl, "name"));
        printf("(キ) 利用者の範囲: %s\n", str(out, "scope"));
        if (json_is_string(json_object_get(out, "retired_on")))
            printf("廃止日: %s\n", str(out, "retired_on"));
        size_t i;
        json_t *v;
        if (*str(svc, "cloud_provider"))
            printf("クラウドサービスプロバイダー: %s\n", str(svc, "cloud_provider"));
        if (*str(svc, "data_location"))
            printf("データの所在: %s\n", str(svc, "data_location"));
        json_t *pi = json_object_get(out, "personal_information");
        if (json_is_boolean(pi))
            printf("個人情報: %s\n", json_is_true(pi) ? "取り扱う" : "取り扱わない");
        json_t *pro = json_object_get(out, "procurement");
        if (*str(pro, "approval_ref"))
            printf("調達: 決裁番号 %s  決裁日 %s  業者決定日 %s\n", str(pro, "approval_ref"),
                   str(pro, "approved_on"), str(pro, "vendor_decided_on"));
        json_array_foreach(json_object_get(out, "conditions"), i, v)
            printf("個別の選定条件 %zu: %s\n", i + 1, str(v, "text"));
        json_t *apv = json_object_get(out, "approval");
        printf("承認: %s（%s） %s\n", str(apv, "by_name"), str(apv, "by"), str(apv, "at"));
        printf("\n履歴:\n");
        json_array_foreach(json_object_get(out, "versions"), i, v) printf(
            "  第%lld版 %s 申請 #%lld（%s）%s〜%s\n",
            (long long)json_integer_value(json_object_get(v, "version")), str(v, "recorded_at"),
            (long long)json_integer_value(json_object_get(v, "request_id")), str(v, "kind"),
            str(json_object_get(v, "period"), "from"), str(json_object_get(v, "period"), "to"));
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

static int entry_request(const struct command *self, struct cmdline *cl, int argc, char **argv,
                         const char *dateopt, bool retire)
{
    struct opt opts[] = {
        {"--as", true, 0}, {dateopt, true, 0}, {"--comment", true, 0}, {"--json", false, 0}, {0}};
    long long id;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1 || !parse_id(argv[0], &id))
        return usage_error(self, "台帳番号を一つ指定してください");
    if (!opt_value(opts, "--as") || !opt_value(opts, dateopt))
        return usage_error(self, "--as と %s を指定してください", dateopt);
    char day[11];
    if ((done = opt_date(self, opts, dateopt, day)) >= 0)
        return done;
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    long long req;
    enum xcode xc =
        retire ? wf_ledger_retire(db, &c.actor, id, day, opt_value(opts, "--comment"), &req, &e)
               : wf_ledger_extend(db, &c.actor, id, day, opt_value(opts, "--comment"), &req, &e);
    if (xc)
        rc = fail(&e);
    else if (opt_flag(opts, "--json"))
        print_json(json_pack("{s:I}", "id", (json_int_t)req));
    else
        printf("台帳番号 %lld の%s申請 #%lld を下書きとして作成しました（request submit "
               "で申請してください）\n",
               id, retire ? "廃止" : "期間延長", req);
    close_ctx(&c);
    return rc;
}

static int cmd_ledger_extend(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    return entry_request(self, cl, argc, argv, "--to", false);
}

static int cmd_ledger_retire(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    return entry_request(self, cl, argc, argv, "--on", true);
}

static int cmd_ledger_change(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--as", true, 0}, {"--json", false, 0}, {0}};
    long long id;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 2 || !parse_id(argv[0], &id))
        return usage_error(self, "台帳番号と申請書のファイルを指定してください");
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as で操作する利用者を指定してください");
    struct xerr e = {0};
    char *text;
    size_t n;
    struct ctx c;
    int rc = open_ctx_with_input(cl, opts, argv[1], DOCUMENT_MAX_BYTES, &text, &n, &c);
    if (rc)
        return rc;
    long long req;
    if (wf_ledger_change(c.db, &c.actor, id, text, n, &req, &e))
        rc = fail(&e);
    else if (opt_flag(opts, "--json"))
        print_json(json_pack("{s:I}", "id", (json_int_t)req));
    else
        printf("台帳番号 %lld の変更申請 #%lld を下書きとして作成しました（request submit "
               "で申請してください）\n",
               id, req);
    free(text);
    close_ctx(&c);
    return rc;
}

static int cmd_ledger_expiring(const struct command *self, struct cmdline *cl, int argc,
                               char **argv)
{
    struct opt opts[] = {{"--days", true, 0}, {"--json", false, 0}, {"--as", true, 0}, {0}};
    long long days = 90;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (opt_value(opts, "--days") && (!parse_id(opt_value(opts, "--days"), &days) || days > 3650))
        return usage_error(self, "--days は 1〜3650 の整数です");
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    json_t *out;
    if (wf_ledger_expiring(db, ctx_actor(&c), (int)days, &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        size_t i;
        json_t *en;
        json_array_foreach(json_object_get(out, "entries"), i, en) print_entry_line(en);
        printf("（%s までに期間が終わる %lld 件）\n", str(out, "until"),
               (long long)json_integer_value(json_object_get(out, "total")));
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

const struct command ledger_commands[] = {
    {"ledger print", cmd_ledger_print,
     "ledger print --pdf FILE [--all] [--q TEXT] [--state S] [--sort S] [--dates "
     "wareki|seireki|iso]",
     "台帳を印刷用の PDF（A4 横、各ページに見出し。日付は既定で和暦）で FILE に書きます。"},
    {"ledger list", cmd_ledger_list,
     "ledger list [--all] [--q TEXT] [--state S] [--sort id|name|period_to|updated [--desc]] "
     "[--limit N] [--offset N] [--json | --csv [--encoding utf-8|cp932] | --xlsx FILE "
     "[--dates wareki|seireki]]",
     "外部サービス利用台帳の利用中の登録（利用開始前・廃止予定を含む）を表示します（--all: "
     "期間満了・廃止も）。--csv は RFC "
     "4180、"
     "CRLF、既定で BOM 付き UTF-8、--encoding cp932 で Windows の Excel 向け。CP932 "
     "で表せない文字は"
     "台帳番号と項目を示して誤りにします。--xlsx は Excel のブック（シート「台帳」と、"
     "要件ごとの回答のシート「要件の回答」）を FILE に書きます。日付は Excel の日付で、"
     "表示は和暦（既定）か西暦（--dates seireki）です。"},
    {"ledger show", cmd_ledger_show, "ledger show ID [--json] [--as LOGIN]",
     "台帳の登録一件と、そのすべての版（古い順）を表示します。"},
    {"ledger extend", cmd_ledger_extend,
     "ledger extend --as LOGIN ID --to DATE [--comment TEXT] [--json]",
     "利用期間を延長する変更申請を下書きとして作成します。申請・承認は通常の申請と同じです。"
     "DATE は 2028-03-31、令和10年3月31日、R10.3.31 などの形で書けます。"},
    {"ledger retire", cmd_ledger_retire,
     "ledger retire --as LOGIN ID --on DATE [--comment TEXT] [--json]",
     "利用を廃止する申請を下書きとして作成します。承認されると台帳の状態は「廃止」になります。"
     "DATE は ISO か和暦（令和9年12月31日、R9.12.31 など）です。"},
    {"ledger change", cmd_ledger_change, "ledger change --as LOGIN ID FILE|- [--json]",
     "台帳の登録の変更申請（本基準5(2)③「変更」: 利用目的、利用者の範囲、格付など）を下書きとして"
     "作成します。申請書は現在の版の申請書に重ねます（書いた項目だけが変わります）。外部サービスの"
     "名称と提供者は変えられません。格付を変えると、その格付の審査の区分で評価します。"},
    {"ledger expiring", cmd_ledger_expiring, "ledger expiring [--days N] [--json] [--as LOGIN]",
     "利用期間が N 日（既定 90 日）以内に終わる利用中の登録。"},
    {0},
};
