/*
 * sim/report/compare.h - a baseline against a new set of results (docs/regressions.md,
 * `acsim compare`): which figures got worse, which better, and
 * which moved no more than the noise the replications show.
 *
 * A result set is everything found under one directory: run directories
 * (summary.json) and sweep directories (sweep.json naming one run
 * directory per point), matched across the two sides by their path below
 * the root and, within a sweep, by the point's values (never by its
 * index). Each match is compared figure by figure for the whole run and
 * for every class (docs/regressions.md):
 *
 *   REGRESSION  worse by more than the threshold and, when both sides
 *               have 95% intervals, the intervals [x - h, x + h] apart
 *   better      the same, improved
 *   noise       beyond the threshold, but the intervals overlap
 *   ok          within the threshold
 *
 * A run, point or class in the baseline that the new side lacks counts as
 * a regression too (something measured is no longer); one only in the new
 * side is listed and counts as nothing.
 */
#ifndef SIM_REPORT_COMPARE_H
#define SIM_REPORT_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/run/outcome.h"

#define COMPARE_THRESHOLD_PCT 5.0 /* the default --threshold */
#define COMPARE_FLOOR_PP      0.1 /* fractions must also move this many points */

/* Which way a figure should go. */
enum compare_better {
        COMPARE_LOWER,  /* latency, failures */
        COMPARE_HIGHER, /* throughput */
};

enum compare_verdict {
        COMPARE_NA,         /* a side has no figure: nothing compared */
        COMPARE_OK,         /* within the threshold */
        COMPARE_BETTER,     /* improved beyond threshold and intervals */
        COMPARE_NOISE,      /* beyond the threshold, intervals overlap */
        COMPARE_REGRESSION, /* worse beyond threshold and intervals */
};

/* One figure on one side. */
struct compare_value {
        bool present;  /* the side has the figure (finite) */
        double x;      /* the figure: a mean when there are replications */
        bool interval; /* h is a 95% half-width from replications */
        double h;
};

/* The rule of one figure. */
struct compare_rule {
        enum compare_better better;
        double threshold_pct; /* relative change allowed, percent of the baseline */
        double floor;         /* absolute change always allowed (same unit as x) */
};

/* Returns the verdict on a figure that went from base to now. */
enum compare_verdict compare_judge(const struct compare_rule *rule,
                                   const struct compare_value *base,
                                   const struct compare_value *now);

/* The paired difference of a figure between two sides that ran the same
 * replication seeds: d_i = now_i - base_i per replication. */
struct compare_paired {
        double d;  /* mean of the d_i */
        double hd; /* its 95% half-width, t(0.975, n-1) * sd(d) / sqrt(n) */
};

/* Returns the verdict on a figure whose replications pair up (both sides
 * ran the same replication seeds): as compare_judge(), but the change is
 * p->d and it is noise when |d| <= p->hd, the paired interval, rather
 * than when two independent intervals overlap. */
enum compare_verdict compare_judge_paired(const struct compare_rule *rule,
                                          const struct compare_value *base,
                                          const struct compare_paired *p);

/* Returns the verdict's word in the table: "ok", "better", "noise
 * (CI)", "REGRESSION" or "-". */
const char *compare_verdict_name(enum compare_verdict v);

/* ---- result sets ------------------------------------------------------- */

struct compare_set; /* the runs found under one root */

/* Loads every run and sweep under root (a result directory, a sweep
 * directory, a tree of them, or a summary.json file). Returns 0 and sets
 * *out, or -1 with the reason in e when root is missing or unreadable,
 * a JSON file does not parse or holds no results, or nothing is found. */
int compare_set_load(const char *root, struct compare_set **out, struct sim_error *e);

/* Frees a set (NULL is fine). */
void compare_set_free(struct compare_set *set);

/* Returns how many runs (points) the set holds. */
size_t compare_set_count(const struct compare_set *set);

struct compare_options {
        double threshold_pct; /* --threshold */
        bool brief;           /* print only rows that are not ok */
};

/* What a comparison found. */
struct compare_tally {
        size_t comparisons;          /* figures present on both sides */
        size_t identical;            /* of those, exactly equal */
        size_t regressions;          /* REGRESSION rows */
        size_t better;               /* better rows */
        size_t noise;                /* noise rows */
        size_t missing;              /* runs, points or classes gone from the new side */
        size_t added;                /* runs, points or classes only in the new side */
        size_t fingerprinted;        /* runs with fingerprints on both sides */
        size_t trajectories_changed; /* of those, a replication's fingerprint differs */
        size_t figures_changed;      /* runs with a figure not exactly equal */
};

/* Prints the comparison table of base against now to out and fills
 * *tally. Returns true when it found a regression or something missing. */
bool compare_print(FILE *out, const struct compare_set *base, const struct compare_set *now,
                   const struct compare_options *opt, struct compare_tally *tally);

#endif
