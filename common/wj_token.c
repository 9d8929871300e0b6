#include "wj_token.h"

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
