/* Unit tests for the whisper_jobs collectd plugin's read callback: the
 * values it dispatches (names, types, zeros), the gap and the log lines of
 * a failed read, and the deadline it passes on. The API is a stand-in fetch
 * function, except in the tests that make real requests to a closed port
 * on 127.0.0.1. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectd_double.h"
#include "snapshot_builder.h"
#include "wjc_account.h"
#include "wjc_read.h"

#include "wj_http.h"

#define SECRET "s3cret-token-0123"
#define NOW_MS 1760000000000LL
#define MINUTE_MS (60 * 1000LL)
/* Nothing listens on port 1 of the loopback address, so connecting fails
 * at once. */
#define CLOSED_URL "http://127.0.0.1:1"

/* What the stand-in fetch function returns next, and what it was given. */
static struct {
    bool fail;
    struct wj_error error;
    bool truncated;
    bool empty;
    int calls;
    struct wj_account_plan plan;
    int64_t deadline_ms;
    int64_t called_at_ms;
} fake;

/* Fills the snapshot with a demo account: 2 PENDING jobs (5 and 40 minutes
 * old), 1 PROCESSING (2 hours), 30 COMPLETED, 3 FAILED, no CANCELLED, and 1
 * in a status that no filtered list returns. */
static bool fake_fetch(struct wj_client *client, const struct wj_account_plan *plan, int64_t deadline_ms,
                       struct wj_account_snapshot *snapshot, struct wj_error *error)
{
    (void)client;
    fake.calls++;
    fake.plan = *plan;
    fake.deadline_ms = deadline_ms;
    fake.called_at_ms = wj_monotonic_ms();
    memset(snapshot, 0, sizeof *snapshot);
    if (fake.fail) {
        *error = fake.error;
        return false;
    }

    builder_start(snapshot, plan, NOW_MS);
    if (fake.empty)
        return true;
    builder_add_job(snapshot, WJ_STATUS_PENDING, "p1", "screenshot", "PENDING", 5 * MINUTE_MS);
    builder_add_job(snapshot, WJ_STATUS_PENDING, "p2", "whois-search", "PENDING", 40 * MINUTE_MS);
    builder_add_job(snapshot, WJ_STATUS_PROCESSING, "r1", "screenshot", "PROCESSING", 120 * MINUTE_MS);
    builder_set_total(snapshot, WJ_STATUS_COMPLETED, 30);
    builder_set_total(snapshot, WJ_STATUS_FAILED, 3);
    builder_set_all_total(snapshot, 37);
    snapshot->lists[WJ_STATUS_PENDING].truncated = fake.truncated;
    return true;
}

static struct wjc_account *account;
static user_data_t user_data;

static int create_account(void **state)
{
    (void)state;
    double_reset();
    memset(&fake, 0, sizeof fake);
    account = wjc_account_new("prod");
    assert_non_null(account);
    account->token = strdup(SECRET);
    assert_non_null(account->token);
    account->interval = TIME_T_TO_CDTIME_T(60);
    account->timeout_ms = 3000;
    account->stuck_after_ms = 30 * MINUTE_MS;
    account->fetch = fake_fetch;
    user_data.data = account;
    user_data.free_func = wjc_account_free;
    return 0;
}

static int free_account(void **state)
{
    (void)state;
    wjc_account_free(account);
    account = NULL;
    double_reset();
    return 0;
}

static void fail_next_reads(enum wj_error_kind kind, const char *message)
{
    fake.fail = true;
    wj_error_set(&fake.error, kind, "%s", message);
}

static const struct double_value *find(const char *type, const char *type_instance)
{
    const struct double_value *value = double_find_value("prod", type, type_instance);

    if (value == NULL)
        fail_msg("no value %s-%s was dispatched", type, type_instance);
    return value;
}

static void assert_gauge(const char *type, const char *type_instance, double expected)
{
    assert_float_equal(find(type, type_instance)->value.gauge, expected, 1e-9);
}

static void assert_derive(const char *type, const char *type_instance, derive_t expected)
{
    assert_int_equal(find(type, type_instance)->value.derive, expected);
}

static size_t count_job_values(void)
{
    size_t count = 0;

    for (size_t i = 0; i < double_value_count(); i++) {
        const char *type = double_value_at(i)->type;

        if (strcmp(type, "count") == 0 || strcmp(type, "duration") == 0 || strcmp(type, "response_time") == 0)
            count++;
    }
    return count;
}

