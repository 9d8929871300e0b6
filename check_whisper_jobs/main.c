/* check_whisper_jobs: Nagios/Icinga plugin for the Whisper Security API's
 * asynchronous jobs. Parses the options, runs one check, prints, exits with
 * the state. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_options.h"
#include "check_output.h"
#include "check_run.h"

static char alarm_message[256];
static size_t alarm_message_length;
static int alarm_exit_code;

/* Last resort when something blocks past the deadline that the HTTP client
 * enforces itself: only async-signal-safe calls here. */
static void on_alarm(int signal_number)
{
    (void)signal_number;
    if (write(STDOUT_FILENO, alarm_message, alarm_message_length) < 0)
        _exit(alarm_exit_code);
    _exit(alarm_exit_code);
}

static void arm_alarm(const struct check_config *config)
{
    struct wj_buffer line = {0};
    struct sigaction action;
    char message[128];

    snprintf(message, sizeof message, "plugin timed out after %d s. Raise -t/--timeout or check the API",
             config->timeout_s);
    check_format_error(&line, config->unreachable_state, message);
    alarm_message_length = line.length < sizeof alarm_message ? line.length : sizeof alarm_message;
    memcpy(alarm_message, wj_buffer_text(&line), alarm_message_length);
    alarm_exit_code = (int)config->unreachable_state;
    wj_buffer_free(&line);

    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, NULL);
    alarm((unsigned)config->timeout_s + 1);
}

int main(int argc, char **argv)
{
    struct check_config config;
    struct wj_error error = {0};
    struct wj_buffer out = {0};
    enum wj_state state;

    switch (check_options_parse(argc, argv, &config, &error)) {
    case CHECK_PARSE_DONE:
        check_config_free(&config);
        return 0;
    case CHECK_PARSE_ERROR:
        check_format_error(&out, WJ_STATE_UNKNOWN, error.message);
        fputs(wj_buffer_text(&out), stdout);
        wj_buffer_free(&out);
        check_config_free(&config);
        return WJ_STATE_UNKNOWN;
    case CHECK_PARSE_RUN:
        break;
    }

    arm_alarm(&config);
    state = check_run(&config, &out);
    alarm(0);

    /* check_run redacts the key from the API's texts before formatting, so
     * that the plugin's own words (a key such as "pending") stay intact. */
    if (out.failed) {
        fputs("WHISPER JOBS UNKNOWN - out of memory formatting the output\n", stdout);
        state = WJ_STATE_UNKNOWN;
    } else
        fputs(wj_buffer_text(&out), stdout);
    wj_buffer_free(&out);
    check_config_free(&config);
    return (int)state;
}
