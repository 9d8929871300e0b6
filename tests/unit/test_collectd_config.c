/* Unit tests for the whisper_jobs collectd plugin's configuration: defaults,
 * every key, the Timeout clamp, registration, and every invalid case, run
 * against the daemon stand-in in collectd_double.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectd_double.h"
#include "wjc_account.h"
#include "wjc_read.h"

#define SECRET "s3cret-token-0123"

/* Files the configurations below refer to, in a scratch folder. */
static char scratch[64];
static char path_buffer[8][128];

enum scratch_file {
    FILE_GOOD_TOKEN,   /* the secret and a line break */
    FILE_EMPTY,
    FILE_BLANK_LINE,
    FILE_CONTROL,      /* a key with a control character */
    FILE_SPACE,        /* a key with a space */
    FILE_LONG,         /* a first line of 5000 bytes */
    FILE_CA_BUNDLE,
    FILE_DIRECTORY
};

static const char *scratch_path(enum scratch_file file)
{
    return path_buffer[file];
}

static void write_file(enum scratch_file file, const char *name, const char *content)
{
    FILE *stream;

    snprintf(path_buffer[file], sizeof path_buffer[file], "%s/%s", scratch, name);
    stream = fopen(path_buffer[file], "w");
    assert_non_null(stream);
    fputs(content, stream);
    fclose(stream);
}

static int make_scratch(void **state)
{
    char long_line[5002];

    (void)state;
    snprintf(scratch, sizeof scratch, "/tmp/wjc-unit-XXXXXX");
    if (mkdtemp(scratch) == NULL)
        return -1;

    memset(long_line, 'k', 5000);
    long_line[5000] = '\n';
    long_line[5001] = '\0';
    write_file(FILE_GOOD_TOKEN, "good", SECRET "\n");
    write_file(FILE_EMPTY, "empty", "");
    write_file(FILE_BLANK_LINE, "blank", " \n");
    write_file(FILE_CONTROL, "control", "s3cret\x01token\n");
    write_file(FILE_SPACE, "space", "s3cret token\n");
    write_file(FILE_LONG, "long", long_line);
    write_file(FILE_CA_BUNDLE, "ca.pem", "-----BEGIN CERTIFICATE-----\n");
    snprintf(path_buffer[FILE_DIRECTORY], sizeof path_buffer[FILE_DIRECTORY], "%s/folder", scratch);
    return mkdir(path_buffer[FILE_DIRECTORY], 0700);
}

static int remove_scratch(void **state)
{
    (void)state;
    for (int file = FILE_GOOD_TOKEN; file < FILE_DIRECTORY; file++)
        unlink(path_buffer[file]);
    rmdir(path_buffer[FILE_DIRECTORY]);
    return rmdir(scratch);
}

static int reset_daemon(void **state)
{
    (void)state;
    double_reset();
    module_register();
    return 0;
}

static int forget_daemon(void **state)
{
    (void)state;
    double_reset();
    return 0;
}

/* Passes each top-level block of text to the plugin's configuration
 * callback, as collectd does with each <Plugin whisper_jobs> block, and
 * returns the first non-zero status. */
static int configure(const char *text)
{
    oconfig_item_t *root = double_parse_config(text);
    int (*callback)(oconfig_item_t *) = double_config_callback();
    int status = 0;

    assert_non_null(root);
    assert_non_null(callback);
    for (int i = 0; i < root->children_num && status == 0; i++)
        status = callback(&root->children[i]);
    double_free_config(root);
    return status;
}

static const struct wjc_account *registered_account(size_t index)
{
    const struct double_read *read = double_read_at(index);

    assert_non_null(read);
    return read->user_data.data;
}

static void assert_no_log_contains(const char *text)
{
    for (size_t i = 0; i < double_log_count(); i++) {
        if (strstr(double_log_at(i)->message, text))
            fail_msg("log line %zu contains \"%s\": %s", i, text, double_log_at(i)->message);
    }
}

