/*
 * sim/run/build.c - building a replication and tearing it down: a fresh
 * event loop, the simulated platform, the core engine with the scenario's
 * settings and the run's observer, one device model per expanded device
 * (registered in scenario order, each with the faults that name it; a
 * hot-added one by an event at its time), and the workload with its
 * streams. Then teardown, in the reverse order.
 */
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/des/rng.h"
#include "sim/run/replication.h"

char *run_copy_text(const char *s)
{
        size_t n = strlen(s) + 1;
        char *c = malloc(n);
        if (c)
                memcpy(c, s, n);
        return c;
}

static int build_core(struct replication *run, uint64_t seed, struct sim_error *err)
{
        run->loop = sim_loop_create();
        if (!run->loop || sim_platform_init(&run->plat, run->loop, seed) < 0)
                return sim_fail(err, AC_ENOMEM, "out of memory");
        run->plat_ready = true;
        run->plat.after_ctx = run;
        const struct ac_observer_ops *observer = &run_fingerprint_ops;
        if (run->checks) {
                if (run_check_start(run) < 0 ||
                    sim_platform_buggify(&run->plat, run->checks->buggify) < 0)
                        return sim_fail(err, AC_ENOMEM, "out of memory");
                run->plat.after = run_check_after;
                observer = &run_fingerprint_checked_ops;
        }

        struct ac_engine_config cfg;
        scenario_engine_config(run->s, &cfg);
        cfg.platform = sim_platform_seam(&run->plat);
        cfg.observer = (struct ac_observer){.ops = observer, .ctx = run};
        int rc = ac_engine_create(&cfg, &run->core);
        if (rc < 0)
                return sim_fail(err, rc, "engine: %s", ac_strerror(rc));
        return 0;
}

/* Creates d's model and registers it with the core. Returns 0 or a
 * negative AC_E* code. */
static int attach_device(struct replication *run, struct run_device *d)
{
        run->attaching = d;
        int rc = sim_device_attach(&d->sd, &run->plat, run->core, &d->cfg, d->sdev->fallback,
                                   d->sdev->weight, run->seed);
        run->attaching = NULL;
        if (rc == 0)
                d->attached = true;
        return rc;
}

/* The hot-add event: the device arrives while requests flow. Registration
 * may hand it queued or backlogged stages at once; their tracepoints
 * count them as for any entry point that moves stages. */
static void attach_later(struct sim_loop *loop, struct sim_event *ev)
{
        struct run_device *d = sim_container_of(ev, struct run_device, attach_ev);
        struct replication *run = d->run;
        int rc = attach_device(run, d);
        if (rc == AC_ENOMEM) { /* the run stops here and reports it (run.c) */
                sim_loop_fail(loop);
                return;
        }
        if (rc < 0) {
                fprintf(stderr, "run: cannot attach %s: %s\n", d->name, ac_strerror(rc));
                abort();
        }
}

static int build_devices(struct replication *run, uint64_t seed, struct sim_error *err)
{
        const struct scenario *s = run->s;
        size_t n = scenario_device_total(s);
        /* aligned as struct run_device asks: a stage's words in its first line */
        run->devices =
            aligned_alloc(alignof(struct run_device), (n ? n : 1) * sizeof(*run->devices));
        if (run->devices)
                memset(run->devices, 0, (n ? n : 1) * sizeof(*run->devices));
        run->by_index = true;
        run->by_core = calloc(n ? n : 1, sizeof(*run->by_core));
        run->res->devices = calloc(n, sizeof(*run->res->devices));
        if (!run->devices || !run->by_core || !run->res->devices)
                return sim_fail(err, AC_ENOMEM, "out of memory");
        run->ndevices = n;
        run->res->ndevices = n;
        for (size_t i = 0; i < n; i++) {
                struct run_device *d = &run->devices[i];
                char name[256];
                const struct scenario_device *sd = scenario_device_expand(s, i, name, sizeof(name));
                d->name = run_copy_text(name);
                run->res->devices[i].name = run_copy_text(name);
                if (!d->name || !run->res->devices[i].name)
                        return sim_fail(err, AC_ENOMEM, "out of memory");
                d->cfg = sd->model;
                d->cfg.name = d->name;
                d->lanes = d->cfg.lanes;
                d->cfg.nfaults = 0;
                d->cfg.faults = NULL;
                for (size_t f = 0; f < s->nfaults; f++)
                        if (strcmp(s->faults[f].device, name) == 0)
                                d->cfg.nfaults++;
                if (d->cfg.nfaults) {
                        d->cfg.faults = calloc(d->cfg.nfaults, sizeof(*d->cfg.faults));
                        if (!d->cfg.faults)
                                return sim_fail(err, AC_ENOMEM, "out of memory");
                        size_t j = 0;
                        for (size_t f = 0; f < s->nfaults; f++)
                                if (strcmp(s->faults[f].device, name) == 0)
                                        d->cfg.faults[j++] = s->faults[f].fault;
                }
                d->sdev = sd;
                d->run = run;
                run->res->devices[i].attach_ns = sd->attach_ns;
                d->queue = d->in_flight = (struct tally_sums){0}; /* counts 0, from 0 */
                if (sd->attach_ns > 0) {
                        /* hot-add: the device does not exist before its time */
                        sim_event_init(&d->attach_ev, attach_later);
                        sim_schedule(run->loop, &d->attach_ev, sd->attach_ns);
                        continue;
                }
                int rc = attach_device(run, d);
                if (rc < 0)
                        return sim_fail(err, rc, "device %s: %s", name, ac_strerror(rc));
        }
        return 0;
}

