/* Unit tests for wj_job: statuses and the job list. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wj_job.h"

struct status_case {
    const char *text;
    enum wj_status status;
};

static const struct status_case status_cases[] = {
    {"PENDING", WJ_STATUS_PENDING},
    {"PROCESSING", WJ_STATUS_PROCESSING},
    {"RUNNING", WJ_STATUS_PROCESSING},
    {"COMPLETED", WJ_STATUS_COMPLETED},
    {"FAILED", WJ_STATUS_FAILED},
    {"CANCELLED", WJ_STATUS_CANCELLED},
    {"OTHER", WJ_STATUS_OTHER},
    {"WEIRD", WJ_STATUS_OTHER},
    {"", WJ_STATUS_OTHER},
    {"pending", WJ_STATUS_OTHER},
    {"Failed", WJ_STATUS_OTHER},
    {"CANCELED", WJ_STATUS_OTHER},
    {"PENDING ", WJ_STATUS_OTHER},
};

static void status_from_text_maps_api_names(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof status_cases / sizeof status_cases[0]; i++) {
        enum wj_status status = wj_status_from_text(status_cases[i].text);

        if (status != status_cases[i].status)
            fail_msg("\"%s\" mapped to %s, expected %s", status_cases[i].text,
                     wj_status_name(status), wj_status_name(status_cases[i].status));
    }
}

static void status_from_null_is_other(void **state)
{
    (void)state;
    assert_int_equal(wj_status_from_text(NULL), WJ_STATUS_OTHER);
}

static void status_names_match_api(void **state)
{
    (void)state;
    assert_string_equal(wj_status_name(WJ_STATUS_PENDING), "PENDING");
    assert_string_equal(wj_status_name(WJ_STATUS_PROCESSING), "PROCESSING");
    assert_string_equal(wj_status_name(WJ_STATUS_COMPLETED), "COMPLETED");
    assert_string_equal(wj_status_name(WJ_STATUS_FAILED), "FAILED");
    assert_string_equal(wj_status_name(WJ_STATUS_CANCELLED), "CANCELLED");
    assert_string_equal(wj_status_name(WJ_STATUS_OTHER), "OTHER");
}

static void status_labels_are_lowercase(void **state)
{
    (void)state;
    assert_string_equal(wj_status_label(WJ_STATUS_PENDING), "pending");
    assert_string_equal(wj_status_label(WJ_STATUS_PROCESSING), "processing");
    assert_string_equal(wj_status_label(WJ_STATUS_COMPLETED), "completed");
    assert_string_equal(wj_status_label(WJ_STATUS_FAILED), "failed");
    assert_string_equal(wj_status_label(WJ_STATUS_CANCELLED), "cancelled");
    assert_string_equal(wj_status_label(WJ_STATUS_OTHER), "other");
}

static void status_out_of_range_is_other(void **state)
{
    (void)state;
    assert_string_equal(wj_status_name(WJ_STATUS_COUNT), "OTHER");
    assert_string_equal(wj_status_label(WJ_STATUS_COUNT), "other");
    assert_string_equal(wj_status_name((enum wj_status)-1), "OTHER");
}

static void status_name_round_trips(void **state)
{
    int status;

    (void)state;
    for (status = 0; status < WJ_STATUS_COUNT; status++) {
        const char *name = wj_status_name((enum wj_status)status);

        if (wj_status_from_text(name) != (enum wj_status)status)
            fail_msg("\"%s\" does not map back to itself", name);
    }
}

static struct wj_job make_job(const char *id)
{
    struct wj_job job = {0};

    job.id = strdup(id);
    job.type = strdup("screenshot");
    job.status_text = strdup("PENDING");
    job.status = WJ_STATUS_PENDING;
    job.error_code = strdup("");
    job.error_message = strdup("");
    return job;
}

static void job_free_zeroes_job(void **state)
{
    struct wj_job job = make_job("a");

    (void)state;
    wj_job_free(&job);
    assert_null(job.id);
    assert_null(job.type);
    assert_null(job.status_text);
    assert_null(job.error_code);
    assert_null(job.error_message);
}

static void job_free_twice_is_harmless(void **state)
{
    struct wj_job job = make_job("a");

    (void)state;
    wj_job_free(&job);
    wj_job_free(&job);
    assert_null(job.id);
}

static void job_free_accepts_null(void **state)
{
    (void)state;
    wj_job_free(NULL);
}

static void list_take_moves_job(void **state)
{
    struct wj_job_list list = {0};
    struct wj_job job = make_job("job-1");

    (void)state;
    assert_true(wj_job_list_take(&list, &job));
    assert_int_equal(list.count, 1);
    assert_string_equal(list.items[0].id, "job-1");
    assert_null(job.id);
    wj_job_list_free(&list);
}

static void list_take_grows_past_capacity(void **state)
{
    struct wj_job_list list = {0};
    size_t i;

    (void)state;
    for (i = 0; i < 1000; i++) {
        char id[32];
        struct wj_job job;

        snprintf(id, sizeof id, "job-%zu", i);
        job = make_job(id);
        if (!wj_job_list_take(&list, &job))
            fail_msg("take %zu failed", i);
    }

    assert_int_equal(list.count, 1000);
    assert_true(list.capacity >= 1000);
    assert_string_equal(list.items[0].id, "job-0");
    assert_string_equal(list.items[999].id, "job-999");
    wj_job_list_free(&list);
}

static void list_free_zeroes_list(void **state)
{
    struct wj_job_list list = {0};
    struct wj_job job = make_job("a");

    (void)state;
    wj_job_list_take(&list, &job);
    wj_job_list_free(&list);
    assert_null(list.items);
    assert_int_equal(list.count, 0);
    assert_int_equal(list.capacity, 0);
}

static void list_free_empty_list(void **state)
{
    struct wj_job_list list = {0};

    (void)state;
    wj_job_list_free(&list);
    wj_job_list_free(NULL);
    assert_int_equal(list.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_from_text_maps_api_names),
        cmocka_unit_test(status_from_null_is_other),
        cmocka_unit_test(status_names_match_api),
        cmocka_unit_test(status_labels_are_lowercase),
        cmocka_unit_test(status_out_of_range_is_other),
        cmocka_unit_test(status_name_round_trips),
        cmocka_unit_test(job_free_zeroes_job),
        cmocka_unit_test(job_free_twice_is_harmless),
        cmocka_unit_test(job_free_accepts_null),
        cmocka_unit_test(list_take_moves_job),
        cmocka_unit_test(list_take_grows_past_capacity),
        cmocka_unit_test(list_free_zeroes_list),
        cmocka_unit_test(list_free_empty_list),
    };

    return cmocka_run_group_tests_name("wj_job", tests, NULL, NULL);
}
