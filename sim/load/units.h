/*
 * sim/load/units.h - the unit-bearing scalars of scenarios (docs/scenarios.md, "Units").
 *
 * Each parser takes the text of one YAML scalar and either stores a value in
 * base units (nanoseconds, bytes, events per second, bytes per second) and
 * returns 0, or returns -1 with *expected set to a static phrase that follows
 * the word "expected" in an error message ("a duration with a unit (ns, us,
 * ms, s)"); the caller adds where and what it got. The output is left alone
 * on error.
 *
 * The syntax is the same for all: an optional sign, decimal digits with an
 * optional fraction and an optional exponent (1.5, 2e3), optional spaces,
 * then the unit. It is parsed by hand (never by the C locale) and nothing may
 * follow the unit. Integer results are computed exactly in decimal, so 0.1s
 * is exactly 100000000ns; a value that is not whole in the base unit (1.5ns,
 * 0.5B) is refused rather than rounded.
 *
 *   durations  ns, us (also µs, μs), ms, s, min, h; a unit is required
 *   sizes      no unit or B; kB MB GB TB (powers of 1000);
 *              KiB MiB GiB TiB (powers of 1024)
 *   event rate /s, k/s, M/s, G/s; must be > 0
 *   byte rate  B/s kB/s MB/s GB/s TB/s KiB/s MiB/s GiB/s TiB/s, and bits:
 *              bit/s kbit/s Mbit/s Gbit/s Tbit/s (also bps kbps Mbps Gbps
 *              Tbps), divided by 8; must be > 0
 */
#ifndef SIM_LOAD_UNITS_H
#define SIM_LOAD_UNITS_H

#include <stdint.h>

/* Returns 0 with *ns set, or -1 with *expected. */
int units_duration(const char *text, uint64_t *ns, const char **expected);
/* Returns 0 with *bytes set, or -1 with *expected. */
int units_size(const char *text, uint64_t *bytes, const char **expected);
/* Events per second, > 0. Returns 0 with *per_s set, or -1 with *expected
 * (a byte rate is refused as such). */
int units_event_rate(const char *text, double *per_s, const char **expected);
/* Bytes per second, > 0. Returns 0 with *bytes_per_s set, or -1 with
 * *expected (an event rate is refused as such). */
int units_byte_rate(const char *text, double *bytes_per_s, const char **expected);
/* A finite number without unit, either sign. Returns 0 or -1. */
int units_number(const char *text, double *value, const char **expected);
/* A non-negative whole number without unit (2, 64, 1e3). Returns 0 or -1. */
int units_whole(const char *text, uint64_t *value, const char **expected);

#endif
