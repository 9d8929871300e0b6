/* The job model: one job as listJobs or getJob describes it, and a list of
 * jobs. */
#ifndef WJ_JOB_H
#define WJ_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wj_status {
    WJ_STATUS_PENDING = 0,
    WJ_STATUS_PROCESSING, /* also the API's "RUNNING" */
    WJ_STATUS_COMPLETED,
    WJ_STATUS_FAILED,
    WJ_STATUS_CANCELLED,
    WJ_STATUS_OTHER,      /* any status the product does not know */
    WJ_STATUS_COUNT
};

enum wj_timestamp_state {
    WJ_TIMESTAMP_MISSING = 0, /* absent or JSON null */
    WJ_TIMESTAMP_VALID,
    WJ_TIMESTAMP_INVALID      /* present but not a parsable ISO 8601 string */
};

struct wj_timestamp_field {
    enum wj_timestamp_state state;
    int64_t epoch_ms; /* set when state is WJ_TIMESTAMP_VALID */
    char *invalid_text; /* the string sent, when state is WJ_TIMESTAMP_INVALID
                         * and the value was a string; NULL otherwise */
};

/* Strings are owned by the job and never NULL once parsed ("" when absent).
 * They are the API's text as sent: sanitize before printing. */
struct wj_job {
    char *id;
    char *type;
    char *status_text;   /* as sent, e.g. "RUNNING" or an unknown value */
    enum wj_status status;
    struct wj_timestamp_field created_at;
    struct wj_timestamp_field completed_at;
    char *error_code;    /* "" unless the job has an error object */
    char *error_message;
};

struct wj_job_list {
    struct wj_job *items;
    size_t count;
    size_t capacity;
};

/* Maps an API status string to the model: case-sensitive as the API sends it,
 * "RUNNING" is PROCESSING, anything else unknown (NULL included) is OTHER. */
enum wj_status wj_status_from_text(const char *text);

/* The API's name for a status ("PENDING", ...), "OTHER" for WJ_STATUS_OTHER. */
const char *wj_status_name(enum wj_status status);

/* Lowercase name used in performance data and collectd type instances
 * ("pending", ..., "other"). */
const char *wj_status_label(enum wj_status status);

/* Frees the job's strings and zeroes it, so freeing it twice is harmless. */
void wj_job_free(struct wj_job *job);

/* Replaces secret in every text of the job, in place, as wj_text_redact
 * does. The raw body is redacted on arrival, but JSON escapes ("\/" for "/")
 * can hide the key there and reveal it once decoded. */
void wj_job_redact(struct wj_job *job, const char *secret);

/* Moves job into list (the list takes ownership, job is zeroed). Returns
 * false when memory runs out, in which case job is freed. */
bool wj_job_list_take(struct wj_job_list *list, struct wj_job *job);

/* Frees every job and the array, and zeroes the list for reuse. */
void wj_job_list_free(struct wj_job_list *list);

#endif
