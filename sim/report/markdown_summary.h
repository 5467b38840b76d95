/*
 * sim/report/markdown_summary.h - a run's summary.json read back into the
 * in-memory summary that sim/report/text.h prints, so `acsim report`
 * shows the very table `acsim run` printed.
 *
 * With n > 1 replications each run comes from "replications_detail" and
 * replications_summarize() recomputes the means and half-widths (the
 * detail holds every replication's own figures, so they come out as the
 * run computed them); with one, the top level is the run. The runs carry
 * no time series and empty histograms; their fault records are blank,
 * only their number is known.
 */
#ifndef SIM_REPORT_MARKDOWN_SUMMARY_H
#define SIM_REPORT_MARKDOWN_SUMMARY_H

#include <stddef.h>

#include "sim/run/replicate.h"

/* Reads the summary.json at path into *out (release with
 * replications_free). Returns 0, or -1 with the reason in err[errlen]. */
int report_md_summary_read(const char *path, struct replications *out, char *err, size_t errlen);

#endif
