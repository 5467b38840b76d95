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
 * balancer keeps no state.
 *
 * Cost per pick: no pass over the candidates. The core's index
 * (AC_BALANCER_KEYS) keeps, under every node, the least of the keys
 * below, each a piece of the delay that does not depend on the stage:
 *
 *     a = Q ns_per_byte / ring, c = ns_per_byte / ring     (figure known)
 *     u = Q / ring,             w = 1 / ring               (not yet)
 *
 * with Q = queued_bytes + in_flight_bytes, and the like for the other two
 * forms. For a stage of b bytes every device below a node then has
 * delay >= min(a + b c, best (u + b w)), and ac_pick_least visits only
 * the subtrees whose bound does not exceed the best delay found. The
 * least a and the least c may come from different devices, which makes
 * the bound loose: under SED the best device is often an idle one, and a
 * busy device with a smaller c would hold every subtree's bound below it.
 * So a and c are kept apart by the stages a device holds, h = queued +
 * in flight, in classes 0, 1, 2-3, 4-7 and 8 or more (an idle device's
 * a is 0: only its c). Within a class the devices hold about the same
 * bytes when stages are about one size, so the least a and the least c
 * mostly come from the same device and the class's bound is nearly its
 * best delay; the node's bound is the least over the classes. The
 * figures best_per_byte and best_service are the least keys at the root.
 * The delay of a visited device is computed by the same code as the scan
 * that runs when the core hands over the array, so both pick alike, ties
 * included (tests/test_core_placement.c).
 */
#include <math.h>

#include "ac/balancer.h"

enum sed_form {
        SED_BY_BYTES,  /* some candidate knows its ns_per_byte, and the stage has bytes */
        SED_BY_STAGES, /* some candidate knows its service_ns */
        SED_BY_WEIGHT, /* nothing known yet */
};

/* The classes of a and c by the stages held (see the top): 0, 1, 2-3,
 * 4-7, 8 or more. */
#define SED_CLASSES 5

/* The index's keys (ac_balancer_ops.keys), INFINITY where they do not
 * apply to the device. */
enum {
        KEY_PER_BYTE,     /* its ns_per_byte, when known: the least is best_per_byte */
        KEY_SERVICE,      /* its service_ns, when known: the least is best_service */
        KEY_BYTES_U,      /* Q / ring, figure not known (times best_per_byte) */
        KEY_BYTES_W,      /* 1 / ring, figure not known (times best_per_byte) */
        KEY_STAGES_KNOWN, /* k service_ns / ring, figure known */
        KEY_STAGES_U,     /* k / ring, figure not known (times best_service) */
        KEY_WEIGHT,       /* k / weight */
        KEY_BYTES_C,      /* ns_per_byte / ring, figure known, by class: SED_CLASSES keys */
        KEY_BYTES_A = KEY_BYTES_C + SED_CLASSES, /* Q ns_per_byte / ring, by class but the
                                                    idle one (a = 0): SED_CLASSES - 1 keys */
        KEY_COUNT = KEY_BYTES_A + SED_CLASSES - 1,
};

_Static_assert(KEY_COUNT <= AC_PICK_KEYS, "the keys fit the index");

/* What one pick computes a delay from. */
struct sed_pick {
        enum sed_form form;
        uint64_t bytes;
        double best_per_byte, best_service;
};

static int sed_init(void *priv, const struct ac_balancer_env *env)
{
        (void)priv;
        (void)env;
        return 0;
}

static double ring_of(const struct ac_device_view *v)
{
        return v->ring ? (double)v->ring : 1.0;
}

/* The expected delay of the stage on v: the one formula, for the scan and
 * for the index alike. */
static double sed_delay(const struct ac_device_view *v, const void *ctx)
{
        const struct sed_pick *sp = ctx;
        double k = (double)v->queued + (double)v->in_flight + 1.0;
        switch (sp->form) {
        case SED_BY_BYTES:
                return (double)(v->queued_bytes + v->in_flight_bytes + sp->bytes) *
                       (v->ns_per_byte > 0 ? v->ns_per_byte : sp->best_per_byte) / ring_of(v);
        case SED_BY_STAGES:
                return k * (v->service_ns > 0 ? v->service_ns : sp->best_service) / ring_of(v);
        default:
                return k / (double)(v->weight ? v->weight : 1);
        }
}

