/*
 * sim/run/replicate.c - running the replications of a scenario and summing
 * them up: means and Student t half-widths from GSL, pooled histograms.
 */
#include "sim/run/replicate.h"

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "ac/error.h"
#include "sim/des/mser.h"
#include "sim/run/quantiles.h"
#include "sim/run/run.h"

double replications_ci95(const double *x, size_t n, double *ci95)
{
        *ci95 = 0.0;
        if (n == 0)
                return 0.0;
        double mean = gsl_stats_mean(x, 1, n);
        if (n < 2)
                return mean;
        double sd = gsl_stats_sd_m(x, 1, n, mean);
        *ci95 = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
        return mean;
}

/* x[i] = EXPR for every run i (EXPR may use `run`), then DST from them. */
#define FIGURE(r, x, dst, expr)                                                                    \
        do {                                                                                       \
                for (size_t i_ = 0; i_ < (r)->n; i_++) {                                           \
                        const struct sim_results *run = &(r)->runs[i_];                            \
                        (x)[i_] = (double)(expr);                                                  \
                }                                                                                  \
                (dst).mean = replications_ci95((x), (r)->n, &(dst).ci95);                          \
        } while (0)

/* The counts of class k of every run, or the run's own when k is SIZE_MAX. */
static const struct sim_counts *counts_of(const struct sim_results *run, size_t k)
{
        return k == SIZE_MAX ? &run->requests : &run->classes[k].requests;
}

static const struct sim_latency *latency_of(const struct sim_results *run, size_t k)
{
        return k == SIZE_MAX ? &run->latency : &run->classes[k].latency;
}

static void fill_counts(struct replications *r, double *x, size_t k, struct rep_counts *out)
{
#define COUNT_FIGURE(name, ...) FIGURE(r, x, out->name, counts_of(run, k)->name);
        SIM_COUNT_FIGURES(COUNT_FIGURE)
#undef COUNT_FIGURE
}

static void fill_latency(struct replications *r, double *x, size_t k, struct rep_latency *out)
{
#define LATENCY_FIGURE(name, ...) FIGURE(r, x, out->name, latency_of(run, k)->name);
        SIM_LATENCY_FIGURES(LATENCY_FIGURE)
#undef LATENCY_FIGURE
}

static void fill_device(struct replications *r, double *x, size_t k, struct rep_device *d)
{
        const struct sim_device_result *first = &r->runs[0].devices[k];
        d->name = first->name;
        d->lanes = first->lanes;
        d->ring = first->ring;
        d->attach_ns = first->attach_ns;
#define DEVICE_FIGURE(name, ...) FIGURE(r, x, d->name, run->devices[k].name);
        SIM_DEVICE_FIGURES(DEVICE_FIGURE)
#undef DEVICE_FIGURE
}

static void fill_class(struct replications *r, double *x, size_t k, struct rep_class *c)
{
        c->name = r->runs[0].classes[k].name;
        fill_counts(r, x, k, &c->requests);
        fill_latency(r, x, k, &c->latency);
#define CLASS_THROUGHPUT(name, ...) FIGURE(r, x, c->name, run->classes[k].name);
        SIM_THROUGHPUT_FIGURES(CLASS_THROUGHPUT)
#undef CLASS_THROUGHPUT
        hist_init(&c->hist);
        for (size_t i = 0; i < r->n; i++)
                hist_merge(&c->hist, &r->runs[i].classes[k].hist);
}

/* The quantiles of the run (k = SIZE_MAX) or of class k by the one
 * convention of sim/run/quantiles.h. */
static int pool_quantiles(struct replications *r, size_t k, struct rep_latency *out)
{
        const struct hist **h = malloc(r->n * sizeof(*h));
        if (h == NULL)
                return AC_ENOMEM;
        for (size_t i = 0; i < r->n; i++)
                h[i] = k == SIZE_MAX ? &r->runs[i].hist : &r->runs[i].classes[k].hist;
        int rc = rep_quantiles(h, r->n, out);
        free(h);
        return rc;
}

/* Frees the summary but keeps the runs. */
static void free_summary(struct replications *r)
{
        free(r->classes);
        free(r->devices);
        r->classes = NULL;
        r->devices = NULL;
        r->nclasses = 0;
        r->ndevices = 0;
}

