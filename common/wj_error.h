/* Error results shared by every module of the core library. */
#ifndef WJ_ERROR_H
#define WJ_ERROR_H

#include <stdbool.h>

enum wj_error_kind {
    WJ_ERR_NONE = 0,
    WJ_ERR_CONFIG,       /* invalid option, value or configuration key */
    WJ_ERR_AUTH,         /* HTTP 401 or 403 */
    WJ_ERR_NOT_FOUND,    /* HTTP 404 */
    WJ_ERR_UNREACHABLE,  /* DNS, connect or TLS failure, or connection closed */
    WJ_ERR_TIMEOUT,      /* the run's deadline passed */
    WJ_ERR_RATE_LIMITED, /* HTTP 429 that could not be waited out */
    WJ_ERR_SERVER,       /* HTTP 5xx */
    WJ_ERR_RESPONSE,     /* unexpected status, body not JSON or of the wrong shape */
    WJ_ERR_TOO_LARGE,    /* body over the size cap */
    WJ_ERR_INTERNAL      /* out of memory or a library failure */
};

#define WJ_ERROR_MESSAGE_SIZE 512

struct wj_error {
    enum wj_error_kind kind;
    char message[WJ_ERROR_MESSAGE_SIZE];
};

/* Sets kind and a printf-style message. A message longer than the buffer is
 * cut, never overflowed. */
void wj_error_set(struct wj_error *error, enum wj_error_kind kind, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "PREFIX: " to the message, for callers that add context such as
 * the option or the job concerned. */
void wj_error_prefix(struct wj_error *error, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends printf-style text to the message, for a hint on what to do. */
void wj_error_append(struct wj_error *error, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* True for the causes that mean the API could not be reached or did not
 * respond in full (DNS, connect, TLS, a closed connection, timeout, 429,
 * 5xx). A user may map these to another state, while configuration,
 * authentication and response errors stay UNKNOWN. */
bool wj_error_is_unreachable(enum wj_error_kind kind);

/* Short name of the kind, for logs and tests ("timeout", "auth", ...). */
const char *wj_error_kind_name(enum wj_error_kind kind);

#endif
