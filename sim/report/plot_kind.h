/*
 * sim/report/plot_kind.h - the kinds of plot, shared by sim/report/plot.c (which runs
 * them) and the files that prepare their data: sim/report/plot_run.c (a run
 * directory) and sim/report/plot_sweep.c (a sweep). Not for other callers.
 *
 * A kind writes its data to ctx->data/KIND.dat and gnuplot assignments
 * (titles, axis labels, ranges, series names) to vars; sim/report/plot.c puts
 * them in front of tools/plot/KIND.gp. Values that come from the results
 * (scenario, class, device and policy names) are quoted by plot_var_str,
 * so they cannot become gnuplot code.
 */
#ifndef SIM_REPORT_PLOT_KIND_H
#define SIM_REPORT_PLOT_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/report/plot.h"

#define PLOT_PATH_CAP 4096

struct plot_ctx {
        const char *dir;          /* the result directory */
        char data[PLOT_PATH_CAP]; /* dir/plots/data */
        const struct plot_options
            *opt;                 /* its skipped hook hears why a kind was skipped; may be NULL */
        struct plot_sweep *sweep; /* the sweep's points (sim/report/plot_sweep.c), or NULL */
};

struct plot_kind {
        const char *name;  /* file stem and script name: "latency_cdf" */
        const char *title; /* for the report */
        const char *about; /* what it shows, one sentence for the report */
        int width, height; /* PNG and SVG size in pixels */
        /* Writes ctx->data/NAME.dat and the variables. Returns 0; 1 when the
         * kind does not apply to this directory (after a note saying why);
         * or a negative enum plot_error with the reason in err. */
        int (*prepare)(struct plot_ctx *ctx, FILE *vars, struct sim_error *err);
};

/* The kinds of a run directory and of a sweep, NULL-terminated. */
extern const struct plot_kind *const plot_run_kinds[];
extern const struct plot_kind *const plot_sweep_kinds[];

/* Reads a sweep directory's sweep.json and sweep.csv into ctx->sweep.
 * Returns 0 or PLOT_EINPUT with err. */
int plot_sweep_open(struct plot_ctx *ctx, struct sim_error *err);
void plot_sweep_close(struct plot_ctx *ctx);

/* ---- gnuplot assignments (sim/report/plot.c) ------------------------------------ */

/* name = 'text', quoted for gnuplot; control characters become spaces. */
void plot_var_str(FILE *vars, const char *name, const char *text);
/* name = x (NaN when x is not finite). */
void plot_var_num(FILE *vars, const char *name, double x);
/* array name[n] (gnuplot arrays count from 1; n = 0 declares none). */
void plot_var_array(FILE *vars, const char *name, size_t n);
/* name[i] = 'text', name[i] = x, for i from 1. */
void plot_var_str_at(FILE *vars, const char *name, size_t i, const char *text);
void plot_var_num_at(FILE *vars, const char *name, size_t i, double x);

/* ---- units for the axes (sim/report/plot.c) ------------------------------------- */

/* A unit and what a value in base units is divided by to be in it. */
struct plot_unit {
        const char *name; /* "us", "ms"; "k" for a prefix */
        double scale;     /* ns per unit, or the prefix's power of ten */
};

/* The time unit (ns, us, ms, s) in which ns reads best. */
struct plot_unit plot_time_unit(double ns);
/* The SI prefix ("", k, M, G) in which x reads best. */
struct plot_unit plot_si_prefix(double x);

/* Writes dir/name into buf[PLOT_PATH_CAP]. Returns buf, or NULL (err
 * set) when it does not fit. */
char *plot_path(char *buf, const char *dir, const char *name, struct sim_error *err);

/* Opens ctx->data/NAME.dat for writing. Returns the stream, or NULL with
 * err set. */
FILE *plot_data_open(const struct plot_ctx *ctx, const char *name, struct sim_error *err);
/* Closes a data file. Returns 0, or PLOT_EDRAW with err set. */
int plot_data_close(FILE *f, const struct plot_ctx *ctx, const char *name, struct sim_error *err);

/* Tells ctx->opt's skipped hook why kind NAME was skipped. */
void plot_note(const struct plot_ctx *ctx, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
