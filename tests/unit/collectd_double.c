#include "collectd_double.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_VALUES 256
#define MAX_LOGS 256
#define MAX_READS 16

static struct {
    struct double_value values[MAX_VALUES];
    size_t value_count;
    struct double_log logs[MAX_LOGS];
    size_t log_count;
    struct double_read reads[MAX_READS];
    size_t read_count;
    int (*config_callback)(oconfig_item_t *);
    plugin_init_cb init_callback;
    cdtime_t interval;
    bool fail_register_read;
} recorded = {.interval = TIME_T_TO_CDTIME_T_STATIC(10)};

/* ---- Test controls ---- */

void double_reset(void)
{
    for (size_t i = 0; i < recorded.read_count; i++) {
        user_data_t *user_data = &recorded.reads[i].user_data;

        if (user_data->free_func)
            user_data->free_func(user_data->data);
    }
    memset(&recorded, 0, sizeof recorded);
    recorded.interval = TIME_T_TO_CDTIME_T(10);
}

void double_set_interval(cdtime_t interval)
{
    recorded.interval = interval;
}

void double_fail_register_read(bool fail)
{
    recorded.fail_register_read = fail;
}

void double_clear_records(void)
{
    recorded.value_count = 0;
    recorded.log_count = 0;
}

size_t double_value_count(void)
{
    return recorded.value_count;
}

const struct double_value *double_value_at(size_t index)
{
    return index < recorded.value_count ? &recorded.values[index] : NULL;
}

const struct double_value *double_find_value(const char *plugin_instance, const char *type,
                                             const char *type_instance)
{
    for (size_t i = recorded.value_count; i > 0; i--) {
        const struct double_value *value = &recorded.values[i - 1];

        if (strcmp(value->plugin_instance, plugin_instance) == 0 && strcmp(value->type, type) == 0
            && strcmp(value->type_instance, type_instance) == 0)
            return value;
    }
    return NULL;
}

size_t double_log_count(void)
{
    return recorded.log_count;
}

const struct double_log *double_log_at(size_t index)
{
    return index < recorded.log_count ? &recorded.logs[index] : NULL;
}

size_t double_log_count_containing(const char *text)
{
    size_t count = 0;

    for (size_t i = 0; i < recorded.log_count; i++) {
        if (strstr(recorded.logs[i].message, text))
            count++;
    }
    return count;
}

size_t double_read_count(void)
{
    return recorded.read_count;
}

const struct double_read *double_read_at(size_t index)
{
    return index < recorded.read_count ? &recorded.reads[index] : NULL;
}

int (*double_config_callback(void))(oconfig_item_t *)
{
    return recorded.config_callback;
}

plugin_init_cb double_init_callback(void)
{
    return recorded.init_callback;
}

/* ---- The daemon's functions ---- */

cdtime_t cdtime(void)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    return TIMESPEC_TO_CDTIME_T(&now);
}

cdtime_t plugin_get_interval(void)
{
    return recorded.interval;
}

void plugin_log(int level, const char *format, ...)
{
    struct double_log *entry;
    va_list args;

    if (recorded.log_count == MAX_LOGS) {
        fprintf(stderr, "collectd double: more than %d log lines\n", MAX_LOGS);
        abort();
    }
    entry = &recorded.logs[recorded.log_count++];
    entry->level = level;
    va_start(args, format);
    vsnprintf(entry->message, sizeof entry->message, format, args);
    va_end(args);
}

int plugin_register_complex_config(const char *type, int (*callback)(oconfig_item_t *))
{
    (void)type;
    recorded.config_callback = callback;
    return 0;
}

int plugin_register_init(const char *name, plugin_init_cb callback)
{
    (void)name;
    recorded.init_callback = callback;
    return 0;
}

