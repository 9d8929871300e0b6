#include "wjc_config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wj_cacert.h"
#include "wj_http.h"
#include "wj_token.h"

#define MAX_VERBOSITY 3
#define MAX_SECONDS (86400.0 * 365)

/* Parsing state of one <Account> block: the account, and the settings that
 * are resolved only once every key is read. */
struct account_parse {
    struct wjc_account *account;
    char *token_file;
    bool interval_given;
    bool timeout_given;
};

static void config_error(const char *account, const char *key, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Logs "whisper_jobs plugin: account "NAME", key KEY: MESSAGE". */
static void config_error(const char *account, const char *key, const char *format, ...)
{
    char message[768];
    va_list args;

    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);

    if (key)
        ERROR(WJC_PLUGIN_NAME " plugin: account \"%s\", key %s: %s", account, key, message);
    else
        ERROR(WJC_PLUGIN_NAME " plugin: account \"%s\": %s", account, message);
}

/* Reads a number of seconds in [minimum, MAX_SECONDS], or in (minimum,
 * MAX_SECONDS] when minimum_inclusive is false. */
static int read_seconds(const struct account_parse *parse, const oconfig_item_t *item, double minimum,
                        bool minimum_inclusive, double *seconds)
{
    double value;
    bool too_small;

    if (cf_util_get_double(item, &value) != 0) {
        config_error(parse->account->name, item->key, "expected one number of seconds");
        return -1;
    }
    too_small = minimum_inclusive ? value < minimum : value <= minimum;
    if (!isfinite(value) || too_small || value > MAX_SECONDS) {
        config_error(parse->account->name, item->key,
                     "%.15g is out of range; give a number of seconds %s %g and at most %.0f (a year)", value,
                     minimum_inclusive ? "of at least" : "above", minimum, MAX_SECONDS);
        return -1;
    }
    *seconds = value;
    return 0;
}

/* Reads a whole number in [minimum, maximum]. */
static int read_whole_number(const struct account_parse *parse, const oconfig_item_t *item, int minimum,
                             int maximum, int *number)
{
    double value;

    if (cf_util_get_double(item, &value) != 0) {
        config_error(parse->account->name, item->key, "expected one whole number");
        return -1;
    }
    if (!isfinite(value) || value != floor(value) || value < minimum || value > maximum) {
        config_error(parse->account->name, item->key, "%.15g is invalid; give a whole number from %d to %d", value,
                     minimum, maximum);
        return -1;
    }
    *number = (int)value;
    return 0;
}

/* Reads a non-empty string into *target, replacing what was there. */
static int read_string(const struct account_parse *parse, const oconfig_item_t *item, char **target)
{
    char *value = NULL;

    if (cf_util_get_string(item, &value) != 0) {
        config_error(parse->account->name, item->key, "expected one string in double quotes");
        return -1;
    }
    if (value[0] == '\0') {
        free(value);
        config_error(parse->account->name, item->key, "the value is empty");
        return -1;
    }
    free(*target);
    *target = value;
    return 0;
}

static int parse_url(struct account_parse *parse, const oconfig_item_t *item)
{
    char **url = &parse->account->url;
    struct wj_error error = {0};

    if (read_string(parse, item, url) != 0)
        return -1;
    /* The same check wj_client_new makes, here so that a bad URL fails the
     * configuration instead of every read. */
    if (!wj_url_validate(*url, &error)) {
        config_error(parse->account->name, item->key, "%s", error.message);
        return -1;
    }
    return 0;
}

static int parse_token(struct account_parse *parse, const oconfig_item_t *item)
{
    char *token = NULL;

    /* read_string is not used, so that no message can ever quote the key. */
    if (cf_util_get_string(item, &token) != 0) {
        config_error(parse->account->name, item->key, "expected the API key as one string in double quotes");
        return -1;
    }
    wj_token_free(parse->account->token);
    parse->account->token = token;
    return 0;
}

static int parse_token_file(struct account_parse *parse, const oconfig_item_t *item)
{
    return read_string(parse, item, &parse->token_file);
}

static int parse_interval(struct account_parse *parse, const oconfig_item_t *item)
{
    double seconds;

    if (read_seconds(parse, item, 0.0, false, &seconds) != 0)
        return -1;
    parse->account->interval = DOUBLE_TO_CDTIME_T(seconds);
    parse->interval_given = true;
    return 0;
}

static int parse_timeout(struct account_parse *parse, const oconfig_item_t *item)
{
    double seconds;

    if (read_seconds(parse, item, 0.0, false, &seconds) != 0)
        return -1;
    parse->account->timeout_ms = (int64_t)ceil(seconds * 1000.0);
    parse->timeout_given = true;
    return 0;
}

static int parse_stuck_after(struct account_parse *parse, const oconfig_item_t *item)
{
    double seconds;

    if (read_seconds(parse, item, 0.0, true, &seconds) != 0)
        return -1;
    parse->account->stuck_after_ms = (int64_t)llround(seconds * 1000.0);
    return 0;
}

