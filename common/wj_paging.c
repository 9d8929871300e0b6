#include "wj_paging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wj_api_json.h"

/* Open-addressing hash set of job ids. The strings belong to the jobs. */
struct wj_id_set {
    const char **slots;
    size_t capacity; /* a power of two */
    size_t count;
};

static uint64_t hash_id(const char *id)
{
    uint64_t hash = 1469598103934665603ull; /* FNV-1a */

    for (; *id; id++) {
        hash ^= (unsigned char)*id;
        hash *= 1099511628211ull;
    }
    return hash;
}

static bool id_set_grow(struct wj_id_set *set)
{
    size_t capacity = set->capacity ? set->capacity * 2 : 256;
    const char **slots = calloc(capacity, sizeof *slots);

    if (slots == NULL)
        return false;

    for (size_t i = 0; i < set->capacity; i++) {
        const char *id = set->slots[i];
        size_t slot;

        if (id == NULL)
            continue;
        slot = hash_id(id) & (capacity - 1);
        while (slots[slot])
            slot = (slot + 1) & (capacity - 1);
        slots[slot] = id;
    }

    free(set->slots);
    set->slots = slots;
    set->capacity = capacity;
    return true;
}

static bool id_set_contains(const struct wj_id_set *set, const char *id)
{
    size_t slot;

    if (set->capacity == 0)
        return false;

    slot = hash_id(id) & (set->capacity - 1);
    while (set->slots[slot]) {
        if (strcmp(set->slots[slot], id) == 0)
            return true;
        slot = (slot + 1) & (set->capacity - 1);
    }
    return false;
}

/* Adds id, which must not be in the set yet. */
static bool id_set_add(struct wj_id_set *set, const char *id)
{
    size_t slot;

    if ((set->count + 1) * 2 > set->capacity && !id_set_grow(set))
        return false;

    slot = hash_id(id) & (set->capacity - 1);
    while (set->slots[slot])
        slot = (slot + 1) & (set->capacity - 1);
    set->slots[slot] = id;
    set->count++;
    return true;
}

static bool on_page(void *context, const struct wj_response *response, struct wj_error *error);

static const char *list_name(const struct wj_list_read *list)
{
    return list->status ? list->status : "all";
}

static bool request_page(struct wj_list_read *list, int64_t page, struct wj_error *error)
{
    char path[160];

    if (list->status)
        snprintf(path, sizeof path, "/v1/ops/jobs/list?status=%s&limit=%d&offset=%lld", list->status,
                 list->limit, (long long)(page * list->limit));
    else
        snprintf(path, sizeof path, "/v1/ops/jobs/list?limit=%d&offset=%lld", list->limit,
                 (long long)(page * list->limit));
    if (list->best_effort ? !wj_client_get_best_effort(list->client, path, on_page, list, error)
                          : !wj_client_get(list->client, path, on_page, list, error))
        return false;

    list->pages_requested++;
    list->pages_outstanding++;
    return true;
}

/* Queues every page up to planned_pages that is not requested yet. */
static bool request_planned_pages(struct wj_list_read *list, struct wj_error *error)
{
    while (list->pages_requested < list->planned_pages) {
        if (!request_page(list, list->pages_requested, error))
            return false;
    }
    return true;
}

static int64_t offset_of(const char *path)
{
    const char *found = strstr(path, "offset=");

    return found ? strtoll(found + 7, NULL, 10) : 0;
}

enum take_result { JOB_TAKEN, JOB_REPEATED, JOB_NO_MEMORY };

/* Moves job into the list unless its id is already there, in which case the
 * job is freed. Jobs without an id cannot be matched and are always taken. */
static enum take_result take_new_job(struct wj_list_read *list, struct wj_job *job)
{
    bool has_id = job->id && job->id[0];

    if (has_id && id_set_contains(list->seen, job->id)) {
        wj_job_free(job);
        return JOB_REPEATED;
    }
    if (!wj_job_list_take(&list->jobs, job)
        || (has_id && !id_set_add(list->seen, list->jobs.items[list->jobs.count - 1].id)))
        return JOB_NO_MEMORY;
    return JOB_TAKEN;
}

/* Moves the page's jobs into the list. In the first reading a repeated id
 * means jobs were added ahead of the offsets, which is the only sign of it
 * when the API sends no total. */
static bool merge_jobs(struct wj_list_read *list, struct wj_list_page *page, struct wj_error *error)
{
    for (size_t i = 0; i < page->jobs.count; i++) {
        enum take_result result = take_new_job(list, &page->jobs.items[i]);

        if (result == JOB_REPEATED && list->pass == 1)
            list->ids_repeated = true;
        if (result == JOB_NO_MEMORY) {
            wj_error_set(error, WJ_ERR_INTERNAL, "out of memory storing %s jobs", list_name(list));
            return false;
        }
    }
    page->jobs.count = 0;
    return true;
}

static void note_total(struct wj_list_read *list, const struct wj_list_page *page)
{
    if (!page->has_total)
        return;

    if (list->has_total && page->total != list->total)
        list->total_changed = true;
    list->has_total = true;
    list->total = page->total;
}

