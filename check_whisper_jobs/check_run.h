/* The two modes of check_whisper_jobs: fetch, judge and format. */
#ifndef CHECK_RUN_H
#define CHECK_RUN_H

#include "check_options.h"
#include "wj_buffer.h"
#include "wj_state.h"

/* Runs the check described by config, writes the plugin output to out and
 * returns the state, which is also the exit code. */
enum wj_state check_run(const struct check_config *config, struct wj_buffer *out);

#endif
