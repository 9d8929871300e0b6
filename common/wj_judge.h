/* Judgements: turns jobs and thresholds into metrics and a state, without
 * any I/O, so every rule can be tested case by case. */
#ifndef WJ_JUDGE_H
#define WJ_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wj_fetch.h"
#include "wj_job.h"
#include "wj_range.h"
#include "wj_state.h"

#define WJ_THRESHOLD_UNSET (-1)

struct wj_thresholds {
    struct wj_range failed_warning;   /* on the count of failed jobs in the window */
    struct wj_range failed_critical;
    int64_t window_s;
    int64_t pending_warning_s;        /* ages in seconds, or WJ_THRESHOLD_UNSET */
    int64_t pending_critical_s;
    int64_t processing_warning_s;
    int64_t processing_critical_s;
};

/* Job types to judge; an empty filter matches every job. */
struct wj_type_filter {
    const char *const *types;
    size_t count;
};

enum wj_finding_reason {
    WJ_FINDING_FAILED,        /* failed within the window */
    WJ_FINDING_STUCK,         /* pending or processing past a threshold */
    WJ_FINDING_BAD_TIMESTAMP  /* a timestamp the judgement needs is missing or invalid */
};

/* A job behind a non-OK state, for the long output. */
struct wj_finding {
    const struct wj_job *job; /* borrowed from the snapshot */
    enum wj_state state;
    enum wj_finding_reason reason;
    bool has_age;
    int64_t age_ms;           /* now - createdAt */
    const char *field;        /* WJ_FINDING_BAD_TIMESTAMP: "createdAt" or "completedAt" */
};

struct wj_account_judgement {
    enum wj_state state;
    enum wj_state failed_state;
    enum wj_state pending_state;
    enum wj_state processing_state;
    int64_t failed;            /* failed within the window */
    int64_t pending;
    int64_t processing;
    int64_t other;             /* jobs with a status the product does not know */
    int64_t stuck_pending;
    int64_t stuck_processing;
    int64_t oldest_pending_ms; /* 0 when there is none */
    int64_t oldest_processing_ms;
    int64_t bad_timestamps;
    bool truncated;            /* a list was cut by max_pages */
    int64_t now_ms;            /* the instant ages were measured at */
    struct wj_finding *findings; /* worst first, then oldest first */
    size_t finding_count;
};

bool wj_type_filter_matches(const struct wj_type_filter *filter, const char *type);

/* Judges the PENDING, PROCESSING and FAILED lists of snapshot. Fails only
 * when memory runs out. */
bool wj_judge_account(const struct wj_account_snapshot *snapshot, const struct wj_thresholds *thresholds,
                      const struct wj_type_filter *filter, struct wj_account_judgement *judgement,
                      struct wj_error *error);

void wj_account_judgement_free(struct wj_account_judgement *judgement);

struct wj_job_judgement {
    enum wj_state state;
    bool has_age;
    int64_t age_ms;
    const char *problem; /* why the state is UNKNOWN, NULL otherwise */
    const char *bad_timestamp; /* "createdAt" when that timestamp is the problem */
    int64_t now_ms;      /* the instant the age was measured at */
    int64_t warning_s;   /* thresholds that judged the age, WJ_THRESHOLD_UNSET when none */
    int64_t critical_s;
};

/* Judges one job (single-job mode): COMPLETED is OK, FAILED CRITICAL,
 * CANCELLED WARNING, PENDING and PROCESSING by age, anything else UNKNOWN. */
void wj_judge_job(const struct wj_job *job, int64_t now_ms, const struct wj_thresholds *thresholds,
                  struct wj_job_judgement *judgement);

/* State of an age against a pair of thresholds: strictly older than a
 * threshold alerts. */
enum wj_state wj_judge_age(int64_t age_ms, int64_t warning_s, int64_t critical_s);

#endif