static void module_registers_config_and_init(void **state)
{
    (void)state;
    assert_non_null(double_config_callback());
    assert_non_null(double_init_callback());
    assert_int_equal(double_init_callback()(), 0);
}

static void defaults_apply(void **state)
{
    const struct double_read *read;
    const struct wjc_account *account;

    (void)state;
    assert_int_equal(configure("<Plugin whisper_jobs>\n"
                               "  <Account \"prod\">\n"
                               "    Token \"" SECRET "\"\n"
                               "  </Account>\n"
                               "</Plugin>\n"),
                     0);

    assert_int_equal(double_read_count(), 1);
    read = double_read_at(0);
    assert_string_equal(read->group, "whisper_jobs");
    assert_string_equal(read->name, "whisper_jobs/prod");
    assert_ptr_equal(read->callback, wjc_read);
    assert_ptr_equal(read->user_data.free_func, wjc_account_free);
    assert_int_equal(read->interval, TIME_T_TO_CDTIME_T(10));

    account = registered_account(0);
    assert_string_equal(account->name, "prod");
    assert_string_equal(account->url, "https://api.whisper.security");
    assert_string_equal(account->token, SECRET);
    assert_int_equal(account->interval, TIME_T_TO_CDTIME_T(10));
    assert_int_equal(account->timeout_ms, 10000);
    assert_int_equal(account->stuck_after_ms, 900000);
    assert_int_equal(account->max_pages, 100);
    assert_int_equal(account->verbosity, 0);
    assert_true(account->verify_peer);
    assert_null(account->cacert);
    assert_null(account->proxy);
    assert_int_equal(account->type_count, 0);
    assert_null(account->client);

    assert_int_equal(double_log_count_containing("account \"prod\": reading https://api.whisper.security every 10.000 s"),
                     1);
    assert_no_log_contains(SECRET);
}

static void every_key_is_read(void **state)
{
    char text[2048];
    const struct wjc_account *account;

    (void)state;
    snprintf(text, sizeof text,
             "<Plugin whisper_jobs>\n"
             "  <Account \"prod\">\n"
             "    URL \"http://127.0.0.1:8080\"\n"
             "    TokenFile \"%s\"\n"
             "    Interval 30\n"
             "    Timeout 2.5\n"
             "    StuckAfter 600\n"
             "    Type \"screenshot\"\n"
             "    Type \"whois-search\"\n"
             "    CACert \"%s\"\n"
             "    VerifyPeer false\n"
             "    Proxy \"http://proxy.example:3128\"\n"
             "    MaxPages 7\n"
             "    Verbose 2\n"
             "  </Account>\n"
             "</Plugin>\n",
             scratch_path(FILE_GOOD_TOKEN), scratch_path(FILE_CA_BUNDLE));
    assert_int_equal(configure(text), 0);

    assert_int_equal(double_read_count(), 1);
    assert_int_equal(double_read_at(0)->interval, TIME_T_TO_CDTIME_T(30));
    account = registered_account(0);
    assert_string_equal(account->url, "http://127.0.0.1:8080");
    assert_string_equal(account->token, SECRET);
    assert_int_equal(account->interval, TIME_T_TO_CDTIME_T(30));
    assert_int_equal(account->timeout_ms, 2500);
    assert_int_equal(account->stuck_after_ms, 600000);
    assert_int_equal(account->type_count, 2);
    assert_string_equal(account->types[0], "screenshot");
    assert_string_equal(account->types[1], "whois-search");
    assert_string_equal(account->cacert, scratch_path(FILE_CA_BUNDLE));
    assert_false(account->verify_peer);
    assert_string_equal(account->proxy, "http://proxy.example:3128");
    assert_int_equal(account->max_pages, 7);
    assert_int_equal(account->verbosity, 2);
    assert_no_log_contains(SECRET);
}

