/*
 * test_scenario_load.c - the scenario schema: every key read into a struct
 * scenario with its default and unit, --set overrides, sweep points, the
 * corpus of broken scenarios (tests/data/bad/, each with its exact located
 * message), every scenario of scenarios/ loading and preparing, and a
 * mutation fuzz loop over the whole loader.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/load/diag.h"
#include "sim/load/scenario_load.h"
#include "sim/run/run.h"
#include "ac/balancer.h"
#include "sim/run/series.h"

/* The registered balancers joined by ", ", as an error message lists them. */
static const char *balancer_list(void)
{
        static char list[1024];
        size_t len = 0;
        list[0] = '\0';
        for (size_t i = 0; ac_balancers[i] && len < sizeof(list); i++)
                len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
                                        ac_balancers[i]->name);
        return list;
}

/* want with {BALANCERS} replaced by balancer_list(), in buf. */
static const char *expand(const char *want, char *buf, size_t cap)
{
        const char *token = strstr(want, "{BALANCERS}");
        if (token == NULL)
                return want;
        snprintf(buf, cap, "%.*s%s%s", (int)(token - want), want, balancer_list(),
                 token + strlen("{BALANCERS}"));
        return buf;
}

static struct diag dg;

static void setup(void)
{
        diag_init(&dg);
}

static void teardown(void)
{
        diag_free(&dg);
}

TestSuite(scenario_load, .init = setup, .fini = teardown);

static const char *source_dir(void)
{
        const char *top = getenv("ACSIM_SOURCE_DIR");
        if (!top)
                cr_skip_test("ACSIM_SOURCE_DIR not set");
        return top;
}

/* Writes text to a new file in a fresh directory; returns its path. */
static const char *write_scenario(const char *text)
{
        static char dir[64], path[128];
        strcpy(dir, "/tmp/acsim-scen-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/s.yaml", dir);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
        return path;
}

static void remove_scenario(const char *path)
{
        unlink(path);
        char dir[128];
        snprintf(dir, sizeof(dir), "%s", path);
        *strrchr(dir, '/') = '\0';
        rmdir(dir);
}

/* The first error as printed, without the file name. */
static const char *first_error(const char *path)
{
        static char line[2048];
        cr_assert(diag_failed(&dg), "no error reported");
        diag_format(&dg.entries[0], line, sizeof(line));
        size_t plen = strlen(path);
        if (strncmp(line, path, plen) == 0 && line[plen] == ':')
                return line + plen + 1;
        return line;
}

static void print_errors(void)
{
        diag_print(&dg, stderr);
}

/* Loads text; returns 0 or -1 and keeps the errors in dg. */
static int load_text(const char *text, const char *const *sets, size_t nsets, struct scenario *s)
{
        const char *path = write_scenario(text);
        int rc = scenario_load(path, sets, nsets, &dg, s);
        remove_scenario(path);
        return rc;
}

static const char minimal[] = "devices:\n"
                              "  - name: qat\n"
                              "    ops:\n"
                              "      aes-gcm-enc: {setup: 1us, rate: 5GB/s}\n"
                              "workload:\n"
                              "  - name: ipsec\n"
                              "    arrival: {process: poisson, rate: 100k/s}\n"
                              "    size: 1500B\n"
                              "    chain: [aes-gcm-enc]\n";

