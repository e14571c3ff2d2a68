/*
 * cmd_request.c - request new / update / show / list and the workflow steps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/document.h"
#include "../workflow/workflow.h"
#include "../report/request_pdf.h"
#include "cli.h"

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int cmd_request_new(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--as", true, 0}, {"--carry-over", false, 0}, {"--json", false, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1)
        return usage_error(self, "申請書のファイル（標準入力は -）を一つ指定してください");
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as で申請する利用者を指定してください");
    struct xerr e = {0};
    char *text;
    size_t n;
    struct ctx c;
    int rc = open_ctx_with_input(cl, opts, argv[0], DOCUMENT_MAX_BYTES, &text, &n, &c);
    if (rc)
        return rc;
    struct db *db = c.db;
    struct new_result res;
    if (wf_request_new(db, &c.actor, text, n, opt_flag(opts, "--carry-over"), &res, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        json_t *o = json_pack("{s:I}", "id", (json_int_t)res.id);
        if (opt_flag(opts, "--carry-over")) {
            json_object_set_new(o, "carried_over", json_integer(res.carried));
            json_object_set_new(o, "carried_from",
                                res.carried_from ? json_integer(res.carried_from) : json_null());
        }
        print_json(o);
    } else {
        printf("申請 #%lld を下書きとして保存しました\n", res.id);
        if (opt_flag(opts, "--carry-over")) {
            if (res.carried_from)
                printf("申請 #%lld（承認済み）から %d 件の回答を引き継ぎました\n", res.carried_from,
                       res.carried);
            else
                printf("同じ外部サービスの承認済み申請がないため、引き継いだ回答はありません\n");
        }
    }
    free(text);
    close_ctx(&c);
    return rc;
}

static int cmd_request_update(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--as", true, 0}, {"--catalogue", true, 0}, {0}};
    long long id;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    const char *move = opt_value(opts, "--catalogue");
    if (move && strcmp(move, "current") != 0)
        return usage_error(self, "--catalogue に指定できるのは current（施行中の版）だけです");
    if (!(npos == 2 || (move && npos == 1)) || !parse_id(argv[0], &id))
        return usage_error(self, "申請番号と申請書のファイルを指定してください");
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as で操作する利用者を指定してください");
    struct xerr e = {0};
    char *text = NULL;
    size_t n = 0;
    if (npos == 2 && read_input(argv[1], DOCUMENT_MAX_BYTES, &text, &n, &e))
        return fail(&e);
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc) {
        free(text);
        return rc;
    }
    struct db *db = c.db;
    if (move ? wf_request_move(db, &c.actor, id, text, n, &e)
             : wf_request_update(db, &c.actor, id, text, n, &e))
        rc = fail(&e);
    else if (move)
        printf("申請 #%lld を施行中のカタログに移しました\n", id);
    else
        printf("申請 #%lld の申請書を更新しました\n", id);
    free(text);
    close_ctx(&c);
    return rc;
}

static void print_request_text(json_t *r)
{
    json_t *doc = json_object_get(r, "document"), *ev = json_object_get(r, "evaluation");
    json_t *svc = json_object_get(doc, "service"), *cls = json_object_get(doc, "classification");
    printf("申請 #%lld（%s）  状態: %s\n", (long long)json_integer_value(json_object_get(r, "id")),
           str(r, "kind"), str(r, "state_label"));
    printf("所属: %s  作成: %s（%s）  %s\n", str(r, "department"), str(r, "created_by_name"),
           str(r, "created_by"), str(r, "created_at"));
    printf("外部サービス: %s%s%s%s / %s\n", str(svc, "name"), *str(svc, "function") ? "（" : "",
           str(svc, "function"), *str(svc, "function") ? "）" : "", str(svc, "provider"));
    printf("利用目的: %s\n", str(doc, "purpose"));
    printf("格付: 機密性%s 完全性%s 可用性%s\n", str(cls, "confidentiality"), str(cls, "integrity"),
           str(cls, "availability"));
    printf("利用期間: %s 〜 %s\n", str(json_object_get(doc, "period"), "from"),
           str(json_object_get(doc, "period"), "to"));
    printf("利用者の範囲: %s\n", str(doc, "scope"));
    json_t *pro = json_object_get(doc, "procurement");
    printf("調達（本基準5(2)）: 決裁番号 %s  決裁日 %s  業者決定日 %s\n",
           *str(pro, "approval_ref") ? str(pro, "approval_ref") : "（なし）",
           *str(pro, "approved_on") ? str(pro, "approved_on") : "（なし）",
           *str(pro, "vendor_decided_on") ? str(pro, "vendor_decided_on") : "（なし）");
    if (json_is_string(json_object_get(r, "retire_on")))
        printf("廃止日: %s\n", str(r, "retire_on"));
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "conditions"), i, f)
        printf("個別の選定条件 %zu（本基準6）: %s [%s]\n", i + 1, str(f, "text"), str(f, "status"));
    json_t *con = json_object_get(r, "consultation");
    if (json_is_true(json_object_get(con, "held")))
        printf("事前協議（本基準5(2)①）: %s\n",
               json_is_string(json_object_get(con, "concluded_at")) ? "協議済み" : "協議中");
    if (json_is_string(json_object_get(con, "concluded_at")))
        printf("  協議済みにした人: %s（%s） %s\n", str(con, "concluded_by_name"),
               str(con, "concluded_by"), str(con, "concluded_at"));
    json_array_foreach(json_object_get(con, "comments"), i, f)
        printf("  %s %s「%s」\n", str(f, "at"), str(f, "actor"), str(f, "comment"));
    json_array_foreach(json_object_get(r, "changes"), i, f)
    {
        char *b = json_dumps(json_object_get(f, "before"), JSON_ENCODE_ANY | JSON_COMPACT);
        char *a = json_dumps(json_object_get(f, "after"), JSON_ENCODE_ANY | JSON_COMPACT);
        printf("%s変更: %s: %s → %s\n", i ? "" : "\n", str(f, "label"), b ? b : "null",
               a ? a : "null");
        free(b);
        free(a);
    }
    printf("\n評価: %s（%s、カタログ %s）\n",
           json_is_true(json_object_get(ev, "approvable")) ? "承認可" : "承認不可",
           strcmp(str(ev, "track"), "requirements") == 0 ? "別紙 要件一覧（機密性2以上）"
                                                         : "1(4) リスクの検討（機密性2未満）",
           str(ev, "catalogue"));
    json_array_foreach(json_object_get(ev, "findings"), i, f)
        printf("  [%s] %s\n", strcmp(str(f, "severity"), "blocker") == 0 ? "阻害" : "注意",
               str(f, "message"));
    printf("\n履歴:\n");
    json_array_foreach(json_object_get(r, "history"), i, f)
    {
        printf("  %s %s %s → %s", str(f, "at"), str(f, "actor"), str(f, "action"), str(f, "to"));
        if (json_is_string(json_object_get(f, "comment")))
            printf("「%s」", str(f, "comment"));
        printf("\n");
    }
}

static int cmd_request_show(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {"--as", true, 0}, {0}};
    long long id;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1 || !parse_id(argv[0], &id))
        return usage_error(self, "申請番号を一つ指定してください");
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    json_t *out;
    if (wf_request_show(db, ctx_actor(&c), id, &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        print_request_text(out);
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

static int cmd_request_list(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {{"--json", false, 0}, {"--state", true, 0}, {"--as", true, 0}, {0}};
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos)
        return usage_error(self, "余分な引数 '%s' があります", argv[0]);
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    json_t *out;
    struct request_query q = {.state = opt_value(opts, "--state")};
    if (wf_request_list(db, ctx_actor(&c), &q, &out, &e)) {
        rc = fail(&e);
    } else if (opt_flag(opts, "--json")) {
        print_json(out);
    } else {
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(out, "requests"), i, r)
        {
            json_t *svc = json_object_get(r, "service");
            printf("#%-5lld %-7s %-10s %-4s %s %s\n",
                   (long long)json_integer_value(json_object_get(r, "id")), str(r, "kind"),
                   str(r, "state"), json_is_true(json_object_get(r, "approvable")) ? "可" : "不可",
                   str(r, "department"), svc ? str(svc, "name") : "（未入力）");
        }
        json_decref(out);
    }
    close_ctx(&c);
    return rc;
}

static int step(const struct command *self, struct cmdline *cl, int argc, char **argv,
                enum req_action action)
{
    struct opt opts[] = {{"--as", true, 0}, {"--comment", true, 0}, {0}};
    long long id;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1 || !parse_id(argv[0], &id))
        return usage_error(self, "申請番号を一つ指定してください");
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as で操作する利用者を指定してください");
    if (req_action_needs_comment(action) && !opt_value(opts, "--comment"))
        return usage_error(self, "%sには --comment で理由を指定してください",
                           req_action_label(action));
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    struct db *db = c.db;
    if (wf_request_step(db, &c.actor, id, action, opt_value(opts, "--comment"), &e))
        rc = fail(&e);
    else
        printf("申請 #%lld: %sしました\n", id,
               action == ACT_CONCLUDE ? "協議済みに" : req_action_label(action));
    close_ctx(&c);
    return rc;
}

#define STEP(name, action)                                                                         \
    static int cmd_request_##name(const struct command *self, struct cmdline *cl, int argc,        \
                                  char **argv)                                                     \
    {                                                                                              \
        return step(self, cl, argc, argv, action);                                                 \
    }
STEP(consult, ACT_CONSULT)
STEP(submit, ACT_SUBMIT)
STEP(withdraw, ACT_WITHDRAW)
STEP(approve, ACT_APPROVE)
STEP(reject, ACT_REJECT)
STEP(return, ACT_RETURN)
STEP(comment, ACT_COMMENT)
STEP(conclude, ACT_CONCLUDE)

static int cmd_request_attach(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    struct opt opts[] = {
        {"--as", true, 0}, {"--item", true, 0}, {"--note", true, 0}, {"--json", false, 0}, {0}};
    long long id, item = 0;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 2 || !parse_id(argv[0], &id))
        return usage_error(self, "申請番号と添付するファイルを指定してください");
    if (!opt_value(opts, "--as"))
        return usage_error(self, "--as で操作する利用者を指定してください");
    if (opt_value(opts, "--item") && !parse_id(opt_value(opts, "--item"), &item))
        return usage_error(self, "--item は要件の項番です");
    char *data;
    size_t n;
    struct ctx c;
    int rc = open_ctx_with_input(cl, opts, argv[1], ATTACH_MAX_DEFAULT, &data, &n, &c);
    if (rc)
        return rc;
    struct xerr e = {0};
    long long aid;
    if (wf_attach(c.db, &c.actor, id, argv[1], data, n, item, opt_value(opts, "--note"),
                  ATTACH_MAX_DEFAULT, &aid, &e))
        rc = fail(&e);
    else if (opt_flag(opts, "--json"))
        print_json(json_pack("{s:I}", "id", (json_int_t)aid));
    else
        printf("申請 #%lld に添付しました（添付ファイル %lld）\n", id, aid);
    free(data);
    close_ctx(&c);
    return rc;
}

/* request print / request notice: the form or the decision notice as PDF. */
static int print_pdf(const struct command *self, struct cmdline *cl, int argc, char **argv,
                     bool notice)
{
    struct opt opts[] = {
        {"--pdf", true, 0}, {"--boxes", true, 0}, {"--dates", true, 0}, {"--as", true, 0}, {0}};
    long long id;
    int npos, done = start(self, argc, argv, opts, &npos);
    if (done >= 0)
        return done;
    if (npos != 1 || !parse_id(argv[0], &id))
        return usage_error(self, "申請番号を一つ指定してください");
    if (!opt_value(opts, "--pdf"))
        return usage_error(self, "--pdf FILE で書き出す先を指定してください");
    if (notice && opt_value(opts, "--boxes"))
        return usage_error(self, "--boxes は request print のものです");
    enum date_style style = DATE_WAREKI;
    if (opt_value(opts, "--dates") && !date_style_parse(opt_value(opts, "--dates"), &style))
        return usage_error(self, "--dates は wareki、seireki、iso のいずれかです");
    struct xerr e = {0};
    struct ctx c;
    int rc = open_ctx(cl, opts, &c, &e);
    if (rc)
        return rc;
    char *pdf = NULL;
    size_t n = 0;
    enum xcode xc = notice ? request_notice_pdf(c.db, ctx_actor(&c), id, style, &pdf, &n, &e)
                           : request_form_pdf(c.db, ctx_actor(&c), id, style,
                                              opt_value(opts, "--boxes"), &pdf, &n, &e);
    if (xc || write_file(opt_value(opts, "--pdf"), pdf, n, &e))
        rc = fail(&e);
    free(pdf);
    close_ctx(&c);
    return rc;
}

