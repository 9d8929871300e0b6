/* Unit tests for wj_judge and wj_state: the judgement tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wj_judge.h"

#define NOW_MS INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */
#define UNSET WJ_THRESHOLD_UNSET

/* A job for the tables: ages in seconds before NOW_MS, negative for absent. */
struct job_spec {
    const char *id;
    const char *type;
    const char *status;
    int64_t created_age_s;
    int64_t completed_age_s;
    bool created_invalid;
};

static struct wj_job make_job(const struct job_spec *spec)
{
    struct wj_job job = {0};

    job.id = strdup(spec->id);
    job.type = strdup(spec->type ? spec->type : "screenshot");
    job.status_text = strdup(spec->status);
    job.status = wj_status_from_text(spec->status);
    job.error_code = strdup(job.status == WJ_STATUS_FAILED ? "TIMEOUT" : "");
    job.error_message = strdup(job.status == WJ_STATUS_FAILED ? "timed out" : "");
    if (spec->created_invalid) {
        job.created_at.state = WJ_TIMESTAMP_INVALID;
    } else if (spec->created_age_s >= 0) {
        job.created_at.state = WJ_TIMESTAMP_VALID;
        job.created_at.epoch_ms = NOW_MS - spec->created_age_s * 1000;
    }
    if (spec->completed_age_s >= 0) {
        job.completed_at.state = WJ_TIMESTAMP_VALID;
        job.completed_at.epoch_ms = NOW_MS - spec->completed_age_s * 1000;
    }
    return job;
}

/* Fills the list of each job's own status (RUNNING goes to PROCESSING's). */
static void make_snapshot(struct wj_account_snapshot *snapshot, const struct job_spec *specs, size_t count)
{
    memset(snapshot, 0, sizeof *snapshot);
    snapshot->now_ms = NOW_MS;
    snapshot->modes[WJ_STATUS_PENDING] = WJ_LIST_JOBS;
    snapshot->modes[WJ_STATUS_PROCESSING] = WJ_LIST_JOBS;
    snapshot->modes[WJ_STATUS_FAILED] = WJ_LIST_JOBS;

    for (size_t i = 0; i < count; i++) {
        struct wj_job job = make_job(&specs[i]);
        enum wj_status list = job.status == WJ_STATUS_OTHER ? WJ_STATUS_PENDING : job.status;

        assert_true(wj_job_list_take(&snapshot->lists[list].jobs, &job));
    }
}

static struct wj_thresholds default_thresholds(void)
{
    struct wj_thresholds thresholds;

    memset(&thresholds, 0, sizeof thresholds);
    assert_true(wj_range_parse("0", &thresholds.failed_warning, NULL));
    thresholds.window_s = 3600;
    thresholds.pending_warning_s = UNSET;
    thresholds.pending_critical_s = UNSET;
    thresholds.processing_warning_s = UNSET;
    thresholds.processing_critical_s = UNSET;
    return thresholds;
}

static void judge(const struct job_spec *specs, size_t count, const struct wj_thresholds *thresholds,
                  const struct wj_type_filter *filter, struct wj_account_judgement *judgement)
{
    struct wj_account_snapshot snapshot;
    struct wj_error error = {0};

    make_snapshot(&snapshot, specs, count);
    assert_true(wj_judge_account(&snapshot, thresholds, filter, judgement, &error));

    /* Findings borrow the jobs, which are freed below, so the tests read
     * only counts, states and ages after this. */
    for (size_t i = 0; i < judgement->finding_count; i++)
        judgement->findings[i].job = NULL;
    wj_account_snapshot_free(&snapshot);
}

