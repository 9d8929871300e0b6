/* A stand-in for the collectd 5.12 daemon, linked into the plugin's unit
 * tests in place of /usr/sbin/collectd. It defines the daemon functions the
 * plugin calls (plugin_register_*, plugin_dispatch_values, plugin_log,
 * cf_util_get_*, c_complain*, plugin_get_interval, cdtime), records what the
 * plugin registered, dispatched and logged, and parses configuration text
 * into oconfig items as collectd's liboconfig would. Single-threaded. */
#ifndef COLLECTD_DOUBLE_H
#define COLLECTD_DOUBLE_H

#include <stdbool.h>
#include <stddef.h>

#include "wjc_collectd.h"

struct double_value {
    char plugin[DATA_MAX_NAME_LEN];
    char plugin_instance[DATA_MAX_NAME_LEN];
    char type[DATA_MAX_NAME_LEN];
    char type_instance[DATA_MAX_NAME_LEN];
    value_t value;
    size_t values_len;
    cdtime_t interval;
};

struct double_log {
    int level;
    char message[1024];
};

struct double_read {
    char group[DATA_MAX_NAME_LEN];
    char name[2 * DATA_MAX_NAME_LEN];
    plugin_read_cb callback;
    cdtime_t interval;
    user_data_t user_data;
};

/* Frees every registered read's user data with its free function, and
 * clears every registration, value and log line. The interval goes back
 * to 10 s. */
void double_reset(void);

/* Sets what plugin_get_interval returns. */
void double_set_interval(cdtime_t interval);

/* Makes the next plugin_register_complex_read calls fail with EINVAL, as the
 * daemon does for a name already registered (and frees the user data). */
void double_fail_register_read(bool fail);

/* Clears the values and log lines recorded so far, keeping registrations. */
void double_clear_records(void);

size_t double_value_count(void);
const struct double_value *double_value_at(size_t index);
/* The last value dispatched with this identifier, or NULL. */
const struct double_value *double_find_value(const char *plugin_instance, const char *type,
                                             const char *type_instance);

size_t double_log_count(void);
const struct double_log *double_log_at(size_t index);
/* Number of log lines that contain text. */
size_t double_log_count_containing(const char *text);

size_t double_read_count(void);
const struct double_read *double_read_at(size_t index);

/* The callbacks the plugin registered, or NULL. */
int (*double_config_callback(void))(oconfig_item_t *);
plugin_init_cb double_init_callback(void);

/* Parses configuration text in collectd's syntax: "Key value ..." lines and
 * <Block "value"> ... </Block> blocks, with values that are "strings" (\"
 * and \\ escapes), numbers or true/false. Returns the root item, whose
 * children are the top-level lines, or NULL with a message on stderr. */
oconfig_item_t *double_parse_config(const char *text);

void double_free_config(oconfig_item_t *root);

#endif
