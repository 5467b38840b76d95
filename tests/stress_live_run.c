/*
 * tests/stress_live_run.c - acsim live's run (live/run.c) on its real
 * threads: submitters, workers, the timer thread, the fault and sampling
 * threads, and the core's observer writing the run's device events from
 * whichever thread holds the engine lock. The library's live scenario,
 * shortened, with qat1 hanging for 350 ms: every request is accounted for
 * (submitted = completed + failed + rejected, none left), every device's
 * registration is an event, the hang is caught by the watchdog after it
 * began and qat1 is back after it ended, the fault window records both,
 * and each device's ledger (live.service) counts the stages the core
 * counted. Then a hang planned after the run's end: it never began, so
 * the run records no fault window and no failure. Under ThreadSanitizer
 * (make test's TSan tree) a data race fails the program. No timing is
 * asserted beyond what the hang's length guarantees.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ac/observer.h"
#include "live/affinity.h"
#include "live/run.h"
#include "sim/load/diag.h"
#include "sim/load/scenario_load.h"
#include "tests/support/check.h"

static void load(const char *path, const char *const *sets, size_t nsets, struct scenario *s)
{
        struct diag dg;
        diag_init(&dg);
        CHECK(scenario_load(path, sets, nsets, &dg, s) == 0, "cannot load %s", path);
        diag_free(&dg);
}

static size_t device_named(const struct sim_results *r, const char *name)
{
        for (size_t i = 0; i < r->ndevices; i++)
                if (strcmp(r->devices[i].name, name) == 0)
                        return i;
        CHECK(0, "no device %s", name);
        return 0;
}

/* Runs s live once; checks that every request was accounted for and that
 * every device was registered. */
static void run_live(const struct scenario *s, bool pin, struct live_path *path,
                     struct sim_results *r)
{
        struct sim_error e;
        live_path_init(path);
        CHECK(live_run(s, 0, NULL, pin, path, r, &e) == SIM_OK, "%s", e.msg);
        const struct sim_counts *c = &r->all;
        CHECK(c->submitted > 0 && c->submitted == c->completed + c->failed + c->rejected,
              "submitted %llu, completed %llu, failed %llu, rejected %llu",
              (unsigned long long)c->submitted, (unsigned long long)c->completed,
              (unsigned long long)c->failed, (unsigned long long)c->rejected);
        CHECK(!r->drain_capped && r->unfinished == 0, "%llu requests unfinished",
              (unsigned long long)r->unfinished);
        CHECK(path->ndevices == r->ndevices, "%zu ledgers for %zu devices", path->ndevices,
              r->ndevices);
        for (size_t d = 0; d < r->ndevices; d++) {
                size_t added = 0;
                for (size_t k = 0; k < r->ndevice_events; k++)
                        added += r->device_events[k].device == d &&
                                 r->device_events[k].point == AC_DEVICE_ADDED;
                CHECK(added == 1, "%s added %zu times", r->devices[d].name, added);
                /* the ledger and the core count the same stages (a late one
                 * too), but for those a lane had reported and the core not
                 * yet taken at either reading: at most a lane's each */
                const struct live_ledger *l = &path->service[d].ledger;
                const struct sim_device_result *dr = &r->devices[d];
                long long diff =
                    (long long)l->stages - (long long)(dr->completed + dr->errors + dr->late);
                CHECK(strcmp(path->service[d].name, dr->name) == 0, "ledger %zu is %s, not %s", d,
                      path->service[d].name, dr->name);
                CHECK(llabs(diff) <= 2 * (long long)dr->lanes,
                      "%s: the ledger has %llu stages, the core %llu", dr->name,
                      (unsigned long long)l->stages, (unsigned long long)dr->completed);
                CHECK(l->woken <= l->stages && l->held_ns >= 0 && l->gap_ns >= 0,
                      "%s: the ledger is inconsistent", dr->name);
        }
}