/* Decides which pages follow the one at page_index. */
static bool plan_next_pages(struct wj_list_read *list, const struct wj_list_page *page,
                            int64_t page_index, size_t jobs_on_page, struct wj_error *error)
{
    if (page->has_total) {
        /* Rounded up without adding, because the API's total may be as
         * large as INT64_MAX. */
        int64_t needed = page->total / list->limit + (page->total % list->limit != 0);

        list->truncated = needed > list->max_pages;
        if (needed > list->max_pages)
            needed = list->max_pages;
        if (needed > list->planned_pages)
            list->planned_pages = needed;
        return request_planned_pages(list, error);
    }

    /* Without a total, only a full last page means more may follow. */
    if (jobs_on_page < (size_t)list->limit || page_index + 1 < list->pages_requested)
        return true;
    if (list->pages_requested >= list->max_pages) {
        list->truncated = true;
        return true;
    }
    list->planned_pages = list->pages_requested + 1;
    return request_planned_pages(list, error);
}

static bool start_pass(struct wj_list_read *list, struct wj_error *error)
{
    list->pass++;
    list->pages_requested = 0;
    list->planned_pages = 1;
    return request_planned_pages(list, error);
}

/* After a reading: reads the list again when offsets may have shifted under
 * it, that is when the total changed, an id came twice or fewer jobs came
 * than the total announced. */
static bool finish_pass(struct wj_list_read *list, struct wj_error *error)
{
    bool short_of_total = list->has_total && !list->truncated
                          && (int64_t)list->jobs.count < list->total;

    if (list->pass == 1 && (list->total_changed || list->ids_repeated || short_of_total))
        return start_pass(list, error);
    return true;
}

static bool on_page(void *context, const struct wj_response *response, struct wj_error *error)
{
    struct wj_list_read *list = context;
    struct wj_list_page page = {0};
    int64_t page_index = offset_of(response->path) / list->limit;
    size_t jobs_on_page;
    bool planned;

    list->pages_outstanding--;
    if (response->failure) {
        list->failed = true;
        return true;
    }
    if (list->failed)
        return true;

    if (!wj_parse_list_page(response->body, response->length, &page, error)) {
        if (list->best_effort) {
            list->failed = true;
            return true;
        }
        wj_error_append(error, ". Check that the URL is the Whisper API's base URL");
        wj_error_prefix(error, "listing %s jobs at offset %lld", list_name(list),
                        (long long)(page_index * list->limit));
        return false;
    }
    note_total(list, &page);

    /* A count-only read without a total falls back to reading every page. */
    if (list->count_only && list->limit == 1 && !page.has_total) {
        wj_list_page_free(&page);
        list->limit = WJ_PAGE_LIMIT;
        list->pass = 0;
        return start_pass(list, error);
    }
    if (list->count_only && page.has_total) {
        wj_list_page_free(&page);
        return true;
    }

    jobs_on_page = page.jobs.count;
    if (!merge_jobs(list, &page, error)) {
        wj_list_page_free(&page);
        return false;
    }
    planned = plan_next_pages(list, &page, page_index, jobs_on_page, error);
    wj_list_page_free(&page);
    if (!planned)
        return false;

    if (list->pages_outstanding == 0)
        return finish_pass(list, error);
    return true;
}

bool wj_list_read_start(struct wj_list_read *list, struct wj_client *client, struct wj_error *error)
{
    list->client = client;
    list->limit = list->count_only ? 1 : WJ_PAGE_LIMIT;
    if (list->max_pages < 1)
        list->max_pages = 1;

    list->seen = calloc(1, sizeof *list->seen);
    if (list->seen == NULL) {
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory reading %s jobs", list_name(list));
        return false;
    }
    return start_pass(list, error);
}

int64_t wj_list_read_count(const struct wj_list_read *list)
{
    if (list->has_total && (list->count_only || list->truncated || !list->total_changed))
        return list->total;
    return (int64_t)list->jobs.count;
}

int64_t wj_list_read_merge(struct wj_list_read *into, struct wj_list_read *from)
{
    int64_t moved = 0;
    bool out_of_memory = false;

    for (size_t i = 0; i < from->jobs.count; i++) {
        struct wj_job *job = &from->jobs.items[i];
        enum take_result result;

        if (out_of_memory) {
            wj_job_free(job);
            continue;
        }
        result = take_new_job(into, job);
        if (result == JOB_TAKEN)
            moved++;
        out_of_memory = result == JOB_NO_MEMORY;
    }
    from->jobs.count = 0;

    into->total = moved > INT64_MAX - into->total ? INT64_MAX : into->total + moved;
    into->truncated = into->truncated || from->truncated;
    return out_of_memory ? -1 : moved;
}

void wj_list_read_free(struct wj_list_read *list)
{
    wj_job_list_free(&list->jobs);
    if (list->seen) {
        free(list->seen->slots);
        free(list->seen);
        list->seen = NULL;
    }
}
