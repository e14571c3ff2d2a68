/*
 * pages_admin.c - 監査 (the audit log and its hash chain check), 利用者管理
 * (users and their roles), and the catalogue in force.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/catalogue.h"
#include "pages.h"

/* An audit record's action in words, for the auditor ("request.conclude"
 * → 協議済み, "ledger.retire" → 台帳 廃止); the code itself is shown
 * beside it. NULL for an action this page does not know. */
static const char *action_label(const char *action)
{
    static const struct {
        const char *code, *label;
    } fixed[] = {
        {"request.create", "申請の作成"},
        {"request.update", "申請書の更新"},
        {"request.rebase", "施行中のカタログへ移行"},
        {"request.consult", "事前協議の開始"},
        {"ledger.create", "台帳 登録"},
        {"ledger.version", "台帳 新しい版"},
        {"ledger.retire", "台帳 廃止"},
        {"user.add", "利用者 追加"},
        {"user.update", "利用者 変更"},
        {"catalogue.load", "カタログ 読込み"},
        {"token.create", "APIトークン 発行"},
        {"session.signin", "サインイン"},
        {"database.copy", "データベースの複写"},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(action, fixed[i].code) == 0)
            return fixed[i].label;
    if (strncmp(action, "request.", 8) == 0) {
        int a = req_action_parse(action + 8);
        if (a >= 0)
            return req_action_label((enum req_action)a);
    }
    return NULL;
}

/* A state named in an audit snapshot, in words: a request's
 * (req_state_label) or a ledger entry's (entry_state_label). */
static const char *state_label(const char *object, const char *state)
{
    if (!*state)
        return "";
    if (strncmp(object, "request:", 8) == 0) {
        int s = req_state_parse(state);
        return s >= 0 ? req_state_label((enum req_state)s) : state;
    }
    if (strncmp(object, "ledger:", 7) == 0) {
        int s = entry_state_parse(state);
        return s >= 0 ? entry_state_label((enum entry_state)s) : state;
    }
    return state;
}

/* The object of a record, linked where it is a request or an entry (the
 * auditor and the ciso, who alone see this page, may open both). */
static void object_cell(struct request *r, const char *object)
{
    struct sbuf *o = &r->out;
    char *end;
    if (strncmp(object, "request:", 8) == 0 && object[8] >= '1' && object[8] <= '9') {
        long long id = strtoll(object + 8, &end, 10);
        if (!*end) {
            html_printf(o, "<td><a href=\"/requests/%lld\">申請 #%lld</a></td>", id, id);
            return;
        }
    }
    if (strncmp(object, "ledger:", 7) == 0 && object[7] >= '1' && object[7] <= '9') {
        long long id = strtoll(object + 7, &end, 10);
        if (!*end) {
            html_printf(o, "<td><a href=\"/ledger/%lld\">台帳番号 %lld</a></td>", id, id);
            return;
        }
    }
    html_printf(o, "<td>%s</td>", object);
}