int replications_summarize(struct replications *r)
{
        free_summary(r);
        if (r->n == 0)
                return 0;
        const struct sim_results *first = &r->runs[0];
        for (size_t i = 1; i < r->n; i++) {
                /* one scenario: the same classes and devices in every run */
                if (r->runs[i].nclasses != first->nclasses ||
                    r->runs[i].ndevices != first->ndevices)
                        abort();
        }
        double *x = malloc(r->n * sizeof(*x));
        r->classes = first->nclasses ? calloc(first->nclasses, sizeof(*r->classes)) : NULL;
        r->devices = first->ndevices ? calloc(first->ndevices, sizeof(*r->devices)) : NULL;
        if (!x || (first->nclasses && !r->classes) || (first->ndevices && !r->devices)) {
                free(x);
                free_summary(r);
                return AC_ENOMEM;
        }
        r->nclasses = first->nclasses;
        r->ndevices = first->ndevices;

        FIGURE(r, x, r->sim_time_ns, run->sim_time_ns);
        FIGURE(r, x, r->events, run->events);
        FIGURE(r, x, r->wall_time_s, run->wall_time_s);
        fill_counts(r, x, SIZE_MAX, &r->requests);
        fill_latency(r, x, SIZE_MAX, &r->latency);
#define RUN_THROUGHPUT(name, ...) FIGURE(r, x, r->name, run->name);
        SIM_THROUGHPUT_FIGURES(RUN_THROUGHPUT)
#undef RUN_THROUGHPUT
        FIGURE(r, x, r->mean_in_system, run->mean_in_system);
        hist_init(&r->hist);
        r->drain_capped = 0;
        r->unfinished = 0;
        for (size_t i = 0; i < r->n; i++) {
                hist_merge(&r->hist, &r->runs[i].hist);
                r->drain_capped += r->runs[i].drain_capped;
                r->unfinished += r->runs[i].unfinished;
        }
        for (size_t k = 0; k < r->nclasses; k++)
                fill_class(r, x, k, &r->classes[k]);
        for (size_t k = 0; k < r->ndevices; k++)
                fill_device(r, x, k, &r->devices[k]);
        free(x);
        int rc = pool_quantiles(r, SIZE_MAX, &r->latency);
        for (size_t k = 0; k < r->nclasses && rc == 0; k++)
                rc = pool_quantiles(r, k, &r->classes[k].latency);
        if (rc < 0) {
                free_summary(r);
                return rc;
        }
        return 0;
}

void replications_free(struct replications *r)
{
        free_summary(r);
        for (size_t i = 0; i < r->n; i++)
                sim_results_free(&r->runs[i]);
        free(r->runs);
        provenance_free(&r->origin);
        free(r->warmup.own_ns);
        free(r->warmup.own_settled);
        memset(r, 0, sizeof(*r));
}

/* ---- the pool ------------------------------------------------------------
 *
 * Replications share nothing mutable: each builds its own loop, platform,
 * core engine, models and random streams from the read-only scenario, and
 * the simulator keeps no process-global state (no static buffers, no
 * global random generator; GSL's error handler is never changed), so
 * threads can run them side by side. The summary is computed after every
 * thread has joined, from runs[] in index order, so its bytes do not
 * depend on the number of workers or on their timing.
 *
 * A replication runs as a part (sim/run/run.h): begun, stepped through
 * its arrival phase in SIM_RUN_WATCH_STEPS stretches, ended. Between two
 * stretches a worker may put its part back and another worker may take
 * it up; the stretches fire the same events in the same order wherever
 * they run. That is what keeps the last round from running on one core:
 * run whole, five equal replications on two workers take three rounds
 * (2 + 2 + 1) while the second core idles through the third, a bound of
 * 5/3 on the speed-up. Here the workers open parts in index order, at most
 * `jobs` at a time while more than 2 * jobs - 1 replications are left,
 * all that are left after that, and share them: a worker passes its part
 * on when another waits that is behind it by a quarter of what its own
 * has left (at least 2 stretches), so parts change threads rarely (each
 * change costs the new core's caches a refill) and more often only near
 * the end, where the last 2 * jobs - 1 replications end about together
 * and no worker idles for more than a few stretches (the bound of
 * preemptive scheduling, n / jobs rounds). One worker runs each
 * replication through, as sim_run() does. */

