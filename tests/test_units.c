/*
 * test_units.c - the unit-bearing scalars: tables of good inputs with their
 * exact values and bad inputs with their exact "expected" phrases, boundary
 * values and overflow.
 */
#include <criterion/criterion.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sim/load/units.h"

struct good_u64 {
        const char *text;
        uint64_t value;
};

struct bad {
        const char *text;
        const char *expected;
};

typedef int (*u64_parser)(const char *, uint64_t *, const char **);
typedef int (*real_parser)(const char *, double *, const char **);

static void check_good_u64(u64_parser parse, const struct good_u64 *t, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                uint64_t v = 12345;
                const char *why = NULL;
                cr_assert_eq(parse(t[i].text, &v, &why), 0, "'%s' refused: %s", t[i].text,
                             why ? why : "?");
                cr_assert_eq(v, t[i].value, "'%s' gave %llu, want %llu", t[i].text,
                             (unsigned long long)v, (unsigned long long)t[i].value);
        }
}

static void check_bad_u64(u64_parser parse, const struct bad *t, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                uint64_t v = 12345;
                const char *why = NULL;
                cr_assert_eq(parse(t[i].text, &v, &why), -1, "'%s' accepted", t[i].text);
                cr_assert_eq(v, 12345, "'%s' wrote the output on error", t[i].text);
                cr_assert_str_eq(why, t[i].expected, "'%s'", t[i].text);
        }
}

static void check_bad_real(real_parser parse, const struct bad *t, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                double v = 42.0;
                const char *why = NULL;
                cr_assert_eq(parse(t[i].text, &v, &why), -1, "'%s' accepted", t[i].text);
                cr_assert_eq(v, 42.0);
                cr_assert_str_eq(why, t[i].expected, "'%s'", t[i].text);
        }
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(units, durations)
{
        static const struct good_u64 good[] = {
            {"250ns", 250},
            {"4us", 4000},
            {"4\xc2\xb5s", 4000},
            {"4\xce\xbcs", 4000},
            {"1.5ms", 1500000},
            {"2s", 2000000000},
            {"0.1s", 100000000},
            {"0s", 0},
            {"0.0ns", 0},
            {"+3ns", 3},
            {"1e3ns", 1000},
            {"2.5e-3s", 2500000},
            {"1min", 60000000000},
            {"0.5min", 30000000000},
            {"2h", 7200000000000},
            {"1.5 ms", 1500000},
            {"007ms", 7000000},
            {".5us", 500},
            {"5.us", 5000},
            {"0.000000001s", 1},
            {"18446744073709551615ns", UINT64_MAX},
            {"18446744073.709551615s", UINT64_MAX},
            {"1.000000000000000000000000000000000000000000000000s", 1000000000},
        };
        check_good_u64(units_duration, good, N(good));
}

Test(units, bad_durations)
{
        static const char unit[] = "a duration with a unit (ns, us, ms, s)";
        static const char like[] = "a duration like 250ns, 4us, 1.5ms or 2s";
        static const struct bad bad[] = {
            {"250", unit},
            {"0", unit},
            {"", like},
            {"s", like},
            {"ms", like},
            {"2S", like},
            {"2 s ", like},
            {"2s ", like},
            {" 2s", like},
            {"2sec", like},
            {"2ss", like},
            {"1.5.ms", like},
            {"0x10ns", like},
            {"inf", like},
            {"nan", like},
            {".inf", like},
            {"1,5ms", like},
            {"400k/s", like},
            {"2e", like},
            {"-1ms", "a non-negative duration"},
            {"-0s", "a non-negative duration"},
            {"1.5ns", "a duration in whole nanoseconds"},
            {"0.0000000001s", "a duration in whole nanoseconds"},
            {"1e-99999s", "a duration in whole nanoseconds"},
            {"18446744073709551616ns", "a duration below 2^64 ns (about 584 years)"},
            {"18446744074s", "a duration below 2^64 ns (about 584 years)"},
            {"1e999s", "a duration below 2^64 ns (about 584 years)"},
            {"1e99999999999999999999s", "a duration below 2^64 ns (about 584 years)"},
            {"6000000h", "a duration below 2^64 ns (about 584 years)"},
        };
        check_bad_u64(units_duration, bad, N(bad));
}

Test(units, sizes)
{
        static const struct good_u64 good[] = {
            {"64", 64},
            {"0", 0},
            {"1500B", 1500},
            {"4KiB", 4096},
            {"1.5KiB", 1536},
            {"1MB", 1000000},
            {"1kB", 1000},
            {"2MiB", 2097152},
            {"1GiB", 1073741824},
            {"1GB", 1000000000},
            {"1TiB", 1099511627776},
            {"3TB", 3000000000000},
            {"1e3", 1000},
            {"64 B", 64},
            {"18446744073709551615", UINT64_MAX},
            {"16777215TiB", 18446742974197923840u},
        };
        check_good_u64(units_size, good, N(good));
}

Test(units, bad_sizes)
{
        static const char like[] = "a size like 64, 1500B, 4KiB or 1MB";
        static const char big[] = "a size below 2^64 bytes (16 EiB)";
        static const struct bad bad[] = {
            {"", like},
            {"B", like},
            {"4KB", like},
            {"4k", like},
            {"4kb", like},
            {"4kiB", like},
            {"64 ", like},
            {"1500 Bytes", like},
            {"5GB/s", like},
            {"-1", "a non-negative size"},
            {"0.5B", "a size in whole bytes"},
            {"1.0001kB", "a size in whole bytes"},
            {"18446744073709551616", big},
            {"16777216TiB", big},
            {"1e20", big},
            {"1e999", big},
        };
        check_bad_u64(units_size, bad, N(bad));
}

