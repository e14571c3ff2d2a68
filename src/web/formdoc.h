/*
 * formdoc.h - the request form of the web pages and the request document:
 * a document from the posted fields, and the fields' values from a document.
 * Field names: service_name, service_function, provider, category, ismap,
 * cloud_provider, data_location, personal_information ("yes", "no" or
 * blank), purpose, confidentiality, integrity, availability, period_from,
 * period_to, scope, proc_ref, proc_approved_on, proc_vendor_on,
 * req_N_status (met, unmet, na or blank), req_N_evidence, req_N_reason,
 * req_N_co (carried-over mark, JSON), risk_N_decision, risk_N_measure,
 * risk_N_reason, cond_I_text, cond_I_status, cond_I_evidence, cond_I_reason.
 * Each field's name is also its control's id on the form.
 */
#ifndef EXTSVC_WEB_FORMDOC_H
#define EXTSVC_WEB_FORMDOC_H

#include <jansson.h>

#include "form.h"

#define FORM_CONDITIONS 5 /* condition rows on the form (more: edit again) */

/* The request document the form describes (a new reference). Blank fields
 * are left out, so the evaluation reports them. */
json_t *formdoc_to_document(const struct form *f);

#endif
