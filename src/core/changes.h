/*
 * changes.h - what a change request changes (5(2)③ 変更がある場合は、更新
 * すること): the review page's "before → after" of two request documents,
 * the entry's approved one and the one asked for.
 */
#ifndef EXTSVC_CHANGES_H
#define EXTSVC_CHANGES_H

#include <jansson.h>

/* A new JSON array of the differences from `before` to `after` (either may
 * be NULL: no document, every member absent), in this order:
 *
 *   {"field": "purpose", "label": "利用目的", "before": …, "after": …}
 *       for each changed one of service.name, function, provider,
 *       cloud_provider, data_location, category, ismap; purpose;
 *       classification.*; period.from, to; scope; personal_information;
 *       procurement.* — a value absent, null or blank is null;
 *   {"field": "conditions", "label": "個別の選定条件", "before": […], "after": […]}
 *       where the conditions differ (absent is []);
 *   {"field": "requirements.N", "label": "別紙 項番N", "before": {…}, "after": {…}}
 *   {"field": "risks.N", "label": "1(4)①", "before": {…}, "after": {…}}
 *       for each answer that changed, by item number. An answer is compared
 *       and shown without its carried_over mark, null or blank members and
 *       a status "unknown"; one with nothing left is null (unanswered).
 *
 * Labels are Japanese. Both documents are only read; the values in the
 * result are copies. Returns NULL only for want of memory. */
json_t *document_changes(json_t *before, json_t *after);

#endif
