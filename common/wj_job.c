#include "wj_job.h"

#include <stdlib.h>
#include <string.h>

#include "wj_text.h"

#define INITIAL_LIST_CAPACITY 16

struct status_names {
    const char *name;  /* as the API sends it */
    const char *label; /* lowercase, for performance data and collectd */
};

static const struct status_names status_names[WJ_STATUS_COUNT] = {
    [WJ_STATUS_PENDING] = {"PENDING", "pending"},
    [WJ_STATUS_PROCESSING] = {"PROCESSING", "processing"},
    [WJ_STATUS_COMPLETED] = {"COMPLETED", "completed"},
    [WJ_STATUS_FAILED] = {"FAILED", "failed"},
    [WJ_STATUS_CANCELLED] = {"CANCELLED", "cancelled"},
    [WJ_STATUS_OTHER] = {"OTHER", "other"},
};

enum wj_status wj_status_from_text(const char *text)
{
    int status;

    if (text == NULL)
        return WJ_STATUS_OTHER;

    /* Job creation responses use RUNNING where the rest of the API uses PROCESSING. */
    if (strcmp(text, "RUNNING") == 0)
        return WJ_STATUS_PROCESSING;

    for (status = 0; status < WJ_STATUS_OTHER; status++) {
        if (strcmp(text, status_names[status].name) == 0)
            return (enum wj_status)status;
    }
    return WJ_STATUS_OTHER;
}

static bool is_known(enum wj_status status)
{
    return (int)status >= 0 && status < WJ_STATUS_COUNT;
}

const char *wj_status_name(enum wj_status status)
{
    return is_known(status) ? status_names[status].name : "OTHER";
}

const char *wj_status_label(enum wj_status status)
{
    return is_known(status) ? status_names[status].label : "other";
}

void wj_job_free(struct wj_job *job)
{
    if (job == NULL)
        return;

    free(job->id);
    free(job->type);
    free(job->status_text);
    free(job->error_code);
    free(job->error_message);
    free(job->created_at.invalid_text);
    free(job->completed_at.invalid_text);
    memset(job, 0, sizeof *job);
}

void wj_job_redact(struct wj_job *job, const char *secret)
{
    wj_text_redact(job->id, secret);
    wj_text_redact(job->type, secret);
    wj_text_redact(job->status_text, secret);
    wj_text_redact(job->error_code, secret);
    wj_text_redact(job->error_message, secret);
    wj_text_redact(job->created_at.invalid_text, secret);
    wj_text_redact(job->completed_at.invalid_text, secret);
}

static bool grow(struct wj_job_list *list)
{
    size_t capacity = list->capacity ? list->capacity * 2 : INITIAL_LIST_CAPACITY;
    struct wj_job *items;

    if (capacity > SIZE_MAX / sizeof *items)
        return false;

    items = realloc(list->items, capacity * sizeof *items);
    if (items == NULL)
        return false;

    list->items = items;
    list->capacity = capacity;
    return true;
}

bool wj_job_list_take(struct wj_job_list *list, struct wj_job *job)
{
    if (list->count == list->capacity && !grow(list)) {
        wj_job_free(job);
        return false;
    }

    list->items[list->count++] = *job;
    memset(job, 0, sizeof *job);
    return true;
}

void wj_job_list_free(struct wj_job_list *list)
{
    size_t i;

    if (list == NULL)
        return;

    for (i = 0; i < list->count; i++)
        wj_job_free(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}
