/* Unit tests for wj_timestamp: ISO 8601 timestamps as the API sends them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wj_timestamp.h"

/* 2025-01-15T10:30:00Z in milliseconds since the epoch. */
#define JAN_15_1030 1736937000000LL

struct timestamp_case {
    const char *text;
    int64_t epoch_ms;
};

struct civil_case {
    int year, month, day, hour, minute, second;
    int64_t epoch_seconds;
};

/* Expected values come from Python's calendar.timegm. */
static const struct timestamp_case valid_timestamps[] = {
    {"2025-01-15T10:30:00Z", JAN_15_1030},
    {"2000-01-23T04:56:07.000+00:00", 948603367000LL},
    {"2025-01-15T12:30:00+02:00", JAN_15_1030},
    {"2025-01-15T05:00:00-05:30", JAN_15_1030},
    {"2025-01-15T12:30:00+0200", JAN_15_1030},
    {"2025-01-15T12:30:00+02", JAN_15_1030},
    {"2025-01-15T10:30:00+00:00", JAN_15_1030},
    {"2025-01-15T10:30:00-00:00", JAN_15_1030},
    {"2025-01-15T10:30:00", JAN_15_1030},
    {"2025-01-15t10:30:00z", JAN_15_1030},
    {"2025-01-15 10:30:00Z", JAN_15_1030},
    {"2025-01-16T00:00:00+13:30", JAN_15_1030},
    {"2025-01-14T23:59:00-10:31", JAN_15_1030},
    {"2025-01-15T10:30:00.1Z", JAN_15_1030 + 100},
    {"2025-01-15T10:30:00.12Z", JAN_15_1030 + 120},
    {"2025-01-15T10:30:00.123Z", JAN_15_1030 + 123},
    {"2025-01-15T10:30:00.1234Z", JAN_15_1030 + 123},
    {"2025-01-15T10:30:00.12345Z", JAN_15_1030 + 123},
    {"2025-01-15T10:30:00.123456Z", JAN_15_1030 + 123},
    {"2025-01-15T10:30:00.1234567Z", JAN_15_1030 + 123},
    {"2025-01-15T10:30:00.12345678Z", JAN_15_1030 + 123},
    {"2025-01-15T10:30:00.123456789Z", JAN_15_1030 + 123},
    {"2025-01-15T10:30:00.999999999Z", JAN_15_1030 + 999},
    {"2025-01-15T10:30:00.5", JAN_15_1030 + 500},
    {"2024-12-20 10:15:30.123000+00:00", 1734689730123LL},
    {"2024-02-29T00:00:00Z", 1709164800000LL},
    {"2000-02-29T00:00:00Z", 951782400000LL},
    {"1970-01-01T00:00:00Z", 0},
    {"1969-12-31T23:59:59.500Z", -500},
    {"1970-01-01T01:00:00+01:00", 0},
    {"2100-01-01T00:00:00Z", 4102444800000LL},
    {"2100-12-31T23:59:59Z", 4133980799000LL},
    {"2025-01-01T00:30:00+01:00", 1735687800000LL},
};

static const char *const invalid_timestamps[] = {
    "",
    "garbage",
    "2025-13-01T00:00:00Z",
    "2025-00-01T00:00:00Z",
    "2025-01-00T00:00:00Z",
    "2025-01-32T00:00:00Z",
    "2025-04-31T00:00:00Z",
    "2025-01-15",
    "2025-01-15T",
    "2025-01-15T10:30Z",
    "2025-01-15T25:00:00Z",
    "2025-01-15T24:00:00Z",
    "2025-01-15T10:60:00Z",
    "2025-01-15T10:30:60Z",
    "1900-02-29T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2100-02-29T00:00:00Z",
    "2024-02-30T00:00:00Z",
    "2025-01-15T10:30:00Zjunk",
    "2025-01-15T10:30:00Z ",
    "2025-01-15T10:30:00+02:00x",
    " 2025-01-15T10:30:00Z",
    "2025-01-15T10:30:00.Z",
    "2025-01-15T10:30:00,5Z",
    "2025-01-15T10:30:00+24:00",
    "2025-01-15T10:30:00+02:60",
    "2025-01-15T10:30:00+2:00",
    "2025-01-15T10:30:00+02:0",
    "2025-01-15T10:30:00+020",
    "2025-01-15T10:30:00+",
    "2025-01-15T10:30:00UTC",
    "25-01-15T10:30:00Z",
    "2025-1-15T10:30:00Z",
    "2025-01-15X10:30:00Z",
    "2025/01/15T10:30:00Z",
    "20250115T103000Z",
    "-2025-01-15T10:30:00Z",
};