static int parse_type(struct account_parse *parse, const oconfig_item_t *item)
{
    struct wjc_account *account = parse->account;
    char *type = NULL;
    char **grown;

    if (read_string(parse, item, &type) != 0)
        return -1;

    grown = realloc(account->types, (account->type_count + 1) * sizeof *grown);
    if (grown == NULL) {
        free(type);
        config_error(account->name, item->key, "out of memory");
        return -1;
    }
    account->types = grown;
    account->types[account->type_count++] = type;
    return 0;
}

static int parse_cacert(struct account_parse *parse, const oconfig_item_t *item)
{
    char **cacert = &parse->account->cacert;
    struct wj_error error = {0};

    if (read_string(parse, item, cacert) != 0)
        return -1;
    if (!wj_cacert_check(*cacert, &error)) {
        config_error(parse->account->name, item->key, "%s", error.message);
        return -1;
    }
    return 0;
}

static int parse_verify_peer(struct account_parse *parse, const oconfig_item_t *item)
{
    if (cf_util_get_boolean(item, &parse->account->verify_peer) != 0) {
        config_error(parse->account->name, item->key, "expected true or false");
        return -1;
    }
    return 0;
}

static int parse_proxy(struct account_parse *parse, const oconfig_item_t *item)
{
    char *proxy = NULL;
    struct wj_error error = {0};

    /* An empty string is allowed: curl then uses no proxy at all, even when
     * the proxy environment variables are set. */
    if (cf_util_get_string(item, &proxy) != 0) {
        config_error(parse->account->name, item->key, "expected one string in double quotes");
        return -1;
    }
    if (!wj_proxy_validate(proxy, &error)) {
        config_error(parse->account->name, item->key, "%s", error.message);
        free(proxy);
        return -1;
    }
    free(parse->account->proxy);
    parse->account->proxy = proxy;
    return 0;
}

static int parse_max_pages(struct account_parse *parse, const oconfig_item_t *item)
{
    return read_whole_number(parse, item, 1, WJC_MAX_PAGES_LIMIT, &parse->account->max_pages);
}

static int parse_verbose(struct account_parse *parse, const oconfig_item_t *item)
{
    return read_whole_number(parse, item, 0, MAX_VERBOSITY, &parse->account->verbosity);
}

struct key_parser {
    const char *key;
    int (*parse)(struct account_parse *parse, const oconfig_item_t *item);
};

static const struct key_parser key_parsers[] = {
    {"URL", parse_url},
    {"Token", parse_token},
    {"TokenFile", parse_token_file},
    {"Interval", parse_interval},
    {"Timeout", parse_timeout},
    {"StuckAfter", parse_stuck_after},
    {"Type", parse_type},
    {"CACert", parse_cacert},
    {"VerifyPeer", parse_verify_peer},
    {"Proxy", parse_proxy},
    {"MaxPages", parse_max_pages},
    {"Verbose", parse_verbose},
};

#define KEY_PARSER_COUNT (sizeof key_parsers / sizeof key_parsers[0])

static int parse_key(struct account_parse *parse, const oconfig_item_t *item)
{
    for (size_t i = 0; i < KEY_PARSER_COUNT; i++) {
        /* collectd matches configuration keys without regard to case. */
        if (strcasecmp(item->key, key_parsers[i].key) == 0) {
            if (item->children_num > 0) {
                config_error(parse->account->name, item->key, "takes a value, not a block of keys");
                return -1;
            }
            return key_parsers[i].parse(parse, item);
        }
    }

    config_error(parse->account->name, item->key,
                 "unknown key; the valid keys are URL, TokenFile, Token, Interval, Timeout, StuckAfter, Type, "
                 "CACert, VerifyPeer, Proxy, MaxPages and Verbose");
    return -1;
}

/* Reads the first line of the key file, without its line break and
 * trailing blanks. */
static int read_token_file(struct account_parse *parse)
{
    struct wj_error error = {0};

    if (!wj_token_read_file(parse->token_file, &parse->account->token, &error)) {
        config_error(parse->account->name, "TokenFile", "%s", error.message);
        return -1;
    }
    return 0;
}

static int resolve_token(struct account_parse *parse)
{
    struct wjc_account *account = parse->account;
    const char *problem;
    const char *key;

    if (parse->token_file && account->token) {
        config_error(account->name, "Token", "both Token and TokenFile are set; keep only one of them");
        return -1;
    }
    if (parse->token_file) {
        if (read_token_file(parse) != 0)
            return -1;
        key = "TokenFile";
    } else if (account->token) {
        key = "Token";
    } else {
        config_error(account->name, NULL, "no API key; set TokenFile (a file whose first line is the key) or Token");
        return -1;
    }

    problem = wj_token_problem(account->token);
    if (problem) {
        config_error(account->name, key, "%s", problem);
        return -1;
    }
    return 0;
}

