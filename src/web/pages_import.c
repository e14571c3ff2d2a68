/*
 * pages_import.c - CSV files in from the browser, checked first:
 *  - 旧台帳の取り込み (GET/POST /ledger/import): an admin or approver
 *    uploads the city's old ledger (CSV saved from Excel);
 *  - ISMAP クラウドサービスリスト (GET/POST /ismap): anyone signed in sees
 *    which list is loaded; ciso or admin loads the published list.
 * 「確認する」 shows every row as it would be written, or every problem by
 * row and column, and writes nothing; 「取り込む」 writes all rows or none,
 * and only the very file whose check was shown. The upload is
 * multipart/form-data, decoded by libmicrohttpd's post processor.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../workflow/access.h"
#include "multipart.h"
#include "pages.h"

/* The posted multipart body, decoded, its CSRF token checked; false after
 * answering. */
static bool read_upload(struct request *r, struct upload *u)
{
    struct xerr e = {0};
    if (!multipart_decode(r, IMPORT_BODY_MAX, u)) {
        xerr_set(&e, X_INVALID, "ファイルを選んで送信してください（multipart/form-data）");
        pages_error(r, &e);
        return false;
    }
    const char *token = form_get(&u->fields, "csrf");
    if (!r->have_session || !csrf_equal(token, r->session.csrf)) {
        upload_release(u);
        xerr_set(
            &e, X_FORBIDDEN,
            "フォームの有効期限が切れたか、不正な送信です（CSRF）。ページを開き直してください");
        pages_error(r, &e);
        return false;
    }
    if (u->bad) {
        upload_release(u);
        xerr_set(&e, X_INVALID, "送信された内容を読めません");
        pages_error(r, &e);
        return false;
    }
    return true;
}

static const char *hash_of(struct request *r, const struct sbuf *file)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)(file->buf ? file->buf : ""), file->len);
    char hex[2 * sizeof h + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return pool_strdup(r->pool, hex);
}

/* The upload form posting to `path`; `checked` (the file's hash after a
 * clean dry run) lets the same file be imported. */
static void upload_form(struct request *r, const char *path, const char *what, const char *checked)
{
    struct sbuf *o = &r->out;
    html_printf(o,
                "<form class=\"import\" method=\"post\" action=\"%s\" "
                "enctype=\"multipart/form-data\">",
                path);
    csrf_field(r);
    if (checked)
        html_printf(o, "<input type=\"hidden\" name=\"checked\" value=\"%s\">", checked);
    html_printf(o,
                "<label for=\"file\">%sの CSV ファイル</label>"
                "<input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,text/csv\" "
                "required>",
                what);
    H(o, "<label for=\"encoding\">文字コード</label><select id=\"encoding\" name=\"encoding\">"
         "<option value=\"\">自動で判別</option><option value=\"utf-8\">UTF-8</option>"
         "<option value=\"cp932\">Shift_JIS（CP932）</option></select>"
         "<p><button name=\"action\" value=\"check\">確認する（取り込まない）</button>");
    if (checked)
        H(o, " <button name=\"action\" value=\"import\">このファイルを取り込む</button>");
    H(o, "</p></form>");
}

static void issues_table(struct request *r, json_t *report)
{
    struct sbuf *o = &r->out;
    json_t *issues = json_object_get(report, "issues");
    if (!json_array_size(issues))
        return;
    html_printf(o,
                "<h2>誤り（%zu 件）</h2><p>直してから、もう一度確認してください。何も取り込んで"
                "いません。</p><div class=\"table-wrap\"><table class=\"list\"><thead><tr>"
                "<th>行</th><th>列</th><th>理由</th></tr></thead><tbody>",
                json_array_size(issues));
    size_t i;
    json_t *is;
    json_array_foreach(issues, i, is)
    {
        long long col = jint(is, "column");
        html_printf(o, "<tr><td>%lld</td><td>%s</td><td>%s</td></tr>", jint(is, "line"),
                    col > 0 ? pool_printf(r->pool, "%lld", col) : "", jstr(is, "message"));
    }
    H(o, "</tbody></table></div>");
}

