/* Unit tests for wj_duration: DURATION option values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "wj_duration.h"

/* 100 years of 365.25 days, the largest duration accepted. */
#define MAX_SECONDS ((int64_t)36525 * 86400)

struct parse_case {
    const char *text;
    int64_t seconds;
};

struct format_case {
    int64_t seconds;
    const char *text;
};

static const struct parse_case valid_durations[] = {
    {"90", 90},
    {"90s", 90},
    {"15m", 900},
    {"1h30m", 5400},
    {"2d", 172800},
    {"1d2h3m4s", 93784},
    {"0", 0},
    {"0s", 0},
    {"007", 7},
    {"30m1h", 5400},
    {"4s3m2h1d", 93784},
    {"1h0m", 3600},
    {"36525d", MAX_SECONDS},
    {"3155760000", MAX_SECONDS},
    {"3155760000s", MAX_SECONDS},
};

static const char *const invalid_durations[] = {
    "",
    "-5",
    "+5",
    "1.5h",
    "1x",
    "h",
    "1h1h",
    "1h30",
    " 5",
    "5 ",
    "1h 30m",
    "1H",
    "1h-30m",
    "1hm",
    "99999999999d",
    "36526d",
    "36525d1s",
    "3155760001",
    "99999999999999999999999",
    "1d99999999h",
};

static const struct format_case formats[] = {
    {0, "0s"},
    {1, "1s"},
    {45, "45s"},
    {60, "1m"},
    {90, "1m30s"},
    {900, "15m"},
    {3600, "1h"},
    {3601, "1h1s"},
    {5400, "1h30m"},
    {86400, "1d"},
    {97200, "1d3h"},
    {93784, "1d2h3m4s"},
    {MAX_SECONDS, "36525d"},
    {-90, "-1m30s"},
    {INT64_MIN, "-106751991167300d15h30m8s"},
};

static void duration_accepts_valid_text(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof valid_durations / sizeof valid_durations[0]; i++) {
        const struct parse_case *c = &valid_durations[i];
        struct wj_error error = {0};
        int64_t seconds = -1;

        if (!wj_duration_parse(c->text, &seconds, &error))
            fail_msg("\"%s\" was rejected: %s", c->text, error.message);
        if (seconds != c->seconds)
            fail_msg("\"%s\" parsed as %lld s, expected %lld s", c->text, (long long)seconds,
                     (long long)c->seconds);
    }
}

static void duration_rejects_invalid_text(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof invalid_durations / sizeof invalid_durations[0]; i++) {
        const char *text = invalid_durations[i];
        struct wj_error error = {0};
        int64_t seconds = -1;
        char prefix[128];

        if (wj_duration_parse(text, &seconds, &error))
            fail_msg("\"%s\" was accepted as %lld s", text, (long long)seconds);
        if (seconds != -1)
            fail_msg("\"%s\" changed the output although it was rejected", text);
        if (error.kind != WJ_ERR_CONFIG)
            fail_msg("\"%s\": error kind %s, expected config", text,
                     wj_error_kind_name(error.kind));

        snprintf(prefix, sizeof prefix, "invalid duration \"%s\": ", text);
        if (strncmp(error.message, prefix, strlen(prefix)) != 0)
            fail_msg("\"%s\": message \"%s\" does not start with '%s'", text, error.message,
                     prefix);
    }
}

static void duration_rejects_null_text(void **state)
{
    struct wj_error error = {0};
    int64_t seconds = -1;

    (void)state;
    assert_false(wj_duration_parse(NULL, &seconds, &error));
    assert_int_equal(error.kind, WJ_ERR_CONFIG);
}

static void duration_message_gives_example(void **state)
{
    struct wj_error error = {0};
    int64_t seconds;

    (void)state;
    assert_false(wj_duration_parse("1x", &seconds, &error));
    assert_string_equal(error.message,
                        "invalid duration \"1x\": expected whole seconds or whole numbers with "
                        "the units s, m, h and d, such as 90, 15m or 1h30m");
}

static void duration_message_for_empty_text(void **state)
{
    struct wj_error error = {0};
    int64_t seconds;

    (void)state;
    assert_false(wj_duration_parse("", &seconds, &error));
    assert_non_null(strstr(error.message, "the value is empty"));
}