#define SWITCH_MIN 2 /* stretches a part may always run ahead of one that waits */

struct pool {
        const struct scenario *s;
        uint32_t first, n;
        unsigned jobs; /* workers */
        struct replications *out;
        const struct rep_progress *progress;
        pthread_mutex_t lock;       /* all below, the parts' hand-over, progress calls */
        uint32_t next;              /* the next index to open */
        uint32_t open;              /* parts begun and not ended */
        uint32_t left;              /* replications not ended (open or not begun) */
        uint32_t stop_at;           /* the lowest failed index; n when none */
        size_t handed_on;           /* parts put back between two stretches */
        struct sim_run_part **part; /* n: each open part, NULL otherwise */
        bool *held;                 /* n: a worker runs it now */
        int *rc;                    /* n: each replication's code */
        struct sim_error *err;      /* n: each replication's reason */
};

/* Whether a worker may begin the next replication (lock held). */
static bool may_open(const struct pool *p)
{
        return p->next < p->n && p->stop_at == p->n &&
               (p->open < p->jobs || p->left <= 2 * p->jobs - 1);
}

/* The open part nobody runs with the fewest stretches done (the lowest
 * index among equals), or n (lock held). */
static uint32_t waiting(const struct pool *p)
{
        uint32_t best = p->n, steps = UINT32_MAX;
        for (uint32_t i = 0; i < p->n; i++) {
                if (p->part[i] && !p->held[i] && sim_run_steps(p->part[i]) < steps) {
                        best = i;
                        steps = sim_run_steps(p->part[i]);
                }
        }
        return best;
}

/* Whether the worker running part i should put it back (lock held): a
 * replication waits to begin, or a part waits that is behind by a
 * quarter of the stretches part i has left, or SWITCH_MIN. */
static bool should_pass(const struct pool *p, uint32_t i)
{
        if (may_open(p))
                return true;
        uint32_t w = waiting(p);
        if (w == p->n)
                return false;
        uint32_t mine = sim_run_steps(p->part[i]);
        uint32_t lead = mine < SIM_RUN_WATCH_STEPS ? (SIM_RUN_WATCH_STEPS - mine) / 4 : 0;
        return sim_run_steps(p->part[w]) + (lead > SWITCH_MIN ? lead : SWITCH_MIN) <= mine;
}

/* Notes the end of replication i with code rc (lock held). */
static void ended(struct pool *p, uint32_t i, int rc)
{
        p->part[i] = NULL;
        p->held[i] = false;
        p->rc[i] = rc;
        p->open--;
        p->left--;
        if (rc < 0 && i < p->stop_at)
                p->stop_at = i;
}

/* Runs stretches of part i (held, lock not held) until its arrivals are
 * over or it should pass it on. Returns with the lock held, and whether
 * arrivals remain. */
static bool stretches(struct pool *p, uint32_t i)
{
        for (;;) {
                uint64_t now, end, events;
                bool more = sim_run_step(p->part[i], &now, &end, &events);
                pthread_mutex_lock(&p->lock);
                if (p->progress)
                        p->progress->report(p->progress->ctx, i, p->n, now, end, events);
                if (!more || i > p->stop_at || should_pass(p, i))
                        return more;
                pthread_mutex_unlock(&p->lock);
        }
}

static void *worker(void *arg)
{
        struct pool *p = arg;
        pthread_mutex_lock(&p->lock);
        for (;;) {
                uint32_t i;
                if (may_open(p)) {
                        i = p->next++;
                        p->open++;
                        p->held[i] = true;
                        pthread_mutex_unlock(&p->lock);
                        struct sim_run_part *part = NULL;
                        int rc =
                            sim_run_begin(p->s, p->first + i, &p->out->runs[i], &p->err[i], &part);
                        pthread_mutex_lock(&p->lock);
                        if (rc < 0) {
                                ended(p, i, rc);
                                continue;
                        }
                        p->part[i] = part;
                } else if ((i = waiting(p)) < p->n) {
                        p->held[i] = true;
                } else {
                        /* every open part is run by another worker, and
                         * none will be begun or put back: nothing left here */
                        pthread_mutex_unlock(&p->lock);
                        return NULL;
                }
                if (i > p->stop_at) { /* a lower index failed: this one counts for nothing */
                        struct sim_run_part *part = p->part[i];
                        ended(p, i, 0);
                        pthread_mutex_unlock(&p->lock);
                        sim_run_drop(part);
                        pthread_mutex_lock(&p->lock);
                        continue;
                }
                /* alone and unwatched: nothing to pass on to or report, and
                 * sim_run_end() runs the arrival phase at once */
                bool whole = p->jobs == 1 && !p->progress;
                struct sim_run_part *part = p->part[i];
                pthread_mutex_unlock(&p->lock);
                if (!whole) {
                        if (stretches(p, i)) { /* passed on, lock held */
                                p->held[i] = false;
                                p->handed_on++;
                                continue;
                        }
                        pthread_mutex_unlock(&p->lock);
                }
                int rc = sim_run_end(part, &p->err[i]);
                pthread_mutex_lock(&p->lock);
                ended(p, i, rc);
        }
}

