/* Parsing of the Jobs API's JSON bodies (listJobs pages, getJob, and
 * ErrorResponse) into the job model, with jansson. Tolerant of unknown fields,
 * of null where an object or string is expected, of "jobId" versus "id" and
 * of integers sent as reals ("250.0"), but strict about what a judgement
 * needs. */
#ifndef WJ_API_JSON_H
#define WJ_API_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wj_error.h"
#include "wj_job.h"

struct wj_list_page {
    struct wj_job_list jobs;
    bool has_total;   /* false when "total" is absent or null */
    int64_t total;
};

/* Parses one listJobs page into page, which is overwritten: pass a zeroed or
 * freed one. Errors (kind WJ_ERR_RESPONSE) name what was wrong. The body may
 * be empty or not JSON (with jansson's line and column), or not an object. It
 * may have no "jobs" array, an entry that is not an object, or a "total" that
 * is negative or not an integer. API text quoted in a message is cut as
 * wj_text_excerpt does, to at most 83 bytes. Running out of memory is
 * WJ_ERR_INTERNAL. An entry's id is "jobId", or "id" when "jobId" is absent
 * or null. An entry without a string "status" is kept as WJ_STATUS_OTHER. A timestamp that cannot be parsed does not fail the page:
 * the job carries WJ_TIMESTAMP_INVALID and the judge names it. On failure the
 * page is left empty. */
bool wj_parse_list_page(const char *body, size_t length, struct wj_list_page *page,
                        struct wj_error *error);

/* Parses a getJob body into job, which is overwritten: pass a zeroed or freed
 * one. The id is "id", or "jobId" when "id" is absent or null. Errors as for
 * wj_parse_list_page; a body that is not an object with a string "status" is
 * an error too. On failure the job is left zeroed. */
bool wj_parse_job(const char *body, size_t length, struct wj_job *job, struct wj_error *error);

/* Extracts a readable message from an ErrorResponse body into buffer,
 * sanitized as wj_text_sanitize does: "message" when it is a non-empty
 * string, else "error" when it is a string, else "". Never fails: a body that
 * is not a JSON object gives "". */
void wj_parse_error_message(const char *body, size_t length, char *buffer, size_t size);

void wj_list_page_free(struct wj_list_page *page);

#endif