static void entries_preview(struct request *r, json_t *report)
{
    struct sbuf *o = &r->out;
    json_t *entries = json_object_get(report, "entries");
    html_printf(o,
                "<h2>取り込まれる登録（%zu 件）</h2><div class=\"table-wrap\"><table "
                "class=\"list\"><thead><tr><th>行</th><th>外部サービス</th><th>提供者</th>"
                "<th>利用目的</th><th>格付</th><th>利用期間</th><th>所属</th><th>申請者</th>"
                "<th>利用者の範囲</th></tr></thead><tbody>",
                json_array_size(entries));
    size_t i;
    json_t *en;
    json_array_foreach(entries, i, en)
    {
        if (i == 500) {
            html_printf(o, "<tr><td colspan=\"9\">ほか %zu 件</td></tr>",
                        json_array_size(entries) - 500);
            break;
        }
        html_printf(o,
                    "<tr><td>%lld</td><td>%s%s%s%s</td><td>%s</td><td>%s</td><td>%s-%s-%s</td>"
                    "<td>%s〜%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
                    jint(en, "line"), jstr(en, "name"), *jstr(en, "function") ? "（" : "",
                    jstr(en, "function"), *jstr(en, "function") ? "）" : "", jstr(en, "provider"),
                    jstr(en, "purpose"), jstr(en, "confidentiality"), jstr(en, "integrity"),
                    jstr(en, "availability"), jstr(en, "from"), jstr(en, "to"),
                    jstr(en, "department"), jstr(en, "applicant"), jstr(en, "scope"));
    }
    H(o, "</tbody></table></div>");
}

static void entries_done(struct request *r, json_t *report)
{
    html_printf(&r->out,
                "<p class=\"notice info\">%s から %lld 件を台帳に取り込みました（台帳番号 "
                "%lld〜%lld、「移行」と記録）。</p><p><a href=\"/ledger?state=all\">台帳を"
                "見る</a></p>",
                jstr(report, "file"), jint(report, "imported"), jint(report, "first_id"),
                jint(report, "last_id"));
}

static void ismap_preview(struct request *r, json_t *report)
{
    struct sbuf *o = &r->out;
    json_t *rows = json_object_get(report, "entries");
    html_printf(o,
                "<h2>読み込まれる登録（%zu 件）</h2><div class=\"table-wrap\"><table "
                "class=\"list\"><thead><tr><th>登録番号</th><th>サービス名称</th><th>事業者名</th>"
                "<th>登録日</th><th>有効期限</th></tr></thead><tbody>",
                json_array_size(rows));
    size_t i;
    json_t *it;
    json_array_foreach(rows, i, it)
    {
        if (i == 500) {
            html_printf(o, "<tr><td colspan=\"5\">ほか %zu 件</td></tr>",
                        json_array_size(rows) - 500);
            break;
        }
        html_printf(o, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
                    jstr(it, "number"), jstr(it, "service_name"), jstr(it, "provider"),
                    day(r, jstr(it, "registered_on")), day(r, jstr(it, "expires_on")));
    }
    H(o, "</tbody></table></div>");
}

static void ismap_done(struct request *r, json_t *report)
{
    html_printf(&r->out,
                "<p class=\"notice info\">%s から %lld 件を読み込み、前のリストと置き換えました。"
                "これからの申請の評価（別紙 項番1）はこのリストで確かめます。</p>",
                jstr(report, "file"), jint(report, "rows"));
}

/* One kind of CSV import from a page. */
struct csv_kind {
    const char *path, *title, *what;
    enum xcode (*import)(struct db *db, const struct user *actor, const char *data, size_t n,
                         const struct import_options *o, json_t **report, struct xerr *e);
    void (*preview)(struct request *r, json_t *report); /* the dry run's rows */
    void (*done)(struct request *r, json_t *report);    /* once written */
};

static const struct csv_kind LEDGER = {"/ledger/import", "旧台帳の取り込み", "旧台帳",
                                       wf_ledger_import, entries_preview,    entries_done};
static const struct csv_kind ISMAP = {"/ismap",
                                      "ISMAP クラウドサービスリスト",
                                      "ISMAP クラウドサービスリスト",
                                      wf_ismap_import,
                                      ismap_preview,
                                      ismap_done};

/* A posted file: checked (the dry run), or imported where it is the file
 * whose check was shown. */
