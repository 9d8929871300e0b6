#include "wj_state.h"

int wj_state_severity(enum wj_state state)
{
    switch (state) {
    case WJ_STATE_OK:
        return 0;
    case WJ_STATE_UNKNOWN:
        return 1;
    case WJ_STATE_WARNING:
        return 2;
    case WJ_STATE_CRITICAL:
        return 3;
    }
    return 1;
}

enum wj_state wj_state_worst(enum wj_state a, enum wj_state b)
{
    return wj_state_severity(a) >= wj_state_severity(b) ? a : b;
}

const char *wj_state_name(enum wj_state state)
{
    switch (state) {
    case WJ_STATE_OK:
        return "OK";
    case WJ_STATE_WARNING:
        return "WARNING";
    case WJ_STATE_CRITICAL:
        return "CRITICAL";
    case WJ_STATE_UNKNOWN:
        return "UNKNOWN";
    }
    return "UNKNOWN";
}