int plugin_register_complex_read(const char *group, const char *name, plugin_read_cb callback,
                                 cdtime_t interval, user_data_t const *user_data)
{
    struct double_read *read;

    /* The daemon frees the user data of a registration that fails. */
    if (recorded.fail_register_read || recorded.read_count == MAX_READS) {
        if (user_data && user_data->free_func)
            user_data->free_func(user_data->data);
        return EINVAL;
    }

    read = &recorded.reads[recorded.read_count++];
    snprintf(read->group, sizeof read->group, "%s", group ? group : "");
    snprintf(read->name, sizeof read->name, "%s", name);
    read->callback = callback;
    read->interval = interval != 0 ? interval : recorded.interval;
    read->user_data = *user_data;
    return 0;
}

int plugin_unregister_read_group(const char *group)
{
    (void)group;
    return 0;
}

int plugin_dispatch_values(value_list_t const *list)
{
    struct double_value *value;

    if (recorded.value_count == MAX_VALUES) {
        fprintf(stderr, "collectd double: more than %d values\n", MAX_VALUES);
        abort();
    }
    value = &recorded.values[recorded.value_count++];
    memset(value, 0, sizeof *value);
    snprintf(value->plugin, sizeof value->plugin, "%s", list->plugin);
    snprintf(value->plugin_instance, sizeof value->plugin_instance, "%s", list->plugin_instance);
    snprintf(value->type, sizeof value->type, "%s", list->type);
    snprintf(value->type_instance, sizeof value->type_instance, "%s", list->type_instance);
    value->values_len = list->values_len;
    if (list->values_len > 0)
        value->value = list->values[0];
    value->interval = list->interval;
    return 0;
}

/* cf_util_get_* behave as collectd 5.12's: a wrong type or count of values
 * logs an error and returns -1, leaving the target unchanged. */
int cf_util_get_string(const oconfig_item_t *item, char **ret_string)
{
    char *copy;

    if (item->values_num != 1 || item->values[0].type != OCONFIG_TYPE_STRING) {
        plugin_log(LOG_ERR, "cf_util_get_string: The %s option requires exactly one string argument.", item->key);
        return -1;
    }
    copy = strdup(item->values[0].value.string);
    if (copy == NULL)
        return -1;
    free(*ret_string);
    *ret_string = copy;
    return 0;
}

int cf_util_get_double(const oconfig_item_t *item, double *ret_value)
{
    if (item->values_num != 1 || item->values[0].type != OCONFIG_TYPE_NUMBER) {
        plugin_log(LOG_ERR, "cf_util_get_double: The %s option requires exactly one numeric argument.", item->key);
        return -1;
    }
    *ret_value = item->values[0].value.number;
    return 0;
}

int cf_util_get_boolean(const oconfig_item_t *item, bool *ret_bool)
{
    const oconfig_value_t *value = item->values;

    if (item->values_num != 1 || (value->type != OCONFIG_TYPE_BOOLEAN && value->type != OCONFIG_TYPE_STRING)) {
        plugin_log(LOG_ERR, "cf_util_get_boolean: The %s option requires exactly one boolean argument.", item->key);
        return -1;
    }
    if (value->type == OCONFIG_TYPE_BOOLEAN) {
        *ret_bool = value->value.boolean != 0;
        return 0;
    }
    if (strcasecmp(value->value.string, "true") == 0 || strcasecmp(value->value.string, "yes") == 0
        || strcasecmp(value->value.string, "on") == 0) {
        *ret_bool = true;
        return 0;
    }
    if (strcasecmp(value->value.string, "false") == 0 || strcasecmp(value->value.string, "no") == 0
        || strcasecmp(value->value.string, "off") == 0) {
        *ret_bool = false;
        return 0;
    }
    plugin_log(LOG_ERR, "cf_util_get_boolean: Cannot parse string value `%s' of the `%s' option as a boolean value.",
               value->value.string, item->key);
    return -1;
}

/* c_complain* follow collectd 5.12's utils_complain.c. A complaint is
 * logged when its interval has passed. The interval starts at
 * plugin_get_interval and doubles up to a day. c_complain_once logs only the
 * first complaint, and releasing logs only after a complaint. */
