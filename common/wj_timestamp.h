/* ISO 8601 timestamps from the API, converted to UTC instants without any
 * local-time function, so the host's TZ never changes a result. */
#ifndef WJ_TIMESTAMP_H
#define WJ_TIMESTAMP_H

#include <stdbool.h>
#include <stdint.h>

/* Parses "YYYY-MM-DDTHH:MM:SS" followed by an optional fraction of any length
 * (kept to the millisecond, truncated) and a zone: "Z", "+hh:mm", "-hh:mm",
 * "+hhmm" or "+hh". A space or lowercase 't' may stand for 'T' and 'z' for
 * 'Z'. A timestamp without a zone is taken as UTC because the API documents
 * all its timestamps as UTC. Stores milliseconds since the Unix epoch. Rejects
 * out-of-range fields (month 13, February 30, hour 24, second 60, offset
 * over 23:59), a year of other than 4 digits and trailing text. */
bool wj_timestamp_parse(const char *text, int64_t *epoch_ms);

/* Converts a civil UTC date and time to seconds since the epoch; exposed for
 * tests. Month is 1-12. */
int64_t wj_timestamp_from_civil(int year, int month, int day, int hour, int minute, int second);

#endif