void page_audit(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    json_t *out, *report;
    bool ok;
    const char *actor = form_get(&r->query, "actor"), *object = form_get(&r->query, "object");
    struct audit_filter f = {.actor = actor && *actor ? actor : NULL,
                             .object = object && *object ? object : NULL,
                             .limit = 200};
    /* The chain is verified when asked: it reads every record (600,000
     * at 100,000 ledger entries: seconds), too slow for every view. */
    const char *verify = form_get(&r->query, "verify");
    bool verifying = verify && strcmp(verify, "1") == 0;
    report = NULL;
    if ((verifying && wf_audit_verify(r->db, u, NULL, &ok, &report, &e)) ||
        wf_audit_list(r->db, u, &f, &out, &e)) {
        json_decref(report);
        pages_error(r, &e);
        return;
    }
    page_start(r, "監査ログ");
    struct sbuf *o = &r->out;
    if (!verifying)
        H(o, "<form class=\"noprint\" method=\"get\" action=\"/audit\">"
             "<input type=\"hidden\" name=\"verify\" value=\"1\">"
             "<button>ハッシュの連鎖を検証する</button> <span class=\"hint\">全件を読むため、"
             "件数が多いと時間がかかります（extsvc audit verify と同じ検査）。</span></form>");
    else if (ok)
        html_printf(o, "<p class=\"notice ok\">ハッシュの連鎖を検証しました: 正常（%lld 件）</p>",
                    jint(report, "records"));
    else {
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(report, "problems"), i, p)
            notice(r, "error", jstr(p, "message"));
    }
    html_printf(
        o,
        "<form class=\"search\" method=\"get\" action=\"/audit\"><label>操作者（ログイン名）<input "
        "name=\"actor\" value=\"%s\"></label><label>対象（例 request:3、ledger:1。種類のすべては "
        "request:）<input "
        "name=\"object\" value=\"%s\"></label><button>絞り込む</button></form>",
        f.actor ? f.actor : "", f.object ? f.object : "");
    H(o, "<div class=\"table-wrap\" role=\"region\" aria-label=\"監査ログ\" tabindex=\"0\">"
         "<table class=\"list\"><thead><tr><th>#</th><th>日時</th><th>操作者</th><th>操作</th>"
         "<th>対象</th><th>状態</th><th>ハッシュ</th></tr></thead><tbody>");
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(out, "records"), i, rec)
    {
        const char *action = jstr(rec, "action"), *obj = jstr(rec, "object");
        const char *label = action_label(action);
        html_printf(o, "<tr><td>%lld</td><td>%s</td><td>%s</td><td>", jint(rec, "seq"),
                    jst(r, jstr(rec, "at")), jstr(rec, "actor"));
        if (label)
            html_printf(o, "%s<br><code>%s</code>", label, action);
        else
            html_printf(o, "<code>%s</code>", action);
        H(o, "</td>");
        object_cell(r, obj);
        if (strcmp(action, "session.signin") == 0) {
            /* A sign-in: how it ended, and from where. */
            json_t *a = json_object_get(rec, "after");
            const char *res = jstr(a, "result");
            html_printf(o, "<td>%s（%s）</td>",
                        strcmp(res, "ok") == 0               ? "成功"
                        : strcmp(res, "wrong-password") == 0 ? "失敗: パスワードが違う"
                        : strcmp(res, "unknown-login") == 0 ? "失敗: 登録のないログイン名"
                        : strcmp(res, "disabled") == 0      ? "失敗: 無効にされた利用者"
                        : strcmp(res, "throttled") == 0     ? "拒否: 失敗が続いたため"
                                                            : res,
                        jstr(a, "address"));
            html_printf(o, "<td><code>%s</code></td></tr>",
                        pool_strndup(r->pool, jstr(rec, "hash"), 12));
            continue;
        }
        /* The state before → after, where the record's snapshots carry one. */
        const char *before = state_label(obj, jstr(json_object_get(rec, "before"), "state"));
        const char *after = state_label(obj, jstr(json_object_get(rec, "after"), "state"));
        if (*before && *after && strcmp(before, after) != 0)
            html_printf(o, "<td>%s → %s</td>", before, after);
        else
            html_printf(o, "<td>%s</td>", *after ? after : before);
        html_printf(o, "<td><code>%s</code></td></tr>",
                    pool_strndup(r->pool, jstr(rec, "hash"), 12));
    }
    H(o, "</tbody></table></div>");
    json_decref(out);
    json_decref(report);
    page_end(r);
}

/* The roles ticked on a user form. */
static unsigned form_roles(const struct form *f)
{
    unsigned roles = 0;
    for (int b = 0; b < ROLE_COUNT; b++) {
        char k[32];
        snprintf(k, sizeof k, "role_%s", role_name(b));
        if (form_get(f, k))
            roles |= 1u << b;
    }
    return roles;
}

