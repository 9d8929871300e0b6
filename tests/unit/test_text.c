/* Unit tests for wj_text: sanitizing and redacting text for output. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wj_text.h"

struct sanitize_case {
    const char *text;
    const char *expected;
};

struct redact_case {
    const char *text;
    const char *secret;
    const char *expected;
};

static const struct sanitize_case sanitize_cases[] = {
    {"maint; back at 10", "maint, back at 10"},
    {"plain text", "plain text"},
    {"", ""},
    {"a|b", "a/b"},
    {"||", "//"},
    {"line1\nline2", "line1 line2"},
    {"line1\r\nline2", "line1  line2"},
    {"a\tb", "a b"},
    {"bell\a esc\x1b del\x7f", "bell  esc  del "},
    {"timeout | WHISPER JOBS OK\n", "timeout / WHISPER JOBS OK "},
    {"caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"},
};

static const struct redact_case redact_cases[] = {
    /* a secret of 10 bytes or more becomes "[redacted]" */
    {"key=abcdef0123456789 end", "abcdef0123456789", "key=[redacted] end"},
    {"abcdef0123456789", "abcdef0123456789", "[redacted]"},
    {"x abcdef0123456789 y abcdef0123456789 z", "abcdef0123456789", "x [redacted] y [redacted] z"},
    {"abcdef0123456789abcdef0123456789", "abcdef0123456789", "[redacted][redacted]"},
    {"0123456789", "0123456789", "[redacted]"},
    /* a shorter secret becomes "***", hiding its length */
    {"token s3cr3t here", "s3cr3t", "token *** here"},
    {"abcd abcd", "abcd", "*** ***"},
    {"x123456789x", "123456789", "x***x"},
    /* a secret under 4 bytes is ignored */
    {"the abc of it", "abc", "the abc of it"},
    {"a b c", "", "a b c"},
    /* absent secret: nothing changes */
    {"no secret here", "abcdef0123456789", "no secret here"},
    {"", "abcdef0123456789", ""},
};

static void sanitize_replaces_unsafe_bytes(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof sanitize_cases / sizeof sanitize_cases[0]; i++) {
        char buffer[64];

        wj_text_sanitize(buffer, sizeof buffer, sanitize_cases[i].text);
        if (strcmp(buffer, sanitize_cases[i].expected) != 0)
            fail_msg("case %zu: got \"%s\", expected \"%s\"", i, buffer,
                     sanitize_cases[i].expected);
    }
}

static void sanitize_null_gives_empty(void **state)
{
    char buffer[8] = "junk";

    (void)state;
    wj_text_sanitize(buffer, sizeof buffer, NULL);
    assert_string_equal(buffer, "");
}

static void sanitize_returns_buffer(void **state)
{
    char buffer[8];

    (void)state;
    assert_ptr_equal(wj_text_sanitize(buffer, sizeof buffer, "x"), buffer);
}

static void sanitize_truncates_to_size(void **state)
{
    char buffer[6];

    (void)state;
    wj_text_sanitize(buffer, sizeof buffer, "abcdefghij");
    assert_string_equal(buffer, "abcde");
}

static void sanitize_keeps_text_that_fits(void **state)
{
    char buffer[6];

    (void)state;
    wj_text_sanitize(buffer, sizeof buffer, "abcde");
    assert_string_equal(buffer, "abcde");
}

static void sanitize_cuts_before_partial_character(void **state)
{
    char buffer[5];

    (void)state;
    /* "ab" then the 3-byte euro sign: only 4 bytes fit, so the sign goes. */
    wj_text_sanitize(buffer, sizeof buffer, "ab\xe2\x82\xac");
    assert_string_equal(buffer, "ab");
}

static void sanitize_keeps_whole_character_at_end(void **state)
{
    char buffer[6];

    (void)state;
    wj_text_sanitize(buffer, sizeof buffer, "ab\xe2\x82\xacz");
    assert_string_equal(buffer, "ab\xe2\x82\xac");
}