static gsl_rng *class_stream(struct replication *run, uint64_t seed, const char *cls,
                             const char *what)
{
        char name[512];
        snprintf(name, sizeof(name), "workload/%s/%s", cls, what);
        gsl_rng *r = sim_rng_stream(seed, name);
        if (r)
                run->rngs[run->nrngs++] = r;
        return r;
}

static int build_workload(struct replication *run, uint64_t seed, struct sim_error *err)
{
        const struct scenario *s = run->s;
        size_t n = s->nclasses;
        run->classes = calloc(n, sizeof(*run->classes));
        run->res->classes = calloc(n, sizeof(*run->res->classes));
        run->rngs = calloc(3 * n, sizeof(*run->rngs));
        struct workload_rngs *rngs = calloc(n, sizeof(*rngs));
        if (!run->classes || !run->res->classes || !run->rngs || !rngs) {
                free(rngs);
                return sim_fail(err, AC_ENOMEM, "out of memory");
        }
        run->nclasses = n;
        run->res->nclasses = n;
        uint32_t longest = 1;
        for (size_t i = 0; i < n; i++) {
                const struct workload_class_config *c = &s->classes[i];
                struct run_class *k = &run->classes[i];
                struct sim_class_result *cr = &run->res->classes[i];
                k->cfg = c;
                k->flow_base = (uint64_t)i << 40;
                tally_init(&k->in_system);
                hist_init(&cr->hist);
                cr->name = run_copy_text(c->name);
                k->ops = calloc(c->nchain, sizeof(*k->ops));
                if (!cr->name || !k->ops) {
                        free(rngs);
                        return sim_fail(err, AC_ENOMEM, "out of memory");
                }
                for (size_t j = 0; j < c->nchain; j++) {
                        int id = ac_op_intern(run->core, c->chain[j]);
                        if (id < 0) {
                                free(rngs);
                                return sim_fail(err, id, "workload.%s.chain: %s", c->name,
                                                ac_strerror(id));
                        }
                        k->ops[j] = (uint32_t)id;
                }
                if (c->nchain > longest)
                        longest = (uint32_t)c->nchain;
                rngs[i].arrival = class_stream(run, seed, c->name, "arrivals");
                rngs[i].size = class_stream(run, seed, c->name, "sizes");
                rngs[i].flow = class_stream(run, seed, c->name, "flows");
                if (!rngs[i].arrival || !rngs[i].size || !rngs[i].flow) {
                        free(rngs);
                        return sim_fail(err, AC_ENOMEM, "out of memory");
                }
        }
        run->nstages = longest;
        run->chain_room = longest * sizeof(struct ac_stage);
        size_t stride = run->chain_room + sizeof(struct run_request);
        if (s->run.trace) {
                /* the core hands a request to devices at most nstages + retries times */
                run->handoffs = longest + s->engine.failover.retries;
                stride += run->handoffs * sizeof(struct run_handoff);
        }
        run->stride = (stride + 63) / 64 * 64; /* whole cache lines (request.c) */
        run->max_held = s->run.memory / run->stride;

        int rc = workload_create(run->loop, s->classes, n, rngs, &run_workload_ops, run, &run->wl);
        free(rngs);
        if (rc < 0)
                /* the classes are prepared: only memory can be missing */
                return sim_fail(err, AC_ENOMEM, "workload: out of memory");
        return 0;
}

int run_build(struct replication *run, struct sim_error *err)
{
        int rc = build_core(run, run->seed, err);
        if (rc == 0)
                rc = build_devices(run, run->seed, err);
        if (rc == 0)
                rc = build_workload(run, run->seed, err);
        /* no checks (nor, with them, the check state and the after hook),
         * no trace, one class */
        run->plain = !run->checks && run->handoffs == 0 && run->nclasses == 1;
        return rc;
}

/* ---- teardown ------------------------------------------------------------ */

void run_teardown(struct replication *run)
{
        workload_destroy(run->wl);
        ac_engine_destroy(run->core);
        run->core = NULL;
        run_check_stop(run);
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                if (sim_pending(&d->attach_ev)) /* its time never came */
                        sim_cancel(run->loop, &d->attach_ev);
                if (d->attached)
                        sim_device_detach(&d->sd);
                free(d->cfg.faults);
                free(d->name);
        }
        free(run->devices);
        free(run->by_core);
        free(run->row_hist);
        for (size_t i = 0; i < run->nclasses; i++)
                free(run->classes[i].ops);
        free(run->classes);
        for (size_t i = 0; i < run->nrngs; i++)
                gsl_rng_free(run->rngs[i]);
        free(run->rngs);
        for (size_t i = 0; i < run->nchunks; i++)
                free(run->chunks[i]);
        free(run->chunks);
        if (run->plat_ready)
                sim_platform_fini(&run->plat);
        sim_loop_destroy(run->loop);
}
