/*
 * sim/sweep/rounds.c - a group of a sweep's points run to a precision on
 * their paired differences (sim/sweep/rounds.h). Layout: a member and its
 * runs, the judgement of a prefix, the rounds, then the records each
 * member's summary.json carries.
 */
#include "sim/sweep/rounds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run/replicate.h"
#include "sim/sweep/collect.h"
#include "sim/sweep/key.h"
#include "sim/sweep/saved.h"

/* One point of the group while it runs. */
struct member {
        size_t point;
        struct scenario sc;
        bool loaded;
        struct replications r; /* the runs so far, in index order; r.n of them */
        bool open;             /* still short of its targets */
        bool reached;          /* met them, at n replications */
        size_t n;              /* replications it keeps */
        size_t saved;          /* runs in its saved file (sim/sweep/saved.h) */
};

/* What the rounds need of the sweep to save the runs between them. */
struct keeping {
        const struct sweep_plan *p;
        const char *out;
        const struct sweep_hooks *hooks;
};

/* Tells the hooks a reason for a failure. */
static void tell(const struct sweep_hooks *hooks, const struct sim_error *e)
{
        if (hooks && hooks->failed)
                hooks->failed(hooks->ctx, e);
}

/* Runs replications have .. want - 1 of m on `threads` threads and
 * appends them to its runs. Returns SIM_OK, or the outcome with the
 * reason in e. */
static enum sim_outcome extend(struct member *m, size_t want, unsigned threads, struct sim_error *e)
{
        size_t have = m->r.n;
        if (want <= have)
                return SIM_OK;
        struct scenario s = m->sc; /* read-only by the runs: a shallow copy will do */
        s.run.nprecision = 0;      /* just these replications */
        struct replications more;
        enum sim_outcome o = replications_run_jobs(&s, (uint32_t)have, (uint32_t)(want - have),
                                                   threads, NULL, &more, e);
        if (o != SIM_OK)
                return o;
        struct sim_results *runs = realloc(m->r.runs, want * sizeof(*runs));
        if (runs == NULL) {
                replications_free(&more);
                return sim_fail(e, SIM_FAILED, "out of memory");
        }
        memcpy(runs + have, more.runs, (want - have) * sizeof(*runs));
        m->r.runs = runs;
        m->r.n = want;
        free(more.runs); /* the runs are m's now */
        more.runs = NULL;
        more.n = 0;
        replications_free(&more);
        return SIM_OK;
}

/* Judges x's paired difference from b over their first k replications
 * (sweep_pair_within()): fills diff[] and achieved[] per target and
 * returns 1 when every target is met, 0 when not, -1 when out of memory. */
static int judge_pair(const struct scenario_run *run, const struct member *x,
                      const struct member *b, size_t k, double *diff, double *achieved)
{
        double *xs[SCENARIO_MAX_PRECISION] = {0}, *bs[SCENARIO_MAX_PRECISION] = {0};
        int met = -1;
        for (size_t t = 0; t < run->nprecision; t++) {
                xs[t] = malloc(k * sizeof(double));
                bs[t] = malloc(k * sizeof(double));
                if (xs[t] == NULL || bs[t] == NULL)
                        goto out;
                for (size_t i = 0; i < k; i++) {
                        xs[t][i] = replications_run_figure(&x->r.runs[i], run->precision[t].figure);
                        bs[t][i] = replications_run_figure(&b->r.runs[i], run->precision[t].figure);
                }
        }
        met = sweep_pair_within(run, xs, bs, k, diff, achieved);
out:
        for (size_t t = 0; t < run->nprecision; t++) {
                free(xs[t]);
                free(bs[t]);
        }
        return met;
}

/* Judges m's own interval over its first k replications, as acsim run
 * does: fills achieved[] and returns true when every target is met, or
 * -1 when out of memory. */