static void sanitize_size_one_gives_empty(void **state)
{
    char buffer[1] = {'x'};

    (void)state;
    wj_text_sanitize(buffer, sizeof buffer, "abc");
    assert_int_equal(buffer[0], '\0');
}

static void sanitize_size_zero_writes_nothing(void **state)
{
    char buffer[2] = {'x', 'y'};

    (void)state;
    wj_text_sanitize(buffer, 0, "abc");
    assert_int_equal(buffer[0], 'x');
}

static void excerpt_keeps_short_text(void **state)
{
    char buffer[WJ_TEXT_EXCERPT_SIZE];

    (void)state;
    wj_text_excerpt(buffer, sizeof buffer, "short|text\n");
    assert_string_equal(buffer, "short/text ");
}

static void excerpt_marks_cut_text(void **state)
{
    char text[200];
    char expected[WJ_TEXT_EXCERPT_SIZE];
    char buffer[WJ_TEXT_EXCERPT_SIZE];

    (void)state;
    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    memset(expected, 'a', 80);
    memcpy(expected + 80, "...", 4);

    wj_text_excerpt(buffer, sizeof buffer, text);
    assert_string_equal(buffer, expected);
}

static void excerpt_keeps_text_that_just_fits(void **state)
{
    char text[WJ_TEXT_EXCERPT_SIZE];
    char buffer[WJ_TEXT_EXCERPT_SIZE];

    (void)state;
    memset(text, 'b', sizeof text - 1);
    text[sizeof text - 1] = '\0';

    wj_text_excerpt(buffer, sizeof buffer, text);
    assert_string_equal(buffer, text);
}

static void excerpt_null_gives_empty(void **state)
{
    char buffer[WJ_TEXT_EXCERPT_SIZE] = "junk";

    (void)state;
    wj_text_excerpt(buffer, sizeof buffer, NULL);
    assert_string_equal(buffer, "");
}

static void redact_replaces_secret(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof redact_cases / sizeof redact_cases[0]; i++) {
        const struct redact_case *c = &redact_cases[i];
        char text[128];

        strcpy(text, c->text);
        wj_text_redact(text, c->secret);
        if (strcmp(text, c->expected) != 0)
            fail_msg("case %zu: got \"%s\", expected \"%s\"", i, text, c->expected);
    }
}

static void redact_never_grows_text(void **state)
{
    char text[] = "abcdefghij";

    (void)state;
    wj_text_redact(text, "abcdefghij");
    assert_int_equal(strlen(text), 10);
    assert_string_equal(text, "[redacted]");
}

static void redact_ignores_null_secret(void **state)
{
    char text[] = "unchanged";

    (void)state;
    wj_text_redact(text, NULL);
    assert_string_equal(text, "unchanged");
}

static void redact_ignores_null_text(void **state)
{
    (void)state;
    wj_text_redact(NULL, "abcdef0123456789");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sanitize_replaces_unsafe_bytes),
        cmocka_unit_test(sanitize_null_gives_empty),
        cmocka_unit_test(sanitize_returns_buffer),
        cmocka_unit_test(sanitize_truncates_to_size),
        cmocka_unit_test(sanitize_keeps_text_that_fits),
        cmocka_unit_test(sanitize_cuts_before_partial_character),
        cmocka_unit_test(sanitize_keeps_whole_character_at_end),
        cmocka_unit_test(sanitize_size_one_gives_empty),
        cmocka_unit_test(sanitize_size_zero_writes_nothing),
        cmocka_unit_test(excerpt_keeps_short_text),
        cmocka_unit_test(excerpt_marks_cut_text),
        cmocka_unit_test(excerpt_keeps_text_that_just_fits),
        cmocka_unit_test(excerpt_null_gives_empty),
        cmocka_unit_test(redact_replaces_secret),
        cmocka_unit_test(redact_never_grows_text),
        cmocka_unit_test(redact_ignores_null_secret),
        cmocka_unit_test(redact_ignores_null_text),
    };

    return cmocka_run_group_tests_name("wj_text", tests, NULL, NULL);
}
