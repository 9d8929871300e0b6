/* The job values of one read: which lists to fetch, and the counts and ages
 * computed from what was fetched. No I/O and no collectd calls, so every rule
 * can be tested on a snapshot built by hand. */
#ifndef WJC_VALUES_H
#define WJC_VALUES_H

#include <stdbool.h>
#include <stdint.h>

#include "wj_fetch.h"
#include "wj_job.h"
#include "wj_judge.h"

struct wjc_job_values {
    int64_t counts[WJ_STATUS_COUNT]; /* indexed by enum wj_status, WJ_STATUS_OTHER included */
    int64_t stuck_pending;           /* PENDING jobs strictly older than StuckAfter */
    double oldest_pending_s;         /* 0 when there is none */
    double oldest_processing_s;
    bool truncated;                  /* MaxPages cut a list short: the ages, stuck
                                        count and counts taken from listed jobs
                                        (Type set, or no total) are lower bounds */
};

/* Fills plan for one read. Without a type filter, COMPLETED, FAILED,
 * CANCELLED and the unfiltered list need only their totals, and PENDING and
 * PROCESSING are listed for their ages. With one, the five status lists are
 * read in full, because the API cannot filter on type. */
void wjc_values_plan(const struct wj_type_filter *filter, int max_pages, struct wj_account_plan *plan);

/* Computes the values from a snapshot that wj_fetch_account filled with a
 * plan from wjc_values_plan. A list entry counts under the status of the list
 * it came from, unless its own status is one the plugin does not know: then
 * it counts as other. Without a type filter, a count is the API's total for
 * the status, less the entries counted as other, and other also counts the
 * jobs that no status list returns (wj_snapshot_unlisted_jobs). With one, a
 * count is the number of listed entries of those types. Entries whose
 * createdAt is missing or invalid have no age, so they count in no age
 * value. */
void wjc_values_compute(const struct wj_account_snapshot *snapshot, const struct wj_type_filter *filter,
                        int64_t stuck_after_ms, struct wjc_job_values *values);

#endif
