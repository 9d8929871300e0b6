/* Text that came from the API or a user, made safe to print in plugin output
 * and logs. */
#ifndef WJ_TEXT_H
#define WJ_TEXT_H

#include <stddef.h>

/* Copies text into buffer (NUL-terminated unless size is 0, cut to size on a
 * UTF-8 character boundary) with '|' replaced by '/', ';' by ',' (Nagios 4
 * rewrites ';' in a first line to ':'), and CR, LF, tab, other control
 * characters and DEL by ' ', so API text can never split the plugin output
 * or its performance data. A NULL text gives "". Returns buffer. */
char *wj_text_sanitize(char *buffer, size_t size, const char *text);

/* Size of a buffer for wj_text_excerpt: a text of up to 83 bytes fits whole,
 * a longer one keeps its first 80 bytes and "...". */
#define WJ_TEXT_EXCERPT_SIZE 84

/* Sanitizes text into buffer as wj_text_sanitize does, but ends it with "..."
 * when text does not fit, so an error message that quotes a value shows that
 * it was cut. Returns buffer. */
char *wj_text_excerpt(char *buffer, size_t size, const char *text);

/* Replaces every occurrence of secret in text, in place, by "[redacted]",
 * or by "***" when secret is shorter than that word, so the text never grows
 * and a short key's length does not show. Does nothing when secret is NULL
 * or shorter than 4 bytes, which the front ends reject as API keys. */
void wj_text_redact(char *text, const char *secret);

#endif
