#include "check_options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wj_cacert.h"
#include "wj_duration.h"
#include "wj_http.h"
#include "wj_range.h"
#include "wj_token.h"
#include "wj_version.h"

#define MAX_TIMEOUT_S 86400
#define MAX_PAGES_LIMIT 100000

enum long_only_option {
    OPT_TOKEN_FILE = 256,
    OPT_TOKEN,
    OPT_WINDOW,
    OPT_PENDING_WARNING,
    OPT_PENDING_CRITICAL,
    OPT_PROCESSING_WARNING,
    OPT_PROCESSING_CRITICAL,
    OPT_TYPE,
    OPT_MAX_PAGES,
    OPT_CACERT,
    OPT_INSECURE,
    OPT_PROXY,
    OPT_UNREACHABLE_STATE
};

static const struct option long_options[] = {
    {"url", required_argument, NULL, 'u'},
    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
    {"token", required_argument, NULL, OPT_TOKEN},
    {"timeout", required_argument, NULL, 't'},
    {"warning", required_argument, NULL, 'w'},
    {"critical", required_argument, NULL, 'c'},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"pending-warning", required_argument, NULL, OPT_PENDING_WARNING},
    {"pending-critical", required_argument, NULL, OPT_PENDING_CRITICAL},
    {"processing-warning", required_argument, NULL, OPT_PROCESSING_WARNING},
    {"processing-critical", required_argument, NULL, OPT_PROCESSING_CRITICAL},
    {"type", required_argument, NULL, OPT_TYPE},
    {"job", required_argument, NULL, 'j'},
    {"max-pages", required_argument, NULL, OPT_MAX_PAGES},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"proxy", required_argument, NULL, OPT_PROXY},
    {"unreachable-state", required_argument, NULL, OPT_UNREACHABLE_STATE},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    printf("check_whisper_jobs %s\n"
           "Checks the asynchronous jobs of the Whisper Security API: alerts on FAILED jobs\n"
           "and on jobs stuck in PENDING or PROCESSING, for Nagios, Icinga and compatibles.\n"
           "\n"
           "Usage:\n"
           "  check_whisper_jobs [--token-file FILE] [-w RANGE] [-c RANGE] [--window DURATION]\n"
           "                     [--pending-warning DURATION] [--pending-critical DURATION]\n"
           "                     [--processing-warning DURATION] [--processing-critical DURATION]\n"
           "                     [--type TYPE]... [options]\n"
           "  check_whisper_jobs --job ID [--token-file FILE] [duration thresholds] [options]\n"
           "\n"
           "API and key:\n"
           "  -u, --url URL               API base URL (default %s)\n"
           "      --token-file FILE       read the API key from the first line of FILE\n"
           "      --token KEY             the API key itself; other local users can see it in\n"
           "                              the process list, so prefer --token-file\n"
           "                              Without either, the key is read from the\n"
           "                              environment variable WHISPER_API_KEY.\n"
           "  -t, --timeout SECONDS       deadline for the whole run, retries and waits\n"
           "                              included (default %d, at least 1)\n"
           "      --cacert FILE           CA bundle (PEM) to verify the API's TLS certificate\n"
           "      --insecure              do not verify the TLS certificate (default: verify)\n"
           "      --proxy URL             HTTP(S) proxy; http_proxy, https_proxy and no_proxy\n"
           "                              from the environment apply when not given\n"
           "\n"
           "Thresholds (account mode):\n"
           "  -w, --warning RANGE         WARNING when the number of jobs that failed within\n"
           "                              the window is outside RANGE (default %s, so any\n"
           "                              failed job is a WARNING; \"~:\" never warns)\n"
           "  -c, --critical RANGE        CRITICAL when that number is outside RANGE\n"
           "                              (default: not set)\n"
           "      --window DURATION       failed jobs count when they failed within this long\n"
           "                              before now (default %s)\n"
           "      --pending-warning DURATION     WARNING when a PENDING job is older than this\n"
           "      --pending-critical DURATION    CRITICAL when a PENDING job is older than this\n"
           "      --processing-warning DURATION  WARNING when a PROCESSING job is older than this\n"
           "      --processing-critical DURATION CRITICAL when a PROCESSING job is older than this\n"
           "                              (all four default to not set: no age alerts)\n"
           "      --type TYPE             judge only jobs of this type (e.g. screenshot); may\n"
           "                              be repeated\n"
           "      --max-pages N           list pages of 100 jobs read at most per status\n"
           "                              (default %d, at least 1); a result cut short says so\n"
           "\n"
           "Single-job mode:\n"
           "  -j, --job ID                judge this one job instead of the account's lists:\n"
           "                              COMPLETED is OK, FAILED CRITICAL, CANCELLED WARNING,\n"
           "                              PENDING and PROCESSING by age against the duration\n"
           "                              thresholds above; -w, -c, --window and --type do not\n"
           "                              apply\n"
           "\n"
           "Other:\n"
           "      --unreachable-state STATE  state when the API cannot be reached or does not\n"
           "                              answer (DNS, connect, TLS, timeout, HTTP 429 or 5xx,\n"
           "                              a connection closed mid-answer):\n"
           "                              ok, warning, critical or unknown (default unknown)\n"
           "                              in any case, or 0 to 3\n"
           "  -v, --verbose               more detail on stderr; repeat for more (up to -vvv)\n"
           "  -h, --help                  print this help and exit\n"
           "  -V, --version               print the version and exit\n"
           "\n"
           "RANGE: N (alert outside 0..N), N: (below N), ~:N (above N), N:M (outside N..M),\n"
           "@N:M (inside N..M); decimals allowed, endpoints are inside the range.\n"
           "DURATION: whole seconds (90) or numbers with units s, m, h, d, combinable\n"
           "(90s, 15m, 1h30m, 2d). A job exactly at a threshold is not older than it.\n"
           "\n"
           "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n",
           WJ_VERSION_STRING, CHECK_DEFAULT_URL, CHECK_DEFAULT_TIMEOUT_S, CHECK_DEFAULT_WARNING,
           CHECK_DEFAULT_WINDOW, CHECK_DEFAULT_MAX_PAGES);
}

