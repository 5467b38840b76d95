/*
 * sim/report/plain.h - the report as plain text for a mailing list
 * (`acsim report --format text`): the Markdown report read back and
 * rewritten without its markup, every line at most 80 columns.
 *
 * Headings become underlined lines, the facts tables "name: value" lines,
 * fenced blocks their text as it is (tables and text plots, already at
 * most 80 columns), paragraphs are wrapped at 76 columns; images, HTML
 * tags and inline code marks are left out.
 */
#ifndef SIM_REPORT_PLAIN_H
#define SIM_REPORT_PLAIN_H

#include <stdio.h>

#define REPORT_PLAIN_WIDTH 80 /* no line of the text report is longer */

/* Rewrites the Markdown read from md (as report_md_write() writes it)
 * as plain text on out. Returns 0, or -1 when reading or writing fails. */
int report_plain_write(FILE *out, FILE *md);

#endif