Test(scenario_load, defaults)
{
        struct scenario s;
        const char *path = write_scenario(minimal);
        int rc = scenario_load(path, NULL, 0, &dg, &s);
        if (rc)
                print_errors();
        cr_assert_eq(rc, 0);
        remove_scenario(path);
        struct ac_engine_config d;
        ac_engine_config_defaults(&d);
        cr_assert_str_eq(s.name, "s"); /* the file's name */
        cr_assert_null(s.description);
        cr_assert_eq(s.seed, 1);
        cr_assert_eq(s.run.duration_ns, 1000000000);
        cr_assert_eq(s.run.warmup_ns, 0);
        cr_assert_eq(s.run.replications, 1);
        cr_assert_eq(s.run.sample_ns, 0);
        cr_assert_str_eq(s.engine.policy, d.policy);
        cr_assert_eq(s.engine.noptions, 0);
        cr_assert_eq(s.engine.queue_depth, d.queue_depth);
        cr_assert_eq(s.engine.backlog, d.backlog);
        cr_assert_eq(s.engine.levels, d.priority_levels);
        cr_assert_eq(s.engine.aging_ns, d.aging_ns);
        cr_assert_eq(s.engine.failover.timeout_ns, d.failover.timeout_ns);
        cr_assert_eq(s.engine.failover.retries, d.failover.retries);
        cr_assert_eq(s.engine.failover.errors_to_fail, d.failover.errors_to_fail);
        cr_assert_eq(s.engine.failover.probe_ns, d.failover.probe_ns);
        cr_assert_eq(s.engine.affinity, d.affinity);
        cr_assert_eq(s.engine.flow_order, d.flow_order);
        cr_assert_eq(s.ndevices, 1);
        const struct scenario_device *dev = &s.devices[0];
        cr_assert_str_eq(dev->model.name, "qat");
        cr_assert_eq(dev->count, 1);
        cr_assert_eq(dev->model.lanes, 1);
        cr_assert_eq(dev->model.ring, 1);
        cr_assert_not(dev->fallback);
        cr_assert_eq(dev->weight, 1);
        cr_assert_eq(dev->model.nops, 1);
        cr_assert_str_eq(dev->model.ops[0].name, "aes-gcm-enc");
        cr_assert_not(dev->model.ops[0].has_service);
        cr_assert_not(dev->model.ops[0].has_jitter);
        cr_assert_float_eq(dev->model.ops[0].setup_ns, 1000.0, 1e-9);
        cr_assert_float_eq(dev->model.ops[0].rate, 5.0, 1e-12); /* bytes per ns */
        cr_assert_eq(s.nclasses, 1);
        const struct workload_class_config *c = &s.classes[0];
        cr_assert_str_eq(c->name, "ipsec");
        cr_assert_eq(c->arrival.process, ARRIVAL_POISSON);
        cr_assert_float_eq(c->arrival.rate, 100e3, 1e-6);
        cr_assert_eq(c->size.kind, DIST_CONSTANT);
        cr_assert_float_eq(c->size.a, 1500.0, 1e-9);
        cr_assert_eq(c->nchain, 1);
        cr_assert_str_eq(c->chain[0], "aes-gcm-enc");
        cr_assert_eq(c->priority, 0);
        cr_assert_eq(c->flows, 1);
        cr_assert_eq(c->flow_pick, FLOW_UNIFORM);
        cr_assert_eq(s.nfaults, 0);
        cr_assert_eq(s.nsweep, 0);
        cr_assert(s.prepared);
        cr_assert_eq(scenario_sweep_points(&s), 1);
        scenario_free(&s);
}

static const char full[] =
    "name: gw\n"
    "description: every key\n"
    "seed: 42\n"
    "run: {duration: 2s, warmup: 200ms, replications: 5, sample: 20ms, drain: 50ms}\n"
    "engine:\n"
    "  policy: round-robin\n"
    "  policy_options: {}\n"
    "  queue: {depth: 128, backlog: 0}\n"
    "  priority: {levels: 4, aging: 1ms}\n"
    "  failover: {timeout: 500us, retries: 5, errors_to_fail: 2, probe: 10ms, drain: 3ms}\n"
    "  affinity: true\n"
    "  flow_order: true\n"
    "devices:\n"
    "  - name: qat\n"
    "    count: 2\n"
    "    lanes: 8\n"
    "    ring: 64\n"
    "    weight: 3\n"
    "    ops:\n"
    "      aes-gcm-enc: {setup: 1us, rate: 40Gbit/s, jitter: {dist: lognormal, mean: 1, cv: "
    "0.2}}\n"
    "      hmac-sha256: {service: {dist: exponential, mean: 2us}}\n"
    "    failures:\n"
    "      - {mode: hang, mtbf: 20s, mttr: 1s}\n"
    "      - {mode: flaky, probability: 0.001}\n"
    "      - {mode: slow, factor: 4, mtbf: {dist: gamma, mean: 5s, cv: 0.5}, mttr: 200ms}\n"
    "  - name: cpu\n"
    "    fallback: true\n"
    "    ops:\n"
    "      aes-gcm-enc: {service: 3us}\n"
    "workload:\n"
    "  - name: ipsec\n"
    "    arrival: {process: poisson, rate: 400k/s}\n"
    "    size: {dist: imix}\n"
    "    chain: [aes-gcm-enc, hmac-sha256]\n"
    "    priority: 3\n"
    "    flows: 64\n"
    "    flow_pick: round-robin\n"
    "  - name: burst\n"
    "    arrival: {process: on-off, rate_on: 1M/s, on: 1ms, off: 9ms}\n"
    "    size: {dist: empirical, values: [64, 1KiB, 4KiB], weights: [3, 2, 1]}\n"
    "    chain: [aes-gcm-enc]\n"
    "  - name: disk\n"
    "    arrival: {process: closed, clients: 16, think: {dist: uniform, min: 1us, max: 3us}}\n"
    "    size: 4KiB\n"
    "    chain: [hmac-sha256]\n"
    "  - name: tick\n"
    "    arrival: {process: constant, rate: 1k/s}\n"
    "    size: {dist: pareto, mean: 2KiB, alpha: 1.5}\n"
    "    chain: [aes-gcm-enc]\n"
    "faults:\n"
    "  - {at: 1s, device: qat1, mode: hang, for: 500ms}\n"
    "  - {at: 1500ms, device: qat0, mode: fail-stop}\n"
    "  - {at: 100ms, device: cpu, mode: slow, factor: 2, for: 1ms}\n"
    "  - {at: 100ms, device: cpu, mode: flaky, probability: 0.5, for: 1ms}\n"
    "  - {at: 1900ms, device: qat1, mode: remove}\n"
    "sweep:\n"
    "  engine.policy: [round-robin, least-loaded]\n"
    "  workload.ipsec.arrival.rate: [100k/s, 200k/s, 400k/s]\n";

