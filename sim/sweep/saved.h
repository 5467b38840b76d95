/*
 * sim/sweep/saved.h - the replications a point run to a precision has so
 * far, kept between rounds (sim/sweep/rounds.h) so that a sweep stopped
 * in the middle of a group resumes from them instead of replication 0.
 *
 * OUT/keys/<point dir>.runs holds the point's key and its runs, written
 * whole (sim/results/in_place.h) after every round and removed once the
 * point's directory and key are in place. The runs are stored as this
 * build holds them in memory: the key names the build (sim/sweep/key.h),
 * so a file another build wrote, or that belongs to another key, is not
 * read. A run that traced requests (run.trace) is not saved.
 */
#ifndef SIM_SWEEP_SAVED_H
#define SIM_SWEEP_SAVED_H

#include <stddef.h>

#include "sim/run/outcome.h"
#include "sim/run/replicate.h"
#include "sim/sweep/sweep.h"

/* Writes the runs r->runs[0 .. r->n - 1] of point `point`. Returns 0 (and
 * writes nothing when a run holds a trace), or -1 with the reason in e. */
int sweep_saved_write(const struct sweep_plan *p, const char *out, size_t point,
                      const struct replications *r, struct sim_error *e);

/* Reads the saved runs of point `point` into r (empty before; release
 * with replications_free). Returns how many were read: 0 when there is no
 * file, or it is another key's, or it cannot be read whole. */
size_t sweep_saved_read(const struct sweep_plan *p, const char *out, size_t point,
                        struct replications *r);

/* Removes point `point`'s saved runs, if any. */
void sweep_saved_forget(const struct sweep_plan *p, const char *out, size_t point);

/* Returns how many replications are saved for point `point` with its
 * key, without reading them. */
size_t sweep_saved_count(const struct sweep_plan *p, const char *out, size_t point);

#endif
