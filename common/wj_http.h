/* HTTP client for the Jobs API over curl's multi interface: several GET
 * requests in flight at once, one deadline for the whole run (transfers and
 * waits for HTTP 429 alike), TLS verification on unless disabled, Bearer
 * authentication and a cap on response body size. One client serves one
 * thread; the collectd plugin keeps one per account so connections are kept
 * alive across reads. */
#ifndef WJ_HTTP_H
#define WJ_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wj_error.h"

#define WJ_DEFAULT_MAX_BODY_BYTES (16u * 1024u * 1024u)

/* Log levels passed to the log callback: 1 summary, 2 each request, 3 each
 * response's headers of interest and the start of its body. The API key
 * never appears in a message. */
typedef void (*wj_log_fn)(void *context, int level, const char *message);

struct wj_client_config {
    const char *base_url;  /* e.g. "https://api.whisper.security", no path */
    const char *token;     /* the API key, sent as "Authorization: Bearer" */
    const char *cacert;    /* CA bundle file, NULL for the system default */
    bool insecure;         /* skip TLS peer and host verification */
    const char *proxy;     /* NULL: curl's proxy environment variables apply */
    const char *user_agent;
    size_t max_body_bytes; /* 0 means WJ_DEFAULT_MAX_BODY_BYTES */
    int max_parallel;      /* requests in flight at once; 0 means 6 */
    const char *timeout_setting; /* the front end's name for the timeout and */
    const char *cacert_setting;  /* the CA bundle, named in error hints; may be NULL */
    wj_log_fn log;         /* may be NULL */
    void *log_context;
    int log_level;         /* messages above this level are not even built */
};

/* A successful (2xx) response, or the failure of a best-effort request.
 * body is NUL-terminated and valid only during the callback. */
struct wj_response {
    const char *path;
    long status;
    const char *body;
    size_t length;
    const struct wj_error *failure; /* NULL unless a best-effort request failed */
};

/* Callback for each 2xx response, and for the failure of a best-effort
 * request (response->failure set). It may queue further requests with
 * wj_client_get. Returning false (with error set) ends the run with that
 * error. */
typedef bool (*wj_response_fn)(void *context, const struct wj_response *response,
                               struct wj_error *error);

struct wj_client;

struct wj_client_stats {
    uint64_t requests;       /* HTTP requests sent, retries included, cumulative */
    double request_seconds;  /* wall time wj_client_run spent, cumulative */
};

/* Creates a client. Fails (WJ_ERR_CONFIG) on a URL that is not http:// or
 * https://, or (WJ_ERR_INTERNAL) when curl cannot be set up. */
struct wj_client *wj_client_new(const struct wj_client_config *config, struct wj_error *error);

void wj_client_free(struct wj_client *client);

/* Drops every queued and running request without calling its callback. For
 * a caller that fails after queueing some requests: their contexts may not
 * outlive the failure, and the next run must not serve them. */
void wj_client_cancel(struct wj_client *client);

/* Queues a GET of base_url + path_and_query (already escaped). Non-2xx
 * responses never reach on_response: 429 is retried after its Retry-After when
 * that fits before the deadline, and every other status ends the run with an
 * error whose kind and message give the API's status and message. */
bool wj_client_get(struct wj_client *client, const char *path_and_query,
                   wj_response_fn on_response, void *context, struct wj_error *error);

/* Queues a GET whose failure (any error status, transport error or the
 * deadline) does not end the run: on_response gets it with failure set.
 * For requests that only add detail, so they never hide a judgement. */
bool wj_client_get_best_effort(struct wj_client *client, const char *path_and_query,
                               wj_response_fn on_response, void *context, struct wj_error *error);

/* Runs queued requests, and those the callbacks queue, until none is left or
 * the first error. deadline_ms is on the wj_monotonic_ms clock. On failure
 * every unfinished request is dropped, so the client can be run again. */
bool wj_client_run(struct wj_client *client, int64_t deadline_ms, struct wj_error *error);

/* Latest instant in a Date response header of the last run, in epoch
 * milliseconds, or -1 when no response carried a valid one. */
int64_t wj_client_server_time(const struct wj_client *client);

struct wj_client_stats wj_client_stats(const struct wj_client *client);

/* The base URL without any user:password part, for messages. */
const char *wj_client_display_url(const struct wj_client *client);

/* Clock helpers: monotonic for deadlines, real time for "now" when the API
 * sends no Date header. */
int64_t wj_monotonic_ms(void);
int64_t wj_realtime_ms(void);

/* Checks that proxy is a proxy curl can use: HOST[:PORT], or SCHEME://HOST[:PORT]
 * with an http, https or socks scheme. An empty proxy (no proxy at all) and
 * NULL (the environment's proxy) are valid. The message leaves out any
 * user:password part. */
bool wj_proxy_validate(const char *proxy, struct wj_error *error);

/* Checks that url is an absolute http:// or https:// URL with a host and no
 * query or fragment. On failure sets error (WJ_ERR_CONFIG) with a message
 * that quotes the URL without any user:password part. */
bool wj_url_validate(const char *url, struct wj_error *error);

/* Returns a malloc'd copy of a valid url without any user:password part and
 * trailing slashes, for log lines; NULL when url is invalid or memory runs
 * out. */
char *wj_url_display(const char *url);

/* Percent-escapes text for use as one path segment or query value; returns a
 * malloc'd string or NULL when memory runs out. */
char *wj_url_escape(const char *text);

/* Initialises libcurl once per process; safe to call more than once but not
 * from several threads at the same time. */
bool wj_http_global_init(struct wj_error *error);

#endif
