#include "check_output.h"

#include <stdio.h>
#include <string.h>

#include "wj_duration.h"
#include "wj_number.h"
#include "wj_perfdata.h"
#include "wj_text.h"

#define MAX_LISTED_JOBS 20
#define MAX_LISTED_MESSAGE_BYTES 200

static void append_duration(struct wj_buffer *out, int64_t seconds)
{
    char text[32];

    wj_duration_format(text, sizeof text, seconds);
    wj_buffer_append_string(out, text);
}

/* A job created after "now" (clock skew) reads as age 0. */
static void append_age(struct wj_buffer *out, int64_t age_ms)
{
    append_duration(out, age_ms > 0 ? age_ms / 1000 : 0);
}

/* Appends API text cut to at most max_bytes, so that long error messages
 * do not dominate the long output. Ids and types are not cut. */
static void append_sanitized_cut(struct wj_buffer *out, const char *text, size_t max_bytes)
{
    char safe[WJ_ERROR_MESSAGE_SIZE];

    if (max_bytes + 1 > sizeof safe)
        max_bytes = sizeof safe - 1;
    wj_text_sanitize(safe, max_bytes + 1, text);
    wj_buffer_append_string(out, safe);
}

static void append_sanitized(struct wj_buffer *out, const char *text)
{
    append_sanitized_cut(out, text, WJ_ERROR_MESSAGE_SIZE - 1);
}

/* Appends why a timestamp the judgement needs could not be used, quoting
 * the value sent so the user can report it. */
static void append_timestamp_problem(struct wj_buffer *out, const char *name, const struct wj_timestamp_field *field)
{
    char quoted[WJ_TEXT_EXCERPT_SIZE];

    if (field->state == WJ_TIMESTAMP_MISSING)
        wj_buffer_printf(out, "%s is missing", name);
    else if (field->invalid_text)
        wj_buffer_printf(out, "%s \"%s\" is not a valid ISO 8601 timestamp", name,
                         wj_text_excerpt(quoted, sizeof quoted, field->invalid_text));
    else
        wj_buffer_printf(out, "%s is not a timestamp string", name);
}

static void append_state_mark(struct wj_buffer *out, enum wj_state state)
{
    if (state != WJ_STATE_OK)
        wj_buffer_printf(out, " [%s]", wj_state_name(state));
}

/* Threshold in seconds as perfdata text, "" when unset. */
static const char *threshold_text(char *buffer, size_t size, int64_t seconds)
{
    if (seconds == WJ_THRESHOLD_UNSET)
        return "";
    snprintf(buffer, size, "%lld", (long long)seconds);
    return buffer;
}

static void append_active_summary(struct wj_buffer *out, const char *status, int64_t count, int64_t oldest_ms,
                                  int64_t stuck, enum wj_state state)
{
    wj_buffer_printf(out, ", %lld %s", (long long)count, status);
    if (count > 0 && oldest_ms > 0) {
        wj_buffer_append_string(out, " (oldest ");
        append_age(out, oldest_ms);
        if (stuck > 0)
            wj_buffer_printf(out, ", %lld stuck", (long long)stuck);
        wj_buffer_append_string(out, ")");
    }
    append_state_mark(out, state);
}

static void append_account_summary(struct wj_buffer *out, const struct check_config *config,
                                   const struct wj_account_judgement *judgement)
{
    wj_buffer_printf(out, "%lld failed in the last ", (long long)judgement->failed);
    append_duration(out, config->thresholds.window_s);
    append_state_mark(out, judgement->failed_state);

    append_active_summary(out, "pending", judgement->pending, judgement->oldest_pending_ms,
                          judgement->stuck_pending, judgement->pending_state);
    append_active_summary(out, "processing", judgement->processing, judgement->oldest_processing_ms,
                          judgement->stuck_processing, judgement->processing_state);

    if (judgement->other > 0)
        wj_buffer_printf(out, ", %lld with a status this plugin does not know", (long long)judgement->other);
    if (judgement->bad_timestamps > 0)
        wj_buffer_printf(out, ", %lld with a missing or invalid timestamp [UNKNOWN]",
                         (long long)judgement->bad_timestamps);
    if (config->type_count > 0) {
        wj_buffer_append_string(out, ", types ");
        for (size_t i = 0; i < config->type_count; i++) {
            if (i > 0)
                wj_buffer_append_string(out, ",");
            append_sanitized(out, config->types[i]);
        }
    }
    if (judgement->truncated)
        wj_buffer_printf(out, ". Lists cut at --max-pages %d, so counts may be incomplete", config->max_pages);
}

