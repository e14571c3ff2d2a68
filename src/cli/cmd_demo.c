/*
 * cmd_demo.c - extsvc demo: a ready-to-try database. One user per role
 * (password printed), sample requests in every state (data/demo/demo.json:
 * each new request is consulted on and concluded before it is submitted,
 * standard 5(2)①), and with --entries N that many further approved ledger
 * entries for benchmarks, filed the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../embedded.h"
#include "../workflow/workflow.h"
#include "cli.h"

/* Entries per transaction of demo --entries. */
#define DEMO_SLICE 200

static enum xcode as_user(struct db *db, const char *login, struct user *u, struct xerr *e)
{
    return wf_actor(db, login, u, e);
}

/* Take the steps [[action, login, comment], ...] on request id. */
static enum xcode take_steps(struct db *db, long long id, json_t *steps, struct xerr *e)
{
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s)
    {
        struct user u;
        const char *action = json_string_value(json_array_get(s, 0));
        if (as_user(db, json_string_value(json_array_get(s, 1)), &u, e))
            return e->code;
        enum xcode rc = wf_request_step(db, &u, id, (enum req_action)req_action_parse(action),
                                        json_string_value(json_array_get(s, 2)), e);
        user_release(&u);
        if (rc)
            return rc;
    }
    return XOK;
}

static enum xcode seed_samples(struct db *db, json_t *demo, struct xerr *e)
{
    const char *password = json_string_value(json_object_get(demo, "password"));
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(demo, "users"), i, u)
    {
        struct xerr ignore;
        unsigned roles = roles_parse(json_string_value(json_object_get(u, "roles")), &ignore);
        long long id;
        if (wf_user_add(db, NULL, json_string_value(json_object_get(u, "login")),
                        json_string_value(json_object_get(u, "name")),
                        json_string_value(json_object_get(u, "dept")), roles, password, &id, e))
            return e->code;
    }
    json_t *r;
    json_array_foreach(json_object_get(demo, "requests"), i, r)
    {
        struct user actor;
        if (as_user(db, json_string_value(json_object_get(r, "as")), &actor, e))
            return e->code;
        char *text = json_dumps(json_object_get(r, "document"), JSON_COMPACT);
        struct new_result res;
        enum xcode rc = wf_request_new(db, &actor, text, strlen(text),
                                       json_is_true(json_object_get(r, "carry_over")), &res, e);
        free(text);
        user_release(&actor);
        if (rc || take_steps(db, res.id, json_object_get(r, "steps"), e))
            return e->code;
    }
    return XOK;
}

/* Words for generated entries, so that searches meet realistic Japanese. */
static const char *const names[] = {
    "電子申請",   "施設予約",     "オンライン会議", "翻訳",           "地図",
    "アンケート", "ファイル共有", "チャット",       "動画配信",       "文書作成支援",
    "電子契約",   "勤怠管理",     "防災情報配信",   "図書館システム", "学習支援",
    "議事録作成", "広報メール",   "AI要約",         "グループウェア", "ストレージ"};
static const char *const providers[] = {"株式会社周南クラウド",     "徳山システム株式会社",
                                        "新南陽ソリューションズ",   "熊毛データ株式会社",
                                        "鹿野ネットワーク合同会社", "Example Cloud Inc."};
static const char *const purposes[] = {"市民向け手続の受付", "庁内の情報共有",    "会議資料の共有",
                                       "観光案内文の翻訳",   "避難所情報の公開",  "職員研修の実施",
                                       "窓口予約の受付",     "学校行事のお知らせ"};