static const struct civil_case civil_times[] = {
    {1970, 1, 1, 0, 0, 0, 0},
    {1969, 12, 31, 23, 59, 59, -1},
    {2000, 3, 1, 0, 0, 0, 951868800},
    {2000, 2, 29, 0, 0, 0, 951782400},
    {2100, 3, 1, 0, 0, 0, 4107542400LL},
    {1900, 3, 1, 0, 0, 0, -2203891200LL},
    {1, 1, 1, 0, 0, 0, -62135596800LL},
    {9999, 12, 31, 23, 59, 59, 253402300799LL},
    {2025, 1, 15, 10, 30, 0, 1736937000},
};

static void check_valid_timestamps(const char *zone)
{
    size_t i;

    for (i = 0; i < sizeof valid_timestamps / sizeof valid_timestamps[0]; i++) {
        const struct timestamp_case *c = &valid_timestamps[i];
        int64_t epoch_ms = -1;

        if (!wj_timestamp_parse(c->text, &epoch_ms))
            fail_msg("TZ=%s: \"%s\" was rejected", zone, c->text);
        if (epoch_ms != c->epoch_ms)
            fail_msg("TZ=%s: \"%s\" gave %lld ms, expected %lld ms", zone, c->text,
                     (long long)epoch_ms, (long long)c->epoch_ms);
    }
}

static void check_invalid_timestamps(const char *zone)
{
    size_t i;

    for (i = 0; i < sizeof invalid_timestamps / sizeof invalid_timestamps[0]; i++) {
        int64_t epoch_ms = 42;

        if (wj_timestamp_parse(invalid_timestamps[i], &epoch_ms))
            fail_msg("TZ=%s: \"%s\" was accepted as %lld ms", zone, invalid_timestamps[i],
                     (long long)epoch_ms);
        if (epoch_ms != 42)
            fail_msg("\"%s\" changed the output although it was rejected", invalid_timestamps[i]);
    }
}

static void timestamp_accepts_valid_text(void **state)
{
    (void)state;
    check_valid_timestamps("(as inherited)");
}

static void timestamp_rejects_invalid_text(void **state)
{
    (void)state;
    check_invalid_timestamps("(as inherited)");
}

static void timestamp_rejects_null(void **state)
{
    int64_t epoch_ms = 42;

    (void)state;
    assert_false(wj_timestamp_parse(NULL, &epoch_ms));
}

static void timestamp_from_civil_matches_timegm(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof civil_times / sizeof civil_times[0]; i++) {
        const struct civil_case *c = &civil_times[i];
        int64_t seconds = wj_timestamp_from_civil(c->year, c->month, c->day, c->hour, c->minute,
                                                  c->second);

        if (seconds != c->epoch_seconds)
            fail_msg("%04d-%02d-%02dT%02d:%02d:%02d gave %lld, expected %lld", c->year, c->month,
                     c->day, c->hour, c->minute, c->second, (long long)seconds,
                     (long long)c->epoch_seconds);
    }
}

/* Sets TZ and fails unless the zone really moves local time away from UTC
 * on 2025-01-15, so the checks under it prove that TZ is ignored. */
static void enter_zone(const char *zone)
{
    time_t instant = (time_t)(JAN_15_1030 / 1000);
    struct tm local;
    struct tm utc;

    setenv("TZ", zone, 1);
    tzset();

    localtime_r(&instant, &local);
    gmtime_r(&instant, &utc);
    if (local.tm_hour == utc.tm_hour && local.tm_min == utc.tm_min && strcmp(zone, "UTC") != 0)
        fail_msg("TZ=%s did not change local time: install tzdata", zone);
}

static int restore_zone(void **state)
{
    (void)state;
    unsetenv("TZ");
    tzset();
    return 0;
}

static void check_under_zone(const char *zone)
{
    enter_zone(zone);
    check_valid_timestamps(zone);
    check_invalid_timestamps(zone);
}

static void timestamp_ignores_tz_utc(void **state)
{
    (void)state;
    check_under_zone("UTC");
}

static void timestamp_ignores_tz_new_york(void **state)
{
    (void)state;
    check_under_zone("America/New_York");
}

static void timestamp_ignores_tz_kolkata(void **state)
{
    (void)state;
    check_under_zone("Asia/Kolkata");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timestamp_accepts_valid_text),
        cmocka_unit_test(timestamp_rejects_invalid_text),
        cmocka_unit_test(timestamp_rejects_null),
        cmocka_unit_test(timestamp_from_civil_matches_timegm),
        cmocka_unit_test_teardown(timestamp_ignores_tz_utc, restore_zone),
        cmocka_unit_test_teardown(timestamp_ignores_tz_new_york, restore_zone),
        cmocka_unit_test_teardown(timestamp_ignores_tz_kolkata, restore_zone),
    };

    return cmocka_run_group_tests_name("wj_timestamp", tests, NULL, NULL);
}
