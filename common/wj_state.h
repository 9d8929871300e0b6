/* Nagios plugin states and their ranking. */
#ifndef WJ_STATE_H
#define WJ_STATE_H

enum wj_state {
    WJ_STATE_OK = 0,
    WJ_STATE_WARNING = 1,
    WJ_STATE_CRITICAL = 2,
    WJ_STATE_UNKNOWN = 3
};

/* Rank of a state, from 0 for OK to 3 for CRITICAL, in the order
 * CRITICAL > WARNING > UNKNOWN > OK. */
int wj_state_severity(enum wj_state state);

/* The worse of two states, ranked CRITICAL > WARNING > UNKNOWN > OK. */
enum wj_state wj_state_worst(enum wj_state a, enum wj_state b);

/* "OK", "WARNING", "CRITICAL" or "UNKNOWN". */
const char *wj_state_name(enum wj_state state);

#endif
