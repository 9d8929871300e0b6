#include "wjc_account.h"

#include <stdlib.h>
#include <string.h>

#include "wj_token.h"

struct wjc_account *wjc_account_new(const char *name)
{
    struct wjc_account *account = calloc(1, sizeof *account);

    if (account == NULL)
        return NULL;

    account->name = strdup(name);
    account->url = strdup(WJC_DEFAULT_URL);
    if (account->name == NULL || account->url == NULL) {
        wjc_account_free(account);
        return NULL;
    }

    account->verify_peer = true;
    account->interval = 0;
    account->timeout_ms = WJC_DEFAULT_TIMEOUT_MS;
    account->stuck_after_ms = WJC_DEFAULT_STUCK_AFTER_MS;
    account->max_pages = WJC_DEFAULT_MAX_PAGES;
    account->fetch = wj_fetch_account;
    C_COMPLAIN_INIT(&account->outage);
    C_COMPLAIN_INIT(&account->truncation);
    return account;
}

void wjc_account_free(void *data)
{
    struct wjc_account *account = data;

    if (account == NULL)
        return;

    wj_client_free(account->client);
    wj_token_free(account->token);
    for (size_t i = 0; i < account->type_count; i++)
        free(account->types[i]);
    free(account->types);
    free(account->name);
    free(account->url);
    free(account->cacert);
    free(account->proxy);
    free(account);
}