static bool complain_due(c_complain_t *complaint)
{
    cdtime_t now = cdtime();

    if (complaint->last + complaint->interval > now)
        return false;

    complaint->last = now;
    if (complaint->interval < plugin_get_interval())
        complaint->interval = plugin_get_interval();
    else
        complaint->interval *= 2;
    if (complaint->interval > TIME_T_TO_CDTIME_T(86400))
        complaint->interval = TIME_T_TO_CDTIME_T(86400);
    return true;
}

static void log_complaint(int level, const char *format, va_list args)
{
    char message[512];

    vsnprintf(message, sizeof message, format, args);
    plugin_log(level, "%s", message);
}

void c_complain(int level, c_complain_t *complaint, const char *format, ...)
{
    va_list args;

    if (!complain_due(complaint))
        return;
    complaint->complained_once = true;
    va_start(args, format);
    log_complaint(level, format, args);
    va_end(args);
}

void c_complain_once(int level, c_complain_t *complaint, const char *format, ...)
{
    va_list args;

    if (complaint->complained_once || !complain_due(complaint))
        return;
    complaint->complained_once = true;
    va_start(args, format);
    log_complaint(level, format, args);
    va_end(args);
}

void c_do_release(int level, c_complain_t *complaint, const char *format, ...)
{
    va_list args;

    if (complaint->interval == 0)
        return;
    complaint->interval = 0;
    complaint->complained_once = false;
    va_start(args, format);
    log_complaint(level, format, args);
    va_end(args);
}

/* ---- Configuration text ---- */

struct config_parser {
    const char *cursor;
    int line;
};

static void skip_blanks(struct config_parser *parser)
{
    while (*parser->cursor == ' ' || *parser->cursor == '\t')
        parser->cursor++;
}

static bool add_value(oconfig_item_t *item, oconfig_value_t value)
{
    oconfig_value_t *grown = realloc(item->values, (size_t)(item->values_num + 1) * sizeof *grown);

    if (grown == NULL)
        return false;
    item->values = grown;
    item->values[item->values_num++] = value;
    return true;
}

static bool add_child(oconfig_item_t *item, const oconfig_item_t *child)
{
    oconfig_item_t *grown = realloc(item->children, (size_t)(item->children_num + 1) * sizeof *grown);

    if (grown == NULL)
        return false;
    item->children = grown;
    item->children[item->children_num++] = *child;
    return true;
}

static char *parse_quoted(struct config_parser *parser)
{
    size_t capacity = strlen(parser->cursor) + 1;
    char *text = malloc(capacity);
    size_t length = 0;

    if (text == NULL)
        return NULL;
    parser->cursor++; /* the opening quote */
    while (*parser->cursor && *parser->cursor != '"') {
        /* liboconfig keeps the character after a backslash and drops the
         * backslash. */
        if (*parser->cursor == '\\' && parser->cursor[1])
            parser->cursor++;
        text[length++] = *parser->cursor++;
    }
    if (*parser->cursor != '"') {
        free(text);
        return NULL;
    }
    parser->cursor++;
    text[length] = '\0';
    return text;
}

static bool is_word(const char *start, size_t length, const char *word)
{
    return strlen(word) == length && strncasecmp(start, word, length) == 0;
}

