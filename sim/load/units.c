/*
 * sim/load/units.c - parsing of durations, sizes, rates and plain numbers.
 *
 * A scalar is first scanned into a struct decimal (its significant digits
 * and a power of ten, plus the text of the unit); a unit table then gives
 * the scale. Integer results are computed exactly (multiply, or divide with a
 * zero remainder); real results are computed by strtod() on a canonical
 * "DIGITSeEXP" string, which has no radix character and so does not depend
 * on the locale.
 */
#include "sim/load/units.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIGITS 40      /* significant digits kept; more cannot matter */
#define MAX_EXP    100000L /* exponents are clamped here; far beyond any range */

struct decimal {
        char digits[MAX_DIGITS]; /* significant digits, no leading/trailing zeros */
        int n;                   /* number of digits; 0 for the value zero */
        long exp;                /* value = digits * 10^exp */
        bool negative;           /* a leading '-' */
        bool inexact;            /* non-zero digits beyond MAX_DIGITS were dropped */
        const char *unit;        /* the text after the number and any spaces */
};

struct unit {
        const char *name; /* as written after the number */
        uint64_t factor;  /* multiplier (1, 6, 36, powers of 1024) */
        int pow10;        /* then times 10^pow10 */
        bool bits;        /* a bit rate: divide by 8 */
};

static const struct unit duration_units[] = {
    {"ns", 1, 0, false},        {"us", 1, 3, false},  {"\xc2\xb5s", 1, 3, false},
    {"\xce\xbcs", 1, 3, false}, {"ms", 1, 6, false},  {"s", 1, 9, false},
    {"min", 6, 10, false},      {"h", 36, 11, false}, {NULL, 0, 0, false},
};

static const struct unit size_units[] = {
    {"", 1, 0, false},
    {"B", 1, 0, false},
    {"kB", 1, 3, false},
    {"MB", 1, 6, false},
    {"GB", 1, 9, false},
    {"TB", 1, 12, false},
    {"KiB", 1ull << 10, 0, false},
    {"MiB", 1ull << 20, 0, false},
    {"GiB", 1ull << 30, 0, false},
    {"TiB", 1ull << 40, 0, false},
    {NULL, 0, 0, false},
};

static const struct unit event_rate_units[] = {
    {"/s", 1, 0, false},  {"k/s", 1, 3, false}, {"M/s", 1, 6, false},
    {"G/s", 1, 9, false}, {NULL, 0, 0, false},
};

static const struct unit byte_rate_units[] = {
    {"B/s", 1, 0, false},
    {"kB/s", 1, 3, false},
    {"MB/s", 1, 6, false},
    {"GB/s", 1, 9, false},
    {"TB/s", 1, 12, false},
    {"KiB/s", 1ull << 10, 0, false},
    {"MiB/s", 1ull << 20, 0, false},
    {"GiB/s", 1ull << 30, 0, false},
    {"TiB/s", 1ull << 40, 0, false},
    {"bit/s", 1, 0, true},
    {"kbit/s", 1, 3, true},
    {"Mbit/s", 1, 6, true},
    {"Gbit/s", 1, 9, true},
    {"Tbit/s", 1, 12, true},
    {"bps", 1, 0, true},
    {"kbps", 1, 3, true},
    {"Mbps", 1, 6, true},
    {"Gbps", 1, 9, true},
    {"Tbps", 1, 12, true},
    {NULL, 0, 0, false},
};

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* Adds one digit of the integer part (frac false) or of the fraction. */
static void add_digit(struct decimal *d, char c, bool frac)
{
        if (d->n == 0 && c == '0') {
                if (frac)
                        d->exp--;
                return;
        }
        if (d->n < MAX_DIGITS) {
                d->digits[d->n++] = c;
                if (frac)
                        d->exp--;
                return;
        }
        if (!frac)
                d->exp++;
        if (c != '0')
                d->inexact = true;
}

/* Scans [+-]digits[.digits][e[+-]digits] then spaces. Returns 0, or -1 when
 * the text does not start with a number. */
