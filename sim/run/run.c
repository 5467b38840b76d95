/*
 * sim/run/run.c - one replication (sim/run/run.h): its phases. Build
 * (build.c), the warm-up event, arrivals until the duration with a row of
 * the time series every interval, the window's time averages, the drain
 * (drain.c), the results, teardown. The parts share sim/run/replication.h.
 *
 * The event loop stops by itself when its event set cannot grow
 * (sim_loop_failed): that is checked here, once after building and once
 * after running, and reported as AC_ENOMEM; no schedule is checked where
 * it is made. An arrival beyond run.memory (request.c) stops it the same
 * way and is reported as AC_ERANGE, naming the key.
 */
#include "sim/run/run.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/des/pages.h"
#include "sim/des/rng.h"
#include "sim/run/replication.h"
#include "sim/run/series.h"

/* ---- warm-up, time series, window --------------------------------------- */

static void warmup_end(struct sim_loop *loop, struct sim_event *ev)
{
        struct replication *run = sim_container_of(ev, struct replication, warmup_ev);
        uint64_t now = sim_now(loop);
        tally_reset(&run->in_system, now);
        run->tallies_since = now;
        for (size_t i = 0; i < run->nclasses; i++)
                tally_reset(&run->classes[i].in_system, now);
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                run_settle_device(d);
                sums_reset(&d->queue, d->queue_cut, now);
                sums_reset(&d->in_flight, d->in_flight_cut, now);
                if (!d->attached)
                        continue; /* its counters start at 0 when it comes */
                ac_device_get_stats(d->sd.dev, &d->at_warmup);
                device_model_stats(d->sd.model, &d->model_at_warmup);
        }
}

static void sample(struct sim_loop *loop, struct sim_event *ev)
{
        struct replication *run = sim_container_of(ev, struct replication, sample_ev);
        struct sim_series *se = &run->res->series;
        uint64_t now = sim_now(loop);
        /* interval_ns, or less for the last row when the interval does not
         * divide the duration */
        double length = (double)(now - run->row_start);
        struct ac_engine_stats es;
        ac_engine_get_stats(run->core, &es);

        struct sim_series_row *row = &se->rows[se->nrows];
        *row = run->row;
        row->t_ns = now;
        row->retried = es.retried - run->retried_at_sample;
        row->mean_in_system = tally_window_mean(&run->in_system, run->row_start, now);
        run->retried_at_sample = es.retried;
        memset(&run->row, 0, sizeof(run->row));

        struct sim_series_device *cols = &se->devices[se->nrows * se->ndevices];
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                double busy = d->attached ? device_model_busy_lane_ns(d->sd.model) : 0.0;
                run_settle_device(d);
                cols[i] = (struct sim_series_device){
                    .utilization = (busy - d->busy_at_sample) / ((double)d->lanes * length),
                    .mean_queue = sums_window_mean(&d->queue, d->queue_cut, run->row_start, now),
                    .mean_in_flight =
                        sums_window_mean(&d->in_flight, d->in_flight_cut, run->row_start, now),
                };
                d->busy_at_sample = busy;
        }
        struct sim_series_latency *lat = &se->latency[se->nrows * se->nlatency];
        for (size_t j = 0; j < se->nlatency; j++)
                if (j == 1 && run->nclasses == 1) /* request_done() kept one for both */
                        lat[1] = lat[0];
                else
                        sim_series_cut_latency(&run->row_hist[j], &lat[j]);
        se->nrows++;
        run->row_start = now;
        uint64_t next =
            run->duration - now > se->interval_ns ? now + se->interval_ns : run->duration;
        if (next > now)
                sim_schedule(loop, ev, next);
}

/* At the end of arrivals: the window's time averages. */
static void window_end(struct replication *run)
{
        uint64_t now = sim_now(run->loop);
        double window = (double)(run->duration - run->warmup);
        uint64_t since = run->tallies_since;
        run->res->mean_in_system = tally_mean(&run->in_system, since, now);
        for (size_t i = 0; i < run->nclasses; i++)
                run->res->classes[i].mean_in_system =
                    run->nclasses == 1 /* request.c kept one tally for both */
                        ? run->res->mean_in_system
                        : tally_mean(&run->classes[i].in_system, since, now);
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                struct device_model_stats ms = {0};
                if (d->attached) /* not when it comes during the drain, or never */
                        device_model_stats(d->sd.model, &ms);
                d->utilization = (ms.busy_lane_ns - d->model_at_warmup.busy_lane_ns) /
                                 ((double)d->cfg.lanes * window);
                run_settle_device(d);
                d->mean_queue = sums_mean(&d->queue, d->queue_cut, since, now);
                d->mean_in_flight = sums_mean(&d->in_flight, d->in_flight_cut, since, now);
        }
}

/* ---- the time series ------------------------------------------------------ */

