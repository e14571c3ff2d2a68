/*
 * revision.c - items a catalogue revision changes, and documents carried
 * over to it; see revision.h.
 */
#include "revision.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "text.h"

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Does requirement `b` ask something other than `a` did? */
static bool requirement_differs(const struct requirement *a, const struct requirement *b)
{
    return a->level != b->level || strcmp(a->text, b->text) != 0 ||
           strcmp(a->clause, b->clause) != 0 || strcmp(a->category, b->category) != 0;
}

enum xcode catalogue_changed_items(const struct catalogue *from, const struct catalogue *to,
                                   int **reqs, size_t *nReqs, int **risks, size_t *nRisks,
                                   struct xerr *e)
{
    *reqs = *risks = NULL;
    *nReqs = *nRisks = 0;
    int *r = malloc((to->nReqs ? to->nReqs : 1) * sizeof *r);
    int *k = malloc((to->nRisks ? to->nRisks : 1) * sizeof *k);
    if (!r || !k) {
        free(r);
        free(k);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    size_t nR = 0, nK = 0;
    for (size_t i = 0; i < to->nReqs; i++) {
        const struct requirement *old = catalogue_requirement(from, to->reqs[i].no);
        if (!old || requirement_differs(old, &to->reqs[i]))
            r[nR++] = to->reqs[i].no;
    }
    for (size_t i = 0; i < to->nRisks; i++) {
        const struct risk *old = catalogue_risk(from, to->risks[i].no);
        if (!old || strcmp(old->text, to->risks[i].text) != 0)
            k[nK++] = to->risks[i].no;
    }
    qsort(r, nR, sizeof *r, cmp_int);
    qsort(k, nK, sizeof *k, cmp_int);
    if (nR == 0) {
        free(r);
        r = NULL;
    }
    if (nK == 0) {
        free(k);
        k = NULL;
    }
    *reqs = r;
    *nReqs = nR;
    *risks = k;
    *nRisks = nK;
    return XOK;
}

static bool listed(const int *nos, size_t n, int no)
{
    return n && bsearch(&no, nos, n, sizeof *nos, cmp_int) != NULL;
}

/* Drop from `answers` (an object keyed by item number) every answer whose
 * number is listed in `changed` or fails `exists` in `to`. */
static void drop_stale_answers(json_t *answers, const int *changed, size_t nChanged,
                               const struct catalogue *to, bool isRisk)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(answers, tmp, key, v)
    {
        int no = document_item_number(key);
        bool exists = no > 0 && (isRisk ? catalogue_risk(to, no) != NULL
                                        : catalogue_requirement(to, no) != NULL);
        if (!exists || listed(changed, nChanged, no))
            json_object_del(answers, key);
    }
}

enum xcode document_rebase(json_t *doc, const struct catalogue *from, const struct catalogue *to,
                           json_t **out, struct xerr *e)
{
    *out = NULL;
    if (!json_is_object(doc))
        return xerr_set(e, X_INVALID, "申請書: JSON オブジェクトではありません");
    int *reqs, *risks;
    size_t nReqs, nRisks;
    enum xcode rc = catalogue_changed_items(from, to, &reqs, &nReqs, &risks, &nRisks, e);
    if (rc)
        return rc;
    json_t *copy = json_deep_copy(doc);
    if (!copy) {
        rc = xerr_set(e, X_INTERNAL, "メモリが不足しています");
        goto done;
    }
    json_t *answers = json_object_get(copy, "requirements");
    if (json_is_object(answers))
        drop_stale_answers(answers, reqs, nReqs, to, false);
    answers = json_object_get(copy, "risks");
    if (json_is_object(answers))
        drop_stale_answers(answers, risks, nRisks, to, true);

    json_t *cls = json_object_get(copy, "classification");
    for (int a = 0; json_is_object(cls) && a < AXIS_COUNT; a++) {
        const char *level = json_string_value(json_object_get(cls, axis_key((enum axis)a)));
        if (level && !text_is_blank(level) && !catalogue_level(to, (enum axis)a, level) &&
            json_object_set_new(cls, axis_key((enum axis)a), json_string("")) != 0) {
            rc = xerr_set(e, X_INTERNAL, "メモリが不足しています");
            goto done;
        }
    }
    *out = copy;
    copy = NULL;
done:
    json_decref(copy);
    free(reqs);
    free(risks);
    return rc;
}