Test(scenario_load, every_key)
{
        struct scenario s;
        int rc = load_text(full, NULL, 0, &s);
        if (rc)
                print_errors();
        cr_assert_eq(rc, 0);
        cr_assert_str_eq(s.name, "gw");
        cr_assert_str_eq(s.description, "every key");
        cr_assert_eq(s.seed, 42);
        cr_assert_eq(s.run.duration_ns, 2000000000);
        cr_assert_eq(s.run.warmup_ns, 200000000);
        cr_assert_eq(s.run.replications, 5);
        cr_assert_eq(s.run.sample_ns, 20000000);
        cr_assert_eq(s.run.drain_cap_ns, 50000000);
        cr_assert_str_eq(s.engine.policy, "round-robin");
        cr_assert_eq(s.engine.queue_depth, 128);
        cr_assert_eq(s.engine.backlog, 0);
        cr_assert_eq(s.engine.levels, 4);
        cr_assert_eq(s.engine.aging_ns, 1000000);
        cr_assert_eq(s.engine.failover.timeout_ns, 500000);
        cr_assert_eq(s.engine.failover.retries, 5);
        cr_assert_eq(s.engine.failover.errors_to_fail, 2);
        cr_assert_eq(s.engine.failover.probe_ns, 10000000);
        cr_assert_eq(s.engine.failover.drain_ns, 3000000);
        cr_assert(s.engine.affinity);
        cr_assert(s.engine.flow_order);
        cr_assert_eq(s.ndevices, 2);
        const struct scenario_device *q = &s.devices[0];
        cr_assert_eq(q->count, 2);
        cr_assert_eq(q->model.lanes, 8);
        cr_assert_eq(q->model.ring, 64);
        cr_assert_eq(q->weight, 3);
        cr_assert_float_eq(q->model.ops[0].rate, 5.0, 1e-12); /* 40 Gbit/s = 5 B/ns */
        cr_assert(q->model.ops[0].has_jitter);
        cr_assert_eq(q->model.ops[0].jitter.kind, DIST_LOGNORMAL);
        cr_assert_float_eq(q->model.ops[0].jitter.b, 0.2, 1e-12);
        cr_assert(q->model.ops[1].has_service);
        cr_assert_eq(q->model.ops[1].service.kind, DIST_EXPONENTIAL);
        cr_assert_float_eq(q->model.ops[1].service.a, 2000.0, 1e-9);
        cr_assert_eq(q->model.nfailures, 3);
        cr_assert_eq(q->model.failures[0].mode, DEVICE_FAULT_HANG);
        cr_assert_eq(q->model.failures[0].ttf.kind, DIST_EXPONENTIAL); /* mtbf: a mean */
        cr_assert_float_eq(q->model.failures[0].ttf.a, 20e9, 1);
        cr_assert_float_eq(q->model.failures[0].ttr.a, 1e9, 1);
        cr_assert_eq(q->model.failures[1].mode, DEVICE_FAULT_FLAKY);
        cr_assert_float_eq(q->model.failures[1].probability, 0.001, 1e-15);
        cr_assert_eq(q->model.failures[2].mode, DEVICE_FAULT_SLOW);
        cr_assert_float_eq(q->model.failures[2].factor, 4.0, 1e-12);
        cr_assert_eq(q->model.failures[2].ttf.kind, DIST_GAMMA);
        const struct scenario_device *cpu = &s.devices[1];
        cr_assert(cpu->fallback);
        cr_assert_eq(cpu->model.ops[0].service.kind, DIST_CONSTANT); /* a scalar */
        cr_assert_float_eq(cpu->model.ops[0].service.a, 3000.0, 1e-9);
        cr_assert_eq(s.nclasses, 4);
        const struct workload_class_config *c = s.classes;
        cr_assert_eq(c[0].size.kind, DIST_IMIX);
        cr_assert_eq(c[0].nchain, 2);
        cr_assert_str_eq(c[0].chain[1], "hmac-sha256");
        cr_assert_eq(c[0].priority, 3);
        cr_assert_eq(c[0].flows, 64);
        cr_assert_eq(c[0].flow_pick, FLOW_ROUND_ROBIN);
        cr_assert_eq(c[1].arrival.process, ARRIVAL_ONOFF);
        cr_assert_float_eq(c[1].arrival.rate_on, 1e6, 1e-6);
        cr_assert_float_eq(c[1].arrival.rate_off, 0.0, 0);
        cr_assert_float_eq(c[1].arrival.mean_on_ns, 1e6, 1e-6);
        cr_assert_float_eq(c[1].arrival.mean_off_ns, 9e6, 1e-6);
        cr_assert_eq(c[1].size.kind, DIST_EMPIRICAL);
        cr_assert_eq(c[1].size.n, 3);
        cr_assert_float_eq(c[1].size.values[1], 1024.0, 0);
        cr_assert_float_eq(c[1].size.weights[2], 1.0, 0);
        cr_assert_eq(c[2].arrival.process, ARRIVAL_CLOSED);
        cr_assert_eq(c[2].arrival.clients, 16);
        cr_assert_eq(c[2].arrival.think.kind, DIST_UNIFORM);
        cr_assert_float_eq(c[2].arrival.think.b, 3000.0, 0);
        cr_assert_eq(c[3].arrival.process, ARRIVAL_CONSTANT);
        cr_assert_eq(c[3].size.kind, DIST_PARETO);
        cr_assert_eq(s.nfaults, 5);
        cr_assert_str_eq(s.faults[0].device, "qat1");
        cr_assert_eq(s.faults[0].fault.mode, DEVICE_FAULT_HANG);
        cr_assert_eq(s.faults[0].fault.at_ns, 1000000000);
        cr_assert_eq(s.faults[0].fault.for_ns, 500000000);
        cr_assert_eq(s.faults[1].fault.mode, DEVICE_FAULT_FAIL_STOP);
        cr_assert_eq(s.faults[1].fault.for_ns, 0);
        cr_assert_float_eq(s.faults[2].fault.factor, 2.0, 0);
        cr_assert_float_eq(s.faults[3].fault.probability, 0.5, 0);
        cr_assert_eq(s.faults[4].fault.mode, DEVICE_FAULT_REMOVE);
        cr_assert_eq(s.nsweep, 2);
        cr_assert_str_eq(s.sweep[1].key, "workload.ipsec.arrival.rate");
        cr_assert_eq(s.sweep[1].nvalues, 3);
        cr_assert_str_eq(s.sweep[1].values[2], "400k/s");
        cr_assert_eq(scenario_sweep_points(&s), 6);
        scenario_free(&s);
}