static void keys_ignore_case(void **state)
{
    const struct wjc_account *account;

    (void)state;
    assert_int_equal(configure("<Plugin whisper_jobs>\n"
                               "  <account \"prod\">\n"
                               "    url \"https://api.example\"\n"
                               "    TOKEN \"" SECRET "\"\n"
                               "    verifypeer true\n"
                               "  </account>\n"
                               "</Plugin>\n"),
                     0);
    account = registered_account(0);
    assert_string_equal(account->url, "https://api.example");
    assert_true(account->verify_peer);
}

static void explicit_timeout_clamped_with_warning(void **state)
{
    const struct wjc_account *account;

    (void)state;
    assert_int_equal(configure("<Plugin whisper_jobs>\n"
                               "  <Account \"prod\">\n"
                               "    Token \"" SECRET "\"\n"
                               "    Interval 2\n"
                               "    Timeout 5\n"
                               "  </Account>\n"
                               "</Plugin>\n"),
                     0);
    account = registered_account(0);
    assert_int_equal(account->timeout_ms, 2000);
    assert_int_equal(double_log_count_containing("account \"prod\", key Timeout: 5.000 s is longer than the interval of "
                                                 "2.000 s; using 2.000 s"),
                     1);
    assert_int_equal(double_log_at(0)->level, LOG_WARNING);
}

static void default_timeout_clamped_silently(void **state)
{
    const struct wjc_account *account;

    (void)state;
    double_set_interval(TIME_T_TO_CDTIME_T(1));
    assert_int_equal(configure("<Plugin whisper_jobs>\n"
                               "  <Account \"prod\">\n"
                               "    Token \"" SECRET "\"\n"
                               "  </Account>\n"
                               "</Plugin>\n"),
                     0);
    account = registered_account(0);
    assert_int_equal(account->interval, TIME_T_TO_CDTIME_T(1));
    assert_int_equal(account->timeout_ms, 1000);
    assert_int_equal(double_log_count_containing("key Timeout"), 0);
}

static void timeout_within_interval_kept(void **state)
{
    (void)state;
    assert_int_equal(configure("<Plugin whisper_jobs>\n"
                               "  <Account \"prod\">\n"
                               "    Token \"" SECRET "\"\n"
                               "    Interval 0.5\n"
                               "    Timeout 0.25\n"
                               "  </Account>\n"
                               "</Plugin>\n"),
                     0);
    assert_int_equal(registered_account(0)->timeout_ms, 250);
    assert_int_equal(double_log_count_containing("key Timeout"), 0);
}

static void two_accounts_registered(void **state)
{
    (void)state;
    assert_int_equal(configure("<Plugin whisper_jobs>\n"
                               "  <Account \"prod\">\n"
                               "    Token \"" SECRET "\"\n"
                               "    Interval 60\n"
                               "  </Account>\n"
                               "  <Account \"staging\">\n"
                               "    Token \"other-key-4567\"\n"
                               "    Interval 5\n"
                               "  </Account>\n"
                               "</Plugin>\n"),
                     0);
    assert_int_equal(double_read_count(), 2);
    assert_string_equal(double_read_at(0)->name, "whisper_jobs/prod");
    assert_int_equal(double_read_at(0)->interval, TIME_T_TO_CDTIME_T(60));
    assert_string_equal(double_read_at(1)->name, "whisper_jobs/staging");
    assert_int_equal(double_read_at(1)->interval, TIME_T_TO_CDTIME_T(5));
    assert_string_equal(registered_account(1)->token, "other-key-4567");
}

static void blocks_configured_separately(void **state)
{
    (void)state;
    assert_int_equal(configure("<Plugin whisper_jobs>\n"
                               "  <Account \"prod\">\n"
                               "    Token \"" SECRET "\"\n"
                               "  </Account>\n"
                               "</Plugin>\n"
                               "<Plugin whisper_jobs>\n"
                               "  <Account \"staging\">\n"
                               "    Token \"" SECRET "\"\n"
                               "  </Account>\n"
                               "</Plugin>\n"),
                     0);
    assert_int_equal(double_read_count(), 2);
}

