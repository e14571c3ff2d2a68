/*
 * ledger_xlsx.c - the ledger as an Excel workbook; see ledger_xlsx.h.
 */
#include "ledger_xlsx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "../core/date.h"
#include "../core/text.h"
#include "ledger_table.h"

/* Excel holds at most 32,767 characters in a cell. */
#define CELL_MAX_BYTES 32000
/* Columns no wider than this (in Excel's character units); longer text wraps. */
#define WIDTH_MAX 60

struct ledger_xlsx {
    lxw_workbook *wb;
    lxw_worksheet *ledger, *answers;
    lxw_format *head, *date, *stamp, *wrap, *headWrap;
    const struct catalogue *cat;
    lxw_row_t rows, answerRows;
    double width[LEDGER_NCOLS];
    char *path;
    lxw_error err;
};

/* The width Excel needs for s: two units for a wide (Japanese) character,
 * one for the rest; the longest line where it wraps. */
static double text_width(const char *s)
{
    double w = 0, best = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p == '\n') {
            w = 0;
            p++;
            continue;
        }
        int len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        w += *p >= 0xE1 ? 2.1 : 1.1; /* U+1100 and above: wide enough */
        for (int i = 0; i < len && *p; i++)
            p++;
        if (w > best)
            best = w;
    }
    return best;
}

/* Text as a string cell, never a formula; cut at Excel's limit. */
static void put_text(struct ledger_xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                     const char *s, lxw_format *f)
{
    if (!s || !*s)
        return;
    lxw_error err;
    if (strlen(s) > CELL_MAX_BYTES) {
        size_t n = CELL_MAX_BYTES;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        char *cut = malloc(n + 32);
        if (!cut) {
            x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
            return;
        }
        memcpy(cut, s, n);
        strcpy(cut + n, "…（以下略）");
        err = worksheet_write_string(ws, row, col, cut, f);
        free(cut);
    } else {
        err = worksheet_write_string(ws, row, col, s, f);
    }
    if (err && !x->err)
        x->err = err;
}

/* "2026-04-01" as an Excel date; "2026-12-03T08:02:32Z" as Japan time. */
static bool to_datetime(const char *s, bool stamp, lxw_datetime *out)
{
    struct xdate d;
    char day[11];
    if (!s || strlen(s) < 10)
        return false;
    memcpy(day, s, 10);
    day[10] = '\0';
    if (!date_parse(day, &d))
        return false;
    *out = (lxw_datetime){d.y, d.m, d.d, 0, 0, 0};
    if (stamp) {
        struct tm tm = {0};
        if (!strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm))
            return false;
        time_t t = timegm(&tm) + 9 * 3600;
        struct tm j;
        gmtime_r(&t, &j);
        *out = (lxw_datetime){j.tm_year + 1900, j.tm_mon + 1, j.tm_mday, j.tm_hour, j.tm_min, 0};
    }
    return true;
}

static enum xcode fail(struct ledger_xlsx *x, struct xerr *e)
{
    return xerr_set(e, x->err == LXW_ERROR_MEMORY_MALLOC_FAILED ? X_INTERNAL : X_STORE,
                    "Excel ファイルを作れません: %s", lxw_strerror(x->err));
}

/* The second sheet's two header rows: item numbers and levels, then texts
 * (row by row: in constant-memory mode a row is written once left). */
static void answers_head(struct ledger_xlsx *x)
{
    static const char *const fixed[] = {"台帳番号", "外部サービスの名称", "審査の区分", "カタログ"};
    static const char *const levels[] = {"必須", "推奨", "任意"};
    lxw_worksheet *ws = x->answers;
    size_t nReqs = x->cat ? x->cat->nReqs : 0, nRisks = x->cat ? x->cat->nRisks : 0;
    for (lxw_col_t c = 0; c < 4; c++) {
        put_text(x, ws, 0, c, fixed[c], x->head);
        worksheet_set_column(ws, c, c, c == 1 ? 28 : 12, NULL);
    }
    worksheet_set_column(ws, 4, (lxw_col_t)(4 + nReqs + nRisks), 30, NULL);
    for (int row = 0; row < 2; row++) {
        lxw_col_t c = 4;
        for (size_t i = 0; i < nReqs; i++, c++) {
            char h[64];
            const struct requirement *r = &x->cat->reqs[i];
            snprintf(h, sizeof h, "項番%d（%s）", r->no, levels[r->level]);
            put_text(x, ws, (lxw_row_t)row, c, row ? r->text : h, row ? x->headWrap : x->head);
        }
        for (size_t i = 0; i < nRisks; i++, c++) {
            char h[64];
            int no = x->cat->risks[i].no;
            if (no >= 1 && no <= 20) /* ① is U+2460 */
                snprintf(h, sizeof h, "リスク%c%c%c", 0xE2, 0x91, 0x9F + no);
            else
                snprintf(h, sizeof h, "リスク%d", no);
            put_text(x, ws, (lxw_row_t)row, c, row ? x->cat->risks[i].text : h,
                     row ? x->headWrap : x->head);
        }
        if (row == 0)
            worksheet_set_row(ws, 1, 90, NULL);
    }
    worksheet_freeze_panes(ws, 2, 2);
    x->answerRows = 2;
}

