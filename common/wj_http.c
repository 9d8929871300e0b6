/* For memmem, a GNU extension in glibc. */
#define _GNU_SOURCE

#include "wj_http.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "wj_api_json.h"
#include "wj_buffer.h"
#include "wj_text.h"
#include "wj_token.h"

#define DEFAULT_MAX_PARALLEL 6
#define MAX_ATTEMPTS 5
/* A retry is only worth waiting for when some time is left to make it. */
#define RETRY_MARGIN_MS 250
/* Bytes of each response body logged at level 3. */
#define LOGGED_BODY_BYTES 200

struct wj_request {
    struct wj_client *client;
    CURL *easy;
    char *path;
    char *url;
    char *display_url; /* url without credentials, for messages */
    wj_response_fn on_response;
    void *context;
    bool best_effort;   /* a failure goes to on_response instead of ending the run */
    struct wj_buffer body;
    bool too_large;
    char retry_after[64];
    int64_t date_ms;
    int attempts;
    int64_t due_ms; /* monotonic time before which a retry must not start */
    struct wj_request *next;        /* in the queue */
    struct wj_request *active_next; /* in the list of transfers in flight */
    char curl_error[CURL_ERROR_SIZE];
};

struct wj_client {
    CURLM *multi;
    CURLSH *share;
    struct curl_slist *headers;
    char *base_url;
    char *display_url;  /* base_url without credentials, for messages */
    const char *timeout_setting; /* names the settings in hints, e.g. "-t/--timeout" */
    const char *cacert_setting;
    char *token;
    char *cacert;
    char *proxy;
    char *user_agent;
    bool insecure;
    size_t max_body_bytes;
    int max_parallel;
    wj_log_fn log;
    void *log_context;
    int log_level;

    struct wj_request *queue_head; /* not started yet, or waiting to retry */
    struct wj_request *queue_tail;
    struct wj_request *active_head; /* transfers added to the multi handle */
    int active;
    int64_t deadline_ms;
    int64_t run_started_ms;
    int64_t server_time_ms;
    struct wj_client_stats stats;
};

int64_t wj_monotonic_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t wj_realtime_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

bool wj_http_global_init(struct wj_error *error)
{
    CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);

    if (code != CURLE_OK) {
        wj_error_set(error, WJ_ERR_INTERNAL, "libcurl initialisation failed: %s",
                     curl_easy_strerror(code));
        return false;
    }
    return true;
}

char *wj_url_escape(const char *text)
{
    char *escaped = curl_easy_escape(NULL, text, 0);
    char *copy;

    if (escaped == NULL)
        return NULL;

    copy = strdup(escaped);
    curl_free(escaped);
    return copy;
}

