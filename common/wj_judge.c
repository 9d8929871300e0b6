#include "wj_judge.h"

#include <stdlib.h>
#include <string.h>

bool wj_type_filter_matches(const struct wj_type_filter *filter, const char *type)
{
    if (filter == NULL || filter->count == 0)
        return true;

    for (size_t i = 0; i < filter->count; i++) {
        if (strcmp(filter->types[i], type ? type : "") == 0)
            return true;
    }
    return false;
}

enum wj_state wj_judge_age(int64_t age_ms, int64_t warning_s, int64_t critical_s)
{
    if (critical_s != WJ_THRESHOLD_UNSET && age_ms > critical_s * 1000)
        return WJ_STATE_CRITICAL;
    if (warning_s != WJ_THRESHOLD_UNSET && age_ms > warning_s * 1000)
        return WJ_STATE_WARNING;
    return WJ_STATE_OK;
}

/* The lower of the two thresholds that are set, or WJ_THRESHOLD_UNSET. */
static int64_t stuck_after_s(int64_t warning_s, int64_t critical_s)
{
    if (warning_s == WJ_THRESHOLD_UNSET)
        return critical_s;
    if (critical_s == WJ_THRESHOLD_UNSET)
        return warning_s;
    return warning_s < critical_s ? warning_s : critical_s;
}

static bool add_finding(struct wj_account_judgement *judgement, size_t *capacity,
                        const struct wj_finding *finding)
{
    if (judgement->finding_count == *capacity) {
        size_t grown_capacity = *capacity ? *capacity * 2 : 16;
        struct wj_finding *grown = realloc(judgement->findings, grown_capacity * sizeof *grown);

        if (grown == NULL)
            return false;
        judgement->findings = grown;
        *capacity = grown_capacity;
    }
    judgement->findings[judgement->finding_count++] = *finding;
    return true;
}

struct judge_run {
    const struct wj_thresholds *thresholds;
    int64_t now_ms;
    struct wj_account_judgement *judgement;
    size_t capacity;
};

static bool add_bad_timestamp(struct judge_run *run, const struct wj_job *job, const char *field)
{
    struct wj_finding finding = {job, WJ_STATE_UNKNOWN, WJ_FINDING_BAD_TIMESTAMP, false, 0, field};

    /* A failed job with a bad completedAt may still have a usable age. */
    if (job->created_at.state == WJ_TIMESTAMP_VALID) {
        finding.has_age = true;
        finding.age_ms = run->now_ms - job->created_at.epoch_ms;
    }
    run->judgement->bad_timestamps++;
    return add_finding(run->judgement, &run->capacity, &finding);
}

static bool judge_failed(struct judge_run *run, const struct wj_job *job)
{
    const struct wj_timestamp_field *when = &job->completed_at;
    const char *field = "completedAt";
    struct wj_finding finding = {job, WJ_STATE_OK, WJ_FINDING_FAILED, false, 0, NULL};

    if (when->state == WJ_TIMESTAMP_MISSING) {
        when = &job->created_at;
        field = "createdAt";
    }
    if (when->state != WJ_TIMESTAMP_VALID)
        return add_bad_timestamp(run, job, field);

    /* A failure exactly one window ago still counts. */
    if (run->now_ms - when->epoch_ms > run->thresholds->window_s * 1000)
        return true;

    run->judgement->failed++;
    if (job->created_at.state == WJ_TIMESTAMP_VALID) {
        finding.has_age = true;
        finding.age_ms = run->now_ms - job->created_at.epoch_ms;
    }
    return add_finding(run->judgement, &run->capacity, &finding);
}

