/*
 * test_run_hotplug.c - devices added while requests flow (devices[].attach):
 * no work before the attach time, work at once after, conservation with a
 * card removed and a spare attached, and a device whose time never comes.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run/run.h"
#include "support/tscen.h"

#define MS 1000000ull
#define US 1000ull

static struct scenario_device *add_card(struct scenario *s, const char *name, uint64_t attach)
{
        struct scenario_device *d = tscen_device(s, name, 4, 8);
        d->attach_ns = attach;
        tscen_linear(d, "enc", 2000, 4.0);
        return d;
}

/* qat0 from the start, spare attached at 5 ms; 10 ms of Poisson arrivals
 * at about 40% of one card. */
static void spare(struct scenario *s, uint64_t attach)
{
        tscen_init(s, 9, 10 * MS, 1 * MS);
        s->run.sample_ns = 100 * US;
        s->run.trace = true;
        add_card(s, "qat0", 0);
        add_card(s, "spare", attach);
        const char *chain[] = {"enc"};
        tscen_class(s, "esp", chain, 1, 800e3, (struct dist){.kind = DIST_CONSTANT, .a = 1500});
}

static void prepare_and_run(struct scenario *s, struct sim_results *r)
{
        tscen_prepare(s);
        tscen_run(s, 0, r);
        cr_assert_not(r->drain_capped);
}

Test(run_hotplug, no_work_before_the_attach_time_and_work_at_once_after)
{
        struct scenario s;
        struct sim_results r;
        spare(&s, 5 * MS);
        prepare_and_run(&s, &r);
        const struct sim_series *se = &r.series;
        cr_assert_eq(se->ndevices, 2);
        cr_assert_eq(se->interval_ns, 100 * US);
        bool first_after = true;
        for (size_t i = 0; i < se->nrows; i++) {
                const struct sim_series_device *sp = &se->devices[i * 2 + 1];
                if (se->rows[i].t_ns <= 5 * MS) {
                        cr_assert_eq(sp->utilization, 0, "busy at %llu ns",
                                     (unsigned long long)se->rows[i].t_ns);
                        cr_assert_eq(sp->mean_in_flight, 0);
                        cr_assert_eq(sp->mean_queue, 0);
                } else if (first_after) {
                        /* the first interval after the attach */
                        cr_assert_gt(sp->utilization, 0.05);
                        first_after = false;
                }
        }
        cr_assert_not(first_after);
        cr_assert_eq(r.devices[1].attach_ns, 5 * MS);
        cr_assert_eq(r.devices[0].attach_ns, 0);
        cr_assert_gt(r.devices[1].completed, 0);

        /* the trace: nothing handed to the spare finished before it came */
        rewind(r.trace);
        char line[512];
        size_t on_spare = 0;
        while (fgets(line, sizeof(line), r.trace)) {
                if (!strstr(line, "spare"))
                        continue;
                unsigned long long complete = 0;
                char *f = line;
                for (int k = 0; k < 8; k++)
                        f = strchr(f, ',') + 1;
                complete = strtoull(f, NULL, 10);
                cr_assert_geq(complete, 5 * MS, "%s", line);
                on_spare++;
        }
        cr_assert_gt(on_spare, 0);
        tscen_assert_conserved(&r.all);
        tscen_assert_conserved(&r.requests);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_hotplug, a_card_removed_and_a_spare_attached_conserve_requests)
{
        struct scenario s;
        struct sim_results r;
        spare(&s, 6 * MS);
        struct scenario_fault *f = scenario_add_fault(&s, "qat0");
        f->fault = (struct device_fault_config){.at_ns = 4 * MS, .mode = DEVICE_FAULT_REMOVE};
        /* the spare alone carries the last 4 ms; before it, a CPU fallback */
        struct scenario_device *cpu = add_card(&s, "cpu", 0);
        cpu->fallback = true;
        prepare_and_run(&s, &r);
        tscen_assert_conserved(&r.all);
        tscen_assert_conserved(&r.requests);
        cr_assert_gt(r.devices[1].completed, 0, "the spare took work");
        cr_assert_gt(r.devices[2].completed, 0, "the fallback carried the gap");
        cr_assert_eq(r.requests.failed, 0);
        /* the fallback hands back to the spare: little for it after 6 ms */
        const struct sim_series *se = &r.series;
        for (size_t i = 0; i < se->nrows; i++)
                if (se->rows[i].t_ns > 7 * MS)
                        cr_assert_lt(se->devices[i * 3 + 2].utilization,
                                     se->devices[i * 3 + 1].utilization);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_hotplug, a_device_whose_time_never_comes_is_all_zeros)
{
        struct scenario s;
        struct sim_results r;
        spare(&s, 1000 * MS); /* long after the drain */
        prepare_and_run(&s, &r);
        tscen_assert_conserved(&r.all);
        cr_assert_eq(r.devices[1].completed, 0);
        cr_assert_eq(r.devices[1].utilization, 0);
        cr_assert_eq(r.devices[1].lanes, 4);
        cr_assert_lt(r.sim_time_ns, 1000 * MS);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_hotplug, tracing_a_hot_plug_run_changes_no_figure)
{
        struct scenario a, b;
        struct sim_results ra, rb;
        spare(&a, 5 * MS);
        spare(&b, 5 * MS);
        b.run.trace = false;
        prepare_and_run(&a, &ra);
        prepare_and_run(&b, &rb);
        cr_assert_eq(ra.order_hash, rb.order_hash);
        cr_assert_eq(ra.events, rb.events);
        sim_results_free(&ra);
        sim_results_free(&rb);
        scenario_free(&a);
        scenario_free(&b);
}
