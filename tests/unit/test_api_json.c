/* Unit tests for wj_api_json: listJobs pages, getJob bodies and ErrorResponse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "wj_api_json.h"

/* 2025-01-15T10:30:00Z and 10:30:05Z in milliseconds since the epoch. */
#define CREATED_MS 1736937000000LL
#define COMPLETED_MS 1736937005000LL

/* 2000-01-23T04:56:07Z in milliseconds since the epoch. */
#define SINGLE_JOB_MS 948603367000LL

/* The listJobs example of the API description, with a FAILED second entry. */
static const char valid_page[] =
    "{\"total\": 42, \"offset\": 0, \"limit\": 50, \"status\": null, \"jobs\": ["
    "{\"jobId\": \"f6250320-9ed4-442b-a389-acfda52d9375\", \"type\": \"screenshot\","
    " \"status\": \"COMPLETED\", \"createdAt\": \"2025-01-15T10:30:00Z\","
    " \"completedAt\": \"2025-01-15T10:30:05Z\","
    " \"progress\": {\"current\": 5, \"total\": 10, \"message\": \"Processing indicators...\"}},"
    "{\"jobId\": \"job-2\", \"type\": \"ai-investigate\", \"status\": \"FAILED\","
    " \"createdAt\": \"2025-01-15T10:30:00Z\", \"completedAt\": \"2025-01-15T10:30:05Z\","
    " \"error\": {\"code\": \"TIMEOUT\", \"message\": \"Job timed out after 5 minutes\"}}"
    "]}";

static const char single_job[] =
    "{\"id\": \"f6250320\", \"status\": \"FAILED\", \"type\": \"screenshot\","
    " \"params\": \"\", \"result\": \"\", \"metadata\": {\"key\": \"metadata\"},"
    " \"username\": \"someone\","
    " \"createdAt\": \"2000-01-23T04:56:07.000+00:00\","
    " \"updatedAt\": \"2000-01-23T04:56:07.000+00:00\","
    " \"completedAt\": \"2000-01-23T04:56:07.000+00:00\","
    " \"progress\": {\"current\": 0, \"total\": 6, \"percentage\": 1.4658129805029452,"
    " \"message\": \"message\"},"
    " \"error\": {\"code\": \"code\", \"details\": \"details\", \"message\": \"boom\","
    " \"timestamp\": \"2000-01-23T04:56:07.000+00:00\"}}";

static bool parse_page(const char *body, struct wj_list_page *page, struct wj_error *error)
{
    memset(error, 0, sizeof *error);
    return wj_parse_list_page(body, strlen(body), page, error);
}

static bool parse_job(const char *body, struct wj_job *job, struct wj_error *error)
{
    memset(error, 0, sizeof *error);
    return wj_parse_job(body, strlen(body), job, error);
}

/* Parses a page that must be valid and returns its single job. */
static struct wj_job *parse_one_entry(const char *body, struct wj_list_page *page)
{
    struct wj_error error;

    if (!parse_page(body, page, &error))
        fail_msg("page rejected: %s", error.message);
    if (page->jobs.count != 1)
        fail_msg("page has %zu jobs, expected 1", page->jobs.count);
    return &page->jobs.items[0];
}

static void expect_page_error(const char *body, const char *expected_message)
{
    struct wj_list_page page;
    struct wj_error error;

    if (parse_page(body, &page, &error))
        fail_msg("page accepted: %s", body);
    if (error.kind != WJ_ERR_RESPONSE)
        fail_msg("error kind %s, expected response", wj_error_kind_name(error.kind));
    if (strcmp(error.message, expected_message) != 0)
        fail_msg("message \"%s\", expected \"%s\"", error.message, expected_message);
    if (page.jobs.count != 0 || page.jobs.items != NULL || page.has_total)
        fail_msg("page not left empty after the error");
}

static void list_page_reads_jobs(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page(valid_page, &page, &error));
    assert_int_equal(page.jobs.count, 2);
    assert_true(page.has_total);
    assert_int_equal(page.total, 42);
    wj_list_page_free(&page);
}