static int cmd_request_print(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    return print_pdf(self, cl, argc, argv, false);
}

static int cmd_request_notice(const struct command *self, struct cmdline *cl, int argc, char **argv)
{
    return print_pdf(self, cl, argc, argv, true);
}

const struct command request_commands[] = {
    {"request attach", cmd_request_attach,
     "request attach --as LOGIN ID FILE [--item N] [--note TEXT] [--json]",
     "申請に根拠の資料を添付します（PDF、PNG・JPEG・GIF、Word・Excel・PowerPoint。20 MiB まで。"
     "中身が拡張子の形式でなければ拒みます）。--item は根拠とする要件の項番。SHA-256 とともに"
     "保存し、監査ログに残します。"},
    {"request print", cmd_request_print,
     "request print ID --pdf FILE [--boxes 課長,部長] [--dates wareki|seireki|iso] [--as LOGIN]",
     "外部サービス利用申請書を PDF で FILE に書きます（(ア)〜(キ)、事前の審査、別紙の適用状況"
     "またはリスクの検討、個別の選定条件、決裁欄（--boxes の順。既定 課長,部長））。"},
    {"request notice", cmd_request_notice,
     "request notice ID --pdf FILE [--dates wareki|seireki|iso] [--as LOGIN]",
     "承認通知書または却下通知書を PDF で FILE に書きます（承認・却下された申請のみ）。"},
    {"request new", cmd_request_new, "request new --as LOGIN [--carry-over] [--json] FILE|-",
     "申請書（JSON）から申請を下書きとして保存します。申請者（所属・氏名）は --as "
     "の利用者になります。"
     "--carry-over を付けると、申請書が省いた要件の回答を同じ外部サービスの最新の承認済み申請から"
     "引き継ぎ、それぞれに引継ぎ元（申請番号・承認日・所属）を記録します。"},
    {"request update", cmd_request_update,
     "request update --as LOGIN ID FILE|- | request update --as LOGIN --catalogue current ID "
     "[FILE|-]",
     "下書き・事前協議中・差戻しの申請の申請書を置き換えます。申請書は申請が保つカタログの版で読み"
     "ます。--catalogue current は申請を施行中のカタログの版に移します（申請書を付ければその版の"
     "申請書として置き換え、付けなければ文言の変わらない要件の回答を引き継ぎ、新設・変更された要件"
     "は未回答に戻します）。"},
    {"request show", cmd_request_show, "request show ID [--json] [--as LOGIN]",
     "申請の状態、申請書、評価、履歴を表示します。"},
    {"request list", cmd_request_list, "request list [--state S] [--json] [--as LOGIN]",
     "申請の一覧。S: draft, consulting, consulted, submitted, approved, rejected, returned, "
     "withdrawn, all。"},
    {"request consult", cmd_request_consult, "request consult --as LOGIN ID [--comment TEXT]",
     "許可権限者との事前協議を始めます（本基準5(2)①）。協議中も申請書を編集でき、双方がコメント"
     "できます。"},
    {"request conclude", cmd_request_conclude, "request conclude --as LOGIN ID [--comment TEXT]",
     "許可権限者（approver）が事前協議を終え、協議済みにします（本基準5(2)①）。自分が作成した申請"
     "はできません。"},
    {"request submit", cmd_request_submit, "request submit --as LOGIN ID [--comment TEXT]",
     "許可権限者に利用申請を行います（本基準5(2)①）。新規の申請は事前協議が協議済みになってから"
     "申請できます（変更・廃止の申請は事前協議なしでも申請できます）。"},
    {"request withdraw", cmd_request_withdraw, "request withdraw --as LOGIN ID [--comment TEXT]",
     "申請を取り下げます。"},
    {"request approve", cmd_request_approve, "request approve --as LOGIN ID [--comment TEXT]",
     "申請を承認し、外部サービス利用台帳に登録・更新します（本基準5(2)②③）。承認を妨げる指摘が"
     "ある申請と、自分が作成・申請した申請は承認できません。"},
    {"request reject", cmd_request_reject, "request reject --as LOGIN ID --comment TEXT",
     "申請を却下します（理由が必要）。"},
    {"request return", cmd_request_return, "request return --as LOGIN ID --comment TEXT",
     "申請を差し戻します（理由が必要）。申請者は修正して再申請できます。"},
    {"request comment", cmd_request_comment, "request comment --as LOGIN ID --comment TEXT",
     "事前協議・審査中の申請にコメントを残します（状態は変わりません）。"},
    {0},
};
