/* Unit tests for the whisper_jobs collectd plugin's values: the fetch plan
 * and the counts and ages computed from a snapshot. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "snapshot_builder.h"
#include "wjc_values.h"

#define NOW_MS 1760000000000LL
#define MINUTE_MS (60 * 1000LL)
#define STUCK_AFTER_MS (30 * MINUTE_MS)

static const struct wj_type_filter no_filter = {NULL, 0};
static const char *const screenshot_types[] = {"screenshot"};
static const struct wj_type_filter screenshot_filter = {screenshot_types, 1};

static void start(struct wj_account_snapshot *snapshot, const struct wj_type_filter *filter)
{
    struct wj_account_plan plan;

    wjc_values_plan(filter, 100, &plan);
    builder_start(snapshot, &plan, NOW_MS);
}

static void plan_without_types(void **state)
{
    struct wj_account_plan plan;

    (void)state;
    wjc_values_plan(&no_filter, 7, &plan);
    assert_int_equal(plan.max_pages, 7);
    assert_int_equal(plan.lists[WJ_STATUS_PENDING], WJ_LIST_JOBS);
    assert_int_equal(plan.lists[WJ_STATUS_PROCESSING], WJ_LIST_JOBS);
    assert_int_equal(plan.lists[WJ_STATUS_COMPLETED], WJ_LIST_COUNT);
    assert_int_equal(plan.lists[WJ_STATUS_FAILED], WJ_LIST_COUNT);
    assert_int_equal(plan.lists[WJ_STATUS_CANCELLED], WJ_LIST_COUNT);
    assert_int_equal(plan.all, WJ_LIST_COUNT);
}

static void plan_with_types(void **state)
{
    struct wj_account_plan plan;

    (void)state;
    wjc_values_plan(&screenshot_filter, 100, &plan);
    for (int status = 0; status < WJ_API_STATUS_COUNT; status++)
        assert_int_equal(plan.lists[status], WJ_LIST_JOBS);
    assert_int_equal(plan.all, WJ_LIST_SKIP);
}

static void counts_from_totals(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "p1", "screenshot", "PENDING", 5 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "p2", "whois-search", "PENDING", 40 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_PROCESSING, "r1", "screenshot", "PROCESSING", 120 * MINUTE_MS);
    builder_set_total(&snapshot, WJ_STATUS_COMPLETED, 30);
    builder_set_total(&snapshot, WJ_STATUS_FAILED, 3);
    builder_set_total(&snapshot, WJ_STATUS_CANCELLED, 1);

    wjc_values_compute(&snapshot, &no_filter, STUCK_AFTER_MS, &values);
    assert_int_equal(values.counts[WJ_STATUS_PENDING], 2);
    assert_int_equal(values.counts[WJ_STATUS_PROCESSING], 1);
    assert_int_equal(values.counts[WJ_STATUS_COMPLETED], 30);
    assert_int_equal(values.counts[WJ_STATUS_FAILED], 3);
    assert_int_equal(values.counts[WJ_STATUS_CANCELLED], 1);
    assert_int_equal(values.counts[WJ_STATUS_OTHER], 0);
    assert_int_equal(values.stuck_pending, 1);
    assert_float_equal(values.oldest_pending_s, 2400.0, 1e-9);
    assert_float_equal(values.oldest_processing_s, 7200.0, 1e-9);
    assert_false(values.truncated);
    wj_account_snapshot_free(&snapshot);
}

static void empty_account_gives_zeros(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    wjc_values_compute(&snapshot, &no_filter, STUCK_AFTER_MS, &values);
    for (int status = 0; status < WJ_STATUS_COUNT; status++)
        assert_int_equal(values.counts[status], 0);
    assert_int_equal(values.stuck_pending, 0);
    assert_float_equal(values.oldest_pending_s, 0.0, 0.0);
    assert_float_equal(values.oldest_processing_s, 0.0, 0.0);
    wj_account_snapshot_free(&snapshot);
}

static void stuck_means_strictly_older(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "at", "screenshot", "PENDING", STUCK_AFTER_MS);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "past", "screenshot", "PENDING", STUCK_AFTER_MS + 1);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "young", "screenshot", "PENDING", STUCK_AFTER_MS - 1);
    /* A PROCESSING job never counts as stuck pending, however old. */
    builder_add_job(&snapshot, WJ_STATUS_PROCESSING, "busy", "screenshot", "PROCESSING", 10 * STUCK_AFTER_MS);

    wjc_values_compute(&snapshot, &no_filter, STUCK_AFTER_MS, &values);
    assert_int_equal(values.stuck_pending, 1);
    wj_account_snapshot_free(&snapshot);
}

static void stuck_after_zero_counts_every_aged_job(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "new", "screenshot", "PENDING", 0);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "older", "screenshot", "PENDING", 1);

    wjc_values_compute(&snapshot, &no_filter, 0, &values);
    assert_int_equal(values.stuck_pending, 1);
    wj_account_snapshot_free(&snapshot);
}

static void unknown_status_counts_as_other(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "p1", "screenshot", "PENDING", MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "w1", "screenshot", "WEIRD", 90 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_PROCESSING, "r1", "screenshot", "RUNNING", 2 * MINUTE_MS);

    wjc_values_compute(&snapshot, &no_filter, STUCK_AFTER_MS, &values);
    /* The PENDING total of 2 includes the WEIRD entry, which moves to other
     * and has no age. RUNNING is PROCESSING. */
    assert_int_equal(values.counts[WJ_STATUS_PENDING], 1);
    assert_int_equal(values.counts[WJ_STATUS_OTHER], 1);
    assert_int_equal(values.counts[WJ_STATUS_PROCESSING], 1);
    assert_int_equal(values.stuck_pending, 0);
    assert_float_equal(values.oldest_pending_s, 60.0, 1e-9);
    assert_float_equal(values.oldest_processing_s, 120.0, 1e-9);
    wj_account_snapshot_free(&snapshot);
}