static void empty_block_warns(void **state)
{
    (void)state;
    assert_int_equal(configure("<Plugin whisper_jobs>\n</Plugin>\n"), 0);
    assert_int_equal(double_read_count(), 0);
    assert_int_equal(double_log_count_containing("holds no <Account \"NAME\"> block"), 1);
}

static void failed_registration_fails(void **state)
{
    (void)state;
    double_fail_register_read(true);
    assert_int_equal(configure("<Plugin whisper_jobs>\n"
                               "  <Account \"prod\">\n"
                               "    Token \"" SECRET "\"\n"
                               "  </Account>\n"
                               "</Plugin>\n"),
                     -1);
    assert_int_equal(double_read_count(), 0);
    assert_int_equal(double_log_count_containing("account \"prod\": registering the read callback failed"), 1);
}

static void bad_account_registers_none(void **state)
{
    (void)state;
    assert_int_equal(configure("<Plugin whisper_jobs>\n"
                               "  <Account \"good\">\n"
                               "    Token \"" SECRET "\"\n"
                               "  </Account>\n"
                               "  <Account \"bad\">\n"
                               "    Token \"" SECRET "\"\n"
                               "    Interval \"soon\"\n"
                               "  </Account>\n"
                               "</Plugin>\n"),
                     -1);
    assert_int_equal(double_read_count(), 0);
    assert_int_equal(double_log_count_containing("account \"bad\", key Interval"), 1);
}

/* An invalid configuration: the lines inside <Plugin whisper_jobs>, with
 * %1$s standing for the scratch file named by file, and the texts that one
 * error line must contain. */
struct bad_case {
    const char *body;
    enum scratch_file file;
    const char *expected[3];
};

#define ACCOUNT(lines) "  <Account \"prod\">\n" lines "  </Account>\n"
#define TOKEN "    Token \"" SECRET "\"\n"

