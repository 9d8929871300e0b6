#include "wj_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void wj_error_set(struct wj_error *error, enum wj_error_kind kind, const char *format, ...)
{
    va_list args;

    if (error == NULL)
        return;

    error->kind = kind;
    va_start(args, format);
    vsnprintf(error->message, sizeof error->message, format, args);
    va_end(args);
}

void wj_error_prefix(struct wj_error *error, const char *format, ...)
{
    char prefix[WJ_ERROR_MESSAGE_SIZE];
    char joined[WJ_ERROR_MESSAGE_SIZE];
    va_list args;

    if (error == NULL)
        return;

    va_start(args, format);
    vsnprintf(prefix, sizeof prefix, format, args);
    va_end(args);

    /* A joined text longer than the buffer is cut, as wj_error_set does. */
    if (snprintf(joined, sizeof joined, "%s: %s", prefix, error->message) < 0)
        return;
    memcpy(error->message, joined, sizeof joined);
}

void wj_error_append(struct wj_error *error, const char *format, ...)
{
    size_t length;
    va_list args;

    if (error == NULL)
        return;

    length = strlen(error->message);
    va_start(args, format);
    vsnprintf(error->message + length, sizeof error->message - length, format, args);
    va_end(args);
}

bool wj_error_is_unreachable(enum wj_error_kind kind)
{
    switch (kind) {
    case WJ_ERR_UNREACHABLE:
    case WJ_ERR_TIMEOUT:
    case WJ_ERR_RATE_LIMITED:
    case WJ_ERR_SERVER:
        return true;
    default:
        return false;
    }
}

const char *wj_error_kind_name(enum wj_error_kind kind)
{
    switch (kind) {
    case WJ_ERR_NONE:
        return "none";
    case WJ_ERR_CONFIG:
        return "config";
    case WJ_ERR_AUTH:
        return "auth";
    case WJ_ERR_NOT_FOUND:
        return "not_found";
    case WJ_ERR_UNREACHABLE:
        return "unreachable";
    case WJ_ERR_TIMEOUT:
        return "timeout";
    case WJ_ERR_RATE_LIMITED:
        return "rate_limited";
    case WJ_ERR_SERVER:
        return "server";
    case WJ_ERR_RESPONSE:
        return "response";
    case WJ_ERR_TOO_LARGE:
        return "too_large";
    case WJ_ERR_INTERNAL:
        return "internal";
    }
    return "unknown";
}
