#include "snapshot_builder.h"

#include <stdlib.h>
#include <string.h>

static void fail_out_of_memory(void)
{
    abort();
}

static char *copy(const char *text)
{
    char *duplicate = strdup(text);

    if (duplicate == NULL)
        fail_out_of_memory();
    return duplicate;
}

void builder_start(struct wj_account_snapshot *snapshot, const struct wj_account_plan *plan, int64_t now_ms)
{
    memset(snapshot, 0, sizeof *snapshot);
    snapshot->now_ms = now_ms;
    snapshot->now_from_server = true;
    for (int status = 0; status < WJ_API_STATUS_COUNT; status++) {
        snapshot->modes[status] = plan->lists[status];
        snapshot->lists[status].status = wj_status_name((enum wj_status)status);
        snapshot->lists[status].max_pages = plan->max_pages;
        snapshot->lists[status].count_only = plan->lists[status] == WJ_LIST_COUNT;
        snapshot->lists[status].has_total = true;
    }
    snapshot->all_mode = plan->all;
    snapshot->all.max_pages = plan->max_pages;
    snapshot->all.count_only = plan->all == WJ_LIST_COUNT;
}

void builder_add_job(struct wj_account_snapshot *snapshot, enum wj_status status, const char *id, const char *type,
                     const char *status_text, int64_t age_ms)
{
    struct wj_list_read *list = &snapshot->lists[status];
    struct wj_job job = {0};

    job.id = copy(id);
    job.type = copy(type);
    job.status_text = copy(status_text);
    job.status = wj_status_from_text(status_text);
    job.completed_at.state = WJ_TIMESTAMP_MISSING;
    job.error_code = copy("");
    job.error_message = copy("");
    if (age_ms != BUILDER_NO_CREATED_AT) {
        job.created_at.state = WJ_TIMESTAMP_VALID;
        job.created_at.epoch_ms = snapshot->now_ms - age_ms;
    }
    if (!wj_job_list_take(&list->jobs, &job))
        fail_out_of_memory();
    list->total = (int64_t)list->jobs.count;
}

void builder_set_total(struct wj_account_snapshot *snapshot, enum wj_status status, int64_t total)
{
    snapshot->lists[status].has_total = true;
    snapshot->lists[status].total = total;
}

void builder_set_all_total(struct wj_account_snapshot *snapshot, int64_t total)
{
    snapshot->all.has_total = true;
    snapshot->all.total = total;
}