static void unlisted_jobs_count_as_other(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "p1", "screenshot", "PENDING", MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "w1", "screenshot", "WEIRD", MINUTE_MS);
    builder_set_total(&snapshot, WJ_STATUS_COMPLETED, 30);
    /* 32 listed under the five statuses and 3 more in statuses no filter
     * returns. */
    builder_set_all_total(&snapshot, 35);

    wjc_values_compute(&snapshot, &no_filter, STUCK_AFTER_MS, &values);
    assert_int_equal(values.counts[WJ_STATUS_OTHER], 4);
    assert_int_equal(values.counts[WJ_STATUS_PENDING], 1);
    assert_int_equal(values.counts[WJ_STATUS_COMPLETED], 30);
    wj_account_snapshot_free(&snapshot);
}

static void unfiltered_total_below_listed_ignored(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    builder_set_total(&snapshot, WJ_STATUS_COMPLETED, 30);
    /* Jobs that finished between the requests of one read. */
    builder_set_all_total(&snapshot, 28);

    wjc_values_compute(&snapshot, &no_filter, STUCK_AFTER_MS, &values);
    assert_int_equal(values.counts[WJ_STATUS_OTHER], 0);
    wj_account_snapshot_free(&snapshot);
}

static void type_filter_counts_listed_jobs(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &screenshot_filter);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "p1", "screenshot", "PENDING", 45 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "p2", "whois-search", "PENDING", 90 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_PROCESSING, "r1", "whois-search", "PROCESSING", 60 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_COMPLETED, "c1", "screenshot", "COMPLETED", 60 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_COMPLETED, "c2", "screenshot", "COMPLETED", 70 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_COMPLETED, "c3", "bulk-enrichment", "COMPLETED", 80 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_FAILED, "f1", "screenshot", "FAILED", 10 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_CANCELLED, "x1", "ai-investigate", "CANCELLED", 10 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_FAILED, "w1", "screenshot", "WEIRD", 10 * MINUTE_MS);
    builder_add_job(&snapshot, WJ_STATUS_FAILED, "w2", "whois-search", "WEIRD", 10 * MINUTE_MS);

    wjc_values_compute(&snapshot, &screenshot_filter, STUCK_AFTER_MS, &values);
    assert_int_equal(values.counts[WJ_STATUS_PENDING], 1);
    assert_int_equal(values.counts[WJ_STATUS_PROCESSING], 0);
    assert_int_equal(values.counts[WJ_STATUS_COMPLETED], 2);
    assert_int_equal(values.counts[WJ_STATUS_FAILED], 1);
    assert_int_equal(values.counts[WJ_STATUS_CANCELLED], 0);
    assert_int_equal(values.counts[WJ_STATUS_OTHER], 1);
    assert_int_equal(values.stuck_pending, 1);
    assert_float_equal(values.oldest_pending_s, 2700.0, 1e-9);
    assert_float_equal(values.oldest_processing_s, 0.0, 0.0);
    wj_account_snapshot_free(&snapshot);
}

static void missing_created_at_has_no_age(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "p1", "screenshot", "PENDING", BUILDER_NO_CREATED_AT);
    builder_add_job(&snapshot, WJ_STATUS_PROCESSING, "r1", "screenshot", "PROCESSING", BUILDER_NO_CREATED_AT);

    wjc_values_compute(&snapshot, &no_filter, STUCK_AFTER_MS, &values);
    assert_int_equal(values.counts[WJ_STATUS_PENDING], 1);
    assert_int_equal(values.counts[WJ_STATUS_PROCESSING], 1);
    assert_int_equal(values.stuck_pending, 0);
    assert_float_equal(values.oldest_pending_s, 0.0, 0.0);
    assert_float_equal(values.oldest_processing_s, 0.0, 0.0);
    wj_account_snapshot_free(&snapshot);
}

static void future_created_at_is_age_zero(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "p1", "screenshot", "PENDING", -900);

    wjc_values_compute(&snapshot, &no_filter, 0, &values);
    assert_float_equal(values.oldest_pending_s, 0.0, 0.0);
    assert_int_equal(values.stuck_pending, 0);
    wj_account_snapshot_free(&snapshot);
}

static void truncated_list_keeps_total(void **state)
{
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;

    (void)state;
    start(&snapshot, &no_filter);
    builder_add_job(&snapshot, WJ_STATUS_PENDING, "p1", "screenshot", "PENDING", MINUTE_MS);
    builder_set_total(&snapshot, WJ_STATUS_PENDING, 250);
    snapshot.lists[WJ_STATUS_PENDING].truncated = true;

    wjc_values_compute(&snapshot, &no_filter, STUCK_AFTER_MS, &values);
    assert_true(values.truncated);
    assert_int_equal(values.counts[WJ_STATUS_PENDING], 250);
    wj_account_snapshot_free(&snapshot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plan_without_types),
        cmocka_unit_test(plan_with_types),
        cmocka_unit_test(counts_from_totals),
        cmocka_unit_test(empty_account_gives_zeros),
        cmocka_unit_test(stuck_means_strictly_older),
        cmocka_unit_test(stuck_after_zero_counts_every_aged_job),
        cmocka_unit_test(unknown_status_counts_as_other),
        cmocka_unit_test(unlisted_jobs_count_as_other),
        cmocka_unit_test(unfiltered_total_below_listed_ignored),
        cmocka_unit_test(type_filter_counts_listed_jobs),
        cmocka_unit_test(missing_created_at_has_no_age),
        cmocka_unit_test(future_created_at_is_age_zero),
        cmocka_unit_test(truncated_list_keeps_total),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
