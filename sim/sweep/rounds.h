/*
 * sim/sweep/rounds.h - a sweep run to a precision (run.precision with
 * sweep:, docs/statistics.md, "Sweeps"): a group of points (those that
 * differ only in engine.policy) run in rounds in one process until every
 * paired difference from the group's baseline is within its target.
 *
 * The stopping rule is acsim run's (replications_within()), applied to
 * the difference X_i - B_i of each named metric over the replications
 * 0 .. k-1 of a point X and its baseline B, a relative target being a
 * fraction of B's mean over the same k replications. Every point first
 * runs run.replications (at least 2, at most the cap); then the points
 * whose difference is not yet within target, and the baseline with them,
 * run `threads` more replications a round (replication i always has the
 * seed sim_rng_derive(seed, i): a round adds replications, it never runs
 * one again), and the prefixes are judged in index order: X keeps the
 * smallest k that meets every target, or the cap. The baseline keeps as
 * many as the most any of its points kept, since a pair needs both
 * sides. A group of one point (a sweep that does not vary engine.policy,
 * or a list of one) has no difference: it is judged on its own interval,
 * exactly as acsim run judges it. Since each count is the smallest prefix
 * that meets the rule, nothing depends on the round's size or on -j.
 */
#ifndef SIM_SWEEP_ROUNDS_H
#define SIM_SWEEP_ROUNDS_H

#include <stddef.h>

#include "sim/run/outcome.h"
#include "sim/sweep/sweep.h"

/* Runs the group of point `point` (its first member) to the plan's
 * precision on up to `threads` threads and writes every member's result
 * directory and key (sweep_point_finish()); each member's summary.json
 * records its precision, and a paired member its difference's. Returns
 * the worst outcome: SIM_FAILED when a member stopped at the cap
 * (replications_verdict()); as sweep_run_point() otherwise. */
enum sim_outcome sweep_run_group(const struct sweep_plan *p, const char *out, size_t point,
                                 unsigned threads, const struct sweep_hooks *hooks);

#endif
