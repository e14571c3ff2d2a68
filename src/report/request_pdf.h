/*
 * request_pdf.h - a request printed for the 決裁 file: the
 * 外部サービス利用申請書 (fields (ア)〜(キ), procurement, the 別紙 table with
 * each requirement's 適用状況, evidence and reason, or the risk review, the
 * conditions, and a 決裁欄 of boxes), and the 承認通知書 / 却下通知書 with
 * the decision, its day and comment. From what wf_request_show returns.
 */
#ifndef EXTSVC_REQUEST_PDF_H
#define EXTSVC_REQUEST_PDF_H

#include <stddef.h>

#include "../core/wareki.h"
#include "../workflow/workflow.h"

/* The 決裁欄's boxes where the configuration names none. */
#define PDF_BOXES_DEFAULT "課長,部長"

/* The form of request `id` (boxes: comma-separated labels, NULL for the
 * default). Read as wf_request_show reads it: the same 403/404. */
enum xcode request_form_pdf(struct db *db, const struct user *actor, long long id,
                            enum date_style style, const char *boxes, char **out, size_t *n,
                            struct xerr *e);
/* The decision notice of request `id`: X_STATE where it was neither
 * approved nor rejected. */
enum xcode request_notice_pdf(struct db *db, const struct user *actor, long long id,
                              enum date_style style, char **out, size_t *n, struct xerr *e);

#endif