/* The class of a device holding h stages: 0, 1, 2-3, 4-7, 8 or more. */
static int held_class(uint64_t h)
{
        if (h == 0)
                return 0;
        int c = 64 - __builtin_clzll(h); /* 1 for 1, 2 for 2-3, 3 for 4-7, ... */
        return c < SED_CLASSES - 1 ? c : SED_CLASSES - 1;
}

static void sed_keys(const struct ac_device_view *v, double out[AC_PICK_KEYS])
{
        for (int j = 0; j < AC_PICK_KEYS; j++)
                out[j] = INFINITY;
        double ring = ring_of(v);
        double q = (double)(v->queued_bytes + v->in_flight_bytes);
        double k = (double)v->queued + (double)v->in_flight + 1.0;
        if (v->ns_per_byte > 0) {
                out[KEY_PER_BYTE] = v->ns_per_byte;
                int cls = held_class((uint64_t)v->queued + v->in_flight);
                out[KEY_BYTES_C + cls] = v->ns_per_byte / ring;
                if (cls > 0)
                        out[KEY_BYTES_A + cls - 1] = q * v->ns_per_byte / ring;
        } else {
                out[KEY_BYTES_U] = q / ring;
                out[KEY_BYTES_W] = 1.0 / ring;
        }
        if (v->service_ns > 0) {
                out[KEY_SERVICE] = v->service_ns;
                out[KEY_STAGES_KNOWN] = k * v->service_ns / ring;
        } else {
                out[KEY_STAGES_U] = k / ring;
        }
        out[KEY_WEIGHT] = k / (double)(v->weight ? v->weight : 1);
}

/* A delay no device under a node with these least keys goes below. The
 * keys and the delay are rounded differently (a few units in the last
 * place), so the bound is lowered by a margin far above that. */
static double sed_bound(const double *m, const void *ctx)
{
        const struct sed_pick *sp = ctx;
        double b = (double)sp->bytes, lo;
        switch (sp->form) {
        case SED_BY_BYTES: {
                double known = b * m[KEY_BYTES_C]; /* the idle class: a = 0 */
                for (int cls = 1; cls < SED_CLASSES; cls++) {
                        double x = m[KEY_BYTES_A + cls - 1] + b * m[KEY_BYTES_C + cls];
                        known = x < known ? x : known;
                }
                double unknown = sp->best_per_byte * (m[KEY_BYTES_U] + b * m[KEY_BYTES_W]);
                lo = known < unknown ? known : unknown;
                break;
        }
        case SED_BY_STAGES: {
                double unknown = sp->best_service * m[KEY_STAGES_U];
                lo = m[KEY_STAGES_KNOWN] < unknown ? m[KEY_STAGES_KNOWN] : unknown;
                break;
        }
        default:
                lo = m[KEY_WEIGHT];
                break;
        }
        return lo * (1.0 - 1e-9);
}

static size_t sed_pick(void *priv, const struct ac_pick *p)
{
        (void)priv;
        double best_per_byte = 0, best_service = 0; /* 0: nobody knows */
        const double *mins = ac_pick_key_mins(p);
        if (mins) {
                if (mins[KEY_PER_BYTE] < INFINITY)
                        best_per_byte = mins[KEY_PER_BYTE];
                if (mins[KEY_SERVICE] < INFINITY)
                        best_service = mins[KEY_SERVICE];
        } else {
                for (size_t i = 0; i < p->ncandidates; i++) {
                        const struct ac_device_view *v = ac_pick_candidate(p, i);
                        if (v->ns_per_byte > 0 &&
                            (best_per_byte == 0 || v->ns_per_byte < best_per_byte))
                                best_per_byte = v->ns_per_byte;
                        if (v->service_ns > 0 &&
                            (best_service == 0 || v->service_ns < best_service))
                                best_service = v->service_ns;
                }
        }
        struct sed_pick sp = {
            .form = best_per_byte > 0 && p->bytes > 0 ? SED_BY_BYTES
                    : best_service > 0                ? SED_BY_STAGES
                                                      : SED_BY_WEIGHT,
            .bytes = p->bytes,
            .best_per_byte = best_per_byte,
            .best_service = best_service,
        };
        return ac_pick_least(p, sed_delay, sed_bound, &sp);
}

const struct ac_balancer_ops ac_balancer_shortest_expected_delay = {
    .name = "shortest-expected-delay",
    .description = "earliest expected completion from queued bytes and the observed service rate",
    .options = NULL,
    .priv_size = 0,
    .init = sed_init,
    .pick = sed_pick,
    .flags = AC_BALANCER_SAMPLES | AC_BALANCER_KEYS,
    .keys = sed_keys,
};
