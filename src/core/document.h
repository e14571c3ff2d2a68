/*
 * document.h - the request document (CONTRACT.md section 2): one JSON object
 * naming a service, the use, its 格付, period, applicant and scope, and the
 * answers of whichever track applies.
 *
 * document_parse() checks shape, types and vocabulary against a catalogue:
 * what it rejects is an invalid document (exit 2). What may legitimately be
 * missing while a draft is written (a blank field, an unanswered item, an
 * impossible period) is accepted here and reported by evaluate().
 */
#ifndef EXTSVC_DOCUMENT_H
#define EXTSVC_DOCUMENT_H

#include <jansson.h>
#include <stdbool.h>

#include "catalogue.h"
#include "err.h"

#define DOCUMENT_MAX_BYTES (1u << 20) /* 1 MiB */

/* "unknown", "met", "unmet", "na" (対象外: the requirement does not apply). */
enum answer_status { ANSWER_UNKNOWN, ANSWER_MET, ANSWER_UNMET, ANSWER_NA };
enum risk_decision { RISK_UNDECIDED, RISK_ACCEPT, RISK_MITIGATE };

struct answer {
    int no;
    enum answer_status status;
    const char *evidence, *reason; /* NULL where absent */
};

struct risk_answer {
    int no;
    enum risk_decision decision;
    const char *measure; /* the measure of a mitigation */
    const char *reason;  /* why the risk is accepted (本基準4: 十分検討した上で) */
};

struct condition {
    const char *text;
    enum answer_status status;
    const char *evidence, *reason;
};

/* The categories of 1(3)'s examples. */
extern const char *const service_categories[]; /* NULL-terminated */

/* A parsed document. Strings point into `json`, which it owns; NULL means absent. */
struct document {
    json_t *json;
    const char *service_name, *service_function, *provider, *category, *ismap;
    const char *cloud_provider; /* the クラウドサービスプロバイダー of 別紙 items 4-8 */
    const char *data_location; /* where the data is kept (別紙 items 11, 18) */
    int personal_information;  /* -1 absent, 0 false, 1 true */
    const char *purpose, *scope;
    const char *level[AXIS_COUNT];
    const char *period_from, *period_to;
    const char *applicant_department, *applicant_name;
    bool has_procurement;
    const char *approval_ref, *approved_on, *vendor_decided_on;
    struct answer *answers; /* sorted by no */
    size_t nAnswers;
    struct risk_answer *risk_answers; /* sorted by no */
    size_t nRiskAnswers;
    struct condition *conditions;
    size_t nConditions;
};

/* Parse document JSON text of at most DOCUMENT_MAX_BYTES, checking UTF-8. */
enum xcode document_parse_text(const char *zText, size_t n, const struct catalogue *cat,
                               struct document *out, struct xerr *e);

/* Parse an already loaded document; *out takes its own reference. */
enum xcode document_parse(json_t *doc, const struct catalogue *cat, struct document *out,
                          struct xerr *e);

void document_release(struct document *doc);

/* The answer for requirement `no`, or NULL where the document has none. */
const struct answer *document_answer(const struct document *doc, int no);
const struct risk_answer *document_risk(const struct document *doc, int no);

const char *answer_status_name(enum answer_status s);

/* The item number an answer's key names: "1".."9999", no sign, no leading
 * zero; -1 for any other key. */
int document_item_number(const char *key);

#endif