/* Parses a whole number in [minimum, maximum]; the message names the option. */
static bool parse_integer(const char *option, const char *text, long minimum, long maximum, int *value,
                          struct wj_error *error)
{
    char *end = NULL;
    long parsed;

    errno = 0;
    parsed = strtol(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || parsed < minimum
        || parsed > maximum) {
        wj_error_set(error, WJ_ERR_CONFIG, "%s: invalid value \"%.64s\": expected a whole number from %ld to %ld",
                     option, text, minimum, maximum);
        return false;
    }
    *value = (int)parsed;
    return true;
}

static bool parse_duration_option(const char *option, const char *text, int64_t *seconds,
                                  struct wj_error *error)
{
    if (wj_duration_parse(text, seconds, error))
        return true;
    wj_error_prefix(error, "%s", option);
    return false;
}

static bool parse_range_option(const char *option, const char *text, struct wj_range *range,
                               struct wj_error *error)
{
    if (wj_range_parse(text, range, error))
        return true;
    wj_error_prefix(error, "%s", option);
    return false;
}

static bool parse_state(const char *text, enum wj_state *state, struct wj_error *error)
{
    static const struct {
        const char *name;
        enum wj_state state;
    } names[] = {
        {"ok", WJ_STATE_OK},           {"0", WJ_STATE_OK},
        {"warning", WJ_STATE_WARNING}, {"1", WJ_STATE_WARNING},
        {"critical", WJ_STATE_CRITICAL}, {"2", WJ_STATE_CRITICAL},
        {"unknown", WJ_STATE_UNKNOWN}, {"3", WJ_STATE_UNKNOWN},
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(text, names[i].name) == 0) {
            *state = names[i].state;
            return true;
        }
    }
    wj_error_set(error, WJ_ERR_CONFIG,
                 "--unreachable-state: invalid value \"%.64s\": expected ok, warning, critical or unknown", text);
    return false;
}

static bool replace_string(char **target, const char *value, struct wj_error *error)
{
    char *copy = strdup(value);

    if (copy == NULL) {
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory reading the options");
        return false;
    }
    free(*target);
    *target = copy;
    return true;
}

static bool add_type(struct check_config *config, const char *type, struct wj_error *error)
{
    char **grown;

    if (type[0] == '\0') {
        wj_error_set(error, WJ_ERR_CONFIG, "--type: invalid empty value: give a job type such as screenshot");
        return false;
    }
    grown = realloc(config->types, (config->type_count + 1) * sizeof *grown);
    if (grown == NULL) {
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory reading the options");
        return false;
    }
    config->types = grown;
    config->types[config->type_count] = NULL;
    if (!replace_string(&config->types[config->type_count], type, error))
        return false;
    config->type_count++;
    return true;
}


