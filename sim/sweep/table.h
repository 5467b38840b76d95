/*
 * sim/sweep/table.h - a sweep's comparison as plain text for a patch
 * discussion (comparison.txt): ASCII, at most SWEEP_TABLE_WIDTH columns,
 * one block per group of points that differ only in engine.policy, one
 * line per policy with mean latency, p99 latency and throughput (+- their
 * 95% half-widths), and under each policy but the baseline its paired
 * difference from the baseline, absolute and relative, with half-widths.
 */
#ifndef SIM_SWEEP_TABLE_H
#define SIM_SWEEP_TABLE_H

#include <stdio.h>

#include "sim/sweep/sweep.h"
#include "sim/sweep/collect.h"

#define SWEEP_TABLE_WIDTH 80 /* the usual longest line (a very long label or figure goes past) */

/* Prints the comparison of a collected sweep to out. */
void sweep_table_print(FILE *out, const struct sweep_plan *p, const struct sweep_collection *c);

#endif
