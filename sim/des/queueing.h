/*
 * sim/des/queueing.h - queueing-theory formulas the validation tests and the
 * benchmarks compare the simulator with. Times are in the units of 1/mu.
 *
 *   M/M/1      mean sojourn 1/(mu - lambda); the sojourn is exponential
 *              with rate mu - lambda, so its q-quantile is
 *              -ln(1 - q)/(mu - lambda) (Kleinrock, Queueing Systems I,
 *              1975, section 3.2).
 *   M/M/c      Erlang C, the probability that an arrival waits (Kleinrock
 *              1975, eq. 3.40); FIFO sojourn T = S + W with S ~ Exp(mu) and
 *              W = 0 with probability 1 - C, else Exp(c mu - lambda)
 *              (Gross and Harris, Fundamentals of Queueing Theory, 2.3);
 *              quantiles by bisection on P(T > t).
 *   supermarket  join the shortest of d queues drawn at random among n
 *              single-server FIFO queues, n -> infinity (Vvedenskaya,
 *              Dobrushin and Karpelevich 1996; Mitzenmacher, "The power of
 *              two choices in randomized load balancing", IEEE TPDS 12(10),
 *              2001): a fraction s_k = rho^((d^k - 1)/(d - 1)) of queues
 *              holds at least k; mean sojourn sum_{i>=1} s_i / rho; an
 *              arrival joins a queue holding k with probability
 *              s_k^d - s_{k+1}^d (queues independent in the limit, Graham
 *              2000; PASTA) and stays an Erlang(k + 1, mu) time. d = 1 is
 *              M/M/1.
 */
#ifndef SIM_DES_QUEUEING_H
#define SIM_DES_QUEUEING_H

/* Returns the mean sojourn of M/M/1, 1/(mu - lambda) (lambda < mu). */
double queueing_mm1_mean(double lambda, double mu);
/* Returns the q-quantile of the M/M/1 sojourn, -ln(1 - q)/(mu - lambda). */
double queueing_mm1_quantile(double q, double lambda, double mu);

/* Returns Erlang C: the probability that an arrival waits in M/M/c with
 * offered load a = lambda/mu (a < c). */
double queueing_erlang_c(unsigned c, double a);
/* Returns the mean sojourn of M/M/c FIFO, 1/mu + C/(c mu - lambda). */
double queueing_mmc_mean(unsigned c, double lambda, double mu);
/* Returns P(T > t) for the M/M/c FIFO sojourn T. */
double queueing_mmc_tail(double t, unsigned c, double lambda, double mu);
/* Returns the q-quantile of the M/M/c FIFO sojourn (bisection). */
double queueing_mmc_quantile(double q, unsigned c, double lambda, double mu);

/* Returns s_k, the limit's fraction of queues holding at least k. */
double queueing_supermarket_fraction(double rho, unsigned d, unsigned k);
/* Returns the limit's mean sojourn, in units of 1/mu. */
double queueing_supermarket_mean(double rho, unsigned d);
/* Returns P(T > t) in the limit, t in units of 1/mu. */
double queueing_supermarket_tail(double t, double rho, unsigned d);
/* Returns the limit's q-quantile of the sojourn, in units of 1/mu. */
double queueing_supermarket_quantile(double q, double rho, unsigned d);

#endif
