/* Unit tests for wj_token_read_file: the length limit of the key file's first line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wj_token.h"

static char scratch[] = "/tmp/wj-token-XXXXXX";

/* Writes a key of key_length 'k' bytes followed by ending to a scratch
 * file and returns the file's path. */
static const char *write_key_file(size_t key_length, const char *ending)
{
    static char path[256];
    FILE *file;

    snprintf(path, sizeof path, "%s/key", scratch);
    file = fopen(path, "w");
    assert_non_null(file);
    for (size_t i = 0; i < key_length; i++)
        fputc('k', file);
    fputs(ending, file);
    fclose(file);
    return path;
}

static int make_scratch(void **state)
{
    (void)state;
    return mkdtemp(scratch) == NULL ? -1 : 0;
}

static int remove_scratch(void **state)
{
    char path[256];

    (void)state;
    snprintf(path, sizeof path, "%s/key", scratch);
    unlink(path);
    return rmdir(scratch);
}

static void token_longest_key_accepted(void **state)
{
    static const char *const endings[] = {"", "\n", "\r\n", " \n", "\nsecond line\n"};
    struct wj_error error = {0};

    (void)state;
    for (size_t i = 0; i < sizeof endings / sizeof endings[0]; i++) {
        char *token = NULL;

        if (!wj_token_read_file(write_key_file(WJ_TOKEN_MAX_LENGTH, endings[i]), &token, &error))
            fail_msg("ending %zu rejected: %s", i, error.message);
        assert_int_equal(strlen(token), WJ_TOKEN_MAX_LENGTH);
        free(token);
    }
}

static void token_longer_key_rejected(void **state)
{
    static const char *const endings[] = {"", "\n", "\r\n"};
    struct wj_error error = {0};

    (void)state;
    for (size_t i = 0; i < sizeof endings / sizeof endings[0]; i++) {
        char *token = NULL;

        assert_false(wj_token_read_file(write_key_file(WJ_TOKEN_MAX_LENGTH + 1, endings[i]), &token, &error));
        assert_null(token);
        assert_non_null(strstr(error.message, "longer than 4096 bytes"));
    }
}

static void token_text_after_space_rejected(void **state)
{
    struct wj_error error = {0};
    char *token = NULL;

    (void)state;
    assert_false(wj_token_read_file(write_key_file(WJ_TOKEN_MAX_LENGTH, " and more text\n"), &token, &error));
    assert_non_null(strstr(error.message, "longer than 4096 bytes"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_longest_key_accepted),
        cmocka_unit_test(token_longer_key_rejected),
        cmocka_unit_test(token_text_after_space_rejected),
    };

    return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}
