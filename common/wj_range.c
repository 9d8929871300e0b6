#include "wj_range.h"

#include <string.h>

#include "wj_number.h"
#include "wj_text.h"

#define EXPECTED_FORMS "expected N, N:, ~:N, N:M or @N:M with decimal numbers"

_Static_assert(WJ_RANGE_TEXT_SIZE == 64, "the message for an overlong range says 63 characters");

static bool fail(struct wj_range *range, struct wj_error *error, const char *text,
                 const char *reason)
{
    char quoted[WJ_TEXT_EXCERPT_SIZE];

    memset(range, 0, sizeof *range);
    wj_text_excerpt(quoted, sizeof quoted, text);
    wj_error_set(error, WJ_ERR_CONFIG, "invalid range \"%s\": %s", quoted, reason);
    return false;
}

/* Parses a number that must run exactly up to `stop` ('\0' or ':'). */
static enum wj_number_status parse_bound(const char *text, char stop, double *value, const char **end)
{
    enum wj_number_status status = wj_number_parse_prefix(text, value, end);

    if (status != WJ_NUMBER_OK)
        return status;
    return **end == stop ? WJ_NUMBER_OK : WJ_NUMBER_INVALID;
}

/* Parses what precedes the ':' of the N:M forms: "~" or a number. An empty
 * start (":10") is rejected because the guidelines define no such form. */
static enum wj_number_status parse_start(const char *text, struct wj_range *range, const char **end)
{
    if (text[0] == '~') {
        range->start_infinite = true;
        *end = text + 1;
        return **end == ':' ? WJ_NUMBER_OK : WJ_NUMBER_INVALID;
    }
    return parse_bound(text, ':', &range->start, end);
}

/* Parses what follows the ':': a number, or nothing for "N:". The guidelines
 * use "~" only as a start, so "~:~" is rejected, but "~:" is the whole line. */
static enum wj_number_status parse_end(const char *text, struct wj_range *range)
{
    const char *end;

    if (text[0] == '\0') {
        range->end_infinite = true;
        return WJ_NUMBER_OK;
    }
    return parse_bound(text, '\0', &range->end, &end);
}

static enum wj_number_status parse_bounds(const char *text, struct wj_range *range)
{
    const char *colon;
    enum wj_number_status status;

    /* "N" alone means 0:N. */
    if (strchr(text, ':') == NULL) {
        const char *end;

        range->start = 0;
        return parse_bound(text, '\0', &range->end, &end);
    }

    status = parse_start(text, range, &colon);
    if (status != WJ_NUMBER_OK)
        return status;
    return parse_end(colon + 1, range);
}

bool wj_range_parse(const char *text, struct wj_range *range, struct wj_error *error)
{
    const char *body;

    memset(range, 0, sizeof *range);
    if (text == NULL)
        return fail(range, error, "", EXPECTED_FORMS);

    if (strlen(text) >= WJ_RANGE_TEXT_SIZE)
        return fail(range, error, text, "longer than 63 characters");

    body = text;
    if (*body == '@') {
        range->alert_inside = true;
        body++;
    }

    switch (parse_bounds(body, range)) {
    case WJ_NUMBER_OK:
        break;
    case WJ_NUMBER_TOO_LARGE:
        return fail(range, error, text, "a number is too large, the limit is 1000000000000000 (10^15)");
    case WJ_NUMBER_INVALID:
    default:
        return fail(range, error, text, EXPECTED_FORMS);
    }

    if (strchr(body, ':') == NULL && range->end < 0)
        return fail(range, error, text, "a single number N means 0:N, so N must not be negative");

    if (!range->start_infinite && !range->end_infinite && range->start > range->end)
        return fail(range, error, text,
                    "the start is greater than the end, expected N:M with N <= M");

    memcpy(range->text, text, strlen(text) + 1);
    range->is_set = true;
    return true;
}

bool wj_range_alerts(const struct wj_range *range, double value)
{
    bool inside;

    if (range == NULL || !range->is_set)
        return false;

    inside = (range->start_infinite || value >= range->start) &&
             (range->end_infinite || value <= range->end);
    return range->alert_inside ? inside : !inside;
}