static bool judge_active(struct judge_run *run, const struct wj_job *job, bool pending)
{
    const struct wj_thresholds *thresholds = run->thresholds;
    struct wj_account_judgement *judgement = run->judgement;
    int64_t warning_s = pending ? thresholds->pending_warning_s : thresholds->processing_warning_s;
    int64_t critical_s = pending ? thresholds->pending_critical_s : thresholds->processing_critical_s;
    int64_t stuck_s = stuck_after_s(warning_s, critical_s);
    int64_t *oldest = pending ? &judgement->oldest_pending_ms : &judgement->oldest_processing_ms;
    struct wj_finding finding = {job, WJ_STATE_OK, WJ_FINDING_STUCK, true, 0, NULL};

    if (job->created_at.state != WJ_TIMESTAMP_VALID)
        return add_bad_timestamp(run, job, "createdAt");

    finding.age_ms = run->now_ms - job->created_at.epoch_ms;
    if (finding.age_ms > *oldest)
        *oldest = finding.age_ms;

    if (stuck_s != WJ_THRESHOLD_UNSET && finding.age_ms > stuck_s * 1000) {
        if (pending)
            judgement->stuck_pending++;
        else
            judgement->stuck_processing++;
    }

    finding.state = wj_judge_age(finding.age_ms, warning_s, critical_s);
    if (finding.state == WJ_STATE_OK)
        return true;

    if (pending)
        judgement->pending_state = wj_state_worst(judgement->pending_state, finding.state);
    else
        judgement->processing_state = wj_state_worst(judgement->processing_state, finding.state);
    return add_finding(judgement, &run->capacity, &finding);
}

static bool judge_job(struct judge_run *run, const struct wj_job *job)
{
    switch (job->status) {
    case WJ_STATUS_FAILED:
        return judge_failed(run, job);
    case WJ_STATUS_PENDING:
        run->judgement->pending++;
        return judge_active(run, job, true);
    case WJ_STATUS_PROCESSING:
        run->judgement->processing++;
        return judge_active(run, job, false);
    case WJ_STATUS_OTHER:
        run->judgement->other++;
        return true;
    default:
        return true;
    }
}

static int compare_findings(const void *left, const void *right)
{
    const struct wj_finding *a = left;
    const struct wj_finding *b = right;

    /* Worst state first. */
    if (a->state != b->state)
        return wj_state_severity(b->state) - wj_state_severity(a->state);
    if (a->age_ms != b->age_ms)
        return a->age_ms > b->age_ms ? -1 : 1;
    return strcmp(a->job->id, b->job->id);
}

/* Failed jobs take the state of their count against the ranges; OK ones
 * are not listed. */
static void settle_failed(struct wj_account_judgement *judgement, const struct wj_thresholds *thresholds)
{
    size_t kept = 0;

    if (wj_range_alerts(&thresholds->failed_critical, (double)judgement->failed))
        judgement->failed_state = WJ_STATE_CRITICAL;
    else if (wj_range_alerts(&thresholds->failed_warning, (double)judgement->failed))
        judgement->failed_state = WJ_STATE_WARNING;

    for (size_t i = 0; i < judgement->finding_count; i++) {
        struct wj_finding *finding = &judgement->findings[i];

        if (finding->reason == WJ_FINDING_FAILED)
            finding->state = judgement->failed_state;
        if (finding->state != WJ_STATE_OK)
            judgement->findings[kept++] = *finding;
    }
    judgement->finding_count = kept;
}

/* A cut list has more jobs than were read. Without a type filter, its total
 * is the better count. */
static int64_t count_with_total(int64_t counted, const struct wj_list_read *list,
                                const struct wj_type_filter *filter)
{
    bool filtered = filter && filter->count > 0;

    if (list->truncated && list->has_total && !filtered && list->total > counted)
        return list->total;
    return counted;
}

bool wj_judge_account(const struct wj_account_snapshot *snapshot, const struct wj_thresholds *thresholds,
                      const struct wj_type_filter *filter, struct wj_account_judgement *judgement,
                      struct wj_error *error)
{
    static const enum wj_status judged[] = {WJ_STATUS_FAILED, WJ_STATUS_PENDING, WJ_STATUS_PROCESSING};
    struct judge_run run = {thresholds, snapshot->now_ms, judgement, 0};

