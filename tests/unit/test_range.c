/* Unit tests for wj_range: Nagios threshold ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "wj_range.h"

struct form_case {
    const char *text;
    bool alert_inside;
    bool start_infinite;
    bool end_infinite;
    double start; /* checked unless start_infinite */
    double end;   /* checked unless end_infinite */
};

struct alert_case {
    const char *text;
    double value;
    bool alerts;
};

static const struct form_case forms[] = {
    {"10", false, false, false, 0, 10},
    {"0", false, false, false, 0, 0},
    {"10:", false, false, true, 10, 0},
    {"~:10", false, true, false, 0, 10},
    {"10:20", false, false, false, 10, 20},
    {"@10:20", true, false, false, 10, 20},
    {"@10", true, false, false, 0, 10},
    {"@~:10", true, true, false, 0, 10},
    {"@10:", true, false, true, 10, 0},
    {"0.5:1.5", false, false, false, 0.5, 1.5},
    {"-5:5", false, false, false, -5, 5},
    {"-10:-5", false, false, false, -10, -5},
    {"5:5", false, false, false, 5, 5},
    {".5:2.", false, false, false, 0.5, 2},
    {"~:", false, true, true, 0, 0},
    {"@~:", true, true, true, 0, 0},
};

static const struct alert_case alerts[] = {
    /* "N" alerts outside 0..N */
    {"10", -1, true},
    {"10", 0, false},
    {"10", 5, false},
    {"10", 10, false},
    {"10", 10.001, true},
    {"10", 11, true},
    /* "N:" alerts below N */
    {"10:", 9.999, true},
    {"10:", 10, false},
    {"10:", 1e12, false},
    /* "~:N" alerts above N */
    {"~:10", -1e12, false},
    {"~:10", 10, false},
    {"~:10", 10.5, true},
    /* "N:M" alerts outside N..M */
    {"10:20", 9, true},
    {"10:20", 10, false},
    {"10:20", 15, false},
    {"10:20", 20, false},
    {"10:20", 21, true},
    /* "@N:M" alerts inside N..M, endpoints included */
    {"@10:20", 9, false},
    {"@10:20", 10, true},
    {"@10:20", 15, true},
    {"@10:20", 20, true},
    {"@10:20", 21, false},
    /* "@N" alerts inside 0..N */
    {"@10", -1, false},
    {"@10", 0, true},
    {"@10", 10, true},
    {"@10", 11, false},
    {"@10:", 9, false},
    {"@10:", 10, true},
    {"@~:10", -1e12, true},
    {"@~:10", 10.5, false},
    /* decimals and negatives */
    {"0.5:1.5", 0.4, true},
    {"0.5:1.5", 0.5, false},
    {"0.5:1.5", 1.5, false},
    {"0.5:1.5", 1.6, true},
    {"-5:5", -6, true},
    {"-5:5", -5, false},
    {"-5:5", 5, false},
    {"-5:5", 6, true},
    {"5:5", 5, false},
    {"5:5", 4.9, true},
    {"5:5", 5.1, true},
    /* "~:" is the whole line */
    {"~:", -1e12, false},
    {"~:", 1e12, false},
    {"@~:", 0, true},
    {"@~:", -1e12, true},
};

static const char *const invalid_ranges[] = {
    "",
    "abc",
    "10:5",
    "@10:5",
    "1e3",
    "1e3:2e3",
    ":",
    ":10",
    "@",
    "@:",
    "@@5",
    "10:20:30",
    "5x",
    "5:x",
    " 5",
    "5 ",
    "5: 10",
    "~",
    "~:~",
    "10:~",
    "~5:10",
    "-5",
    "@-5",
    "1,5",
    "0x10",
    "inf",
    "nan",
    "1000000000000001",
};

#define OVERLONG_RANGE "1234567890123456789012345678901234567890123456789012345678901234"

static void range_forms_parse(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        const struct form_case *c = &forms[i];
        struct wj_error error = {0};
        struct wj_range range;

        if (!wj_range_parse(c->text, &range, &error))
            fail_msg("\"%s\" was rejected: %s", c->text, error.message);
        if (!range.is_set)
            fail_msg("\"%s\": is_set is false", c->text);
        if (range.alert_inside != c->alert_inside)
            fail_msg("\"%s\": alert_inside is %d", c->text, range.alert_inside);
        if (range.start_infinite != c->start_infinite)
            fail_msg("\"%s\": start_infinite is %d", c->text, range.start_infinite);
        if (range.end_infinite != c->end_infinite)
            fail_msg("\"%s\": end_infinite is %d", c->text, range.end_infinite);
        if (!c->start_infinite && range.start != c->start)
            fail_msg("\"%s\": start is %g, expected %g", c->text, range.start, c->start);
        if (!c->end_infinite && range.end != c->end)
            fail_msg("\"%s\": end is %g, expected %g", c->text, range.end, c->end);
        if (strcmp(range.text, c->text) != 0)
            fail_msg("\"%s\": text kept as \"%s\"", c->text, range.text);
    }
}

static void range_alerts_by_form(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof alerts / sizeof alerts[0]; i++) {
        const struct alert_case *c = &alerts[i];
        struct wj_error error = {0};
        struct wj_range range;

        if (!wj_range_parse(c->text, &range, &error))
            fail_msg("\"%s\" was rejected: %s", c->text, error.message);
        if (wj_range_alerts(&range, c->value) != c->alerts)
            fail_msg("range \"%s\" with value %g: expected %s", c->text, c->value,
                     c->alerts ? "an alert" : "no alert");
    }
}

