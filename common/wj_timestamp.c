#include "wj_timestamp.h"

#include <stddef.h>

/* Reads exactly `count` digits. */
static bool read_digits(const char **cursor, int count, int *value)
{
    const char *p = *cursor;
    int result = 0;
    int i;

    for (i = 0; i < count; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        result = result * 10 + (p[i] - '0');
    }

    *value = result;
    *cursor = p + count;
    return true;
}

static bool expect(const char **cursor, char c)
{
    if (**cursor != c)
        return false;
    (*cursor)++;
    return true;
}

static bool is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month == 2 && is_leap_year(year))
        return 29;
    return days[month - 1];
}

/* Returns days since 1970-01-01 in the proleptic Gregorian calendar, with
 * Howard Hinnant's days_from_civil
 * (http://howardhinnant.github.io/date_algorithms.html). Years are counted
 * from March so the leap day falls at the end of a year, and 400-year eras of
 * 146097 days keep the arithmetic exact. */
static int64_t days_from_civil(int64_t year, int month, int day)
{
    int64_t era;
    int64_t year_of_era;
    int64_t day_of_year;
    int64_t day_of_era;

    year -= month <= 2;
    era = (year >= 0 ? year : year - 399) / 400;
    year_of_era = year - era * 400;
    day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

int64_t wj_timestamp_from_civil(int year, int month, int day, int hour, int minute, int second)
{
    return days_from_civil(year, month, day) * 86400 + (int64_t)hour * 3600 +
           (int64_t)minute * 60 + second;
}

struct civil_time {
    int year, month, day, hour, minute, second;
};

static bool read_date(const char **cursor, struct civil_time *time)
{
    return read_digits(cursor, 4, &time->year) && expect(cursor, '-') &&
           read_digits(cursor, 2, &time->month) && expect(cursor, '-') &&
           read_digits(cursor, 2, &time->day);
}

static bool read_date_time_separator(const char **cursor)
{
    return expect(cursor, 'T') || expect(cursor, 't') || expect(cursor, ' ');
}

static bool read_time(const char **cursor, struct civil_time *time)
{
    return read_digits(cursor, 2, &time->hour) && expect(cursor, ':') &&
           read_digits(cursor, 2, &time->minute) && expect(cursor, ':') &&
           read_digits(cursor, 2, &time->second);
}

/* Second 60 (a leap second) is rejected because Unix time has no place for
 * it. */
static bool is_valid_civil(const struct civil_time *time)
{
    return time->month >= 1 && time->month <= 12 && time->day >= 1 &&
           time->day <= days_in_month(time->year, time->month) && time->hour <= 23 &&
           time->minute <= 59 && time->second <= 59;
}

/* Reads an optional ".digits" fraction, keeping milliseconds and truncating
 * the rest. */
static bool read_fraction(const char **cursor, int *milliseconds)
{
    const char *p = *cursor;
    int fraction_ms = 0;
    int count = 0;

    *milliseconds = 0;
    if (*p != '.')
        return true;
    p++;

    for (; *p >= '0' && *p <= '9'; p++, count++) {
        if (count < 3)
            fraction_ms = fraction_ms * 10 + (*p - '0');
    }
    if (count == 0)
        return false;

    for (; count < 3; count++)
        fraction_ms *= 10;
    *milliseconds = fraction_ms;
    *cursor = p;
    return true;
}

/* Reads the zone into seconds east of UTC: "Z", "+hh:mm", "+hhmm", "+hh" or
 * nothing (UTC). */
static bool read_zone(const char **cursor, int *offset_seconds)
{
    int sign;
    int hours;
    int minutes = 0;

    *offset_seconds = 0;
    if (**cursor == '\0')
        return true;
    if (expect(cursor, 'Z') || expect(cursor, 'z'))
        return true;

    if (**cursor != '+' && **cursor != '-')
        return false;
    sign = **cursor == '-' ? -1 : 1;
    (*cursor)++;

    if (!read_digits(cursor, 2, &hours))
        return false;
    if (**cursor == ':') {
        (*cursor)++;
        if (!read_digits(cursor, 2, &minutes))
            return false;
    } else if (**cursor != '\0' && !read_digits(cursor, 2, &minutes)) {
        return false;
    }

    if (hours > 23 || minutes > 59)
        return false;
    *offset_seconds = sign * (hours * 3600 + minutes * 60);
    return true;
}

bool wj_timestamp_parse(const char *text, int64_t *epoch_ms)
{
    struct civil_time time;
    const char *p = text;
    int milliseconds;
    int offset_seconds;
    int64_t seconds;

    if (text == NULL)
        return false;

    if (!read_date(&p, &time) || !read_date_time_separator(&p) || !read_time(&p, &time))
        return false;
    if (!is_valid_civil(&time))
        return false;
    if (!read_fraction(&p, &milliseconds) || !read_zone(&p, &offset_seconds))
        return false;
    if (*p != '\0')
        return false;

    /* Local time minus its offset east of UTC is UTC. */
    seconds = wj_timestamp_from_civil(time.year, time.month, time.day, time.hour, time.minute,
                                      time.second) -
              offset_seconds;
    *epoch_ms = seconds * 1000 + milliseconds;
    return true;
}