/* The outcome of sim_run()'s negative code: the core refuses what the
 * loader could not check (a balancer's options) with these. */
static enum sim_outcome outcome_of(int rc)
{
        return rc == AC_EINVAL || rc == AC_ERANGE || rc == AC_ENOENT ? SIM_BAD_INPUT : SIM_FAILED;
}

/* Runs the pool's replications on `jobs` threads (the caller's own when
 * 1, or when no thread can be started). */
static void run_pool(struct pool *p, unsigned jobs)
{
        if (jobs > p->n)
                jobs = p->n;
        p->jobs = jobs ? jobs : 1;
        if (jobs <= 1) {
                worker(p);
                return;
        }
        pthread_t *t = calloc(jobs, sizeof(*t));
        unsigned started = 0;
        while (t && started < jobs && pthread_create(&t[started], NULL, worker, p) == 0)
                started++;
        if (started < jobs) { /* fewer threads than asked: share among those */
                pthread_mutex_lock(&p->lock);
                p->jobs = started ? started : 1;
                pthread_mutex_unlock(&p->lock);
        }
        if (started == 0)
                worker(p); /* no thread at all: the caller runs them */
        for (unsigned k = 0; k < started; k++)
                pthread_join(t[k], NULL);
        free(t);
}

enum sim_outcome replications_run(const struct scenario *s, uint32_t first, uint32_t n,
                                  const struct rep_progress *progress, struct replications *out,
                                  struct sim_error *e)
{
        return replications_run_jobs(s, first, n, 1, progress, out, e);
}

/* Runs the replications (one pass) into out->runs; the summary is left
 * to the caller. */
static enum sim_outcome run_pass(const struct scenario *s, uint32_t first, uint32_t n,
                                 unsigned jobs, const struct rep_progress *progress,
                                 struct replications *out, struct sim_error *e)
{
        memset(out, 0, sizeof(*out));
        struct pool p = {.s = s,
                         .first = first,
                         .n = n,
                         .out = out,
                         .progress = progress,
                         .left = n,
                         .stop_at = n};
        out->runs = calloc(n ? n : 1, sizeof(*out->runs));
        p.rc = calloc(n ? n : 1, sizeof(*p.rc));
        p.err = calloc(n ? n : 1, sizeof(*p.err));
        p.part = calloc(n ? n : 1, sizeof(*p.part));
        p.held = calloc(n ? n : 1, sizeof(*p.held));
        if (out->runs == NULL || p.rc == NULL || p.err == NULL || p.part == NULL ||
            p.held == NULL || pthread_mutex_init(&p.lock, NULL) != 0) {
                free(p.rc);
                free(p.err);
                free(p.part);
                free(p.held);
                free(out->runs);
                out->runs = NULL;
                return sim_fail(e, SIM_FAILED, "out of memory");
        }
        run_pool(&p, jobs);
        pthread_mutex_destroy(&p.lock);
        /* the first failure in index order, as one worker would have met it;
         * every index below it has run */
        size_t failed = n;
        for (size_t i = 0; i < n && failed == n; i++)
                if (p.rc[i] < 0)
                        failed = i;
        int rc = failed < n ? p.rc[failed] : 0;
        if (failed < n)
                *e = p.err[failed];
        free(p.rc);
        free(p.err);
        free(p.part);
        free(p.held);
        out->handed_on = p.handed_on;
        out->n = n; /* a run that failed or never ran is empty: freeing it is harmless */
        if (rc < 0) {
                replications_free(out);
                return outcome_of(rc);
        }
        return SIM_OK;
}

