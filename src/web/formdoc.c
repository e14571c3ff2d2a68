/*
 * formdoc.c - request form <-> request document; see formdoc.h.
 */
#include "formdoc.h"

#include <stdio.h>
#include <string.h>

#include "../core/text.h"
#include "../core/wareki.h"

static void set_text(json_t *obj, const char *key, const char *value)
{
    if (value && !text_is_blank(value))
        json_object_set_new(obj, key, json_string(value));
}

/* A date as people write it (令和8年4月1日, R8.4.1, …) goes into the
 * document as ISO; text that is no date goes in as it is, for the
 * evaluation to name. */
static void set_date(json_t *obj, const char *key, const char *value)
{
    struct xdate dt;
    char iso[11];
    if (value && !text_is_blank(value) && date_parse_ja(value, &dt, NULL, 0)) {
        date_format(dt, iso);
        json_object_set_new(obj, key, json_string(iso));
    } else {
        set_text(obj, key, value);
    }
}

static json_t *object_of(const struct form *f, const char *const (*map)[2], size_t n, bool dates)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        (dates ? set_date : set_text)(o, map[i][1], form_get(f, map[i][0]));
    if (json_object_size(o) == 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *formdoc_to_document(const struct form *f)
{
    static const char *const svc[][2] = {{"service_name", "name"},
                                         {"service_function", "function"},
                                         {"provider", "provider"},
                                         {"category", "category"},
                                         {"ismap", "ismap"},
                                         {"cloud_provider", "cloud_provider"},
                                         {"data_location", "data_location"}};
    static const char *const cls[][2] = {{"confidentiality", "confidentiality"},
                                         {"integrity", "integrity"},
                                         {"availability", "availability"}};
    static const char *const period[][2] = {{"period_from", "from"}, {"period_to", "to"}};
    static const char *const proc[][2] = {{"proc_ref", "approval_ref"},
                                          {"proc_approved_on", "approved_on"},
                                          {"proc_vendor_on", "vendor_decided_on"}};
    json_t *doc = json_object(), *o;
    if ((o = object_of(f, svc, 7, false)))
        json_object_set_new(doc, "service", o);
    set_text(doc, "purpose", form_get(f, "purpose"));
    if ((o = object_of(f, cls, 3, false)))
        json_object_set_new(doc, "classification", o);
    if ((o = object_of(f, period, 2, true)))
        json_object_set_new(doc, "period", o);
    set_text(doc, "scope", form_get(f, "scope"));
    /* Yes or no, or left out where not said (blank). */
    const char *pi = form_get(f, "personal_information");
    if (pi && (strcmp(pi, "yes") == 0 || strcmp(pi, "no") == 0))
        json_object_set_new(doc, "personal_information", json_boolean(strcmp(pi, "yes") == 0));
    if ((o = object_of(f, proc, 3, false))) {
        /* The two dates of procurement, not its reference number. */
        set_date(o, "approved_on", form_get(f, "proc_approved_on"));
        set_date(o, "vendor_decided_on", form_get(f, "proc_vendor_on"));
    }
    if (o)
        json_object_set_new(doc, "procurement", o);

    json_t *reqs = json_object(), *risks = json_object(), *conds = json_array();
    for (size_t i = 0; i < f->n; i++) {
        const char *name = f->fields[i].name;
        int no;
        char rest[16];
        if (sscanf(name, "req_%d_%15s", &no, rest) == 2 && strcmp(rest, "status") == 0 && no > 0) {
            const char *st = f->fields[i].value;
            if (text_is_blank(st))
                continue;
            char key[16], k2[32];
            snprintf(key, sizeof key, "%d", no);
            json_t *a = json_pack("{s:s}", "status", st);
            snprintf(k2, sizeof k2, "req_%d_evidence", no);
            set_text(a, "evidence", form_get(f, k2));
            snprintf(k2, sizeof k2, "req_%d_reason", no);
            set_text(a, "reason", form_get(f, k2));
            snprintf(k2, sizeof k2, "req_%d_co", no);
            const char *co = form_get(f, k2);
            json_t *mark = co && *co ? json_loads(co, 0, NULL) : NULL;
            if (json_is_object(mark))
                json_object_set(a, "carried_over", mark);
            json_decref(mark);
            json_object_set_new(reqs, key, a);
        } else if (sscanf(name, "risk_%d_%15s", &no, rest) == 2 && strcmp(rest, "decision") == 0 &&
                   no > 0) {
            /* A measure or reason typed before a decision is kept (the
             * evaluation still says the risk is undecided). */
            const char *d = f->fields[i].value;
            char key[16], k2[32], k3[32];
            snprintf(k2, sizeof k2, "risk_%d_measure", no);
            snprintf(k3, sizeof k3, "risk_%d_reason", no);
            const char *measure = form_get(f, k2), *reason = form_get(f, k3);
            if (text_is_blank(d) && text_is_blank(measure) && text_is_blank(reason))
                continue;
            snprintf(key, sizeof key, "%d", no);
            json_t *a = json_object();
            set_text(a, "decision", d);
            set_text(a, "measure", measure);
            set_text(a, "reason", reason);
            json_object_set_new(risks, key, a);
        }
    }
    for (int i = 0; i < 100; i++) {
        char k[32];
        snprintf(k, sizeof k, "cond_%d_text", i);
        const char *text = form_get(f, k);
        if (!text)
            break;
        if (text_is_blank(text))
            continue;
        json_t *c = json_pack("{s:s}", "text", text);
        snprintf(k, sizeof k, "cond_%d_status", i);
        set_text(c, "status", form_get(f, k));
        snprintf(k, sizeof k, "cond_%d_evidence", i);
        set_text(c, "evidence", form_get(f, k));
        snprintf(k, sizeof k, "cond_%d_reason", i);
        set_text(c, "reason", form_get(f, k));
        json_array_append_new(conds, c);
    }
    if (json_object_size(reqs))
        json_object_set(doc, "requirements", reqs);
    if (json_object_size(risks))
        json_object_set(doc, "risks", risks);
    if (json_array_size(conds))
        json_object_set(doc, "conditions", conds);
    json_decref(reqs);
    json_decref(risks);
    json_decref(conds);
    return doc;
}
