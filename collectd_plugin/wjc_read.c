#include "wjc_read.h"

#include <stdio.h>

#include "wjc_account.h"
#include "wjc_values.h"

#include "wj_fetch.h"
#include "wj_http.h"
#include "wj_text.h"
#include "wj_version.h"

/* Forwards the HTTP client's messages up to the account's Verbose level.
 * The client already removes the API key. Removing it again here costs
 * little, and keeps the key out of the log even if a message quotes a
 * header. */
static void log_client_message(void *context, int level, const char *message)
{
    const struct wjc_account *account = context;
    char redacted[1024];
    char safe[1024];

    if (level > account->verbosity)
        return;

    /* Redacting comes first: sanitizing turns a '|' in the key into '/'. */
    snprintf(redacted, sizeof redacted, "%s", message);
    wj_text_redact(redacted, account->token);
    wj_text_sanitize(safe, sizeof safe, redacted);
    INFO(WJC_PLUGIN_NAME " plugin: account \"%s\": %s", account->name, safe);
}

static bool ensure_client(struct wjc_account *account, struct wj_error *error)
{
    struct wj_client_config config = {
        .base_url = account->url,
        .token = account->token,
        .cacert = account->cacert,
        .insecure = !account->verify_peer,
        .proxy = account->proxy,
        .user_agent = WJ_USER_AGENT " (collectd " WJC_PLUGIN_NAME ")",
        /* Timeout never exceeds the interval, so once they are equal only a
         * longer Interval gives a read more time. */
        .timeout_setting = account->timeout_ms < (int64_t)CDTIME_T_TO_MS(account->interval)
                               ? "Timeout (at most the Interval)"
                               : "Interval and Timeout",
        .cacert_setting = "CACert",
        .log = log_client_message,
        .log_context = account,
        .log_level = account->verbosity,
    };

    if (account->client == NULL)
        account->client = wj_client_new(&config, error);
    return account->client != NULL;
}

static void submit(const struct wjc_account *account, const char *type, const char *type_instance, value_t value)
{
    value_list_t list = VALUE_LIST_INIT;

    list.values = &value;
    list.values_len = 1;
    /* Set explicitly, although collectd 5.12 fills a zero interval from the
     * read callback's own, so the values never depend on that detail. */
    list.interval = account->interval;
    snprintf(list.plugin, sizeof list.plugin, "%s", WJC_PLUGIN_NAME);
    snprintf(list.plugin_instance, sizeof list.plugin_instance, "%s", account->name);
    snprintf(list.type, sizeof list.type, "%s", type);
    snprintf(list.type_instance, sizeof list.type_instance, "%s", type_instance);
    plugin_dispatch_values(&list);
}

/* count, duration and response_time are GAUGE in collectd's types.db. */
static void submit_gauge(const struct wjc_account *account, const char *type, const char *type_instance,
                         double number)
{
    submit(account, type, type_instance, (value_t){.gauge = number});
}

/* http_requests and errors are DERIVE in collectd's types.db. */
static void submit_derive(const struct wjc_account *account, const char *type, const char *type_instance,
                          uint64_t number)
{
    submit(account, type, type_instance, (value_t){.derive = (derive_t)number});
}

static void submit_job_values(const struct wjc_account *account, const struct wjc_job_values *values,
                              double response_seconds)
{
    for (int status = 0; status < WJ_STATUS_COUNT; status++)
        submit_gauge(account, "count", wj_status_label((enum wj_status)status), (double)values->counts[status]);
    submit_gauge(account, "count", "stuck_pending", (double)values->stuck_pending);
    submit_gauge(account, "duration", "oldest_pending", values->oldest_pending_s);
    submit_gauge(account, "duration", "oldest_processing", values->oldest_processing_s);
    submit_gauge(account, "response_time", "api", response_seconds);
}

/* Dispatched after every read, failed or not, so the rates stay continuous. */
static void submit_counters(const struct wjc_account *account)
{
    uint64_t requests = account->client ? wj_client_stats(account->client).requests : 0;

    submit_derive(account, "http_requests", "api", requests);
    submit_derive(account, "errors", "api", account->failed_reads);
}

/* Bytes of the error message in the outage line. collectd cuts complaint
 * lines at 512 bytes, and a shorter reason keeps the line whole. */
#define OUTAGE_REASON_SIZE 320

static void report_failure(struct wjc_account *account, const struct wj_error *error)
{
    char redacted[WJ_ERROR_MESSAGE_SIZE];
    char reason[OUTAGE_REASON_SIZE];

    account->failed_reads++;
    if (account->outage_reads++ == 0)
        account->outage_started_ms = wj_monotonic_ms();

    snprintf(redacted, sizeof redacted, "%s", error->message);
    wj_text_redact(redacted, account->token);
    wj_text_excerpt(reason, sizeof reason, redacted);
    /* Logged once per outage, however long it lasts, until the c_release in
     * report_success ends the outage. */
    c_complain_once(LOG_ERR, &account->outage,
                    WJC_PLUGIN_NAME " plugin: account \"%s\": reading the API failed (%s): %s; no job values are "
                    "dispatched until a read succeeds",
                    account->name, wj_error_kind_name(error->kind), reason);
}

static void report_success(struct wjc_account *account)
{
    if (account->outage_reads == 0)
        return;

    c_release(LOG_INFO, &account->outage,
              WJC_PLUGIN_NAME " plugin: account \"%s\": reading the API works again after %llu failed reads "
              "over %.1f s",
              account->name, (unsigned long long)account->outage_reads,
              (double)(wj_monotonic_ms() - account->outage_started_ms) / 1000.0);
    account->outage_reads = 0;
}

static void report_truncation(struct wjc_account *account, bool truncated)
{
    if (!truncated) {
        c_release(LOG_INFO, &account->truncation,
                  WJC_PLUGIN_NAME " plugin: account \"%s\": every list fits within MaxPages again", account->name);
        return;
    }

    c_complain(LOG_WARNING, &account->truncation,
               WJC_PLUGIN_NAME " plugin: account \"%s\": a status list is longer than MaxPages (%d pages of %d jobs), "
               "so the ages, count-stuck_pending and the counts of Type-filtered accounts may be too low; raise MaxPages",
               account->name, account->max_pages, WJ_PAGE_LIMIT);
}

int wjc_read(user_data_t *user_data)
{
    struct wjc_account *account = user_data->data;
    struct wj_type_filter filter = {(const char *const *)account->types, account->type_count};
    int64_t deadline_ms = wj_monotonic_ms() + account->timeout_ms;
    struct wj_account_plan plan;
    struct wj_account_snapshot snapshot;
    struct wjc_job_values values;
    struct wj_error error = {0};
    double seconds_before;

    if (!ensure_client(account, &error)) {
        report_failure(account, &error);
        submit_counters(account);
        return 0;
    }

    wjc_values_plan(&filter, account->max_pages, &plan);
    seconds_before = wj_client_stats(account->client).request_seconds;
    if (!account->fetch(account->client, &plan, deadline_ms, &snapshot, &error)) {
        report_failure(account, &error);
        submit_counters(account);
        return 0;
    }

    wjc_values_compute(&snapshot, &filter, account->stuck_after_ms, &values);
    wj_account_snapshot_free(&snapshot);

    report_success(account);
    report_truncation(account, values.truncated);
    submit_job_values(account, &values, wj_client_stats(account->client).request_seconds - seconds_before);
    submit_counters(account);
    return 0;
}
