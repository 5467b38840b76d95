/*
 * tests/support/tscen.c - scenarios built in C (see tscen.h).
 */
#include "support/tscen.h"

#include <criterion/criterion.h>

void tscen_init(struct scenario *s, uint64_t seed, uint64_t duration_ns, uint64_t warmup_ns)
{
        cr_assert_eq(scenario_init(s), 0);
        s->seed = seed;
        s->run.duration_ns = duration_ns;
        s->run.warmup_ns = warmup_ns;
}

struct scenario_device *tscen_device(struct scenario *s, const char *name, uint32_t lanes,
                                     uint32_t ring)
{
        struct scenario_device *d = scenario_add_device(s, name);
        cr_assert_not_null(d, "%s", name);
        d->model.lanes = lanes;
        d->model.ring = ring;
        return d;
}

static struct device_op_config *add_op(struct scenario_device *d, const char *op)
{
        struct device_op_config *o = scenario_device_add_op(d, op);
        cr_assert_not_null(o, "%s", op);
        return o;
}

struct device_op_config *tscen_linear(struct scenario_device *d, const char *op, uint64_t setup_ns,
                                      double rate)
{
        struct device_op_config *o = add_op(d, op);
        o->setup_ns = setup_ns;
        o->rate = rate;
        return o;
}

struct device_op_config *tscen_service(struct scenario_device *d, const char *op,
                                       struct dist service)
{
        struct device_op_config *o = add_op(d, op);
        o->has_service = true;
        o->service = service;
        return o;
}

struct workload_class_config *tscen_class(struct scenario *s, const char *name,
                                          const char *const *chain, size_t n, double rate,
                                          struct dist size)
{
        struct workload_class_config *c = scenario_add_class(s, name);
        cr_assert_not_null(c, "%s", name);
        cr_assert_eq(scenario_class_set_chain(c, chain, n), 0, "%s", name);
        c->arrival.process = ARRIVAL_POISSON;
        c->arrival.rate = rate;
        c->size = size;
        return c;
}

void tscen_prepare(struct scenario *s)
{
        struct sim_error why = {""};
        cr_assert_eq(scenario_prepare(s, &why), 0, "%s", why.msg);
}

void tscen_run(const struct scenario *s, uint32_t rep, struct sim_results *r)
{
        struct sim_error err;
        cr_assert_eq(sim_run(s, rep, r, &err), 0, "%s", err.msg);
}

void tscen_assert_conserved(const struct sim_counts *c)
{
        cr_assert_eq(c->submitted, c->completed + c->failed + c->rejected,
                     "submitted %llu != completed %llu + failed %llu + rejected %llu",
                     (unsigned long long)c->submitted, (unsigned long long)c->completed,
                     (unsigned long long)c->failed, (unsigned long long)c->rejected);
}
