#include "wj_fetch.h"

#include <stdlib.h>
#include <string.h>

#include "wj_api_json.h"
#include "wj_buffer.h"
#include "wj_text.h"

static void set_now(const struct wj_client *client, int64_t *now_ms, bool *from_server)
{
    int64_t server_ms = wj_client_server_time(client);

    *from_server = server_ms >= 0;
    *now_ms = *from_server ? server_ms : wj_realtime_ms();
}

bool wj_fetch_account(struct wj_client *client, const struct wj_account_plan *plan,
                      int64_t deadline_ms, struct wj_account_snapshot *snapshot,
                      struct wj_error *error)
{
    memset(snapshot, 0, sizeof *snapshot);

    for (int status = 0; status < WJ_API_STATUS_COUNT; status++) {
        struct wj_list_read *list = &snapshot->lists[status];

        snapshot->modes[status] = plan->lists[status];
        if (plan->lists[status] == WJ_LIST_SKIP)
            continue;

        list->status = wj_status_name((enum wj_status)status);
        list->max_pages = plan->max_pages;
        list->count_only = plan->lists[status] == WJ_LIST_COUNT;
        list->best_effort = plan->best_effort[status];
        if (!wj_list_read_start(list, client, error))
            goto failed;
    }

    /* The API's job creation responses use RUNNING where the rest use
     * PROCESSING. Jobs stored that way may be listed only under RUNNING, so
     * that list is read too and merged. It is best effort because the list
     * endpoint does not document RUNNING as a filter value. */
    if (plan->lists[WJ_STATUS_PROCESSING] == WJ_LIST_JOBS) {
        snapshot->running.status = "RUNNING";
        snapshot->running.max_pages = plan->max_pages;
        snapshot->running.best_effort = true;
        if (!wj_list_read_start(&snapshot->running, client, error))
            goto failed;
    }

    /* The unfiltered total only serves to count jobs in unknown statuses,
     * so its failure must not hide a judgement. */
    snapshot->all_mode = plan->all;
    if (plan->all != WJ_LIST_SKIP) {
        snapshot->all.status = NULL;
        snapshot->all.max_pages = plan->max_pages;
        snapshot->all.count_only = plan->all == WJ_LIST_COUNT;
        snapshot->all.best_effort = true;
        if (!wj_list_read_start(&snapshot->all, client, error))
            goto failed;
    }

    if (!wj_client_run(client, deadline_ms, error))
        goto failed;

    if (snapshot->running.status && !snapshot->running.failed) {
        snapshot->running_added = wj_list_read_merge(&snapshot->lists[WJ_STATUS_PROCESSING], &snapshot->running);
        if (snapshot->running_added < 0) {
            wj_error_set(error, WJ_ERR_INTERNAL, "out of memory merging RUNNING jobs");
            goto failed;
        }
    }

    set_now(client, &snapshot->now_ms, &snapshot->now_from_server);
    return true;

failed:
    wj_client_cancel(client);
    wj_account_snapshot_free(snapshot);
    return false;
}

void wj_account_snapshot_free(struct wj_account_snapshot *snapshot)
{
    for (int status = 0; status < WJ_API_STATUS_COUNT; status++)
        wj_list_read_free(&snapshot->lists[status]);
    wj_list_read_free(&snapshot->all);
    wj_list_read_free(&snapshot->running);
    memset(snapshot, 0, sizeof *snapshot);
}

int64_t wj_snapshot_unlisted_jobs(const struct wj_account_snapshot *snapshot)
{
    int64_t listed = 0;

    if (snapshot->all_mode == WJ_LIST_SKIP || snapshot->all.failed || !snapshot->all.has_total)
        return 0;

    for (int status = 0; status < WJ_API_STATUS_COUNT; status++) {
        const struct wj_list_read *list = &snapshot->lists[status];

        if (snapshot->modes[status] == WJ_LIST_SKIP || list->failed || !list->has_total)
            return 0;
        /* Each total may be as large as INT64_MAX, so it is compared before
         * it is added. A sum past the unfiltered total leaves no job unlisted. */
        if (list->total > snapshot->all.total - listed)
            return 0;
        listed += list->total;
    }
    /* The merge already added RUNNING jobs to the PROCESSING total. */
    return snapshot->all.total - listed;
}

struct job_target {
    struct wj_job *job;
    bool parsed;
};

static bool on_job(void *context, const struct wj_response *response, struct wj_error *error)
{
    struct job_target *target = context;

    if (!wj_parse_job(response->body, response->length, target->job, error)) {
        wj_error_append(error, ". Check that the URL is the Whisper API's base URL");
        return false;
    }
    target->parsed = true;
    return true;
}

bool wj_fetch_job(struct wj_client *client, const char *job_id, int64_t deadline_ms,
                  struct wj_job *job, int64_t *now_ms, struct wj_error *error)
{
    struct job_target target = {job, false};
    struct wj_buffer path = {0};
    char *escaped = wj_url_escape(job_id);
    bool fetched;
    bool from_server;

    memset(job, 0, sizeof *job);
    wj_buffer_append_string(&path, "/v1/ops/jobs/");
    if (escaped == NULL) {
        wj_buffer_free(&path);
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory building the job URL");
        return false;
    }
    wj_buffer_append_string(&path, escaped);
    free(escaped);
    if (path.failed) {
        wj_buffer_free(&path);
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory building the job URL");
        return false;
    }

    fetched = wj_client_get(client, wj_buffer_text(&path), on_job, &target, error)
              && wj_client_run(client, deadline_ms, error);
    wj_buffer_free(&path);

    if (!fetched) {
        if (error->kind == WJ_ERR_NOT_FOUND) {
            char id[128];

            wj_error_set(error, WJ_ERR_NOT_FOUND, "job ID \"%s\" not found (HTTP 404). Check the ID, and that the URL is the API's base URL",
                         wj_text_sanitize(id, sizeof id, job_id));
        }
        if (target.parsed)
            wj_job_free(job);
        return false;
    }

    set_now(client, now_ms, &from_server);
    return true;
}
