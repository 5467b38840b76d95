/*
 * tests/test_live_calibrate.c - calibration (live/calibrate.c): every live
 * operation is measured at every size it takes, alone and through a live
 * device; both fits are usable models (non-negative set-up, positive
 * finite rate, a stated error); the path's figures hang together (a lane
 * time and a transform time measured, a gap >= 0 that is what the line
 * leaves of the full lane's time, a wake-up that is the mean of what lone
 * requests took beyond their worker's time, with its spread); the lane counts asked for
 * are measured, and what it writes is a `devices:` block naming every
 * operation with its gap and wake-up. How fast anything runs, and how
 * two timings compare, is not asserted: that is the machine's, and the
 * benchmark's (once, in a loaded test run, a full lane's time came out
 * below its worker's transform time).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/calibrate.h"

Test(live_calibrate, measures_and_fits_every_operation)
{
        static const size_t sizes[] = {16, 512, 4096};
        struct calibrate_config cfg = {.sizes = sizes,
                                       .nsizes = 3,
                                       .samples = 51,
                                       .max_lanes = 2,
                                       .lane_ns = 5000000,
                                       .lane_bytes = 1024,
                                       .path_requests = 21,
                                       .path_ns = 5000000,
                                       .path_pause_ns = 1000};
        struct calibrate_op ops[16];
        struct sim_error err;
        cr_assert_leq(live_nops, 16);
        cr_assert_eq(calibrate_run(&cfg, ops, &err), (int)live_nops, "%s", err.msg);
        for (size_t k = 0; k < live_nops; k++) {
                const struct calibrate_op *o = &ops[k];
                cr_assert_eq(o->op, &live_ops[k]);
                cr_assert_eq(o->nsizes, 3, "%s measured at %zu sizes", o->op->name, o->nsizes);
                for (size_t s = 0; s < o->nsizes; s++)
                        cr_assert_gt(o->median_ns[s], 0);
                const struct calibrate_fit *fits[2] = {&o->bare, &o->path};
                for (int f = 0; f < 2; f++) {
                        cr_assert_geq(fits[f]->setup_ns, 0);
                        cr_assert(isfinite(fits[f]->rate_bps) && fits[f]->rate_bps > 0,
                                  "%s rate %g", o->op->name, fits[f]->rate_bps);
                        cr_assert(isfinite(fits[f]->error) && fits[f]->error >= 0);
                        cr_assert_eq(fits[f]->poor, fits[f]->error > CALIBRATE_POOR_FIT);
                }
                cr_assert(isfinite(o->jitter_cv) && o->jitter_cv >= 0);
                cr_assert(isfinite(o->path_cv) && o->path_cv >= 0);
                for (size_t s = 0; s < o->nsizes; s++) {
                        cr_assert_gt(o->worker_ns[s], 0, "%s: no worker time", o->op->name);
                        cr_assert_gt(o->single_ns[s], 0);
                        /* both measured; that the transform fits inside the
                         * lane's time is a timing relation (the worker's idle
                         * spells are counted whole, across the window's edges),
                         * not asserted here */
                        cr_assert(isfinite(o->lane_ns[s]) && o->lane_ns[s] > 0, "%s at %zu B",
                                  o->op->name, o->bytes[s]);
                        cr_assert_gt(o->lane_worker_ns[s], 0);
                }
                cr_assert(isfinite(o->wakeup_ns) && o->wakeup_ns >= 0);
                cr_assert(isfinite(o->gap_ns) && o->gap_ns >= 0);
                /* the wake-up is the mean hand-off at load over every
                 * size: the sizes' means weighed by their counts (at most
                 * path_requests each), or 0 below it */
                double sum = 0, count = 0;
                for (size_t s = 0; s < 3; s++) {
                        cr_assert_leq(o->hand_n[s], cfg.path_requests);
                        sum += o->hand_ns[s] * o->hand_n[s];
                        count += o->hand_n[s];
                }
                double hand = count > 0 ? sum / count : 0;
                cr_assert(fabs(o->wakeup_ns - fmax(0, hand)) <= 1e-6 * fabs(hand) + 1e-3,
                          "%s wake-up %g is not the mean of %g %g %g", o->op->name, o->wakeup_ns,
                          o->hand_ns[0], o->hand_ns[1], o->hand_ns[2]);
                cr_assert(isfinite(o->wakeup_cv) && o->wakeup_cv >= 0);
                cr_assert_eq(o->nlanes, 2);
                cr_assert_eq(o->lane_speedup[0], 1.0);
        }
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        calibrate_write_yaml(f, ops, live_nops, 2);
        fclose(f);
        cr_assert(strstr(text, "devices:\n") != NULL);
        for (size_t k = 0; k < live_nops; k++) {
                char key[64];
                snprintf(key, sizeof(key), "      %s: {setup: ", live_ops[k].name);
                const char *at = strstr(text, key);
                cr_assert(at != NULL, "no model for %s in\n%s", live_ops[k].name, text);
                char line[512], want[128];
                snprintf(line, sizeof(line), "%.*s", (int)strcspn(at, "\n"), at);
                /* its mean and spread, as a lognormal */
                if (ops[k].wakeup_cv >= 0.0005 && ops[k].wakeup_ns >= 0.5)
                        snprintf(want, sizeof(want),
                                 "gap: %.0fns, wakeup: {dist: lognormal, mean: %.0fns, cv: %.3f}}",
                                 round(ops[k].gap_ns), round(ops[k].wakeup_ns), ops[k].wakeup_cv);
                else
                        snprintf(want, sizeof(want), "gap: %.0fns, wakeup: %.0fns}",
                                 round(ops[k].gap_ns), round(ops[k].wakeup_ns));
                cr_assert(strstr(line, want) != NULL, "%s: want %s in\n%s", live_ops[k].name, want,
                          line);
        }
        free(text);
}

Test(live_calibrate, one_operation_alone)
{
        static const size_t sizes[] = {1024, 65536};
        struct calibrate_config cfg = {.sizes = sizes,
                                       .nsizes = 2,
                                       .samples = 21,
                                       .max_lanes = 1,
                                       .lane_ns = 2000000,
                                       .only = "sha256",
                                       .path_requests = 21,
                                       .path_ns = 5000000,
                                       .path_pause_ns = 1000};
        struct calibrate_op ops[16];
        struct sim_error err;
        cr_assert_eq(calibrate_run(&cfg, ops, &err), 1, "%s", err.msg);
        cr_assert_str_eq(ops[0].op->name, "sha256");
        cr_assert_eq(ops[0].nsizes, 2);
        cfg.only = "rot13";
        cr_assert_eq(calibrate_run(&cfg, ops, &err), -1);
        cr_assert(strstr(err.msg, "rot13") != NULL, "%s", err.msg);
}

Test(live_calibrate, refuses_what_it_cannot_measure)
{
        struct calibrate_op ops[16];
        struct sim_error err;
        struct calibrate_config few = {.samples = 3};
        cr_assert_eq(calibrate_run(&few, ops, &err), -1);
        cr_assert(strstr(err.msg, "samples") != NULL, "%s", err.msg);
}