static void append_account_perfdata(struct wj_buffer *out, const struct check_config *config,
                                    const struct wj_account_judgement *judgement)
{
    const struct wj_thresholds *thresholds = &config->thresholds;
    char warning[32];
    char critical[32];

    /* Each item brings its own leading space. */
    wj_buffer_append_string(out, " |");

    wj_perfdata_append(out, "failed", (double)judgement->failed, NULL, thresholds->failed_warning.text,
                       thresholds->failed_critical.is_set ? thresholds->failed_critical.text : NULL, true, 0);
    wj_perfdata_append(out, "pending", (double)judgement->pending, NULL, NULL, NULL, true, 0);
    wj_perfdata_append(out, "processing", (double)judgement->processing, NULL, NULL, NULL, true, 0);
    wj_perfdata_append(out, "stuck_pending", (double)judgement->stuck_pending, NULL, NULL, NULL, true, 0);
    wj_perfdata_append(out, "stuck_processing", (double)judgement->stuck_processing, NULL, NULL, NULL, true, 0);
    wj_perfdata_append(out, "oldest_pending_age", (double)judgement->oldest_pending_ms / 1000.0, "s",
                       threshold_text(warning, sizeof warning, thresholds->pending_warning_s),
                       threshold_text(critical, sizeof critical, thresholds->pending_critical_s), true, 0);
    wj_perfdata_append(out, "oldest_processing_age", (double)judgement->oldest_processing_ms / 1000.0, "s",
                       threshold_text(warning, sizeof warning, thresholds->processing_warning_s),
                       threshold_text(critical, sizeof critical, thresholds->processing_critical_s), true, 0);
    wj_perfdata_append(out, "other", (double)judgement->other, NULL, NULL, NULL, true, 0);
}

/* One long-output line: state, job id, type, status, age, and the error of
 * a failed job. */
static void append_job_line(struct wj_buffer *out, enum wj_state state, const struct wj_job *job, bool has_age,
                            int64_t age_ms, int64_t now_ms, const char *bad_timestamp)
{
    wj_buffer_printf(out, "\n%s: job ", wj_state_name(state));
    append_sanitized(out, job->id[0] ? job->id : "(no id)");
    wj_buffer_append_string(out, ", type ");
    append_sanitized(out, job->type[0] ? job->type : "(none)");
    wj_buffer_append_string(out, ", ");
    append_sanitized(out, job->status_text[0] ? job->status_text : "(no status)");
    if (has_age) {
        wj_buffer_append_string(out, ", age ");
        append_age(out, age_ms);
    }
    if (job->status == WJ_STATUS_FAILED && job->completed_at.state == WJ_TIMESTAMP_VALID) {
        wj_buffer_append_string(out, ", failed ");
        append_age(out, now_ms - job->completed_at.epoch_ms);
        wj_buffer_append_string(out, " ago");
    }
    if (job->status == WJ_STATUS_FAILED) {
        wj_buffer_append_string(out, ", error ");
        append_sanitized(out, job->error_code[0] ? job->error_code : "(no code)");
        wj_buffer_append_string(out, ": ");
        append_sanitized_cut(out, job->error_message[0] ? job->error_message : "(no message)",
                             MAX_LISTED_MESSAGE_BYTES);
    }
    if (bad_timestamp) {
        wj_buffer_append_string(out, ", ");
        append_timestamp_problem(out, bad_timestamp,
                                 strcmp(bad_timestamp, "createdAt") == 0 ? &job->created_at : &job->completed_at);
    }
}

