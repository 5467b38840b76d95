/*
 * sim/sweep/emit.c - a sweep as GNU parallel jobs or a Slurm array
 * (sim/sweep/emit.h). Layout: shell quoting, the command one job runs,
 * then the two formats.
 */
#include "sim/sweep/emit.h"

#include <inttypes.h>
#include <string.h>

/* Writes text as one shell word in single quotes. */
static void quoted(FILE *f, const char *text)
{
        fputc('\'', f);
        for (const char *c = text; *c; c++) {
                if (*c == '\'')
                        fputs("'\\''", f);
                else
                        fputc(*c, f);
        }
        fputc('\'', f);
}

/* Writes what every job's command shares before its --points: the
 * directory to start in, the executable, the scenario and the output. */
static void command_head(FILE *f, const struct sweep_emit *em)
{
        fputs("cd ", f);
        quoted(f, em->cwd);
        fputs(" && ", f);
        quoted(f, em->acsim);
        fputs(" sweep ", f);
        quoted(f, em->scenario);
        fputs(" -o ", f);
        quoted(f, em->out);
}

/* Writes what every job's command shares after its --points: the sets and
 * the seed. */
static void command_tail(FILE *f, const struct sweep_plan *p)
{
        for (size_t i = 0; i < p->nsets; i++) {
                fputs(" --set ", f);
                quoted(f, p->sets[i]);
        }
        if (p->has_seed)
                fprintf(f, " --seed %" PRIu64, p->seed);
}

size_t sweep_emit_jobs(const struct sweep_plan *p, const struct sweep_emit *em)
{
        return (p->npoints + em->chunk - 1) / em->chunk;
}

int sweep_emit_parallel(FILE *f, const struct sweep_plan *p, const struct sweep_emit *em)
{
        for (size_t j = 0; j < sweep_emit_jobs(p, em); j++) {
                size_t first = j * em->chunk, last = first + em->chunk - 1;
                if (last >= p->npoints)
                        last = p->npoints - 1;
                command_head(f, em);
                if (first == last)
                        fprintf(f, " --points %zu -j 1 -q", first);
                else
                        fprintf(f, " --points %zu-%zu -j 1 -q", first, last);
                command_tail(f, p);
                fputc('\n', f);
        }
        return ferror(f) ? -1 : 0;
}

int sweep_emit_slurm(FILE *f, const struct sweep_plan *p, const struct sweep_emit *em)
{
        size_t jobs = sweep_emit_jobs(p, em);
        bool rel = em->out[0] != '/';
        fprintf(f,
                "#!/bin/sh\n"
                "# acsim sweep of %s: %zu point%s in %zu array task%s of %zu point%s each,\n"
                "# written by `acsim sweep --emit slurm` (docs/cluster.md). Submit it with\n"
                "#   sbatch ",
                p->base.name, p->npoints, p->npoints == 1 ? "" : "s", jobs, jobs == 1 ? "" : "s",
                em->chunk, em->chunk == 1 ? "" : "s");
        quoted(f, em->out);
        fprintf(f,
                "/%s/%s\n"
                "# and when every task is done, assemble the sweep with --merge.\n"
                "#SBATCH --job-name=acsim-%s\n"
                "#SBATCH --array=0-%zu\n"
                "#SBATCH --ntasks=1\n"
                "#SBATCH --output=%s%s%s/%s/%s/%%A_%%a.out\n"
                "#SBATCH --chdir=%s\n",
                SWEEP_CLUSTER, SWEEP_SLURM_SCRIPT, p->base.name, jobs - 1, rel ? em->cwd : "",
                rel ? "/" : "", em->out, SWEEP_CLUSTER, SWEEP_CLUSTER_LOGS, em->cwd);
        fprintf(f,
                "set -eu\n"
                "first=$((SLURM_ARRAY_TASK_ID * %zu))\n"
                "last=$((first + %zu))\n"
                "[ \"$last\" -lt %zu ] || last=%zu\n",
                em->chunk, em->chunk - 1, p->npoints, p->npoints - 1);
        command_head(f, em);
        fputs(" --points \"$first-$last\" -j \"${SLURM_CPUS_PER_TASK:-1}\" -q", f);
        command_tail(f, p);
        fputc('\n', f);
        return ferror(f) ? -1 : 0;
}
