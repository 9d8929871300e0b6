/* Checks on an API key before it is sent, shared by both front ends. */
#ifndef WJ_TOKEN_H
#define WJ_TOKEN_H

#include <stdbool.h>

#include "wj_error.h"

/* Shortest API key accepted. A shorter one cannot be a real key, and could
 * not be redacted from output without mangling ordinary words. */
#define WJ_TOKEN_MIN_LENGTH 4

/* Maximum length of the key file's first line, in bytes. */
#define WJ_TOKEN_MAX_LENGTH 4096

/* Returns NULL for a usable key, else what is wrong with it, as a sentence
 * fragment that never quotes the key: empty, too short, or a byte that is
 * not visible ASCII (the key goes into an HTTP header unquoted). */
const char *wj_token_problem(const char *token);

/* Reads the API key from the first line of the file at path, without its
 * line ending and trailing blanks, into a malloc'd *token. On failure sets
 * error (WJ_ERR_CONFIG) naming the file and the problem (cannot be read,
 * empty, blank first line, first line too long) and never the key. The
 * caller still checks the key with wj_token_problem. */
bool wj_token_read_file(const char *path, char **token, struct wj_error *error);

/* Overwrites the key with zeros, in a way the compiler cannot drop as a
 * dead store, and frees it. NULL is allowed. */
void wj_token_free(char *token);

#endif
