#include "wj_api_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "wj_text.h"
#include "wj_timestamp.h"

/* Above 2^53 a double cannot distinguish neighbouring integers, so a larger
 * real is not trusted as a count. */
#define MAX_EXACT_REAL 9007199254740992.0

static const char *type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "an unknown JSON type";
}

/* Writes value as compact JSON, cut and sanitized for an error message. */
static void excerpt_json(char *buffer, size_t size, const json_t *value)
{
    char *dumped = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);

    wj_text_excerpt(buffer, size, dumped ? dumped : type_name(value));
    free(dumped);
}

static json_t *load_body(const char *body, size_t length, struct wj_error *error)
{
    char reason[WJ_TEXT_EXCERPT_SIZE];
    json_error_t parse_error;
    json_t *root;

    if (body == NULL || length == 0) {
        wj_error_set(error, WJ_ERR_RESPONSE, "response is not JSON: the body is empty");
        return NULL;
    }

    /* Flags 0: duplicate keys are allowed (the last one wins), and the top
     * level must be an object or an array. */
    root = json_loadb(body, length, 0, &parse_error);
    if (root == NULL) {
        wj_text_excerpt(reason, sizeof reason, parse_error.text);
        wj_error_set(error, WJ_ERR_RESPONSE, "response is not JSON: %s at line %d column %d",
                     reason, parse_error.line, parse_error.column);
    }
    return root;
}

static bool is_absent(const json_t *value)
{
    return value == NULL || json_is_null(value);
}

static char *copy_string(const json_t *value)
{
    return strdup(json_is_string(value) ? json_string_value(value) : "");
}

/* Reads the id from the first of the two keys that is present and not null. */
static char *copy_id(const json_t *object, const char *key, const char *fallback_key)
{
    const json_t *value = json_object_get(object, key);

    if (is_absent(value))
        value = json_object_get(object, fallback_key);
    return copy_string(value);
}

static void read_timestamp(const json_t *object, const char *key, struct wj_timestamp_field *field)
{
    const json_t *value = json_object_get(object, key);

    field->epoch_ms = 0;
    field->invalid_text = NULL;
    if (is_absent(value)) {
        field->state = WJ_TIMESTAMP_MISSING;
        return;
    }

    if (json_is_string(value) && wj_timestamp_parse(json_string_value(value), &field->epoch_ms)) {
        field->state = WJ_TIMESTAMP_VALID;
        return;
    }
    field->state = WJ_TIMESTAMP_INVALID;
    /* Kept only to be quoted in messages, so out of memory just leaves it out. */
    if (json_is_string(value))
        field->invalid_text = strdup(json_string_value(value));
}

/* Reads the job's error object. Only an object is read: null, a missing key
 * or any other type leaves code and message "". */
static void read_job_error(const json_t *object, struct wj_job *job)
{
    const json_t *job_error = json_object_get(object, "error");

    if (!json_is_object(job_error))
        job_error = NULL;

    job->error_code = copy_string(json_object_get(job_error, "code"));
    job->error_message = copy_string(json_object_get(job_error, "message"));
}

static bool all_strings_copied(const struct wj_job *job)
{
    return job->id && job->type && job->status_text && job->error_code && job->error_message;
}

/* Fills job from one JSON object. A status that is missing or not a string
 * gives status_text "" and WJ_STATUS_OTHER. */
static bool read_job(const json_t *object, const char *id_key, const char *fallback_id_key,
                     struct wj_job *job, struct wj_error *error)
{
    const json_t *status = json_object_get(object, "status");

    memset(job, 0, sizeof *job);
    job->id = copy_id(object, id_key, fallback_id_key);
    job->type = copy_string(json_object_get(object, "type"));
    job->status_text = copy_string(status);
    job->status = wj_status_from_text(json_is_string(status) ? json_string_value(status) : NULL);
    read_timestamp(object, "createdAt", &job->created_at);
    read_timestamp(object, "completedAt", &job->completed_at);
    read_job_error(object, job);

    if (!all_strings_copied(job)) {
        wj_job_free(job);
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory while reading a job");
        return false;
    }
    return true;
}

