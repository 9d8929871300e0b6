#include "wj_number.h"

#include <stdint.h>
#include <stdio.h>

#define NUMBER_LIMIT 1e15

/* 2^53: every integer below it is exact in a double. */
#define EXACT_MANTISSA_LIMIT 9007199254740992ULL

/* Powers of ten up to 10^22 are exact in a double, so dividing an exact
 * mantissa by one of them rounds only once. */
#define MAX_FRACTION_DIGITS 22

static const double powers_of_ten[MAX_FRACTION_DIGITS + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

struct digits {
    uint64_t integer;      /* the digits before the decimal point */
    uint64_t fraction;     /* the fraction digits kept, as an integer */
    int fraction_digits;   /* how many fraction digits were kept */
    int count;             /* digits seen, including dropped ones */
    bool dropped_nonzero;  /* a dropped fraction digit was not 0 */
    bool too_large;        /* the integer part alone is beyond the limit */
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void read_integer_digits(const char **cursor, struct digits *digits)
{
    const char *p = *cursor;

    for (; is_digit(*p); p++) {
        digits->count++;
        if (digits->integer > (uint64_t)NUMBER_LIMIT) {
            digits->too_large = true;
            continue;
        }
        digits->integer = digits->integer * 10 + (uint64_t)(*p - '0');
    }
    *cursor = p;
}

/* Fraction digits that no longer fit in an exact mantissa are dropped: they
 * are far below the 3 decimals that anything here is written with. */
static void read_fraction_digits(const char **cursor, struct digits *digits)
{
    const char *p = *cursor;

    for (; is_digit(*p); p++) {
        uint64_t next = digits->fraction * 10 + (uint64_t)(*p - '0');

        digits->count++;
        if (next >= EXACT_MANTISSA_LIMIT || digits->fraction_digits >= MAX_FRACTION_DIGITS) {
            digits->dropped_nonzero = digits->dropped_nonzero || *p != '0';
            continue;
        }
        digits->fraction = next;
        digits->fraction_digits++;
    }
    *cursor = p;
}

/* Converts the digits with a single rounding when integer and fraction
 * together fit in an exact mantissa, as every value of up to 15 significant
 * digits does. Larger values add the two parts, which may round twice. */
static double digits_value(const struct digits *digits)
{
    uint64_t scale = 1;
    int i;

    for (i = 0; i < digits->fraction_digits && scale <= EXACT_MANTISSA_LIMIT; i++)
        scale *= 10;

    if (scale <= EXACT_MANTISSA_LIMIT &&
        digits->integer <= (EXACT_MANTISSA_LIMIT - digits->fraction) / scale) {
        uint64_t mantissa = digits->integer * scale + digits->fraction;

        return (double)mantissa / powers_of_ten[digits->fraction_digits];
    }

    return (double)digits->integer +
           (double)digits->fraction / powers_of_ten[digits->fraction_digits];
}

/* Detects an exponent ("1e3") or a hexadecimal prefix ("0x10") right after
 * the digits, which strtod would read as a different number. */
static bool continues_as_other_notation(const char *start, const char *end)
{
    if (*end == 'e' || *end == 'E')
        return true;

    return (*end == 'x' || *end == 'X') && end - start == 1 && *start == '0';
}

enum wj_number_status wj_number_parse_prefix(const char *text, double *value, const char **end)
{
    struct digits digits = {0};
    const char *p = text;
    const char *first_digit;
    bool negative = false;
    double result;

    if (text == NULL)
        return WJ_NUMBER_INVALID;

    if (*p == '-' || *p == '+') {
        negative = *p == '-';
        p++;
    }

    first_digit = p;
    read_integer_digits(&p, &digits);
    if (continues_as_other_notation(first_digit, p))
        return WJ_NUMBER_INVALID;

    if (*p == '.') {
        p++;
        read_fraction_digits(&p, &digits);
    }

    if (digits.count == 0 || continues_as_other_notation(first_digit, p))
        return WJ_NUMBER_INVALID;
    if (digits.too_large)
        return WJ_NUMBER_TOO_LARGE;

    /* The limit itself passes, but not a fraction beyond it that was dropped. */
    result = digits_value(&digits);
    if (result > NUMBER_LIMIT || (result == NUMBER_LIMIT && digits.dropped_nonzero))
        return WJ_NUMBER_TOO_LARGE;

    *value = negative ? -result : result;
    if (end != NULL)
        *end = p;
    return WJ_NUMBER_OK;
}

bool wj_number_parse(const char *text, double *value)
{
    const char *end;
    double parsed;

    if (wj_number_parse_prefix(text, &parsed, &end) != WJ_NUMBER_OK || *end != '\0')
        return false;

    *value = parsed;
    return true;
}

/* Rounds value * 1000 half away from zero. The limit keeps the result well
 * inside int64_t (1e18 < 9.2e18). */
static int64_t round_to_thousandths(double value)
{
    double scaled = value * 1000.0;
    int64_t whole = (int64_t)scaled;          /* truncates toward zero */
    double remainder = scaled - (double)whole; /* exact for doubles */

    if (remainder >= 0.5)
        whole++;
    else if (remainder <= -0.5)
        whole--;
    return whole;
}

static double clamp(double value)
{
    if (value > NUMBER_LIMIT)
        return NUMBER_LIMIT;
    if (value < -NUMBER_LIMIT)
        return -NUMBER_LIMIT;
    return value;
}

int wj_number_format(char *buffer, size_t size, double value)
{
    int64_t thousandths;
    uint64_t magnitude;
    unsigned int fraction;
    char digits[16];
    int length;

    /* NaN is what a caller holds for a value it could not determine, which
     * the performance data guidelines write as "U". */
    if (value != value)
        return snprintf(buffer, size, "U");

    thousandths = round_to_thousandths(clamp(value));
    magnitude = thousandths < 0 ? (uint64_t)(-thousandths) : (uint64_t)thousandths;
    fraction = (unsigned int)(magnitude % 1000);

    /* Integer conversions do not depend on the locale, unlike %f, %g and %e. */
    snprintf(digits, sizeof digits, "%03u", fraction);
    length = 3;
    while (length > 0 && digits[length - 1] == '0')
        digits[--length] = '\0';

    /* A value that rounds to zero is written "0", never "-0". */
    return snprintf(buffer, size, "%s%llu%s%s", thousandths < 0 ? "-" : "",
                    (unsigned long long)(magnitude / 1000), length > 0 ? "." : "", digits);
}
