/*
 * evaluate.c - the rules of the standard; see evaluate.h and CONTRACT.md
 * section 2. Each rule_* function is one rule and says which clause it is.
 */
#include "evaluate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "revision.h"
#include "text.h"

const char *track_name(enum track t)
{
    return t == TRACK_REQUIREMENTS ? "requirements" : "risk-review";
}

/* Findings are collected in a growable array; a failed allocation sets oom
 * and the evaluation is abandoned. */
struct collector {
    struct evaluation *ev;
    size_t alloc;
    bool oom;
};

static void add(struct collector *c, enum severity sev, const char *code, int item,
                const char *field, int index, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void add(struct collector *c, enum severity sev, const char *code, int item,
                const char *field, int index, const char *fmt, ...)
{
    if (c->oom)
        return;
    struct evaluation *ev = c->ev;
    if (ev->nFindings == c->alloc) {
        size_t n = c->alloc ? c->alloc * 2 : 16;
        struct finding *p = realloc(ev->findings, n * sizeof *p);
        if (!p) {
            c->oom = true;
            return;
        }
        ev->findings = p;
        c->alloc = n;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int rc = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (rc < 0) {
        c->oom = true;
        return;
    }
    ev->findings[ev->nFindings++] = (struct finding){sev, code, item, field, index, msg};
}

/* 5(2)③ (ア)〜(キ): the fields the ledger needs must be present. */
static void rule_missing_fields(struct collector *c, const struct document *doc)
{
    const struct {
        const char *value, *path, *label;
    } req[] = {
        {doc->service_name, "service.name", "外部サービスの名称（5(2)③(ア)）"},
        {doc->provider, "service.provider", "外部サービス提供者の名称（5(2)③(イ)）"},
        {doc->purpose, "purpose", "利用目的（5(2)③(ウ)）"},
        {doc->level[AXIS_CONFIDENTIALITY], "classification.confidentiality",
         "取り扱う情報の格付・機密性（5(2)③(エ)）"},
        {doc->level[AXIS_INTEGRITY], "classification.integrity",
         "取り扱う情報の格付・完全性（5(2)③(エ)）"},
        {doc->level[AXIS_AVAILABILITY], "classification.availability",
         "取り扱う情報の格付・可用性（5(2)③(エ)）"},
        {doc->period_from, "period.from", "利用期間の開始日（5(2)③(オ)）"},
        {doc->period_to, "period.to", "利用期間の終了日（5(2)③(オ)）"},
        {doc->applicant_department, "applicant.department", "利用申請者の所属（5(2)③(カ)）"},
        {doc->applicant_name, "applicant.name", "利用申請者の氏名（5(2)③(カ)）"},
        {doc->scope, "scope", "利用者の範囲（5(2)③(キ)）"},
    };
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (text_is_blank(req[i].value))
            add(c, SEV_BLOCKER, "missing-field", 0, req[i].path, -1,
                "本基準5(2)③: %sが入力されていません", req[i].label);
}

/* 5(2)③(オ): the period must be real days, from not after to. */
static void rule_period(struct collector *c, const struct document *doc)
{
    struct xdate from, to;
    bool okFrom = true, okTo = true;
    if (!text_is_blank(doc->period_from) && !date_parse(doc->period_from, &from)) {
        okFrom = false;
        add(c, SEV_BLOCKER, "invalid-period", 0, "period.from", -1,
            "本基準5(2)③(オ): 利用期間の開始日 \"%s\" は存在する日付（YYYY-MM-DD）ではありません",
            doc->period_from);
    }
    if (!text_is_blank(doc->period_to) && !date_parse(doc->period_to, &to)) {
        okTo = false;
        add(c, SEV_BLOCKER, "invalid-period", 0, "period.to", -1,
            "本基準5(2)③(オ): 利用期間の終了日 \"%s\" は存在する日付（YYYY-MM-DD）ではありません",
            doc->period_to);
    }
    if (okFrom && okTo && !text_is_blank(doc->period_from) && !text_is_blank(doc->period_to) &&
        date_cmp(from, to) > 0)
        add(c, SEV_BLOCKER, "invalid-period", 0, "period", -1,
            "本基準5(2)③(オ): 利用期間の開始日 %s が終了日 %s より後になっています",
            doc->period_from, doc->period_to);
}

/* 6 その他 / 4: every individual condition the manager set must be met;
 * one declared 対象外 (na) needs the reason why it does not apply, and is
 * then a warning for the approver to confirm. */
static void rule_conditions(struct collector *c, const struct document *doc)
{
    for (size_t i = 0; i < doc->nConditions; i++) {
        const struct condition *cond = &doc->conditions[i];
        if (cond->status == ANSWER_MET)
            continue;
        if (cond->status == ANSWER_NA && text_has_content(cond->reason))
            add(c, SEV_WARNING, "condition-not-applicable", 0, NULL, (int)i,
                "本基準6: 個別の選定条件 %zu「%s」が対象外とされています。理由: %s", i + 1,
                cond->text, cond->reason);
        else if (cond->status == ANSWER_NA)
            add(c, SEV_BLOCKER, "condition-unmet", 0, NULL, (int)i,
                "本基準6: 個別の選定条件 "
                "%zu「%s」が対象外とされていますが、理由が記載されていません",
                i + 1, cond->text);
        else
            add(c, SEV_BLOCKER, "condition-unmet", 0, NULL, (int)i,
                "本基準6: 個別の選定条件 %zu「%s」%s", i + 1, cond->text,
                cond->status == ANSWER_UNMET ? "が満たされていません" : "は未確認です");
    }
}

/* 別紙 適用状況, 3: a requirement declared 対象外 (na) must say why it does
 * not apply; with a reason it is a warning, whatever the level, for the
 * approver (5(2)②) to confirm, and plainly so where a 必須 item is set aside. */
static void rule_not_applicable(struct collector *c, const struct requirement *r,
                                const struct answer *a)
{
    const char *lv = req_level_label(r->level);
    if (!text_has_content(a->reason))
        add(c, SEV_BLOCKER, "not-applicable-unjustified", r->no, NULL, -1,
            "別紙 項番%d（%s）: 対象外とする理由が記載されていません（本基準3）", r->no, lv);
    else if (r->level == REQ_MANDATORY)
        add(c, SEV_WARNING, "not-applicable", r->no, NULL, -1,
            "別紙 項番%d（%s）: "
            "必須要件（満たす必要がある要件）が対象外と申告されています。許可権限者は、この要件が"
            "本当に適用されないことを確認してください（本基準3, 5(2)②）。理由: %s",
            r->no, lv, a->reason);
    else
        add(c, SEV_WARNING, "not-applicable", r->no, NULL, -1,
            "別紙 項番%d（%s）: "
            "対象外と申告されています。許可権限者は理由を確認してください（本基準"
            "3）。理由: %s",
            r->no, lv, a->reason);
}

/* 別紙 / 3: one requirement's answer. */
static void rule_requirement(struct collector *c, const struct requirement *r,
                             const struct answer *a)
{
    enum answer_status st = a ? a->status : ANSWER_UNKNOWN;
    const char *lv = req_level_label(r->level);
    if (st == ANSWER_MET)
        return;
    if (st == ANSWER_UNKNOWN) {
        add(c, SEV_BLOCKER, "unanswered", r->no, NULL, -1,
            "別紙 項番%d（%s）: 適用状況が未回答です（%s %s）", r->no, lv, r->clause, r->category);
        return;
    }
    if (st == ANSWER_NA) {
        rule_not_applicable(c, r, a);
        return;
    }
    bool reasoned = text_has_content(a->reason);
    switch (r->level) {
    case REQ_MANDATORY:
        add(c, SEV_BLOCKER, "mandatory-unmet", r->no, NULL, -1,
            "別紙 項番%d（%s）: 必須要件を満たしていません。必須は「満たす必要がある要件」です（%s "
            "%s）",
            r->no, lv, r->clause, r->category);
        break;
    case REQ_RECOMMENDED:
        if (reasoned)
            add(c, SEV_WARNING, "recommended-unmet", r->no, NULL, -1,
                "別紙 項番%d（%s）: 推奨要件を満たしていません。理由: %s", r->no, lv, a->reason);
        else
            add(c, SEV_BLOCKER, "recommended-unjustified", r->no, NULL, -1,
                "別紙 項番%d（%s）: "
                "推奨要件を満たさない理由（代替サービスが他にない等）が記載されていません",
                r->no, lv);
        break;
    case REQ_OPTIONAL:
        if (reasoned)
            add(c, SEV_WARNING, "optional-unmet", r->no, NULL, -1,
                "別紙 項番%d（%s）: 任意要件を満たしていません。影響の検討: %s", r->no, lv,
                a->reason);
        else
            add(c, SEV_BLOCKER, "optional-unconsidered", r->no, NULL, -1,
                "別紙 項番%d（%s）: "
                "任意要件を満たさない場合の影響の検討結果が記載されていません（本基準3）",
                r->no, lv);
        break;
    }
}

/* 4 (十分検討した上で): accepting a risk should say what was weighed. */
static void rule_accept_unexplained(struct collector *c, const struct risk *k,
                                    const struct risk_answer *a)
{
    if (!text_has_content(a->reason))
        add(c, SEV_WARNING, "accept-unexplained", k->no, NULL, -1,
            "本基準4: 1(4)%s のリスクを受容する理由が記載されていません。リスクを受容するかは十分"
            "検討した上で決めることとされています",
            circled_number(k->no));
}

/* 4 / 1(4): one known risk must be accepted, or mitigated with a measure. */
static void rule_risk(struct collector *c, const struct risk *k, const struct risk_answer *a)
{
    if (!a || a->decision == RISK_UNDECIDED)
        add(c, SEV_BLOCKER, "risk-undecided", k->no, NULL, -1,
            "本基準4: 外部サービス利用の特性 1(4)%s "
            "のリスクを受容するか低減措置を講ずるかが決められていません",
            circled_number(k->no));
    else if (a->decision == RISK_MITIGATE && !text_has_content(a->measure))
        add(c, SEV_BLOCKER, "measure-missing", k->no, NULL, -1,
            "本基準4: 1(4)%s のリスク低減措置の内容が記載されていません", circled_number(k->no));
    else if (a->decision == RISK_ACCEPT)
        rule_accept_unexplained(c, k, a);
}

/* 5(2): the purchase approval under 職務権限規程 and the vendor decision
 * come before the request. */
static void rule_procurement(struct collector *c, const struct document *doc)
{
    if (!doc->has_procurement || text_is_blank(doc->approval_ref) ||
        text_is_blank(doc->approved_on) || text_is_blank(doc->vendor_decided_on))
        add(c, SEV_WARNING, "procurement-missing", 0, NULL, -1,
            "本基準5(2): 職務権限規程による事前の審査・利用承認（approval_ref, "
            "approved_on）と業者決定日"
            "（vendor_decided_on）の記録がありません");
}

/* 5(2): a procurement date is a day that exists. document_parse() already
 * refuses other dates; this rule keeps evaluate_in() safe for documents
 * built otherwise. */
static void rule_procurement_invalid_date(struct collector *c, const struct document *doc)
{
    const struct {
        const char *value, *path, *label;
    } d[] = {
        {doc->approved_on, "procurement.approved_on", "職務権限規程による利用承認日"},
        {doc->vendor_decided_on, "procurement.vendor_decided_on", "業者決定日"},
    };
    struct xdate dt;
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        if (!text_is_blank(d[i].value) && !date_parse(d[i].value, &dt))
            add(c, SEV_WARNING, "procurement-invalid-date", 0, d[i].path, -1,
                "本基準5(2): %s \"%s\" は存在する日付（YYYY-MM-DD）ではありません", d[i].label,
                d[i].value);
}

/* 5(2) 事前に審査、利用承認を受けること。業者決定後…: the vendor is decided
 * after the internal approval, not before it. */
static void rule_procurement_order(struct collector *c, const struct document *doc)
{
    struct xdate approved, vendor;
    if (text_is_blank(doc->approved_on) || text_is_blank(doc->vendor_decided_on) ||
        !date_parse(doc->approved_on, &approved) || !date_parse(doc->vendor_decided_on, &vendor))
        return;
    if (date_cmp(vendor, approved) < 0)
        add(c, SEV_WARNING, "procurement-order", 0, NULL, -1,
            "本基準5(2): 業者決定日 %s が職務権限規程による審査・利用承認日 %s "
            "より前です。事前に審査・利用承認を受けてから業者を決定してください",
            doc->vendor_decided_on, doc->approved_on);
}

/* 5(2) 事前に…業者決定後、利用申請を行うこと: neither the approval nor the
 * vendor decision may lie after the day the request is evaluated. */
static void rule_procurement_after_submission(struct collector *c, const struct document *doc,
                                              const char *today)
{
    const struct {
        const char *value, *path, *label, *advice;
    } d[] = {
        {doc->approved_on, "procurement.approved_on", "職務権限規程による利用承認日",
         "審査・利用承認は利用申請の前に受けてください"},
        {doc->vendor_decided_on, "procurement.vendor_decided_on", "業者決定日",
         "利用申請は業者決定後に行うこととされています"},
    };
    struct xdate now, dt;
    if (!today || !date_parse(today, &now))
        return;
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        if (!text_is_blank(d[i].value) && date_parse(d[i].value, &dt) && date_cmp(dt, now) > 0)
            add(c, SEV_WARNING, "procurement-after-submission", 0, d[i].path, -1,
                "本基準5(2): %s %s が申請の評価日 %s より後です。%s", d[i].label, d[i].value, today,
                d[i].advice);
}

/* 2(1), 5(2)③(エ): personal information usually needs 機密性2以上; one
 * declared with a level below the threshold (the risk review of 2(2)) is
 * worth a second look at the classification. */
static void rule_personal_information_low_classification(struct collector *c,
                                                         const struct document *doc,
                                                         const struct catalogue *cat,
                                                         enum track track)
{
    if (doc->personal_information == 1 && track == TRACK_RISK_REVIEW)
        add(c, SEV_WARNING, "personal-information-low-classification", 0, NULL, -1,
            "本基準2(1): 個人情報を取り扱うとされていますが、機密性が「%s」（機密性%s未満）のため、"
            "要件一覧ではなくリスクの検討（本基準2(2), 4）で審査されます。個人情報は通常、機密性%s"
            "以上に当たります。取り扱う情報の格付（5(2)③(エ)）を確認してください",
            doc->level[AXIS_CONFIDENTIALITY], cat->threshold, cat->threshold);
}

/* 5(2)③ 期間の延長, (オ) 利用期間: an extension asked for after the approved
 * period ended leaves days on which the service was used without one. */
static void rule_extension_after_expiry(struct collector *c, const struct document *doc,
                                        const struct document *prev, const char *today)
{
    struct xdate now, oldTo, newTo;
    if (!prev || !today || !date_parse(today, &now) || text_is_blank(prev->period_to) ||
        !date_parse(prev->period_to, &oldTo) || text_is_blank(doc->period_to) ||
        !date_parse(doc->period_to, &newTo))
        return;
    if (date_cmp(oldTo, now) >= 0 || date_cmp(newTo, oldTo) <= 0)
        return;
    char first[11];
    date_format(date_add_days(oldTo, 1), first);
    add(c, SEV_WARNING, "extension-after-expiry", 0, NULL, -1,
        "本基準5(2)③(オ): 承認済みの利用期間は %s に終了しています。%s から %s "
        "まで、有効な利用期間がないまま外部サービスが利用されていたことになります。期間の延長は終"
        "了日より前に申請してください",
        prev->period_to, first, today);
}

/* Append the numbers as "1、5、17", or as "①、③" where circled (a risk
 * number past ⑫ in digits). */
static void join_items(struct sbuf *sb, const int *nos, size_t n, bool circled)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sbuf_adds(sb, "、");
        if (circled && *circled_number(nos[i]))
            sbuf_adds(sb, circled_number(nos[i]));
        else
            sbuf_addf(sb, "%d", nos[i]);
    }
}

