/*
 * sim/run/detect.c - what the core made of each injected fault window:
 * the instant it declared the device failed, and the instant the device
 * was back in service after it (docs/results.md, "faults.csv"). Read from
 * the run's device events (observe.c) after the drain, window by window:
 *
 *   bound      a window's events end where the next window on the same
 *              device starts (a later fault is that window's business)
 *   detected   the first FAILED of the device at or after the start and
 *              before the bound; none when the device was already failed
 *              when the window began (an earlier fault holds it)
 *   recovered  after detection: the first RECOVERED that follows the
 *              last FAILED at or before the window's end (a flaky device
 *              may fail and recover several times while the fault lasts),
 *              before the bound; none when the device never came back
 *              (removed, or still failed when the run ended)
 *
 * Events are taken in the order the core reported them, so a FAILED and
 * a RECOVERED at the same instant keep their order.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ac/observer.h"
#include "sim/run/replication.h"

/* Returns the start of the first window on device after `start` (the
 * bound of the window at `self`), or UINT64_MAX. */
static uint64_t bound_of(const struct sim_results *res, size_t self)
{
        const struct sim_fault_result *f = &res->faults[self];
        uint64_t bound = UINT64_MAX;
        for (size_t i = 0; i < res->nfaults; i++) {
                const struct sim_fault_result *g = &res->faults[i];
                if (i == self || g->device != f->device)
                        continue;
                if (g->record.start_ns > f->record.start_ns && g->record.start_ns < bound)
                        bound = g->record.start_ns;
        }
        return bound;
}

/* Returns whether the device is failed just before `t`, by its events. */
static bool failed_before(const struct sim_results *res, size_t device, uint64_t t)
{
        bool failed = false;
        for (size_t i = 0; i < res->ndevice_events && res->device_events[i].t_ns < t; i++) {
                const struct sim_device_event *e = &res->device_events[i];
                if (e->device != device)
                        continue;
                if (e->point == AC_DEVICE_FAILED)
                        failed = true;
                else if (e->point == AC_DEVICE_RECOVERED)
                        failed = false;
        }
        return failed;
}

static void detect_one(struct sim_results *res, struct sim_fault_result *f, uint64_t bound)
{
        f->detected_ns = f->recovered_ns = UINT64_MAX;
        uint64_t start = f->record.start_ns, end = f->record.end_ns;
        if (failed_before(res, f->device, start))
                return;
        bool spell = false; /* a FAILED within the window has been seen */
        for (size_t i = 0; i < res->ndevice_events; i++) {
                const struct sim_device_event *e = &res->device_events[i];
                if (e->device != f->device || e->t_ns < start)
                        continue;
                if (e->t_ns >= bound)
                        break;
                if (e->point == AC_DEVICE_FAILED) {
                        if (f->detected_ns == UINT64_MAX)
                                f->detected_ns = e->t_ns;
                        if (e->t_ns <= end) { /* the spell starts over */
                                spell = true;
                                f->recovered_ns = UINT64_MAX;
                        }
                } else if (e->point == AC_DEVICE_RECOVERED && spell &&
                           f->recovered_ns == UINT64_MAX) {
                        f->recovered_ns = e->t_ns;
                }
        }
}

void run_detect_faults(struct sim_results *res)
{
        for (size_t i = 0; i < res->nfaults; i++)
                detect_one(res, &res->faults[i], bound_of(res, i));
}