static void test_state_worst_ranking(void **state)
{
    static const struct {
        enum wj_state a;
        enum wj_state b;
        enum wj_state worst;
    } cases[] = {
        {WJ_STATE_OK, WJ_STATE_OK, WJ_STATE_OK},
        {WJ_STATE_OK, WJ_STATE_UNKNOWN, WJ_STATE_UNKNOWN},
        {WJ_STATE_UNKNOWN, WJ_STATE_WARNING, WJ_STATE_WARNING},
        {WJ_STATE_WARNING, WJ_STATE_UNKNOWN, WJ_STATE_WARNING},
        {WJ_STATE_CRITICAL, WJ_STATE_UNKNOWN, WJ_STATE_CRITICAL},
        {WJ_STATE_WARNING, WJ_STATE_CRITICAL, WJ_STATE_CRITICAL},
        {WJ_STATE_CRITICAL, WJ_STATE_OK, WJ_STATE_CRITICAL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case %zu\n", i);
        assert_int_equal(wj_state_worst(cases[i].a, cases[i].b), cases[i].worst);
        assert_int_equal(wj_state_worst(cases[i].b, cases[i].a), cases[i].worst);
    }
}

static void test_age_thresholds_strict(void **state)
{
    static const struct {
        int64_t age_ms;
        int64_t warning_s;
        int64_t critical_s;
        enum wj_state expected;
    } cases[] = {
        {900000, 900, UNSET, WJ_STATE_OK},          /* exactly at the threshold */
        {900001, 900, UNSET, WJ_STATE_WARNING},     /* one millisecond over */
        {1800000, 900, 1800, WJ_STATE_WARNING},
        {1800001, 900, 1800, WJ_STATE_CRITICAL},
        {10, UNSET, UNSET, WJ_STATE_OK},
        {999999999, UNSET, UNSET, WJ_STATE_OK},
        {1000, 0, UNSET, WJ_STATE_WARNING},         /* 0 means any age above zero */
        {0, 0, 0, WJ_STATE_OK},
        {5000, UNSET, 4, WJ_STATE_CRITICAL},
        {5000, 10, 4, WJ_STATE_CRITICAL},           /* critical below warning still wins */
        {-5000, 0, 0, WJ_STATE_OK},                 /* created in the future */
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case %zu\n", i);
        assert_int_equal(wj_judge_age(cases[i].age_ms, cases[i].warning_s, cases[i].critical_s),
                         cases[i].expected);
    }
}

static void test_failed_window_boundary(void **state)
{
    const struct job_spec specs[] = {
        {"in-window", NULL, "FAILED", 4000, 3600, false},    /* exactly one window ago: counts */
        {"just-out", NULL, "FAILED", 4000, 3601, false},
        {"recent", NULL, "FAILED", 100, 10, false},
        {"created-only", NULL, "FAILED", 50, -1, false},     /* no completedAt: createdAt used */
        {"old-created-only", NULL, "FAILED", 7200, -1, false},
    };
    struct wj_thresholds thresholds = default_thresholds();
    struct wj_account_judgement judgement;

    (void)state;
    judge(specs, 5, &thresholds, NULL, &judgement);
    assert_int_equal(judgement.failed, 3);
    assert_int_equal(judgement.failed_state, WJ_STATE_WARNING);
    assert_int_equal(judgement.state, WJ_STATE_WARNING);
    assert_int_equal(judgement.finding_count, 3);
    wj_account_judgement_free(&judgement);
}

static void test_failed_ranges(void **state)
{
    static const struct {
        const char *warning;
        const char *critical;
        int failed;
        enum wj_state expected;
    } cases[] = {
        {"0", NULL, 0, WJ_STATE_OK},
        {"0", NULL, 1, WJ_STATE_WARNING},
        {"0", "2", 2, WJ_STATE_WARNING},
        {"0", "2", 3, WJ_STATE_CRITICAL},
        {"~:", NULL, 50, WJ_STATE_OK},
        {"5", "10", 5, WJ_STATE_OK},                  /* endpoints are inside the range */
        {"@1:3", NULL, 2, WJ_STATE_WARNING},
        {"@1:3", NULL, 4, WJ_STATE_OK},
        {"2:", NULL, 1, WJ_STATE_WARNING},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct job_spec specs[64];
        struct wj_thresholds thresholds = default_thresholds();
        struct wj_account_judgement judgement;
        static char ids[64][16];

        print_message("case %zu\n", i);
        assert_true(wj_range_parse(cases[i].warning, &thresholds.failed_warning, NULL));
        if (cases[i].critical)
            assert_true(wj_range_parse(cases[i].critical, &thresholds.failed_critical, NULL));
        for (int j = 0; j < cases[i].failed; j++) {
            snprintf(ids[j], sizeof ids[j], "f-%d", j);
            specs[j] = (struct job_spec){ids[j], NULL, "FAILED", 600, 60, false};
        }

        judge(specs, (size_t)cases[i].failed, &thresholds, NULL, &judgement);
        assert_int_equal(judgement.failed, cases[i].failed);
        assert_int_equal(judgement.state, cases[i].expected);
        wj_account_judgement_free(&judgement);
    }
}

static void test_stuck_counts_and_oldest(void **state)
{
    const struct job_spec specs[] = {
        {"p-young", NULL, "PENDING", 60, -1, false},
        {"p-at-warning", NULL, "PENDING", 1800, -1, false},
        {"p-over-warning", NULL, "PENDING", 1801, -1, false},
        {"p-over-critical", NULL, "PENDING", 7201, -1, false},
        {"r-running", NULL, "RUNNING", 4000, -1, false},
        {"r-processing", NULL, "PROCESSING", 100, -1, false},
    };
    struct wj_thresholds thresholds = default_thresholds();
    struct wj_account_judgement judgement;

    (void)state;
    thresholds.pending_warning_s = 1800;
    thresholds.pending_critical_s = 7200;
    thresholds.processing_critical_s = 3600;

    judge(specs, 6, &thresholds, NULL, &judgement);
    assert_int_equal(judgement.pending, 4);
    assert_int_equal(judgement.processing, 2);
    assert_int_equal(judgement.stuck_pending, 2);
    assert_int_equal(judgement.stuck_processing, 1);
    assert_int_equal(judgement.oldest_pending_ms, 7201000);
    assert_int_equal(judgement.oldest_processing_ms, 4000000);
    assert_int_equal(judgement.pending_state, WJ_STATE_CRITICAL);
    assert_int_equal(judgement.processing_state, WJ_STATE_CRITICAL);
    assert_int_equal(judgement.state, WJ_STATE_CRITICAL);
    assert_int_equal(judgement.finding_count, 3);
    assert_int_equal(judgement.findings[0].state, WJ_STATE_CRITICAL);
    assert_int_equal(judgement.findings[0].age_ms, 7201000);
    assert_int_equal(judgement.findings[1].age_ms, 4000000);
    assert_int_equal(judgement.findings[2].state, WJ_STATE_WARNING);
    wj_account_judgement_free(&judgement);
}

static void test_stuck_unset_counts_none(void **state)
{
    const struct job_spec specs[] = {
        {"p-ancient", NULL, "PENDING", 999999, -1, false},
    };
    struct wj_thresholds thresholds = default_thresholds();
    struct wj_account_judgement judgement;

    (void)state;
    judge(specs, 1, &thresholds, NULL, &judgement);
    assert_int_equal(judgement.stuck_pending, 0);
    assert_int_equal(judgement.oldest_pending_ms, 999999000);
    assert_int_equal(judgement.state, WJ_STATE_OK);
    wj_account_judgement_free(&judgement);
}

static void test_bad_timestamp_unknown(void **state)
{
    const struct job_spec specs[] = {
        {"p-bad", NULL, "PENDING", -1, -1, true},
        {"p-missing", NULL, "PENDING", -1, -1, false},
        {"f-missing", NULL, "FAILED", -1, -1, false},
        {"p-good", NULL, "PENDING", 100, -1, false},
    };
    struct wj_thresholds thresholds = default_thresholds();
    struct wj_account_judgement judgement;

    (void)state;
    judge(specs, 4, &thresholds, NULL, &judgement);
    assert_int_equal(judgement.bad_timestamps, 3);
    assert_int_equal(judgement.pending, 3);
    assert_int_equal(judgement.oldest_pending_ms, 100000);
    assert_int_equal(judgement.failed, 0);
    assert_int_equal(judgement.state, WJ_STATE_UNKNOWN);
    assert_int_equal(judgement.finding_count, 3);
    assert_int_equal(judgement.findings[0].reason, WJ_FINDING_BAD_TIMESTAMP);
    wj_account_judgement_free(&judgement);
}

static void test_bad_timestamp_loses_to_critical(void **state)
{
    const struct job_spec specs[] = {
        {"p-bad", NULL, "PENDING", -1, -1, true},
        {"p-old", NULL, "PENDING", 5000, -1, false},
    };
    struct wj_thresholds thresholds = default_thresholds();
    struct wj_account_judgement judgement;

    (void)state;
    thresholds.pending_critical_s = 60;
    judge(specs, 2, &thresholds, NULL, &judgement);
    assert_int_equal(judgement.state, WJ_STATE_CRITICAL);
    assert_int_equal(judgement.findings[0].state, WJ_STATE_CRITICAL);
    assert_int_equal(judgement.findings[1].state, WJ_STATE_UNKNOWN);
    wj_account_judgement_free(&judgement);
}

static void test_type_filter_and_other(void **state)
{
    const struct job_spec specs[] = {
        {"a", "screenshot", "FAILED", 100, 10, false},
        {"b", "whois-search", "FAILED", 100, 10, false},
        {"c", "screenshot", "PENDING", 100, -1, false},
        {"d", "screenshot", "WEIRD", 100, -1, false},
        {"e", "ai-investigate", "WEIRD", 100, -1, false},
    };
    const char *types[] = {"screenshot"};
    struct wj_type_filter filter = {types, 1};
    struct wj_thresholds thresholds = default_thresholds();
    struct wj_account_judgement judgement;

    (void)state;
    judge(specs, 5, &thresholds, &filter, &judgement);
    assert_int_equal(judgement.failed, 1);
    assert_int_equal(judgement.pending, 1);
    assert_int_equal(judgement.other, 1);
    wj_account_judgement_free(&judgement);

    judge(specs, 5, &thresholds, NULL, &judgement);
    assert_int_equal(judgement.failed, 2);
    assert_int_equal(judgement.other, 2);
    wj_account_judgement_free(&judgement);
}

static void test_truncated_count_uses_total(void **state)
{
    const struct job_spec specs[] = {
        {"p1", NULL, "PENDING", 10, -1, false},
        {"p2", NULL, "PENDING", 20, -1, false},
    };
    struct wj_account_snapshot snapshot;
    struct wj_thresholds thresholds = default_thresholds();
    struct wj_account_judgement judgement;
    struct wj_error error = {0};

    (void)state;
    make_snapshot(&snapshot, specs, 2);
    snapshot.lists[WJ_STATUS_PENDING].truncated = true;
    snapshot.lists[WJ_STATUS_PENDING].has_total = true;
    snapshot.lists[WJ_STATUS_PENDING].total = 500;

    assert_true(wj_judge_account(&snapshot, &thresholds, NULL, &judgement, &error));
    assert_int_equal(judgement.pending, 500);
    assert_true(judgement.truncated);
    wj_account_judgement_free(&judgement);
    wj_account_snapshot_free(&snapshot);
}

static void test_single_job_table(void **state)
{
    static const struct {
        struct job_spec spec;
        enum wj_state expected;
        bool has_age;
    } cases[] = {
        {{"c", NULL, "COMPLETED", 100, 50, false}, WJ_STATE_OK, true},
        {{"c-no-created", NULL, "COMPLETED", -1, 50, false}, WJ_STATE_OK, false},
        {{"f", NULL, "FAILED", 100, 50, false}, WJ_STATE_CRITICAL, true},
        {{"x", NULL, "CANCELLED", 100, 50, false}, WJ_STATE_WARNING, true},
        {{"p-young", NULL, "PENDING", 600, -1, false}, WJ_STATE_OK, true},
        {{"p-at", NULL, "PENDING", 900, -1, false}, WJ_STATE_OK, true},
        {{"p-warn", NULL, "PENDING", 901, -1, false}, WJ_STATE_WARNING, true},
        {{"p-crit", NULL, "PENDING", 3601, -1, false}, WJ_STATE_CRITICAL, true},
        {{"r", NULL, "RUNNING", 7201, -1, false}, WJ_STATE_CRITICAL, true},
        {{"r-young", NULL, "PROCESSING", 10, -1, false}, WJ_STATE_OK, true},
        {{"p-bad", NULL, "PENDING", -1, -1, true}, WJ_STATE_UNKNOWN, false},
        {{"p-missing", NULL, "PENDING", -1, -1, false}, WJ_STATE_UNKNOWN, false},
        {{"w", NULL, "WEIRD", 10, -1, false}, WJ_STATE_UNKNOWN, true},
    };
    struct wj_thresholds thresholds = default_thresholds();

    (void)state;
    thresholds.pending_warning_s = 900;
    thresholds.pending_critical_s = 3600;
    thresholds.processing_critical_s = 7200;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct wj_job job = make_job(&cases[i].spec);
        struct wj_job_judgement judgement;

        print_message("case %s\n", cases[i].spec.id);
        wj_judge_job(&job, NOW_MS, &thresholds, &judgement);
        assert_int_equal(judgement.state, cases[i].expected);
        assert_int_equal(judgement.has_age, cases[i].has_age);
        if (cases[i].expected == WJ_STATE_UNKNOWN)
            assert_non_null(judgement.problem);
        else
            assert_null(judgement.problem);
        if (cases[i].expected == WJ_STATE_UNKNOWN && !cases[i].has_age)
            assert_string_equal(judgement.bad_timestamp, "createdAt");
        else
            assert_null(judgement.bad_timestamp);
        wj_job_free(&job);
    }
}

