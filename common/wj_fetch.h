/* One run against the API: the status lists an account judgement or a
 * collectd read needs, all in flight together, or one job by id. */
#ifndef WJ_FETCH_H
#define WJ_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "wj_error.h"
#include "wj_http.h"
#include "wj_job.h"
#include "wj_paging.h"

/* Statuses the API can filter lists on: the first five of enum wj_status. */
#define WJ_API_STATUS_COUNT WJ_STATUS_OTHER

enum wj_list_mode {
    WJ_LIST_SKIP = 0,
    WJ_LIST_COUNT, /* only the total */
    WJ_LIST_JOBS   /* every job, up to max_pages pages */
};

struct wj_account_plan {
    enum wj_list_mode lists[WJ_API_STATUS_COUNT]; /* indexed by enum wj_status */
    bool best_effort[WJ_API_STATUS_COUNT]; /* lists whose failure must not fail the run */
    enum wj_list_mode all; /* the list without a status filter, always best effort */
    int max_pages;
};

struct wj_account_snapshot {
    struct wj_list_read lists[WJ_API_STATUS_COUNT];
    enum wj_list_mode modes[WJ_API_STATUS_COUNT];
    struct wj_list_read all;
    enum wj_list_mode all_mode;
    struct wj_list_read running; /* RUNNING, merged into lists[WJ_STATUS_PROCESSING] */
    int64_t running_added;       /* RUNNING jobs that the PROCESSING list lacked */
    int64_t now_ms;       /* the API's Date header, else the local clock */
    bool now_from_server;
};

/* Reads the lists the plan names before deadline_ms (wj_monotonic_ms clock).
 * On failure the snapshot is empty and needs no free. */
bool wj_fetch_account(struct wj_client *client, const struct wj_account_plan *plan,
                      int64_t deadline_ms, struct wj_account_snapshot *snapshot,
                      struct wj_error *error);

void wj_account_snapshot_free(struct wj_account_snapshot *snapshot);

/* Jobs in statuses none of the five filtered lists returns: the unfiltered
 * list's total minus the five totals and the RUNNING jobs merged into
 * PROCESSING, 0 when a total is missing or the difference is negative. A status the API adds later shows up here instead
 * of being dropped. */
int64_t wj_snapshot_unlisted_jobs(const struct wj_account_snapshot *snapshot);

/* Reads one job by id (getJob). A 404 is WJ_ERR_NOT_FOUND with a message
 * naming the id. */
bool wj_fetch_job(struct wj_client *client, const char *job_id, int64_t deadline_ms,
                  struct wj_job *job, int64_t *now_ms, struct wj_error *error);

#endif