static void list_page_reads_first_entry(void **state)
{
    struct wj_list_page page;
    struct wj_error error;
    struct wj_job *job;

    (void)state;
    assert_true(parse_page(valid_page, &page, &error));
    job = &page.jobs.items[0];
    assert_string_equal(job->id, "f6250320-9ed4-442b-a389-acfda52d9375");
    assert_string_equal(job->type, "screenshot");
    assert_string_equal(job->status_text, "COMPLETED");
    assert_int_equal(job->status, WJ_STATUS_COMPLETED);
    assert_int_equal(job->created_at.state, WJ_TIMESTAMP_VALID);
    assert_int_equal(job->created_at.epoch_ms, CREATED_MS);
    assert_int_equal(job->completed_at.state, WJ_TIMESTAMP_VALID);
    assert_int_equal(job->completed_at.epoch_ms, COMPLETED_MS);
    assert_string_equal(job->error_code, "");
    assert_string_equal(job->error_message, "");
    wj_list_page_free(&page);
}

static void list_page_reads_job_error(void **state)
{
    struct wj_list_page page;
    struct wj_error error;
    struct wj_job *job;

    (void)state;
    assert_true(parse_page(valid_page, &page, &error));
    job = &page.jobs.items[1];
    assert_string_equal(job->id, "job-2");
    assert_int_equal(job->status, WJ_STATUS_FAILED);
    assert_string_equal(job->error_code, "TIMEOUT");
    assert_string_equal(job->error_message, "Job timed out after 5 minutes");
    wj_list_page_free(&page);
}

static void list_entry_id_falls_back_to_id(void **state)
{
    struct wj_list_page page;

    (void)state;
    assert_string_equal(
        parse_one_entry("{\"jobs\": [{\"id\": \"by-id\", \"status\": \"PENDING\"}]}", &page)->id,
        "by-id");
    wj_list_page_free(&page);
}

static void list_entry_prefers_job_id(void **state)
{
    struct wj_list_page page;

    (void)state;
    assert_string_equal(
        parse_one_entry("{\"jobs\": [{\"id\": \"b\", \"jobId\": \"a\", \"status\": \"PENDING\"}]}",
                        &page)
            ->id,
        "a");
    wj_list_page_free(&page);
}

static void list_entry_null_job_id_falls_back(void **state)
{
    struct wj_list_page page;

    (void)state;
    assert_string_equal(
        parse_one_entry("{\"jobs\": [{\"jobId\": null, \"id\": \"b\", \"status\": \"PENDING\"}]}",
                        &page)
            ->id,
        "b");
    wj_list_page_free(&page);
}

static void list_entry_non_string_fields_empty(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{\"jobId\": 17, \"type\": null, \"status\": 3}]}", &page);
    assert_string_equal(job->id, "");
    assert_string_equal(job->type, "");
    assert_string_equal(job->status_text, "");
    assert_int_equal(job->status, WJ_STATUS_OTHER);
    wj_list_page_free(&page);
}

static void list_entry_without_status_is_other(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{\"jobId\": \"a\"}]}", &page);
    assert_string_equal(job->status_text, "");
    assert_int_equal(job->status, WJ_STATUS_OTHER);
    wj_list_page_free(&page);
}

static void list_entry_empty_object(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{}]}", &page);
    assert_string_equal(job->id, "");
    assert_int_equal(job->created_at.state, WJ_TIMESTAMP_MISSING);
    assert_int_equal(job->completed_at.state, WJ_TIMESTAMP_MISSING);
    wj_list_page_free(&page);
}

static void list_page_total_absent(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page("{\"jobs\": []}", &page, &error));
    assert_false(page.has_total);
    assert_int_equal(page.jobs.count, 0);
    wj_list_page_free(&page);
}

static void list_page_total_null(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page("{\"jobs\": [], \"total\": null}", &page, &error));
    assert_false(page.has_total);
    wj_list_page_free(&page);
}

static void list_page_total_zero(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page("{\"jobs\": [], \"total\": 0}", &page, &error));
    assert_true(page.has_total);
    assert_int_equal(page.total, 0);
    wj_list_page_free(&page);
}

