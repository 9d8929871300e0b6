#include "wj_duration.h"

#include <stdio.h>
#include <string.h>

#include "wj_text.h"

/* 100 years of 365.25 days. */
#define MAX_DURATION_SECONDS ((int64_t)36525 * 86400)

#define EXPECTED_FORM "expected whole seconds or whole numbers with the units s, m, h and d, " \
                      "such as 90, 15m or 1h30m"

struct unit {
    char letter;
    int64_t seconds;
};

static const struct unit units[] = {
    {'d', 86400},
    {'h', 3600},
    {'m', 60},
    {'s', 1},
};

#define UNIT_COUNT (sizeof units / sizeof units[0])

static bool fail(struct wj_error *error, const char *text, const char *reason)
{
    char quoted[WJ_TEXT_EXCERPT_SIZE];

    wj_text_excerpt(quoted, sizeof quoted, text);
    wj_error_set(error, WJ_ERR_CONFIG, "invalid duration \"%s\": %s", quoted, reason);
    return false;
}

static int find_unit(char letter)
{
    size_t i;

    for (i = 0; i < UNIT_COUNT; i++) {
        if (units[i].letter == letter)
            return (int)i;
    }
    return -1;
}

/* Reads the digits at *cursor. Returns false when there are none, or when the
 * number alone exceeds the maximum (which also keeps it from overflowing). */
static bool read_number(const char **cursor, int64_t *number, bool *too_large)
{
    const char *p = *cursor;
    int64_t value = 0;

    if (*p < '0' || *p > '9')
        return false;

    for (; *p >= '0' && *p <= '9'; p++) {
        value = value * 10 + (*p - '0');
        if (value > MAX_DURATION_SECONDS) {
            *too_large = true;
            return false;
        }
    }

    *number = value;
    *cursor = p;
    return true;
}

/* Adds `number` of the unit whose letter is at *cursor to *total. Returns the
 * reason for a failure, or NULL. */
static const char *add_part(const char **cursor, int64_t number, bool unit_seen[],
                            int64_t *total)
{
    int unit = find_unit(**cursor);

    if (unit < 0)
        return EXPECTED_FORM;
    if (unit_seen[unit])
        return "a unit is given twice";
    unit_seen[unit] = true;
    (*cursor)++;

    /* number <= MAX and *total <= MAX, so neither step below can overflow. */
    if (number > MAX_DURATION_SECONDS / units[unit].seconds)
        return "longer than 100 years";
    *total += number * units[unit].seconds;
    if (*total > MAX_DURATION_SECONDS)
        return "longer than 100 years";
    return NULL;
}

bool wj_duration_parse(const char *text, int64_t *seconds, struct wj_error *error)
{
    bool unit_seen[UNIT_COUNT] = {false};
    const char *p = text ? text : "";
    int64_t total = 0;

    if (*p == '\0')
        return fail(error, p, "the value is empty, " EXPECTED_FORM);

    while (*p != '\0') {
        const char *number_start = p;
        const char *reason;
        bool too_large = false;
        int64_t number;

        if (!read_number(&p, &number, &too_large))
            return fail(error, text, too_large ? "longer than 100 years" : EXPECTED_FORM);

        /* A number without a unit is whole seconds, but only as the entire
         * value: "1h30" is more likely a mistake for 1h30m than 1h30s. */
        if (*p == '\0' && number_start == text) {
            total = number;
            break;
        }
        if (*p == '\0')
            return fail(error, text, "a number after a unit needs its own unit, such as 1h30m");

        reason = add_part(&p, number, unit_seen, &total);
        if (reason != NULL)
            return fail(error, text, reason);
    }

    *seconds = total;
    return true;
}

int wj_duration_format(char *buffer, size_t size, int64_t seconds)
{
    char text[64];
    size_t length = 0;
    uint64_t rest;
    size_t i;

    if (seconds == 0)
        return snprintf(buffer, size, "0s");

    /* Negative ages arise when the API's clock is ahead of the one used for now. */
    if (seconds < 0) {
        text[length++] = '-';
        rest = (uint64_t)0 - (uint64_t)seconds;
    } else {
        rest = (uint64_t)seconds;
    }

    for (i = 0; i < UNIT_COUNT; i++) {
        uint64_t count = rest / (uint64_t)units[i].seconds;

        if (count == 0)
            continue;
        rest -= count * (uint64_t)units[i].seconds;
        length += (size_t)snprintf(text + length, sizeof text - length, "%llu%c",
                                   (unsigned long long)count, units[i].letter);
    }
    text[length] = '\0';

    return snprintf(buffer, size, "%s", text);
}