/* Option values kept until every option is seen, because the key's source
 * and the thresholds are settled only then. */
struct raw_options {
    const char *token_file;
    const char *token;        /* non-NULL when --token was given; the key is in config */
    const char *warning;
    const char *critical;
    const char *window;
};

static bool resolve_token(const struct raw_options *raw, struct check_config *config, struct wj_error *error)
{
    const char *environment = getenv("WHISPER_API_KEY");
    const char *problem;
    const char *origin;

    if (raw->token_file && raw->token) {
        wj_error_set(error, WJ_ERR_CONFIG, "both --token and --token-file were given. Use only one of them");
        return false;
    }

    if (raw->token_file) {
        if (!wj_token_read_file(raw->token_file, &config->token, error))
            return false;
        origin = "--token-file";
    } else if (raw->token) {
        origin = "--token";
    } else if (environment && environment[0]) {
        if (!replace_string(&config->token, environment, error))
            return false;
        origin = "WHISPER_API_KEY";
    } else {
        wj_error_set(error, WJ_ERR_CONFIG,
                     "no API key: give --token-file FILE, --token KEY, or set the environment variable WHISPER_API_KEY");
        return false;
    }

    problem = wj_token_problem(config->token);
    if (problem) {
        wj_error_set(error, WJ_ERR_CONFIG, "invalid API key from %s: %s", origin, problem);
        return false;
    }
    return replace_string(&config->token_origin, raw->token_file ? raw->token_file : origin, error);
}

static bool resolve_thresholds(const struct raw_options *raw, struct check_config *config,
                               struct wj_error *error)
{
    struct wj_thresholds *thresholds = &config->thresholds;

    if (!parse_range_option("-w/--warning", raw->warning ? raw->warning : CHECK_DEFAULT_WARNING,
                            &thresholds->failed_warning, error))
        return false;
    if (raw->critical && !parse_range_option("-c/--critical", raw->critical, &thresholds->failed_critical, error))
        return false;
    if (!parse_duration_option("--window", raw->window ? raw->window : CHECK_DEFAULT_WINDOW,
                               &thresholds->window_s, error))
        return false;
    if (thresholds->window_s < 1) {
        wj_error_set(error, WJ_ERR_CONFIG, "--window: invalid value \"%.64s\": expected a duration of at least 1s",
                     raw->window);
        return false;
    }
    return true;
}

static bool validate_url(const char *url, struct wj_error *error)
{
    if (wj_url_validate(url, error))
        return true;
    wj_error_prefix(error, "-u/--url");
    return false;
}

static void set_defaults(struct check_config *config)
{
    memset(config, 0, sizeof *config);
    config->timeout_s = CHECK_DEFAULT_TIMEOUT_S;
    config->max_pages = CHECK_DEFAULT_MAX_PAGES;
    config->unreachable_state = WJ_STATE_UNKNOWN;
    config->thresholds.pending_warning_s = WJ_THRESHOLD_UNSET;
    config->thresholds.pending_critical_s = WJ_THRESHOLD_UNSET;
    config->thresholds.processing_warning_s = WJ_THRESHOLD_UNSET;
    config->thresholds.processing_critical_s = WJ_THRESHOLD_UNSET;
}

/* Handles one option; returns false with error set on an invalid value. */
static bool apply_option(int option, char *value, struct raw_options *raw, struct check_config *config,
                         struct wj_error *error)
{
    struct wj_thresholds *thresholds = &config->thresholds;

