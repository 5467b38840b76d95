/*
 * sim/des/exponential.c - the ziggurat's strips and its slow path (see
 * sim/des/exponential.h).
 *
 * The strips are found from two conditions. Every strip has the same area
 * v; for the base strip that is R e^-R (its rectangle) plus e^-R (the tail),
 * so v = (R + 1) e^-R. Going up, strip i's rectangle [0, x_i] x [y_i,
 * y_(i+1)] has area v, so y_(i+1) = y_i + v / x_i and x_(i+1) = -log
 * y_(i+1). The top strip must end at the density's peak, y_256 = 1: too
 * small an R makes the strips too tall (they pass 1 early), too large an R
 * too short. Bisection on R finds the one that ends exactly there.
 */
#include "sim/des/exponential.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>

struct sim_exp_tables sim_exp_tables;
const gsl_rng_type *sim_exp_inline_type;

/* Steps two copies of one taus2 generator, one through GSL and one
 * inline, and lets sim_exponential() step inline only if every output
 * agreed: GSL keeps its state private, so this is where a GSL whose
 * taus2 state is laid out otherwise is caught. */
__attribute__((constructor)) static void check_inline_step(void)
{
        gsl_rng *a = gsl_rng_alloc(gsl_rng_taus2);
        gsl_rng *b = a ? gsl_rng_alloc(gsl_rng_taus2) : NULL;
        bool same = b && gsl_rng_size(a) == sizeof(struct sim_taus2_state);
        if (same) {
                gsl_rng_set(a, 0x5eed1e55u);
                gsl_rng_memcpy(b, a);
        }
        for (int i = 0; same && i < 4096; i++)
                same = gsl_rng_get(a) == sim_taus2_next(b->state);
        sim_exp_inline_type = same ? gsl_rng_taus2 : NULL;
        if (a)
                gsl_rng_free(a);
        if (b)
                gsl_rng_free(b);
}

#define GRID 16777216.0 /* 2^24: points across a strip */

/* Walks the strips up from the base for a given R. Returns y_256 - 1 (0
 * when R is right, > 0 when the strips overshoot), and fills x[0..256]. */
static double climb(double r, double x[SIM_EXP_STRIPS + 1])
{
        double v = (r + 1) * exp(-r), y = exp(-r);
        x[0] = v / y; /* the base strip's width if it were a rectangle */
        x[1] = r;
        for (int i = 1; i < SIM_EXP_STRIPS; i++) {
                y += v / x[i]; /* y_(i+1) */
                if (y >= 1 && i < SIM_EXP_STRIPS - 1)
                        return 1; /* past the peak before the last strip */
                x[i + 1] = y < 1 ? -log(y) : 0;
        }
        return y - 1;
}

__attribute__((constructor)) static void build(void)
{
        double x[SIM_EXP_STRIPS + 1];
        double lo = 1, hi = 30; /* climb(lo) > 0, climb(hi) < 0 */
        for (int k = 0; k < 200 && hi - lo > 1e-15 * hi; k++) {
                double mid = (lo + hi) / 2;
                if (climb(mid, x) > 0)
                        lo = mid;
                else
                        hi = mid;
        }
        /* The top strip takes what is left of the peak: x_256 = 0. */
        double miss = climb(hi, x);
        assert(miss <= 0 && miss > -1e-9);
        (void)miss;
        x[SIM_EXP_STRIPS] = 0;
        struct sim_exp_tables *t = &sim_exp_tables;
        t->r = x[1];
        for (int i = 0; i < SIM_EXP_STRIPS; i++) {
                t->step[i] = x[i] / GRID;
                t->inside[i] = (uint32_t)floor(x[i + 1] / x[i] * GRID);
                t->y[i] = i == 0 ? 0 : exp(-x[i]);
        }
        t->y[SIM_EXP_STRIPS] = 1;
}

double sim_exponential_slow(gsl_rng *rng, uint32_t u)
{
        const struct sim_exp_tables *t = &sim_exp_tables;
        if (rng->type->max != UINT32_MAX || rng->type->min != 0)
                return -log1p(-gsl_rng_uniform(rng));
        for (;;) {
                uint32_t i = u & (SIM_EXP_STRIPS - 1), j = u >> 8;
                double x = ((double)j + 0.5) * t->step[i];
                if (j < t->inside[i])
                        return x;
                if (i == 0) {
                        /* The base strip: its rectangle up to R, the tail,
                         * R + Exp(1), past it. */
                        return x < t->r ? x : t->r - log(gsl_rng_uniform_pos(rng));
                } else {
                        /* The wedge: accept under the curve. */
                        double y = t->y[i] + gsl_rng_uniform(rng) * (t->y[i + 1] - t->y[i]);
                        if (y < exp(-x))
                                return x;
                }
                u = (uint32_t)rng->type->get(rng->state);
        }
}
