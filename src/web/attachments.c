/*
 * attachments.c - evidence files over HTTP: POST
 * /api/v1/requests/{id}/attachments (multipart/form-data: file, item,
 * note) and the same from the request's page, GET …/attachments (the
 * list), GET /api/v1/attachments/{id} (the file, as a download, never
 * shown inline), and the listing on the request and entry pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "multipart.h"
#include "pages.h"

size_t attach_max(const struct request *r)
{
    return r->cfg && r->cfg->attach_max ? r->cfg->attach_max : ATTACH_MAX_DEFAULT;
}

/* Decode and store the upload; *id, or an error in e. */
static enum xcode upload(struct request *r, long long request_id, bool page, long long *id,
                         struct xerr *e)
{
    struct upload u;
    if (!multipart_decode(r, attach_max(r), &u))
        return xerr_set(e, X_INVALID,
                        "添付するファイルを multipart/form-data の file で送ってください");
    if (page && (!r->have_session || !csrf_equal(form_get(&u.fields, "csrf"), r->session.csrf))) {
        upload_release(&u);
        return xerr_set(e, X_FORBIDDEN,
                        "フォームの有効期限が切れたか、不正な送信です（CSRF）。ページを開き直して"
                        "ください");
    }
    if (u.bad) {
        upload_release(&u);
        return xerr_set(e, X_TOOLARGE, "添付ファイルが大きすぎます（%zu MiB まで）",
                        attach_max(r) >> 20);
    }
    const char *item = form_get(&u.fields, "item");
    long long no = 0;
    if (item && *item) {
        char *end;
        no = strtoll(item, &end, 10);
        if (*end || no < 0) {
            upload_release(&u);
            return xerr_set(e, X_INVALID, "item は要件の項番です");
        }
    }
    enum xcode rc = wf_attach(r->db, req_user(r), request_id, u.name, u.file.buf ? u.file.buf : "",
                              u.file.len, no, form_get(&u.fields, "note"), attach_max(r), id, e);
    upload_release(&u);
    return rc;
}

void api_attachments(struct request *r, long long request_id)
{
    struct xerr e = {0};
    if (strcmp(r->method, "POST") == 0) {
        long long id;
        if (upload(r, request_id, false, &id, &e))
            reply_error(r, &e);
        else
            reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
    } else if (strcmp(r->method, "GET") == 0) {
        json_t *out;
        if (wf_attachments(r->db, req_user(r), request_id, &out, &e))
            reply_error(r, &e);
        else
            reply_json(r, 200, json_pack("{s:o}", "attachments", out));
    } else {
        reply_error_code(r, X_INVALID, "このパスでは GET と POST のみ使えます");
    }
}

void api_attachment_get(struct request *r, long long id)
{
    struct xerr e = {0};
    if (strcmp(r->method, "GET") != 0) {
        reply_error_code(r, X_INVALID, "このパスでは GET のみ使えます");
        return;
    }
    json_t *meta;
    char *data;
    size_t n;
    if (wf_attachment_get(r->db, req_user(r), id, &meta, &data, &n, &e)) {
        reply_error(r, &e);
        return;
    }
    /* The type stored, checked against the content when it was added:
     * never HTML. Always a download (nosniff is on every answer). */
    reply_download(r, json_string_value(json_object_get(meta, "type")),
                   pool_printf(r->pool, "attachment-%lld", id),
                   json_string_value(json_object_get(meta, "name")), data, n);
    free(data);
    json_decref(meta);
}

void page_attach(struct request *r, long long request_id)
{
    struct xerr e = {0};
    long long id;
    if (upload(r, request_id, true, &id, &e)) {
        error_page(r, &e, pool_printf(r->pool, "/requests/%lld", request_id), "申請に戻る");
        return;
    }
    reply_redirect(r, pool_printf(r->pool, "/requests/%lld#attachments", request_id));
}

void attachments_html(struct request *r, json_t *files)
{
    struct sbuf *o = &r->out;
    if (!json_array_size(files)) {
        H(o, "<p>添付ファイルはありません。</p>");
        return;
    }
    H(o, "<div class=\"table-wrap\"><table class=\"list\"><thead><tr><th>ファイル</th>"
         "<th>項番</th><th>大きさ</th><th>SHA-256</th><th>メモ</th><th>添付</th></tr></thead>"
         "<tbody>");
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f)
    {
        html_printf(o,
                    "<tr><td><a download href=\"/api/v1/attachments/%lld\">%s</a></td><td>%s</td>"
                    "<td>%lld バイト</td><td><code>%.16s…</code></td><td>%s</td>"
                    "<td>%s（%s）</td></tr>",
                    jint(f, "id"), jstr(f, "name"),
                    json_is_integer(json_object_get(f, "item"))
                        ? pool_printf(r->pool, "%lld", jint(f, "item"))
                        : "",
                    jint(f, "size"), jstr(f, "sha256"), jstr(f, "note"), jstr(f, "by_name"),
                    jst(r, jstr(f, "at")));
    }
    H(o, "</tbody></table></div>");
}
