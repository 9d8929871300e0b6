/* One <Account> block of the whisper_jobs collectd plugin: its settings,
 * read once from the configuration, and the state its read callback keeps
 * between reads. collectd passes the account to the read callback as user
 * data and frees it with wjc_account_free. A read callback runs in one read
 * thread at a time, so the state needs no lock. */
#ifndef WJC_ACCOUNT_H
#define WJC_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wjc_collectd.h"

#include "wj_error.h"
#include "wj_fetch.h"
#include "wj_http.h"

#define WJC_PLUGIN_NAME "whisper_jobs"
#define WJC_DEFAULT_URL "https://api.whisper.security"
#define WJC_DEFAULT_TIMEOUT_MS 10000
#define WJC_DEFAULT_STUCK_AFTER_MS (900 * 1000)
#define WJC_DEFAULT_MAX_PAGES 100
#define WJC_MAX_PAGES_LIMIT 100000

/* Fetch function of an account: wj_fetch_account, or a stand-in in the unit
 * tests. */
typedef bool (*wjc_fetch_fn)(struct wj_client *client, const struct wj_account_plan *plan,
                             int64_t deadline_ms, struct wj_account_snapshot *snapshot,
                             struct wj_error *error);

struct wjc_account {
    /* Settings. */
    char *name;             /* plugin instance of every value */
    char *url;
    char *token;            /* the API key: never logged, wiped before free */
    char *cacert;           /* NULL: the system's CA bundle */
    char *proxy;            /* NULL: curl's proxy environment variables apply */
    char **types;           /* job types to count; none means every type */
    size_t type_count;
    bool verify_peer;
    cdtime_t interval;
    int64_t timeout_ms;     /* at most the interval */
    int64_t stuck_after_ms;
    int max_pages;
    int verbosity;          /* HTTP client messages up to this level are logged */

    /* State kept between reads. */
    wjc_fetch_fn fetch;
    struct wj_client *client; /* created on the first read, kept so connections stay open */
    c_complain_t outage;      /* logs once when reads start failing and once when they work again */
    c_complain_t truncation;  /* logs when MaxPages cuts a list short */
    uint64_t failed_reads;    /* cumulative, dispatched as errors-api */
    uint64_t outage_reads;    /* failed reads since the last good one */
    int64_t outage_started_ms; /* wj_monotonic_ms clock */
};

/* Allocates an account with every default set and name copied. Returns NULL
 * when memory runs out. */
struct wjc_account *wjc_account_new(const char *name);

/* Frees the account and everything it owns, wiping the API key first. Takes
 * void * so collectd can call it as the user data's free function. */
void wjc_account_free(void *account);

#endif