static void list_page_total_as_real(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page("{\"jobs\": [], \"total\": 250.0}", &page, &error));
    assert_true(page.has_total);
    assert_int_equal(page.total, 250);
    wj_list_page_free(&page);
}

static void list_page_total_as_exponent(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page("{\"jobs\": [], \"total\": 1e3}", &page, &error));
    assert_int_equal(page.total, 1000);
    wj_list_page_free(&page);
}

static void list_page_total_fraction_rejected(void **state)
{
    (void)state;
    expect_page_error("{\"jobs\": [], \"total\": 2.5}",
                      "\"total\" is not a non-negative integer (got 2.5)");
}

static void list_page_total_negative_rejected(void **state)
{
    (void)state;
    expect_page_error("{\"jobs\": [], \"total\": -1}",
                      "\"total\" is not a non-negative integer (got -1)");
}

static void list_page_total_negative_real_rejected(void **state)
{
    (void)state;
    expect_page_error("{\"jobs\": [], \"total\": -3.0}",
                      "\"total\" is not a non-negative integer (got -3.0)");
}

static void list_page_total_string_rejected(void **state)
{
    (void)state;
    expect_page_error("{\"jobs\": [], \"total\": \"10\"}",
                      "\"total\" is not a non-negative integer (got \"10\")");
}

/* Above 2^53 a double cannot distinguish neighbouring integers. */
static void list_page_total_real_at_2_pow_53(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page("{\"jobs\": [], \"total\": 9007199254740992.0}", &page, &error));
    assert_int_equal(page.total, 9007199254740992LL);
    wj_list_page_free(&page);
}

static void list_page_total_real_above_2_pow_53(void **state)
{
    (void)state;
    expect_page_error("{\"jobs\": [], \"total\": 9007199254740994.0}",
                      "\"total\" is not a non-negative integer (got 9007199254740994.0)");
}

static void list_page_total_large_integer(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page("{\"jobs\": [], \"total\": 9223372036854775807}", &page, &error));
    assert_int_equal(page.total, INT64_MAX);
    wj_list_page_free(&page);
}

static void list_page_total_quote_is_cut(void **state)
{
    char body[400];
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    snprintf(body, sizeof body, "{\"jobs\": [], \"total\": \"%0200d\"}", 7);
    assert_false(parse_page(body, &page, &error));
    assert_non_null(strstr(error.message, "...)"));
    assert_true(strlen(error.message) < 160);
}

static void list_page_without_jobs_rejected(void **state)
{
    (void)state;
    expect_page_error("{\"total\": 3}", "list page has no \"jobs\" array");
}

static void list_page_jobs_null_rejected(void **state)
{
    (void)state;
    expect_page_error("{\"jobs\": null}", "list page has no \"jobs\" array (\"jobs\" is null)");
}

static void list_page_jobs_object_rejected(void **state)
{
    (void)state;
    expect_page_error("{\"jobs\": {\"a\": 1}}",
                      "list page has no \"jobs\" array (\"jobs\" is an object)");
}

static void list_page_entry_not_object_rejected(void **state)
{
    (void)state;
    expect_page_error("{\"jobs\": [{\"jobId\": \"a\"}, {}, {}, \"x\"]}",
                      "jobs[3] is not an object (got a string)");
}

static void list_page_entry_null_rejected(void **state)
{
    (void)state;
    expect_page_error("{\"jobs\": [null]}", "jobs[0] is not an object (got null)");
}

static void list_page_body_not_json(void **state)
{
    (void)state;
    expect_page_error("<html>502 Bad Gateway</html>",
                      "response is not JSON: '[' or '{' expected near '<' at line 1 column 1");
}

static void list_page_body_truncated(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_false(parse_page("{\"jobs\": [\n{\"jobId\": ", &page, &error));
    assert_int_equal(error.kind, WJ_ERR_RESPONSE);
    assert_non_null(strstr(error.message, "response is not JSON: "));
    assert_non_null(strstr(error.message, " at line 2 column "));
}

