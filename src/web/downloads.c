/*
 * downloads.c - the ledger as a download (GET /api/v1/ledger.csv,
 * /api/v1/ledger.xlsx and /api/v1/ledger.pdf; the ledger page links to
 * them with its search):
 * the same entries as the page or the API list for the same query, all of
 * them, as an attachment with a Japanese file name (RFC 6266 filename*).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../report/ledger_export.h"
#include "../report/request_pdf.h"
#include "html.h"
#include "web.h"

/* The query as the ledger page and the API list write it: q, state (the
 * page's "all" too), confidentiality, department, sort, order, all. */
static bool download_query(struct request *r, struct ledger_query *q)
{
    const char *v;
    memset(q, 0, sizeof *q);
    if ((v = form_get(&r->query, "q")) && *v)
        q->q = v;
    if ((v = form_get(&r->query, "state")) && *v) {
        if (strcmp(v, "all") == 0)
            q->all = true;
        else
            q->state = v;
    }
    if ((v = form_get(&r->query, "all")))
        q->all = q->all || (strcmp(v, "0") != 0 && strcmp(v, "false") != 0);
    if ((v = form_get(&r->query, "confidentiality")) && *v)
        q->confidentiality = v;
    if ((v = form_get(&r->query, "sort")) && *v)
        q->sort = v;
    q->desc = (v = form_get(&r->query, "order")) && strcmp(v, "desc") == 0;
    if ((v = form_get(&r->query, "department")) && *v) {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (*end || errno || n < 1) {
            reply_error_code(r, X_INVALID, "department は所属の番号です");
            return false;
        }
        q->department_id = n;
    }
    return true;
}

/* A ledger download, named 外部サービス利用台帳_2026-12-03.EXT. */
static void ledger_file(struct request *r, const char *ctype, const char *ext, const char *data,
                        size_t n)
{
    char today[11];
    date_format(date_today(), today);
    reply_download(r, ctype, pool_printf(r->pool, "ledger_%s.%s", today, ext),
                   pool_printf(r->pool, "外部サービス利用台帳_%s.%s", today, ext), data, n);
}

static void ledger_csv(struct request *r, struct ledger_query *q)
{
    const char *enc = form_get(&r->query, "encoding");
    if (enc && *enc && strcmp(enc, "utf-8") != 0 && strcmp(enc, "cp932") != 0) {
        reply_error_code(r, X_INVALID, "encoding は utf-8 か cp932 です");
        return;
    }
    bool cp932 = enc && strcmp(enc, "cp932") == 0;
    struct xerr e = {0};
    char *out;
    size_t n;
    if (ledger_export_csv(r->db, req_user(r), q, cp932, &out, &n, NULL, NULL, &e)) {
        reply_error(r, &e);
        return;
    }
    ledger_file(r, cp932 ? "text/csv; charset=Shift_JIS" : "text/csv; charset=utf-8", "csv", out,
                n);
    free(out);
}

/* The workbook is written to a private temporary file (libxlsxwriter
 * writes files), then read back whole and removed. */
static void ledger_xlsx(struct request *r, struct ledger_query *q)
{
    enum date_style style =
        r->cfg && r->cfg->date_style == DATE_WAREKI ? DATE_WAREKI : DATE_SEIREKI;
    const char *v = form_get(&r->query, "dates");
    if (v && *v && (!date_style_parse(v, &style) || style == DATE_ISO)) {
        reply_error_code(r, X_INVALID, "dates は wareki か seireki です");
        return;
    }
    const char *dir = getenv("TMPDIR");
    char *dirpath = pool_printf(r->pool, "%s/extsvc-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
    struct xerr e = {0};
    if (!mkdtemp(dirpath)) {
        xerr_set(&e, X_STORE, "一時ファイルを作れません: %s", strerror(errno));
        reply_error(r, &e);
        return;
    }
    char *path = pool_printf(r->pool, "%s/ledger.xlsx", dirpath);
    struct sbuf book;
    sbuf_init(&book, 0);
    enum xcode rc = ledger_export_xlsx(r->db, req_user(r), q, style, path, NULL, NULL, &e);
    if (!rc) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            rc = xerr_set(&e, X_STORE, "Excel ファイルを読めません: %s", strerror(errno));
        } else {
            char buf[65536];
            ssize_t got;
            while ((got = read(fd, buf, sizeof buf)) > 0)
                sbuf_add(&book, buf, (size_t)got);
            if (got < 0 || book.overflow)
                rc = xerr_set(&e, X_STORE, "Excel ファイルを読めません");
        }
        if (fd >= 0)
            close(fd);
    }
    unlink(path);
    rmdir(dirpath);
    if (rc)
        reply_error(r, &e);
    else
        ledger_file(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                    book.buf ? book.buf : "", book.len);
    sbuf_release(&book);
}

static void ledger_pdf(struct request *r, struct ledger_query *q)
{
    enum date_style style = r->cfg ? r->cfg->date_style : DATE_WAREKI;
    struct xerr e = {0};
    char *out;
    size_t n;
    if (ledger_export_pdf(r->db, req_user(r), q, style, &out, &n, &e)) {
        reply_error(r, &e);
        return;
    }
    ledger_file(r, "application/pdf", "pdf", out, n);
    free(out);
}

void api_request_pdf(struct request *r, long long id, bool notice)
{
    enum date_style style = r->cfg ? r->cfg->date_style : DATE_WAREKI;
    struct xerr e = {0};
    char *out = NULL;
    size_t n = 0;
    enum xcode rc =
        notice ? request_notice_pdf(r->db, req_user(r), id, style, &out, &n, &e)
               : request_form_pdf(r->db, req_user(r), id, style,
                                  r->cfg && r->cfg->pdf_boxes[0] ? r->cfg->pdf_boxes : NULL, &out,
                                  &n, &e);
    if (rc) {
        reply_error(r, &e);
        return;
    }
    reply_download(
        r, "application/pdf", pool_printf(r->pool, "request_%lld.pdf", id),
        pool_printf(r->pool, "%s_%lld.pdf", notice ? "通知書" : "外部サービス利用申請書", id), out,
        n);
    free(out);
}

void api_ledger_download(struct request *r, enum download kind)
{
    if (strcmp(r->method, "GET") != 0) {
        reply_error_code(r, X_INVALID, "このパスでは GET のみ使えます");
        return;
    }
    struct ledger_query q;
    if (!download_query(r, &q))
        return;
    if (kind == DOWNLOAD_XLSX)
        ledger_xlsx(r, &q);
    else if (kind == DOWNLOAD_PDF)
        ledger_pdf(r, &q);
    else
        ledger_csv(r, &q);
}