static void client_log(const struct wj_client *client, int level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void client_log(const struct wj_client *client, int level, const char *format, ...)
{
    va_list args;
    char *message;
    int length;

    if (client->log == NULL || level > client->log_level)
        return;

    /* Format the whole text before redacting, so a cut can never leave part
     * of the key behind. */
    va_start(args, format);
    length = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (length < 0 || (message = malloc((size_t)length + 1)) == NULL)
        return;

    va_start(args, format);
    vsnprintf(message, (size_t)length + 1, format, args);
    va_end(args);

    wj_text_redact(message, client->token);
    client->log(client->log_context, level, message);
    free(message);
}

static char *copy_or_null(const char *text)
{
    return text ? strdup(text) : NULL;
}

static bool copy_config(struct wj_client *client, const struct wj_client_config *config)
{
    size_t length;

    client->base_url = strdup(config->base_url);
    client->token = strdup(config->token ? config->token : "");
    client->cacert = copy_or_null(config->cacert);
    client->proxy = copy_or_null(config->proxy);
    client->user_agent = copy_or_null(config->user_agent);
    if (client->base_url == NULL || client->token == NULL
        || (config->cacert && client->cacert == NULL) || (config->proxy && client->proxy == NULL)
        || (config->user_agent && client->user_agent == NULL))
        return false;

    /* Paths are appended with their leading slash. */
    length = strlen(client->base_url);
    while (length > 0 && client->base_url[length - 1] == '/')
        client->base_url[--length] = '\0';

    client->insecure = config->insecure;
    client->max_body_bytes = config->max_body_bytes ? config->max_body_bytes : WJ_DEFAULT_MAX_BODY_BYTES;
    client->max_parallel = config->max_parallel > 0 ? config->max_parallel : DEFAULT_MAX_PARALLEL;
    client->log = config->log;
    client->log_context = config->log_context;
    client->log_level = config->log_level;
    client->timeout_setting = config->timeout_setting ? config->timeout_setting : "the timeout";
    client->cacert_setting = config->cacert_setting ? config->cacert_setting : "the CA certificate setting";
    return true;
}

static bool build_headers(struct wj_client *client)
{
    struct wj_buffer authorization = {0};
    struct curl_slist *list;
    bool built;

    list = curl_slist_append(NULL, "Accept: application/json");
    if (list == NULL)
        return false;
    client->headers = list;

    wj_buffer_append_string(&authorization, "Authorization: Bearer ");
    wj_buffer_append_string(&authorization, client->token);
    built = !authorization.failed;
    if (built) {
        list = curl_slist_append(client->headers, wj_buffer_text(&authorization));
        built = list != NULL;
        if (built)
            client->headers = list;
    }

    /* curl_slist_append keeps its own copy. Wipe ours so the key does not
     * stay in freed heap memory. */
    if (authorization.data)
        memset(authorization.data, 0, authorization.capacity);
    wj_buffer_free(&authorization);
    return built;
}

/* The part of url after any "user:password@", for messages about a URL
 * that could not be parsed. */
static const char *without_credentials(const char *url)
{
    const char *at = strrchr(url, '@');

    return at ? at + 1 : url;
}

/* Checks that url is an absolute http(s) URL with a host and without query
 * or fragment, and makes the copy used in messages: credentials removed and
 * trailing slashes dropped. */
static bool check_url(const char *url, char **display_url, struct wj_error *error)
{
    CURLU *parsed = curl_url();
    char *scheme = NULL;
    char *host = NULL;
    char *query = NULL;
    char *fragment = NULL;
    const char *problem = NULL;
    size_t length;

    if (url == NULL)
        url = "";
    if (parsed == NULL) {
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory parsing the URL");
        return false;
    }

    if (curl_url_set(parsed, CURLUPART_URL, url, 0) != CURLUE_OK)
        problem = "it is not a valid absolute URL";
    else if (curl_url_get(parsed, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
             || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
        problem = "the scheme must be http or https";
    else if (curl_url_get(parsed, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0')
        problem = "it has no host";
    else if (curl_url_get(parsed, CURLUPART_QUERY, &query, 0) == CURLUE_OK
             || curl_url_get(parsed, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK)
        problem = "a base URL takes no query (?...) or fragment (#...)";
    else if (curl_url_set(parsed, CURLUPART_USER, NULL, 0) != CURLUE_OK
             || curl_url_set(parsed, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK
             || curl_url_get(parsed, CURLUPART_URL, display_url, 0) != CURLUE_OK)
        problem = "it cannot be rebuilt";

    curl_free(scheme);
    curl_free(host);
    curl_free(query);
    curl_free(fragment);
    curl_url_cleanup(parsed);

    if (problem) {
        wj_error_set(error, WJ_ERR_CONFIG,
                     "invalid URL \"%.200s\": %s. Expected http://HOST[:PORT][/PREFIX] or https://HOST[:PORT][/PREFIX], without /v1",
                     without_credentials(url), problem);
        return false;
    }

    length = strlen(*display_url);
    while (length > 0 && (*display_url)[length - 1] == '/')
        (*display_url)[--length] = '\0';

    /* The request paths begin with /v1, so with a URL that ends with it every
     * request would get HTTP 404. It is rejected at start, with the reason. */
    if (length >= 3 && strcasecmp(*display_url + length - 3, "/v1") == 0) {
        wj_error_set(error, WJ_ERR_CONFIG,
                     "invalid URL \"%.200s\": it ends with /v1, which the plugin adds itself. Give the base URL, such as %s",
                     without_credentials(url), "https://api.whisper.security");
        curl_free(*display_url);
        *display_url = NULL;
        return false;
    }
    return true;
}

char *wj_url_display(const char *url)
{
    char *display_url = NULL;
    char *copy;

    if (!check_url(url, &display_url, NULL))
        return NULL;
    copy = strdup(display_url);
    curl_free(display_url);
    return copy;
}

bool wj_proxy_validate(const char *proxy, struct wj_error *error)
{
    static const char *const schemes[] = {"http", "https", "socks4", "socks4a", "socks5", "socks5h"};
    CURLU *parsed;
    char *scheme = NULL;
    bool known_scheme = false;
    bool parsed_ok;

    /* curl reads an empty proxy as "no proxy", which also overrides the
     * proxy environment variables. */
    if (proxy == NULL || proxy[0] == '\0')
        return true;

    parsed = curl_url();
    if (parsed == NULL) {
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory parsing the proxy");
        return false;
    }
    parsed_ok = curl_url_set(parsed, CURLUPART_URL, proxy, CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK
                && curl_url_get(parsed, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK;
    for (size_t i = 0; parsed_ok && i < sizeof schemes / sizeof schemes[0]; i++)
        known_scheme = known_scheme || strcmp(scheme, schemes[i]) == 0;
    curl_free(scheme);
    curl_url_cleanup(parsed);

    if (!known_scheme) {
        wj_error_set(error, WJ_ERR_CONFIG,
                     "invalid proxy \"%.200s\": expected HOST:PORT or SCHEME://HOST:PORT with the scheme http, "
                     "https, socks4, socks4a, socks5 or socks5h, or an empty value for no proxy",
                     without_credentials(proxy));
        return false;
    }
    return true;
}

bool wj_url_validate(const char *url, struct wj_error *error)
{
    char *display_url = NULL;

    if (!check_url(url, &display_url, error))
        return false;
    curl_free(display_url);
    return true;
}

struct wj_client *wj_client_new(const struct wj_client_config *config, struct wj_error *error)
{
    struct wj_client *client;

    char *display_url = NULL;

    if (!check_url(config->base_url, &display_url, error))
        return NULL;

    client = calloc(1, sizeof *client);
    if (client == NULL) {
        curl_free(display_url);
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory creating the HTTP client");
        return NULL;
    }
    client->server_time_ms = -1;
    client->display_url = display_url;

    if (!copy_config(client, config) || !build_headers(client)) {
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory creating the HTTP client");
        wj_client_free(client);
        return NULL;
    }

    client->multi = curl_multi_init();
    client->share = curl_share_init();
    if (client->multi == NULL || client->share == NULL
        || curl_share_setopt(client->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK
        || curl_share_setopt(client->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK
        || curl_multi_setopt(client->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)client->max_parallel) != CURLM_OK
        /* Without a fixed size, libcurl sizes the idle connection cache by the
         * easy handles still added, so as a run's last transfers finish it
         * closes connections that the next run would reuse. */
        || curl_multi_setopt(client->multi, CURLMOPT_MAXCONNECTS, (long)client->max_parallel) != CURLM_OK) {
        wj_error_set(error, WJ_ERR_INTERNAL, "libcurl could not create a multi or share handle");
        wj_client_free(client);
        return NULL;
    }

    return client;
}

static void request_free(struct wj_request *request)
{
    if (request == NULL)
        return;

    if (request->easy)
        curl_easy_cleanup(request->easy);
    free(request->path);
    free(request->url);
    free(request->display_url);
    wj_buffer_free(&request->body);
    free(request);
}

static void add_active(struct wj_client *client, struct wj_request *request)
{
    request->active_next = client->active_head;
    client->active_head = request;
    client->active++;
}

static void remove_active(struct wj_client *client, struct wj_request *request)
{
    struct wj_request **link = &client->active_head;

    while (*link && *link != request)
        link = &(*link)->active_next;
    if (*link) {
        *link = request->active_next;
        client->active--;
    }
    request->active_next = NULL;
    curl_multi_remove_handle(client->multi, request->easy);
}

static void drop_all(struct wj_client *client)
{
    struct wj_request *request;

    while ((request = client->queue_head) != NULL) {
        client->queue_head = request->next;
        request_free(request);
    }
    client->queue_tail = NULL;

    while ((request = client->active_head) != NULL) {
        remove_active(client, request);
        request_free(request);
    }
}

void wj_client_cancel(struct wj_client *client)
{
    drop_all(client);
}

void wj_client_free(struct wj_client *client)
{
    if (client == NULL)
        return;

    if (client->multi) {
        drop_all(client);
        curl_multi_cleanup(client->multi);
    }
    if (client->share)
        curl_share_cleanup(client->share);
    curl_slist_free_all(client->headers);
    free(client->base_url);
    curl_free(client->display_url);
    wj_token_free(client->token);
    free(client->cacert);
    free(client->proxy);
    free(client->user_agent);
    free(client);
}

static void enqueue(struct wj_client *client, struct wj_request *request)
{
    request->next = NULL;
    if (client->queue_tail)
        client->queue_tail->next = request;
    else
        client->queue_head = request;
    client->queue_tail = request;
}

static bool queue_request(struct wj_client *client, const char *path_and_query, wj_response_fn on_response,
                          void *context, bool best_effort, struct wj_error *error)
{
    struct wj_request *request = calloc(1, sizeof *request);
    struct wj_buffer url = {0};

    if (request == NULL) {
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory queueing a request");
        return false;
    }

    wj_buffer_append_string(&url, client->base_url);
    wj_buffer_append_string(&url, path_and_query);
    request->path = strdup(path_and_query);
    request->url = url.data;
    request->display_url = malloc(strlen(client->display_url) + strlen(path_and_query) + 1);
    if (request->display_url) {
        strcpy(request->display_url, client->display_url);
        strcat(request->display_url, path_and_query);
    }
    if (url.failed || request->path == NULL || request->url == NULL || request->display_url == NULL) {
        request->url = NULL;
        wj_buffer_free(&url);
        request_free(request);
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory queueing a request");
        return false;
    }

    request->client = client;
    request->on_response = on_response;
    request->context = context;
    request->best_effort = best_effort;
    request->date_ms = -1;
    enqueue(client, request);
    return true;
}

bool wj_client_get(struct wj_client *client, const char *path_and_query,
                   wj_response_fn on_response, void *context, struct wj_error *error)
{
    return queue_request(client, path_and_query, on_response, context, false, error);
}

bool wj_client_get_best_effort(struct wj_client *client, const char *path_and_query,
                               wj_response_fn on_response, void *context, struct wj_error *error)
{
    return queue_request(client, path_and_query, on_response, context, true, error);
}

static size_t write_body(char *data, size_t size, size_t count, void *user_data)
{
    struct wj_request *request = user_data;
    size_t length = size * count;

    if (request->body.length + length > request->client->max_body_bytes) {
        request->too_large = true;
        return 0;
    }
    if (!wj_buffer_append(&request->body, data, length))
        return 0;
    return length;
}

static void copy_header_value(char *target, size_t size, const char *value, size_t length)
{
    while (length > 0 && (*value == ' ' || *value == '\t')) {
        value++;
        length--;
    }
    while (length > 0 && (value[length - 1] == '\r' || value[length - 1] == '\n'
                          || value[length - 1] == ' ' || value[length - 1] == '\t'))
        length--;
    if (length >= size)
        length = size - 1;
    memcpy(target, value, length);
    target[length] = '\0';
}

/* Parses an HTTP-date into epoch milliseconds, or returns -1 when curl cannot
 * read it or its milliseconds would overflow int64_t. curl_getdate (7.88)
 * accepts years up to INT_MAX, so a hostile header can name such a time. */
static int64_t http_date_ms(const char *value)
{
    time_t date = curl_getdate(value, NULL);

    if (date <= 0 || (int64_t)date > INT64_MAX / 1000)
        return -1;
    return (int64_t)date * 1000;
}

static size_t read_header(char *data, size_t size, size_t count, void *user_data)
{
    struct wj_request *request = user_data;
    size_t length = size * count;
    char value[128];

    if (length > 5 && strncasecmp(data, "Date:", 5) == 0) {
        int64_t date_ms;

        copy_header_value(value, sizeof value, data + 5, length - 5);
        date_ms = http_date_ms(value);
        if (date_ms >= 0)
            request->date_ms = date_ms;
    } else if (length > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        copy_header_value(request->retry_after, sizeof request->retry_after, data + 12, length - 12);
    }
    return length;
}

/* Every curl option for a request is set here, each one checked. */
static bool configure_easy(struct wj_request *request, int64_t remaining_ms, struct wj_error *error)
{
    struct wj_client *client = request->client;
    CURL *easy = curl_easy_init();
    CURLcode code = CURLE_OK;

    if (easy == NULL) {
        wj_error_set(error, WJ_ERR_INTERNAL, "libcurl could not create an easy handle");
        return false;
    }
    request->easy = easy;

#define SET(option, value)                                        \
    do {                                                          \
        if (code == CURLE_OK)                                     \
            code = curl_easy_setopt(easy, option, value);         \
    } while (0)

    SET(CURLOPT_URL, request->url);
    SET(CURLOPT_HTTPGET, 1L);
    SET(CURLOPT_HTTPHEADER, client->headers);
    SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
    /* Without it, removing a handle whose DNS lookup still runs waits for
     * the resolver thread, which can hold a run past its deadline. */
    SET(CURLOPT_QUICK_EXIT, 1L);
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_TIMEOUT_MS, (long)remaining_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)remaining_ms);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)client->max_body_bytes);
    SET(CURLOPT_WRITEFUNCTION, write_body);
    SET(CURLOPT_WRITEDATA, request);
    SET(CURLOPT_HEADERFUNCTION, read_header);
    SET(CURLOPT_HEADERDATA, request);
    SET(CURLOPT_ERRORBUFFER, request->curl_error);
    SET(CURLOPT_PRIVATE, (char *)request);
    SET(CURLOPT_SHARE, client->share);
    SET(CURLOPT_SSL_VERIFYPEER, client->insecure ? 0L : 1L);
    SET(CURLOPT_SSL_VERIFYHOST, client->insecure ? 0L : 2L);
    if (client->cacert)
        SET(CURLOPT_CAINFO, client->cacert);
    if (client->proxy)
        SET(CURLOPT_PROXY, client->proxy);
    if (client->user_agent)
        SET(CURLOPT_USERAGENT, client->user_agent);
#undef SET

    if (code != CURLE_OK) {
        wj_error_set(error, WJ_ERR_INTERNAL, "libcurl rejected an option: %s",
                     curl_easy_strerror(code));
        return false;
    }
    return true;
}

/* Sets the one message for a run that reached its deadline, whichever
 * request or wait noticed it first. */
static void set_deadline_error(const struct wj_client *client, struct wj_error *error)
{
    wj_error_set(error, WJ_ERR_TIMEOUT,
                 "timed out: the run's deadline of %.1f s passed while waiting for the API at %s. Raise %s or check the API's latency",
                 (double)(client->deadline_ms - client->run_started_ms) / 1000.0, client->display_url,
                 client->timeout_setting);
}

static bool start_request(struct wj_client *client, struct wj_request *request,
                          struct wj_error *error)
{
    int64_t remaining_ms = client->deadline_ms - wj_monotonic_ms();

    if (remaining_ms <= 0) {
        set_deadline_error(client, error);
        return false;
    }

    if (request->easy) {
        curl_easy_cleanup(request->easy);
        request->easy = NULL;
    }
    wj_buffer_reset(&request->body);
    request->too_large = false;
    request->retry_after[0] = '\0';
    request->curl_error[0] = '\0';
    request->attempts++;

    if (!configure_easy(request, remaining_ms, error))
        return false;

    if (curl_multi_add_handle(client->multi, request->easy) != CURLM_OK) {
        wj_error_set(error, WJ_ERR_INTERNAL, "libcurl could not start the request for %s",
                     request->path);
        return false;
    }

    add_active(client, request);
    client->stats.requests++;
    client_log(client, 2, "GET %s (attempt %d)", request->display_url, request->attempts);
    return true;
}

static bool fail_request(struct wj_client *client, struct wj_request *request, const struct wj_error *failure,
                         struct wj_error *error);

/* Starts queued requests that are due, up to the parallel limit, keeping the
 * ones still waiting for a retry in the queue.
 * NOTE: best-effort requests that fail to start share the last failure. For
 * the deadline that is the same message, but a libcurl setup failure may
 * name another request's path. */
static bool start_due_requests(struct wj_client *client, struct wj_error *error)
{
    struct wj_request **link = &client->queue_head;
    struct wj_request *unstarted = NULL;
    struct wj_error failure = {0};
    int64_t now = wj_monotonic_ms();

    client->queue_tail = NULL;
    while (*link) {
        struct wj_request *request = *link;

        if (client->active >= client->max_parallel || request->due_ms > now) {
            client->queue_tail = request;
            link = &request->next;
            continue;
        }

        *link = request->next;
        request->next = NULL;
        if (start_request(client, request, &failure))
            continue;
        if (!request->best_effort) {
            *error = failure;
            request_free(request);
            return false;
        }
        /* Handed to its callback after the loop, which may queue requests
         * and so must not run while the queue is being relinked. */
        request->next = unstarted;
        unstarted = request;
    }

    while (unstarted) {
        struct wj_request *request = unstarted;

        unstarted = request->next;
        request->next = NULL;
        if (!fail_request(client, request, &failure, error)) {
            while (unstarted) {
                request = unstarted;
                unstarted = request->next;
                request_free(request);
            }
            return false;
        }
    }
    return true;
}

static void error_from_curl(struct wj_request *request, CURLcode code, struct wj_error *error)
{
    const char *detail = request->curl_error[0] ? request->curl_error : curl_easy_strerror(code);
    /* Connection failures name the base URL, because any request in flight
     * may report them first and its URL would vary from run to run. */
    const char *url = request->client->display_url;

    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        /* curl's own text gives the time this transfer ran, not the run's
         * deadline that cut it short, so it is left out. */
        set_deadline_error(request->client, error);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        wj_error_set(error, WJ_ERR_UNREACHABLE, "DNS lookup failed for %s (%s). Check the URL and the DNS resolver",
                     url, detail);
        break;
    case CURLE_COULDNT_RESOLVE_PROXY:
        wj_error_set(error, WJ_ERR_UNREACHABLE,
                     "DNS lookup of the proxy failed while requesting %s (%s). Check the proxy setting, the proxy "
                     "environment variables and the DNS resolver",
                     url, detail);
        break;
    case CURLE_COULDNT_CONNECT:
        wj_error_set(error, WJ_ERR_UNREACHABLE, "could not connect to %s (%s). Check the URL, proxy and firewall",
                     url, detail);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        wj_error_set(error, WJ_ERR_UNREACHABLE,
                     "TLS certificate of %s could not be verified (%s). If the API uses a private CA, give its bundle with %s",
                     url, detail, request->client->cacert_setting);
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        wj_error_set(error, WJ_ERR_UNREACHABLE,
                     "TLS handshake with %s failed (%s). Check that the URL's scheme matches the server, and if the API uses a private CA, give its bundle with %s",
                     url, detail, request->client->cacert_setting);
        break;
    case CURLE_GOT_NOTHING:
        wj_error_set(error, WJ_ERR_UNREACHABLE,
                     "the API closed the connection without a response to %s (%s). Check the URL and any proxy in between",
                     url, detail);
        break;
    case CURLE_PARTIAL_FILE:
        wj_error_set(error, WJ_ERR_UNREACHABLE,
                     "the response from %s was cut off: the connection closed before the whole body arrived (%s). Try again, and check any proxy in between if it persists",
                     request->display_url, detail);
        break;
    case CURLE_SSL_CACERT_BADFILE:
        wj_error_set(error, WJ_ERR_CONFIG, "cannot load the CA bundle given with %s (%s). Check its path and that it contains PEM certificates",
                     request->client->cacert_setting, detail);
        break;
    case CURLE_FILESIZE_EXCEEDED:
        wj_error_set(error, WJ_ERR_TOO_LARGE, "response from %s is larger than the %zu MiB limit", request->display_url,
                     request->client->max_body_bytes / (1024 * 1024));
        break;
    case CURLE_WRITE_ERROR:
        if (request->too_large) {
            wj_error_set(error, WJ_ERR_TOO_LARGE, "response from %s is larger than the %zu MiB limit", request->display_url,
                         request->client->max_body_bytes / (1024 * 1024));
            break;
        }
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory reading the response from %s", request->display_url);
        break;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        wj_error_set(error, WJ_ERR_CONFIG, "invalid URL %s (%s). Check the URL", request->display_url, detail);
        break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        wj_error_set(error, WJ_ERR_UNREACHABLE,
                     "request to %s failed (%s). Check that the URL's scheme (http or https) matches the server, and any proxy in between",
                     url, detail);
        break;
    default:
        wj_error_set(error, WJ_ERR_UNREACHABLE, "request to %s failed (%s)", url, detail);
        break;
    }
}

/* Milliseconds to wait before retrying, from a Retry-After of seconds or
 * an HTTP-date. One second when the header is absent or unreadable. */
static int64_t retry_delay_ms(const struct wj_request *request)
{
    const char *value = request->retry_after;
    char *end = NULL;
    long long seconds;
    int64_t date_ms;
    int64_t reference_ms;

    if (value[0] == '\0')
        return 1000;

    if (value[0] >= '0' && value[0] <= '9') {
        seconds = strtoll(value, &end, 10);
        if (*end == '\0' && seconds >= 0 && seconds < 86400 * 365)
            return (int64_t)seconds * 1000;
        return 1000;
    }

    date_ms = http_date_ms(value);
    if (date_ms < 0)
        return 1000;

    /* An HTTP-date is measured against the server's own clock when it sent one. */
    reference_ms = request->date_ms >= 0 ? request->date_ms : wj_realtime_ms();
    if (date_ms <= reference_ms)
        return 0;
    return date_ms - reference_ms;
}

static void describe_status(long status, char *buffer, size_t size)
{
    const char *reason = "";

    switch (status) {
    case 400: reason = " Bad Request"; break;
    case 401: reason = " Unauthorized"; break;
    case 403: reason = " Forbidden"; break;
    case 404: reason = " Not Found"; break;
    case 429: reason = " Too Many Requests"; break;
    case 500: reason = " Internal Server Error"; break;
    case 502: reason = " Bad Gateway"; break;
    case 503: reason = " Service Unavailable"; break;
    case 504: reason = " Gateway Timeout"; break;
    default: break;
    }
    snprintf(buffer, size, "HTTP %ld%s", status, reason);
}

static void error_from_status(struct wj_request *request, long status, struct wj_error *error)
{
    /* Large enough for any accepted key, so the key is redacted whole
     * before the message is cut to fit the error. */
    char api_message[8192];
    char described[64];
    char api_part[300] = "";

    wj_parse_error_message(wj_buffer_text(&request->body), request->body.length, api_message,
                           sizeof api_message);
    wj_text_redact(api_message, request->client->token);
    if (api_message[0])
        snprintf(api_part, sizeof api_part, ": %.200s", api_message);
    describe_status(status, described, sizeof described);

    if (status == 401 || status == 403)
        wj_error_set(error, WJ_ERR_AUTH, "%s from %s%s. Check the API key", described, request->path,
                     api_part);
    else if (status == 404)
        wj_error_set(error, WJ_ERR_NOT_FOUND, "%s from %s%s. Check that the URL is the API's base URL, without /v1",
                     described, request->display_url, api_part);
    else if (status == 429 && request->attempts >= MAX_ATTEMPTS)
        wj_error_set(error, WJ_ERR_RATE_LIMITED,
                     "the API is still rate limiting requests (%s from %s) after %d attempts. Check less often",
                     described, request->path, request->attempts);
    else if (status == 429)
        wj_error_set(error, WJ_ERR_RATE_LIMITED,
                     "the API is rate limiting requests (%s from %s, Retry-After %s) beyond the deadline. Raise %s or check less often",
                     described, request->path, request->retry_after[0] ? request->retry_after : "absent",
                     request->client->timeout_setting);
    else if (status >= 500)
        wj_error_set(error, WJ_ERR_SERVER, "API server error %s from %s%s. Try again later", described,
                     request->path, api_part);
    else if (status >= 300 && status < 400)
        wj_error_set(error, WJ_ERR_RESPONSE, "unexpected redirect %s from %s. Give the final API address as the URL",
                     described, request->path);
    else
        wj_error_set(error, WJ_ERR_RESPONSE, "unexpected %s from %s%s. Check the URL and the API's status page",
                     described, request->path, api_part);
}

/* Puts a rate-limited request back in the queue when its wait fits before
 * the deadline. */
static bool schedule_retry(struct wj_client *client, struct wj_request *request)
{
    int64_t delay_ms = retry_delay_ms(request);
    int64_t now = wj_monotonic_ms();

    if (request->attempts >= MAX_ATTEMPTS)
        return false;
    /* Compared as a difference because now + delay_ms overflows for a
     * far-future Retry-After date. */
    if (delay_ms >= client->deadline_ms - now - RETRY_MARGIN_MS)
        return false;

    client_log(client, 1, "HTTP 429 from %s, retrying in %lld ms", request->path, (long long)delay_ms);
    request->due_ms = now + delay_ms;
    enqueue(client, request);
    return true;
}

static void note_server_time(struct wj_client *client, const struct wj_request *request)
{
    if (request->date_ms > client->server_time_ms)
        client->server_time_ms = request->date_ms;
}

/* Logs the start of a body at level 3. The key is redacted before the body
 * is cut, so a key that straddles the cut cannot leave its first bytes. */
/* Logs the start of a body that redact_body has already cleared of the key. */
static void log_body_start(const struct wj_client *client, const struct wj_buffer *body)
{
    int length = body->length < LOGGED_BODY_BYTES ? (int)body->length : LOGGED_BODY_BYTES;

    client_log(client, 3, "body starts: %.*s", length, wj_buffer_text(body));
}

/* Removes the key from a body that echoes it, before any part of the body
 * can be quoted, cut, in an error message or a log line. */
static void redact_body(const struct wj_client *client, struct wj_request *request)
{
    size_t token_length = strlen(client->token);
    char *cursor = request->body.data;
    size_t left = request->body.length;
    char *match;

    if (cursor == NULL || token_length < 4)
        return;

    if (strlen(cursor) == left) {
        wj_text_redact(cursor, client->token);
        request->body.length = strlen(cursor);
        return;
    }

    /* A body with NUL bytes: memmem finds a key past them, which is then
     * overwritten byte for byte, so the length stays the same. */
    while ((match = memmem(cursor, left, client->token, token_length)) != NULL) {
        memset(match, '*', token_length);
        left -= (size_t)(match + token_length - cursor);
        cursor = match + token_length;
    }
}

/* Ends a request that failed with failure. A required one ends the run with
 * that error; a best-effort one hands it to its callback and the run goes on.
 * Frees request. */
static bool fail_request(struct wj_client *client, struct wj_request *request, const struct wj_error *failure,
                         struct wj_error *error)
{
    struct wj_response response = {request->path, 0, "", 0, failure};
    bool handled;

    if (!request->best_effort) {
        *error = *failure;
        request_free(request);
        return false;
    }

    client_log(client, 1, "best-effort request %s failed, going on without it: %s", request->path,
               failure->message);
    handled = request->on_response(request->context, &response, error);
    request_free(request);
    return handled;
}

/* Handles one finished transfer. Takes ownership of request: it is freed or
 * queued again for a retry. */
static bool finish_request(struct wj_client *client, struct wj_request *request, CURLcode code,
                           struct wj_error *error)
{
    long status = 0;
    struct wj_response response = {0};
    struct wj_error failure = {0};
    bool handled;

    remove_active(client, request);

    if (code != CURLE_OK) {
        error_from_curl(request, code, &failure);
        return fail_request(client, request, &failure, error);
    }

    curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &status);
    note_server_time(client, request);
    redact_body(client, request);
    client_log(client, 2, "HTTP %ld from %s, %zu bytes", status, request->path, request->body.length);
    log_body_start(client, &request->body);

    if (status == 429 && schedule_retry(client, request))
        return true;

    if (status < 200 || status > 299) {
        error_from_status(request, status, &failure);
        return fail_request(client, request, &failure, error);
    }

    response.path = request->path;
    response.status = status;
    response.body = wj_buffer_text(&request->body);
    response.length = request->body.length;
    handled = request->on_response(request->context, &response, error);
    request_free(request);
    return handled;
}

static bool collect_finished(struct wj_client *client, struct wj_error *error)
{
    CURLMsg *message;
    int left;

    while ((message = curl_multi_info_read(client->multi, &left)) != NULL) {
        struct wj_request *request = NULL;

        if (message->msg != CURLMSG_DONE)
            continue;

        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&request);
        if (!finish_request(client, request, message->data.result, error))
            return false;
    }
    return true;
}

/* Milliseconds to wait in curl_multi_poll: until the next retry is due or the
 * deadline, whichever comes first, and never more than a second. A request
 * that is due but waits for a free transfer slot does not shorten the wait,
 * because the transfer that frees the slot wakes the poll. */
static int poll_timeout_ms(const struct wj_client *client)
{
    int64_t now = wj_monotonic_ms();
    int64_t wait = client->deadline_ms - now;
    bool slot_free = client->active < client->max_parallel;

    for (const struct wj_request *request = client->queue_head; request; request = request->next) {
        if (request->due_ms <= now && !slot_free)
            continue;
        if (request->due_ms - now < wait)
            wait = request->due_ms - now;
    }
    if (wait > 1000)
        wait = 1000;
    if (wait < 0)
        wait = 0;
    return (int)wait;
}

static bool only_best_effort_left(const struct wj_client *client)
{
    for (const struct wj_request *request = client->queue_head; request; request = request->next) {
        if (!request->best_effort)
            return false;
    }
    for (const struct wj_request *request = client->active_head; request; request = request->active_next) {
        if (!request->best_effort)
            return false;
    }
    return true;
}

/* At the deadline: a required request still open fails the run, while
 * best-effort ones are handed the timeout and the run ends with what it has. */
static bool expire_requests(struct wj_client *client, struct wj_error *error)
{
    struct wj_error failure = {0};
    struct wj_request *queued = client->queue_head;
    struct wj_request *request;

    set_deadline_error(client, &failure);
    if (!only_best_effort_left(client)) {
        *error = failure;
        return false;
    }

    /* Detached first, because a callback may queue a request. */
    client->queue_head = NULL;
    client->queue_tail = NULL;
    while ((request = queued) != NULL) {
        queued = request->next;
        request->next = NULL;
        if (!fail_request(client, request, &failure, error)) {
            while ((request = queued) != NULL) {
                queued = request->next;
                request_free(request);
            }
            return false;
        }
    }
    while ((request = client->active_head) != NULL) {
        remove_active(client, request);
        if (!fail_request(client, request, &failure, error))
            return false;
    }

    /* Anything queued by those callbacks comes after the deadline. */
    if (client->queue_head) {
        *error = failure;
        return false;
    }
    return true;
}

static bool run_loop(struct wj_client *client, struct wj_error *error)
{
    int running = 0;

    while (client->queue_head || client->active > 0) {
        if (!start_due_requests(client, error))
            return false;

        if (curl_multi_perform(client->multi, &running) != CURLM_OK) {
            wj_error_set(error, WJ_ERR_INTERNAL, "libcurl multi transfer failed");
            return false;
        }
        if (!collect_finished(client, error))
            return false;

        if ((client->queue_head || client->active > 0) && wj_monotonic_ms() >= client->deadline_ms)
            return expire_requests(client, error);

        if ((client->queue_head || client->active > 0)
            && curl_multi_poll(client->multi, NULL, 0, poll_timeout_ms(client), NULL) != CURLM_OK) {
            wj_error_set(error, WJ_ERR_INTERNAL, "libcurl multi poll failed");
            return false;
        }
    }
    return true;
}

bool wj_client_run(struct wj_client *client, int64_t deadline_ms, struct wj_error *error)
{
    int64_t started = wj_monotonic_ms();
    bool completed;

    client->deadline_ms = deadline_ms;
    client->run_started_ms = started;
    client->server_time_ms = -1;

    completed = run_loop(client, error);
    if (!completed) {
        drop_all(client);
        client_log(client, 1, "run failed: %s", error->message);
    }

    client->stats.request_seconds += (double)(wj_monotonic_ms() - started) / 1000.0;
    return completed;
}

int64_t wj_client_server_time(const struct wj_client *client)
{
    return client->server_time_ms;
}

struct wj_client_stats wj_client_stats(const struct wj_client *client)
{
    return client->stats;
}

const char *wj_client_display_url(const struct wj_client *client)
{
    return client->display_url;
}
