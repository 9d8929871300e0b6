#include "check_run.h"

#include <stdio.h>

#include "check_output.h"
#include "wj_fetch.h"
#include "wj_http.h"
#include "wj_judge.h"
#include "wj_text.h"
#include "wj_version.h"

static void log_to_stderr(void *context, int level, const char *message)
{
    const struct check_config *config = context;

    if (level <= config->verbosity)
        fprintf(stderr, "check_whisper_jobs: %s\n", message);
}

/* State for a run that reached no judgement: the user's choice for an API
 * that could not be reached or did not answer, UNKNOWN for everything else. */
static enum wj_state report_error(const struct check_config *config, const struct wj_error *error,
                                  struct wj_buffer *out)
{
    enum wj_state state = wj_error_is_unreachable(error->kind) ? config->unreachable_state : WJ_STATE_UNKNOWN;
    char message[WJ_ERROR_MESSAGE_SIZE];

    /* Messages quote the API's own text, so they are redacted like job texts. */
    snprintf(message, sizeof message, "%s", error->message);
    wj_text_redact(message, config->token);
    check_format_error(out, state, message);
    return state;
}

static void redact_snapshot(struct wj_account_snapshot *snapshot, const char *secret)
{
    for (size_t status = 0; status < WJ_API_STATUS_COUNT; status++) {
        struct wj_job_list *jobs = &snapshot->lists[status].jobs;

        for (size_t i = 0; i < jobs->count; i++)
            wj_job_redact(&jobs->items[i], secret);
    }
}

static struct wj_client *create_client(const struct check_config *config, struct wj_error *error)
{
    struct wj_client_config client_config = {
        .base_url = config->url,
        .token = config->token,
        .cacert = config->cacert,
        .insecure = config->insecure,
        .proxy = config->proxy,
        .user_agent = WJ_USER_AGENT " (check_whisper_jobs)",
        .timeout_setting = "-t/--timeout",
        .cacert_setting = "--cacert FILE (or skip verification with --insecure)",
        .log = log_to_stderr,
        .log_context = (void *)config,
        .log_level = config->verbosity,
    };

    if (!wj_http_global_init(error))
        return NULL;
    return wj_client_new(&client_config, error);
}

static enum wj_state run_account(const struct check_config *config, struct wj_client *client,
                                 int64_t deadline_ms, struct wj_buffer *out)
{
    struct wj_account_plan plan = {.max_pages = config->max_pages};
    struct wj_type_filter filter = {(const char *const *)config->types, config->type_count};
    struct wj_account_snapshot snapshot;
    struct wj_account_judgement judgement;
    struct wj_error error = {0};
    enum wj_state state;

    plan.lists[WJ_STATUS_PENDING] = WJ_LIST_JOBS;
    plan.lists[WJ_STATUS_PROCESSING] = WJ_LIST_JOBS;
    plan.lists[WJ_STATUS_FAILED] = WJ_LIST_JOBS;

    /* Jobs in a status the plugin does not know appear in no filtered list,
     * so the totals of the other lists count them. These requests are best
     * effort, so their failure never hides a judgement. Totals cannot be
     * split by type, so a type filter goes without.
     * NOTE: with --type, jobs in unknown statuses are counted only when a
     * status list returns them. */
    if (config->type_count == 0) {
        plan.lists[WJ_STATUS_COMPLETED] = WJ_LIST_COUNT;
        plan.lists[WJ_STATUS_CANCELLED] = WJ_LIST_COUNT;
        plan.best_effort[WJ_STATUS_COMPLETED] = true;
        plan.best_effort[WJ_STATUS_CANCELLED] = true;
        plan.all = WJ_LIST_COUNT;
    }

    if (!wj_fetch_account(client, &plan, deadline_ms, &snapshot, &error))
        return report_error(config, &error, out);
    redact_snapshot(&snapshot, config->token);

    if (!wj_judge_account(&snapshot, &config->thresholds, &filter, &judgement, &error)) {
        wj_account_snapshot_free(&snapshot);
        return report_error(config, &error, out);
    }
    judgement.other += wj_snapshot_unlisted_jobs(&snapshot);
    if (config->verbosity >= 1)
        fprintf(stderr, "check_whisper_jobs: now is %s time\n", snapshot.now_from_server ? "the API's Date" : "local");

    check_format_account(out, config, &judgement);
    state = judgement.state;
    wj_account_judgement_free(&judgement);
    wj_account_snapshot_free(&snapshot);
    return state;
}

static enum wj_state run_job(const struct check_config *config, struct wj_client *client, int64_t deadline_ms,
                             struct wj_buffer *out)
{
    struct wj_job job;
    struct wj_job_judgement judgement;
    struct wj_error error = {0};
    int64_t now_ms;

    if (!wj_fetch_job(client, config->job_id, deadline_ms, &job, &now_ms, &error))
        return report_error(config, &error, out);
    wj_job_redact(&job, config->token);

    wj_judge_job(&job, now_ms, &config->thresholds, &judgement);
    check_format_job(out, &job, &judgement);
    wj_job_free(&job);
    return judgement.state;
}

enum wj_state check_run(const struct check_config *config, struct wj_buffer *out)
{
    int64_t deadline_ms = wj_monotonic_ms() + (int64_t)config->timeout_s * 1000;
    struct wj_error error = {0};
    struct wj_client *client;
    enum wj_state state;

    client = create_client(config, &error);
    if (client == NULL)
        return report_error(config, &error, out);

    if (config->verbosity >= 1)
        fprintf(stderr, "check_whisper_jobs: API %s, key from %s, timeout %d s\n", wj_client_display_url(client),
                config->token_origin, config->timeout_s);

    if (config->job_id)
        state = run_job(config, client, deadline_ms, out);
    else
        state = run_account(config, client, deadline_ms, out);

    if (config->verbosity >= 1) {
        struct wj_client_stats stats = wj_client_stats(client);

        fprintf(stderr, "check_whisper_jobs: %llu request(s) in %lld ms\n", (unsigned long long)stats.requests,
                (long long)(stats.request_seconds * 1000.0));
    }
    wj_client_free(client);
    return state;
}
