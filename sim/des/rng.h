/*
 * sim/des/rng.h - random streams: one GSL generator per random source, seeded
 * from (scenario seed, source name) alone.
 *
 * Each source (a workload class's arrivals, its sizes, a device's jitter,
 * its failure process) asks for its own stream by a stable name such as
 * "workload/ipsec/arrival" or "device/qat1/jitter". The stream's seed is a
 * 64-bit mixing hash of the scenario seed and the name, so adding a device,
 * renaming another or changing the policy never changes a source's draws
 * (common random numbers: two policies see the same request sequence), and
 * the order in which streams are created does not matter.
 *
 * Generator: gsl_rng_taus2, L'Ecuyer's maximally equidistributed combined
 * Tausworthe generator (period about 2^88, 24 bytes of state, passes the
 * usual batteries). Measured on the development machine with GSL 2.7:
 * about 3 ns per gsl_rng_uniform() against 8 ns for gsl_rng_mt19937 and
 * 26+ ns for the ranlux family; the simulator draws about three numbers per
 * request, so this matters at millions of requests per second, and the tiny
 * state makes thousands of streams cheap.
 *
 * Caveat: GSL seeds taus2 (and mt19937) from only the low 32 bits of the
 * seed. sim_rng_stream() folds the 64-bit hash to 32 bits, so two different
 * names collide with probability about n^2 / 2^33 for n streams (1e-6 for
 * 100 streams); sim_rng_stream_seed() exposes the folded seed so a caller
 * that holds all its streams can check them for collisions.
 */
#ifndef SIM_DES_RNG_H
#define SIM_DES_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The generator type of every stream. */
#define SIM_RNG_TYPE gsl_rng_taus2

/* Returns the seed of replication (or sweep job) `index` of a scenario
 * seeded with `seed`: a function of the two alone, so jobs can run in any
 * order or on any machine. Distinct indices give distinct seeds. */
uint64_t sim_rng_derive(uint64_t seed, uint64_t index);

/* Returns the 32-bit GSL seed of the stream named `name` under `seed`. */
uint32_t sim_rng_stream_seed(uint64_t seed, const char *name);

/* Returns a new generator (SIM_RNG_TYPE) for the source `name` under the
 * scenario seed `seed`, or NULL when out of memory (GSL's default error
 * handler aborts first). Free it with gsl_rng_free(). */
gsl_rng *sim_rng_stream(uint64_t seed, const char *name);

#endif
