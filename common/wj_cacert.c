#define _GNU_SOURCE /* getline */

#include "wj_cacert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_certificate_start(const char *line)
{
    /* Both "BEGIN CERTIFICATE" and OpenSSL's "BEGIN TRUSTED CERTIFICATE". */
    return strncmp(line, "-----BEGIN ", 11) == 0 && strstr(line, "CERTIFICATE-----") != NULL;
}

bool wj_cacert_check(const char *path, struct wj_error *error)
{
    FILE *file = fopen(path, "r");
    char *line = NULL;
    size_t capacity = 0;
    bool found = false;
    int read_errno;

    if (file == NULL) {
        wj_error_set(error, WJ_ERR_CONFIG, "cannot read the CA bundle %.200s: %s. Check the path and its permissions",
                     path, strerror(errno));
        return false;
    }

    errno = 0;
    while (!found && getline(&line, &capacity, file) != -1)
        found = is_certificate_start(line);
    read_errno = errno;

    if (!found && ferror(file)) {
        free(line);
        fclose(file);
        wj_error_set(error, WJ_ERR_CONFIG, "cannot read the CA bundle %.200s: %s. Check the path and its permissions",
                     path, strerror(read_errno));
        return false;
    }
    free(line);
    fclose(file);

    if (!found) {
        wj_error_set(error, WJ_ERR_CONFIG,
                     "the CA bundle %.200s contains no PEM certificate (no \"-----BEGIN CERTIFICATE-----\" line). "
                     "Give a file of CA certificates in PEM format",
                     path);
        return false;
    }
    return true;
}