static const struct bad_case bad_cases[] = {
    /* keys */
    {ACCOUNT(TOKEN "    Colour \"blue\"\n"), 0, {"account \"prod\"", "key Colour", "unknown key"}},
    {ACCOUNT(TOKEN "    <URL \"http://a\">\n      Host \"a\"\n    </URL>\n"), 0,
     {"account \"prod\"", "key URL", "takes a value, not a block"}},
    {"  Colour \"blue\"\n", 0, {"unknown key Colour", "<Plugin whisper_jobs>", NULL}},
    /* value types and ranges */
    {ACCOUNT(TOKEN "    Interval \"ten\"\n"), 0, {"account \"prod\"", "key Interval", "number of seconds"}},
    {ACCOUNT(TOKEN "    Interval 0\n"), 0, {"account \"prod\"", "key Interval", "out of range"}},
    {ACCOUNT(TOKEN "    Interval -1\n"), 0, {"account \"prod\"", "key Interval", "out of range"}},
    {ACCOUNT(TOKEN "    Interval 1 2\n"), 0, {"account \"prod\"", "key Interval", "one number"}},
    {ACCOUNT(TOKEN "    Timeout \"fast\"\n"), 0, {"account \"prod\"", "key Timeout", "number of seconds"}},
    {ACCOUNT(TOKEN "    Timeout 0\n"), 0, {"account \"prod\"", "key Timeout", "out of range"}},
    {ACCOUNT(TOKEN "    Timeout -2\n"), 0, {"account \"prod\"", "key Timeout", "out of range"}},
    {ACCOUNT(TOKEN "    StuckAfter \"1h\"\n"), 0, {"account \"prod\"", "key StuckAfter", "number of seconds"}},
    {ACCOUNT(TOKEN "    StuckAfter -1\n"), 0, {"account \"prod\"", "key StuckAfter", "out of range"}},
    {ACCOUNT(TOKEN "    MaxPages 0\n"), 0, {"account \"prod\"", "key MaxPages", "whole number from 1 to 100000"}},
    {ACCOUNT(TOKEN "    MaxPages 1.5\n"), 0, {"account \"prod\"", "key MaxPages", "whole number"}},
    {ACCOUNT(TOKEN "    MaxPages 100001\n"), 0, {"account \"prod\"", "key MaxPages", "whole number"}},
    {ACCOUNT(TOKEN "    MaxPages \"many\"\n"), 0, {"account \"prod\"", "key MaxPages", "one whole number"}},
    {ACCOUNT(TOKEN "    Verbose 4\n"), 0, {"account \"prod\"", "key Verbose", "whole number from 0 to 3"}},
    {ACCOUNT(TOKEN "    VerifyPeer \"maybe\"\n"), 0, {"account \"prod\"", "key VerifyPeer", "true or false"}},
    {ACCOUNT(TOKEN "    VerifyPeer 1\n"), 0, {"account \"prod\"", "key VerifyPeer", "true or false"}},
    {ACCOUNT(TOKEN "    URL 42\n"), 0, {"account \"prod\"", "key URL", "one string"}},
    {ACCOUNT(TOKEN "    URL \"\"\n"), 0, {"account \"prod\"", "key URL", "empty"}},
    {ACCOUNT(TOKEN "    URL \"ftp://api.example\"\n"), 0, {"account \"prod\"", "key URL", "https://HOST"}},
    {ACCOUNT(TOKEN "    URL \"https://api.example/v1\"\n"), 0, {"account \"prod\"", "key URL", "ends with /v1"}},
    {ACCOUNT(TOKEN "    Type \"\"\n"), 0, {"account \"prod\"", "key Type", "empty"}},
    {ACCOUNT(TOKEN "    Type 3\n"), 0, {"account \"prod\"", "key Type", "one string"}},
    {ACCOUNT(TOKEN "    Proxy 5\n"), 0, {"account \"prod\"", "key Proxy", "one string"}},
    {ACCOUNT(TOKEN "    CACert \"/nonexistent/ca.pem\"\n"), 0,
     {"account \"prod\"", "key CACert", "cannot read the CA bundle /nonexistent/ca.pem"}},
    {ACCOUNT(TOKEN "    CACert \"%1$s\"\n"), FILE_GOOD_TOKEN, {"account \"prod\"", "key CACert", "no PEM certificate"}},
    {ACCOUNT(TOKEN "    Proxy \"not a url\"\n"), 0, {"account \"prod\"", "key Proxy", "invalid proxy \"not a url\""}},
    {ACCOUNT(TOKEN "    Proxy \"ftp://proxy.example\"\n"), 0, {"account \"prod\"", "key Proxy", "socks5h"}},
    {ACCOUNT(TOKEN "    MaxPages 1000000\n"), 0, {"account \"prod\"", "key MaxPages", "1000000 is invalid"}},
    /* the API key */
    {ACCOUNT("    URL \"http://127.0.0.1:9\"\n"), 0, {"account \"prod\"", "no API key", "TokenFile"}},
    {ACCOUNT("    TokenFile \"/nonexistent/key\"\n"), 0,
     {"account \"prod\"", "key TokenFile", "cannot read the API key file /nonexistent/key"}},
    {ACCOUNT("    TokenFile \"%1$s\"\n"), FILE_DIRECTORY, {"account \"prod\"", "key TokenFile", "cannot read"}},
    {ACCOUNT("    TokenFile \"%1$s\"\n"), FILE_EMPTY, {"account \"prod\"", "key TokenFile", "is empty"}},
    {ACCOUNT("    TokenFile \"%1$s\"\n"), FILE_BLANK_LINE, {"account \"prod\"", "key TokenFile", "has a blank first line"}},
    {ACCOUNT("    TokenFile \"%1$s\"\n"), FILE_CONTROL, {"account \"prod\"", "key TokenFile", "control character"}},
    {ACCOUNT("    TokenFile \"%1$s\"\n"), FILE_SPACE, {"account \"prod\"", "key TokenFile", "space"}},
    {ACCOUNT("    TokenFile \"%1$s\"\n"), FILE_LONG, {"account \"prod\"", "key TokenFile", "longer than 4096 bytes"}},
    {ACCOUNT("    TokenFile \"\"\n"), 0, {"account \"prod\"", "key TokenFile", "empty"}},
    {ACCOUNT("    Token \"s3cret\x01token\"\n"), 0, {"account \"prod\"", "key Token", "control character"}},
    {ACCOUNT("    Token \"s3cret\ttoken\"\n"), 0, {"account \"prod\"", "key Token", "control character"}},
    {ACCOUNT("    Token \"s3cret token\"\n"), 0, {"account \"prod\"", "key Token", "space"}},
    {ACCOUNT("    Token \"\"\n"), 0, {"account \"prod\"", "key Token", "empty"}},
    {ACCOUNT("    Token 1234\n"), 0, {"account \"prod\"", "key Token", "one string"}},
    {ACCOUNT(TOKEN "    TokenFile \"%1$s\"\n"), FILE_GOOD_TOKEN,
     {"account \"prod\"", "key Token", "both Token and TokenFile"}},
    /* the account name */
    {"  <Account \"\">\n" TOKEN "  </Account>\n", 0, {"account \"\"", "name is empty", NULL}},
    {"  <Account>\n" TOKEN "  </Account>\n", 0, {"Account block needs exactly one name", NULL, NULL}},
    {"  <Account 5>\n" TOKEN "  </Account>\n", 0, {"Account block needs exactly one name", NULL, NULL}},
    {"  <Account \"a/b\">\n" TOKEN "  </Account>\n", 0, {"account \"a/b\"", "'/'", NULL}},
    {"  <Account \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\">\n" TOKEN "  </Account>\n",
     0, {"account \"xxxxxxxx", "longer than 127 bytes", NULL}},
    {ACCOUNT(TOKEN) ACCOUNT(TOKEN), 0, {"account \"prod\"", "used by another Account block", NULL}},
};

