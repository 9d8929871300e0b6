#include "wj_buffer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct wj_buffer *buffer, size_t extra)
{
    size_t needed;
    size_t capacity;
    char *grown;

    if (buffer->failed)
        return false;

    needed = buffer->length + extra + 1;
    if (needed <= buffer->capacity)
        return true;

    capacity = buffer->capacity ? buffer->capacity : 256;
    while (capacity < needed)
        capacity *= 2;

    grown = realloc(buffer->data, capacity);
    if (grown == NULL) {
        buffer->failed = true;
        return false;
    }

    buffer->data = grown;
    buffer->capacity = capacity;
    return true;
}

bool wj_buffer_append(struct wj_buffer *buffer, const char *bytes, size_t length)
{
    if (!reserve(buffer, length))
        return false;

    memcpy(buffer->data + buffer->length, bytes, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
    return true;
}

bool wj_buffer_append_string(struct wj_buffer *buffer, const char *text)
{
    return wj_buffer_append(buffer, text, strlen(text));
}

bool wj_buffer_printf(struct wj_buffer *buffer, const char *format, ...)
{
    va_list args;
    int needed;

    va_start(args, format);
    needed = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (needed < 0 || !reserve(buffer, (size_t)needed))
        return false;

    va_start(args, format);
    vsnprintf(buffer->data + buffer->length, (size_t)needed + 1, format, args);
    va_end(args);
    buffer->length += (size_t)needed;
    return true;
}

const char *wj_buffer_text(const struct wj_buffer *buffer)
{
    return buffer->data ? buffer->data : "";
}

void wj_buffer_reset(struct wj_buffer *buffer)
{
    buffer->length = 0;
    if (buffer->data)
        buffer->data[0] = '\0';
}

void wj_buffer_free(struct wj_buffer *buffer)
{
    free(buffer->data);
    buffer->data = NULL;
    buffer->length = 0;
    buffer->capacity = 0;
    buffer->failed = false;
}
