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

/* The streams' generator, taus2 (L'Ecuyer's maximally equidistributed
 * combined Tausworthe generator, 1996): three 32-bit components kept in
 * unsigned longs, each a linear feedback shift register step, the output
 * their exclusive or. Stepped here, inline, it saves a call through the
 * generator's type for every draw; it is used only when, at start-up, it
 * gave the same numbers as GSL's own step from the same state
 * (sim_exp_inline_type below), so a stream's draws do not depend on which
 * one ran. */
struct sim_taus2_state {
        unsigned long s1, s2, s3;
};

static inline uint32_t sim_taus2_next(void *state)
{
        struct sim_taus2_state *t = state;
        const unsigned long m = 0xffffffffUL;
        t->s1 = ((t->s1 & 0xfffffffeUL) << 12 & m) ^ (((t->s1 << 13 & m) ^ t->s1) >> 19);
        t->s2 = ((t->s2 & 0xfffffff8UL) << 4 & m) ^ (((t->s2 << 2 & m) ^ t->s2) >> 25);
        t->s3 = ((t->s3 & 0xfffffff0UL) << 17 & m) ^ (((t->s3 << 3 & m) ^ t->s3) >> 11);
        return (uint32_t)(t->s1 ^ t->s2 ^ t->s3);
}

/* gsl_rng_taus2 when sim_taus2_next() matched GSL's step at start-up
 * (exponential.c), else NULL: every generator then goes through its type. */
extern const gsl_rng_type *sim_exp_inline_type;

/* Returns an exponential draw of mean 1 from rng. */
static inline double sim_exponential(gsl_rng *rng)
{
        uint32_t u;
        if (__builtin_expect(rng->type == sim_exp_inline_type, 1))
                u = sim_taus2_next(rng->state);
        else if (rng->type->max != UINT32_MAX || rng->type->min != 0)
                return sim_exponential_slow(rng, 0);
        else
                u = (uint32_t)rng->type->get(rng->state);
        uint32_t i = u & (SIM_EXP_STRIPS - 1), j = u >> 8;
        if (__builtin_expect(j < sim_exp_tables.inside[i], 1))
                return ((double)j + 0.5) * sim_exp_tables.step[i];
        return sim_exponential_slow(rng, u);
}

#endif
