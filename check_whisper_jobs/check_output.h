/* Plugin output of check_whisper_jobs: the first line (state, summary and
 * performance data) and the long output listing the jobs behind a WARNING
 * or CRITICAL. Text from the API is sanitized so it cannot split either. */
#ifndef CHECK_OUTPUT_H
#define CHECK_OUTPUT_H

#include "check_options.h"
#include "wj_buffer.h"
#include "wj_judge.h"

void check_format_account(struct wj_buffer *out, const struct check_config *config,
                          const struct wj_account_judgement *judgement);

void check_format_job(struct wj_buffer *out, const struct wj_job *job, const struct wj_job_judgement *judgement);

/* A one-line result for a run that reached no judgement. */
void check_format_error(struct wj_buffer *out, enum wj_state state, const char *message);

#endif