static void list_page_body_empty(void **state)
{
    (void)state;
    expect_page_error("", "response is not JSON: the body is empty");
}

static void list_page_body_null(void **state)
{
    struct wj_list_page page;
    struct wj_error error = {0};

    (void)state;
    assert_false(wj_parse_list_page(NULL, 0, &page, &error));
    assert_int_equal(error.kind, WJ_ERR_RESPONSE);
}

static void list_page_body_array(void **state)
{
    (void)state;
    expect_page_error("[{\"jobId\": \"a\"}]", "list page is not a JSON object (got an array)");
}

static void list_page_body_scalar(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    /* The top level must be an object or array (JSON_DECODE_ANY is off). */
    assert_false(parse_page("42", &page, &error));
    assert_non_null(strstr(error.message, "response is not JSON: "));
}

static void list_page_body_trailing_junk(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_false(parse_page("{\"jobs\": []} x", &page, &error));
    assert_non_null(strstr(error.message, "response is not JSON: "));
}

static void list_page_uses_length_not_nul(void **state)
{
    static const char body[] = "{\"jobs\": []}GARBAGE";
    struct wj_list_page page;
    struct wj_error error = {0};

    (void)state;
    assert_true(wj_parse_list_page(body, strlen("{\"jobs\": []}"), &page, &error));
    wj_list_page_free(&page);
}

static void list_page_ignores_unknown_fields(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry(
        "{\"next\": {\"a\": [1, 2]}, \"jobs\": [{\"jobId\": \"a\", \"status\": \"PENDING\","
        " \"priority\": 7, \"tags\": [\"x\"], \"nested\": {\"deep\": {\"er\": null}}}]}",
        &page);
    assert_string_equal(job->id, "a");
    assert_int_equal(job->status, WJ_STATUS_PENDING);
    wj_list_page_free(&page);
}

static void list_page_accepts_duplicate_keys(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{\"jobId\": \"a\", \"jobId\": \"b\"}]}", &page);
    assert_string_equal(job->id, "b");
    wj_list_page_free(&page);
}

static void list_entry_null_error_and_progress(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry(
        "{\"jobs\": [{\"jobId\": \"a\", \"status\": \"COMPLETED\", \"error\": null,"
        " \"progress\": null}]}",
        &page);
    assert_string_equal(job->error_code, "");
    assert_string_equal(job->error_message, "");
    wj_list_page_free(&page);
}

static void list_entry_error_with_null_fields(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry(
        "{\"jobs\": [{\"jobId\": \"a\", \"status\": \"FAILED\","
        " \"error\": {\"code\": null, \"message\": \"only a message\"}}]}",
        &page);
    assert_string_equal(job->error_code, "");
    assert_string_equal(job->error_message, "only a message");
    wj_list_page_free(&page);
}

static void list_entry_error_not_object(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{\"jobId\": \"a\", \"error\": \"boom\"}]}", &page);
    assert_string_equal(job->error_code, "");
    assert_string_equal(job->error_message, "");
    wj_list_page_free(&page);
}

static void list_entry_missing_created_at(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{\"jobId\": \"a\", \"status\": \"PENDING\"}]}", &page);
    assert_int_equal(job->created_at.state, WJ_TIMESTAMP_MISSING);
    wj_list_page_free(&page);
}

static void list_entry_null_created_at(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{\"jobId\": \"a\", \"createdAt\": null}]}", &page);
    assert_int_equal(job->created_at.state, WJ_TIMESTAMP_MISSING);
    wj_list_page_free(&page);
}

static void list_entry_bad_created_at_kept(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry(
        "{\"jobs\": [{\"jobId\": \"a\", \"status\": \"PENDING\", \"createdAt\": \"yesterday\"}]}",
        &page);
    assert_string_equal(job->id, "a");
    assert_int_equal(job->created_at.state, WJ_TIMESTAMP_INVALID);
    wj_list_page_free(&page);
}

static void list_entry_numeric_created_at_invalid(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{\"jobId\": \"a\", \"createdAt\": 1736937000}]}", &page);
    assert_int_equal(job->created_at.state, WJ_TIMESTAMP_INVALID);
    wj_list_page_free(&page);
}