static bool line_has_all(const char *line, const char *const expected[3])
{
    for (int i = 0; i < 3; i++) {
        if (expected[i] && strstr(line, expected[i]) == NULL)
            return false;
    }
    return true;
}

static void bad_configurations_fail(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *bad = &bad_cases[i];
        char body[1024];
        char text[1200];
        bool found = false;

        double_reset();
        module_register();
        snprintf(body, sizeof body, bad->body, scratch_path(bad->file));
        snprintf(text, sizeof text, "<Plugin whisper_jobs>\n%s</Plugin>\n", body);

        if (configure(text) != -1)
            fail_msg("case %zu was accepted:\n%s", i, text);
        assert_int_equal(double_read_count(), 0);

        for (size_t j = 0; j < double_log_count(); j++) {
            const struct double_log *line = double_log_at(j);

            if (line->level == LOG_ERR && line_has_all(line->message, bad->expected))
                found = true;
        }
        if (!found) {
            for (size_t j = 0; j < double_log_count(); j++)
                fprintf(stderr, "  log: %s\n", double_log_at(j)->message);
            fail_msg("case %zu: no error line contains \"%s\", \"%s\" and \"%s\"", i, bad->expected[0],
                     bad->expected[1] ? bad->expected[1] : "", bad->expected[2] ? bad->expected[2] : "");
        }
        assert_no_log_contains("s3cret");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(module_registers_config_and_init, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(defaults_apply, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(every_key_is_read, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(keys_ignore_case, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(explicit_timeout_clamped_with_warning, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(default_timeout_clamped_silently, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(timeout_within_interval_kept, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(two_accounts_registered, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(blocks_configured_separately, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(empty_block_warns, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(failed_registration_fails, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(bad_account_registers_none, reset_daemon, forget_daemon),
        cmocka_unit_test_setup_teardown(bad_configurations_fail, reset_daemon, forget_daemon),
    };

    return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}
