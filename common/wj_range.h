/* Nagios threshold ranges as the Monitoring Plugins Development Guidelines
 * define them: "N" alerts outside 0..N, "N:" below N, "~:N" above N, "N:M"
 * outside N..M and "@N:M" inside N..M, endpoints included in the range. */
#ifndef WJ_RANGE_H
#define WJ_RANGE_H

#include <stdbool.h>

#include "wj_error.h"

#define WJ_RANGE_TEXT_SIZE 64

struct wj_range {
    bool is_set;            /* false: the option was not given, never alerts */
    bool start_infinite;    /* "~" as start */
    bool end_infinite;      /* "N:" form */
    bool alert_inside;      /* "@" prefix */
    double start;
    double end;
    char text[WJ_RANGE_TEXT_SIZE]; /* the text as given, for performance data */
};

/* Parses text into range. On failure sets error (kind WJ_ERR_CONFIG) with a
 * message that quotes the text and says what form is expected, and leaves
 * range unset (zeroed). Rejects an empty text, junk, exponents, start greater
 * than end, a negative single number ("-5" would mean 0:-5), an empty start
 * (":10"), "~" as the end ("~:~"), and text longer than
 * WJ_RANGE_TEXT_SIZE - 1 bytes. "~:" is accepted: it is the whole line, so it
 * never alerts, and "@~:" always alerts. */
bool wj_range_parse(const char *text, struct wj_range *range, struct wj_error *error);

/* True when value raises an alert under range; false when range is unset. */
bool wj_range_alerts(const struct wj_range *range, double value);

#endif