static void list_entry_running_is_processing(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{\"jobId\": \"a\", \"status\": \"RUNNING\"}]}", &page);
    assert_int_equal(job->status, WJ_STATUS_PROCESSING);
    assert_string_equal(job->status_text, "RUNNING");
    wj_list_page_free(&page);
}

static void list_entry_unknown_status_kept(void **state)
{
    struct wj_list_page page;
    struct wj_job *job;

    (void)state;
    job = parse_one_entry("{\"jobs\": [{\"jobId\": \"a\", \"status\": \"WEIRD\"}]}", &page);
    assert_int_equal(job->status, WJ_STATUS_OTHER);
    assert_string_equal(job->status_text, "WEIRD");
    wj_list_page_free(&page);
}

static void list_page_keeps_order(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page("{\"jobs\": [{\"jobId\": \"1\"}, {\"jobId\": \"2\"},"
                           " {\"jobId\": \"3\"}]}",
                           &page, &error));
    assert_int_equal(page.jobs.count, 3);
    assert_string_equal(page.jobs.items[0].id, "1");
    assert_string_equal(page.jobs.items[2].id, "3");
    wj_list_page_free(&page);
}

static void list_page_free_twice_is_harmless(void **state)
{
    struct wj_list_page page;
    struct wj_error error;

    (void)state;
    assert_true(parse_page(valid_page, &page, &error));
    wj_list_page_free(&page);
    wj_list_page_free(&page);
    assert_int_equal(page.jobs.count, 0);
}

static void single_job_reads_fields(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_true(parse_job(single_job, &job, &error));
    assert_string_equal(job.id, "f6250320");
    assert_string_equal(job.type, "screenshot");
    assert_int_equal(job.status, WJ_STATUS_FAILED);
    assert_int_equal(job.created_at.state, WJ_TIMESTAMP_VALID);
    assert_int_equal(job.created_at.epoch_ms, SINGLE_JOB_MS);
    assert_int_equal(job.completed_at.epoch_ms, SINGLE_JOB_MS);
    assert_string_equal(job.error_code, "code");
    assert_string_equal(job.error_message, "boom");
    wj_job_free(&job);
}

static void single_job_with_only_job_id(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_true(parse_job("{\"jobId\": \"j-1\", \"status\": \"PENDING\"}", &job, &error));
    assert_string_equal(job.id, "j-1");
    wj_job_free(&job);
}

static void single_job_prefers_id(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_true(
        parse_job("{\"jobId\": \"b\", \"id\": \"a\", \"status\": \"PENDING\"}", &job, &error));
    assert_string_equal(job.id, "a");
    wj_job_free(&job);
}

static void single_job_without_id(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_true(parse_job("{\"status\": \"COMPLETED\"}", &job, &error));
    assert_string_equal(job.id, "");
    assert_string_equal(job.error_code, "");
    wj_job_free(&job);
}

static void single_job_running_is_processing(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_true(parse_job("{\"id\": \"a\", \"status\": \"RUNNING\"}", &job, &error));
    assert_int_equal(job.status, WJ_STATUS_PROCESSING);
    wj_job_free(&job);
}

static void single_job_unknown_status_kept(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_true(parse_job("{\"id\": \"a\", \"status\": \"WEIRD\"}", &job, &error));
    assert_int_equal(job.status, WJ_STATUS_OTHER);
    assert_string_equal(job.status_text, "WEIRD");
    wj_job_free(&job);
}

static void single_job_without_status_rejected(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_false(parse_job("{\"id\": \"a\"}", &job, &error));
    assert_int_equal(error.kind, WJ_ERR_RESPONSE);
    assert_string_equal(error.message, "job response has no \"status\" string");
    assert_null(job.id);
}

static void single_job_null_status_rejected(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_false(parse_job("{\"id\": \"a\", \"status\": null}", &job, &error));
    assert_string_equal(error.message,
                        "job response has no \"status\" string (\"status\" is null)");
}

static void single_job_body_array_rejected(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_false(parse_job("[]", &job, &error));
    assert_string_equal(error.message, "job response is not a JSON object (got an array)");
}

