/*
 * test_states.c - the life of a request (CONTRACT.md section 5, standard
 * 5(2)①〜③): every (state, action) pair against the contract, which states
 * are editable, which actions need a comment, and the names of states,
 * actions, kinds and ledger entry states.
 */
#include "unit_util.h"

#include "core/states.h"

#define NO (-1)

/* CONTRACT 5 (standard 5(2)①): draft → consulting (事前協議) → consulted
 * (the approver concluded it) → submitted → approved | rejected | returned
 * (差戻し, editable again, then re-submitted) | withdrawn.
 *   consult   from draft; from consulted (reopened)
 *   submit    from draft, consulting, consulted, returned (a new request
 *             only from consulted or returned: req_submit_needs_consultation)
 *   approve   from submitted (5(2)②)
 *   reject    from submitted, consulting, consulted
 *   return    from submitted
 *   conclude  from consulting
 *   withdraw  from every open state
 * and nothing leaves approved, rejected or withdrawn. */
static const int expected[ST_COUNT][ACT_COMMENT] = {
    /*           consult submit withdraw approve reject return conclude */
    [ST_DRAFT] = {ST_CONSULTING, ST_SUBMITTED, ST_WITHDRAWN, NO, NO, NO, NO},
    [ST_CONSULTING] = {NO, ST_SUBMITTED, ST_WITHDRAWN, NO, ST_REJECTED, NO, ST_CONSULTED},
    [ST_CONSULTED] = {ST_CONSULTING, ST_SUBMITTED, ST_WITHDRAWN, NO, ST_REJECTED, NO, NO},
    [ST_SUBMITTED] = {NO, NO, ST_WITHDRAWN, ST_APPROVED, ST_REJECTED, ST_RETURNED, NO},
    [ST_APPROVED] = {NO, NO, NO, NO, NO, NO, NO},
    [ST_REJECTED] = {NO, NO, NO, NO, NO, NO, NO},
    [ST_RETURNED] = {NO, ST_SUBMITTED, ST_WITHDRAWN, NO, NO, NO, NO},
    [ST_WITHDRAWN] = {NO, NO, NO, NO, NO, NO, NO},
};

static void test_states_transition_matrix_matches_contract(void **state)
{
    int nWrong = 0;
    for (int s = 0; s < ST_COUNT; s++)
        for (int a = 0; a < ACT_COMMENT; a++) {
            int got = req_transition((enum req_state)s, (enum req_action)a);
            if (got != expected[s][a]) {
                print_message("%s --%s--> %s, the contract says %s\n",
                              req_state_name((enum req_state)s),
                              req_action_name((enum req_action)a),
                              got < 0 ? "(refused)" : req_state_name((enum req_state)got),
                              expected[s][a] < 0 ? "(refused)"
                                                 : req_state_name((enum req_state)expected[s][a]));
                nWrong++;
            }
        }
    assert_int_equal(nWrong, 0);
}

/* Standard 5(2)①: 事前協議した上で利用申請を行うこと. A new request is
 * submitted only once the consultation was concluded; a change or a
 * retirement (5(2)③) may consult but need not. */
static void test_states_new_request_needs_concluded_consultation(void **state)
{
    assert_true(req_submit_needs_consultation(KIND_NEW, ST_DRAFT));
    assert_true(req_submit_needs_consultation(KIND_NEW, ST_CONSULTING));
    assert_false(req_submit_needs_consultation(KIND_NEW, ST_CONSULTED));
    assert_false(req_submit_needs_consultation(KIND_NEW, ST_RETURNED));
    for (int k = KIND_CHANGE; k < KIND_COUNT; k++)
        for (int s = 0; s < ST_COUNT; s++)
            assert_false(req_submit_needs_consultation((enum req_kind)k, (enum req_state)s));
}

/* 5(2)①: the approver concludes the consultation, from consulting only. */
static void test_states_conclude_only_from_consulting(void **state)
{
    for (int s = 0; s < ST_COUNT; s++)
        assert_int_equal(req_transition((enum req_state)s, ACT_CONCLUDE),
                         s == ST_CONSULTING ? ST_CONSULTED : NO);
}