static enum xcode seed_entries(struct db *db, long n, struct xerr *e)
{
    struct user mgr, appr;
    if (as_user(db, "somu", &mgr, e))
        return e->code;
    if (as_user(db, "shinsa", &appr, e)) {
        user_release(&mgr);
        return e->code;
    }
    enum xcode rc = db_begin_write(db, e);
    db_batch(db);
    json_t *risks = json_object();
    for (int k = 1; k <= 12; k++) {
        char key[8];
        snprintf(key, sizeof key, "%d", k);
        json_object_set_new(risks, key, json_pack("{s:s}", "decision", "accept"));
    }
    for (long i = 0; !rc && i < n; i++) {
        char name[128], year[16];
        snprintf(name, sizeof name, "%s%ld", names[i % 20], i / 20 + 1);
        snprintf(year, sizeof year, "%ld-03-31", 2027 + i % 3);
        json_t *doc = json_pack(
            "{s:{s:s, s:s, s:s}, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:s, s:O}", "service",
            "name", name, "function", "", "provider", providers[i % 6], "purpose", purposes[i % 8],
            "classification", "confidentiality", "1", "integrity", "1", "availability", "1",
            "period", "from", "2026-04-01", "to", year, "scope", "部局内に限る", "risks", risks);
        char *text = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        struct new_result res;
        rc = wf_request_new(db, &mgr, text, strlen(text), false, &res, e);
        free(text);
        /* 事前協議, concluded, then the application (5(2)①) and approval. */
        if (!rc)
            rc = wf_request_step(db, &mgr, res.id, ACT_CONSULT, NULL, e);
        if (!rc)
            rc = wf_request_step(db, &appr, res.id, ACT_CONCLUDE, NULL, e);
        if (!rc)
            rc = wf_request_step(db, &mgr, res.id, ACT_SUBMIT, NULL, e);
        if (!rc)
            rc = wf_request_step(db, &appr, res.id, ACT_APPROVE, NULL, e);
        if ((i + 1) % DEMO_SLICE == 0 || i + 1 == n) {
            if (!rc && (i + 1) % DEMO_SLICE == 0 && i + 1 < n) {
                /* Commit in slices, so memory and the WAL stay small, and
                 * PostgreSQL does not follow a long chain of versions of the
                 * one row every audit record updates (meta.audit_head): its
                 * old versions are only pruned once no transaction sees them,
                 * so updating it n times in one transaction costs n². */
                rc = db_commit(db, e);
                if (!rc)
                    rc = db_begin_write(db, e);
                db_batch(db);
            }
            if (isatty(STDERR_FILENO) || getenv("EXTSVC_PROGRESS"))
                fprintf(stderr, "\r台帳の登録を生成中: %ld / %ld", i + 1, n);
        }
    }
    if (isatty(STDERR_FILENO) || getenv("EXTSVC_PROGRESS"))
        fputc('\n', stderr);
    json_decref(risks);
    if (rc)
        db_rollback(db);
    else
        rc = db_commit(db, e);
    user_release(&mgr);
    user_release(&appr);
    return rc;
}

static int cmd_demo(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--entries", true, 0}, {0}};
    long long entries = 0;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (opt_value(opts, "--entries") &&
        (!parse_id(opt_value(opts, "--entries"), &entries) || entries > 10000000))
        return usage_error(self, "--entries は 1〜10000000 の整数です");
    struct xerr e = {0};
    struct db *db;
    if (wf_init(cl->db_url, &db, &e))
        return fail(&e);
    long long users = 0;
    if (db_one_int(db, "SELECT count(*) FROM users", DB_NOARGS, &users, NULL, &e)) {
        db_close(db);
        return fail(&e);
    }
    const struct embedded_file *f = embedded_find("demo/demo.json");
    json_t *demo = f ? json_loadb(f->data, f->size, 0, NULL) : NULL;
    if (!demo) {
        db_close(db);
        xerr_set(&e, X_INTERNAL, "同梱のデモデータがありません");
        return fail(&e);
    }
    int rc = 0;
    if (users == 0) {
        if (seed_samples(db, demo, &e))
            rc = fail(&e);
    } else if (!entries) {
        char shown[1024];
        fprintf(stderr, "extsvc: %s には利用者が登録済みのため、デモの利用者と申請は追加しません\n",
                db_url_shown(cl->db_url, shown, sizeof shown));
    }
    if (!rc && entries && seed_entries(db, (long)entries, &e))
        rc = fail(&e);
    if (!rc) {
        char shown[1024];
        printf("デモ用データベース: %s\n", db_url_shown(cl->db_url, shown, sizeof shown));
        printf("デモの利用者（パスワードはすべて %s）:\n",
               json_string_value(json_object_get(demo, "password")));
        size_t i;
        json_t *u;
        json_array_foreach(json_object_get(demo, "users"), i, u)
            printf("  %-8s %-10s %s（%s）\n", json_string_value(json_object_get(u, "login")),
                   json_string_value(json_object_get(u, "roles")),
                   json_string_value(json_object_get(u, "name")),
                   json_string_value(json_object_get(u, "dept")));
    }
    json_decref(demo);
    db_close(db);
    return rc;
}

const struct command demo_commands[] = {
    {"demo", cmd_demo, "demo [--entries N]",
     "すぐに試せるデータベースを作ります: "
     "役割ごとの利用者（パスワードを表示）と、承認済み・審査中・事前協議中・"
     "協議済み・下書き・差戻しの申請の例。--entries N で承認済みの台帳の登録を N "
     "件追加します（性能測定用）。"},
    {0},
};