static void read_dispatches_every_value(void **state)
{
    static const char *const expected[][2] = {
        {"count", "pending"},           {"count", "processing"},        {"count", "completed"},
        {"count", "failed"},            {"count", "cancelled"},         {"count", "other"},
        {"count", "stuck_pending"},     {"duration", "oldest_pending"}, {"duration", "oldest_processing"},
        {"response_time", "api"},       {"http_requests", "api"},       {"errors", "api"},
    };

    (void)state;
    assert_int_equal(wjc_read(&user_data), 0);

    assert_int_equal(double_value_count(), sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const struct double_value *value = double_value_at(i);

        assert_string_equal(value->plugin, "whisper_jobs");
        assert_string_equal(value->plugin_instance, "prod");
        assert_string_equal(value->type, expected[i][0]);
        assert_string_equal(value->type_instance, expected[i][1]);
        assert_int_equal(value->values_len, 1);
        assert_int_equal(value->interval, TIME_T_TO_CDTIME_T(60));
    }
}

static void read_dispatches_scenario_numbers(void **state)
{
    (void)state;
    assert_int_equal(wjc_read(&user_data), 0);

    assert_gauge("count", "pending", 2);
    assert_gauge("count", "processing", 1);
    assert_gauge("count", "completed", 30);
    assert_gauge("count", "failed", 3);
    assert_gauge("count", "cancelled", 0);
    assert_gauge("count", "other", 1);
    assert_gauge("count", "stuck_pending", 1);
    assert_gauge("duration", "oldest_pending", 2400);
    assert_gauge("duration", "oldest_processing", 7200);
    assert_true(find("response_time", "api")->value.gauge >= 0.0);
    assert_derive("http_requests", "api", 0);
    assert_derive("errors", "api", 0);
    assert_int_equal(double_log_count(), 0);
}

static void empty_account_dispatches_zeros(void **state)
{
    (void)state;
    fake.empty = true;
    assert_int_equal(wjc_read(&user_data), 0);

    assert_int_equal(double_value_count(), 12);
    for (size_t i = 0; i < double_value_count(); i++) {
        const struct double_value *value = double_value_at(i);

        if (strcmp(value->type, "http_requests") == 0 || strcmp(value->type, "errors") == 0)
            assert_int_equal(value->value.derive, 0);
        else if (strcmp(value->type, "response_time") != 0)
            assert_float_equal(value->value.gauge, 0.0, 0.0);
    }
}

static void plan_follows_types(void **state)
{
    (void)state;
    account->max_pages = 9;
    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(fake.plan.max_pages, 9);
    assert_int_equal(fake.plan.lists[WJ_STATUS_PENDING], WJ_LIST_JOBS);
    assert_int_equal(fake.plan.lists[WJ_STATUS_PROCESSING], WJ_LIST_JOBS);
    assert_int_equal(fake.plan.lists[WJ_STATUS_COMPLETED], WJ_LIST_COUNT);
    assert_int_equal(fake.plan.lists[WJ_STATUS_FAILED], WJ_LIST_COUNT);
    assert_int_equal(fake.plan.lists[WJ_STATUS_CANCELLED], WJ_LIST_COUNT);
    assert_int_equal(fake.plan.all, WJ_LIST_COUNT);
    assert_gauge("count", "other", 1);

    account->types = calloc(1, sizeof *account->types);
    assert_non_null(account->types);
    account->types[0] = strdup("screenshot");
    assert_non_null(account->types[0]);
    account->type_count = 1;
    assert_int_equal(wjc_read(&user_data), 0);
    for (int status = 0; status < WJ_API_STATUS_COUNT; status++)
        assert_int_equal(fake.plan.lists[status], WJ_LIST_JOBS);
    assert_int_equal(fake.plan.all, WJ_LIST_SKIP);
    /* With Type "screenshot" only p1 and r1 count, and the unfiltered total
     * is not read. */
    assert_gauge("count", "pending", 1);
    assert_gauge("count", "processing", 1);
    assert_gauge("count", "completed", 0);
    assert_gauge("count", "other", 0);
    assert_gauge("duration", "oldest_pending", 300);
}

