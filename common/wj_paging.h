/* Reading a status-filtered job list page by page (listJobs with limit and
 * offset). The first page's total plans the rest, which are then requested
 * in parallel; without a total, pages are read one after another until a
 * short page. Jobs are de-duplicated by id.
 *
 * Jobs that come or go during the read shift the offsets. That shows as a
 * total that changes between pages, or as an id that comes back on a later
 * page. The list is then read a second time and both readings are merged,
 * so no job that stayed in the status through the read is missed, whatever
 * order the API lists in.
 * NOTE: without a total, jobs that leave the list ahead of the offsets leave
 * no such sign, so a job behind them can be missed. */
#ifndef WJ_PAGING_H
#define WJ_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "wj_error.h"
#include "wj_http.h"
#include "wj_job.h"

#define WJ_PAGE_LIMIT 100

struct wj_id_set;

struct wj_list_read {
    /* Set by the caller before wj_list_read_start. */
    const char *status;   /* API status filter, e.g. "FAILED"; NULL lists every job */
    int max_pages;        /* pages read at most per reading, at least 1 */
    bool count_only;      /* only "total" is needed: one page of limit 1,
                             falling back to a full read when total is absent */
    bool best_effort;     /* a failed page marks the list failed instead of
                             failing the run */

    /* Results, valid after the client run succeeded. */
    struct wj_job_list jobs;
    bool has_total;       /* the API sent "total" */
    int64_t total;        /* the latest page's total when has_total */
    bool truncated;       /* max_pages stopped the reading before the end */
    bool total_changed;   /* total differed between pages */
    bool ids_repeated;    /* the first reading saw an id on two pages */
    bool failed;          /* best_effort only: a page failed, so the results
                             are incomplete and must not be used */

    /* Private state. */
    struct wj_client *client;
    struct wj_id_set *seen;
    int limit;
    int pass;
    int pages_requested;
    int pages_outstanding;
    int64_t planned_pages;
};

/* Queues the first page on client; the rest follow as pages arrive during
 * wj_client_run. */
bool wj_list_read_start(struct wj_list_read *list, struct wj_client *client, struct wj_error *error);

/* Number of jobs in the status: total when the API sent one, unless the
 * whole list was read and total changed between pages, in which case the
 * de-duplicated jobs are counted. */
int64_t wj_list_read_count(const struct wj_list_read *list);

/* Moves the jobs of from that into does not have yet (by id) into into,
 * and adds them to into's total. Returns the number of jobs moved, or -1
 * when memory runs out. from is left empty. */
int64_t wj_list_read_merge(struct wj_list_read *into, struct wj_list_read *from);

void wj_list_read_free(struct wj_list_read *list);

#endif
