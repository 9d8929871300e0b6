#include "wj_perfdata.h"

#include <string.h>

#include "wj_number.h"

#define NUMBER_TEXT_SIZE 32

/* The guidelines forbid '=' and the single quote in a label. '|' and control
 * characters would split the plugin output. */
static bool is_forbidden_in_label(unsigned char c)
{
    return c == '=' || c == '\'' || c == '|' || c < 0x20 || c == 0x7f;
}

static bool needs_quotes(const char *label)
{
    return strchr(label, ' ') != NULL || strchr(label, '=') != NULL || strchr(label, '\'') != NULL;
}

static bool append_label(struct wj_buffer *buffer, const char *label)
{
    bool quoted = needs_quotes(label);
    const char *p;

    if (quoted)
        wj_buffer_append(buffer, "'", 1);

    for (p = label; *p != '\0'; p++) {
        char c = is_forbidden_in_label((unsigned char)*p) ? '_' : *p;

        wj_buffer_append(buffer, &c, 1);
    }

    if (quoted)
        wj_buffer_append(buffer, "'", 1);
    return !buffer->failed;
}

static bool append_number(struct wj_buffer *buffer, double value)
{
    char text[NUMBER_TEXT_SIZE];

    wj_number_format(text, sizeof text, value);
    return wj_buffer_append_string(buffer, text);
}

static bool is_given(const char *text)
{
    return text != NULL && text[0] != '\0';
}

/* Writes ";warn;crit;min", dropping the empty fields at the end as the
 * guidelines allow: "1", "1;2", "1;;3", "1;;;0". */
static bool append_thresholds(struct wj_buffer *buffer, const char *warning,
                              const char *critical, bool has_min, double min)
{
    int fields = has_min ? 3 : is_given(critical) ? 2 : is_given(warning) ? 1 : 0;

    if (fields >= 1) {
        wj_buffer_append_string(buffer, ";");
        if (is_given(warning))
            wj_buffer_append_string(buffer, warning);
    }
    if (fields >= 2) {
        wj_buffer_append_string(buffer, ";");
        if (is_given(critical))
            wj_buffer_append_string(buffer, critical);
    }
    if (fields >= 3) {
        wj_buffer_append_string(buffer, ";");
        append_number(buffer, min);
    }
    return !buffer->failed;
}

bool wj_perfdata_append(struct wj_buffer *buffer, const char *label, double value, const char *uom,
                        const char *warning, const char *critical, bool has_min, double min)
{
    if (!is_given(label))
        return false;

    if (buffer->length > 0)
        wj_buffer_append_string(buffer, " ");

    append_label(buffer, label);
    wj_buffer_append_string(buffer, "=");
    append_number(buffer, value);

    /* An undetermined value is written "U", which takes no unit. */
    if (is_given(uom) && value == value)
        wj_buffer_append_string(buffer, uom);

    return append_thresholds(buffer, warning, critical, has_min, min);
}