/* A consultation starts from a draft, or starts again after conclusion. */
static void test_states_consult_only_from_draft(void **state)
{
    assert_int_equal(req_transition(ST_DRAFT, ACT_CONSULT), ST_CONSULTING);
    assert_int_equal(req_transition(ST_CONSULTED, ACT_CONSULT), ST_CONSULTING);
    for (int s = 0; s < ST_COUNT; s++)
        if (s != ST_DRAFT && s != ST_CONSULTED &&
            req_transition((enum req_state)s, ACT_CONSULT) != NO)
            fail_msg("consult allowed from %s", req_state_name((enum req_state)s));
}

/* 5(2)②: only a submitted request is decided; approval from nowhere else. */
static void test_states_approve_only_from_submitted(void **state)
{
    for (int s = 0; s < ST_COUNT; s++)
        assert_int_equal(req_transition((enum req_state)s, ACT_APPROVE),
                         s == ST_SUBMITTED ? ST_APPROVED : NO);
}

/* CONTRACT 5: approved, rejected and withdrawn are final: no action, a
 * comment included, moves a request out of them. */
static void test_states_nothing_leaves_final_states(void **state)
{
    static const enum req_state finals[] = {ST_APPROVED, ST_REJECTED, ST_WITHDRAWN};
    for (size_t i = 0; i < sizeof finals / sizeof finals[0]; i++)
        for (int a = 0; a < ACT_COUNT; a++) {
            int got = req_transition(finals[i], (enum req_action)a);
            if (got != NO && got != (int)finals[i])
                fail_msg("%s --%s--> %s", req_state_name(finals[i]),
                         req_action_name((enum req_action)a), req_state_name((enum req_state)got));
        }
}

/* CONTRACT 5: comments are kept during consultation and review and change no state. */
static void test_states_comment_keeps_state(void **state)
{
    assert_int_equal(req_transition(ST_CONSULTING, ACT_COMMENT), ST_CONSULTING);
    assert_int_equal(req_transition(ST_SUBMITTED, ACT_COMMENT), ST_SUBMITTED);
    for (int s = 0; s < ST_COUNT; s++) {
        int got = req_transition((enum req_state)s, ACT_COMMENT);
        assert_true(got == NO || got == s);
    }
}

/* Issue 7, CONTRACT 5: "while consulting the applicant may still edit it";
 * a returned request is editable again; what the approver concluded on, or
 * is deciding, is not. */
static void test_states_editable_in_draft_consulting_and_returned(void **state)
{
    for (int s = 0; s < ST_COUNT; s++) {
        bool expect = s == ST_DRAFT || s == ST_CONSULTING || s == ST_RETURNED;
        if (req_editable((enum req_state)s) != expect)
            fail_msg("req_editable(%s) is %d, the contract says %d",
                     req_state_name((enum req_state)s), !expect, expect);
    }
}

/* CONTRACT 1, 5(2)②: reject and return need a comment; the applicant's
 * steps and approval do not. */
static void test_states_reject_and_return_need_comment(void **state)
{
    assert_true(req_action_needs_comment(ACT_REJECT));
    assert_true(req_action_needs_comment(ACT_RETURN));
    assert_false(req_action_needs_comment(ACT_CONSULT));
    assert_false(req_action_needs_comment(ACT_SUBMIT));
    assert_false(req_action_needs_comment(ACT_WITHDRAW));
    assert_false(req_action_needs_comment(ACT_APPROVE));
}

/* CONTRACT 1/5/6: the names the interfaces use, and parsing them back. */
static void test_states_names_round_trip(void **state)
{
    static const char *const states[ST_COUNT] = {"draft",     "consulting", "consulted",
                                                 "submitted", "approved",   "rejected",
                                                 "returned",  "withdrawn"};
    for (int s = 0; s < ST_COUNT; s++) {
        assert_string_equal(req_state_name((enum req_state)s), states[s]);
        assert_int_equal(req_state_parse(states[s]), s);
        assert_true(strlen(req_state_label((enum req_state)s)) > 0);
    }
    static const char *const actions[] = {"consult", "submit", "withdraw", "approve",
                                          "reject",  "return", "conclude"};
    for (int a = 0; a < ACT_COMMENT; a++) {
        assert_string_equal(req_action_name((enum req_action)a), actions[a]);
        assert_int_equal(req_action_parse(actions[a]), a);
    }
    static const char *const kinds[KIND_COUNT] = {"new", "change", "retire"};
    for (int k = 0; k < KIND_COUNT; k++) {
        assert_string_equal(req_kind_name((enum req_kind)k), kinds[k]);
        assert_int_equal(req_kind_parse(kinds[k]), k);
    }
    assert_int_equal(req_state_parse("Draft"), -1);
    assert_int_equal(req_state_parse(""), -1);
    assert_int_equal(req_state_parse(NULL), -1);
    assert_int_equal(req_action_parse("delete"), -1);
    assert_int_equal(req_kind_parse("extend"), -1);
}

