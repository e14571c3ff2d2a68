/*
 * ledger_import.c - a row of an old ledger as a request document; see
 * ledger_import.h.
 */
#include "ledger_import.h"

#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "fold.h"
#include "text.h"
#include "wareki.h"

/* The names a city gives each field, compared folded (NFKC, case) and
 * without spaces, brackets' markers such as (ア) or ※. */
static const char *const variants[IMP_NFIELDS][12] = {
    [IMP_NAME] = {"外部サービスの名称", "外部サービス名称", "外部サービス名", "サービス名",
                  "サービス名称", "サービスの名称", "名称", NULL},
    [IMP_FUNCTION] = {"機能名", "機能", "機能名称", NULL},
    [IMP_PROVIDER] = {"外部サービス提供者", "外部サービス提供者の名称", "外部サービス提供者名",
                      "事業者名", "事業者", "提供者", "提供者名", "提供事業者", "提供事業者名",
                      NULL},
    [IMP_PURPOSE] = {"利用目的", "業務内容", "利用目的(業務内容)", "目的", "用途", NULL},
    [IMP_CLASS] = {"格付", "格付け", "情報の格付", "取り扱う情報の格付", NULL},
    [IMP_CONF] = {"機密性", NULL},
    [IMP_INT] = {"完全性", NULL},
    [IMP_AVAIL] = {"可用性", NULL},
    [IMP_FROM] = {"利用開始日", "開始日", "利用開始", "利用期間(開始)", "期間開始", "開始", NULL},
    [IMP_TO] = {"利用終了日", "終了日", "利用終了", "利用期間(終了)", "期間終了", "利用期限",
                "終了", NULL},
    [IMP_PERIOD] = {"利用期間", "期間", NULL},
    [IMP_DEPT] = {"利用申請者所属", "所属", "担当課", "所属名", "課名", "部署", "担当部署",
                  "所管課", "申請課", NULL},
    [IMP_APPLICANT] = {"利用申請者氏名", "申請者", "申請者名", "氏名", "担当者", "担当者名",
                       "利用申請者", NULL},
    [IMP_SCOPE] = {"利用者の範囲", "利用範囲", "範囲", "利用者範囲", NULL},
    [IMP_CONDITIONS] = {"個別の選定条件", "選定条件", "条件", NULL},
    [IMP_OLD_ID] = {"台帳番号", "番号", "no", "no.", "管理番号", NULL},
};

/* How the report names a field whose column is missing. */
static const char *const field_names[IMP_NFIELDS] = {
    [IMP_NAME] = "(ア) 外部サービスの名称",
    [IMP_FUNCTION] = "機能名",
    [IMP_PROVIDER] = "(イ) 外部サービス提供者",
    [IMP_PURPOSE] = "(ウ) 利用目的",
    [IMP_CLASS] = "(エ) 格付",
    [IMP_CONF] = "(エ) 機密性",
    [IMP_INT] = "完全性",
    [IMP_AVAIL] = "可用性",
    [IMP_FROM] = "(オ) 利用開始日",
    [IMP_TO] = "(オ) 利用終了日",
    [IMP_PERIOD] = "(オ) 利用期間",
    [IMP_DEPT] = "(カ) 利用申請者の所属",
    [IMP_APPLICANT] = "(カ) 利用申請者の氏名",
    [IMP_SCOPE] = "(キ) 利用者の範囲",
    [IMP_CONDITIONS] = "個別の選定条件",
    [IMP_OLD_ID] = "台帳番号",
};

/* Folded, without spaces, ※ and a leading (ア)-style marker. */
static char *header_key(const char *s)
{
    char *f = text_fold(s);
    if (!f)
        return NULL;
    struct sbuf sb;
    sbuf_init(&sb, 0);
    const char *p = f;
    /* "(ア)" after folding: '(' + one katakana (3 bytes) + ')'. */
    while (*p == ' ')
        p++;
    if (p[0] == '(' && strlen(p) >= 5 && p[4] == ')')
        p += 5;
    for (; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            continue;
        if (strncmp(p, "※", strlen("※")) == 0) {
            p += strlen("※") - 1;
            continue;
        }
        sbuf_add(&sb, p, 1);
    }
    free(f);
    char *out = sbuf_detach(&sb);
    return out ? out : strdup("");
}