Test(scenario_load, sets_override_and_add_keys)
{
        static const char *const sets[] = {
            "run.duration=100ms",        "run.replications=3",
            "engine.policy=round-robin", "workload.ipsec.arrival.rate=2k/s",
            "devices.qat.count=3",       "devices.0.ops.aes-gcm-enc.rate=1GB/s",
            "engine.priority.levels=2",
        };
        struct scenario s;
        int rc = load_text(minimal, sets, sizeof(sets) / sizeof(sets[0]), &s);
        if (rc)
                print_errors();
        cr_assert_eq(rc, 0);
        cr_assert_eq(s.run.duration_ns, 100000000);
        cr_assert_eq(s.run.replications, 3);
        cr_assert_str_eq(s.engine.policy, "round-robin");
        cr_assert_float_eq(s.classes[0].arrival.rate, 2000.0, 1e-9);
        cr_assert_eq(s.devices[0].count, 3);
        cr_assert_float_eq(s.devices[0].model.ops[0].rate, 1.0, 1e-12);
        cr_assert_eq(s.engine.levels, 2);
        scenario_free(&s);
}

Test(scenario_load, set_errors_name_the_set)
{
        static const struct {
                const char *set;
                const char *want;
        } cases[] = {
            {"engine.polcy=x",
             "--set engine.polcy=x: error: engine.polcy: unknown key 'polcy'; did you mean "
             "'policy'?"},
            {"run.duration=2", "--set run.duration=2: error: run.duration: expected a duration "
                               "with a unit (ns, us, ms, s), got 2"},
            {"engine.policy=fastest",
             "--set engine.policy=fastest: error: engine.policy: expected one of {BALANCERS}, "
             "got fastest"},
            {"workload.ipsc.size=1", "--set workload.ipsc.size=1: error: workload.ipsc.size: no "
                                     "item named 'ipsc' in workload"},
            {"workload.ipsec.priority=5",
             "--set workload.ipsec.priority=5: error: workload[0].priority: expected a priority "
             "below engine.priority.levels (3), 0 the most urgent, got 5"},
            {"devices.qat.lanes=0", "--set devices.qat.lanes=0: error: devices[0].lanes: "
                                    "expected a whole number in [1, 65536], got 0"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                diag_free(&dg);
                struct scenario s;
                const char *set = cases[i].set;
                cr_assert_eq(load_text(minimal, &set, 1, &s), -1, "%s accepted", set);
                cr_assert_null(s.name, "%s: scenario not freed", set);
                char want[1024];
                cr_assert_str_eq(first_error(""), expand(cases[i].want, want, sizeof(want)));
                cr_assert_eq(diag_exit_status(&dg), 2);
        }
}

/* The arrival estimate: 1e10 arrivals pass, a little more is refused at the
 * rate; a closed loop with no think time whose clients all fit in the
 * backlog is counted at what its devices serve, not at clients / service
 * alone; one whose requests may be refused needs a think time. */
Test(scenario_load, arrival_estimate_bound)
{
        static const struct {
                const char *sets[4];
                int rc;
                const char *want;
        } cases[] = {
            {{"run.duration=10s", "workload.ipsec.arrival.rate=1G/s"}, 0, NULL},
            {{"run.duration=10s", "workload.ipsec.arrival.rate=1.001G/s"}, -1, "at most 1e10"},
            {{"run.duration=1s", "run.replications=11", "workload.ipsec.arrival.rate=1G/s"},
             -1,
             "at most 1e10"},
            /* 2^20 clients over a 1.3 us service would be 8e11 a second;
             * one lane serves 7.7e5. */
            {{"run.duration=1000s", "engine.queue.backlog=1048576",
              "workload.ipsec.arrival={process: closed, clients: 1048576}"},
             0,
             NULL},
            {{"run.duration=1000s", "engine.queue.backlog=1048576",
              "workload.ipsec.arrival={process: closed, clients: 1048576}",
              "devices.qat.lanes=65536"},
             -1,
             "at most 1e10"},
            /* one client more than the backlog holds may be refused */
            {{"engine.queue.backlog=1023",
              "workload.ipsec.arrival={process: closed, clients: 1024}"},
             -1,
             "a think time above 0"},
            {{"workload.ipsec.arrival={process: closed, clients: 1024}",
              "devices.qat.failures=[{mode: flaky, probability: 0.5}]"},
             -1,
             "a think time above 0"},
            /* a 10 ms stage outlasts the 5 ms watchdog, which fails the
             * device; with the watchdog off it cannot */
            {{"devices.qat.ops.aes-gcm-enc={service: 10ms}",
              "workload.ipsec.arrival={process: closed, clients: 8}"},
             -1,
             "a think time above 0"},
            {{"devices.qat.ops.aes-gcm-enc={service: 10ms}",
              "workload.ipsec.arrival={process: closed, clients: 8}",
              "engine.failover.timeout=0ns"},
             0,
             NULL},
            /* on-off phases of 1 ns: 2e11 changes over 100 s, at `on` */
            {{"run.duration=100s",
              "workload.ipsec.arrival={process: on-off, rate_on: 1k/s, on: 1ns, off: 1ns}"},
             -1,
             "error: workload[0].arrival.on: expected at most 1e10"},
            /* refused requests cycle at the think time alone */
            {{"run.duration=10s", "engine.queue.backlog=0",
              "workload.ipsec.arrival={process: closed, clients: 1001, think: 1us}"},
             -1,
             "at most 1e10"},
            {{"run.duration=10s", "engine.queue.backlog=0",
              "workload.ipsec.arrival={process: closed, clients: 1000, think: 1us}"},
             0,
             NULL},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                diag_free(&dg);
                struct scenario s;
                size_t n = 0;
                while (n < 4 && cases[i].sets[n])
                        n++;
                int rc = load_text(minimal, cases[i].sets, n, &s);
                cr_assert_eq(rc, cases[i].rc, "case %zu: rc %d", i, rc);
                if (rc == 0) {
                        scenario_free(&s);
                        continue;
                }
                cr_assert(strstr(first_error(""), cases[i].want), "case %zu: %s", i,
                          first_error(""));
        }
}

/* The memory bound counts the time series' rows as the run keeps them:
 * rounded up, the last row shorter (sim/run/series.h). 82.5 intervals are
 * 83 rows, 2.02 GiB here; counted as 82 they were 2.00 GiB (just under) and passed. */
Test(scenario_load, results_memory_counts_the_rows_the_run_keeps)
{
        const char *sets[] = {"run.replications=1000", "devices.qat.count=1023", "run.sample=1ms",
                              "run.duration=82ms"};
        struct scenario s;
        cr_assert_eq(load_text(minimal, sets, 4, &s), 0);
        scenario_free(&s);
        sets[3] = "run.duration=82500us";
        cr_assert_eq(load_text(minimal, sets, 4, &s), -1);
        cr_assert(
            strstr(first_error(""), "1000 x (83 x 1023 devices + 1 classes) is about 2.02 GiB"),
            "%s", first_error(""));

        diag_free(&dg);
        const char *small[] = {"run.duration=2500us", "run.sample=1ms"};
        cr_assert_eq(load_text(minimal, small, 2, &s), 0);
        uint64_t interval;
        cr_assert_eq(sim_series_rows(s.run.duration_ns, s.run.sample_ns, &interval), 3);
        cr_assert_eq(interval, 1000000);
        struct sim_results r;
        struct sim_error err;
        cr_assert_eq(sim_run(&s, 0, &r, &err), 0, "%s", err.msg);
        cr_assert_eq(r.series.nrows, 3);
        cr_assert_eq(r.series.rows[2].t_ns, 2500000, "the last row ends at the duration");
        sim_results_free(&r);
        scenario_free(&s);
}

/* The configured bounds are bounds, not allocations: 10^8 requests of
 * queue room (once refused as 21 GiB at load) load, and what a run may
 * hold is run.memory's, checked as it runs (tests/test_run_memory.c). */
Test(scenario_load, queue_bounds_are_not_refused_as_memory)
{
        const char *sets[] = {"engine.queue={depth: 1000000, backlog: 16777216}",
                              "devices.qat.count=100",
                              "workload.ipsec.chain=[aes-gcm-enc, aes-gcm-enc, aes-gcm-enc, "
                              "aes-gcm-enc, aes-gcm-enc, aes-gcm-enc, aes-gcm-enc, aes-gcm-enc]",
                              "run.trace=true"};
        struct scenario s;
        int rc = load_text(minimal, sets, 4, &s);
        if (rc)
                print_errors();
        cr_assert_eq(rc, 0);
        cr_assert_eq(s.engine.queue_depth, 1000000);
        cr_assert_eq(s.engine.backlog, 16777216);
        cr_assert_eq(s.run.memory, SCENARIO_MEMORY, "4 GiB by default");
        scenario_free(&s);

        const char *mem[] = {"run.memory=64KiB"};
        cr_assert_eq(load_text(minimal, mem, 1, &s), 0);
        cr_assert_eq(s.run.memory, 65536);
        scenario_free(&s);
        mem[0] = "run.memory=1TiB";
        cr_assert_eq(load_text(minimal, mem, 1, &s), 0);
        cr_assert_eq(s.run.memory, (uint64_t)1 << 40);
        scenario_free(&s);
        mem[0] = "run.memory=1025GiB";
        cr_assert_eq(load_text(minimal, mem, 1, &s), -1);
        cr_assert(strstr(first_error(""), "run.memory: expected a size from 1KiB to 1TiB"), "%s",
                  first_error(""));
}

/* 4096 devices, the most there may be: unique names load; one clash
 * among them is reported at the name of the later entry, naming the
 * entry that made the name first. */
Test(scenario_load, a_duplicate_among_4096_devices_is_located)
{
        static char text[4096];
        const char *tail = "workload:\n"
                           "  - name: ipsec\n"
                           "    arrival: {process: poisson, rate: 100k/s}\n"
                           "    size: 1500B\n"
                           "    chain: [enc]\n";
        for (int clash = 0; clash < 2; clash++) {
                size_t n = (size_t)snprintf(text, sizeof(text), "run: {duration: 1ms}\ndevices:\n");
                const char *names[] = {"a", "b", "c", "d"};
                for (int i = 0; i < 4; i++)
                        n += (size_t)snprintf(text + n, sizeof(text) - n,
                                              "  - name: %s\n    count: %d\n    ops: {enc: "
                                              "{service: 1us}}\n",
                                              names[i], i < 3 ? 1024 : 1023);
                n += (size_t)snprintf(text + n, sizeof(text) - n,
                                      "  - name: %s\n    ops: {enc: {service: 1us}}\n%s",
                                      clash ? "c700" : "e", tail);
                cr_assert_lt(n, sizeof(text));
                struct scenario s;
                diag_free(&dg);
                int rc = load_text(text, NULL, 0, &s);
                if (!clash) {
                        if (rc)
                                print_errors();
                        cr_assert_eq(rc, 0);
                        cr_assert_eq(scenario_device_total(&s), 4096);
                        scenario_free(&s);
                        continue;
                }
                cr_assert_eq(rc, -1);
                cr_assert_eq(dg.total, 1, "one error, not one per pair");
                const char *want = "s.yaml:15:11: error: devices[4].name: expected a device "
                                   "name of its own (devices[2] with count 1024 makes c0 .. "
                                   "c1023), got c700";
                cr_assert(strstr(first_error(""), want), "%s", first_error(""));
        }
}

Test(scenario_load, sweep_values_bound)
{
        for (int n = 1000; n <= 1001; n++) {
                diag_free(&dg);
                size_t cap = sizeof(minimal) + 64 + 12 * (size_t)n;
                char *text = malloc(cap);
                cr_assert_not_null(text);
                size_t len =
                    (size_t)snprintf(text, cap, "%ssweep:\n  workload.ipsec.size: [", minimal);
                for (int i = 0; i < n; i++)
                        len +=
                            (size_t)snprintf(text + len, cap - len, "%s%dB", i ? "," : "", i + 1);
                snprintf(text + len, cap - len, "]\n");
                struct scenario s;
                int rc = load_text(text, NULL, 0, &s);
                free(text);
                if (n == 1000) {
                        cr_assert_eq(rc, 0);
                        cr_assert_eq(scenario_sweep_points(&s), 1000);
                        scenario_free(&s);
                        continue;
                }
                cr_assert_eq(rc, -1);
                cr_assert_str_eq(strchr(first_error(""), ':') + 1,
                                 "11:24: error: sweep.workload.ipsec.size: expected at most 1000 "
                                 "values in all the sweep lists (each is loaded alone to check "
                                 "it: the list brings them to 1001), got a sequence");
        }
}

Test(scenario_load, sweep_points)
{
        const char *path = write_scenario(full);
        struct scenario s;
        cr_assert_eq(scenario_load(path, NULL, 0, &dg, &s), 0);
        cr_assert_eq(scenario_sweep_points(&s), 6);
        char label[256];
        scenario_sweep_label(&s, 0, label, sizeof(label));
        cr_assert_str_eq(label, "engine.policy=round-robin workload.ipsec.arrival.rate=100k/s");
        scenario_sweep_label(&s, 4, label, sizeof(label));
        cr_assert_str_eq(label, "engine.policy=least-loaded workload.ipsec.arrival.rate=200k/s");
        cr_assert_str_eq(scenario_sweep_value(&s, 5, 1), "400k/s");
        cr_assert_null(scenario_sweep_value(&s, 6, 0));
        cr_assert_null(scenario_sweep_value(&s, 0, 2));
        static const char *const policies[] = {"round-robin", "least-loaded"};
        static const double rates[] = {100e3, 200e3, 400e3};
        for (size_t k = 0; k < 6; k++) {
                struct scenario p;
                cr_assert_eq(scenario_load_point(path, NULL, 0, k, &dg, &p), 0, "point %zu", k);
                cr_assert_str_eq(p.engine.policy, policies[k / 3]);
                cr_assert_float_eq(p.classes[0].arrival.rate, rates[k % 3], 1e-6);
                cr_assert_eq(p.nsweep, 2);
                scenario_free(&p);
        }
        /* A --set comes first; the point's values win over it. */
        const char *set = "engine.policy=round-robin";
        struct scenario p;
        cr_assert_eq(scenario_load_point(path, &set, 1, 5, &dg, &p), 0);
        cr_assert_str_eq(p.engine.policy, "least-loaded");
        scenario_free(&p);
        /* --set can change the sweep itself. */
        set = "sweep.engine.policy=[least-loaded]";
        cr_assert_eq(scenario_load(path, &set, 1, &dg, &p), 0);
        cr_assert_eq(scenario_sweep_points(&p), 3);
        scenario_free(&p);
        cr_assert_not(diag_failed(&dg));
        cr_assert_eq(scenario_load_point(path, NULL, 0, 6, &dg, &p), -1);
        cr_assert_str_eq(first_error(path), " error: sweep: expected a sweep point below 6, got 6");
        remove_scenario(path);
        scenario_free(&s);
}

Test(scenario_load, sweep_of_mappings_and_list_items)
{
        char text[4096];
        snprintf(text, sizeof(text),
                 "%sfaults:\n  - {at: 10ms, device: qat, mode: hang, for: 1ms}\n"
                 "sweep:\n"
                 "  faults.0: [{at: 10ms, device: qat, mode: fail-stop}, {at: 20ms, device: qat, "
                 "mode: flaky, probability: 0.5, for: 2ms}]\n"
                 "  devices.qat.ops.aes-gcm-enc: [{service: 1us}]\n",
                 minimal);
        const char *path = write_scenario(text);
        struct scenario s;
        int rc = scenario_load(path, NULL, 0, &dg, &s);
        if (rc)
                print_errors();
        cr_assert_eq(rc, 0);
        char label[512];
        scenario_sweep_label(&s, 1, label, sizeof(label));
        cr_assert_str_eq(label, "faults.0={at: 20ms, device: qat, mode: flaky, probability: 0.5, "
                                "for: 2ms} devices.qat.ops.aes-gcm-enc={service: 1us}");
        scenario_free(&s);
        cr_assert_eq(scenario_load_point(path, NULL, 0, 1, &dg, &s), 0);
        cr_assert_eq(s.faults[0].fault.mode, DEVICE_FAULT_FLAKY);
        cr_assert_eq(s.faults[0].fault.for_ns, 2000000);
        cr_assert(s.devices[0].model.ops[0].has_service);
        scenario_free(&s);
        remove_scenario(path);
}

Test(scenario_load, missing_file)
{
        struct scenario s;
        cr_assert_eq(scenario_load("/nonexistent/x.yaml", NULL, 0, &dg, &s), -1);
        cr_assert_str_eq(first_error(""),
                         "/nonexistent/x.yaml: error: cannot open: No such file or directory");
        cr_assert_null(s.name);
}

/* Reads the message a corpus file expects: its first line "# expect: MSG",
 * or the first line of NAME.expect beside it. */
static int expected_message(const char *dir, const char *name, char *out, size_t cap)
{
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "cannot open %s", path);
        char line[1024] = "";
        bool got = fgets(line, sizeof(line), f) && strncmp(line, "# expect: ", 10) == 0;
        fclose(f);
        if (!got) {
                snprintf(path, sizeof(path), "%s/%.*s.expect", dir,
                         (int)(strlen(name) - strlen(".yaml")), name);
                f = fopen(path, "rb");
                if (!f)
                        return -1;
                got = fgets(line, sizeof(line), f) != NULL;
                fclose(f);
                if (!got)
                        return -1;
                memmove(line + 10, line, strlen(line) + 1);
        }
        line[strcspn(line, "\n")] = '\0';
        /* {BALANCERS}: the registered balancers, as the loader lists them, so
         * that adding one (docs/policies.md) changes no expectation */
        char *token = strstr(line + 10, "{BALANCERS}");
        if (token) {
                *token = '\0';
                snprintf(out, cap, "%s%s%s", line + 10, balancer_list(),
                         token + strlen("{BALANCERS}"));
                return 0;
        }
        snprintf(out, cap, "%s", line + 10);
        return 0;
}