static void deadline_is_timeout_ahead(void **state)
{
    (void)state;
    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(fake.calls, 1);
    assert_true(fake.deadline_ms <= fake.called_at_ms + account->timeout_ms);
    assert_true(fake.deadline_ms >= fake.called_at_ms + account->timeout_ms - 100);
}

static void failed_read_leaves_gap(void **state)
{
    (void)state;
    fail_next_reads(WJ_ERR_SERVER, "API server error HTTP 503 Service Unavailable from /v1/ops/jobs/list");
    assert_int_equal(wjc_read(&user_data), 0);

    assert_int_equal(count_job_values(), 0);
    assert_int_equal(double_value_count(), 2);
    assert_derive("errors", "api", 1);
    assert_derive("http_requests", "api", 0);

    double_clear_records();
    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(count_job_values(), 0);
    assert_derive("errors", "api", 2);
}

static void outage_logs_start_and_end_once(void **state)
{
    const struct double_log *line;

    (void)state;
    fail_next_reads(WJ_ERR_SERVER, "API server error HTTP 503 Service Unavailable from /v1/ops/jobs/list");
    for (int i = 0; i < 3; i++)
        assert_int_equal(wjc_read(&user_data), 0);

    assert_int_equal(double_log_count(), 1);
    line = double_log_at(0);
    assert_int_equal(line->level, LOG_ERR);
    assert_string_equal(line->message,
                        "whisper_jobs plugin: account \"prod\": reading the API failed (server): API server error "
                        "HTTP 503 Service Unavailable from /v1/ops/jobs/list; no job values are dispatched until a "
                        "read succeeds");

    /* Another cause during the same outage logs nothing new. */
    fail_next_reads(WJ_ERR_TIMEOUT, "timed out waiting for the API");
    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(double_log_count(), 1);

    fake.fail = false;
    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(double_log_count(), 2);
    line = double_log_at(1);
    assert_int_equal(line->level, LOG_INFO);
    assert_non_null(strstr(line->message, "whisper_jobs plugin: account \"prod\": reading the API works again after "
                                          "4 failed reads over "));
    assert_int_equal(count_job_values(), 10);
    assert_derive("errors", "api", 4);

    /* A later good read logs nothing, and a new outage logs a new start. */
    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(double_log_count(), 2);
    fail_next_reads(WJ_ERR_AUTH, "HTTP 401 Unauthorized from /v1/ops/jobs/list; check the API key");
    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(double_log_count(), 3);
    assert_non_null(strstr(double_log_at(2)->message, "reading the API failed (auth): HTTP 401"));
}

static void failure_log_hides_key(void **state)
{
    (void)state;
    fail_next_reads(WJ_ERR_AUTH, "HTTP 401 from /v1/ops/jobs/list: key " SECRET " is invalid\nsecond line");
    assert_int_equal(wjc_read(&user_data), 0);

    assert_int_equal(double_log_count(), 1);
    assert_null(strstr(double_log_at(0)->message, SECRET));
    assert_non_null(strstr(double_log_at(0)->message, "key [redacted] is invalid second line"));
}

static void failure_log_hides_key_with_bar(void **state)
{
    (void)state;
    /* Sanitizing would turn the '|' into '/', so the key must go first. */
    free(account->token);
    account->token = strdup("ab|cd-0123456789");
    assert_non_null(account->token);
    fail_next_reads(WJ_ERR_AUTH, "HTTP 401: key ab|cd-0123456789 is invalid");
    assert_int_equal(wjc_read(&user_data), 0);

    assert_int_equal(double_log_count(), 1);
    assert_null(strstr(double_log_at(0)->message, "cd-0123456789"));
    assert_non_null(strstr(double_log_at(0)->message, "key [redacted] is invalid"));
}

static void long_failure_reason_cut(void **state)
{
    char message[WJ_ERROR_MESSAGE_SIZE];
    const char *line;

    (void)state;
    memset(message, 'x', sizeof message - 1);
    message[sizeof message - 1] = '\0';
    fail_next_reads(WJ_ERR_RESPONSE, message);
    assert_int_equal(wjc_read(&user_data), 0);

    assert_int_equal(double_log_count(), 1);
    line = double_log_at(0)->message;
    assert_non_null(strstr(line, "xxx...; no job values are dispatched until a read succeeds"));
    assert_true(strlen(line) < 512);
}