bool import_header(char **cells, size_t n, struct import_map *m, json_t *issues)
{
    memset(m, 0, sizeof *m);
    for (int f = 0; f < IMP_NFIELDS; f++)
        m->col[f] = -1;
    m->ignored = json_array();
    bool ok = true;
    for (size_t c = 0; c < n; c++) {
        char *key = header_key(cells[c]);
        int hit = -1;
        for (int f = 0; key && f < IMP_NFIELDS && hit < 0; f++)
            for (int v = 0; variants[f][v] && hit < 0; v++) {
                char *want = header_key(variants[f][v]);
                if (want && strcmp(key, want) == 0)
                    hit = f;
                free(want);
            }
        free(key);
        if (hit < 0) {
            if (text_has_content(cells[c]))
                json_array_append_new(m->ignored, json_string(cells[c]));
            continue;
        }
        if (m->col[hit] >= 0) {
            csv_issue(issues, 1, (int)c + 1, "見出し「%s」は %d 列目の「%s」と同じ項目です",
                      cells[c], m->col[hit] + 1, m->header[hit]);
            ok = false;
            continue;
        }
        m->col[hit] = (int)c;
        m->header[hit] = strdup(cells[c]);
    }
    static const enum import_field required[] = {IMP_NAME, IMP_PROVIDER, IMP_PURPOSE, IMP_DEPT,
                                                 IMP_SCOPE};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (m->col[required[i]] < 0) {
            csv_issue(issues, 1, 0, "「%s」の列がありません（見出しの例: %s、%s）",
                      field_names[required[i]], variants[required[i]][0],
                      variants[required[i]][1] ? variants[required[i]][1] : "");
            ok = false;
        }
    if (m->col[IMP_CLASS] < 0 && m->col[IMP_CONF] < 0) {
        csv_issue(issues, 1, 0, "格付（機密性）の列がありません（見出しの例: 格付、機密性）");
        ok = false;
    }
    if (m->col[IMP_PERIOD] < 0 && (m->col[IMP_FROM] < 0 || m->col[IMP_TO] < 0)) {
        csv_issue(
            issues, 1, 0,
            "利用期間の列がありません（「利用期間」の一列か、「利用開始日」と「利用終了日」）");
        ok = false;
    }
    m->defaulted_levels = m->col[IMP_INT] < 0 || m->col[IMP_AVAIL] < 0;
    return ok;
}

void import_map_release(struct import_map *m)
{
    for (int f = 0; f < IMP_NFIELDS; f++)
        free(m->header[f]);
    json_decref(m->ignored);
    memset(m, 0, sizeof *m);
}

/* ---- one row ---- */

struct row_ctx {
    const struct import_map *m;
    char **cells;
    size_t n;
    long row;
    json_t *issues;
    bool bad;
};

static void bad(struct row_ctx *r, enum import_field f, const char *fmt, const char *a,
                const char *b)
{
    csv_issue(r->issues, r->row, r->m->col[f] + 1, fmt, r->m->header[f], a, b);
    r->bad = true;
}

/* The cell of field f, trimmed; "" where the column is absent or the cell
 * says "-" (none). A leading ' before a formula character (our own export
 * writes that) is dropped; a formula itself is refused. */
static char *cell(struct row_ctx *r, enum import_field f)
{
    int c = r->m->col[f];
    if (c < 0 || (size_t)c >= r->n)
        return strdup("");
    const char *s = r->cells[c];
    while (*s == ' ' || strncmp(s, "　", 3) == 0)
        s += *s == ' ' ? 1 : 3;
    if (s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]))
        s++;
    else if (s[0] && strchr("=+-@\t\r", s[0]) && strcmp(s, "-") != 0) {
        char lead[2] = {s[0], '\0'};
        bad(r, f,
            "「%s」の値は数式と解釈されるおそれがあります（先頭が「%s」）。文字として"
            "書くときは先頭に ' を付けてください%s",
            s[0] == '\t'   ? "タブ"
            : s[0] == '\r' ? "CR"
                           : lead,
            "");
        return strdup("");
    }
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\r' || s[len - 1] == '\n' ||
                   (len >= 3 && strncmp(s + len - 3, "　", 3) == 0)))
        len -= s[len - 1] == ' ' || s[len - 1] == '\r' || s[len - 1] == '\n' ? 1 : 3;
    char *out = strndup(s, len);
    if (out && (strcmp(out, "-") == 0 || strcmp(out, "－") == 0 || strcmp(out, "ー") == 0))
        out[0] = '\0';
    return out;
}

/* A level of `axis` as the catalogue spells it ("3a" is "3A"); NULL after
 * an issue. */
