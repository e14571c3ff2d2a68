/*
 * catalogue.h - the standard as data: the 28 requirements of 別紙, the 12
 * known risks of 1(4) and the classification scheme (格付), with its
 * threshold (機密性2 in the 2023 standard). A catalogue is a JSON document
 * of the shape of CONTRACT.md section 3; nothing in C knows an item number.
 */
#ifndef EXTSVC_CATALOGUE_H
#define EXTSVC_CATALOGUE_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"

enum req_level { REQ_MANDATORY, REQ_RECOMMENDED, REQ_OPTIONAL };

enum axis { AXIS_CONFIDENTIALITY, AXIS_INTEGRITY, AXIS_AVAILABILITY, AXIS_COUNT };

struct class_level {
    const char *level;      /* "2", "3A" */
    int rank;               /* higher is more sensitive */
    const char *definition; /* the guideline's definition */
};

struct requirement {
    int no;               /* 項番 */
    const char *clause;   /* 規定番号 ①〜⑧ */
    const char *category; /* 区分 */
    const char *text;     /* 要件, verbatim */
    enum req_level level; /* 必須 / 推奨 / 任意 */
    const char *topic; /* what the program checks it against: "ismap" (the ISMAP list); or NULL */
};

struct risk {
    int no;
    const char *text;
};

/* A parsed catalogue. Every string points into `json`, which it owns. */
struct catalogue {
    json_t *json;
    const char *id, *title, *effective;
    const char *threshold; /* confidentiality level at and above which the requirements apply */
    struct class_level *levels[AXIS_COUNT];
    size_t nLevels[AXIS_COUNT];
    struct requirement *reqs;
    size_t nReqs;
    struct risk *risks;
    size_t nRisks;
};

/* Parse and validate a catalogue document. On success *out owns a new
 * reference to `doc`; release it with catalogue_release(). */
enum xcode catalogue_parse(json_t *doc, struct catalogue *out, struct xerr *e);

/* Parse catalogue JSON text (at most 4 MiB). */
enum xcode catalogue_parse_text(const char *zText, size_t n, struct catalogue *out, struct xerr *e);

void catalogue_release(struct catalogue *cat);

/* Make *dst a copy of src sharing its JSON (a new reference): cheap, no
 * parsing; release it with catalogue_release() as usual. */
enum xcode catalogue_copy(const struct catalogue *src, struct catalogue *dst, struct xerr *e);

/* The first requirement of `topic` ("ismap"), or NULL. A catalogue that
 * gives no topic "ismap" has it on the first requirement naming ISMAP. */
const struct requirement *catalogue_topic(const struct catalogue *cat, const char *topic);

/* The level named `level` on `axis`, or NULL. */
const struct class_level *catalogue_level(const struct catalogue *cat, enum axis axis,
                                          const char *level);
/* The requirement with 項番 `no`, or NULL. */
const struct requirement *catalogue_requirement(const struct catalogue *cat, int no);
/* The risk numbered `no`, or NULL. */
const struct risk *catalogue_risk(const struct catalogue *cat, int no);

/* "mandatory" / "recommended" / "optional" and 必須 / 推奨 / 任意. */
const char *req_level_name(enum req_level level);
const char *req_level_label(enum req_level level);
/* 機密性 / 完全性 / 可用性, and the JSON key of the axis. */
const char *axis_label(enum axis axis);
const char *axis_key(enum axis axis);
/* "①".."⑫" for 1..12 (risk numbers as the standard writes them); "" outside. */
const char *circled_number(int n);

#endif