/* Every file of tests/data/bad/ is refused with exactly the located
 * message it expects (the file name left out), and nothing is kept. */
Test(scenario_load, bad_corpus)
{
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/tests/data/bad", source_dir());
        DIR *dp = opendir(dir);
        cr_assert_not_null(dp, "cannot open %s", dir);
        bool dump = getenv("ACSIM_CORPUS_DUMP") != NULL;
        int files = 0, wrong = 0;
        for (struct dirent *de; (de = readdir(dp));) {
                size_t len = strlen(de->d_name);
                if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
                        continue;
                char path[2048], want[1024];
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                cr_assert_eq(expected_message(dir, de->d_name, want, sizeof(want)), 0,
                             "%s: no expected message", de->d_name);
                diag_free(&dg);
                struct scenario s;
                int rc = scenario_load(path, NULL, 0, &dg, &s);
                cr_assert_eq(rc, -1, "%s was accepted", de->d_name);
                cr_assert_null(s.name, "%s: scenario kept", de->d_name);
                cr_assert_eq(diag_exit_status(&dg), 2);
                const char *got = first_error(path);
                if (*got == ' ')
                        got++;
                if (dump)
                        fprintf(stderr, "%s\t%s\n", de->d_name, got);
                if (strcmp(got, want) != 0) {
                        wrong++;
                        cr_log_error("%s:\n  want %s\n  got  %s", de->d_name, want, got);
                }
                files++;
        }
        closedir(dp);
        cr_assert_eq(wrong, 0, "%d of %d corpus files gave another message", wrong, files);
        cr_assert_geq(files, 25);
}

