/*
 * sim/sweep/emit.h - a sweep's points as jobs for a cluster: a job list
 * for GNU parallel and a batch script for a Slurm job array, each task
 * running `acsim sweep --points` on a chunk of points into the shared
 * sweep directory; `acsim sweep --merge` assembles them after
 * (docs/cluster.md).
 *
 * Every job changes to the directory the sweep was emitted from and runs
 * the same acsim, scenario path, output directory, --set and --seed as
 * the command that emitted it, so its point directories are those a local
 * sweep writes, and a job whose points are already there with their keys
 * (sim/sweep/key.h) finds nothing to do. Paths are quoted for the shell.
 */
#ifndef SIM_SWEEP_EMIT_H
#define SIM_SWEEP_EMIT_H

#include <stddef.h>
#include <stdio.h>

#include "sim/sweep/sweep.h"

#define SWEEP_PARALLEL_JOBS "parallel.jobs" /* in OUT/cluster/ */
#define SWEEP_SLURM_SCRIPT  "slurm.sbatch"  /* in OUT/cluster/ */
#define SWEEP_CLUSTER_LOGS  "logs"          /* in OUT/cluster/: Slurm's output files */

/* How the jobs are to run the points. */
struct sweep_emit {
        const char *acsim;    /* the executable, an absolute path */
        const char *cwd;      /* the directory the jobs start in, absolute */
        const char *scenario; /* the scenario file as the command named it */
        const char *out;      /* the sweep directory as the command named it */
        size_t chunk;         /* points per job, >= 1 */
};

/* Returns the number of jobs: the points in chunks of em->chunk. */
size_t sweep_emit_jobs(const struct sweep_plan *p, const struct sweep_emit *em);

/* Writes the GNU parallel job list: one shell command a line, job j
 * running points j*chunk .. (j+1)*chunk-1 (fewer in the last). Returns 0,
 * or -1 when a write failed. */
int sweep_emit_parallel(FILE *f, const struct sweep_plan *p, const struct sweep_emit *em);

/* Writes the Slurm batch script: `#SBATCH --array=0-(jobs-1)`, output to
 * OUT/cluster/logs/%A_%a.out, task i running job i of the list above with
 * -j ${SLURM_CPUS_PER_TASK:-1}. Returns 0, or -1 when a write failed. */
int sweep_emit_slurm(FILE *f, const struct sweep_plan *p, const struct sweep_emit *em);

#endif
