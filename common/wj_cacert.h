/* Check of a CA bundle file at configuration time, so that a wrong file is
 * a configuration error at start-up rather than a TLS failure at each run. */
#ifndef WJ_CACERT_H
#define WJ_CACERT_H

#include <stdbool.h>

#include "wj_error.h"

/* Checks that path can be read and contains at least one PEM certificate,
 * the format curl's OpenSSL back end loads from CURLOPT_CAINFO. Fails with
 * WJ_ERR_CONFIG and a message that names the path and what to do. */
bool wj_cacert_check(const char *path, struct wj_error *error);

#endif