static const char *level(struct row_ctx *r, const struct catalogue *cat, enum axis axis,
                         const char *text, enum import_field f)
{
    char *folded = text_fold(text);
    for (size_t i = 0; folded && i < cat->nLevels[axis]; i++) {
        char *want = text_fold(cat->levels[axis][i].level);
        bool same = want && strcmp(want, folded) == 0;
        free(want);
        if (same) {
            free(folded);
            return cat->levels[axis][i].level;
        }
    }
    free(folded);
    struct sbuf names;
    sbuf_init(&names, 0);
    for (size_t i = 0; i < cat->nLevels[axis]; i++)
        sbuf_addf(&names, "%s%s", i ? "、" : "", cat->levels[axis][i].level);
    bad(r, f, "「%s」の「%s」はカタログの格付にありません（%s）", text, names.buf ? names.buf : "");
    sbuf_release(&names);
    return NULL;
}

/* "機密性2" → "2"; "2-2-1" → three parts. Returns how many parts. */
static int level_parts(const char *text, char parts[3][16])
{
    char *f = text_fold(text);
    if (!f)
        return 0;
    const char *p = f;
    static const char *const prefixes[] = {"機密性", "格付", "c"};
    for (size_t i = 0; i < 3; i++)
        if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0) {
            p += strlen(prefixes[i]);
            break;
        }
    int n = 0;
    while (n < 3) {
        size_t len = strcspn(p, "-・/ ");
        if (len == 0 || len >= 16)
            break;
        memcpy(parts[n], p, len);
        parts[n][len] = '\0';
        n++;
        p += len;
        if (!*p)
            break;
        p++;
    }
    bool rest = *p != '\0';
    free(f);
    return rest ? 0 : n;
}

/* A date of field f as ISO, or NULL after an issue. */
static bool day(struct row_ctx *r, enum import_field f, const char *text, char iso[11])
{
    struct xdate d;
    char why[256];
    if (!date_parse_ja(text, &d, why, sizeof why)) {
        bad(r, f, "「%s」: %s%s", why, "");
        return false;
    }
    date_format(d, iso);
    return true;
}

/* "2024/4/1～2025/3/31", "令和6年4月1日から令和7年3月31日", "R6.4.1-R7.3.31". */
static bool period_cell(struct row_ctx *r, const char *text, char from[11], char to[11])
{
    static const char *const seps[] = {"～", "〜", "~", "－", "—", "–", "から", "―"};
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
        const char *at = strstr(text, seps[i]);
        if (at) {
            char *a = strndup(text, (size_t)(at - text));
            const char *b = at + strlen(seps[i]);
            bool ok = a && day(r, IMP_PERIOD, a, from) && day(r, IMP_PERIOD, b, to);
            free(a);
            return ok;
        }
    }
    /* A hyphen may also join dates written with hyphens: try each one. */
    struct xdate d;
    for (const char *at = strchr(text, '-'); at; at = strchr(at + 1, '-')) {
        char *a = strndup(text, (size_t)(at - text));
        bool ok = a && date_parse_ja(a, &d, NULL, 0) && date_parse_ja(at + 1, &d, NULL, 0);
        if (ok) {
            ok = day(r, IMP_PERIOD, a, from) && day(r, IMP_PERIOD, at + 1, to);
            free(a);
            return ok;
        }
        free(a);
    }
    bad(r, IMP_PERIOD,
        "「%s」の「%s」を期間として読めません（例: 2024/4/1～2025/3/31、令和6年4月1日～令和7年3月"
        "31日、R6.4.1-R7.3.31）%s",
        text, "");
    return false;
}