    memset(judgement, 0, sizeof *judgement);
    judgement->now_ms = snapshot->now_ms;

    for (size_t i = 0; i < sizeof judged / sizeof judged[0]; i++) {
        const struct wj_list_read *list = &snapshot->lists[judged[i]];

        if (snapshot->modes[judged[i]] != WJ_LIST_JOBS)
            continue;
        judgement->truncated = judgement->truncated || list->truncated;

        for (size_t j = 0; j < list->jobs.count; j++) {
            const struct wj_job *job = &list->jobs.items[j];

            if (!wj_type_filter_matches(filter, job->type))
                continue;
            if (!judge_job(&run, job)) {
                wj_account_judgement_free(judgement);
                wj_error_set(error, WJ_ERR_INTERNAL, "out of memory judging jobs");
                return false;
            }
        }
    }

    judgement->pending = count_with_total(judgement->pending, &snapshot->lists[WJ_STATUS_PENDING], filter);
    judgement->processing =
        count_with_total(judgement->processing, &snapshot->lists[WJ_STATUS_PROCESSING], filter);

    settle_failed(judgement, thresholds);
    /* qsort must not get the NULL array of an empty list. */
    if (judgement->finding_count > 1)
        qsort(judgement->findings, judgement->finding_count, sizeof *judgement->findings, compare_findings);

    judgement->state = wj_state_worst(judgement->failed_state, judgement->pending_state);
    judgement->state = wj_state_worst(judgement->state, judgement->processing_state);
    if (judgement->bad_timestamps > 0)
        judgement->state = wj_state_worst(judgement->state, WJ_STATE_UNKNOWN);
    return true;
}

void wj_account_judgement_free(struct wj_account_judgement *judgement)
{
    free(judgement->findings);
    judgement->findings = NULL;
    judgement->finding_count = 0;
}

static void judge_active_job(const struct wj_job *job, int64_t warning_s, int64_t critical_s,
                             struct wj_job_judgement *judgement)
{
    judgement->warning_s = warning_s;
    judgement->critical_s = critical_s;
    if (!judgement->has_age) {
        judgement->state = WJ_STATE_UNKNOWN;
        judgement->problem = job->created_at.state == WJ_TIMESTAMP_MISSING ? "createdAt is missing"
                                                                          : "createdAt is not a valid timestamp";
        judgement->bad_timestamp = "createdAt";
        return;
    }
    judgement->state = wj_judge_age(judgement->age_ms, warning_s, critical_s);
}

void wj_judge_job(const struct wj_job *job, int64_t now_ms, const struct wj_thresholds *thresholds,
                  struct wj_job_judgement *judgement)
{
    memset(judgement, 0, sizeof *judgement);
    judgement->now_ms = now_ms;
    judgement->warning_s = WJ_THRESHOLD_UNSET;
    judgement->critical_s = WJ_THRESHOLD_UNSET;
    if (job->created_at.state == WJ_TIMESTAMP_VALID) {
        judgement->has_age = true;
        judgement->age_ms = now_ms - job->created_at.epoch_ms;
    }

    switch (job->status) {
    case WJ_STATUS_COMPLETED:
        judgement->state = WJ_STATE_OK;
        break;
    case WJ_STATUS_FAILED:
        judgement->state = WJ_STATE_CRITICAL;
        break;
    case WJ_STATUS_CANCELLED:
        judgement->state = WJ_STATE_WARNING;
        break;
    case WJ_STATUS_PENDING:
        judge_active_job(job, thresholds->pending_warning_s, thresholds->pending_critical_s, judgement);
        break;
    case WJ_STATUS_PROCESSING:
        judge_active_job(job, thresholds->processing_warning_s, thresholds->processing_critical_s,
                         judgement);
        break;
    default:
        judgement->state = WJ_STATE_UNKNOWN;
        judgement->problem = "the job has a status this plugin does not know";
        break;
    }
}
