/*
 * tests/test_live_calibrate.c - calibration (live/calibrate.c): every live
 * operation is measured at every size it takes, the fit is a usable model
 * (non-negative set-up, positive finite rate, a stated error), the lane
 * counts asked for are measured, and what it writes is a `devices:` block
 * naming every operation. How fast anything runs is not asserted: that is
 * the machine's, and the benchmark's.
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
                                       .lane_bytes = 1024};
        struct calibrate_op ops[16];
        struct sim_error err;
        cr_assert_leq(live_nops, 16);
        cr_assert_eq(calibrate_run(&cfg, ops, &err), 0, "%s", err.msg);
        for (size_t k = 0; k < live_nops; k++) {
                const struct calibrate_op *o = &ops[k];
                cr_assert_eq(o->op, &live_ops[k]);
                cr_assert_eq(o->nsizes, 3, "%s measured at %zu sizes", o->op->name, o->nsizes);
                for (size_t s = 0; s < o->nsizes; s++)
                        cr_assert_gt(o->median_ns[s], 0);
                cr_assert_geq(o->setup_ns, 0);
                cr_assert(isfinite(o->rate_bps) && o->rate_bps > 0, "%s rate %g", o->op->name,
                          o->rate_bps);
                cr_assert(isfinite(o->fit_error) && o->fit_error >= 0);
                cr_assert_eq(o->poor, o->fit_error > CALIBRATE_POOR_FIT);
                cr_assert(isfinite(o->jitter_cv) && o->jitter_cv >= 0);
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
                cr_assert(strstr(text, key) != NULL, "no model for %s in\n%s", live_ops[k].name,
                          text);
        }
        free(text);
}

Test(live_calibrate, refuses_what_it_cannot_measure)
{
        struct calibrate_op ops[16];
        struct sim_error err;
        struct calibrate_config few = {.samples = 3};
        cr_assert_eq(calibrate_run(&few, ops, &err), -1);
        cr_assert(strstr(err.msg, "samples") != NULL, "%s", err.msg);
}