static int judge_own(const struct scenario_run *run, struct member *m, size_t k, double *achieved)
{
        struct replications prefix = {.n = k, .runs = m->r.runs};
        if (replications_summarize(&prefix) < 0)
                return -1;
        double mean[SCENARIO_MAX_PRECISION], ci95[SCENARIO_MAX_PRECISION];
        for (size_t t = 0; t < run->nprecision; t++) {
                const struct rep_figure *f = replications_figure(&prefix, run->precision[t].figure);
                mean[t] = f->mean;
                ci95[t] = f->ci95;
        }
        bool met = replications_within(run, k, mean, ci95, achieved);
        prefix.n = 0; /* the runs are m's: release the summary alone */
        prefix.runs = NULL;
        replications_free(&prefix);
        return met;
}

/* The rounds: see rounds.h. Fills every member's n and reached. Returns
 * SIM_OK, or the outcome with the reason in e. */
static enum sim_outcome rounds(const struct scenario_run *run, struct member *m, size_t g, size_t b,
                               unsigned threads, const struct keeping *keep, struct sim_error *e)
{
        size_t cap = run->max_replications;
        size_t start = run->replications > 2 ? run->replications : 2;
        start = start < cap ? start : cap;
        size_t step = threads > 1 ? threads : 1;
        double diff[SCENARIO_MAX_PRECISION], achieved[SCENARIO_MAX_PRECISION];
        size_t open = 0;
        for (size_t x = 0; x < g; x++) {
                m[x].open = g == 1 || x != b;
                open += m[x].open;
        }
        for (size_t judged = start - 1, want = start;;) {
                for (size_t x = 0; x < g; x++) {
                        enum sim_outcome o =
                            m[x].open || x == b ? extend(&m[x], want, threads, e) : SIM_OK;
                        if (o != SIM_OK)
                                return o;
                        /* saved each time they have doubled: a resumed group keeps at
                         * least half its runs, and the writes add up to twice them */
                        if (m[x].r.n >= 2 * m[x].saved && m[x].r.n > m[x].saved) {
                                struct sim_error se;
                                if (sweep_saved_write(keep->p, keep->out, m[x].point, &m[x].r,
                                                      &se) < 0)
                                        tell(keep->hooks, &se); /* a cache: the run goes on */
                                else
                                        m[x].saved = m[x].r.n;
                        }
                }
                for (size_t k = judged + 1; k <= want && open; k++) {
                        for (size_t x = 0; x < g; x++) {
                                if (!m[x].open)
                                        continue;
                                int met = g == 1 ? judge_own(run, &m[x], k, achieved)
                                                 : judge_pair(run, &m[x], &m[b], k, diff, achieved);
                                if (met < 0)
                                        return sim_fail(e, SIM_FAILED, "out of memory");
                                if (met) {
                                        m[x].open = false;
                                        m[x].reached = true;
                                        m[x].n = k;
                                        open--;
                                }
                        }
                }
                judged = want;
                if (open == 0)
                        break;
                if (want >= cap) {
                        for (size_t x = 0; x < g; x++)
                                if (m[x].open) {
                                        m[x].open = false;
                                        m[x].n = cap;
                                }
                        break;
                }
                want = want + step < cap ? want + step : cap;
        }
        if (g > 1) { /* the baseline: as many as any of its pairs, and met when they all are */
                m[b].n = 0;
                m[b].reached = true;
                for (size_t x = 0; x < g; x++) {
                        if (x == b)
                                continue;
                        m[b].n = m[x].n > m[b].n ? m[x].n : m[b].n;
                        m[b].reached &= m[x].reached;
                }
        }
        return SIM_OK;
}

/* Cuts m's runs to its n, summarises them and fills the precision its
 * summary.json records: its own interval, and for a paired member its
 * difference from b's first n replications. Returns 0 or -1 (memory). */
