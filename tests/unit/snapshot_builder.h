/* Builds account snapshots by hand, as wj_fetch_account would fill them, for
 * the collectd plugin's unit tests. */
#ifndef SNAPSHOT_BUILDER_H
#define SNAPSHOT_BUILDER_H

#include <stdint.h>

#include "wj_fetch.h"

#define BUILDER_NO_CREATED_AT INT64_MIN

/* Zeroes snapshot and gives it the plan's list modes and the API clock now_ms. */
void builder_start(struct wj_account_snapshot *snapshot, const struct wj_account_plan *plan, int64_t now_ms);

/* Appends a job to the list of status (as listed by the API), whose own
 * status field is status_text, created age_ms before the snapshot's now, or
 * without createdAt for BUILDER_NO_CREATED_AT. The list's total becomes its
 * job count, as a list read in full reports. */
void builder_add_job(struct wj_account_snapshot *snapshot, enum wj_status status, const char *id, const char *type,
                     const char *status_text, int64_t age_ms);

/* Sets the total the API reported for status, as a count-only read gets it. */
void builder_set_total(struct wj_account_snapshot *snapshot, enum wj_status status, int64_t total);

/* Sets the total of the unfiltered list, which has none until then. */
void builder_set_all_total(struct wj_account_snapshot *snapshot, int64_t total);

#endif
