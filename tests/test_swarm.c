/*
 * test_swarm.c - sim/swarm/ and the checked run under it: plans are a
 * function of their seed and always load; across seeds the swarm switches
 * every feature on somewhere; a checked run gives the same figures as an
 * unchecked one, and its fault points do fire; the shrinker reduces a
 * plan to the smallest one a known predicate still fails, and keeps only
 * candidates that fail with the same signature.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ac/balancer.h"
#include "sim/load/diag.h"
#include "sim/load/scenario_load.h"
#include "sim/run/run.h"
#include "sim/swarm/swarm.h"

TestSuite(swarm);

static int load_plan(const struct swarm_plan *p, struct scenario *sc)
{
        char *text = swarm_plan_render(p, "test");
        cr_assert_not_null(text);
        struct diag dg;
        diag_init(&dg);
        int rc = scenario_load_text("plan.yaml", text, strlen(text), NULL, 0, &dg, sc);
        if (rc < 0) {
                diag_print(&dg, stderr);
                fputs(text, stderr);
        }
        diag_free(&dg);
        free(text);
        return rc;
}

Test(swarm, a_plan_is_a_function_of_its_seed)
{
        struct swarm_plan a, b, c;
        swarm_plan_generate(42, &a);
        swarm_plan_generate(42, &b);
        swarm_plan_generate(43, &c);
        char *ta = swarm_plan_render(&a, NULL), *tb = swarm_plan_render(&b, NULL),
             *tc = swarm_plan_render(&c, NULL);
        cr_assert_str_eq(ta, tb);
        cr_assert_str_neq(ta, tc);
        free(ta);
        free(tb);
        free(tc);
}

/* Every plan loads, and across 400 seeds every feature is on somewhere. */
Test(swarm, plans_load_and_cover_every_feature)
{
        size_t policies = 0;
        while (ac_balancers[policies])
                policies++;
        bool policy[16] = {0}, mode[SWARM_REMOVE + 1] = {0}, failure[SWARM_REMOVE + 1] = {0};
        size_t long_chain = 0, fallback = 0, hot = 0, flow = 0, bug = 0, aging = 0, tiny = 0,
               huge = 0, closed = 0, levels = 0, affinity = 0;
        for (uint64_t seed = 1; seed <= 400; seed++) {
                struct swarm_plan p;
                struct scenario sc;
                swarm_plan_generate(seed, &p);
                cr_assert_eq(load_plan(&p, &sc), 0, "seed %lu", (unsigned long)seed);
                scenario_free(&sc);
                policy[p.policy] = true;
                for (size_t i = 0; i < p.nfaults; i++)
                        mode[p.faults[i].mode] = true;
                for (size_t i = 0; i < p.ndevices; i++) {
                        failure[p.devices[i].failure] = true;
                        fallback += p.devices[i].fallback;
                        hot += p.devices[i].attach_us > 0;
                        tiny += p.devices[i].ring <= 2;
                        huge += p.devices[i].ring >= 256;
                }
                for (size_t i = 0; i < p.nclasses; i++) {
                        long_chain += p.classes[i].nchain == SWARM_STAGES;
                        closed += p.classes[i].arrival == SWARM_CLOSED;
                }
                flow += p.flow_order;
                bug += p.buggify != 0;
                aging += p.aging_us > 0;
                levels += p.levels > 1;
                affinity += p.affinity;
        }
        for (size_t i = 0; i < policies; i++)
                cr_assert(policy[i], "balancer %s never drawn", ac_balancers[i]->name);
        for (int m = SWARM_FAIL_STOP; m <= SWARM_REMOVE; m++)
                cr_assert(mode[m], "fault mode %d never drawn", m);
        for (int m = SWARM_FAIL_STOP; m <= SWARM_FLAKY; m++)
                cr_assert(failure[m], "failure mode %d never drawn", m);
        cr_assert(long_chain && fallback && hot && flow && bug && aging && tiny && huge && closed &&
                  levels && affinity);
}

static void never(void *ctx, const char *what)
{
        (void)ctx;
        cr_assert_fail("broken: %s", what);
}