/* 別紙, 1(4): answers hold for the text they answered. Where the catalogue
 * was revised since the answers were given, the items it added or changed
 * start unanswered (revision.h). */
static void rule_catalogue_revised(struct collector *c, const struct catalogue *since,
                                   const struct catalogue *cat)
{
    if (!since || strcmp(since->id, cat->id) == 0)
        return;
    int *reqs, *risks;
    size_t nReqs, nRisks;
    struct xerr e;
    if (catalogue_changed_items(since, cat, &reqs, &nReqs, &risks, &nRisks, &e)) {
        c->oom = true;
        return;
    }
    if (nReqs || nRisks) {
        struct sbuf sb;
        sbuf_init(&sb, 0);
        sbuf_addf(&sb, "別紙「外部サービス要件一覧」が %s から %s に改訂されました。", since->id,
                  cat->id);
        if (nReqs) {
            sbuf_adds(&sb, "新設または変更された要件（別紙 項番");
            join_items(&sb, reqs, nReqs, false);
            sbuf_adds(&sb, "）");
        }
        if (nReqs && nRisks)
            sbuf_adds(&sb, "と");
        if (nRisks) {
            sbuf_adds(&sb, "文言が変わった外部サービス利用の特性（1(4)");
            join_items(&sb, risks, nRisks, true);
            sbuf_adds(&sb, "）");
        }
        sbuf_adds(&sb, "は以前の回答を引き継がず、未回答から始まります。改めて回答してください");
        if (sb.overflow)
            c->oom = true;
        else
            add(c, SEV_WARNING, "catalogue-revised", 0, NULL, -1, "%s", sb.buf);
        sbuf_release(&sb);
    }
    free(reqs);
    free(risks);
}

