/*
 * shortest_expected_delay.c - "shortest-expected-delay": the stage goes to
 * the candidate expected to finish it first, judged from what the device
 * already holds and how fast the core has seen it work.
 *
 * A device holding k - 1 stages (queued plus in flight) and taking this
 * one has k to get through. The core measures a stage's time from dispatch
 * to completion; on a device kept busy that time includes the wait inside
 * the device behind the other stages of its ring, so the device clears
 * `ring` stages per measured stage time. The ring is therefore taken as
 * the device's parallelism (its lanes are not in the view):
 *
 *     delay = work / ring
 *     work  = (queued_bytes + in_flight_bytes + bytes) * ns_per_byte
 *
 * Stages of 0 bytes have no per-byte figure: then work = k * service_ns.
 * On a device with free ring slots this underestimates the wait (the new
 * stage starts at once and takes a whole stage time), but it still grows
 * with the load, so equal devices share the work and a device twice as
 * fast takes about twice as much.
 *
 * Devices without an estimate yet (nothing completed) borrow the best
 * figure among the candidates that have one: an optimistic prior, so every
 * new device is tried, learns its own figure from its first completions,
 * and a slow device is then left alone. While no candidate has a figure at
 * all (the first stages of a run), delay = k / weight, which is
 * least-loaded scaled by declared capacity. Ties go to the earliest
 * registered device.
 *
 * The figures are moving averages (weight 1/8) kept by the core; this
 * balancer keeps no state. Cost per pick: two passes over the candidates.
 */
#include "ac/balancer.h"

enum sed_form {
        SED_BY_BYTES,  /* some candidate knows its ns_per_byte, and the stage has bytes */
        SED_BY_STAGES, /* some candidate knows its service_ns */
        SED_BY_WEIGHT, /* nothing known yet */
};

static int sed_init(void *priv, const struct ac_balancer_env *env)
{
        (void)priv;
        (void)env;
        return 0;
}

static size_t sed_pick(void *priv, const struct ac_pick *p)
{
        (void)priv;
        double best_per_byte = 0, best_service = 0; /* 0: nobody knows */
        for (size_t i = 0; i < p->ncandidates; i++) {
                const struct ac_device_view *v = p->candidates[i];
                if (v->ns_per_byte > 0 && (best_per_byte == 0 || v->ns_per_byte < best_per_byte))
                        best_per_byte = v->ns_per_byte;
                if (v->service_ns > 0 && (best_service == 0 || v->service_ns < best_service))
                        best_service = v->service_ns;
        }
        enum sed_form form = best_per_byte > 0 && p->bytes > 0 ? SED_BY_BYTES
                             : best_service > 0                ? SED_BY_STAGES
                                                               : SED_BY_WEIGHT;
        size_t best = 0;
        double best_delay = 0;
        for (size_t i = 0; i < p->ncandidates; i++) {
                const struct ac_device_view *v = p->candidates[i];
                double k = (double)v->queued + (double)v->in_flight + 1.0;
                double ring = v->ring ? (double)v->ring : 1.0;
                double delay;
                switch (form) {
                case SED_BY_BYTES:
                        delay = (double)(v->queued_bytes + v->in_flight_bytes + p->bytes) *
                                (v->ns_per_byte > 0 ? v->ns_per_byte : best_per_byte) / ring;
                        break;
                case SED_BY_STAGES:
                        delay = k * (v->service_ns > 0 ? v->service_ns : best_service) / ring;
                        break;
                default:
                        delay = k / (double)(v->weight ? v->weight : 1);
                        break;
                }
                if (i == 0 || delay < best_delay) {
                        best = i;
                        best_delay = delay;
                }
        }
        return best;
}

const struct ac_balancer_ops ac_balancer_shortest_expected_delay = {
    .name = "shortest-expected-delay",
    .description = "earliest expected completion from queued bytes and the observed service rate",
    .options = NULL,
    .priv_size = 0,
    .init = sed_init,
    .pick = sed_pick,
};
