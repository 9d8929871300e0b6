/* Growable text buffer, always NUL-terminated. */
#ifndef WJ_BUFFER_H
#define WJ_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

struct wj_buffer {
    char *data;      /* NULL until the first append */
    size_t length;   /* bytes before the terminating NUL */
    size_t capacity;
    bool failed;     /* an allocation failed; later appends do nothing */
};

/* Appends bytes; returns false (and sets failed) when memory runs out. */
bool wj_buffer_append(struct wj_buffer *buffer, const char *bytes, size_t length);
bool wj_buffer_append_string(struct wj_buffer *buffer, const char *text);

/* Appends printf-style text. Callers must not pass floating-point conversions,
 * whose decimal point depends on the locale: use wj_number_format instead. */
bool wj_buffer_printf(struct wj_buffer *buffer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Returns the text, "" for an empty buffer. */
const char *wj_buffer_text(const struct wj_buffer *buffer);

void wj_buffer_reset(struct wj_buffer *buffer);
void wj_buffer_free(struct wj_buffer *buffer);

#endif