static void single_job_body_not_json(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_false(parse_job("Not Found", &job, &error));
    assert_int_equal(error.kind, WJ_ERR_RESPONSE);
    assert_non_null(strstr(error.message, "response is not JSON: "));
    assert_null(job.id);
}

static void single_job_body_empty(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_false(parse_job("", &job, &error));
    assert_string_equal(error.message, "response is not JSON: the body is empty");
}

static void single_job_bad_completed_at(void **state)
{
    struct wj_job job;
    struct wj_error error;

    (void)state;
    assert_true(parse_job(
        "{\"id\": \"a\", \"status\": \"FAILED\", \"completedAt\": \"2025-13-01\"}", &job,
        &error));
    assert_int_equal(job.completed_at.state, WJ_TIMESTAMP_INVALID);
    assert_int_equal(job.created_at.state, WJ_TIMESTAMP_MISSING);
    wj_job_free(&job);
}

static void error_message_from_error_response(void **state)
{
    static const char body[] =
        "{\"status\": 401, \"error\": \"UNAUTHORIZED\", \"message\": \"Invalid API key\","
        " \"timestamp\": \"2024-12-20 10:15:30.123000+00:00\", \"path\": \"/v1/ops/jobs/list\"}";
    char buffer[128];

    (void)state;
    wj_parse_error_message(body, strlen(body), buffer, sizeof buffer);
    assert_string_equal(buffer, "Invalid API key");
}

static void error_message_falls_back_to_code(void **state)
{
    static const char body[] = "{\"error\": \"NOT_FOUND\", \"message\": \"\"}";
    char buffer[128];

    (void)state;
    wj_parse_error_message(body, strlen(body), buffer, sizeof buffer);
    assert_string_equal(buffer, "NOT_FOUND");
}

static void error_message_from_rate_limit_body(void **state)
{
    static const char body[] =
        "{\"error\": \"RATE_LIMITED\", \"message\": \"Too many requests\", \"retryAfter\": 1}";
    char buffer[128];

    (void)state;
    wj_parse_error_message(body, strlen(body), buffer, sizeof buffer);
    assert_string_equal(buffer, "Too many requests");
}

static void error_message_from_non_json(void **state)
{
    static const char body[] = "<html><body>502 Bad Gateway</body></html>";
    char buffer[128] = "junk";

    (void)state;
    wj_parse_error_message(body, strlen(body), buffer, sizeof buffer);
    assert_string_equal(buffer, "");
}

static void error_message_from_empty_body(void **state)
{
    char buffer[128] = "junk";

    (void)state;
    wj_parse_error_message("", 0, buffer, sizeof buffer);
    assert_string_equal(buffer, "");
}

static void error_message_from_null_body(void **state)
{
    char buffer[128] = "junk";

    (void)state;
    wj_parse_error_message(NULL, 0, buffer, sizeof buffer);
    assert_string_equal(buffer, "");
}

static void error_message_without_fields(void **state)
{
    static const char body[] = "{\"status\": 500, \"message\": 12}";
    char buffer[128] = "junk";

    (void)state;
    wj_parse_error_message(body, strlen(body), buffer, sizeof buffer);
    assert_string_equal(buffer, "");
}

static void error_message_is_sanitized(void **state)
{
    static const char body[] = "{\"message\": \"bad | key\\nOK\"}";
    char buffer[128];

    (void)state;
    wj_parse_error_message(body, strlen(body), buffer, sizeof buffer);
    assert_string_equal(buffer, "bad / key OK");
}