/* CONTRACT 4 (5(2)③): an entry whose period has not begun is 利用開始前; a
 * retirement dated ahead leaves it 廃止予定 until that day, then 廃止; past
 * its period it is 期間満了. */
static void test_states_entry_state_by_date(void **state)
{
    const char *from = "2026-04-01", *to = "2027-03-31";
    assert_int_equal(entry_state_on(from, to, NULL, "2026-03-31"), ENTRY_UPCOMING);
    assert_int_equal(entry_state_on(from, to, NULL, "2026-04-01"), ENTRY_ACTIVE);
    assert_int_equal(entry_state_on(from, to, NULL, "2027-03-31"), ENTRY_ACTIVE);
    assert_int_equal(entry_state_on(from, to, NULL, "2027-04-01"), ENTRY_EXPIRED);
    assert_int_equal(entry_state_on(from, "2026-09-30", "2026-09-30", "2026-09-29"),
                     ENTRY_RETIRING);
    assert_int_equal(entry_state_on(from, "2026-09-30", "2026-09-30", "2026-09-30"), ENTRY_RETIRED);
    /* A retirement approved before the use began. */
    assert_int_equal(entry_state_on(from, "2026-04-01", "2026-04-01", "2026-03-01"),
                     ENTRY_RETIRING);
    assert_int_equal(entry_state_on(from, to, "2026-04-15", "2026-05-01"), ENTRY_RETIRED);
}

/* CONTRACT 4: 状態 is 利用開始前, 利用中, 期間満了, 廃止予定 or 廃止. */
static void test_states_entry_labels(void **state)
{
    assert_string_equal(entry_state_label(ENTRY_ACTIVE), "利用中");
    assert_string_equal(entry_state_label(ENTRY_EXPIRED), "期間満了");
    assert_string_equal(entry_state_label(ENTRY_RETIRED), "廃止");
    assert_int_equal(entry_state_parse("利用中"), ENTRY_ACTIVE);
    assert_int_equal(entry_state_parse("期間満了"), ENTRY_EXPIRED);
    assert_int_equal(entry_state_parse("廃止"), ENTRY_RETIRED);
    assert_int_equal(entry_state_parse(entry_state_name(ENTRY_EXPIRED)), ENTRY_EXPIRED);
    assert_string_equal(entry_state_label(ENTRY_UPCOMING), "利用開始前");
    assert_string_equal(entry_state_label(ENTRY_RETIRING), "廃止予定");
    assert_int_equal(entry_state_parse("upcoming"), ENTRY_UPCOMING);
    assert_int_equal(entry_state_parse("廃止予定"), ENTRY_RETIRING);
    assert_int_equal(entry_state_parse("deleted"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states_transition_matrix_matches_contract),
        cmocka_unit_test(test_states_new_request_needs_concluded_consultation),
        cmocka_unit_test(test_states_conclude_only_from_consulting),
        cmocka_unit_test(test_states_consult_only_from_draft),
        cmocka_unit_test(test_states_approve_only_from_submitted),
        cmocka_unit_test(test_states_nothing_leaves_final_states),
        cmocka_unit_test(test_states_comment_keeps_state),
        cmocka_unit_test(test_states_editable_in_draft_consulting_and_returned),
        cmocka_unit_test(test_states_reject_and_return_need_comment),
        cmocka_unit_test(test_states_names_round_trip),
        cmocka_unit_test(test_states_entry_state_by_date),
        cmocka_unit_test(test_states_entry_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
