/* Unit tests for wj_number: locale-independent decimal parsing and formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h> /* INFINITY and NAN only: nothing links libm */
#include <stdio.h>
#include <string.h>

#include "wj_number.h"

#define COMMA_LOCALE "de_DE.UTF-8"

struct parse_case {
    const char *text;
    double expected;
};

struct format_case {
    double value;
    const char *expected;
};

static const struct parse_case valid_numbers[] = {
    {"0", 0},
    {"12", 12},
    {"-0.5", -0.5},
    {"+3", 3},
    {"3.", 3},
    {".25", 0.25},
    {"-.25", -0.25},
    {"007", 7},
    {"0.1", 0.1},
    {"12.345", 12.345},
    {"0.000", 0},
    {"1000000000000000", 1e15},
    {"-1000000000000000", -1e15},
    {"1000000000000000.000", 1e15},
    {"999999999999999.5", 999999999999999.5},
    {"123456.789", 123456.789},
};

static const char *const invalid_numbers[] = {
    "",
    "-",
    "+",
    ".",
    "-.",
    "--1",
    "+-1",
    "1e3",
    "1E3",
    "1.5e2",
    "1e",
    "0x10",
    "0X10",
    "inf",
    "-inf",
    "nan",
    " 5",
    "5 ",
    "1,5",
    "1.2.3",
    "5x",
    "1000000000000001",
    "1000000000000000.5",
    "-1000000000000000.1",
    "99999999999999999999",
};

static const struct format_case formats[] = {
    {0, "0"},
    {2, "2"},
    {0.5, "0.5"},
    {-1.25, "-1.25"},
    {1800, "1800"},
    {123456.789, "123456.789"},
    {0.1, "0.1"},
    {1234567.5, "1234567.5"},
    {1.9996, "2"},
    {2.0004, "2"},
    {2.0006, "2.001"},
    {-2.0006, "-2.001"},
    {0.0004, "0"},
    {-0.0004, "0"},
    {-0.0, "0"},
    {1e-10, "0"},
    {0.125, "0.125"},
    {0.2506, "0.251"},
    {1.0625, "1.063"},
    {-1.0625, "-1.063"},
    {1e15, "1000000000000000"},
    {-1e15, "-1000000000000000"},
    {2e15, "1000000000000000"},
    {-2e15, "-1000000000000000"},
    {INFINITY, "1000000000000000"},
    {-INFINITY, "-1000000000000000"},
    {NAN, "U"},
};

static void check_valid_numbers(void)
{
    size_t i;

    for (i = 0; i < sizeof valid_numbers / sizeof valid_numbers[0]; i++) {
        const struct parse_case *c = &valid_numbers[i];
        double value = -12345;

        if (!wj_number_parse(c->text, &value))
            fail_msg("\"%s\" was rejected", c->text);
        if (value != c->expected)
            fail_msg("\"%s\" parsed as %.17g, expected %.17g", c->text, value, c->expected);
    }
}

static void check_invalid_numbers(void)
{
    size_t i;

    for (i = 0; i < sizeof invalid_numbers / sizeof invalid_numbers[0]; i++) {
        double value = 42;

        if (wj_number_parse(invalid_numbers[i], &value))
            fail_msg("\"%s\" was accepted as %.17g", invalid_numbers[i], value);
        if (value != 42)
            fail_msg("\"%s\" changed the output although it was rejected", invalid_numbers[i]);
    }
}

static void check_formats(void)
{
    size_t i;

    for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char buffer[32];
        int length = wj_number_format(buffer, sizeof buffer, formats[i].value);

        if (strcmp(buffer, formats[i].expected) != 0)
            fail_msg("%.17g written as \"%s\", expected \"%s\"", formats[i].value, buffer,
                     formats[i].expected);
        if (length != (int)strlen(formats[i].expected))
            fail_msg("%.17g: returned length %d, expected %zu", formats[i].value, length,
                     strlen(formats[i].expected));
    }
}

static void parse_accepts_valid_numbers(void **state)
{
    (void)state;
    check_valid_numbers();
}

static void parse_rejects_invalid_numbers(void **state)
{
    (void)state;
    check_invalid_numbers();
}

static void parse_rejects_null(void **state)
{
    double value = 0;

    (void)state;
    assert_false(wj_number_parse(NULL, &value));
}

static void parse_drops_fraction_digits_beyond_precision(void **state)
{
    double value = 0;

    (void)state;
    assert_true(wj_number_parse("0.1234567890123456789012345", &value));
    assert_true(value >= 0.1234567890123456);
    assert_true(value < 0.1234567890123457);
}

static void parse_keeps_long_zero_fraction_exact(void **state)
{
    double value = 1;

    (void)state;
    assert_true(wj_number_parse("0.00000000000000000000000000001", &value));
    assert_true(value == 0);
}

static void prefix_stops_at_colon(void **state)
{
    const char *text = "10:20";
    const char *end = NULL;
    double value = 0;

    (void)state;
    assert_int_equal(wj_number_parse_prefix(text, &value, &end), WJ_NUMBER_OK);
    assert_true(value == 10);
    assert_ptr_equal(end, text + 2);
}

static void prefix_stops_at_unit(void **state)
{
    const char *text = "5x";
    const char *end = NULL;
    double value = 0;

    (void)state;
    assert_int_equal(wj_number_parse_prefix(text, &value, &end), WJ_NUMBER_OK);
    assert_true(value == 5);
    assert_ptr_equal(end, text + 1);
}