static void error_message_is_cut_to_buffer(void **state)
{
    static const char body[] = "{\"message\": \"abcdefghij\"}";
    char buffer[5];

    (void)state;
    wj_parse_error_message(body, strlen(body), buffer, sizeof buffer);
    assert_string_equal(buffer, "abcd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_page_reads_jobs),
        cmocka_unit_test(list_page_reads_first_entry),
        cmocka_unit_test(list_page_reads_job_error),
        cmocka_unit_test(list_entry_id_falls_back_to_id),
        cmocka_unit_test(list_entry_prefers_job_id),
        cmocka_unit_test(list_entry_null_job_id_falls_back),
        cmocka_unit_test(list_entry_non_string_fields_empty),
        cmocka_unit_test(list_entry_without_status_is_other),
        cmocka_unit_test(list_entry_empty_object),
        cmocka_unit_test(list_page_total_absent),
        cmocka_unit_test(list_page_total_null),
        cmocka_unit_test(list_page_total_zero),
        cmocka_unit_test(list_page_total_as_real),
        cmocka_unit_test(list_page_total_as_exponent),
        cmocka_unit_test(list_page_total_fraction_rejected),
        cmocka_unit_test(list_page_total_negative_rejected),
        cmocka_unit_test(list_page_total_negative_real_rejected),
        cmocka_unit_test(list_page_total_string_rejected),
        cmocka_unit_test(list_page_total_real_at_2_pow_53),
        cmocka_unit_test(list_page_total_real_above_2_pow_53),
        cmocka_unit_test(list_page_total_large_integer),
        cmocka_unit_test(list_page_total_quote_is_cut),
        cmocka_unit_test(list_page_without_jobs_rejected),
        cmocka_unit_test(list_page_jobs_null_rejected),
        cmocka_unit_test(list_page_jobs_object_rejected),
        cmocka_unit_test(list_page_entry_not_object_rejected),
        cmocka_unit_test(list_page_entry_null_rejected),
        cmocka_unit_test(list_page_body_not_json),
        cmocka_unit_test(list_page_body_truncated),
        cmocka_unit_test(list_page_body_empty),
        cmocka_unit_test(list_page_body_null),
        cmocka_unit_test(list_page_body_array),
        cmocka_unit_test(list_page_body_scalar),
        cmocka_unit_test(list_page_body_trailing_junk),
        cmocka_unit_test(list_page_uses_length_not_nul),
        cmocka_unit_test(list_page_ignores_unknown_fields),
        cmocka_unit_test(list_page_accepts_duplicate_keys),
        cmocka_unit_test(list_entry_null_error_and_progress),
        cmocka_unit_test(list_entry_error_with_null_fields),
        cmocka_unit_test(list_entry_error_not_object),
        cmocka_unit_test(list_entry_missing_created_at),
        cmocka_unit_test(list_entry_null_created_at),
        cmocka_unit_test(list_entry_bad_created_at_kept),
        cmocka_unit_test(list_entry_numeric_created_at_invalid),
        cmocka_unit_test(list_entry_running_is_processing),
        cmocka_unit_test(list_entry_unknown_status_kept),
        cmocka_unit_test(list_page_keeps_order),
        cmocka_unit_test(list_page_free_twice_is_harmless),
        cmocka_unit_test(single_job_reads_fields),
        cmocka_unit_test(single_job_with_only_job_id),
        cmocka_unit_test(single_job_prefers_id),
        cmocka_unit_test(single_job_without_id),
        cmocka_unit_test(single_job_running_is_processing),
        cmocka_unit_test(single_job_unknown_status_kept),
        cmocka_unit_test(single_job_without_status_rejected),
        cmocka_unit_test(single_job_null_status_rejected),
        cmocka_unit_test(single_job_body_array_rejected),
        cmocka_unit_test(single_job_body_not_json),
        cmocka_unit_test(single_job_body_empty),
        cmocka_unit_test(single_job_bad_completed_at),
        cmocka_unit_test(error_message_from_error_response),
        cmocka_unit_test(error_message_falls_back_to_code),
        cmocka_unit_test(error_message_from_rate_limit_body),
        cmocka_unit_test(error_message_from_non_json),
        cmocka_unit_test(error_message_from_empty_body),
        cmocka_unit_test(error_message_from_null_body),
        cmocka_unit_test(error_message_without_fields),
        cmocka_unit_test(error_message_is_sanitized),
        cmocka_unit_test(error_message_is_cut_to_buffer),
    };

    return cmocka_run_group_tests_name("wj_api_json", tests, NULL, NULL);
}
