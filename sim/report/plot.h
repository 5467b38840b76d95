/*
 * sim/report/plot.h - `acsim plot`: turning a result directory into pictures
 * with gnuplot (docs/plots.md).
 *
 * A result directory is a run (summary.json and its CSVs) or a sweep
 * (sweep.json, sweep.csv and one run directory per point). For every kind
 * of plot that applies, the C side writes clean numeric data to
 * DIR/plots/data/KIND.dat and a gnuplot driver DIR/plots/data/KIND.gp that
 * sets the titles and ranges and loads tools/plot/KIND.gp once per output
 * format; gnuplot then draws DIR/plots/KIND.png, .svg and .txt (the dumb
 * terminal, 79x24, for a mail). The scripts only draw; everything that
 * needs arithmetic on the results happens here.
 */
#ifndef SIM_REPORT_PLOT_H
#define SIM_REPORT_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/run/outcome.h"

enum plot_format {
        PLOT_PNG = 1u << 0,
        PLOT_SVG = 1u << 1,
        PLOT_TXT = 1u << 2,
        PLOT_ALL = PLOT_PNG | PLOT_SVG | PLOT_TXT,
};

enum plot_error {
        PLOT_EINPUT = -1,  /* not a result directory, or a file in it is broken */
        PLOT_ENOTOOL = -2, /* gnuplot or the plot scripts are not there */
        PLOT_EDRAW = -3,   /* gnuplot failed, or a file could not be written */
};

#define PLOT_MADE_MAX 8 /* kinds one directory can have */

/* What a call drew, for the report. */
struct plot_made {
        const char *kind[PLOT_MADE_MAX];  /* file stems: "latency_cdf" */
        const char *title[PLOT_MADE_MAX]; /* "Latency CDF" */
        const char *about[PLOT_MADE_MAX]; /* a sentence on what it shows */
        size_t n;
        int sweep; /* the directory is a sweep */
};

struct plot_options {
        unsigned formats;     /* PLOT_* bits; 0 means all */
        unsigned replication; /* the run's plots over time draw this one (0 the first) */
        /* Told why kind `kind` was skipped, one line each; may be NULL. */
        void (*skipped)(void *ctx, const char *kind, const struct sim_error *why);
        void *ctx;
};

/* Returns the PLOT_* bit that name ("png", "svg", "txt") stands for, or 0. */
unsigned plot_format_parse(const char *name);

/* Returns 1 when dir is a sweep (holds sweep.json), 0 when it is a run
 * (holds summary.json), PLOT_EINPUT otherwise (with the reason in e). */
int plot_dir_kind(const char *dir, struct sim_error *e);

/* Draws every plot that applies to the result directory dir into
 * dir/plots/. made (may be NULL) lists what was drawn. Returns 0, or a
 * negative enum plot_error with the reason in e. */
int plot_result_dir(const char *dir, const struct plot_options *opt, struct plot_made *made,
                    struct sim_error *e);

/* Copies gnuplot's text rendering from in to out without the page feeds
 * a line starts with, the characters of trim at a line's end, and blank
 * lines at either end; with fence, a line that starts with ``` gets a
 * space before it, so that it cannot close a Markdown fence. */
void plot_text_copy(FILE *out, FILE *in, const char *trim, bool fence);

/* Fills made with the kinds already drawn in dir/plots/ (their .png or
 * .txt exists), in drawing order, without running anything. Returns
 * made->n, or PLOT_EINPUT (e set) when dir is not a result directory. */
int plot_kinds_present(const char *dir, struct plot_made *made, struct sim_error *e);

#endif