/* A 和暦 number format whose month and day are `md`: 令和元年 spelled out
 * from 2019-05-01 to 2019-12-31, the era and its year elsewhere. */
#define WAREKI_SECTIONS(md)                                                                        \
    "[>=43831][$-411]ggge\"年\"m" md ";[>=43586][$-411]\"令和元年\"m" md ";[$-411]ggge\"年\"m" md

enum xcode ledger_xlsx_open(const char *path, enum date_style style, const struct catalogue *cat,
                            struct ledger_xlsx **out, struct xerr *e)
{
    *out = NULL;
    struct ledger_xlsx *x = calloc(1, sizeof *x);
    if (!x || !(x->path = strdup(path))) {
        free(x);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    /* Find out here whether the file can be made: libxlsxwriter would only
     * say so on its own stderr line when the workbook closes. */
    FILE *probe = fopen(path, "wb");
    if (!probe) {
        xerr_set(e, X_STORE, "Excel ファイル %s を作れません: %s", path, strerror(errno));
        free(x->path);
        free(x);
        return e->code;
    }
    fclose(probe);
    lxw_workbook_options opt = {.constant_memory = 1, .tmpdir = NULL, .use_zip64 = 1};
    x->wb = workbook_new_opt(path, &opt);
    if (!x->wb) {
        free(x->path);
        free(x);
        return xerr_set(e, X_STORE, "Excel ファイルを作れません: %s", path);
    }
    x->cat = cat;
    x->ledger = workbook_add_worksheet(x->wb, "台帳");
    x->answers = workbook_add_worksheet(x->wb, "要件の回答");
    x->head = workbook_add_format(x->wb);
    format_set_bold(x->head);
    format_set_bg_color(x->head, 0xDDEBF7);
    format_set_align(x->head, LXW_ALIGN_VERTICAL_TOP);
    x->headWrap = workbook_add_format(x->wb);
    format_set_text_wrap(x->headWrap);
    format_set_align(x->headWrap, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(x->headWrap, 0xF2F2F2);
    x->wrap = workbook_add_format(x->wb);
    format_set_text_wrap(x->wrap);
    format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
    x->date = workbook_add_format(x->wb);
    x->stamp = workbook_add_format(x->wb);
    if (style == DATE_WAREKI) {
        /* ggg: the era, e: its year. Excel's own 元年 ([$-ja-JP-x-gannen])
         * shows a bare number in LibreOffice, so the first year of 令和
         * (2019-05-01, serial 43586, to 2019-12-31) has a section of its own:
         * conditions every spreadsheet reads. A date of 1989 still shows
         * 平成1年 (two conditions are all a format may have). */
        format_set_num_format(x->date, WAREKI_SECTIONS("\"月\"d\"日\""));
        format_set_num_format(x->stamp, WAREKI_SECTIONS("\"月\"d\"日\" hh:mm"));
    } else {
        format_set_num_format(x->date, "yyyy\"年\"m\"月\"d\"日\"");
        format_set_num_format(x->stamp, "yyyy\"年\"m\"月\"d\"日\" hh:mm");
    }
    for (int c = 0; c < LEDGER_NCOLS; c++) {
        put_text(x, x->ledger, 0, (lxw_col_t)c, ledger_col_names[c], x->head);
        x->width[c] = text_width(ledger_col_names[c]) + 2; /* the filter's button */
    }
    worksheet_freeze_panes(x->ledger, 1, 0);
    x->rows = 1;
    answers_head(x);
    if (x->err) {
        enum xcode rc = fail(x, e);
        ledger_xlsx_close(x, NULL);
        return rc;
    }
    *out = x;
    return XOK;
}

enum xcode ledger_xlsx_row(struct ledger_xlsx *x, json_t *en, struct xerr *e)
{
    if (x->rows >= LXW_ROW_MAX)
        return xerr_set(e, X_INVALID, "Excel の一つのシートに入るのは %d 行までです", LXW_ROW_MAX);
    char buf[32];
    for (int c = 0; c < LEDGER_NCOLS; c++) {
        char *owned;
        const char *v = ledger_cell(en, c, buf, sizeof buf, &owned);
        lxw_datetime dt;
        double w = 0;
        if (ledger_col_is_number(c) && *v) {
            worksheet_write_number(x->ledger, x->rows, (lxw_col_t)c, atof(v), NULL);
            w = (double)strlen(v) + 1;
        } else if (ledger_col_is_date(c) && to_datetime(v, c == COL_UPDATED_AT, &dt)) {
            worksheet_write_datetime(x->ledger, x->rows, (lxw_col_t)c, &dt,
                                     c == COL_UPDATED_AT ? x->stamp : x->date);
            w = c == COL_UPDATED_AT ? 24 : 18;
        } else {
            put_text(x, x->ledger, x->rows, (lxw_col_t)c, v, x->wrap);
            w = text_width(v);
        }
        if (w > x->width[c])
            x->width[c] = w;
        free(owned);
    }
    x->rows++;
    return x->err ? fail(x, e) : XOK;
}

/* One requirement answer or risk decision as the cell shows it. */
static void answer_text(json_t *a, bool risk, struct sbuf *sb)
{
    const char *st = json_string_value(json_object_get(a, risk ? "decision" : "status"));
    static const char *const names[][2] = {{"met", "満たす"},  {"unmet", "満たさない"},
                                           {"na", "対象外"},   {"unknown", "未回答"},
                                           {"accept", "受容"}, {"mitigate", "低減"}};
    const char *label = st ? st : "未回答";
    for (size_t i = 0; st && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(st, names[i][0]) == 0)
            label = names[i][1];
    sbuf_adds(sb, label);
    static const char *const parts[][2] = {
        {"evidence", "根拠"}, {"measure", "対策"}, {"reason", "理由"}, {"source", "引継ぎ元"}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        json_t *v = json_object_get(a, parts[i][0]);
        if (json_is_string(v) && text_has_content(json_string_value(v)))
            sbuf_addf(sb, "\n%s: %s", parts[i][1], json_string_value(v));
    }
}

enum xcode ledger_xlsx_answers(struct ledger_xlsx *x, json_t *answers, struct xerr *e)
{
    size_t i;
    json_t *a;
    json_array_foreach(answers, i, a)
    {
        if (x->answerRows >= LXW_ROW_MAX)
            return xerr_set(e, X_INVALID, "Excel の一つのシートに入るのは %d 行までです",
                            LXW_ROW_MAX);
        lxw_row_t row = x->answerRows++;
        lxw_worksheet *ws = x->answers;
        worksheet_write_number(ws, row, 0, (double)json_integer_value(json_object_get(a, "entry")),
                               NULL);
        put_text(x, ws, row, 1, json_string_value(json_object_get(a, "service")), NULL);
        const char *track = json_string_value(json_object_get(a, "track"));
        bool risks = track && strcmp(track, "risk-review") == 0;
        put_text(x, ws, row, 2, risks ? "リスクの検討" : "要件一覧", NULL);
        put_text(x, ws, row, 3, json_string_value(json_object_get(a, "catalogue")), NULL);
        lxw_col_t c = 4;
        json_t *reqs = json_object_get(a, "requirements"), *rks = json_object_get(a, "risks");
        for (size_t k = 0; x->cat && k < x->cat->nReqs; k++, c++) {
            char key[16];
            snprintf(key, sizeof key, "%d", x->cat->reqs[k].no);
            json_t *ans = json_object_get(reqs, key);
            if (!ans && risks)
                continue; /* kept but deciding nothing on this track */
            struct sbuf sb;
            sbuf_init(&sb, 0);
            answer_text(ans, false, &sb);
            put_text(x, ws, row, c, sb.buf, x->wrap);
            sbuf_release(&sb);
        }
        for (size_t k = 0; x->cat && k < x->cat->nRisks; k++, c++) {
            char key[16];
            snprintf(key, sizeof key, "%d", x->cat->risks[k].no);
            json_t *ans = json_object_get(rks, key);
            if (!ans && !risks)
                continue;
            struct sbuf sb;
            sbuf_init(&sb, 0);
            answer_text(ans, true, &sb);
            put_text(x, ws, row, c, sb.buf, x->wrap);
            sbuf_release(&sb);
        }
    }
    return x->err ? fail(x, e) : XOK;
}

enum xcode ledger_xlsx_close(struct ledger_xlsx *x, struct xerr *e)
{
    if (!x)
        return XOK;
    for (int c = 0; c < LEDGER_NCOLS; c++) {
        double w = x->width[c] > WIDTH_MAX ? WIDTH_MAX : x->width[c];
        worksheet_set_column(x->ledger, (lxw_col_t)c, (lxw_col_t)c, w + 1, NULL);
    }
    worksheet_autofilter(x->ledger, 0, 0, x->rows - 1, LEDGER_NCOLS - 1);
    lxw_error err = workbook_close(x->wb);
    if (!x->err)
        x->err = err;
    enum xcode rc = XOK;
    if (x->err) {
        if (e)
            rc = fail(x, e);
        else
            rc = X_STORE;
        remove(x->path); /* no half file */
    }
    free(x->path);
    free(x);
    return rc;
}