void page_users(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    const char *message = NULL;
    if (method(r, "POST")) {
        struct form f;
        if (!posted_form(r, &f))
            return;
        unsigned roles = form_roles(&f);
        long long id;
        const char *pw = form_get(&f, "password");
        if (wf_user_add(r->db, u, form_get(&f, "login"), form_get(&f, "name"), form_get(&f, "dept"),
                        roles, pw && *pw ? pw : NULL, &id, &e)) {
            r->status = xerr_http_status(e.code);
            message = e.msg;
        } else {
            reply_redirect(r, "/users");
            return;
        }
    }
    json_t *out;
    if (wf_user_list(r->db, u, &out, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, "利用者管理");
    struct sbuf *o = &r->out;
    if (message)
        notice(r, "error", message);
    H(o, "<div class=\"table-wrap\"><table "
         "class=\"list\"><thead><tr><th>ログイン名</th><th>氏名</th><th>所属</th><th>役割</th>"
         "<th>状態</th></tr></thead><tbody>");
    size_t i, k;
    json_t *x, *role;
    json_array_foreach(json_object_get(out, "users"), i, x)
    {
        html_printf(o, "<tr><td>%s</td><td>%s</td><td>%s</td><td>", jstr(x, "login"),
                    jstr(x, "name"), jstr(x, "department"));
        json_array_foreach(json_object_get(x, "roles"), k, role)
        {
            for (int b = 0; b < ROLE_COUNT; b++)
                if (strcmp(role_name(b), json_string_value(role)) == 0)
                    html_printf(o, "%s%s", k ? "、" : "", role_label(b));
        }
        bool active = json_is_true(json_object_get(x, "active"));
        html_printf(o,
                    "</td><td>%s</td><td><details><summary>変更</summary>"
                    "<form method=\"post\" action=\"/users/%s\" class=\"user\">",
                    active ? "有効" : "無効", jstr(x, "login"));
        csrf_field(r);
        html_printf(o,
                    "<label>氏名<input name=\"name\" value=\"%s\" required></label>"
                    "<label>所属<input name=\"dept\" value=\"%s\" required></label>",
                    jstr(x, "name"), jstr(x, "department"));
        for (int b = 0; b < ROLE_COUNT; b++) {
            bool has = false;
            json_array_foreach(json_object_get(x, "roles"), k, role)
            {
                has |= strcmp(role_name(b), json_string_value(role)) == 0;
            }
            html_printf(
                o,
                "<label class=\"inline\"><input type=\"checkbox\" name=\"role_%s\"%s> %s</label>",
                role_name(b), has ? " checked" : "", role_label(b));
        }
        html_printf(o,
                    "<label class=\"inline\"><input type=\"checkbox\" name=\"active\"%s> 有効"
                    "</label><label>新しいパスワード（変えるときだけ）<input type=\"password\" "
                    "name=\"password\" autocomplete=\"new-password\"></label>"
                    "<button>保存</button></form></details></td></tr>",
                    active ? " checked" : "");
    }
    H(o, "</tbody></table></div><h2>利用者の追加</h2><form method=\"post\" action=\"/users\" "
         "class=\"user\">");
    csrf_field(r);
    H(o,
      "<label>ログイン名<input name=\"login\" required pattern=\"[A-Za-z0-9._\\-]+\" "
      "title=\"半角英数字と . _ - のみ\"></label>"
      "<label>氏名<input name=\"name\" required></label><label>所属<input name=\"dept\" required>"
      "</label><label>初期パスワード（8文字以上）<input type=\"password\" name=\"password\" "
      "autocomplete=\"new-password\"></label><fieldset><legend>役割</legend>");
    for (int b = 0; b < ROLE_COUNT; b++)
        html_printf(o, "<label><input type=\"checkbox\" name=\"role_%s\"> %s（%s）</label>",
                    role_name(b), role_label(b), role_name(b));
    H(o, "</fieldset><button>追加</button></form>");
    json_decref(out);
    page_end(r);
}

void page_user_update(struct request *r, const char *login)
{
    struct form f;
    struct xerr e = {0};
    if (!posted_form(r, &f))
        return;
    unsigned roles = form_roles(&f);
    const char *pw = form_get(&f, "password");
    if (!roles)
        xerr_set(&e, X_INVALID, "役割を一つ以上選んでください");
    else
        wf_user_update(r->db, req_user(r), login, form_get(&f, "name"), form_get(&f, "dept"), roles,
                       form_get(&f, "active") ? 1 : 0, pw && *pw ? pw : NULL, &e);
    if (e.code) {
        error_page(r, &e, "/users", "利用者管理に戻る");
        return;
    }
    reply_redirect(r, "/users");
}

void page_catalogue(struct request *r)
{
    struct xerr e = {0};
    struct catalogue cat;
    if (wf_catalogue_current(r->db, &cat, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, "カタログ（施行中）");
    struct sbuf *o = &r->out;
    html_printf(
        o,
        "<p>%s（%s、%s 施行）。新しい版は <code>extsvc catalogue load</code> で読み込みます。</p>",
        cat.title, cat.id, cat.effective);
    H(o, "<div class=\"table-wrap\" role=\"region\" aria-label=\"要件一覧\" tabindex=\"0\">"
         "<table class=\"list\"><thead><tr><th>項番</th><th>規定</th><th>区分</th><th>要件</th>"
         "<th>必須／推奨／任意</th></tr></thead><tbody>");
    for (size_t i = 0; i < cat.nReqs; i++)
        html_printf(o, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
                    cat.reqs[i].no, cat.reqs[i].clause, cat.reqs[i].category, cat.reqs[i].text,
                    req_level_label(cat.reqs[i].level));
    H(o, "</tbody></table></div><h2>1(4) 外部サービス利用の特性</h2><ol class=\"risks\">");
    for (size_t i = 0; i < cat.nRisks; i++)
        html_printf(o, "<li>%s %s</li>", circled_number(cat.risks[i].no), cat.risks[i].text);
    H(o, "</ol>");
    catalogue_release(&cat);
    page_end(r);
}