int main(void)
{
        const char *src = getenv("ACSIM_SOURCE_DIR");
        char path[4096];
        snprintf(path, sizeof(path), "%s/scenarios/live/ipsec.yaml", src ? src : ".");

        /* the hang from 150 ms to 500 ms, a 100 ms watchdog */
        const char *hang[] = {"run.duration=600ms", "run.warmup=50ms", "faults.0.at=150ms",
                              "faults.0.for=350ms", "engine.failover.timeout=100ms"};
        struct scenario s;
        load(path, hang, 5, &s);
        struct live_path p;
        struct sim_results r;
        run_live(&s, false, &p, &r);
        CHECK(!p.pinned, "pinned unasked");
        size_t qat1 = device_named(&r, "qat1");
        CHECK(r.nfaults == 1 && r.faults[0].device == qat1, "%zu fault windows", r.nfaults);
        const struct sim_fault_result *f = &r.faults[0];
        CHECK(f->record.start_ns >= 150000000 && f->record.end_ns > f->record.start_ns &&
                  f->record.end_ns != UINT64_MAX,
              "the window ran from %llu to %llu ns", (unsigned long long)f->record.start_ns,
              (unsigned long long)f->record.end_ns);
        /* qat1 in service just before the hang began: by its last event then */
        bool in_service = false;
        size_t failed = 0;
        for (size_t k = 0; k < r.ndevice_events; k++) {
                const struct sim_device_event *ev = &r.device_events[k];
                if (ev->device == qat1 && ev->t_ns < f->record.start_ns)
                        in_service =
                            ev->point == AC_DEVICE_ADDED || ev->point == AC_DEVICE_RECOVERED;
                /* a hung device answers no probe: it cannot come back
                 * while the hang lasts */
                CHECK(!(ev->device == qat1 && ev->point == AC_DEVICE_RECOVERED &&
                        ev->t_ns > f->record.start_ns && ev->t_ns < f->record.end_ns),
                      "qat1 recovered at %llu ns, inside its hang", (unsigned long long)ev->t_ns);
                failed += ev->point == AC_DEVICE_FAILED && ev->device == qat1;
        }
        /* a 350 ms hang outlives the watchdog many times over: caught, unless
         * a loaded machine had the watchdog fail qat1 before (then the
         * window's detection is "never", as docs/results.md says) */
        if (in_service)
                CHECK(f->detected_ns > f->record.start_ns && f->detected_ns < f->record.end_ns,
                      "the hang from %llu ns was detected at %llu ns",
                      (unsigned long long)f->record.start_ns, (unsigned long long)f->detected_ns);
        else
                CHECK(f->detected_ns == UINT64_MAX, "detected at %llu ns while already failed",
                      (unsigned long long)f->detected_ns);
        CHECK(f->recovered_ns == UINT64_MAX || f->recovered_ns >= f->record.end_ns,
              "recovered at %llu ns, before the hang ended at %llu ns",
              (unsigned long long)f->recovered_ns, (unsigned long long)f->record.end_ns);
        /* the figures count from the end of the warm-up, the events from the start */
        CHECK(failed >= 1 && failed >= r.devices[qat1].failures,
              "%zu failures in the events, %llu in qat1's figures", failed,
              (unsigned long long)r.devices[qat1].failures);
        sim_results_free(&r);
        live_path_release(&p);
        scenario_free(&s);

        /* a hang planned after the run's end never begins (a watchdog of 5 s:
         * no stage is held that long, however loaded the machine) */
        const char *late[] = {"run.duration=300ms", "run.warmup=50ms", "faults.0.at=2s",
                              "faults.0.for=100ms", "engine.failover.timeout=5s"};
        load(path, late, 5, &s);
        run_live(&s, true, &p, &r); /* and its lanes pinned, on two CPUs or more */
        struct live_affinity mine;
        int cpus[LIVE_MAX_CPUS];
        CHECK(live_affinity_save(&mine) == 0, "no affinity");
        CHECK(p.pinned == (live_affinity_cpus(&mine, cpus, LIVE_MAX_CPUS) >= 2), "pinned: %d",
              p.pinned);
        CHECK(r.nfaults == 0, "a fault that never began is recorded (%zu windows)", r.nfaults);
        for (size_t k = 0; k < r.ndevice_events; k++)
                CHECK(r.device_events[k].point != AC_DEVICE_FAILED, "a device failed");
        sim_results_free(&r);
        live_path_release(&p);
        scenario_free(&s);
        return 0;
}
