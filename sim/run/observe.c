/*
 * sim/run/observe.c - the core's observer (ac/observer.h) in a
 * replication: the tracepoints keep each device's queued and in-flight
 * counts, and cut its time-weighted tallies one instant behind
 * (run_observe_stage in replication.h). No device is ever looked at
 * unless the core said something happened to it, or its tallies are
 * read, so the cost does not grow with the number of devices. The device and time series figures
 * built on these tallies are in run.c and drain.c. The device points become the run's device events
 * (device_events.csv), with the platform's time.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim/run/replication.h"

/* The observer's stage hook (ac/observer.h), run_observe_stage() out of
 * line, for a checked run's observer (check.c); the fingerprint's hook
 * (fingerprint.c) has it inline. */
static void observe_stage(void *ctx, const struct ac_stage_event *ev)
{
        run_observe_stage(ctx, ev);
}

/* The observer's device hook: a registered device gets its place in
 * by_core (registration may queue stages on it before it returns), and
 * every state change goes on the run's list of device events. Runs inside
 * the core: out of memory for the list stops the loop (sim_loop_fail),
 * and the run ends with that error, as for the request pool. */
static void observe_device(void *ctx, const struct ac_device_event *ev)
{
        struct replication *run = ctx;
        struct sim_results *res = run->res;
        if (ev->point == AC_DEVICE_ADDED) {
                assert(run->attaching && ev->device < run->ndevices);
                run->by_core[ev->device] = run->attaching;
                if (run->attaching != run->devices + ev->device)
                        run->by_index = false; /* a hot-add out of order */
        }
        if (res->ndevice_events == res->capdevice_events) {
                size_t cap = res->capdevice_events ? 2 * res->capdevice_events : 16;
                struct sim_device_event *grown = realloc(res->device_events, cap * sizeof(*grown));
                if (!grown) {
                        sim_loop_fail(run->loop); /* the run reports it (run.c) */
                        return;
                }
                res->device_events = grown;
                res->capdevice_events = cap;
        }
        res->device_events[res->ndevice_events++] = (struct sim_device_event){
            .t_ns = ev->now_ns,
            .device = (uint32_t)(run->by_core[ev->device] - run->devices),
            .point = (uint16_t)ev->point,
            .cause = (uint16_t)ev->cause,
            .status = ev->status,
        };
}

const struct ac_observer_ops run_observer_ops = {
    .name = "sim-run",
    .stage = observe_stage,
    .device = observe_device,
};

void run_settle_device(struct run_device *d)
{
        run_cut_device(d);
}
