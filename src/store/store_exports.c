/*
 * store_exports.c - what the ledger's exports read beside the entries:
 * the requirement answers and risk decisions of each entry's current
 * version (the document of the request that made it).
 */
#include <string.h>

#include "store_internal.h"

/* Sixty-four ids at a time (0 where there are fewer: no entry has it). */
#define ANSWERS_BATCH 64
#define IDS64                                                                                      \
    "?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"                                      \
    "?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,"                             \
    "?33,?34,?35,?36,?37,?38,?39,?40,?41,?42,?43,?44,?45,?46,?47,?48,"                             \
    "?49,?50,?51,?52,?53,?54,?55,?56,?57,?58,?59,?60,?61,?62,?63,?64"
static const char answers_sql[] =
    "SELECT e.id, v.service_name, r.catalogue_id, r.document, COALESCE(et.body, r.evaluation), "
    "e.department_id FROM ledger_entries e "
    "JOIN ledger_versions v ON v.entry_id = e.id AND v.version = e.version "
    "JOIN requests r ON r.id = v.request_id "
    "LEFT JOIN evaluation_texts et ON et.id = r.evaluation_id "
    "WHERE e.id IN (" IDS64 ")";

enum xcode store_entry_answers(struct db *db, const long long *ids, int n, json_t **out,
                               struct xerr *e)
{
    *out = json_array();
    for (int at = 0; at < n; at += ANSWERS_BATCH) {
        struct db_val args[ANSWERS_BATCH];
        for (int i = 0; i < ANSWERS_BATCH; i++)
            args[i] = DI(at + i < n ? ids[at + i] : 0);
        struct db_rows *rows;
        if (db_query(db, &rows, answers_sql, args, ANSWERS_BATCH, e))
            goto fail;
        int rc;
        json_t *batch = json_array();
        while ((rc = db_next(rows, e)) == 1) {
            json_t *doc = json_loads(db_text(rows, 3), 0, NULL);
            json_t *ev = json_loads(db_text(rows, 4), 0, NULL);
            json_t *req = json_object_get(doc, "requirements");
            json_t *risks = json_object_get(doc, "risks");
            json_t *track = json_object_get(ev, "track");
            json_array_append_new(batch,
                                  json_pack("{s:I, s:I, s:s, s:s, s:O?, s:O?, s:O?}", "entry",
                                            (json_int_t)db_int(rows, 0), "department_id",
                                            (json_int_t)db_int(rows, 5), "service",
                                            db_text(rows, 1), "catalogue", db_text(rows, 2),
                                            "track", track, "requirements", req, "risks", risks));
            json_decref(doc);
            json_decref(ev);
        }
        db_done(rows);
        /* In the order asked (the export's order), not the database's. */
        for (int i = at; i < n && i < at + ANSWERS_BATCH; i++) {
            size_t k;
            json_t *a;
            json_array_foreach(batch, k, a)
            {
                if (json_integer_value(json_object_get(a, "entry")) == ids[i]) {
                    json_array_append(*out, a);
                    break;
                }
            }
        }
        json_decref(batch);
        if (rc < 0)
            goto fail;
    }
    return XOK;
fail:
    json_decref(*out);
    *out = NULL;
    return e->code;
}
