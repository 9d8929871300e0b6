/* Unit tests for wj_perfdata: Nagios performance data items. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h> /* NAN only: nothing links libm */
#include <stdio.h>
#include <string.h>

#include "wj_perfdata.h"

#define COMMA_LOCALE "de_DE.UTF-8"

struct item_case {
    const char *label;
    double value;
    const char *uom;
    const char *warning;
    const char *critical;
    bool has_min;
    double min;
    const char *expected;
};

static const struct item_case items[] = {
    /* numbers */
    {"failed", 3, NULL, NULL, NULL, false, 0, "failed=3"},
    {"failed", 0, NULL, NULL, NULL, false, 0, "failed=0"},
    {"age", 12.5, "s", NULL, NULL, false, 0, "age=12.5s"},
    {"delta", -4, NULL, NULL, NULL, false, 0, "delta=-4"},
    {"delta", -0.25, NULL, NULL, NULL, false, 0, "delta=-0.25"},
    {"age", 1.23456, "s", NULL, NULL, false, 0, "age=1.235s"},
    {"age", 2.0004, "s", NULL, NULL, false, 0, "age=2s"},
    {"age", 1800, "s", NULL, NULL, false, 0, "age=1800s"},
    {"age", 1e20, "s", NULL, NULL, false, 0, "age=1000000000000000s"},
    {"age", NAN, "s", NULL, NULL, false, 0, "age=U"},
    /* threshold shapes, trailing empty fields dropped */
    {"label", 1, NULL, "2", "3", true, 0, "label=1;2;3;0"},
    {"label", 1, "", "", "", true, 0, "label=1;;;0"},
    {"label", 1, NULL, NULL, NULL, true, 0, "label=1;;;0"},
    {"label", 1, NULL, "2", NULL, false, 0, "label=1;2"},
    {"label", 1, NULL, NULL, "3", false, 0, "label=1;;3"},
    {"label", 1, NULL, "2", "3", false, 0, "label=1;2;3"},
    {"label", 1, NULL, "", "3", true, 0, "label=1;;3;0"},
    {"label", 1, NULL, "2", "", true, 0.5, "label=1;2;;0.5"},
    {"label", 1, "", "", "", false, 0, "label=1"},
    {"failed", 4, NULL, "@10:20", "~:30", true, 0, "failed=4;@10:20;~:30;0"},
    {"oldest_pending_age", 901, "s", "900", "1800", true, 0,
     "oldest_pending_age=901s;900;1800;0"},
    {"min", 1, NULL, NULL, NULL, true, -1.5, "min=1;;;-1.5"},
    /* labels */
    {"stuck pending", 1, NULL, NULL, NULL, false, 0, "'stuck pending'=1"},
    {"a=b", 1, NULL, NULL, NULL, false, 0, "'a_b'=1"},
    {"it's", 1, NULL, NULL, NULL, false, 0, "'it_s'=1"},
    {"it's here", 1, NULL, NULL, NULL, false, 0, "'it_s here'=1"},
    {"a|b", 1, NULL, NULL, NULL, false, 0, "a_b=1"},
    {"a\nb", 1, NULL, NULL, NULL, false, 0, "a_b=1"},
    {"type_screenshot", 2, NULL, NULL, NULL, true, 0, "type_screenshot=2;;;0"},
};

static void check_items(void)
{
    size_t i;

    for (i = 0; i < sizeof items / sizeof items[0]; i++) {
        const struct item_case *c = &items[i];
        struct wj_buffer buffer = {0};

        if (!wj_perfdata_append(&buffer, c->label, c->value, c->uom, c->warning, c->critical,
                                c->has_min, c->min))
            fail_msg("item %zu (\"%s\") returned false", i, c->expected);
        if (strcmp(wj_buffer_text(&buffer), c->expected) != 0)
            fail_msg("item %zu: wrote \"%s\", expected \"%s\"", i, wj_buffer_text(&buffer),
                     c->expected);
        wj_buffer_free(&buffer);
    }
}

static void perfdata_writes_items(void **state)
{
    (void)state;
    check_items();
}

static void perfdata_separates_items_with_space(void **state)
{
    struct wj_buffer buffer = {0};

    (void)state;
    assert_true(wj_perfdata_append(&buffer, "failed", 2, NULL, "5", "10", true, 0));
    assert_true(wj_perfdata_append(&buffer, "oldest_pending_age", 30.5, "s", NULL, NULL, true, 0));
    assert_string_equal(wj_buffer_text(&buffer), "failed=2;5;10;0 oldest_pending_age=30.5s;;;0");
    wj_buffer_free(&buffer);
}

static void perfdata_appends_to_existing_text(void **state)
{
    struct wj_buffer buffer = {0};

    (void)state;
    wj_buffer_append_string(&buffer, "a=1");
    assert_true(wj_perfdata_append(&buffer, "b", 2, NULL, NULL, NULL, false, 0));
    assert_string_equal(wj_buffer_text(&buffer), "a=1 b=2");
    wj_buffer_free(&buffer);
}

static void perfdata_rejects_empty_label(void **state)
{
    struct wj_buffer buffer = {0};

    (void)state;
    assert_false(wj_perfdata_append(&buffer, "", 1, NULL, NULL, NULL, false, 0));
    assert_string_equal(wj_buffer_text(&buffer), "");
}

static void perfdata_rejects_null_label(void **state)
{
    struct wj_buffer buffer = {0};

    (void)state;
    assert_false(wj_perfdata_append(&buffer, NULL, 1, NULL, NULL, NULL, false, 0));
    assert_string_equal(wj_buffer_text(&buffer), "");
}

/* The output must use '.' whatever LC_NUMERIC is set to, so the items are written
 * again under a locale whose decimal point is ','. A missing locale fails
 * the test rather than skipping it, because the check would prove nothing. */
static void perfdata_ignores_comma_locale(void **state)
{
    char probe[16];

    (void)state;
    if (setlocale(LC_ALL, COMMA_LOCALE) == NULL)
        fail_msg("setlocale(LC_ALL, \"%s\") failed: run the project's setup script, which "
                 "generates that locale (localedef -i de_DE -f UTF-8 de_DE.UTF-8)",
                 COMMA_LOCALE);

    snprintf(probe, sizeof probe, "%.1f", 1.5);
    if (strcmp(probe, "1,5") != 0)
        fail_msg("locale %s writes 1.5 as \"%s\", expected a comma", COMMA_LOCALE, probe);

    check_items();
}

static int restore_c_locale(void **state)
{
    (void)state;
    setlocale(LC_ALL, "C");
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(perfdata_writes_items),
        cmocka_unit_test(perfdata_separates_items_with_space),
        cmocka_unit_test(perfdata_appends_to_existing_text),
        cmocka_unit_test(perfdata_rejects_empty_label),
        cmocka_unit_test(perfdata_rejects_null_label),
        cmocka_unit_test_teardown(perfdata_ignores_comma_locale, restore_c_locale),
    };

    return cmocka_run_group_tests_name("wj_perfdata", tests, NULL, NULL);
}