static void duration_message_for_repeated_unit(void **state)
{
    struct wj_error error = {0};
    int64_t seconds;

    (void)state;
    assert_false(wj_duration_parse("1h1h", &seconds, &error));
    assert_string_equal(error.message, "invalid duration \"1h1h\": a unit is given twice");
}

static void duration_message_for_bare_number_after_unit(void **state)
{
    struct wj_error error = {0};
    int64_t seconds;

    (void)state;
    assert_false(wj_duration_parse("1h30", &seconds, &error));
    assert_string_equal(error.message, "invalid duration \"1h30\": a number after a unit needs "
                                       "its own unit, such as 1h30m");
}

static void duration_message_for_too_long(void **state)
{
    struct wj_error error = {0};
    int64_t seconds;

    (void)state;
    assert_false(wj_duration_parse("99999999999d", &seconds, &error));
    assert_string_equal(error.message,
                        "invalid duration \"99999999999d\": longer than 100 years");
}

static void duration_formats_short_text(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char buffer[64];
        int length = wj_duration_format(buffer, sizeof buffer, formats[i].seconds);

        if (strcmp(buffer, formats[i].text) != 0)
            fail_msg("%lld s written as \"%s\", expected \"%s\"", (long long)formats[i].seconds,
                     buffer, formats[i].text);
        if (length != (int)strlen(formats[i].text))
            fail_msg("%lld s: returned length %d", (long long)formats[i].seconds, length);
    }
}

static void duration_format_truncates_like_snprintf(void **state)
{
    char buffer[4];

    (void)state;
    assert_int_equal(wj_duration_format(buffer, sizeof buffer, 93784), 8);
    assert_string_equal(buffer, "1d2");
}

static void duration_round_trip_from_text(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof valid_durations / sizeof valid_durations[0]; i++) {
        const char *text = valid_durations[i].text;
        struct wj_error error = {0};
        int64_t first = -1;
        int64_t second = -1;
        char buffer[64];

        if (!wj_duration_parse(text, &first, &error))
            fail_msg("\"%s\" was rejected: %s", text, error.message);
        wj_duration_format(buffer, sizeof buffer, first);
        if (!wj_duration_parse(buffer, &second, &error))
            fail_msg("\"%s\" formatted as \"%s\", which was rejected: %s", text, buffer,
                     error.message);
        if (second != first)
            fail_msg("\"%s\" -> %lld s -> \"%s\" -> %lld s", text, (long long)first, buffer,
                     (long long)second);
    }
}

static void duration_round_trip_from_seconds(void **state)
{
    static const int64_t values[] = {0, 1, 59, 61, 3599, 3661, 86399, 90061, 1000000, MAX_SECONDS};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof values / sizeof values[0]; i++) {
        struct wj_error error = {0};
        int64_t parsed = -1;
        char buffer[64];

        wj_duration_format(buffer, sizeof buffer, values[i]);
        if (!wj_duration_parse(buffer, &parsed, &error))
            fail_msg("%lld s formatted as \"%s\", which was rejected: %s", (long long)values[i],
                     buffer, error.message);
        if (parsed != values[i])
            fail_msg("%lld s came back as %lld s via \"%s\"", (long long)values[i],
                     (long long)parsed, buffer);
    }
}

static void duration_format_is_canonical(void **state)
{
    struct wj_error error = {0};
    int64_t seconds;
    char buffer[64];

    (void)state;
    assert_true(wj_duration_parse("30m1h", &seconds, &error));
    wj_duration_format(buffer, sizeof buffer, seconds);
    assert_string_equal(buffer, "1h30m");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(duration_accepts_valid_text),
        cmocka_unit_test(duration_rejects_invalid_text),
        cmocka_unit_test(duration_rejects_null_text),
        cmocka_unit_test(duration_message_gives_example),
        cmocka_unit_test(duration_message_for_empty_text),
        cmocka_unit_test(duration_message_for_repeated_unit),
        cmocka_unit_test(duration_message_for_bare_number_after_unit),
        cmocka_unit_test(duration_message_for_too_long),
        cmocka_unit_test(duration_formats_short_text),
        cmocka_unit_test(duration_format_truncates_like_snprintf),
        cmocka_unit_test(duration_round_trip_from_text),
        cmocka_unit_test(duration_round_trip_from_seconds),
        cmocka_unit_test(duration_format_is_canonical),
    };

    return cmocka_run_group_tests_name("wj_duration", tests, NULL, NULL);
}
