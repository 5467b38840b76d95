/*
 * sim/report/markdown.h - `acsim report`'s Markdown: a result directory told
 * for a mail, a wiki or a pull request. A run gives its scenario facts,
 * the plain-text summary table of `acsim run` and its plots; a sweep its
 * facts, comparison.txt when there is one, a table of its points and its
 * plots. Each plot appears as an image (plots/KIND.png) and as its text
 * rendering (plots/KIND.txt) in a fenced block.
 */
#ifndef SIM_REPORT_MARKDOWN_H
#define SIM_REPORT_MARKDOWN_H

#include <stddef.h>
#include <stdio.h>

#include "sim/report/plot.h"

/* Writes the report of the result directory dir to out; made lists the
 * plots to show (n may be 0), their images referred to as
 * PREFIXplots/KIND.png (prefix "" when the report sits in dir). Returns
 * 0, or -1 with the reason in err. */
int report_md_write(FILE *out, const char *dir, const char *prefix, const struct plot_made *made,
                    struct sim_error *err);

#endif