/* ---- run.warmup: auto ------------------------------------------------------ */

/* Fills w from the runs of a pass without warm-up: MSER-5 on the mean of
 * their number-in-system series, and on each alone. */
static int find_warmup(const struct replications *pilot, struct rep_warmup *w)
{
        size_t n = pilot->n, rows = pilot->runs[0].series.nrows;
        for (size_t i = 1; i < n; i++)
                rows = pilot->runs[i].series.nrows < rows ? pilot->runs[i].series.nrows : rows;
        double *mean = calloc(rows ? rows : 1, sizeof(*mean));
        double *own = malloc((rows ? rows : 1) * sizeof(*own));
        w->own_ns = calloc(n, sizeof(*w->own_ns));
        w->own_settled = calloc(n, sizeof(*w->own_settled));
        if (!mean || !own || !w->own_ns || !w->own_settled) {
                free(mean);
                free(own);
                return AC_ENOMEM;
        }
        const struct sim_series *first = &pilot->runs[0].series;
        w->automatic = true;
        w->rows = rows;
        w->interval_ns = first->interval_ns;
        struct mser_result m;
        for (size_t i = 0; i < n; i++) {
                const struct sim_series *se = &pilot->runs[i].series;
                for (size_t k = 0; k < rows; k++) {
                        own[k] = se->rows[k].mean_in_system;
                        mean[k] += own[k] / (double)n;
                }
                int judged = mser5(own, rows, &m);
                w->own_settled[i] = judged == 0 && m.settled;
                w->own_ns[i] = m.truncate ? se->rows[m.truncate - 1].t_ns : 0;
        }
        int judged = mser5(mean, rows, &m);
        w->settled = judged == 0 && m.settled;
        w->truncate_rows = m.truncate;
        w->warmup_ns = m.truncate ? first->rows[m.truncate - 1].t_ns : 0;
        free(mean);
        free(own);
        return 0;
}

/* ---- run.precision ------------------------------------------------------------ */

/* The figures run.precision may name, with where they are in a summary. */
#define LATENCY_ENTRY(name, ...)                                                                   \
        {"latency_ns." #name,                                                                      \
         offsetof(struct replications, latency) + offsetof(struct rep_latency, name)},
#define THROUGHPUT_ENTRY(name, ...) {"throughput." #name, offsetof(struct replications, name)},
static const struct {
        const char *name;
        size_t offset; /* of its struct rep_figure in struct replications */
} precision_figures[] = {
    SIM_LATENCY_FIGURES(LATENCY_ENTRY) SIM_THROUGHPUT_FIGURES(THROUGHPUT_ENTRY){
        "mean_in_system", offsetof(struct replications, mean_in_system)},
};
#undef LATENCY_ENTRY
#undef THROUGHPUT_ENTRY
#define NPRECISION_FIGURES (sizeof(precision_figures) / sizeof(precision_figures[0]))

int replications_figure_index(const char *name)
{
        for (size_t i = 0; i < NPRECISION_FIGURES; i++)
                if (strcmp(precision_figures[i].name, name) == 0)
                        return (int)i;
        return -1;
}

const char *replications_figure_names(void)
{
        return "latency_ns.count, latency_ns.mean, latency_ns.p50, latency_ns.p90, "
               "latency_ns.p99, latency_ns.p999, latency_ns.max, throughput.requests_per_s, "
               "throughput.bytes_per_s, mean_in_system";
}

const struct rep_figure *replications_figure(const struct replications *r, int index)
{
        return (const struct rep_figure *)((const char *)r + precision_figures[index].offset);
}

double replications_run_figure(const struct sim_results *run, int index)
{
        int i = 0;
#define LATENCY_VALUE(name, ...)                                                                   \
        if (index == i++)                                                                          \
                return (double)run->latency.name;
#define THROUGHPUT_VALUE(name, ...)                                                                \
        if (index == i++)                                                                          \
                return (double)run->name;
        SIM_LATENCY_FIGURES(LATENCY_VALUE)
        SIM_THROUGHPUT_FIGURES(THROUGHPUT_VALUE)
#undef LATENCY_VALUE
#undef THROUGHPUT_VALUE
        return run->mean_in_system; /* the table's last */
}