/* Parses the values after a key, up to the end of the line or a '>'. */
static bool parse_values(struct config_parser *parser, oconfig_item_t *item)
{
    for (;;) {
        oconfig_value_t value = {0};
        const char *start;
        size_t length;

        skip_blanks(parser);
        if (*parser->cursor == '\0' || *parser->cursor == '\n' || *parser->cursor == '>' || *parser->cursor == '#')
            return true;

        if (*parser->cursor == '"') {
            value.type = OCONFIG_TYPE_STRING;
            value.value.string = parse_quoted(parser);
            if (value.value.string == NULL || !add_value(item, value)) {
                free(value.value.string);
                return false;
            }
            continue;
        }

        start = parser->cursor;
        while (*parser->cursor && !isspace((unsigned char)*parser->cursor) && *parser->cursor != '>')
            parser->cursor++;
        length = (size_t)(parser->cursor - start);
        if (is_word(start, length, "true") || is_word(start, length, "yes") || is_word(start, length, "on")) {
            value.type = OCONFIG_TYPE_BOOLEAN;
            value.value.boolean = 1;
        } else if (is_word(start, length, "false") || is_word(start, length, "no") || is_word(start, length, "off")) {
            value.type = OCONFIG_TYPE_BOOLEAN;
            value.value.boolean = 0;
        } else {
            char *end;

            value.type = OCONFIG_TYPE_NUMBER;
            value.value.number = strtod(start, &end);
            /* A word that is no number is an unquoted string, such as the
             * plugin name in <Plugin whisper_jobs>. */
            if (end != parser->cursor) {
                value.type = OCONFIG_TYPE_STRING;
                value.value.string = strndup(start, length);
                if (value.value.string == NULL)
                    return false;
            }
        }
        if (!add_value(item, value))
            return false;
    }
}

static void free_item_contents(oconfig_item_t *item)
{
    for (int i = 0; i < item->values_num; i++) {
        if (item->values[i].type == OCONFIG_TYPE_STRING)
            free(item->values[i].value.string);
    }
    free(item->values);
    for (int i = 0; i < item->children_num; i++)
        free_item_contents(&item->children[i]);
    free(item->children);
    free(item->key);
}

static char *parse_key(struct config_parser *parser)
{
    const char *start = parser->cursor;

    while (isalnum((unsigned char)*parser->cursor) || *parser->cursor == '_')
        parser->cursor++;
    if (parser->cursor == start)
        return NULL;
    return strndup(start, (size_t)(parser->cursor - start));
}

static void skip_line(struct config_parser *parser)
{
    while (*parser->cursor && *parser->cursor != '\n')
        parser->cursor++;
    if (*parser->cursor == '\n') {
        parser->cursor++;
        parser->line++;
    }
}

/* Parses lines into parent's children until end_key's closing tag, or the
 * end of the text when end_key is NULL. */
static bool parse_lines(struct config_parser *parser, oconfig_item_t *parent, const char *end_key)
{
    while (*parser->cursor) {
        oconfig_item_t child = {0};
        bool block;

        skip_blanks(parser);
        if (*parser->cursor == '\n' || *parser->cursor == '#' || *parser->cursor == '\0') {
            skip_line(parser);
            continue;
        }
        if (parser->cursor[0] == '<' && parser->cursor[1] == '/') {
            char *key;
            bool matches;

            parser->cursor += 2;
            key = parse_key(parser);
            matches = key && end_key && strcasecmp(key, end_key) == 0;
            free(key);
            if (!matches)
                return false;
            skip_line(parser);
            return true;
        }

        block = *parser->cursor == '<';
        if (block)
            parser->cursor++;
        child.key = parse_key(parser);
        if (child.key == NULL || !parse_values(parser, &child)) {
            free_item_contents(&child);
            return false;
        }
        if (block) {
            if (*parser->cursor != '>') {
                free_item_contents(&child);
                return false;
            }
            skip_line(parser);
            if (!parse_lines(parser, &child, child.key)) {
                free_item_contents(&child);
                return false;
            }
        } else {
            skip_line(parser);
        }
        if (!add_child(parent, &child)) {
            free_item_contents(&child);
            return false;
        }
    }
    return end_key == NULL;
}

oconfig_item_t *double_parse_config(const char *text)
{
    struct config_parser parser = {text, 1};
    oconfig_item_t *root = calloc(1, sizeof *root);

    if (root == NULL)
        return NULL;
    root->key = strdup("root");
    if (root->key == NULL || !parse_lines(&parser, root, NULL)) {
        fprintf(stderr, "collectd double: cannot parse the configuration at line %d\n", parser.line);
        double_free_config(root);
        return NULL;
    }
    return root;
}

void double_free_config(oconfig_item_t *root)
{
    if (root == NULL)
        return;
    free_item_contents(root);
    free(root);
}
