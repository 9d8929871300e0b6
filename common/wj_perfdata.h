/* Nagios performance data: 'label'=value[UOM];[warn];[crit];[min];[max]. */
#ifndef WJ_PERFDATA_H
#define WJ_PERFDATA_H

#include <stdbool.h>

#include "wj_buffer.h"

/* Appends one item to buffer, preceded by a space unless buffer is empty.
 * uom, warning and critical may be NULL or "" for none and are written as
 * given; min is written when has_min is true. Empty fields at the end are
 * dropped ("a=1", "a=1;2", "a=1;;;0"). The label is put in single quotes when
 * it contains a space, '=' or a single quote; '=' and the single quote, which
 * the guidelines forbid in labels, and '|' and control characters are
 * replaced by '_'. Numbers use wj_number_format, so the output does not
 * depend on the locale, and a NaN value is written "U" (undetermined).
 * Returns false, appending nothing, for a NULL or empty label, and false when
 * memory runs out. */
bool wj_perfdata_append(struct wj_buffer *buffer, const char *label, double value, const char *uom,
                        const char *warning, const char *critical, bool has_min, double min);

#endif