/* 別紙 項番1 (the requirement of topic "ismap"): a registration number the
 * ISMAP cloud service list does not hold, or one whose registration ends
 * before the use does. Warnings: the list is evidence, not the rule. */
static void rule_ismap(struct collector *c, const struct document *doc, const struct catalogue *cat,
                       const struct ismap_info *ismap)
{
    if (!ismap || !ismap->loaded_on || text_is_blank(doc->ismap))
        return;
    const struct requirement *r = catalogue_topic(cat, "ismap");
    int item = r ? r->no : 0;
    if (!ismap->listed)
        add(c, SEV_WARNING, "ismap-unlisted", item, "service.ismap", -1,
            "別紙 項番%d: ISMAP 登録番号「%s」は ISMAP クラウドサービスリスト（%s 読込）に"
            "ありません",
            item, doc->ismap, ismap->loaded_on);
    else if (ismap->expires_on && doc->period_to && *ismap->expires_on &&
             strcmp(ismap->expires_on, doc->period_to) < 0)
        add(c, SEV_WARNING, "ismap-expires", item, "service.ismap", -1,
            "別紙 項番%d: ISMAP の登録（%s）の有効期限 %s は利用期間の終わり %s より前です"
            "（%s 読込のリスト）",
            item, doc->ismap, ismap->expires_on, doc->period_to, ismap->loaded_on);
}

