/*
 * tests/support/tqueue.c - the validation tests' queueing systems
 * (tests/support/tqueue.h).
 */
#include "tqueue.h"

#include <criterion/criterion.h>
#include <math.h>

void tq_scenario(struct scenario *s, const struct tq_spec *spec)
{
        struct sim_error why = {""};
        double lambda = spec->rho * spec->devices * spec->lanes / TQ_US; /* per ns */
        cr_assert_eq(scenario_init(s), 0);
        s->seed = spec->seed;
        s->run.warmup_ns = spec->warmup_ns;
        s->run.duration_ns = s->run.warmup_ns + (uint64_t)(spec->requests / lambda);
        if (spec->policy)
                cr_assert_eq(scenario_set_text(&s->engine.policy, spec->policy), 0);
        if (spec->d)
                cr_assert_eq(scenario_set_option(s, "d", spec->d), 0);
        s->engine.queue_depth = 1u << 20; /* never full: no device leaves the candidates */
        s->engine.backlog = 0;
        s->engine.levels = 1; /* FIFO */
        s->engine.failover.timeout_ns = 0;
        struct scenario_device *dev = scenario_add_device(s, "card");
        dev->count = spec->devices;
        dev->model.lanes = spec->lanes;
        dev->model.ring = spec->lanes;
        struct device_op_config *op = scenario_device_add_op(dev, "op");
        op->has_service = true;
        op->service = (struct dist){.kind = DIST_EXPONENTIAL, .a = TQ_US};
        struct workload_class_config *c = scenario_add_class(s, "poisson");
        const char *chain[] = {"op"};
        cr_assert_eq(scenario_class_set_chain(c, chain, 1), 0);
        c->arrival.process = ARRIVAL_POISSON;
        c->arrival.rate = lambda * 1e9;
        c->size = (struct dist){.kind = DIST_CONSTANT, .a = 64};
        cr_assert_eq(scenario_prepare(s, &why), 0, "%s", why.msg);
}

void tq_run(const struct scenario *s, struct sim_results *r)
{
        char err[256];
        cr_assert_eq(sim_run(s, 0, r, err, sizeof(err)), 0, "%s", err);
        cr_assert_not(r->drain_capped);
        cr_assert_eq(r->requests.rejected, 0);
        cr_assert_eq(r->requests.failed, 0);
}

double tq_rel_err(double got, double want)
{
        return fabs(got - want) / want;
}
