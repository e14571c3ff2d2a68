/*
 * cmd_admin.c - init, users, the catalogue, check and the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/catalogue.h"
#include "../core/document.h"
#include "../core/text.h"
#include "../workflow/workflow.h"
#include "cli.h"

#define CATALOGUE_MAX_BYTES (4u << 20)

static int cmd_init(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos)
        return usage_error(self, "余分な引数 '%s' があります", argv[0]);
    struct xerr e = {0};
    struct db *db;
    if (wf_init(cl->db_url, &db, &e))
        return fail(&e);
    /* After an upgrade, each entry's API answer made ready now rather than
     * by the server in the background (it would read the long way until). */
    bool progress = isatty(STDERR_FILENO) || getenv("EXTSVC_PROGRESS");
    long long made = 0;
    for (int n; !wf_entry_json_fill(db, 200, &n, &e) && n > 0;) {
        made += n;
        if (progress)
            fprintf(stderr, "\r台帳の応答を用意しています: %lld 件", made);
    }
    if (progress && made)
        fprintf(stderr, "\n");
    if (e.code) {
        db_close(db);
        return fail(&e);
    }
    struct catalogue cat;
    if (wf_catalogue_current(db, &cat, &e)) {
        db_close(db);
        return fail(&e);
    }
    char shown[1024];
    printf("データベース %s を初期化しました（スキーマ %d、施行中のカタログ %s）\n",
           db_url_shown(cl->db_url, shown, sizeof shown), SCHEMA_VERSION, cat.id);
    catalogue_release(&cat);
    db_close(db);
    return 0;
}

/* Read a password from standard input: one line, without its newline. */
static enum xcode read_password(char **out, struct xerr *e)
{
    char *text;
    size_t n;
    if (read_input("-", 1024, &text, &n, e))
        return e->code;
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    *out = text;
    return XOK;
}

static int cmd_user_add(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--name", true, 0},
                         {"--dept", true, 0},
                         {"--role", true, 0},
                         {"--password-stdin", false, 0},
                         {"--as", true, 0},
                         {"--json", false, 0},
                         {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1)
        return usage_error(self, "ログイン名を一つ指定してください");
    if (!opt_value(opts, "--name") || !opt_value(opts, "--dept") || !opt_value(opts, "--role"))
        return usage_error(self, "--name, --dept, --role を指定してください");
    struct xerr e = {0};
    unsigned roles = roles_parse(opt_value(opts, "--role"), &e);
    if (!roles)
        return fail(&e);
    char *password = NULL;
    if (opt_flag(opts, "--password-stdin") && read_password(&password, &e))
        return fail(&e);
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc) {
        free(password);
        return rc;
    }
    struct db *db = c.db;
    long long id;
    if (wf_user_add(db, ctx_actor(&c), argv[0], opt_value(opts, "--name"),
                    opt_value(opts, "--dept"), roles, password, &id, &e))
        rc = fail(&e);
    else if (opt_flag(opts, "--json"))
        print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "login", argv[0]));
    else
        printf("利用者 %s を登録しました（#%lld）\n", argv[0], id);
    free(password);
    close_ctx(&c);
    return rc;
}

static int cmd_user_update(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--name", true, 0},     {"--dept", true, 0},
                         {"--role", true, 0},     {"--password-stdin", false, 0},
                         {"--disable", false, 0}, {"--enable", false, 0},
                         {"--as", true, 0},       {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1)
        return usage_error(self, "ログイン名を一つ指定してください");
    struct xerr e = {0};
    unsigned roles = 0;
    if (opt_value(opts, "--role") && !(roles = roles_parse(opt_value(opts, "--role"), &e)))
        return fail(&e);
    int active = opt_flag(opts, "--disable") ? 0 : opt_flag(opts, "--enable") ? 1 : -1;
    char *password = NULL;
    if (opt_flag(opts, "--password-stdin") && read_password(&password, &e))
        return fail(&e);
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc) {
        free(password);
        return rc;
    }
    struct db *db = c.db;
    if (wf_user_update(db, ctx_actor(&c), argv[0], opt_value(opts, "--name"),
                       opt_value(opts, "--dept"), roles, active, password, &e))
        rc = fail(&e);
    else
        printf("利用者 %s を更新しました\n", argv[0]);
    free(password);
    close_ctx(&c);
    return rc;
}