/* 1(3) 生成AI: our own warning; information entered may be used by the provider (1(4)⑥). */
static void rule_generative_ai(struct collector *c, const struct document *doc)
{
    if (doc->category && strcmp(doc->category, "generative-ai") == 0)
        add(c, SEV_WARNING, "generative-ai", 0, NULL, -1,
            "生成AIサービスです。入力した情報が提供者に保存・学習利用されないことを約款で確認してく"
            "ださい（1(4)⑥）");
}

static int field_rank(const char *field)
{
    static const char *const order[] = {"service.name",
                                        "service.provider",
                                        "purpose",
                                        "classification.confidentiality",
                                        "classification.integrity",
                                        "classification.availability",
                                        "period",
                                        "period.from",
                                        "period.to",
                                        "applicant.department",
                                        "applicant.name",
                                        "scope",
                                        "procurement.approved_on",
                                        "procurement.vendor_decided_on"};
    for (int i = 0; field && i < (int)(sizeof order / sizeof order[0]); i++)
        if (strcmp(order[i], field) == 0)
            return i;
    return 99;
}

static int cmp_finding(const void *pa, const void *pb)
{
    const struct finding *a = pa, *b = pb;
    if (a->item != b->item)
        return a->item < b->item ? -1 : 1;
    int rc = strcmp(a->code, b->code);
    if (rc)
        return rc;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return field_rank(a->field) - field_rank(b->field);
}

