#include "wjc_values.h"

#include <string.h>

static bool filter_is_set(const struct wj_type_filter *filter)
{
    return filter != NULL && filter->count > 0;
}

void wjc_values_plan(const struct wj_type_filter *filter, int max_pages, struct wj_account_plan *plan)
{
    enum wj_list_mode finished_mode = filter_is_set(filter) ? WJ_LIST_JOBS : WJ_LIST_COUNT;

    memset(plan, 0, sizeof *plan);
    plan->max_pages = max_pages;
    /* Jobs in a status the plugin does not know are in no filtered list, so
     * the unfiltered list's total finds them. Totals cannot be split by type,
     * so with a filter only listed entries can count as other. */
    plan->all = filter_is_set(filter) ? WJ_LIST_SKIP : WJ_LIST_COUNT;
    plan->lists[WJ_STATUS_PENDING] = WJ_LIST_JOBS;
    plan->lists[WJ_STATUS_PROCESSING] = WJ_LIST_JOBS;
    plan->lists[WJ_STATUS_COMPLETED] = finished_mode;
    plan->lists[WJ_STATUS_FAILED] = finished_mode;
    plan->lists[WJ_STATUS_CANCELLED] = finished_mode;
}

/* Notes the age of one PENDING or PROCESSING entry. */
static void note_age(struct wjc_job_values *values, enum wj_status status, const struct wj_job *job,
                     int64_t now_ms, int64_t stuck_after_ms)
{
    int64_t age_ms;
    double age_s;

    if (job->created_at.state != WJ_TIMESTAMP_VALID)
        return;

    /* The Date header has whole seconds, so a job created within the last
     * second can look up to a second younger than zero. */
    age_ms = now_ms - job->created_at.epoch_ms;
    if (age_ms < 0)
        age_ms = 0;
    age_s = (double)age_ms / 1000.0;

    if (status == WJ_STATUS_PENDING) {
        if (age_s > values->oldest_pending_s)
            values->oldest_pending_s = age_s;
        if (age_ms > stuck_after_ms)
            values->stuck_pending++;
    } else if (status == WJ_STATUS_PROCESSING) {
        if (age_s > values->oldest_processing_s)
            values->oldest_processing_s = age_s;
    }
}

/* Counts the listed entries of one status list, returning how many of them
 * have a status the plugin does not know. */
static int64_t count_listed(struct wjc_job_values *values, enum wj_status status, const struct wj_list_read *list,
                            const struct wj_type_filter *filter, int64_t now_ms, int64_t stuck_after_ms)
{
    int64_t unknown = 0;

    for (size_t i = 0; i < list->jobs.count; i++) {
        const struct wj_job *job = &list->jobs.items[i];

        if (!wj_type_filter_matches(filter, job->type))
            continue;
        if (job->status == WJ_STATUS_OTHER) {
            unknown++;
            continue;
        }
        if (filter_is_set(filter))
            values->counts[status]++;
        note_age(values, status, job, now_ms, stuck_after_ms);
    }
    return unknown;
}

void wjc_values_compute(const struct wj_account_snapshot *snapshot, const struct wj_type_filter *filter,
                        int64_t stuck_after_ms, struct wjc_job_values *values)
{
    memset(values, 0, sizeof *values);

    for (int index = 0; index < WJ_API_STATUS_COUNT; index++) {
        enum wj_status status = (enum wj_status)index;
        const struct wj_list_read *list = &snapshot->lists[status];
        int64_t unknown = 0;

        if (snapshot->modes[status] == WJ_LIST_SKIP)
            continue;

        values->truncated = values->truncated || list->truncated;
        if (snapshot->modes[status] == WJ_LIST_JOBS)
            unknown = count_listed(values, status, list, filter, snapshot->now_ms, stuck_after_ms);
        values->counts[WJ_STATUS_OTHER] += unknown;

        if (!filter_is_set(filter)) {
            int64_t count = wj_list_read_count(list) - unknown;

            values->counts[status] = count > 0 ? count : 0;
        }
    }

    /* NOTE: the totals come from parallel requests, so jobs created or moved
     * between them can make this too high for one read. */
    if (!filter_is_set(filter))
        values->counts[WJ_STATUS_OTHER] += wj_snapshot_unlisted_jobs(snapshot);
}
