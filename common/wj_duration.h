/* DURATION values: a whole number of seconds ("90") or whole numbers with the
 * units s, m, h and d, combinable in any order ("90s", "15m", "1h30m",
 * "30m1h", "2d"). */
#ifndef WJ_DURATION_H
#define WJ_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wj_error.h"

/* Parses text into whole seconds. On failure sets error (kind WJ_ERR_CONFIG)
 * with a message quoting the text and giving an example of the valid form.
 * Rejects an empty text, signs, decimals, spaces, unknown units, a unit used
 * twice, a bare number after a unit ("1h30"), and totals above 100 years. */
bool wj_duration_parse(const char *text, int64_t *seconds, struct wj_error *error);

/* Writes seconds as a short human duration ("45s", "15m", "1h30m", "2d3h"),
 * largest unit first and zero parts dropped. Zero is "0s", and a negative
 * value gets a leading '-'. wj_duration_parse reads a result of 0 or more
 * back to the same value. Returns the length as snprintf does. */
int wj_duration_format(char *buffer, size_t size, int64_t seconds);

#endif
