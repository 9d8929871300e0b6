/* Decimal numbers read and written with a '.' decimal point and without
 * exponents, whatever the LC_NUMERIC setting, because Nagios performance data and
 * range syntax are locale-independent. */
#ifndef WJ_NUMBER_H
#define WJ_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

/* Outcome of wj_number_parse_prefix, so that a caller can report whether the
 * syntax or the size of a number is wrong. */
enum wj_number_status {
    WJ_NUMBER_OK,
    WJ_NUMBER_INVALID,
    WJ_NUMBER_TOO_LARGE /* well-formed, but beyond +-1e15 */
};

/* Parses an optional sign ('+' or '-'), digits and an optional fraction
 * ("12", "-0.5", "3.", ".25") from the start of text. On success stores the
 * value, sets *end (when end is not NULL) to the first byte not used and
 * returns WJ_NUMBER_OK. Rejects exponents ("1e3", also as a prefix), hex
 * ("0x1"), inf, nan and leading spaces (WJ_NUMBER_INVALID), and values beyond
 * +-1e15, so no precision is lost when the value is written back
 * (WJ_NUMBER_TOO_LARGE). Fraction digits past the precision of a double are
 * ignored. */
enum wj_number_status wj_number_parse_prefix(const char *text, double *value, const char **end);

/* Same, but the whole string must be the number. */
bool wj_number_parse(const char *text, double *value);

/* Writes value rounded half away from zero to at most 3 decimals, trailing
 * zeros and a trailing '.' removed ("2", "0.5", "-1.25", "1800"), and "0"
 * rather than "-0". Returns the length written, as snprintf does; the buffer
 * should hold at least 32 bytes. Values beyond +-1e15 (infinities included)
 * are written clamped to that bound. NaN, which callers use for a value they
 * could not determine, is written "U" as the performance data guidelines
 * say. The rounding applies to the binary value, so a decimal half such as
 * 1.0005 may round either way. */
int wj_number_format(char *buffer, size_t size, double value);

#endif