    switch (option) {
    case 'u':
        return validate_url(value, error) && replace_string(&config->url, value, error);
    case OPT_TOKEN_FILE:
        raw->token_file = value;
        return true;
    case OPT_TOKEN:
        /* Copy the key, then hide it from anyone reading /proc/PID/cmdline. */
        raw->token = "given";
        if (!replace_string(&config->token, value, error))
            return false;
        memset(value, 'x', strlen(value));
        return true;
    case 't':
        return parse_integer("-t/--timeout", value, 1, MAX_TIMEOUT_S, &config->timeout_s, error);
    case 'w':
        raw->warning = value;
        return true;
    case 'c':
        raw->critical = value;
        return true;
    case OPT_WINDOW:
        raw->window = value;
        return true;
    case OPT_PENDING_WARNING:
        return parse_duration_option("--pending-warning", value, &thresholds->pending_warning_s, error);
    case OPT_PENDING_CRITICAL:
        return parse_duration_option("--pending-critical", value, &thresholds->pending_critical_s, error);
    case OPT_PROCESSING_WARNING:
        return parse_duration_option("--processing-warning", value, &thresholds->processing_warning_s, error);
    case OPT_PROCESSING_CRITICAL:
        return parse_duration_option("--processing-critical", value, &thresholds->processing_critical_s, error);
    case OPT_TYPE:
        return add_type(config, value, error);
    case 'j':
        if (value[0] == '\0') {
            wj_error_set(error, WJ_ERR_CONFIG, "-j/--job: invalid empty value: give the job ID");
            return false;
        }
        return replace_string(&config->job_id, value, error);
    case OPT_MAX_PAGES:
        return parse_integer("--max-pages", value, 1, MAX_PAGES_LIMIT, &config->max_pages, error);
    case OPT_CACERT:
        return replace_string(&config->cacert, value, error);
    case OPT_INSECURE:
        config->insecure = true;
        return true;
    case OPT_PROXY:
        return replace_string(&config->proxy, value, error);
    case OPT_UNREACHABLE_STATE:
        return parse_state(value, &config->unreachable_state, error);
    case 'v':
        config->verbosity++;
        return true;
    default:
        return false;
    }
}

/* The CA bundle and the proxy are checked here, so that a wrong value is a
 * configuration error (always UNKNOWN) rather than a failure to reach the
 * API, which --unreachable-state may map to OK. */
static bool check_transport(const struct check_config *config, struct wj_error *error)
{
    if (config->cacert && !wj_cacert_check(config->cacert, error)) {
        wj_error_prefix(error, "--cacert");
        return false;
    }
    if (config->proxy && !wj_proxy_validate(config->proxy, error)) {
        wj_error_prefix(error, "--proxy");
        return false;
    }
    return true;
}

/* Describes what getopt_long rejected: a missing value, a value given to an
 * option that takes none ("--help=x"), or an unknown or ambiguous name. */
static void report_bad_option(int option, const char *given, struct wj_error *error)
{
    if (option == ':')
        wj_error_set(error, WJ_ERR_CONFIG, "option %.64s needs a value. See --help", given);
    else if (optopt != 0 && strncmp(given, "--", 2) == 0 && strchr(given, '=') != NULL)
        wj_error_set(error, WJ_ERR_CONFIG, "option %.64s takes no value. See --help", given);
    else
        wj_error_set(error, WJ_ERR_CONFIG, "unknown or ambiguous option %.64s. See --help", given);
}

enum check_parse_result check_options_parse(int argc, char **argv, struct check_config *config,
                                            struct wj_error *error)
{
    struct raw_options raw = {0};
    int option;

    set_defaults(config);
    opterr = 0;
    optind = 1;

    while ((option = getopt_long(argc, argv, ":u:t:w:c:j:vhV", long_options, NULL)) != -1) {
        if (option == 'h') {
            print_help();
            return CHECK_PARSE_DONE;
        }
        if (option == 'V') {
            printf("check_whisper_jobs %s\n", WJ_VERSION_STRING);
            return CHECK_PARSE_DONE;
        }
        if (option == '?' || option == ':') {
            report_bad_option(option, argv[optind - 1], error);
            return CHECK_PARSE_ERROR;
        }
        if (!apply_option(option, optarg, &raw, config, error))
            return CHECK_PARSE_ERROR;
    }

    if (optind < argc) {
        wj_error_set(error, WJ_ERR_CONFIG, "unexpected argument \"%.64s\". See --help", argv[optind]);
        return CHECK_PARSE_ERROR;
    }

    if (config->url == NULL && !replace_string(&config->url, CHECK_DEFAULT_URL, error))
        return CHECK_PARSE_ERROR;
    if (!resolve_thresholds(&raw, config, error) || !resolve_token(&raw, config, error)
        || !check_transport(config, error))
        return CHECK_PARSE_ERROR;

    return CHECK_PARSE_RUN;
}

void check_config_free(struct check_config *config)
{
    free(config->url);
    wj_token_free(config->token);
    free(config->token_origin);
    for (size_t i = 0; i < config->type_count; i++)
        free(config->types[i]);
    free(config->types);
    free(config->job_id);
    free(config->cacert);
    free(config->proxy);
    memset(config, 0, sizeof *config);
}