enum track evaluate_track(const struct catalogue *cat, const char *confidentiality)
{
    const struct class_level *lv = catalogue_level(cat, AXIS_CONFIDENTIALITY, confidentiality);
    const struct class_level *th = catalogue_level(cat, AXIS_CONFIDENTIALITY, cat->threshold);
    if (!lv || !th)
        return TRACK_REQUIREMENTS;
    return lv->rank >= th->rank ? TRACK_REQUIREMENTS : TRACK_RISK_REVIEW;
}

enum xcode evaluate_in(const struct document *doc, const struct catalogue *cat,
                       const struct eval_context *ctx, struct evaluation *out, struct xerr *e)
{
    static const struct eval_context none = {KIND_NEW, NULL, NULL, NULL, NULL};
    if (!ctx)
        ctx = &none;
    memset(out, 0, sizeof *out);
    struct collector c = {out, 0, false};
    out->catalogue_id = cat->id;
    out->track = evaluate_track(cat, doc->level[AXIS_CONFIDENTIALITY]);
    if (ctx->kind == KIND_RETIRE) {
        out->approvable = true; /* 5(2)③ 廃止: only records that a use ends */
        return XOK;
    }

    rule_missing_fields(&c, doc);
    rule_period(&c, doc);
    rule_conditions(&c, doc);
    if (out->track == TRACK_REQUIREMENTS) {
        for (size_t i = 0; i < cat->nReqs; i++)
            rule_requirement(&c, &cat->reqs[i], document_answer(doc, cat->reqs[i].no));
    } else {
        for (size_t i = 0; i < cat->nRisks; i++)
            rule_risk(&c, &cat->risks[i], document_risk(doc, cat->risks[i].no));
    }
    rule_personal_information_low_classification(&c, doc, cat, out->track);
    rule_procurement(&c, doc);
    rule_procurement_invalid_date(&c, doc);
    rule_procurement_order(&c, doc);
    rule_procurement_after_submission(&c, doc, ctx->today);
    if (ctx->kind == KIND_CHANGE)
        rule_extension_after_expiry(&c, doc, ctx->prev, ctx->today);
    rule_catalogue_revised(&c, ctx->since, cat);
    rule_generative_ai(&c, doc);
    rule_ismap(&c, doc, cat, ctx->ismap);

    if (c.oom) {
        evaluation_release(out);
        return xerr_set(e, X_INTERNAL, "メモリが不足しています");
    }
    if (out->nFindings > 1)
        qsort(out->findings, out->nFindings, sizeof *out->findings, cmp_finding);
    out->approvable = evaluation_count(out, SEV_BLOCKER) == 0;
    return XOK;
}

