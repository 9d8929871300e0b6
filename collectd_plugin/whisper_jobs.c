/* collectd read plugin whisper_jobs: counts the asynchronous jobs of Whisper
 * Security API accounts per status, with the age of the oldest waiting
 * jobs. This file is the module's entry: it registers the configuration and
 * init callbacks, and one read callback per <Account> block. */
#include "wjc_collectd.h"

#include <stdio.h>
#include <stdlib.h>

#include "wjc_account.h"
#include "wjc_config.h"
#include "wjc_read.h"

#include "wj_http.h"

/* Registers the account's read callback, named "whisper_jobs/ACCOUNT", on
 * the account's own interval. collectd owns the account from here on and
 * frees it with wjc_account_free, also when registering fails. */
static int register_account(struct wjc_account *account)
{
    user_data_t user_data = {.data = account, .free_func = wjc_account_free};
    char callback_name[DATA_MAX_NAME_LEN + sizeof WJC_PLUGIN_NAME + 1];
    char account_name[DATA_MAX_NAME_LEN];
    char *display_url;
    int status;

    snprintf(callback_name, sizeof callback_name, WJC_PLUGIN_NAME "/%s", account->name);
    snprintf(account_name, sizeof account_name, "%s", account->name);

    display_url = wj_url_display(account->url);
    INFO(WJC_PLUGIN_NAME " plugin: account \"%s\": reading %s every %.3f s with a timeout of %.3f s", account->name,
         display_url ? display_url : "the API", CDTIME_T_TO_DOUBLE(account->interval),
         (double)account->timeout_ms / 1000.0);
    free(display_url);

    status = plugin_register_complex_read(WJC_PLUGIN_NAME, callback_name, wjc_read, account->interval, &user_data);
    if (status != 0) {
        ERROR(WJC_PLUGIN_NAME " plugin: account \"%s\": registering the read callback failed (status %d); is the "
              "account name also used in another <Plugin " WJC_PLUGIN_NAME "> block?",
              account_name, status);
        return -1;
    }
    return 0;
}

/* Called once for each <Plugin whisper_jobs> block. Either every account of
 * the block is registered or, after an error, none of them (unless
 * registering itself fails part way). */
static int configure(oconfig_item_t *block)
{
    struct wjc_account_set set;
    int result = 0;

    if (wjc_config_read(block, plugin_get_interval(), &set) != 0)
        return -1;

    if (set.count == 0)
        WARNING(WJC_PLUGIN_NAME " plugin: <Plugin " WJC_PLUGIN_NAME "> holds no <Account \"NAME\"> block, so nothing "
                "is read");

    for (size_t i = 0; i < set.count; i++) {
        struct wjc_account *account = set.items[i];

        set.items[i] = NULL;
        if (register_account(account) != 0)
            result = -1;
    }

    wjc_account_set_free(&set);
    return result;
}

static int init(void)
{
    struct wj_error error = {0};

    if (!wj_http_global_init(&error)) {
        ERROR(WJC_PLUGIN_NAME " plugin: %s; no account will be read", error.message);
        plugin_unregister_read_group(WJC_PLUGIN_NAME);
        return -1;
    }
    return 0;
}

/* The only symbol the shared object exports: collectd calls it on
 * LoadPlugin. */
__attribute__((visibility("default"))) void module_register(void)
{
    plugin_register_complex_config(WJC_PLUGIN_NAME, configure);
    plugin_register_init(WJC_PLUGIN_NAME, init);
}