json_t *import_row(const struct import_map *m, char **cells, size_t n, long row,
                   const struct catalogue *cat, bool *blank, json_t *issues)
{
    *blank = true;
    for (size_t i = 0; i < n && *blank; i++)
        if (text_has_content(cells[i]))
            *blank = false;
    if (*blank)
        return NULL;
    struct row_ctx r = {.m = m, .cells = cells, .n = n, .row = row, .issues = issues};
    char *v[IMP_NFIELDS];
    for (int f = 0; f < IMP_NFIELDS; f++)
        v[f] = cell(&r, (enum import_field)f);
    static const enum import_field required[] = {IMP_NAME, IMP_PROVIDER, IMP_PURPOSE, IMP_DEPT,
                                                 IMP_SCOPE};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (v[required[i]] && !text_has_content(v[required[i]]))
            bad(&r, required[i], "「%s」が空です%s%s", "", "");
    /* 格付. */
    const char *lv[AXIS_COUNT] = {NULL, NULL, NULL};
    enum import_field cf = m->col[IMP_CONF] >= 0 ? IMP_CONF : IMP_CLASS;
    char parts[3][16];
    int np = text_has_content(v[cf]) ? level_parts(v[cf], parts) : -1;
    if (np < 0)
        bad(&r, cf, "「%s」が空です%s%s", "", "");
    else if (np == 0 || np == 2)
        bad(&r, cf, "「%s」の「%s」を格付として読めません（例: 2、機密性2、2-2-1）%s", v[cf], "");
    else
        for (int a = 0; a < np; a++)
            lv[a] = level(&r, cat, (enum axis)a, parts[a], cf);
    static const enum import_field own[] = {IMP_CONF, IMP_INT, IMP_AVAIL};
    for (int a = 1; a < AXIS_COUNT; a++) {
        if (m->col[own[a]] >= 0 && text_has_content(v[own[a]])) {
            int k = level_parts(v[own[a]], parts);
            if (k != 1)
                bad(&r, own[a], "「%s」の「%s」を格付として読めません%s", v[own[a]], "");
            else
                lv[a] = level(&r, cat, (enum axis)a, parts[0], own[a]);
        } else if (!lv[a] && np > 0 && cat->nLevels[a]) {
            /* The lowest level (said in the report's notes). */
            size_t low = 0;
            for (size_t i = 1; i < cat->nLevels[a]; i++)
                if (cat->levels[a][i].rank < cat->levels[a][low].rank)
                    low = i;
            lv[a] = cat->levels[a][low].level;
        }
    }
    /* 利用期間. */
    char from[11] = "", to[11] = "";
    if (m->col[IMP_FROM] >= 0 && m->col[IMP_TO] >= 0) {
        if (!text_has_content(v[IMP_FROM]))
            bad(&r, IMP_FROM, "「%s」が空です%s%s", "", "");
        else
            day(&r, IMP_FROM, v[IMP_FROM], from);
        if (!text_has_content(v[IMP_TO]))
            bad(&r, IMP_TO, "「%s」が空です%s%s", "", "");
        else
            day(&r, IMP_TO, v[IMP_TO], to);
    } else if (!text_has_content(v[IMP_PERIOD])) {
        bad(&r, IMP_PERIOD, "「%s」が空です%s%s", "", "");
    } else {
        period_cell(&r, v[IMP_PERIOD], from, to);
    }
    if (from[0] && to[0] && strcmp(from, to) > 0)
        bad(&r, m->col[IMP_TO] >= 0 ? IMP_TO : IMP_PERIOD,
            "「%s」: 利用開始日 %s が利用終了日 %s より後です", from, to);
    json_t *doc = NULL;
    if (!r.bad) {
        json_t *conds = json_array();
        if (text_has_content(v[IMP_CONDITIONS])) {
            /* Several conditions are joined by ／ or a line break (our export). */
            char *rest = v[IMP_CONDITIONS];
            while (rest && *rest) {
                char *slash = strstr(rest, "／"), *nl = strchr(rest, '\n');
                char *end = slash && (!nl || slash < nl) ? slash : nl;
                char *one = end ? strndup(rest, (size_t)(end - rest)) : strdup(rest);
                if (one && text_has_content(one))
                    json_array_append_new(conds, json_pack("{s:s, s:s, s:s}", "text", one, "status",
                                                           "met", "evidence",
                                                           "旧台帳からの移行（承認時の条件）"));
                free(one);
                rest = end ? end + (end == slash ? strlen("／") : 1) : NULL;
            }
        }
        doc = json_pack("{s:{s:s, s:s, s:s}, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, "
                        "s:s, s:o}",
                        "service", "name", v[IMP_NAME], "function", v[IMP_FUNCTION], "provider",
                        v[IMP_PROVIDER], "purpose", v[IMP_PURPOSE], "classification",
                        "confidentiality", lv[0], "integrity", lv[1], "availability", lv[2],
                        "period", "from", from, "to", to, "applicant", "department", v[IMP_DEPT],
                        "name", v[IMP_APPLICANT], "scope", v[IMP_SCOPE], "conditions", conds);
        if (!doc)
            csv_issue(issues, row, 0, "この行を申請書にできません");
    }
    for (int f = 0; f < IMP_NFIELDS; f++)
        free(v[f]);
    return doc;
}