static void post_csv(struct request *r, const struct csv_kind *k)
{
    struct upload up;
    if (!read_upload(r, &up))
        return;
    const char *action = form_get(&up.fields, "action");
    const char *enc = form_get(&up.fields, "encoding");
    const char *hash = hash_of(r, &up.file);
    bool import = action && strcmp(action, "import") == 0;
    const char *checked = form_get(&up.fields, "checked");
    struct import_options o = {.dry_run = true,
                               .source = up.name && *up.name ? up.name : "upload.csv"};
    o.encoding = enc && strcmp(enc, "utf-8") == 0   ? CSV_ENC_UTF8
                 : enc && strcmp(enc, "cp932") == 0 ? CSV_ENC_CP932
                                                    : CSV_ENC_AUTO;
    page_start(r, k->title);
    struct sbuf *out = &r->out;
    /* Only the very file whose dry run was shown is imported. */
    if (import && (!checked || strcmp(checked, hash) != 0)) {
        import = false;
        H(out, "<p class=\"notice warning\">確認したファイルと違うファイルです。"
               "もう一度確認してから取り込んでください。</p>");
    }
    o.dry_run = !import;
    json_t *report = NULL;
    struct xerr e = {0};
    enum xcode rc =
        k->import(r->db, req_user(r), up.file.buf ? up.file.buf : "", up.file.len, &o, &report, &e);
    upload_release(&up);
    if (rc) {
        r->status = xerr_http_status(rc);
        html_printf(out, "<p class=\"notice error\" role=\"alert\">%s</p>", e.msg);
        if (report)
            issues_table(r, report);
        upload_form(r, k->path, k->what, NULL);
    } else if (o.dry_run) {
        html_printf(out,
                    "<p class=\"notice info\">%s: %lld 件を取り込めます（文字コード %s）。"
                    "まだ何も書き込んでいません。</p>",
                    jstr(report, "file"), jint(report, "rows"),
                    strcmp(jstr(report, "encoding"), "cp932") == 0 ? "Shift_JIS" : "UTF-8");
        size_t i;
        json_t *note;
        json_array_foreach(json_object_get(report, "notes"), i, note)
            html_printf(out, "<p class=\"hint\">注意: %s</p>", json_string_value(note));
        k->preview(r, report);
        H(out, "<h2>取り込む</h2><p>同じファイルをもう一度選んで「このファイルを取り込む」を"
               "押してください。</p>");
        upload_form(r, k->path, k->what, hash);
    } else {
        k->done(r, report);
    }
    json_decref(report);
    page_end(r);
}

void page_import(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    if (!has_role(u, ROLE_ADMIN) && !has_role(u, ROLE_APPROVER)) {
        xerr_set(&e, X_FORBIDDEN,
                 "旧台帳の取り込みは admin と情報システム管理者（approver）だけが行えます");
        pages_error(r, &e);
        return;
    }
    if (strcmp(r->method, "POST") == 0) {
        post_csv(r, &LEDGER);
        return;
    }
    page_start(r, LEDGER.title);
    H(&r->out, "<p>これまで Excel で管理してきた台帳を CSV で保存して選んでください（UTF-8 または "
               "Shift_JIS）。見出しは「サービス名」「事業者名」「業務内容」「格付」「利用期間」"
               "「担当課」「利用範囲」などを読みます。まず確認し、誤りがなければ取り込めます。"
               "取り込みはすべての行を一度に行い、一行でも誤りがあれば何も書き込みません。</p>");
    upload_form(r, LEDGER.path, LEDGER.what, NULL);
    page_end(r);
}

void page_ismap(struct request *r)
{
    const struct user *u = req_user(r);
    struct xerr e = {0};
    bool may_load = wf_ismap_may_load(u);
    if (strcmp(r->method, "POST") == 0) {
        if (!may_load) {
            xerr_set(&e, X_FORBIDDEN,
                     "ISMAP のリストを読み込めるのは統括情報セキュリティ責任者（ciso）と admin "
                     "です");
            pages_error(r, &e);
        } else {
            post_csv(r, &ISMAP);
        }
        return;
    }
    json_t *status = NULL;
    if (wf_ismap_status(r->db, u, &status, &e)) {
        pages_error(r, &e);
        return;
    }
    page_start(r, ISMAP.title);
    struct sbuf *o = &r->out;
    if (json_is_true(json_object_get(status, "loaded")))
        html_printf(o,
                    "<p>%s に「%s」を読み込みました。登録 %lld 件（うち有効期限を過ぎたもの "
                    "%lld 件）。</p>",
                    day(r, jstr(status, "loaded_on")), jstr(status, "file"),
                    jint(status, "registrations"), jint(status, "expired"));
    else
        H(o, "<p class=\"notice warning\">リストはまだ読み込まれていません。読み込むまで、"
             "申請の ISMAP 登録番号は確かめられません。</p>");
    H(o, "<p>申請の ISMAP 登録番号がリストにないとき、また登録の有効期限が利用期間の終わりより"
         "前のときは、別紙 項番1 に警告を示します（承認を妨げるものではありません）。</p>");
    if (may_load) {
        H(o, "<h2>リストを読み込む</h2><p>ISMAP のサイトで公表されているクラウドサービスリストを "
             "CSV で保存して選んでください（見出し: 登録番号、サービス名称、事業者名、登録日、"
             "有効期限など）。読み込むと前のリストと置き換わります。</p>");
        upload_form(r, ISMAP.path, ISMAP.what, NULL);
    }
    json_decref(status);
    page_end(r);
}
