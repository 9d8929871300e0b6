/* Reading the <Plugin whisper_jobs> block into accounts. */
#ifndef WJC_CONFIG_H
#define WJC_CONFIG_H

#include <stddef.h>

#include "wjc_account.h"
#include "wjc_collectd.h"

/* Accounts read from one <Plugin whisper_jobs> block. */
struct wjc_account_set {
    struct wjc_account **items;
    size_t count;
};

/* Reads every <Account "NAME"> block inside block. default_interval is the
 * interval of accounts that set none (the daemon's, from
 * plugin_get_interval). Returns 0 with set filled, or -1 after logging an
 * error that names the account, and the key at fault when there is one
 * (never the API key itself), in which case set is empty. A set with no
 * accounts is valid. */
int wjc_config_read(const oconfig_item_t *block, cdtime_t default_interval,
                    struct wjc_account_set *set);

/* Frees every account left in set and the array. */
void wjc_account_set_free(struct wjc_account_set *set);

#endif
