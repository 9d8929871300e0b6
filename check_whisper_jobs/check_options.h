/* Command-line options of check_whisper_jobs, parsed once into a
 * configuration that the rest of the plugin only reads. */
#ifndef CHECK_OPTIONS_H
#define CHECK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "wj_error.h"
#include "wj_judge.h"
#include "wj_state.h"

#define CHECK_DEFAULT_URL "https://api.whisper.security"
#define CHECK_DEFAULT_TIMEOUT_S 10
#define CHECK_DEFAULT_WINDOW "1h"
#define CHECK_DEFAULT_WARNING "0"
#define CHECK_DEFAULT_MAX_PAGES 100

struct check_config {
    char *url;
    char *token;              /* secret: never printed */
    char *token_origin;       /* where the key came from, safe to print */
    int timeout_s;
    struct wj_thresholds thresholds;
    char **types;
    size_t type_count;
    char *job_id;             /* single-job mode when set */
    int max_pages;
    char *cacert;
    bool insecure;
    char *proxy;
    enum wj_state unreachable_state;
    int verbosity;
};

enum check_parse_result {
    CHECK_PARSE_RUN,   /* run the check with the configuration */
    CHECK_PARSE_DONE,  /* --help or --version was printed: exit 0 */
    CHECK_PARSE_ERROR  /* error is set: exit UNKNOWN */
};

/* Parses argv into config. Overwrites the value of --token in argv so the
 * key does not stay visible in the process list longer than needed. */
enum check_parse_result check_options_parse(int argc, char **argv, struct check_config *config,
                                            struct wj_error *error);

void check_config_free(struct check_config *config);

#endif
