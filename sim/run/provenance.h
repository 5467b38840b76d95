/*
 * sim/run/provenance.h - how a result directory was made: the scenario file
 * (its path and its bytes as loaded), its description, and the --set
 * assignments applied to it, in order (a sweep point's own values come
 * after the command line's). With the seed in summary.json this is what
 * reproduces a run:
 *
 *   acsim run RESULT_DIR/scenario.yaml --set KEY=VALUE... --seed N
 *
 * (docs/results.md, "Provenance").
 */
#ifndef SIM_RUN_PROVENANCE_H
#define SIM_RUN_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/run/scenario.h"

struct provenance {
        char *scenario_file; /* the file loaded, as the command named it; NULL: unknown */
        char *description;   /* the scenario's, after the sets; NULL: none */
        char **sets;         /* "KEY=VALUE", in the order applied */
        size_t nsets;
        char *source;         /* the file's bytes as loaded; NULL: not kept */
        size_t source_len;    /* bytes in source */
        uint64_t source_hash; /* provenance_hash() of source; 0 with no source */
        /* Where it ran, for a run on real hardware (acsim live); all NULL
         * and 0 for a simulation, which is then written as before. */
        char *platform; /* "live" */
        char *cpu;      /* the processor's model name */
        unsigned cpus;  /* online CPUs */
        char *crypto;   /* the crypto library and its version */
        char *live;     /* a JSON object written as summary.json's "live"; NULL: none */
};

/* Fills *p (zeroed here) from the loaded scenario s (its description and
 * source), the file's path and the assignments sets[0 .. nsets - 1] then
 * more[0 .. nmore - 1]. Returns 0, or AC_ENOMEM with *p empty. */
int provenance_fill(struct provenance *p, const char *file, const struct scenario *s,
                    const char *const *sets, size_t nsets, const char *const *more, size_t nmore);

/* Releases what p owns and zeroes it. */
void provenance_free(struct provenance *p);

/* Returns the 64-bit FNV-1a hash of text[0 .. len - 1]: two scenario files
 * with the same bytes have the same hash. */
uint64_t provenance_hash(const char *text, size_t len);

#endif
