/* Checks on an API key before it is sent, shared by both front ends. */
#ifndef WJ_TOKEN_H
#define WJ_TOKEN_H

/* Shortest API key accepted. A shorter one cannot be a real key, and could
 * not be redacted from output without mangling ordinary words. */
#define WJ_TOKEN_MIN_LENGTH 4

/* Returns NULL for a usable key, else what is wrong with it, as a sentence
 * fragment that never quotes the key: empty, too short, or a byte that is
 * not visible ASCII (the key goes into an HTTP header unquoted). */
const char *wj_token_problem(const char *token);

#endif