static void range_rejects_invalid_text(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof invalid_ranges / sizeof invalid_ranges[0]; i++) {
        const char *text = invalid_ranges[i];
        struct wj_error error = {0};
        struct wj_range range;
        char prefix[128];

        /* A range left set from an earlier parse must come back unset. */
        wj_range_parse("10", &range, &error);

        if (wj_range_parse(text, &range, &error))
            fail_msg("\"%s\" was accepted", text);
        if (range.is_set)
            fail_msg("\"%s\": range left set after a failure", text);
        if (error.kind != WJ_ERR_CONFIG)
            fail_msg("\"%s\": error kind %s, expected config", text,
                     wj_error_kind_name(error.kind));

        snprintf(prefix, sizeof prefix, "invalid range \"%s\": ", text);
        if (strncmp(error.message, prefix, strlen(prefix)) != 0)
            fail_msg("\"%s\": message \"%s\" does not start with '%s'", text, error.message,
                     prefix);
    }
}

static void range_message_names_expected_forms(void **state)
{
    struct wj_error error = {0};
    struct wj_range range;

    (void)state;
    assert_false(wj_range_parse("abc", &range, &error));
    assert_string_equal(error.message, "invalid range \"abc\": expected N, N:, ~:N, N:M or @N:M "
                                       "with decimal numbers");
}

static void range_message_for_huge_number(void **state)
{
    struct wj_error error = {0};
    struct wj_range range;

    (void)state;
    assert_false(wj_range_parse("99999999999999999999999", &range, &error));
    assert_string_equal(error.message, "invalid range \"99999999999999999999999\": a number is too large, "
                                       "the limit is 1000000000000000 (10^15)");
    assert_false(wj_range_parse("@1:0001000000000000001", &range, &error));
    assert_non_null(strstr(error.message, "too large"));
    assert_true(wj_range_parse("0001000000000000000", &range, &error));
    assert_false(wj_range_parse("5:0.12345678901234567x", &range, &error));
    assert_non_null(strstr(error.message, "expected N, N:"));
}

static void range_message_for_reversed_bounds(void **state)
{
    struct wj_error error = {0};
    struct wj_range range;

    (void)state;
    assert_false(wj_range_parse("10:5", &range, &error));
    assert_string_equal(error.message, "invalid range \"10:5\": the start is greater than the "
                                       "end, expected N:M with N <= M");
}

static void range_message_for_negative_single_number(void **state)
{
    struct wj_error error = {0};
    struct wj_range range;

    (void)state;
    assert_false(wj_range_parse("-5", &range, &error));
    assert_string_equal(error.message,
                        "invalid range \"-5\": a single number N means 0:N, so N must not be "
                        "negative");
}

static void range_rejects_overlong_text(void **state)
{
    struct wj_error error = {0};
    struct wj_range range;

    (void)state;
    assert_int_equal(strlen(OVERLONG_RANGE), WJ_RANGE_TEXT_SIZE);
    assert_false(wj_range_parse(OVERLONG_RANGE, &range, &error));
    assert_int_equal(error.kind, WJ_ERR_CONFIG);
    assert_non_null(strstr(error.message, "longer than 63 characters"));
}

static void range_accepts_longest_text(void **state)
{
    char text[WJ_RANGE_TEXT_SIZE];
    struct wj_error error = {0};
    struct wj_range range;

    (void)state;
    /* "1." followed by zeros up to 63 bytes. */
    memset(text, '0', sizeof text - 1);
    text[0] = '1';
    text[1] = '.';
    text[sizeof text - 1] = '\0';

    assert_true(wj_range_parse(text, &range, &error));
    assert_string_equal(range.text, text);
    assert_true(range.end == 1);
}

static void range_quotes_long_text_cut(void **state)
{
    char text[300];
    struct wj_error error = {0};
    struct wj_range range;

    (void)state;
    memset(text, '9', sizeof text - 1);
    text[sizeof text - 1] = '\0';

    assert_false(wj_range_parse(text, &range, &error));
    assert_non_null(strstr(error.message, "...\""));
    assert_true(strlen(error.message) < 200);
}

static void range_message_has_no_line_break(void **state)
{
    struct wj_error error = {0};
    struct wj_range range;

    (void)state;
    assert_false(wj_range_parse("1\n2|3", &range, &error));
    assert_null(strchr(error.message, '\n'));
    assert_null(strchr(error.message, '|'));
}

static void range_rejects_null_text(void **state)
{
    struct wj_error error = {0};
    struct wj_range range;

    (void)state;
    assert_false(wj_range_parse(NULL, &range, &error));
    assert_int_equal(error.kind, WJ_ERR_CONFIG);
}

static void unset_range_never_alerts(void **state)
{
    struct wj_range range;

    (void)state;
    memset(&range, 0, sizeof range);
    assert_false(wj_range_alerts(&range, -1e12));
    assert_false(wj_range_alerts(&range, 0));
    assert_false(wj_range_alerts(&range, 1e12));
}

static void null_range_never_alerts(void **state)
{
    (void)state;
    assert_false(wj_range_alerts(NULL, 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(range_forms_parse),
        cmocka_unit_test(range_alerts_by_form),
        cmocka_unit_test(range_rejects_invalid_text),
        cmocka_unit_test(range_message_names_expected_forms),
        cmocka_unit_test(range_message_for_huge_number),
        cmocka_unit_test(range_message_for_reversed_bounds),
        cmocka_unit_test(range_message_for_negative_single_number),
        cmocka_unit_test(range_rejects_overlong_text),
        cmocka_unit_test(range_accepts_longest_text),
        cmocka_unit_test(range_quotes_long_text_cut),
        cmocka_unit_test(range_message_has_no_line_break),
        cmocka_unit_test(range_rejects_null_text),
        cmocka_unit_test(unset_range_never_alerts),
        cmocka_unit_test(null_range_never_alerts),
    };

    return cmocka_run_group_tests_name("wj_range", tests, NULL, NULL);
}
