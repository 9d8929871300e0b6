#include "wj_text.h"

#include <string.h>

#define REDACTED_WORD "[redacted]"
#define SHORT_REDACTED_WORD "***"
#define REDACT_MIN_SECRET 4

static char safe_byte(unsigned char byte)
{
    if (byte == '|')
        return '/';

    /* Nagios 4 rewrites ';' in a plugin's first line to ':', so API text
     * gets the ',' a reader would expect instead. */
    if (byte == ';')
        return ',';

    /* Covers CR, LF, tab, the other C0 controls and DEL. */
    if (byte < 0x20 || byte == 0x7f)
        return ' ';

    return (char)byte;
}

/* Returns how many of the first `length` bytes of text end on a UTF-8
 * character boundary, so a cut never leaves half a character behind. */
static size_t utf8_boundary(const char *text, size_t length)
{
    size_t start = length;
    size_t needed;
    unsigned char lead;

    /* Step back over continuation bytes (10xxxxxx) to the lead byte. */
    while (start > 0 && ((unsigned char)text[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return length;

    lead = (unsigned char)text[start - 1];
    if (lead < 0x80)
        return length;

    if ((lead & 0xE0) == 0xC0)
        needed = 2;
    else if ((lead & 0xF0) == 0xE0)
        needed = 3;
    else if ((lead & 0xF8) == 0xF0)
        needed = 4;
    else
        return length; /* not valid UTF-8: nothing to protect */

    if (length - (start - 1) >= needed)
        return length;
    return start - 1;
}

/* Copies at most `limit` bytes of text, cut on a character boundary when the
 * text is longer. Returns the number of bytes written, without the NUL. */
static size_t copy_sanitized(char *buffer, const char *text, size_t limit)
{
    size_t length = strnlen(text, limit + 1);
    size_t i;

    if (length > limit)
        length = utf8_boundary(text, limit);

    for (i = 0; i < length; i++)
        buffer[i] = safe_byte((unsigned char)text[i]);
    buffer[length] = '\0';
    return length;
}

char *wj_text_sanitize(char *buffer, size_t size, const char *text)
{
    if (size == 0)
        return buffer;

    copy_sanitized(buffer, text ? text : "", size - 1);
    return buffer;
}

char *wj_text_excerpt(char *buffer, size_t size, const char *text)
{
    const char *source = text ? text : "";
    size_t length;

    if (size == 0)
        return buffer;

    if (strnlen(source, size) < size || size < 4) {
        copy_sanitized(buffer, source, size - 1);
        return buffer;
    }

    /* Too long: keep what fits before "..." so the reader sees it was cut. */
    length = copy_sanitized(buffer, source, size - 4);
    memcpy(buffer + length, "...", 4);
    return buffer;
}

/* Overwrites the secret found at `match` and returns where the search goes on. */
static char *redact_at(char *match, size_t secret_length)
{
    /* A secret shorter than "[redacted]" becomes "***", which hides its
     * length too. Either word is at most as long as the secret, so the text
     * shrinks or keeps its size: move the rest, with its NUL, up. */
    const char *word = secret_length < strlen(REDACTED_WORD) ? SHORT_REDACTED_WORD : REDACTED_WORD;
    size_t word_length = strlen(word);

    memcpy(match, word, word_length);
    memmove(match + word_length, match + secret_length, strlen(match + secret_length) + 1);
    return match + word_length;
}

void wj_text_redact(char *text, const char *secret)
{
    size_t secret_length;
    char *cursor;
    char *match;

    if (text == NULL || secret == NULL)
        return;

    secret_length = strlen(secret);
    if (secret_length < REDACT_MIN_SECRET)
        return;

    cursor = text;
    while ((match = strstr(cursor, secret)) != NULL)
        cursor = redact_at(match, secret_length);
}