bool replications_within(const struct scenario_run *run, size_t n, const double *mean,
                         const double *ci95, double *achieved)
{
        bool all = n >= 2;
        for (size_t i = 0; i < run->nprecision; i++) {
                const struct scenario_precision_target *t = &run->precision[i];
                double h =
                    t->relative ? (mean[i] != 0 ? ci95[i] / fabs(mean[i]) : INFINITY) : ci95[i];
                achieved[i] = h;
                all &= h <= t->half_width;
        }
        return all;
}

/* Fills r->precision.achieved from r's summary and returns true when
 * every metric of s's run.precision is within its target. */
static bool precise(const struct scenario *s, struct replications *r)
{
        double mean[SCENARIO_MAX_PRECISION], ci95[SCENARIO_MAX_PRECISION];
        for (size_t i = 0; i < s->run.nprecision; i++) {
                const struct rep_figure *f = replications_figure(r, s->run.precision[i].figure);
                mean[i] = f->mean;
                ci95[i] = f->ci95;
        }
        return replications_within(&s->run, r->n, mean, ci95, r->precision.achieved);
}

/* Appends the runs of `more` to out's, which hold `have`. */
static int append_runs(struct replications *out, size_t have, struct replications *more)
{
        struct sim_results *runs = realloc(out->runs, (have + more->n) * sizeof(*runs));
        if (runs == NULL)
                return AC_ENOMEM;
        memcpy(runs + have, more->runs, more->n * sizeof(*runs));
        out->runs = runs;
        free(more->runs);
        more->runs = NULL;
        more->n = 0;
        return 0;
}

/* run.precision: run.replications (at least 2) first, then batches of
 * `jobs` more, until every metric is within its target or the cap. After
 * each batch the prefixes are judged in index order and the first that is
 * precise enough is kept (the runs after it are dropped), so the result
 * is the smallest n that meets the targets whatever the batch size. */
static enum sim_outcome run_to_precision(const struct scenario *s, uint32_t first, unsigned jobs,
                                         const struct rep_progress *progress,
                                         struct replications *out, struct sim_error *e)
{
        uint32_t cap = s->run.max_replications;
        uint32_t start = s->run.replications > 2 ? s->run.replications : 2;
        start = start < cap ? start : cap;
        enum sim_outcome o = run_pass(s, first, start, jobs, progress, out, e);
        if (o != SIM_OK)
                return o;
        size_t total = start, judged = start - 1;
        out->precision.on = true;
        out->precision.cap = cap;
        out->precision.ntargets = s->run.nprecision;
        memcpy(out->precision.targets, s->run.precision, sizeof(s->run.precision));
        for (;;) {
                for (size_t k = judged + 1; k <= total; k++) {
                        out->n = k;
                        if (replications_summarize(out) < 0)
                                goto nomem;
                        if (precise(s, out)) {
                                for (size_t i = k; i < total; i++)
                                        sim_results_free(&out->runs[i]);
                                out->precision.reached = true;
                                return SIM_OK;
                        }
                }
                judged = total;
                if (total >= cap)
                        return SIM_OK; /* out->n == total, summarised: not reached */
                uint32_t batch = jobs > 1 ? jobs : 1;
                batch = batch < cap - total ? batch : (uint32_t)(cap - total);
                struct replications more;
                o = run_pass(s, first + (uint32_t)total, batch, jobs, progress, &more, e);
                if (o != SIM_OK) {
                        out->n = total;
                        replications_free(out);
                        return o;
                }
                if (append_runs(out, total, &more) < 0) {
                        replications_free(&more);
                        out->n = total;
                        goto nomem;
                }
                total += batch;
                out->n = total;
        }
nomem:
        out->n = total;
        replications_free(out);
        return sim_fail(e, SIM_FAILED, "out of memory");
}

/* ---- run.method: batch-means ----------------------------------------------- */

/* Batch means of the first run's rows that start at or after its
 * warm-up: the number in system and the ok callbacks per second. */
