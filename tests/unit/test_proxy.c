/* Unit tests for wj_proxy_validate: proxy settings checked at configuration time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wj_http.h"

static void proxy_accepts_usual_forms(void **state)
{
    static const char *const valid[] = {
        NULL, "", "proxy.example", "proxy.example:3128", "http://proxy.example:3128",
        "https://proxy.example", "socks5h://127.0.0.1:1080", "socks4a://proxy.example:1080",
        "[::1]:8080", "http://user:password@proxy.example:3128",
    };
    struct wj_error error = {0};

    (void)state;
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        if (!wj_proxy_validate(valid[i], &error))
            fail_msg("\"%s\" was rejected: %s", valid[i] ? valid[i] : "(null)", error.message);
    }
}

static void proxy_rejects_invalid_forms(void **state)
{
    static const char *const invalid[] = {
        "not a url", "ftp://proxy.example", "http://", ":3128", "proxy.example:port",
    };
    struct wj_error error = {0};

    (void)state;
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        if (wj_proxy_validate(invalid[i], &error))
            fail_msg("\"%s\" was accepted", invalid[i]);
        assert_int_equal(error.kind, WJ_ERR_CONFIG);
        assert_non_null(strstr(error.message, "invalid proxy"));
    }
}

static void proxy_message_hides_credentials(void **state)
{
    struct wj_error error = {0};

    (void)state;
    assert_false(wj_proxy_validate("ftp://agent:hunter2pw@proxy.example", &error));
    assert_null(strstr(error.message, "hunter2pw"));
    assert_non_null(strstr(error.message, "proxy.example"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proxy_accepts_usual_forms),
        cmocka_unit_test(proxy_rejects_invalid_forms),
        cmocka_unit_test(proxy_message_hides_credentials),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
