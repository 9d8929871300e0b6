#include "wj_token.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *wj_token_problem(const char *token)
{
    if (token == NULL || token[0] == '\0')
        return "the API key is empty";

    for (const unsigned char *c = (const unsigned char *)token; *c; c++) {
        if (*c < 0x21 || *c > 0x7e)
            return "the API key contains a space or a control character. Check that it holds only the key";
    }

    if (strlen(token) < WJ_TOKEN_MIN_LENGTH)
        return "the API key is shorter than 4 characters, so it cannot be a valid key. Check it";
    return NULL;
}

bool wj_token_read_file(const char *path, char **token, struct wj_error *error)
{
    char line[WJ_TOKEN_MAX_LENGTH + 3]; /* the key, "\r\n" and the NUL */
    FILE *file = fopen(path, "r");
    bool file_is_empty = false;
    bool line_fits;
    size_t length;

    if (file == NULL) {
        wj_error_set(error, WJ_ERR_CONFIG, "cannot read the API key file %.200s: %s. Check the path and its permissions",
                     path, strerror(errno));
        return false;
    }
    if (fgets(line, sizeof line, file) == NULL) {
        /* fopen succeeds on a directory, and only the read fails (EISDIR). */
        if (ferror(file)) {
            int read_errno = errno;

            fclose(file);
            wj_error_set(error, WJ_ERR_CONFIG,
                         "cannot read the API key file %.200s: %s. Check the path and its permissions", path,
                         strerror(read_errno));
            return false;
        }
        line[0] = '\0';
        file_is_empty = true;
    }
    /* The line fits when fgets stopped at its line break or at the end of
     * the file, rather than at the end of the buffer. */
    line_fits = strchr(line, '\n') != NULL || feof(file);
    fclose(file);

    length = strlen(line);
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r' || line[length - 1] == ' '
                          || line[length - 1] == '\t'))
        line[--length] = '\0';

    if (!line_fits || length > WJ_TOKEN_MAX_LENGTH) {
        explicit_bzero(line, sizeof line);
        wj_error_set(error, WJ_ERR_CONFIG, "the first line of the API key file %.200s is longer than %d bytes. It should hold only the key",
                     path, WJ_TOKEN_MAX_LENGTH);
        return false;
    }

    if (length == 0) {
        wj_error_set(error, WJ_ERR_CONFIG, "the API key file %.200s %s. Put the key on its first line", path,
                     file_is_empty ? "is empty" : "has a blank first line");
        return false;
    }
    *token = strdup(line);
    explicit_bzero(line, sizeof line);
    if (*token == NULL) {
        wj_error_set(error, WJ_ERR_INTERNAL, "out of memory reading the API key");
        return false;
    }
    return true;
}

void wj_token_free(char *token)
{
    if (token == NULL)
        return;

    explicit_bzero(token, strlen(token));
    free(token);
}
