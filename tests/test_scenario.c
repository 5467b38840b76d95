/*
 * test_scenario.c - the scenario as plain data: defaults, building,
 * device name expansion, ownership (scenario_free releases everything;
 * the sanitizer build checks for leaks), and the checks of
 * scenario_prepare().
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/run/scenario.h"
#include "support/tscen.h"

/* A scenario that prepares: one device, one class. */
static void minimal(struct scenario *s)
{
        cr_assert_eq(scenario_init(s), 0);
        struct scenario_device *d = tscen_device(s, "qat", 2, 4);
        tscen_linear(d, "aes-gcm-enc", 500, 5.0);
        const char *chain[] = {"aes-gcm-enc"};
        tscen_class(s, "ipsec", chain, 1, 1e5, (struct dist){.kind = DIST_CONSTANT, .a = 1500});
}

Test(scenario, defaults_follow_the_core)
{
        struct scenario s;
        cr_assert_eq(scenario_init(&s), 0);
        struct ac_engine_config d;
        ac_engine_config_defaults(&d);
        cr_assert_str_eq(s.engine.policy, d.policy);
        cr_assert_eq(s.engine.queue_depth, d.queue_depth);
        cr_assert_eq(s.engine.backlog, d.backlog);
        cr_assert_eq(s.engine.levels, d.priority_levels);
        cr_assert_eq(s.engine.failover.timeout_ns, d.failover.timeout_ns);
        cr_assert_eq(s.seed, 1);
        cr_assert_eq(s.run.replications, 1);
        cr_assert_gt(s.run.duration_ns, 0);
        cr_assert_not(s.prepared);
        scenario_free(&s);
        scenario_free(&s); /* freeing an empty scenario is harmless */
}

Test(scenario, count_expands_names)
{
        struct scenario s;
        minimal(&s);
        s.devices[0].count = 2;
        struct scenario_device *cpu = scenario_add_device(&s, "cpu");
        cpu->model.lanes = 1;
        cpu->model.ring = 1;
        cpu->fallback = true;
        scenario_device_add_op(cpu, "aes-gcm-enc")->rate = 1.0;
        cr_assert_eq(scenario_device_total(&s), 3);
        char name[64];
        cr_assert_eq(scenario_device_expand(&s, 0, name, sizeof(name)), &s.devices[0]);
        cr_assert_str_eq(name, "qat0");
        cr_assert_eq(scenario_device_expand(&s, 1, name, sizeof(name)), &s.devices[0]);
        cr_assert_str_eq(name, "qat1");
        cr_assert_eq(scenario_device_expand(&s, 2, name, sizeof(name)), &s.devices[1]);
        cr_assert_str_eq(name, "cpu");
        cr_assert_null(scenario_device_expand(&s, 3, name, sizeof(name)));
        tscen_prepare(&s);
        scenario_free(&s);
}

Test(scenario, owns_everything_it_holds)
{
        struct scenario s;
        minimal(&s);
        cr_assert_eq(scenario_set_text(&s.description, "two cards"), 0);
        cr_assert_eq(scenario_set_option(&s, "d", "2"), 0);
        cr_assert_eq(scenario_set_option(&s, "d", "3"), 0);
        cr_assert_eq(s.engine.noptions, 1);
        cr_assert_str_eq(s.engine.options[0].value, "3");
        const char *policies[] = {"round-robin", "least-loaded"};
        cr_assert_eq(scenario_add_sweep(&s, "engine.policy", policies, 2), 0);
        cr_assert_str_eq(s.sweep[0].values[1], "least-loaded");
        struct device_failure_config *f = scenario_device_add_failure(&s.devices[0]);
        f->mode = DEVICE_FAULT_HANG;
        f->ttf = (struct dist){.kind = DIST_EXPONENTIAL, .a = 1e9};
        f->ttr = (struct dist){.kind = DIST_EXPONENTIAL, .a = 1e6};
        struct scenario_fault *fault = scenario_add_fault(&s, "qat");
        fault->fault =
            (struct device_fault_config){.at_ns = 1000, .mode = DEVICE_FAULT_SLOW, .factor = 2};
        /* an empirical dist owns its arrays */
        struct workload_class_config *c = &s.classes[0];
        c->size = (struct dist){.kind = DIST_EMPIRICAL, .n = 2};
        c->size.values = malloc(2 * sizeof(double));
        c->size.values[0] = 64;
        c->size.values[1] = 1500;
        const char *chain[] = {"aes-gcm-enc", "aes-gcm-enc"};
        cr_assert_eq(scenario_class_set_chain(c, chain, 2), 0);
        cr_assert_eq(c->nchain, 2);
        tscen_prepare(&s);
        cr_assert(s.prepared);
        scenario_free(&s);
}

/* Expects scenario_prepare to refuse, naming `part`. */
static void refused(struct scenario *s, const char *part)
{
        char err[256] = "";
        cr_assert_eq(scenario_prepare(s, err, sizeof(err)), -1, "accepted; wanted %s", part);
        cr_assert_not_null(strstr(err, part), "'%s' does not name %s", err, part);
        scenario_free(s);
}

Test(scenario, prepare_refuses_what_cannot_run)
{
        struct scenario s;
        minimal(&s);
        scenario_set_text(&s.engine.policy, "no-such-policy");
        refused(&s, "engine.policy");

        minimal(&s);
        s.run.warmup_ns = s.run.duration_ns;
        refused(&s, "warm-up");

        minimal(&s);
        s.classes[0].priority = 3;
        refused(&s, "workload.ipsec.priority");

        minimal(&s);
        scenario_add_fault(&s, "qat7")->fault.mode = DEVICE_FAULT_HANG;
        refused(&s, "faults[0].device");

        minimal(&s);
        scenario_add_fault(&s, "qat")->fault =
            (struct device_fault_config){.mode = DEVICE_FAULT_REMOVE, .for_ns = 5};
        refused(&s, "faults[0]");

        minimal(&s);
        s.devices[0].model.lanes = 0;
        refused(&s, "devices.qat");

        minimal(&s);
        struct scenario_device *d = scenario_add_device(&s, "qat");
        d->model.lanes = d->model.ring = 1;
        scenario_device_add_op(d, "x");
        refused(&s, "two devices named 'qat'");

        minimal(&s);
        s.classes[0].arrival.rate = 0;
        refused(&s, "workload.ipsec");
}
