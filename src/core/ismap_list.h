/*
 * ismap_list.h - a row of the ISMAP cloud service list (ISMAP クラウド
 * サービスリスト, published by the ISMAP operating body; saved as CSV) as
 * a registration: its number, service, provider and days. Header names are
 * matched with the variants the published lists use (登録番号, サービス名称,
 * 事業者名, 登録日, 有効期限 …). Pure, like ledger_import.h.
 */
#ifndef EXTSVC_ISMAP_LIST_H
#define EXTSVC_ISMAP_LIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum ismap_field { ISM_NUMBER, ISM_NAME, ISM_PROVIDER, ISM_REGISTERED, ISM_EXPIRES, ISM_NFIELDS };

struct ismap_map {
    int col[ISM_NFIELDS]; /* -1 where absent */
};

/* Match the header row; false with issues where 登録番号 or the service's
 * name has no column. */
bool ismap_header(char **cells, size_t n, struct ismap_map *m, json_t *issues);

/* One row as {"number", "service_name", "provider", "registered_on",
 * "expires_on"} (days ISO or null); NULL after its issues, or for a blank
 * row (*blank). */
json_t *ismap_row(const struct ismap_map *m, char **cells, size_t n, long row, bool *blank,
                  json_t *issues);

#endif
