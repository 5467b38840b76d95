/*
 * sim/report/text.h - the plain-text summary of a run, fit for a mailing
 * list: ASCII, fixed columns, at most 76 characters a line, figures in
 * human units with three significant digits. With several replications
 * every figure row is followed by a "+/- 95%" row of half-widths.
 */
#ifndef SIM_REPORT_TEXT_H
#define SIM_REPORT_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "sim/run/replicate.h"

#define REPORT_TEXT_WIDTH 76 /* the longest line the table prints */

/* Prints the summary of r (n >= 1) to out. */
void report_text_print(FILE *out, const struct replications *r);

/* Formats a duration of ns nanoseconds with three significant digits and
 * a unit (ns, us, ms, s): "12.3 us". Returns buf. */
char *report_text_time(char *buf, size_t cap, double ns);
/* Formats a rate with three significant digits and an SI prefix followed
 * by unit: (1.5e9, "B/s") gives "1.50 GB/s". Returns buf. */
char *report_text_rate(char *buf, size_t cap, double per_s, const char *unit);
/* Formats a count: whole numbers below 10^8 as they are (rounded), larger
 * ones with three significant digits and k, M, G: "123M". Returns buf. */
char *report_text_count(char *buf, size_t cap, double n);

#endif
