/*
 * tests/support/tscen.h - building a struct scenario in C, for the suites
 * that run the simulator without a YAML file: a scenario with its seed and
 * times, devices, their operations (a linear cost or a drawn service
 * time), Poisson classes, and the prepare and run steps with their errors
 * shown. Every helper fails the test when the simulator refuses.
 */
#ifndef TESTS_SUPPORT_TSCEN_H
#define TESTS_SUPPORT_TSCEN_H

#include <stddef.h>
#include <stdint.h>

#include "sim/run/run.h"

/* scenario_init, then the seed, the run's duration and its warm-up. */
void tscen_init(struct scenario *s, uint64_t seed, uint64_t duration_ns, uint64_t warmup_ns);
/* Adds one device (count 1) of `lanes` lanes and a ring of `ring`. */
struct scenario_device *tscen_device(struct scenario *s, const char *name, uint32_t lanes,
                                     uint32_t ring);
/* Gives d the operation op at setup_ns + bytes / rate (rate in bytes per
 * ns). */
struct device_op_config *tscen_linear(struct scenario_device *d, const char *op, uint64_t setup_ns,
                                      double rate);
/* Gives d the operation op with a service time drawn from `service`. */
struct device_op_config *tscen_service(struct scenario_device *d, const char *op,
                                       struct dist service);
/* Adds a Poisson class of `rate` requests per second, each a chain of the
 * n ops, of sizes drawn from `size`. */
struct workload_class_config *tscen_class(struct scenario *s, const char *name,
                                          const char *const *chain, size_t n, double rate,
                                          struct dist size);
/* scenario_prepare, failing the test with its message. */
void tscen_prepare(struct scenario *s);
/* sim_run of replication rep, failing the test with its message. */
void tscen_run(const struct scenario *s, uint32_t rep, struct sim_results *r);
/* Every request submitted is completed, failed or rejected. */
void tscen_assert_conserved(const struct sim_counts *c);

#endif