static int settle(const struct sweep_plan *p, const struct scenario_run *run, struct member *m,
                  const struct member *b, bool paired)
{
        for (size_t i = m->n; i < m->r.n; i++)
                sim_results_free(&m->r.runs[i]);
        m->r.n = m->n;
        if (replications_summarize(&m->r) < 0)
                return -1;
        struct rep_precision *pr = &m->r.precision;
        pr->on = true;
        pr->reached = m->reached;
        pr->cap = run->max_replications;
        pr->ntargets = run->nprecision;
        memcpy(pr->targets, run->precision, sizeof(run->precision));
        double mean[SCENARIO_MAX_PRECISION], ci95[SCENARIO_MAX_PRECISION];
        for (size_t t = 0; t < run->nprecision; t++) {
                const struct rep_figure *f = replications_figure(&m->r, run->precision[t].figure);
                mean[t] = f->mean;
                ci95[t] = f->ci95;
        }
        replications_within(run, m->n, mean, ci95, pr->achieved);
        if (paired) {
                pr->baseline = p->points[b->point].dir;
                if (judge_pair(run, m, b, m->n, pr->diff_mean, pr->diff_achieved) < 0)
                        return -1;
        }
        return 0;
}

enum sim_outcome sweep_run_group(const struct sweep_plan *p, const char *out, size_t point,
                                 unsigned threads, const struct sweep_hooks *hooks)
{
        size_t g = sweep_group_size(p);
        size_t b = p->policy_key == SWEEP_NO_KEY ? 0 : p->baseline;
        struct member *m = calloc(g, sizeof(*m));
        struct sim_error e, said;
        enum sim_outcome o = SIM_OK;
        if (m == NULL) {
                sim_fail(&e, 0, "%s: out of memory", p->points[point].dir);
                tell(hooks, &e);
                return SIM_FAILED;
        }
        for (size_t x = 0; x < g && o == SIM_OK; x++) {
                struct diag dg;
                diag_init(&dg);
                m[x].point = sweep_group_member(p, point, x);
                if (sweep_point_scenario(p, m[x].point, &dg, &m[x].sc) != 0) {
                        if (hooks && hooks->unloaded)
                                hooks->unloaded(hooks->ctx, &dg);
                        o = SIM_BAD_INPUT;
                } else {
                        m[x].loaded = true;
                }
                diag_free(&dg);
                if (o == SIM_OK && sweep_key_forget(p, out, m[x].point, &e) < 0) {
                        tell(hooks, &e);
                        o = SIM_BAD_INPUT;
                }
        }
        for (size_t x = 0; x < g && o == SIM_OK; x++) /* what a stopped run kept */
                m[x].saved = sweep_saved_read(p, out, m[x].point, &m[x].r);
        if (o == SIM_OK) {
                struct keeping keep = {p, out, hooks};
                o = rounds(&m[0].sc.run, m, g, b, threads, &keep, &e);
                if (o != SIM_OK) {
                        sim_fail(&said, 0, "%s: %s", p->points[m[b].point].dir, e.msg);
                        tell(hooks, &said);
                }
        }
        for (size_t x = 0; x < g && o == SIM_OK; x++)
                if (settle(p, &m[0].sc.run, &m[x], &m[b], g > 1 && x != b) < 0) {
                        sim_fail(&said, 0, "%s: out of memory", p->points[m[x].point].dir);
                        tell(hooks, &said);
                        o = SIM_FAILED;
                }
        if (o == SIM_OK) { /* every member in place (or failing), then their keys */
                for (size_t x = 0; x < g; x++)
                        o = sim_outcome_worse(
                            o, sweep_point_finish(p, out, m[x].point, &m[x].sc, &m[x].r, hooks));
                for (size_t x = 0; x < g; x++) /* decided: the saved runs are done with */
                        sweep_saved_forget(p, out, m[x].point);
        }
        for (size_t x = 0; x < g; x++) {
                replications_free(&m[x].r);
                if (m[x].loaded)
                        scenario_free(&m[x].sc);
        }
        free(m);
        return o;
}