/* Gives the account the default interval when it set none, and keeps the
 * timeout within the interval so a read never overlaps the next one. */
static void resolve_timing(struct account_parse *parse, cdtime_t default_interval)
{
    struct wjc_account *account = parse->account;
    int64_t interval_ms;

    if (!parse->interval_given)
        account->interval = default_interval;

    interval_ms = (int64_t)CDTIME_T_TO_MS(account->interval);
    if (interval_ms < 1)
        interval_ms = 1;
    if (account->timeout_ms <= interval_ms)
        return;

    if (parse->timeout_given)
        WARNING(WJC_PLUGIN_NAME " plugin: account \"%s\", key Timeout: %.3f s is longer than the interval of %.3f s; "
                "using %.3f s",
                account->name, (double)account->timeout_ms / 1000.0, (double)interval_ms / 1000.0,
                (double)interval_ms / 1000.0);
    account->timeout_ms = interval_ms;
}

/* Checks the account name, which becomes the plugin instance of every value
 * and part of the read callback's name. */
static int check_account_name(const oconfig_item_t *item, const char **name)
{
    if (item->values_num != 1 || item->values[0].type != OCONFIG_TYPE_STRING) {
        ERROR(WJC_PLUGIN_NAME " plugin: an Account block needs exactly one name in double quotes, as in <Account \"prod\">");
        return -1;
    }

    *name = item->values[0].value.string;
    if ((*name)[0] == '\0') {
        ERROR(WJC_PLUGIN_NAME " plugin: account \"\": the account name is empty; give a name such as <Account \"prod\">");
        return -1;
    }
    if (strlen(*name) >= DATA_MAX_NAME_LEN) {
        ERROR(WJC_PLUGIN_NAME " plugin: account \"%.40s...\": the account name is longer than %d bytes", *name,
              DATA_MAX_NAME_LEN - 1);
        return -1;
    }
    for (const unsigned char *c = (const unsigned char *)*name; *c; c++) {
        if (*c == '/' || *c < 0x20 || *c == 0x7f) {
            ERROR(WJC_PLUGIN_NAME " plugin: account \"%s\": the account name contains '/' or a control character, which "
                  "collectd value identifiers cannot hold",
                  *name);
            return -1;
        }
    }
    return 0;
}

static struct wjc_account *read_account(const oconfig_item_t *item, cdtime_t default_interval)
{
    struct account_parse parse = {0};
    const char *name;
    int status = 0;

    if (check_account_name(item, &name) != 0)
        return NULL;

    parse.account = wjc_account_new(name);
    if (parse.account == NULL) {
        ERROR(WJC_PLUGIN_NAME " plugin: account \"%s\": out of memory", name);
        return NULL;
    }

    for (int i = 0; i < item->children_num && status == 0; i++)
        status = parse_key(&parse, &item->children[i]);
    if (status == 0)
        status = resolve_token(&parse);
    if (status == 0)
        resolve_timing(&parse, default_interval);

    free(parse.token_file);
    if (status != 0) {
        wjc_account_free(parse.account);
        return NULL;
    }
    return parse.account;
}

static bool name_is_taken(const struct wjc_account_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++) {
        if (strcmp(set->items[i]->name, name) == 0)
            return true;
    }
    return false;
}

static int add_account(struct wjc_account_set *set, struct wjc_account *account)
{
    struct wjc_account **grown;

    if (name_is_taken(set, account->name)) {
        ERROR(WJC_PLUGIN_NAME " plugin: account \"%s\": the account name is used by another Account block; give each "
              "account its own name",
              account->name);
        return -1;
    }

    grown = realloc(set->items, (set->count + 1) * sizeof *grown);
    if (grown == NULL) {
        ERROR(WJC_PLUGIN_NAME " plugin: account \"%s\": out of memory", account->name);
        return -1;
    }
    set->items = grown;
    set->items[set->count++] = account;
    return 0;
}

int wjc_config_read(const oconfig_item_t *block, cdtime_t default_interval, struct wjc_account_set *set)
{
    memset(set, 0, sizeof *set);

    for (int i = 0; i < block->children_num; i++) {
        const oconfig_item_t *item = &block->children[i];
        struct wjc_account *account;

        if (strcasecmp(item->key, "Account") != 0) {
            ERROR(WJC_PLUGIN_NAME " plugin: unknown key %s in <Plugin " WJC_PLUGIN_NAME ">; only <Account \"NAME\"> "
                  "blocks belong there",
                  item->key);
            wjc_account_set_free(set);
            return -1;
        }

        account = read_account(item, default_interval);
        if (account == NULL || add_account(set, account) != 0) {
            wjc_account_free(account);
            wjc_account_set_free(set);
            return -1;
        }
    }
    return 0;
}

void wjc_account_set_free(struct wjc_account_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        wjc_account_free(set->items[i]);
    free(set->items);
    memset(set, 0, sizeof *set);
}
