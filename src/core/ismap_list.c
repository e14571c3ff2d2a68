/*
 * ismap_list.c - the ISMAP cloud service list's rows; see ismap_list.h.
 */
#include "ismap_list.h"

#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "fold.h"
#include "text.h"
#include "wareki.h"

static const char *const variants[ISM_NFIELDS][8] = {
    [ISM_NUMBER] = {"登録番号", "ismap登録番号", "番号", NULL},
    [ISM_NAME] = {"サービス名称", "クラウドサービス名称", "サービス名", "クラウドサービス名", NULL},
    [ISM_PROVIDER] = {"事業者名", "クラウドサービス事業者名", "事業者", "提供者", "申請者", NULL},
    [ISM_REGISTERED] = {"登録日", "登録年月日", NULL},
    [ISM_EXPIRES] = {"有効期限", "登録の有効期限", "有効期間の満了日", "有効期間終了日", "期限",
                     NULL},
};
static const char *const names[ISM_NFIELDS] = {"登録番号", "サービス名称", "事業者名", "登録日",
                                               "有効期限"};

/* Folded, without spaces. */
static char *key_of(const char *s)
{
    char *f = text_fold(s);
    if (!f)
        return NULL;
    char *w = f;
    for (char *p = f; *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            *w++ = *p;
    *w = '\0';
    return f;
}

bool ismap_header(char **cells, size_t n, struct ismap_map *m, json_t *issues)
{
    for (int f = 0; f < ISM_NFIELDS; f++)
        m->col[f] = -1;
    for (size_t c = 0; c < n; c++) {
        char *key = key_of(cells[c]);
        for (int f = 0; key && f < ISM_NFIELDS; f++) {
            bool hit = false;
            for (int v = 0; variants[f][v] && !hit; v++) {
                char *want = key_of(variants[f][v]);
                hit = want && strcmp(want, key) == 0;
                free(want);
            }
            if (hit && m->col[f] < 0) {
                m->col[f] = (int)c;
                break;
            }
        }
        free(key);
    }
    bool ok = true;
    for (int f = ISM_NUMBER; f <= ISM_NAME; f++)
        if (m->col[f] < 0) {
            csv_issue(issues, 1, 0, "「%s」の列がありません", names[f]);
            ok = false;
        }
    return ok;
}

static const char *cell(const struct ismap_map *m, char **cells, size_t n, int f)
{
    int c = m->col[f];
    return c >= 0 && (size_t)c < n ? cells[c] : "";
}

json_t *ismap_row(const struct ismap_map *m, char **cells, size_t n, long row, bool *blank,
                  json_t *issues)
{
    *blank = true;
    for (size_t i = 0; i < n && *blank; i++)
        *blank = !text_has_content(cells[i]);
    if (*blank)
        return NULL;
    bool bad = false;
    const char *number = cell(m, cells, n, ISM_NUMBER), *name = cell(m, cells, n, ISM_NAME);
    if (!text_has_content(number)) {
        csv_issue(issues, row, m->col[ISM_NUMBER] + 1, "登録番号が空です");
        bad = true;
    }
    if (!text_has_content(name)) {
        csv_issue(issues, row, m->col[ISM_NAME] + 1, "サービス名称が空です");
        bad = true;
    }
    char days[2][11] = {"", ""};
    for (int k = 0; k < 2; k++) {
        int f = k ? ISM_EXPIRES : ISM_REGISTERED;
        const char *v = cell(m, cells, n, f);
        struct xdate d;
        char why[256];
        if (!text_has_content(v))
            continue;
        if (!date_parse_ja(v, &d, why, sizeof why)) {
            csv_issue(issues, row, m->col[f] + 1, "%s: %s", names[f], why);
            bad = true;
        } else {
            date_format(d, days[k]);
        }
    }
    if (bad)
        return NULL;
    json_t *o = json_pack("{s:s, s:s, s:s}", "number", number, "service_name", name, "provider",
                          cell(m, cells, n, ISM_PROVIDER));
    json_object_set_new(o, "registered_on", days[0][0] ? json_string(days[0]) : json_null());
    json_object_set_new(o, "expires_on", days[1][0] ? json_string(days[1]) : json_null());
    return o;
}