enum xcode evaluate(const struct document *doc, const struct catalogue *cat, struct evaluation *out,
                    struct xerr *e)
{
    struct eval_context ctx = {KIND_NEW, NULL, NULL, NULL, NULL};
    return evaluate_in(doc, cat, &ctx, out, e);
}

size_t evaluation_count(const struct evaluation *ev, enum severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < ev->nFindings; i++)
        n += ev->findings[i].severity == sev;
    return n;
}

void evaluation_release(struct evaluation *ev)
{
    for (size_t i = 0; i < ev->nFindings; i++)
        free(ev->findings[i].message);
    free(ev->findings);
    memset(ev, 0, sizeof *ev);
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool evaluation_same(const struct evaluation *a, const struct evaluation *b)
{
    if (a->approvable != b->approvable || a->track != b->track ||
        !same_text(a->catalogue_id, b->catalogue_id) || a->nFindings != b->nFindings)
        return false;
    for (size_t i = 0; i < a->nFindings; i++) {
        const struct finding *f = &a->findings[i], *g = &b->findings[i];
        if (f->severity != g->severity || f->item != g->item || f->index != g->index ||
            !same_text(f->code, g->code) || !same_text(f->field, g->field) ||
            !same_text(f->message, g->message))
            return false;
    }
    return true;
}

json_t *evaluation_to_json(const struct evaluation *ev)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < ev->nFindings; i++) {
        const struct finding *f = &ev->findings[i];
        json_t *o = json_pack("{s:s, s:s}", "severity",
                              f->severity == SEV_BLOCKER ? "blocker" : "warning", "code", f->code);
        if (f->item)
            json_object_set_new(o, "item", json_integer(f->item));
        if (f->field)
            json_object_set_new(o, "field", json_string(f->field));
        if (f->index >= 0)
            json_object_set_new(o, "index", json_integer(f->index));
        json_object_set_new(o, "message", json_string(f->message));
        json_array_append_new(arr, o);
    }
    return json_pack("{s:b, s:s, s:s, s:o}", "approvable", ev->approvable, "track",
                     track_name(ev->track), "catalogue", ev->catalogue_id, "findings", arr);
}

enum xcode evaluate_request(int kind, const struct document *doc, const struct catalogue *cat,
                            struct evaluation *out, struct xerr *e)
{
    struct eval_context ctx = {kind, NULL, NULL, NULL, NULL};
    return evaluate_in(doc, cat, &ctx, out, e);
}