static int batch_run(struct replications *r)
{
        const struct sim_results *run = &r->runs[0];
        const struct sim_series *se = &run->series;
        double *in = malloc((se->nrows ? se->nrows : 1) * sizeof(*in));
        double *tp = malloc((se->nrows ? se->nrows : 1) * sizeof(*tp));
        if (in == NULL || tp == NULL) {
                free(in);
                free(tp);
                return AC_ENOMEM;
        }
        size_t k = 0;
        uint64_t start = 0; /* of the row */
        for (size_t i = 0; i < se->nrows; i++) {
                const struct sim_series_row *row = &se->rows[i];
                if (start >= run->warmup_ns && row->t_ns > start) {
                        in[k] = row->mean_in_system;
                        tp[k] = (double)row->completed * 1e9 / (double)(row->t_ns - start);
                        k++;
                }
                start = row->t_ns;
        }
        r->batches.on = true;
        r->batches.rows = k;
        batch_means(in, k, &r->batches.in_system);
        batch_means(tp, k, &r->batches.throughput);
        free(in);
        free(tp);
        return 0;
}

enum sim_outcome replications_run_jobs(const struct scenario *s, uint32_t first, uint32_t n,
                                       unsigned jobs, const struct rep_progress *progress,
                                       struct replications *out, struct sim_error *e)
{
        struct rep_warmup w = {0};
        enum sim_outcome o;
        if (s->run.warmup_auto) {
                struct scenario pilot_s = *s; /* read-only by sim_run: a shallow copy will do */
                pilot_s.run.warmup_ns = 0;
                struct replications pilot;
                o = run_pass(&pilot_s, first, n, jobs, progress, &pilot, e);
                if (o != SIM_OK)
                        return o;
                int rc = find_warmup(&pilot, &w);
                replications_free(&pilot);
                if (rc < 0) {
                        free(w.own_ns);
                        free(w.own_settled);
                        memset(out, 0, sizeof(*out));
                        return sim_fail(e, SIM_FAILED, "out of memory");
                }
                struct scenario cut = *s;
                cut.run.warmup_ns = w.warmup_ns;
                o = run_pass(&cut, first, n, jobs, progress, out, e);
        } else if (s->run.nprecision) {
                o = run_to_precision(s, first, jobs, progress, out, e);
        } else {
                o = run_pass(s, first, n, jobs, progress, out, e);
        }
        out->warmup = w;
        if (o != SIM_OK) {
                replications_free(out);
                return o;
        }
        if (replications_summarize(out) < 0 || (s->run.batch_means && batch_run(out) < 0)) {
                replications_free(out);
                return sim_fail(e, SIM_FAILED, "out of memory");
        }
        return SIM_OK;
}

/* Returns true when every run's counts add up (drain-capped runs aside,
 * whose unfinished requests have no outcome). */
static bool conserved(const struct replications *r)
{
        for (size_t i = 0; i < r->n; i++) {
                const struct sim_results *run = &r->runs[i];
                const struct sim_counts *c = &run->requests;
                if (!run->drain_capped && c->submitted != c->completed + c->failed + c->rejected)
                        return false;
        }
        return true;
}

enum sim_outcome replications_verdict(const struct replications *r, struct sim_error *e)
{
        uint64_t seed = r->n > 0 ? r->runs[0].seed : 0;
        if (r->drain_capped)
                return sim_fail(e, SIM_FAILED,
                                "FAILURE: the drain hit its cap with %" PRIu64
                                " request%s unfinished (seed %" PRIu64 ")",
                                r->unfinished, r->unfinished == 1 ? "" : "s", seed);
        if (!conserved(r))
                return sim_fail(
                    e, SIM_FAILED,
                    "FAILURE: submitted != completed + failed + rejected (seed %" PRIu64 ")", seed);
        if (r->precision.on && !r->precision.reached)
                return sim_fail(e, SIM_FAILED,
                                "FAILURE: run.precision: the targets were not reached in %zu "
                                "replications, the cap (run.precision.max_replications): see "
                                "summary.json's precision for the half-widths achieved (seed "
                                "%" PRIu64 ")",
                                r->n, seed);
        if (r->warmup.automatic && !r->warmup.settled)
                return sim_fail(e, SIM_FAILED,
                                "FAILURE: run.warmup: auto: the number in system never settles "
                                "(MSER-5 on the mean of %zu replications' series): no steady "
                                "state to measure, the figures are not steady-state figures "
                                "(seed %" PRIu64 ")",
                                r->n, seed);
        return SIM_OK;
}
