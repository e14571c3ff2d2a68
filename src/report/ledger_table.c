/*
 * ledger_table.c - the ledger's columns and cells; see ledger_table.h.
 */
#include "ledger_table.h"

#include <stdio.h>
#include <string.h>

#include "../core/text.h"

const char *const ledger_col_names[LEDGER_NCOLS] = {
    "台帳番号",       "外部サービスの名称",
    "機能名",         "外部サービス提供者",
    "利用目的",       "機密性",
    "完全性",         "可用性",
    "利用開始日",     "利用終了日",
    "利用申請者所属", "利用申請者氏名",
    "利用者の範囲",   "状態",
    "個別の選定条件", "版",
    "承認申請番号",   "廃止日",
    "最終更新",
};

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The individual conditions of section 6 as one cell: their texts joined
 * by "／", a condition that does not apply marked 対象外 with its reason. */
static char *conditions_text(json_t *conds)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c)
    {
        if (i)
            sbuf_adds(&sb, "／");
        sbuf_adds(&sb, str(c, "text"));
        if (strcmp(str(c, "status"), "na") == 0)
            sbuf_addf(&sb, "（対象外: %s）", str(c, "reason"));
    }
    char *out = sbuf_detach(&sb);
    return out;
}

static const char *number(json_t *en, const char *key, char *buf, size_t n)
{
    snprintf(buf, n, "%lld", (long long)json_integer_value(json_object_get(en, key)));
    return buf;
}

const char *ledger_cell(json_t *en, int col, char *buf, size_t n, char **owned)
{
    json_t *svc = json_object_get(en, "service"), *cls = json_object_get(en, "classification");
    json_t *period = json_object_get(en, "period"), *appl = json_object_get(en, "applicant");
    *owned = NULL;
    switch ((enum ledger_col)col) {
    case COL_ID:
        return number(en, "id", buf, n);
    case COL_NAME:
        return str(svc, "name");
    case COL_FUNCTION:
        return str(svc, "function");
    case COL_PROVIDER:
        return str(svc, "provider");
    case COL_PURPOSE:
        return str(en, "purpose");
    case COL_CONFIDENTIALITY:
        return str(cls, "confidentiality");
    case COL_INTEGRITY:
        return str(cls, "integrity");
    case COL_AVAILABILITY:
        return str(cls, "availability");
    case COL_FROM:
        return str(period, "from");
    case COL_TO:
        return str(period, "to");
    case COL_DEPARTMENT:
        return str(appl, "department");
    case COL_APPLICANT:
        return str(appl, "name");
    case COL_SCOPE:
        return str(en, "scope");
    case COL_STATE:
        return str(en, "state_label");
    case COL_CONDITIONS:
        *owned = conditions_text(json_object_get(en, "conditions"));
        return *owned ? *owned : "";
    case COL_VERSION:
        return number(en, "version", buf, n);
    case COL_REQUEST:
        return number(en, "request_id", buf, n);
    case COL_RETIRED_ON:
        return str(en, "retired_on");
    case COL_UPDATED_AT:
        return str(en, "updated_at");
    case LEDGER_NCOLS:
        break;
    }
    return "";
}

bool ledger_col_is_date(int col)
{
    return col == COL_FROM || col == COL_TO || col == COL_RETIRED_ON || col == COL_UPDATED_AT;
}

bool ledger_col_is_number(int col)
{
    return col == COL_ID || col == COL_VERSION || col == COL_REQUEST;
}

bool ledger_cell_is_formula(const char *s)
{
    return s && s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}