static int build_series(struct replication *run, struct sim_error *err)
{
        struct sim_series *se = &run->res->series;
        uint64_t interval;
        size_t rows = (size_t)sim_series_rows(run->duration, run->s->run.sample_ns, &interval);
        se->interval_ns = interval;
        se->ndevices = run->ndevices;
        se->nlatency = run->nclasses + 1;
        se->rows = calloc(rows ? rows : 1, sizeof(*se->rows));
        /* rows x devices (2.3 MiB at 100 rows of 1000): huge pages from 2 MiB */
        se->devices = sim_pages_calloc((rows ? rows : 1) * (run->ndevices ? run->ndevices : 1),
                                       sizeof(*se->devices));
        se->latency = calloc((rows ? rows : 1) * se->nlatency, sizeof(*se->latency));
        run->row_hist = malloc(se->nlatency * sizeof(*run->row_hist));
        if (!se->rows || !se->devices || !se->latency || !run->row_hist)
                return sim_fail(err, AC_ENOMEM, "out of memory");
        for (size_t j = 0; j < se->nlatency; j++)
                hist_init(&run->row_hist[j]);
        sim_event_init(&run->sample_ev, sample);
        if (rows)
                sim_schedule(run->loop, &run->sample_ev,
                             interval < run->duration ? interval : run->duration);
        return 0;
}

/* ---- the run ------------------------------------------------------------ */

static double seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A replication under way between the calls of the stepped API
 * (sim/run/run.h): the replication, the clock it has used so far, and
 * how far its arrival phase is. */
struct sim_run_part {
        struct replication run;
        double busy_s;    /* seconds spent in begin, the steps and end */
        uint32_t steps;   /* stretches of the arrival phase done */
        uint64_t reached; /* the end of the last stretch run (the clock stays
                             behind it when the loop failed) */
};

/* The end of stretch k of the arrival phase of a run that ends at end. */
static uint64_t stretch_end(uint64_t end, uint32_t k)
{
        uint64_t step = end / SIM_RUN_WATCH_STEPS ? end / SIM_RUN_WATCH_STEPS : 1;
        return k >= SIM_RUN_WATCH_STEPS || end - step * k < step ? end : step * (k + 1);
}

/* The reason a run stopped at run.memory: what it held, and when. Returns
 * AC_ERANGE, a value of the scenario that the run went past. */
static int held_full(const struct replication *run, struct sim_error *err)
{
        uint64_t m = run->s->run.memory;
        return sim_fail(
            err, AC_ERANGE,
            "run.memory: at most %" PRIu64 " bytes (%.4g MiB) of requests held at once; "
            "an arrival at %.9g s found %" PRIu64 " outstanding of %zu bytes each "
            "(%.4g MiB; the record, its chain of %" PRIu32 " stages%s), so replication %" PRIu32
            " stopped there with no results: raise run.memory, or lower the load or "
            "engine.queue.depth and backlog that let them pile up",
            m, (double)m / 1048576.0, (double)sim_now(run->loop) / 1e9, run->outstanding,
            run->stride, (double)(run->outstanding * run->stride) / 1048576.0, run->nstages,
            run->handoffs ? " and its trace's hand-offs" : "", run->res->replication);
}

/* Releases what the run holds and returns rc: a run that failed. */
static int abandon(struct replication *run, int rc)
{
        run_teardown(run);
        sim_results_free(run->res);
        return rc;
}

static int begin(const struct scenario *s, uint32_t replication,
                 const struct sim_run_checks *checks, struct sim_results *out,
                 struct sim_error *err, struct sim_run_part **part)
{
        *part = NULL;
        memset(out, 0, sizeof(*out));
        if (!s->prepared)
                return sim_fail(err, AC_EINVAL, "the scenario is not prepared");
        double started = seconds();
        struct sim_run_part *p = calloc(1, sizeof(*p));
        if (!p)
                return sim_fail(err, AC_ENOMEM, "out of memory");
        uint64_t seed = sim_rng_derive(s->seed, replication);
        p->run = (struct replication){
            .s = s,
            .res = out,
            .warmup = s->run.warmup_ns,
            .duration = s->run.duration_ns,
            .hash = 0x6a09e667f3bcc908u,
            .arrival_hash = 0xbb67ae8584caa73bu,
            .fingerprint = 0x3c6ef372fe94f82bu,
            .seed = seed,
            .checks = checks,
        };
        struct replication *run = &p->run;
        out->seed = s->seed;
        out->replication = replication;
        out->replication_seed = seed;
        out->duration_ns = s->run.duration_ns;
        out->warmup_ns = s->run.warmup_ns;
        out->scenario = run_copy_text(s->name ? s->name : "");
        out->policy = run_copy_text(s->engine.policy);
        hist_init(&out->hist);
        tally_init(&run->in_system);

