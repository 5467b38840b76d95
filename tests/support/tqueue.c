/*
 * tests/support/tqueue.c - the validation tests' queueing systems
 * (tests/support/tqueue.h).
 */
#include "tqueue.h"

#include <criterion/criterion.h>
#include <math.h>

#include "support/tscen.h"

void tq_scenario(struct scenario *s, const struct tq_spec *spec)
{
        double lambda = spec->rho * spec->devices * spec->lanes / TQ_US; /* per ns */
        tscen_init(s, spec->seed, spec->warmup_ns + (uint64_t)(spec->requests / lambda),
                   spec->warmup_ns);
        if (spec->policy)
                cr_assert_eq(scenario_set_text(&s->engine.policy, spec->policy), 0);
        if (spec->d)
                cr_assert_eq(scenario_set_option(s, "d", spec->d), 0);
        s->engine.queue_depth = 1u << 20; /* never full: no device leaves the candidates */
        s->engine.backlog = 0;
        s->engine.levels = 1; /* FIFO */
        s->engine.failover.timeout_ns = 0;
        struct scenario_device *dev = tscen_device(s, "card", spec->lanes, spec->lanes);
        dev->count = spec->devices;
        tscen_service(dev, "op", (struct dist){.kind = DIST_EXPONENTIAL, .a = TQ_US});
        const char *chain[] = {"op"};
        tscen_class(s, "poisson", chain, 1, lambda * 1e9,
                    (struct dist){.kind = DIST_CONSTANT, .a = 64});
        tscen_prepare(s);
}

void tq_run(const struct scenario *s, struct sim_results *r)
{
        tscen_run(s, 0, r);
        cr_assert_not(r->drain_capped);
        cr_assert_eq(r->requests.rejected, 0);
        cr_assert_eq(r->requests.failed, 0);
}

double tq_rel_err(double got, double want)
{
        return fabs(got - want) / want;
}