/* Checking adds no draw: the figures are those of a plain run. */
Test(swarm, a_checked_run_measures_what_a_plain_run_does)
{
        for (uint64_t seed = 1; seed <= 40; seed++) {
                struct swarm_plan p;
                struct scenario sc;
                swarm_plan_generate(seed, &p);
                cr_assert_eq(load_plan(&p, &sc), 0);
                struct sim_results plain, checked;
                struct sim_error err;
                struct sim_run_checks checks = {.core = true, .flow_order = true, .broken = never};
                cr_assert_eq(sim_run(&sc, 0, &plain, &err), 0, "%s", err.msg);
                cr_assert_eq(sim_run_checked(&sc, 0, &checks, &checked, &err), 0, "%s", err.msg);
                cr_assert_eq(plain.order_hash, checked.order_hash, "seed %lu", (unsigned long)seed);
                cr_assert_eq(plain.events, checked.events);
                cr_assert_eq(plain.all.completed, checked.all.completed);
                sim_results_free(&plain);
                sim_results_free(&checked);
                scenario_free(&sc);
        }
}

/* The fault points fire (the core counts their stale and duplicate
 * completions as late) and the core takes them: every check holds. */
Test(swarm, the_fault_points_fire_and_the_core_copes)
{
        uint64_t late = 0, late_without = 0;
        for (uint64_t seed = 1; seed <= 40; seed++) {
                struct swarm_plan p;
                struct scenario sc;
                swarm_plan_generate(seed, &p);
                p.nfaults = 0;
                for (size_t i = 0; i < p.ndevices; i++)
                        p.devices[i].failure = SWARM_NONE;
                cr_assert_eq(load_plan(&p, &sc), 0);
                struct sim_results plain, bugged;
                struct sim_error err;
                struct sim_run_checks checks = {
                    .core = true, .flow_order = true, .buggify = seed, .broken = never};
                cr_assert_eq(sim_run(&sc, 0, &plain, &err), 0, "%s", err.msg);
                cr_assert_eq(sim_run_checked(&sc, 0, &checks, &bugged, &err), 0, "%s", err.msg);
                late_without += plain.late;
                late += bugged.late;
                if (!bugged.drain_capped)
                        cr_assert_eq(bugged.all.submitted, bugged.all.completed +
                                                               bugged.all.failed +
                                                               bugged.all.rejected);
                sim_results_free(&plain);
                sim_results_free(&bugged);
                scenario_free(&sc);
        }
        cr_assert_eq(late_without, 0, "no fault, no late completion without the fault points");
        cr_assert_gt(late, 100, "the fault points made %lu late completions", (unsigned long)late);
}

/* ---- shrinking, against a predicate whose minimum is known ----------- */

/* Fails ("planted") when some class has a chain of at least 3 stages with
 * sha256 (op 3) in it, some device has a hang failure process and there
 * is a fault; without the fault it fails as "other". */
static int planted(void *ctx, const struct swarm_plan *p, struct swarm_verdict *v)
{
        size_t *calls = ctx;
        ++*calls;
        *v = (struct swarm_verdict){0};
        bool chain = false, hang = false;
        for (size_t i = 0; i < p->nclasses; i++) {
                bool sha = false;
                for (uint32_t j = 0; j < p->classes[i].nchain; j++)
                        sha |= p->classes[i].chain[j] == 3;
                chain |= sha && p->classes[i].nchain >= 3;
        }
        for (size_t i = 0; i < p->ndevices; i++)
                hang |= p->devices[i].failure == SWARM_HANG;
        if (chain && hang) {
                v->failed = true;
                /* without faults it fails too, but otherwise: not kept */
                strcpy(v->signature, p->nfaults ? "planted" : "other");
        }
        return 0;
}