static void prefix_stops_after_trailing_point(void **state)
{
    const char *text = "3.:";
    const char *end = NULL;
    double value = 0;

    (void)state;
    assert_int_equal(wj_number_parse_prefix(text, &value, &end), WJ_NUMBER_OK);
    assert_true(value == 3);
    assert_ptr_equal(end, text + 2);
}

static void prefix_rejects_exponent(void **state)
{
    double value = 0;

    (void)state;
    assert_int_equal(wj_number_parse_prefix("1e3:5", &value, NULL), WJ_NUMBER_INVALID);
}

static void prefix_rejects_hex(void **state)
{
    double value = 0;

    (void)state;
    assert_int_equal(wj_number_parse_prefix("0x1A", &value, NULL), WJ_NUMBER_INVALID);
}

static void prefix_reports_too_large(void **state)
{
    double value = 0;

    (void)state;
    assert_int_equal(wj_number_parse_prefix("1000000000000001:5", &value, NULL), WJ_NUMBER_TOO_LARGE);
    assert_int_equal(wj_number_parse_prefix("-99999999999999999999", &value, NULL), WJ_NUMBER_TOO_LARGE);
    assert_int_equal(wj_number_parse_prefix("1000000000000000.5", &value, NULL), WJ_NUMBER_TOO_LARGE);
    assert_int_equal(wj_number_parse_prefix("1000000000000000", &value, NULL), WJ_NUMBER_OK);
}

static void prefix_accepts_null_end(void **state)
{
    double value = 0;

    (void)state;
    assert_int_equal(wj_number_parse_prefix("7:", &value, NULL), WJ_NUMBER_OK);
    assert_true(value == 7);
}

static void format_writes_expected_text(void **state)
{
    (void)state;
    check_formats();
}

static void format_truncates_like_snprintf(void **state)
{
    char buffer[4];
    int length;

    (void)state;
    length = wj_number_format(buffer, sizeof buffer, 12345.5);
    assert_int_equal(length, 7);
    assert_string_equal(buffer, "123");
}

static void format_parse_round_trip(void **state)
{
    static const double values[] = {0, 1, -1, 0.5, 0.001, -0.001, 99.999, 1800, 3600.25, 1e15};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buffer[32];
        double parsed = -12345;

        wj_number_format(buffer, sizeof buffer, values[i]);
        if (!wj_number_parse(buffer, &parsed))
            fail_msg("formatted %.17g as \"%s\", which does not parse", values[i], buffer);
        if (parsed != values[i])
            fail_msg("%.17g came back as %.17g via \"%s\"", values[i], parsed, buffer);
    }
}

/* The product must write '.' whatever LC_NUMERIC is set to, so these checks run
 * again under a locale whose decimal point is ','. A missing locale fails
 * the test rather than skipping it, because the checks would prove nothing. */
static void enter_comma_locale(void)
{
    char buffer[16];

    if (setlocale(LC_ALL, COMMA_LOCALE) == NULL)
        fail_msg("setlocale(LC_ALL, \"%s\") failed: run the project's setup script, which "
                 "generates that locale (localedef -i de_DE -f UTF-8 de_DE.UTF-8)",
                 COMMA_LOCALE);

    snprintf(buffer, sizeof buffer, "%.1f", 1.5);
    if (strcmp(buffer, "1,5") != 0)
        fail_msg("locale %s writes 1.5 as \"%s\", expected a comma", COMMA_LOCALE, buffer);
}

static int restore_c_locale(void **state)
{
    (void)state;
    setlocale(LC_ALL, "C");
    return 0;
}

static void comma_locale_format_uses_point(void **state)
{
    (void)state;
    enter_comma_locale();
    check_formats();
}

static void comma_locale_parse_accepts_point(void **state)
{
    (void)state;
    enter_comma_locale();
    check_valid_numbers();
}

static void comma_locale_parse_rejects_comma(void **state)
{
    (void)state;
    enter_comma_locale();
    check_invalid_numbers();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_accepts_valid_numbers),
        cmocka_unit_test(parse_rejects_invalid_numbers),
        cmocka_unit_test(parse_rejects_null),
        cmocka_unit_test(parse_drops_fraction_digits_beyond_precision),
        cmocka_unit_test(parse_keeps_long_zero_fraction_exact),
        cmocka_unit_test(prefix_stops_at_colon),
        cmocka_unit_test(prefix_stops_at_unit),
        cmocka_unit_test(prefix_stops_after_trailing_point),
        cmocka_unit_test(prefix_rejects_exponent),
        cmocka_unit_test(prefix_rejects_hex),
        cmocka_unit_test(prefix_reports_too_large),
        cmocka_unit_test(prefix_accepts_null_end),
        cmocka_unit_test(format_writes_expected_text),
        cmocka_unit_test(format_truncates_like_snprintf),
        cmocka_unit_test(format_parse_round_trip),
        cmocka_unit_test_teardown(comma_locale_format_uses_point, restore_c_locale),
        cmocka_unit_test_teardown(comma_locale_parse_accepts_point, restore_c_locale),
        cmocka_unit_test_teardown(comma_locale_parse_rejects_comma, restore_c_locale),
    };

    return cmocka_run_group_tests_name("wj_number", tests, NULL, NULL);
}