static void append_findings(struct wj_buffer *out, const struct wj_account_judgement *judgement)
{
    size_t listed = judgement->finding_count < MAX_LISTED_JOBS ? judgement->finding_count : MAX_LISTED_JOBS;

    for (size_t i = 0; i < listed; i++) {
        const struct wj_finding *finding = &judgement->findings[i];
        const char *bad_timestamp = finding->reason == WJ_FINDING_BAD_TIMESTAMP ? finding->field : NULL;

        append_job_line(out, finding->state, finding->job, finding->has_age, finding->age_ms, judgement->now_ms,
                        bad_timestamp);
    }
    if (judgement->finding_count > listed)
        wj_buffer_printf(out, "\n... and %zu more", judgement->finding_count - listed);
}

void check_format_account(struct wj_buffer *out, const struct check_config *config,
                          const struct wj_account_judgement *judgement)
{
    wj_buffer_printf(out, "WHISPER JOBS %s - ", wj_state_name(judgement->state));
    append_account_summary(out, config, judgement);
    append_account_perfdata(out, config, judgement);
    append_findings(out, judgement);
    wj_buffer_append_string(out, "\n");
}

void check_format_job(struct wj_buffer *out, const struct wj_job *job, const struct wj_job_judgement *judgement)
{
    char warning[32];
    char critical[32];

    wj_buffer_printf(out, "WHISPER JOBS %s - job ", wj_state_name(judgement->state));
    append_sanitized(out, job->id[0] ? job->id : "(no id)");
    wj_buffer_append_string(out, " (");
    append_sanitized(out, job->type[0] ? job->type : "no type");
    wj_buffer_append_string(out, ") is ");
    append_sanitized(out, job->status_text[0] ? job->status_text : "without status");

    if (job->status == WJ_STATUS_FAILED) {
        wj_buffer_append_string(out, ", error ");
        append_sanitized(out, job->error_code[0] ? job->error_code : "(no code)");
        wj_buffer_append_string(out, ": ");
        append_sanitized(out, job->error_message[0] ? job->error_message : "(no message)");
    } else if (judgement->has_age) {
        wj_buffer_append_string(out, ", created ");
        append_age(out, judgement->age_ms);
        wj_buffer_append_string(out, " ago");
    }
    if (judgement->bad_timestamp) {
        wj_buffer_append_string(out, ", ");
        append_timestamp_problem(out, judgement->bad_timestamp, &job->created_at);
    } else if (judgement->problem) {
        wj_buffer_append_string(out, ", ");
        wj_buffer_append_string(out, judgement->problem);
    }

    if (judgement->has_age) {
        wj_buffer_append_string(out, " |");
        /* A job created after "now" (clock skew) reads as age 0, never below
         * the perfdata minimum. */
        wj_perfdata_append(out, "age", judgement->age_ms > 0 ? (double)judgement->age_ms / 1000.0 : 0.0, "s",
                           threshold_text(warning, sizeof warning, judgement->warning_s),
                           threshold_text(critical, sizeof critical, judgement->critical_s), true, 0);
    }
    if (judgement->state == WJ_STATE_WARNING || judgement->state == WJ_STATE_CRITICAL)
        append_job_line(out, judgement->state, job, judgement->has_age, judgement->age_ms, judgement->now_ms, NULL);
    wj_buffer_append_string(out, "\n");
}

void check_format_error(struct wj_buffer *out, enum wj_state state, const char *message)
{
    wj_buffer_printf(out, "WHISPER JOBS %s - ", wj_state_name(state));
    append_sanitized(out, message);
    wj_buffer_append_string(out, "\n");
}