static int scan_decimal(const char *s, struct decimal *d)
{
        memset(d, 0, sizeof(*d));
        const char *p = s;
        if (*p == '+' || *p == '-')
                d->negative = *p++ == '-';
        bool any = false;
        for (; is_digit(*p); p++, any = true)
                add_digit(d, *p, false);
        if (*p == '.') {
                p++;
                for (; is_digit(*p); p++, any = true)
                        add_digit(d, *p, true);
        }
        if (!any)
                return -1;
        if ((*p == 'e' || *p == 'E') &&
            (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
                p++;
                bool neg = *p == '-';
                if (*p == '+' || *p == '-')
                        p++;
                long e = 0;
                for (; is_digit(*p); p++)
                        if (e < MAX_EXP)
                                e = e * 10 + (*p - '0');
                d->exp += neg ? -e : e;
        }
        while (d->n > 0 && d->digits[d->n - 1] == '0') {
                d->n--;
                d->exp++;
        }
        if (d->n == 0)
                d->exp = 0;
        if (d->exp > MAX_EXP)
                d->exp = MAX_EXP;
        if (d->exp < -MAX_EXP)
                d->exp = -MAX_EXP;
        /* Spaces may separate number and unit, but not end the text. */
        const char *u = p;
        while (*u == ' ')
                u++;
        d->unit = *u ? u : p;
        return 0;
}

static const struct unit *find_unit(const struct unit *table, const char *name)
{
        for (; table->name; table++)
                if (strcmp(table->name, name) == 0)
                        return table;
        return NULL;
}

enum whole_result { WHOLE_OK, WHOLE_TOO_BIG, WHOLE_FRACTION };

static bool mul_u64(uint64_t *x, uint64_t m)
{
        if (m != 0 && *x > UINT64_MAX / m)
                return false;
        *x *= m;
        return true;
}

/* The exact value of d * factor * 10^pow10 as a uint64. */
static enum whole_result to_whole(const struct decimal *d, uint64_t factor, int pow10,
                                  uint64_t *out)
{
        if (d->n == 0) {
                *out = 0;
                return WHOLE_OK;
        }
        long e = d->exp + pow10;
        long magnitude = d->n - 1 + e; /* the leading digit is worth 10^magnitude */
        if (magnitude >= 20)
                return WHOLE_TOO_BIG;
        if (d->inexact)
                return WHOLE_FRACTION;
        uint64_t x = 0;
        for (int i = 0; i < d->n; i++)
                if (!mul_u64(&x, 10) || x > UINT64_MAX - (uint64_t)(d->digits[i] - '0'))
                        return e >= 0 ? WHOLE_TOO_BIG : WHOLE_FRACTION;
                else
                        x += (uint64_t)(d->digits[i] - '0');
        if (!mul_u64(&x, factor))
                return WHOLE_TOO_BIG;
        for (; e > 0; e--)
                if (!mul_u64(&x, 10))
                        return WHOLE_TOO_BIG;
        /* x is non-zero, so at most 20 divisions before a remainder. */
        for (; e < 0; e++) {
                if (x % 10 != 0)
                        return WHOLE_FRACTION;
                x /= 10;
        }
        *out = x;
        return WHOLE_OK;
}

/* The value of d * 10^pow10 as a double (inf on overflow). */
static double to_real(const struct decimal *d, int pow10)
{
        if (d->n == 0)
                return 0.0;
        char buf[MAX_DIGITS + 32];
        snprintf(buf, sizeof(buf), "%s%.*se%ld", d->negative ? "-" : "", d->n, d->digits,
                 d->exp + pow10);
        return strtod(buf, NULL);
}

/* Shared by durations and sizes: a non-negative whole number of base
 * units. msgs: negative, too big, not whole. */
static int whole_quantity(const struct decimal *d, const struct unit *u, uint64_t *out,
                          const char *const msgs[3], const char **expected)
{
        if (d->negative) {
                *expected = msgs[0];
                return -1;
        }
        switch (to_whole(d, u->factor, u->pow10, out)) {
        case WHOLE_OK:
                return 0;
        case WHOLE_TOO_BIG:
                *expected = msgs[1];
                return -1;
        case WHOLE_FRACTION:
                *expected = msgs[2];
                return -1;
        }
        return -1;
}

int units_duration(const char *text, uint64_t *ns, const char **expected)
{
        struct decimal d;
        if (scan_decimal(text, &d) < 0) {
                *expected = "a duration like 250ns, 4us, 1.5ms or 2s";
                return -1;
        }
        if (*d.unit == '\0') {
                *expected = "a duration with a unit (ns, us, ms, s)";
                return -1;
        }
        const struct unit *u = find_unit(duration_units, d.unit);
        if (!u) {
                *expected = "a duration like 250ns, 4us, 1.5ms or 2s";
                return -1;
        }
        static const char *const msgs[] = {"a non-negative duration",
                                           "a duration below 2^64 ns (about 584 years)",
                                           "a duration in whole nanoseconds"};
        return whole_quantity(&d, u, ns, msgs, expected);
}

int units_size(const char *text, uint64_t *bytes, const char **expected)
{
        struct decimal d;
        const struct unit *u = NULL;
        if (scan_decimal(text, &d) < 0 || !(u = find_unit(size_units, d.unit))) {
                *expected = "a size like 64, 1500B, 4KiB or 1MB";
                return -1;
        }
        static const char *const msgs[] = {
            "a non-negative size", "a size below 2^64 bytes (16 EiB)", "a size in whole bytes"};
        return whole_quantity(&d, u, bytes, msgs, expected);
}

/* Shared by both rates: `own` is the table of the wanted kind, `other` the
 * table of the kind that is refused by name. */
static int parse_rate(const char *text, const struct unit *own, const struct unit *other,
                      const char *const msgs[5], double *out, const char **expected)
{
        enum { SYNTAX, NO_UNIT, WRONG_KIND, NOT_POSITIVE, NOT_FINITE };
        struct decimal d;
        if (scan_decimal(text, &d) < 0) {
                *expected = msgs[SYNTAX];
                return -1;
        }
        const struct unit *u = find_unit(own, d.unit);
        if (!u) {
                if (*d.unit == '\0')
                        *expected = msgs[NO_UNIT];
                else if (find_unit(other, d.unit))
                        *expected = msgs[WRONG_KIND];
                else
                        *expected = msgs[SYNTAX];
                return -1;
        }
        double v = to_real(&d, u->pow10) * (double)u->factor / (u->bits ? 8.0 : 1.0);
        if (!isfinite(v)) {
                *expected = msgs[NOT_FINITE];
                return -1;
        }
        if (!(v > 0.0)) {
                *expected = msgs[NOT_POSITIVE];
                return -1;
        }
        *out = v;
        return 0;
}

int units_event_rate(const char *text, double *per_s, const char **expected)
{
        static const char *const msgs[5] = {
            "an event rate like 400k/s or 2M/s",
            "an event rate with a unit (/s, k/s, M/s, G/s)",
            "an event rate like 400k/s, not a byte rate",
            "a positive event rate",
            "a finite event rate",
        };
        return parse_rate(text, event_rate_units, byte_rate_units, msgs, per_s, expected);
}

int units_byte_rate(const char *text, double *bytes_per_s, const char **expected)
{
        static const char *const msgs[5] = {
            "a byte rate like 5GB/s or 40Gbit/s",
            "a byte rate with a unit (B/s, MB/s, GB/s, GiB/s, Gbit/s, ...)",
            "a byte rate like 5GB/s",
            "a positive byte rate",
            "a finite byte rate",
        };
        return parse_rate(text, byte_rate_units, event_rate_units, msgs, bytes_per_s, expected);
}

int units_number(const char *text, double *value, const char **expected)
{
        struct decimal d;
        if (scan_decimal(text, &d) < 0 || *d.unit != '\0') {
                *expected = "a number";
                return -1;
        }
        double v = to_real(&d, 0);
        if (!isfinite(v)) {
                *expected = "a finite number";
                return -1;
        }
        *value = v;
        return 0;
}

int units_whole(const char *text, uint64_t *value, const char **expected)
{
        struct decimal d;
        if (scan_decimal(text, &d) < 0 || *d.unit != '\0') {
                *expected = "a whole number";
                return -1;
        }
        if (d.negative) {
                *expected = "a non-negative whole number";
                return -1;
        }
        switch (to_whole(&d, 1, 0, value)) {
        case WHOLE_OK:
                return 0;
        case WHOLE_TOO_BIG:
                *expected = "a whole number below 2^64";
                return -1;
        case WHOLE_FRACTION:
                *expected = "a whole number";
                return -1;
        }
        return -1;
}
