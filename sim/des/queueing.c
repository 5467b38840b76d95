/*
 * sim/des/queueing.c - queueing-theory formulas (sim/des/queueing.h): M/M/1,
 * M/M/c (Erlang C, sojourn tail and quantiles), the supermarket model's
 * limit. Quantiles are found by bisection on the tail.
 */
#include "sim/des/queueing.h"

#include <math.h>

double queueing_mm1_mean(double lambda, double mu)
{
        return 1 / (mu - lambda);
}

double queueing_mm1_quantile(double q, double lambda, double mu)
{
        return -log(1 - q) / (mu - lambda);
}

/* Returns t with tail(t) = 1 - q, tail decreasing from 1 at t = 0. */
static double bisect(double q, double (*tail)(double t, const double *arg), const double *arg)
{
        double lo = 0, hi = 1;
        while (tail(hi, arg) > 1 - q)
                hi *= 2;
        for (int i = 0; i < 200; i++) {
                double mid = (lo + hi) / 2;
                if (tail(mid, arg) > 1 - q)
                        lo = mid;
                else
                        hi = mid;
        }
        return (lo + hi) / 2;
}

double queueing_erlang_c(unsigned c, double a)
{
        double term = 1, sum = 1;
        for (unsigned k = 1; k < c; k++) {
                term *= a / k;
                sum += term;
        }
        double last = term * a / c / (1 - a / c);
        return last / (sum + last);
}

double queueing_mmc_mean(unsigned c, double lambda, double mu)
{
        return 1 / mu + queueing_erlang_c(c, lambda / mu) / (c * mu - lambda);
}

/* P(T > t) with S ~ Exp(mu) and W = 0 with probability 1 - pw, else
 * Exp(theta), theta = c mu - lambda. */
static double mmc_tail(double t, double mu, double theta, double pw)
{
        double both = (theta * exp(-mu * t) - mu * exp(-theta * t)) / (theta - mu);
        return (1 - pw) * exp(-mu * t) + pw * both;
}

double queueing_mmc_tail(double t, unsigned c, double lambda, double mu)
{
        return mmc_tail(t, mu, c * mu - lambda, queueing_erlang_c(c, lambda / mu));
}

static double mmc_tail_arg(double t, const double *arg)
{
        return mmc_tail(t, arg[0], arg[1], arg[2]);
}

double queueing_mmc_quantile(double q, unsigned c, double lambda, double mu)
{
        const double arg[] = {mu, c * mu - lambda, queueing_erlang_c(c, lambda / mu)};
        return bisect(q, mmc_tail_arg, arg);
}

/* 1 + d + ... + d^(k-1) = (d^k - 1)/(d - 1), written as a sum so that
 * d = 1 (k) needs no special case. */
static double geometric(unsigned d, unsigned k)
{
        double sum = 0, term = 1;
        for (unsigned j = 0; j < k; j++, term *= d)
                sum += term;
        return sum;
}

double queueing_supermarket_fraction(double rho, unsigned d, unsigned k)
{
        return pow(rho, geometric(d, k));
}

/* sum over i >= 1 of rho^((d^i - d)/(d - 1)) = s_i / rho */
double queueing_supermarket_mean(double rho, unsigned d)
{
        double t = 0;
        for (unsigned i = 1; i < 4096; i++) {
                double term = pow(rho, geometric(d, i) - 1);
                t += term;
                if (term < 1e-17)
                        break;
        }
        return t;
}

double queueing_supermarket_tail(double t, double rho, unsigned d)
{
        double p = 0, poisson = exp(-t), erlang_tail = 0;
        for (unsigned k = 0; k < 4096; k++) {
                erlang_tail += poisson; /* P(Erlang(k + 1) > t) = P(Poisson(t) <= k) */
                poisson *= t / (k + 1);
                double w = pow(queueing_supermarket_fraction(rho, d, k), d) -
                           pow(queueing_supermarket_fraction(rho, d, k + 1), d);
                p += w * erlang_tail;
                if (queueing_supermarket_fraction(rho, d, k + 1) < 1e-17)
                        break;
        }
        return p;
}

static double supermarket_tail_arg(double t, const double *arg)
{
        return queueing_supermarket_tail(t, arg[0], (unsigned)arg[1]);
}

double queueing_supermarket_quantile(double q, double rho, unsigned d)
{
        const double arg[] = {rho, d};
        return bisect(q, supermarket_tail_arg, arg);
}
