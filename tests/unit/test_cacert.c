/* Unit tests for wj_cacert_check: CA bundle files checked at configuration time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wj_cacert.h"

static char scratch[] = "/tmp/wj-cacert-XXXXXX";

/* Writes content to a file in the scratch folder and returns its path. */
static const char *write_bundle(const char *name, const char *content)
{
    static char path[256];
    FILE *file;

    snprintf(path, sizeof path, "%s/%s", scratch, name);
    file = fopen(path, "w");
    assert_non_null(file);
    fputs(content, file);
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
    char command[300];

    (void)state;
    snprintf(command, sizeof command, "rm -rf '%s'", scratch);
    return system(command) == 0 ? 0 : -1;
}

static void cacert_accepts_pem_bundle(void **state)
{
    struct wj_error error = {0};

    (void)state;
    assert_true(wj_cacert_check(write_bundle("plain.pem", "# comment\n-----BEGIN CERTIFICATE-----\nMIIB\n"
                                                          "-----END CERTIFICATE-----\n"),
                                &error));
    assert_true(wj_cacert_check(write_bundle("trusted.pem", "-----BEGIN TRUSTED CERTIFICATE-----\n"), &error));
}

static void cacert_rejects_file_without_certificate(void **state)
{
    struct wj_error error = {0};
    const char *path = write_bundle("key.pem", "-----BEGIN PRIVATE KEY-----\nMIIE\n");

    (void)state;
    assert_false(wj_cacert_check(path, &error));
    assert_int_equal(error.kind, WJ_ERR_CONFIG);
    assert_non_null(strstr(error.message, path));
    assert_non_null(strstr(error.message, "contains no PEM certificate"));
}

static void cacert_rejects_empty_file(void **state)
{
    struct wj_error error = {0};

    (void)state;
    assert_false(wj_cacert_check(write_bundle("empty.pem", ""), &error));
    assert_non_null(strstr(error.message, "no PEM certificate"));
}

static void cacert_rejects_missing_file(void **state)
{
    struct wj_error error = {0};

    (void)state;
    assert_false(wj_cacert_check("/nonexistent/ca.pem", &error));
    assert_int_equal(error.kind, WJ_ERR_CONFIG);
    assert_non_null(strstr(error.message, "cannot read the CA bundle /nonexistent/ca.pem"));
    assert_non_null(strstr(error.message, "No such file"));
}

static void cacert_rejects_directory(void **state)
{
    struct wj_error error = {0};

    (void)state;
    assert_false(wj_cacert_check(scratch, &error));
    assert_non_null(strstr(error.message, "cannot read the CA bundle"));
    assert_non_null(strstr(error.message, "Is a directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cacert_accepts_pem_bundle),
        cmocka_unit_test(cacert_rejects_file_without_certificate),
        cmocka_unit_test(cacert_rejects_empty_file),
        cmocka_unit_test(cacert_rejects_missing_file),
        cmocka_unit_test(cacert_rejects_directory),
    };

    return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}
