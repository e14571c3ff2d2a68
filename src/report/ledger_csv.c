/*
 * ledger_csv.c - the ledger as CSV; see ledger_csv.h.
 */
#include "ledger_csv.h"

#include <stdlib.h>
#include <string.h>

#include "ledger_table.h"

/* Append one CSV field, converted to CP932 where asked; a character CP932
 * cannot hold is an error naming the entry and the column. */
static enum xcode put(struct ledger_csv *c, const char *value, long long entry, const char *column,
                      struct xerr *e)
{
    struct sbuf field;
    sbuf_init(&field, 0);
    /* A cell a spreadsheet would run as a formula is written as text. */
    if (ledger_cell_is_formula(value)) {
        struct sbuf quoted;
        sbuf_init(&quoted, 0);
        sbuf_adds(&quoted, "'");
        sbuf_adds(&quoted, value);
        csv_field(&field, quoted.buf);
        sbuf_release(&quoted);
    } else {
        csv_field(&field, value);
    }
    if (field.overflow) {
        sbuf_release(&field);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    if (!c->cp932) {
        bool ok = sbuf_add(&c->out, field.buf ? field.buf : "", field.len);
        sbuf_release(&field);
        return ok ? XOK : xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    char *out;
    size_t nOut, bad = 0;
    enum xcode rc = text_to_cp932(field.buf ? field.buf : "", field.len, &out, &nOut, &bad);
    if (rc == X_INVALID) {
        /* Name the character: the UTF-8 sequence at `bad`. */
        const unsigned char *p = (const unsigned char *)field.buf + bad;
        int len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        xerr_set(e, X_INVALID,
                 "台帳番号 %lld の「%s」に CP932 で表せない文字「%.*s」があります"
                 "（UTF-8 で出力してください）",
                 entry, column, len, (const char *)p);
    } else if (rc) {
        xerr_set(e, rc, "CP932 への変換に失敗しました");
    } else {
        sbuf_add(&c->out, out, nOut);
        free(out);
    }
    sbuf_release(&field);
    return rc;
}

enum xcode ledger_csv_begin(struct ledger_csv *c, bool cp932, struct xerr *e)
{
    memset(c, 0, sizeof *c);
    sbuf_init(&c->out, 0);
    c->cp932 = cp932;
    if (!cp932)
        sbuf_add(&c->out, "\xEF\xBB\xBF", 3);
    for (int i = 0; i < LEDGER_NCOLS; i++) {
        if (i)
            sbuf_add(&c->out, ",", 1);
        if (put(c, ledger_col_names[i], 0, ledger_col_names[i], e))
            return e->code;
    }
    sbuf_add(&c->out, "\r\n", 2);
    return c->out.overflow ? xerr_set(e, X_INTERNAL, "メモリが不足しています") : XOK;
}

enum xcode ledger_csv_row(struct ledger_csv *c, json_t *en, struct xerr *e)
{
    long long id = (long long)json_integer_value(json_object_get(en, "id"));
    char buf[32];
    for (int i = 0; i < LEDGER_NCOLS; i++) {
        if (i)
            sbuf_add(&c->out, ",", 1);
        char *owned;
        const char *v = ledger_cell(en, i, buf, sizeof buf, &owned);
        enum xcode rc = put(c, v, id, ledger_col_names[i], e);
        free(owned);
        if (rc)
            return rc;
    }
    sbuf_add(&c->out, "\r\n", 2);
    c->rows++;
    return c->out.overflow ? xerr_set(e, X_INTERNAL, "メモリが不足しています") : XOK;
}

void ledger_csv_release(struct ledger_csv *c)
{
    sbuf_release(&c->out);
}
