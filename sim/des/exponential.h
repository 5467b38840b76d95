/*
 * sim/des/exponential.h - exponential draws by the ziggurat method, without
 * a logarithm on the common path.
 *
 * Inversion (-log(1 - U), what gsl_ran_exponential does) costs a log1p per
 * draw, the largest single item in an M/M/8 profile. The ziggurat covers
 * the density e^-x with SIM_EXP_STRIPS horizontal strips of equal area:
 * strip 0 is the base (the rectangle [0, R] x [0, e^-R] and the tail past
 * R), strip i > 0 the rectangle [0, x_i] x [e^-x_i, e^-x_(i+1)] with
 * x_1 = R > x_2 > ... > x_256 = 0. One 32-bit draw picks a strip (low 8
 * bits) and a point x across it (high 24 bits); when x lies left of the
 * strip above's edge (about 99% of draws) it is the answer, a multiply and
 * a compare. Otherwise the draw is decided exactly: a point in the wedge
 * between the rectangle and the curve is accepted when it lies under
 * e^-x (one exp, one more draw), and the base strip's overhang is the
 * tail, R plus a fresh exponential (memoryless). The answer is exact up to
 * the 24-bit grid of x within a strip (a step of x_i / 2^24, at most 4.6e-7
 * of the mean, below the nanosecond the models round to at means under
 * 2 ms).
 *
 * The strips (R, the common area and the edges) are not constants copied
 * from anywhere: sim/des/exponential.c solves for them by bisection at
 * start-up, before main().
 *
 * The fast path needs 32 uniform bits per gsl_rng_get(): the simulator's
 * streams (taus2, sim/des/rng.h) give them. With a generator of another
 * range the draw falls back to inversion, one uniform per draw.
 */
#ifndef SIM_DES_EXPONENTIAL_H
#define SIM_DES_EXPONENTIAL_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#define SIM_EXP_STRIPS 256

/* The strips, filled at start-up (see exponential.c). */
struct sim_exp_tables {
        uint32_t inside[SIM_EXP_STRIPS]; /* strip i: 2^24 x_(i+1) / x_i, rounded down */
        double step[SIM_EXP_STRIPS];     /* strip i: x_i / 2^24 (strip 0: its virtual width) */
        double y[SIM_EXP_STRIPS + 1];    /* e^-x_i, y[256] = 1 */
        double r;                        /* R, where the tail starts */
};

extern struct sim_exp_tables sim_exp_tables;

/* The slow path: a draw that fell in a wedge or the base strip's overhang,
 * or a generator without 32 bits. Returns a draw of mean 1. */
double sim_exponential_slow(gsl_rng *rng, uint32_t u);

/* Returns an exponential draw of mean 1 from rng. */
static inline double sim_exponential(gsl_rng *rng)
{
        if (__builtin_expect(rng->type->max != UINT32_MAX || rng->type->min != 0, 0))
                return sim_exponential_slow(rng, 0);
        uint32_t u = (uint32_t)rng->type->get(rng->state);
        uint32_t i = u & (SIM_EXP_STRIPS - 1), j = u >> 8;
        if (__builtin_expect(j < sim_exp_tables.inside[i], 1))
                return ((double)j + 0.5) * sim_exp_tables.step[i];
        return sim_exponential_slow(rng, u);
}

#endif