/* Accepts an integer, or a real with no fraction ("250.0"), from 0 up. */
static bool read_total(const json_t *root, struct wj_list_page *page, struct wj_error *error)
{
    const json_t *total = json_object_get(root, "total");
    char got[WJ_TEXT_EXCERPT_SIZE];

    if (is_absent(total))
        return true;

    if (json_is_integer(total) && json_integer_value(total) >= 0) {
        page->total = (int64_t)json_integer_value(total);
        page->has_total = true;
        return true;
    }

    if (json_is_real(total)) {
        double value = json_real_value(total);

        if (value >= 0 && value <= MAX_EXACT_REAL && value == (double)(int64_t)value) {
            page->total = (int64_t)value;
            page->has_total = true;
            return true;
        }
    }

    excerpt_json(got, sizeof got, total);
    wj_error_set(error, WJ_ERR_RESPONSE, "\"total\" is not a non-negative integer (got %s)", got);
    return false;
}

static bool read_jobs(const json_t *root, struct wj_list_page *page, struct wj_error *error)
{
    const json_t *jobs = json_object_get(root, "jobs");
    const json_t *entry;
    size_t index;

    if (jobs == NULL) {
        wj_error_set(error, WJ_ERR_RESPONSE, "list page has no \"jobs\" array");
        return false;
    }
    if (!json_is_array(jobs)) {
        wj_error_set(error, WJ_ERR_RESPONSE, "list page has no \"jobs\" array (\"jobs\" is %s)",
                     type_name(jobs));
        return false;
    }

    json_array_foreach(jobs, index, entry) {
        struct wj_job job;

        if (!json_is_object(entry)) {
            wj_error_set(error, WJ_ERR_RESPONSE, "jobs[%zu] is not an object (got %s)", index,
                         type_name(entry));
            return false;
        }
        if (!read_job(entry, "jobId", "id", &job, error))
            return false;
        if (!wj_job_list_take(&page->jobs, &job)) {
            wj_error_set(error, WJ_ERR_INTERNAL, "out of memory while reading the job list");
            return false;
        }
    }
    return true;
}

bool wj_parse_list_page(const char *body, size_t length, struct wj_list_page *page,
                        struct wj_error *error)
{
    json_t *root;
    bool ok;

    memset(page, 0, sizeof *page);
    root = load_body(body, length, error);
    if (root == NULL)
        return false;

    if (!json_is_object(root)) {
        wj_error_set(error, WJ_ERR_RESPONSE, "list page is not a JSON object (got %s)",
                     type_name(root));
        json_decref(root);
        return false;
    }

    ok = read_total(root, page, error) && read_jobs(root, page, error);
    json_decref(root);

    if (!ok)
        wj_list_page_free(page);
    return ok;
}

/* getJob must name a status: without one there is nothing to judge. */
static bool has_status_string(const json_t *root, struct wj_error *error)
{
    const json_t *status = json_object_get(root, "status");

    if (json_is_string(status))
        return true;

    if (status == NULL)
        wj_error_set(error, WJ_ERR_RESPONSE, "job response has no \"status\" string");
    else
        wj_error_set(error, WJ_ERR_RESPONSE,
                     "job response has no \"status\" string (\"status\" is %s)", type_name(status));
    return false;
}

bool wj_parse_job(const char *body, size_t length, struct wj_job *job, struct wj_error *error)
{
    json_t *root;
    bool ok;

    memset(job, 0, sizeof *job);
    root = load_body(body, length, error);
    if (root == NULL)
        return false;

    if (!json_is_object(root)) {
        wj_error_set(error, WJ_ERR_RESPONSE, "job response is not a JSON object (got %s)",
                     type_name(root));
        json_decref(root);
        return false;
    }

    ok = has_status_string(root, error) && read_job(root, "id", "jobId", job, error);
    json_decref(root);
    return ok;
}

static const char *first_nonempty_string(const json_t *object, const char *key,
                                         const char *fallback_key)
{
    const json_t *value = json_object_get(object, key);

    if (json_is_string(value) && json_string_length(value) > 0)
        return json_string_value(value);

    value = json_object_get(object, fallback_key);
    if (json_is_string(value))
        return json_string_value(value);
    return "";
}

void wj_parse_error_message(const char *body, size_t length, char *buffer, size_t size)
{
    json_t *root = NULL;

    if (buffer == NULL || size == 0)
        return;
    buffer[0] = '\0';

    if (body != NULL && length > 0)
        root = json_loadb(body, length, 0, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }

    wj_text_sanitize(buffer, size, first_nonempty_string(root, "message", "error"));
    json_decref(root);
}

void wj_list_page_free(struct wj_list_page *page)
{
    if (page == NULL)
        return;

    wj_job_list_free(&page->jobs);
    page->has_total = false;
    page->total = 0;
}