        int rc = 0;
        if (!out->scenario || !out->policy)
                rc = sim_fail(err, AC_ENOMEM, "out of memory");
        if (rc == 0 && s->run.trace) {
                out->trace_limit = s->run.trace_limit;
                out->trace = tmpfile();
                if (!out->trace)
                        rc = sim_fail(err, AC_ENOMEM, "trace: no temporary file");
        }
        if (rc == 0)
                rc = run_build(run, err);
        if (rc == 0)
                rc = build_series(run, err);
        if (rc < 0) {
                abandon(run, rc);
                free(p);
                return rc;
        }

        sim_event_init(&run->warmup_ev, warmup_end);
        if (run->warmup == 0)
                warmup_end(run->loop, &run->warmup_ev);
        else
                sim_schedule(run->loop, &run->warmup_ev, run->warmup);
        workload_start(run->wl, run->duration);
        p->busy_s = seconds() - started;
        *part = p;
        return 0;
}

int sim_run_begin(const struct scenario *s, uint32_t replication, struct sim_results *out,
                  struct sim_error *err, struct sim_run_part **part)
{
        return begin(s, replication, NULL, out, err, part);
}

bool sim_run_step(struct sim_run_part *p, uint64_t *now_ns, uint64_t *end_ns, uint64_t *events)
{
        double started = seconds();
        struct replication *run = &p->run;
        uint64_t until = stretch_end(run->duration, p->steps++);
        if (until > p->reached) {
                sim_run_until(run->loop, until);
                p->reached = until;
        }
        *now_ns = sim_now(run->loop);
        *end_ns = run->duration;
        *events = sim_events_fired(run->loop);
        p->busy_s += seconds() - started;
        return p->reached < run->duration;
}

uint32_t sim_run_steps(const struct sim_run_part *p)
{
        return p->steps;
}

int sim_run_end(struct sim_run_part *p, struct sim_error *err)
{
        double started = seconds();
        struct replication *run = &p->run;
        struct sim_results *out = run->res;
        int rc = 0;
        /* never stepped: the arrival phase at once, as sim_run() runs it;
         * stepped: what is left of it */
        if (p->steps == 0 || p->reached < run->duration)
                sim_run_until(run->loop, run->duration);
        if (!sim_loop_failed(run->loop)) {
                window_end(run);
                run_drain(run);
        }
        if (run->held_full) /* run.memory: the loop was failed on purpose */
                rc = abandon(run, held_full(run, err));
        /* the one place a failed schedule, wherever it was made, is seen */
        else if (sim_loop_failed(run->loop))
                rc = abandon(run, sim_fail(err, AC_ENOMEM,
                                           "out of memory at %" PRIu64
                                           " ns (the event set, the requests or a"
                                           " fault timeline could not grow)",
                                           sim_now(run->loop)));
        else if (run_fill_results(run) < 0)
                rc = abandon(run, sim_fail(err, AC_ENOMEM, "out of memory for the results"));
        if (rc < 0) {
                free(p);
                return rc;
        }
        out->fingerprint = run_fingerprint_finish(run);
        out->trace_truncated = out->trace && run->next_id > out->trace_limit;
        if (out->trace && (fflush(out->trace) != 0 || ferror(out->trace))) {
                rc = abandon(run,
                             sim_fail(err, AC_ENOMEM, "trace: cannot write the temporary file"));
                free(p);
                return rc;
        }
        if (!out->drain_capped)
                run_check_conservation(run);
        run_teardown(run);
        out->wall_time_s = p->busy_s + (seconds() - started);
        free(p);
        return 0;
}

void sim_run_drop(struct sim_run_part *p)
{
        if (!p)
                return;
        abandon(&p->run, 0);
        free(p);
}

int sim_run(const struct scenario *s, uint32_t replication, struct sim_results *out,
            struct sim_error *err)
{
        return sim_run_watched(s, replication, NULL, out, err);
}

/* Runs a replication through: in stretches with a progress report after
 * each when watched, its arrival phase at once otherwise. */
static int replicate_one(const struct scenario *s, uint32_t replication,
                         const struct sim_run_watch *watch, const struct sim_run_checks *checks,
                         struct sim_results *out, struct sim_error *err)
{
        struct sim_run_part *p;
        int rc = begin(s, replication, checks, out, err, &p);
        if (rc < 0)
                return rc;
        if (watch && watch->progress) {
                uint64_t now, end, events;
                bool more;
                do {
                        more = sim_run_step(p, &now, &end, &events);
                        watch->progress(watch->ctx, now, end, events);
                } while (more);
        }
        return sim_run_end(p, err);
}

int sim_run_watched(const struct scenario *s, uint32_t replication,
                    const struct sim_run_watch *watch, struct sim_results *out,
                    struct sim_error *err)
{
        return replicate_one(s, replication, watch, NULL, out, err);
}

int sim_run_checked(const struct scenario *s, uint32_t replication,
                    const struct sim_run_checks *checks, struct sim_results *out,
                    struct sim_error *err)
{
        return replicate_one(s, replication, NULL, checks, out, err);
}