/* Every scenario of scenarios/ loads, checks every sweep value and
 * prepares; so do all of its sweep points at a short duration. */
Test(scenario_load, every_scenario_validates)
{
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/scenarios", source_dir());
        DIR *dp = opendir(dir);
        cr_assert_not_null(dp, "cannot open %s", dir);
        int files = 0;
        bool has_default = false;
        for (struct dirent *de; (de = readdir(dp));) {
                size_t len = strlen(de->d_name);
                if (len < 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
                        continue;
                char path[2048];
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                diag_free(&dg);
                struct scenario s;
                if (scenario_load(path, NULL, 0, &dg, &s) != 0) {
                        print_errors();
                        cr_assert_fail("%s does not load", de->d_name);
                }
                cr_assert(s.prepared);
                /* no description required: docs/scenarios.md makes it optional,
                 * and a scenario of one's own dropped here must not fail */
                size_t points = scenario_sweep_points(&s);
                for (size_t k = 0; k < points; k++) {
                        struct scenario p;
                        if (scenario_load_point(path, NULL, 0, k, &dg, &p) != 0) {
                                print_errors();
                                cr_assert_fail("%s: point %zu does not load", de->d_name, k);
                        }
                        scenario_free(&p);
                }
                has_default = has_default || strcmp(de->d_name, "default.yaml") == 0;
                scenario_free(&s);
                files++;
        }
        closedir(dp);
        cr_assert(has_default);
        cr_assert_geq(files, 9);
}

/* Loading anything ends in a scenario or a located error. */
Test(scenario_load, mutation_fuzz)
{
        const unsigned seed = 20240602;
        const size_t rounds = 400;
        fprintf(stderr, "scenario_load::mutation_fuzz: seed %u, %zu rounds\n", seed, rounds);
        srand(seed);
        static const char pieces[] = ":-[]{},#\n 0123456789.kMGusmB/";
        size_t len = strlen(full);
        char *buf = malloc(len + 64);
        for (size_t r = 0; r < rounds; r++) {
                memcpy(buf, full, len);
                size_t n = len;
                int edits = 1 + rand() % 3;
                for (int e = 0; e < edits; e++) {
                        size_t at = (size_t)rand() % n;
                        switch (rand() % 3) {
                        case 0:
                                buf[at] = pieces[rand() % (int)(sizeof(pieces) - 1)];
                                break;
                        case 1:
                                memmove(buf + at, buf + at + 1, n - at - 1);
                                n--;
                                break;
                        default:
                                if (n < len + 60) {
                                        memmove(buf + at + 1, buf + at, n - at);
                                        buf[at] = pieces[rand() % (int)(sizeof(pieces) - 1)];
                                        n++;
                                }
                        }
                }
                buf[n] = '\0';
                diag_free(&dg);
                struct scenario s;
                if (load_text(buf, NULL, 0, &s) == 0) {
                        cr_assert(s.prepared);
                        scenario_free(&s);
                } else {
                        cr_assert(diag_failed(&dg), "round %zu: failed without an error", r);
                        cr_assert_null(s.name);
                }
        }
        free(buf);
}