Test(units, event_rates)
{
        static const struct {
                const char *text;
                double value;
        } good[] = {
            {"400k/s", 400e3}, {"2M/s", 2e6},    {"100/s", 100.0}, {"0.5/s", 0.5},
            {"1G/s", 1e9},     {"1.5k/s", 1500}, {"1e3/s", 1000},
        };
        for (size_t i = 0; i < N(good); i++) {
                double v = 0;
                const char *why = NULL;
                cr_assert_eq(units_event_rate(good[i].text, &v, &why), 0, "%s: %s", good[i].text,
                             why);
                cr_assert_eq(v, good[i].value, "%s gave %g", good[i].text, v);
        }
        static const struct bad bad[] = {
            {"400000", "an event rate with a unit (/s, k/s, M/s, G/s)"},
            {"5GB/s", "an event rate like 400k/s, not a byte rate"},
            {"40Gbit/s", "an event rate like 400k/s, not a byte rate"},
            {"400K/s", "an event rate like 400k/s or 2M/s"},
            {"400k", "an event rate like 400k/s or 2M/s"},
            {"k/s", "an event rate like 400k/s or 2M/s"},
            {"0/s", "a positive event rate"},
            {"-1k/s", "a positive event rate"},
            {"1e-999999/s", "a positive event rate"},
            {"1e999/s", "a finite event rate"},
        };
        check_bad_real(units_event_rate, bad, N(bad));
}

Test(units, byte_rates)
{
        static const struct {
                const char *text;
                double value;
        } good[] = {
            {"5GB/s", 5e9},           {"40Gbit/s", 5e9},     {"40Gbps", 5e9},    {"1B/s", 1.0},
            {"8bit/s", 1.0},          {"1bit/s", 0.125},     {"2.5MB/s", 2.5e6}, {"1KiB/s", 1024.0},
            {"1GiB/s", 1073741824.0}, {"100Mbit/s", 12.5e6}, {"1kB/s", 1000.0},  {"1TB/s", 1e12},
        };
        for (size_t i = 0; i < N(good); i++) {
                double v = 0;
                const char *why = NULL;
                cr_assert_eq(units_byte_rate(good[i].text, &v, &why), 0, "%s: %s", good[i].text,
                             why);
                cr_assert_eq(v, good[i].value, "%s gave %g", good[i].text, v);
        }
        static const struct bad bad[] = {
            {"400k/s", "a byte rate like 5GB/s"},
            {"2M/s", "a byte rate like 5GB/s"},
            {"5e9", "a byte rate with a unit (B/s, MB/s, GB/s, GiB/s, Gbit/s, ...)"},
            {"5GB", "a byte rate like 5GB/s or 40Gbit/s"},
            {"5gb/s", "a byte rate like 5GB/s or 40Gbit/s"},
            {"GB/s", "a byte rate like 5GB/s or 40Gbit/s"},
            {"0GB/s", "a positive byte rate"},
            {"-5GB/s", "a positive byte rate"},
            {"1e400GB/s", "a finite byte rate"},
        };
        check_bad_real(units_byte_rate, bad, N(bad));
}

Test(units, numbers)
{
        static const struct {
                const char *text;
                double value;
        } good[] = {
            {"0", 0.0},
            {"1", 1.0},
            {"0.001", 0.001},
            {"-2.5", -2.5},
            {"+4", 4.0},
            {"1e-3", 1e-3},
            {"2E3", 2000.0},
            {".25", 0.25},
            {"0.1", 0.1},
            {"1e-999999", 0.0},
            {"1.7976931348623157e308", 1.7976931348623157e308},
        };
        for (size_t i = 0; i < N(good); i++) {
                double v = -1;
                const char *why = NULL;
                cr_assert_eq(units_number(good[i].text, &v, &why), 0, "%s: %s", good[i].text, why);
                cr_assert_eq(v, good[i].value, "%s gave %.17g", good[i].text, v);
        }
        static const struct bad bad[] = {
            {"", "a number"},
            {"abc", "a number"},
            {"1x", "a number"},
            {"1 ", "a number"},
            {"0x1p3", "a number"},
            {"inf", "a number"},
            {"nan", "a number"},
            {"1,5", "a number"},
            {"1us", "a number"},
            {"1e999", "a finite number"},
            {"-1e999", "a finite number"},
            {"1.8e308", "a finite number"},
        };
        check_bad_real(units_number, bad, N(bad));
}

Test(units, whole_numbers)
{
        static const struct good_u64 good[] = {
            {"0", 0},      {"2", 2},   {"64", 64},
            {"1e3", 1000}, {"2.0", 2}, {"18446744073709551615", UINT64_MAX},
        };
        check_good_u64(units_whole, good, N(good));
        static const struct bad bad[] = {
            {"2.5", "a whole number"},
            {"", "a whole number"},
            {"8 lanes", "a whole number"},
            {"4KiB", "a whole number"},
            {"-1", "a non-negative whole number"},
            {"18446744073709551616", "a whole number below 2^64"},
        };
        check_bad_u64(units_whole, bad, N(bad));
}

/* A locale whose radix is a comma must not change anything. */
Test(units, locale_independent)
{
        if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8"))
                cr_skip_test("no comma-radix locale installed");
        double v = 0;
        const char *why = NULL;
        cr_assert_eq(units_number("1.5", &v, &why), 0);
        cr_assert_eq(v, 1.5);
        cr_assert_eq(units_number("1,5", &v, &why), -1);
        cr_assert_eq(units_byte_rate("2.5GB/s", &v, &why), 0);
        cr_assert_eq(v, 2.5e9);
        setlocale(LC_NUMERIC, "C");
}