static void truncation_warns_until_fixed(void **state)
{
    (void)state;
    fake.truncated = true;
    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(wjc_read(&user_data), 0);

    /* The second warning waits for the complaint interval to pass. */
    assert_int_equal(double_log_count(), 1);
    assert_int_equal(double_log_at(0)->level, LOG_WARNING);
    assert_non_null(strstr(double_log_at(0)->message, "account \"prod\": a status list is longer than MaxPages"));
    assert_int_equal(count_job_values(), 20);

    fake.truncated = false;
    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(double_log_count(), 2);
    assert_non_null(strstr(double_log_at(1)->message, "every list fits within MaxPages again"));
}

static void refused_connection_counts_error(void **state)
{
    (void)state;
    assert_true(wj_http_global_init(&(struct wj_error){0}));
    free(account->url);
    account->url = strdup(CLOSED_URL);
    account->fetch = wj_fetch_account;

    assert_int_equal(wjc_read(&user_data), 0);
    assert_non_null(account->client);
    assert_int_equal(count_job_values(), 0);
    assert_derive("errors", "api", 1);
    assert_true(find("http_requests", "api")->value.derive >= 1);
    assert_int_equal(double_log_count_containing("account \"prod\": reading the API failed (unreachable): could not "
                                                 "connect to " CLOSED_URL),
                     1);
    assert_int_equal(double_log_count_containing(SECRET), 0);

    /* The client is kept for the next read, and its request count goes on. */
    double_clear_records();
    assert_int_equal(wjc_read(&user_data), 0);
    assert_derive("errors", "api", 2);
    assert_true(find("http_requests", "api")->value.derive >= 2);
}

static void verbose_logs_requests(void **state)
{
    (void)state;
    assert_true(wj_http_global_init(&(struct wj_error){0}));
    free(account->url);
    account->url = strdup(CLOSED_URL);
    account->fetch = wj_fetch_account;
    account->verbosity = 2;

    assert_int_equal(wjc_read(&user_data), 0);
    assert_true(double_log_count_containing("account \"prod\": GET " CLOSED_URL "/v1/ops/jobs/list?status=PENDING") >= 1);
    for (size_t i = 0; i < double_log_count(); i++) {
        if (strstr(double_log_at(i)->message, " GET "))
            assert_int_equal(double_log_at(i)->level, LOG_INFO);
    }
    assert_int_equal(double_log_count_containing(SECRET), 0);
}

static void quiet_by_default(void **state)
{
    (void)state;
    assert_true(wj_http_global_init(&(struct wj_error){0}));
    free(account->url);
    account->url = strdup(CLOSED_URL);
    account->fetch = wj_fetch_account;

    assert_int_equal(wjc_read(&user_data), 0);
    assert_int_equal(double_log_count_containing(" GET "), 0);
    assert_int_equal(double_log_count(), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(read_dispatches_every_value, create_account, free_account),
        cmocka_unit_test_setup_teardown(read_dispatches_scenario_numbers, create_account, free_account),
        cmocka_unit_test_setup_teardown(empty_account_dispatches_zeros, create_account, free_account),
        cmocka_unit_test_setup_teardown(plan_follows_types, create_account, free_account),
        cmocka_unit_test_setup_teardown(deadline_is_timeout_ahead, create_account, free_account),
        cmocka_unit_test_setup_teardown(failed_read_leaves_gap, create_account, free_account),
        cmocka_unit_test_setup_teardown(outage_logs_start_and_end_once, create_account, free_account),
        cmocka_unit_test_setup_teardown(failure_log_hides_key, create_account, free_account),
        cmocka_unit_test_setup_teardown(failure_log_hides_key_with_bar, create_account, free_account),
        cmocka_unit_test_setup_teardown(long_failure_reason_cut, create_account, free_account),
        cmocka_unit_test_setup_teardown(truncation_warns_until_fixed, create_account, free_account),
        cmocka_unit_test_setup_teardown(refused_connection_counts_error, create_account, free_account),
        cmocka_unit_test_setup_teardown(verbose_logs_requests, create_account, free_account),
        cmocka_unit_test_setup_teardown(quiet_by_default, create_account, free_account),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