static void test_single_job_thresholds_reported(void **state)
{
    const struct job_spec spec = {"p", NULL, "PENDING", 10, -1, false};
    struct wj_thresholds thresholds = default_thresholds();
    struct wj_job job = make_job(&spec);
    struct wj_job_judgement judgement;

    (void)state;
    thresholds.pending_warning_s = 900;
    wj_judge_job(&job, NOW_MS, &thresholds, &judgement);
    assert_int_equal(judgement.warning_s, 900);
    assert_int_equal(judgement.critical_s, UNSET);
    assert_int_equal(judgement.age_ms, 10000);
    wj_job_free(&job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_worst_ranking),
        cmocka_unit_test(test_age_thresholds_strict),
        cmocka_unit_test(test_failed_window_boundary),
        cmocka_unit_test(test_failed_ranges),
        cmocka_unit_test(test_stuck_counts_and_oldest),
        cmocka_unit_test(test_stuck_unset_counts_none),
        cmocka_unit_test(test_bad_timestamp_unknown),
        cmocka_unit_test(test_bad_timestamp_loses_to_critical),
        cmocka_unit_test(test_type_filter_and_other),
        cmocka_unit_test(test_truncated_count_uses_total),
        cmocka_unit_test(test_single_job_table),
        cmocka_unit_test(test_single_job_thresholds_reported),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