static struct swarm_plan big_failing_plan(void)
{
        struct swarm_plan p;
        swarm_plan_generate(7, &p);
        p.ndevices = SWARM_DEVICES;
        p.nclasses = SWARM_CLASSES;
        p.nfaults = SWARM_FAULTS;
        p.buggify = 99;
        p.affinity = p.flow_order = true;
        p.levels = 4;
        p.duration_us = 1000;
        for (size_t i = 0; i < SWARM_DEVICES; i++)
                p.devices[i] = (struct swarm_device){.count = 2,
                                                     .lanes = 3,
                                                     .ring = 4,
                                                     .weight = 1,
                                                     .ops = 15,
                                                     .cost = SWARM_COST_JITTER,
                                                     .setup_ns = 500,
                                                     .rate_mb = 1000,
                                                     .failure = SWARM_SLOW,
                                                     .mtbf_us = 100,
                                                     .mttr_us = 10};
        p.devices[4].failure = SWARM_HANG;
        for (size_t i = 0; i < SWARM_CLASSES; i++)
                p.classes[i] = (struct swarm_class){.arrival = SWARM_ON_OFF,
                                                    .rate_k = 100,
                                                    .size = SWARM_SIZE_PARETO,
                                                    .bytes = 100,
                                                    .nchain = SWARM_STAGES,
                                                    .flows = 8,
                                                    .priority = 1,
                                                    .chain = {0, 1, 2, 3, 0, 1, 2, 3}};
        for (size_t i = 0; i < SWARM_FAULTS; i++)
                p.faults[i] =
                    (struct swarm_fault){.device = (uint32_t)i, .mode = SWARM_HANG, .at_us = 10};
        return p;
}

Test(swarm, shrinks_to_the_smallest_plan_that_fails_the_same_way)
{
        struct swarm_plan p = big_failing_plan();
        size_t calls = 0, steps;
        struct swarm_verdict v;
        planted(&calls, &p, &v);
        cr_assert_str_eq(v.signature, "planted");
        size_t kept = swarm_shrink_with(&p, &v, planted, &calls, &steps);
        cr_assert_gt(kept, 0);
        cr_assert_eq(steps + 1, calls);
        planted(&calls, &p, &v);
        cr_assert_str_eq(v.signature, "planted", "the shrunk plan still fails the same way");
        /* the hang device alone, and its fault: without the fault the
         * plan fails differently, so that one reduction was not kept */
        cr_assert_eq(p.ndevices, 1);
        cr_assert_eq(p.devices[0].failure, SWARM_HANG);
        cr_assert_eq(p.nfaults, 1);
        cr_assert_eq(p.faults[0].device, 0);
        cr_assert_eq(p.nclasses, 1);
        cr_assert_eq(p.classes[0].nchain, 3, "exactly the 3 stages the predicate needs");
        cr_assert_eq(p.buggify, 0);
        cr_assert_lt(p.duration_us, 20);
        cr_assert(!p.affinity && !p.flow_order && p.levels == 1 && p.policy == 0);
        cr_assert_eq(p.classes[0].arrival, SWARM_POISSON);
        cr_assert_eq(p.classes[0].size, SWARM_SIZE_CONSTANT);
        cr_assert(p.queue_depth == 256 && p.backlog == 1024);
        cr_assert_lt(p.classes[0].rate_k, 100);
        for (size_t i = 0; i < p.ndevices; i++) {
                cr_assert_eq(p.devices[i].count, 1);
                cr_assert_eq(p.devices[i].lanes, 1);
                cr_assert_eq(p.devices[i].ring, 1);
        }
        /* and the shrunk plan still renders to a scenario that loads */
        struct scenario sc;
        cr_assert_eq(load_plan(&p, &sc), 0);
        scenario_free(&sc);
}

/* A real trial in a child process: a plan that holds, and a scenario the
 * loader refuses, each with its verdict. */
Test(swarm, a_trial_gives_a_verdict)
{
        struct swarm_plan p;
        struct swarm_verdict v;
        swarm_plan_generate(3, &p);
        cr_assert_eq(swarm_trial(&p, 60, &v), 0);
        cr_assert(!v.failed, "%s: %s", v.signature, v.detail);
        cr_assert_eq(swarm_trial_text("bad.yaml", "devices: 3\n", 0, 60, &v), 0);
        cr_assert(v.failed);
        cr_assert_str_eq(v.signature, "load");
        cr_assert(strstr(v.detail, "bad.yaml:") != NULL, "%s", v.detail);
}
