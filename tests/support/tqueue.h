/*
 * tests/support/tqueue.h - the queueing systems the validation tests hold
 * against theory: `devices` identical devices of `lanes` lanes, service
 * exponential with mean 1 us, one Poisson class of 64-byte requests at
 * utilisation `rho`, one FIFO level, a queue that never rejects, no
 * watchdog. The device ring equals the lanes, so a device is exactly an
 * M/M/c queue (the core's FIFO in front, `lanes` in service).
 */
#ifndef TESTS_SUPPORT_TQUEUE_H
#define TESTS_SUPPORT_TQUEUE_H

#include <stdint.h>

#include "sim/run/run.h"

#define TQ_US 1000.0 /* ns */

struct tq_spec {
        const char *policy; /* balancer, or NULL for the default */
        const char *d;      /* its option d, or NULL */
        uint32_t devices;   /* >= 1, named card0.. (or card when one) */
        uint32_t lanes;     /* per device, also its ring */
        double rho;         /* utilisation of every lane */
        double requests;    /* arrivals after the warm-up */
        uint64_t warmup_ns;
        uint64_t seed;
};

/* Fills and prepares s (asserting on failure). */
void tq_scenario(struct scenario *s, const struct tq_spec *spec);
/* Runs replication 0 and asserts that nothing was capped, rejected or
 * failed. */
void tq_run(const struct scenario *s, struct sim_results *r);
/* |got - want| / want. */
double tq_rel_err(double got, double want);

#endif