static int cmd_user_list(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {"--as", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    json_t *out;
    if (wf_user_list(db, ctx_actor(&c), &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        size_t i;
        json_t *u;
        json_array_foreach(json_object_get(out, "users"), i, u)
        {
            printf("%-16s %s（%s）", json_string_value(json_object_get(u, "login")),
                   json_string_value(json_object_get(u, "name")),
                   json_string_value(json_object_get(u, "department")));
            size_t k;
            json_t *r;
            json_array_foreach(json_object_get(u, "roles"), k, r)
                printf("%s%s", k ? "," : " ", json_string_value(r));
            printf("%s\n", json_is_true(json_object_get(u, "active")) ? "" : " （無効）");
        }
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

static void print_catalogue_text(const struct catalogue *cat)
{
    printf("%s（%s、%s 施行）\n\n", cat->title, cat->id, cat->effective);
    printf("格付（機密性 %s 以上は別紙の要件一覧、未満は 1(4) のリスク検討）\n", cat->threshold);
    for (int a = 0; a < AXIS_COUNT; a++)
        for (size_t i = 0; i < cat->nLevels[a]; i++)
            printf("  %s%s: %s\n", axis_label((enum axis)a), cat->levels[a][i].level,
                   cat->levels[a][i].definition);
    printf("\n別紙「外部サービス要件一覧」\n");
    for (size_t i = 0; i < cat->nReqs; i++) {
        const struct requirement *r = &cat->reqs[i];
        printf("  %2d %s %s【%s】%s\n", r->no, r->clause, req_level_label(r->level), r->category,
               r->text);
    }
    printf("\n1(4) 外部サービス利用の特性\n");
    for (size_t i = 0; i < cat->nRisks; i++)
        printf("  %s %s\n", circled_number(cat->risks[i].no), cat->risks[i].text);
}

static int cmd_catalogue_show(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {"--id", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    struct xerr e = {0};
    struct db *db = NULL;
    struct catalogue cat;
    /* Without a database, the bundled catalogue. */
    if (wf_open_present(cl->db_url, &db, &e))
        return fail(&e);
    enum xcode rc;
    if (opt_value(opts, "--id") && db) {
        char *body;
        rc = store_catalogue_get(db, opt_value(opts, "--id"), &body, &e);
        if (!rc) {
            rc = catalogue_parse_text(body, strlen(body), &cat, &e);
            free(body);
        }
    } else {
        rc = wf_catalogue_current(db, &cat, &e);
    }
    db_close(db);
    if (rc)
        return fail(&e);
    if (opt_flag(opts, "--json"))
        print_json(json_incref(cat.json));
    else
        print_catalogue_text(&cat);
    catalogue_release(&cat);
    return 0;
}

static int cmd_catalogue_load(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--as", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1)
        return usage_error(self, "カタログのファイルを一つ指定してください");
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as で操作する利用者を指定してください");
    struct xerr e = {0};
    char *text;
    size_t n;
    struct ctx c;
    int rc = open_ctx_with_input(cl, opts, argv[0], CATALOGUE_MAX_BYTES, &text, &n, &c);
    if (rc)
        return rc;
    struct db *db = c.db;
    char *id;
    if (wf_catalogue_load(db, &c.actor, text, n, &id, &e)) {
        rc = fail(&e);
    } else {
        printf("カタログ %s を読み込み、施行中にしました\n", id);
        free(id);
    }
    free(text);
    close_ctx(&c);
    return rc;
}

static int cmd_catalogue_list(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    struct xerr e = {0};
    struct db *db;
    if (wf_open(cl->db_url, &db, &e))
        return fail(&e);
    json_t *out;
    int rc = 0;
    if (store_catalogue_list(db, &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(out, "catalogues"), i, c)
            printf("%s %-16s %s（%s 施行、%s 読込）\n",
                   json_is_true(json_object_get(c, "in_force")) ? "*" : " ",
                   json_string_value(json_object_get(c, "id")),
                   json_string_value(json_object_get(c, "title")),
                   json_string_value(json_object_get(c, "effective")),
                   json_string_value(json_object_get(c, "loaded_at")));
        json_decref(out);
    }
    db_close(db);
    return rc;
}

static int cmd_check(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1)
        return usage_error(self, "申請書のファイル（標準入力は -）を一つ指定してください");
    struct xerr e = {0};
    char *text;
    size_t n;
    if (read_input(argv[0], DOCUMENT_MAX_BYTES, &text, &n, &e))
        return fail(&e);
    struct db *db = NULL;
    if (wf_open_present(cl->db_url, &db, &e)) {
        free(text);
        return fail(&e);
    }
    json_t *out;
    bool approvable;
    enum xcode rc = wf_check(db, text, n, &out, &approvable, &e);
    free(text);
    db_close(db);
    if (rc)
        return fail(&e);
    print_json(out);
    return approvable ? 0 : 1;
}

static void print_audit_text(json_t *out)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(out, "records"), i, r) printf(
        "#%-6lld %s %-12s %-18s %s\n", (long long)json_integer_value(json_object_get(r, "seq")),
        json_string_value(json_object_get(r, "at")), json_string_value(json_object_get(r, "actor")),
        json_string_value(json_object_get(r, "action")),
        json_string_value(json_object_get(r, "object")));
}

static int cmd_audit_list(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {
        {"--json", false, 0},  {"--as", true, 0},    {"--actor", true, 0}, {"--action", true, 0},
        {"--object", true, 0}, {"--since", true, 0}, {"--until", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    struct audit_filter f = {.actor = opt_value(opts, "--actor"),
                             .action = opt_value(opts, "--action"),
                             .object = opt_value(opts, "--object"),
                             .since = opt_value(opts, "--since"),
                             .until = opt_value(opts, "--until")};
    json_t *out;
    if (wf_audit_list(db, ctx_actor(&c), &f, &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        print_audit_text(out);
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

static int cmd_audit_head(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {"--as", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    char head[96];
    if (wf_audit_head(c.db, ctx_actor(&c), head, &e)) {
        rc = fail(&e);
    } else if (!head[0]) {
        xerr_set(&e, X_NOTFOUND, "監査ログにまだ記録がありません");
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        char *colon = strchr(head, ':');
        print_json(json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)strtoll(head, NULL, 10), "hash",
                             colon + 1, "head", head));
    } else {
        printf("%s\n", head);
    }
    close_ctx(&c);
    return rc;
}

static int cmd_audit_verify(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {"--as", true, 0}, {"--head", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    bool ok;
    json_t *report;
    if (wf_audit_verify(db, ctx_actor(&c), opt_value(opts, "--head"), &ok, &report, &e)) {
        rc = fail(&e);
    } else {
        if (opt_flag(opts, "--json")) {
            print_json(json_incref(report));
        } else if (ok) {
            printf("監査ログは正常です（%lld 件、先頭ハッシュ %s）\n",
                   (long long)json_integer_value(json_object_get(report, "records")),
                   json_string_value(json_object_get(report, "head")));
        } else {
            size_t i;
            json_t *p;
            json_array_foreach(json_object_get(report, "problems"), i, p)
                fprintf(stderr, "extsvc: %s\n", json_string_value(json_object_get(p, "message")));
        }
        json_decref(report);
        rc = ok ? 0 : 1;
    }
    close_ctx(&c);
    return rc;
}

static int cmd_overview(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {"--as", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    json_t *out;
    if (wf_overview(c.db, ctx_actor(&c), &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        json_t *t = json_object_get(out, "entries");
        printf("台帳: 利用中 %lld 件、期間満了 %lld 件、廃止 %lld 件\n",
               (long long)json_integer_value(json_object_get(t, "active")),
               (long long)json_integer_value(json_object_get(t, "expired")),
               (long long)json_integer_value(json_object_get(t, "retired")));
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(out, "by_department"), i, d)
            printf("  %s: 利用中 %lld / 期間満了 %lld / 廃止 %lld\n",
                   json_string_value(json_object_get(d, "department")),
                   (long long)json_integer_value(json_object_get(d, "active")),
                   (long long)json_integer_value(json_object_get(d, "expired")),
                   (long long)json_integer_value(json_object_get(d, "retired")));
        const char *key;
        json_t *v;
        printf("申請:");
        json_object_foreach(json_object_get(out, "requests"), key, v)
        {
            int st = req_state_parse(key);
            printf(" %s %lld 件", st >= 0 ? req_state_label((enum req_state)st) : key,
                   (long long)json_integer_value(v));
        }
        printf("\n");
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

static int cmd_serve(const struct command *self, struct cmdline *cl, int argc, char **argv);

const struct command admin_commands[] = {
    {"init", cmd_init, "init",
     "データベースを作成（既にあれば最新のスキーマへ移行）し、同梱のカタログ（周南市外部サービス利"
     "用基準）"
     "を読み込みます。何度実行しても安全です。"},
    {"user add", cmd_user_add,
     "user add LOGIN --name NAME --dept DEPT --role ROLE[,ROLE...] [--password-stdin] [--as LOGIN]",
     "利用者を登録します。役割: staff（職員）, manager（情報セキュリティ管理者）, approver"
     "（情報システム管理者）, ciso（統括情報セキュリティ責任者）, auditor（監査）, "
     "admin（利用者管理）。"
     "--password-stdin で標準入力の1行をパスワード（8文字以上）にします。--as を付けると admin "
     "の権限で"
     "登録し、監査ログにその利用者が記録されます。"},
    {"user update", cmd_user_update,
     "user update LOGIN [--name NAME] [--dept DEPT] [--role ROLES] [--password-stdin] "
     "[--disable|--enable] [--as LOGIN]",
     "利用者の氏名・所属・役割・パスワード・有効/無効を変更します。"},
    {"user list", cmd_user_list, "user list [--json] [--as LOGIN]", "利用者の一覧を表示します。"},
    {"catalogue show", cmd_catalogue_show, "catalogue show [--json] [--id ID]",
     "施行中のカタログ（別紙の28要件、1(4)の12のリスク、格付の区分）を表示します。"
     "データベースがなければ同梱のカタログを表示します。"},
    {"catalogue load", cmd_catalogue_load, "catalogue load --as LOGIN FILE",
     "新しい版のカタログ（catalogue show --json と同じ形の JSON）を読み込み、施行中にします。"
     "ciso のみ。既存の申請は評価したときの版を保ちます。"},
    {"catalogue list", cmd_catalogue_list, "catalogue list [--json]",
     "読み込まれたカタログの版の一覧（* が施行中）。"},
    {"check", cmd_check, "check FILE|-",
     "申請書を保存せずに評価し、評価結果の JSON を表示します。終了コード 0 承認可、1 承認不可、"
     "2 申請書の誤り。"},
    {"audit list", cmd_audit_list,
     "audit list [--json] [--as LOGIN] [--actor LOGIN] [--action A] [--object KIND:ID|KIND] "
     "[--since DATE] [--until DATE]",
     "監査ログを古い順に表示します。--object request:3 はその申請だけ、--object request: "
     "（または request）は申請のすべてです。"},
    {"audit head", cmd_audit_head, "audit head [--json] [--as LOGIN]",
     "監査ログの最新の記録を「番号:ハッシュ」で出力します。データベースの外（紙、メール、syslog "
     "など）に控えておき、後で extsvc audit verify --head に渡すと、その記録以降が消されたり"
     "書き換えられたりしていないかを確かめられます。"},
    {"audit verify", cmd_audit_verify, "audit verify [--json] [--as LOGIN] [--head SEQ:HASH]",
     "監査ログのハッシュの連鎖（鍵ファイルの鍵による HMAC-SHA-256）を検証します。改ざん・削除・"
     "挿入・入れ替えがあれば記録を示して終了コード 1。--head には以前 extsvc audit head で控えた"
     "「番号:ハッシュ」を渡し、その記録が今も同じであることも確かめます。鍵ファイルが必要です。"},
    {"overview", cmd_overview, "overview [--json] [--as LOGIN]",
     "全庁の集計: "
     "所属ごとの台帳の登録（利用中・期間満了・廃止）、機密性ごとの利用中の登録、状態ごとの申請。"
     "--as では ciso, auditor, approver が閲覧できます。"},
    {"serve", cmd_serve, "serve [--listen ADDR:PORT] [--config FILE]",
     "Web アプリケーション（日本語の画面と JSON API）を起動します。"},
    {0},
};

#include "../web/server.h"

static int cmd_serve(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    return web_serve_main(self->usage, cl->db_url, argc, argv);
}
