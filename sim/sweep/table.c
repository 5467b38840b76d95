/*
 * sim/sweep/table.c - the comparison table (sim/sweep/table.h).
 *
 * A figure and its half-width share one unit, chosen from the figure (for
 * a difference: from the baseline's figure, so a column keeps its unit)
 * and one precision: three significant digits of the figure (of the
 * baseline's, for a difference), one decimal more when the half-width
 * would read 0 (and no more: then it is 0 at the precision that counts).
 */
#include "sim/sweep/table.h"

#include <math.h>
#include <string.h>

#include "sim/load/scenario_load.h"

#define LABEL_W 24 /* the policy column */
#define CELL_W  19 /* each figure column */

struct unit {
        double scale; /* divide by it */
        const char *name;
};

/* Returns the unit of x among names, the units of 1, 1e3, 1e6 and 1e9:
 * the largest that |x| reaches (the last when |x| is not a number). */
static struct unit ladder(double x, const char *const names[4])
{
        double a = fabs(x), scale = 1;
        size_t i = 0;
        for (; i < 3 && !(a < scale * 1e3); i++)
                scale *= 1e3;
        return (struct unit){scale, names[i]};
}

static struct unit time_unit(double ns)
{
        static const char *const names[] = {"ns", "us", "ms", "s"};
        return ladder(ns, names);
}

static struct unit rate_unit(double per_s)
{
        static const char *const names[] = {"/s", "k/s", "M/s", "G/s"};
        return ladder(per_s, names);
}

/* Returns the decimals that show x with `sig` significant digits (0..6). */
static int decimals(double x, int sig)
{
        if (x == 0 || !isfinite(x))
                return 0;
        int d = sig - 1 - (int)floor(log10(fabs(x)));
        return d < 0 ? 0 : d > 6 ? 6 : d;
}

/* Returns the decimals for a figure shown with three significant digits
 * (or, for a difference, at the precision of the figure `ref` it differs
 * from) and its half-width ci: more when ci would otherwise read 0. */
static int shared_decimals(double ref, double ci)
{
        int d = decimals(ref, 3);
        if (isfinite(ci) && ci > 0 && ci * pow(10, d) < 0.5 && d < 6)
                d++; /* one more, no further: a figure is not known that well */
        return d;
}

/* "12.3 us +- 0.2"; "12.3 us" with no interval (ci < 0); "+- n/a" for a
 * NaN ci. ref sets the precision; sign prints '+' on positive x. */
static void cell(char *buf, size_t cap, double x, double ci, double ref, struct unit u, bool sign)
{
        int d = shared_decimals(ref / u.scale, ci / u.scale);
        if (!isfinite(x))
                snprintf(buf, cap, "n/a");
        else if (ci < 0)
                snprintf(buf, cap, sign ? "%+.*f %s" : "%.*f %s", d, x / u.scale, u.name);
        else if (!isfinite(ci))
                snprintf(buf, cap, sign ? "%+.*f %s +- n/a" : "%.*f %s +- n/a", d, x / u.scale,
                         u.name);
        else
                snprintf(buf, cap, sign ? "%+.*f %s +- %.*f" : "%.*f %s +- %.*f", d, x / u.scale,
                         u.name, d, ci / u.scale);
}

/* "-19.8% +- 1.2%": one decimal, two when the half-width needs them. */
static void cell_pct(char *buf, size_t cap, const struct sweep_diff *d, const struct rep_figure *b,
                     bool ci)
{
        if (!isfinite(d->relative)) {
                snprintf(buf, cap, "n/a");
                return;
        }
        if (!ci) {
                snprintf(buf, cap, "%+.1f%%", d->relative);
                return;
        }
        double rel_ci = b->mean != 0 ? 100.0 * d->ci95 / fabs(b->mean) : NAN;
        int n = isfinite(rel_ci) && rel_ci > 0 && rel_ci < 0.05 ? 2 : 1;
        snprintf(buf, cap, "%+.*f%% +- %.*f%%", n, d->relative, n, rel_ci);
}

static void line(FILE *out, const char *label, const char *c0, const char *c1, const char *c2)
{
        if (strlen(label) >= LABEL_W) {
                /* on a line of its own, broken after commas to keep 80 columns */
                size_t col = 0;
                while (*label) {
                        size_t n = strcspn(label, ",");
                        n += label[n] == ',';
                        if (col > 0 && col + n > SWEEP_TABLE_WIDTH) {
                                fputs("\n  ", out);
                                col = 2;
                        }
                        col += (size_t)fprintf(out, "%.*s", (int)n, label);
                        label += n;
                }
                fputc('\n', out);
                label = "";
        }
        fprintf(out, "%-*s", LABEL_W, label);
        const char *cells[] = {c0, c1};
        for (int i = 0; i < 2; i++)
                fprintf(out, "%-*s%s", CELL_W, cells[i], strlen(cells[i]) >= CELL_W ? " " : "");
        fprintf(out, "%s\n", c2);
}

/* "  rejected 1.20%  failed 0.05%  backlogged 4.50%": the requests a
 * point lost or held back, as percentages of those submitted; nothing
 * when all three are 0. */
static void losses(FILE *out, const struct sweep_result *r)
{
        const struct rep_counts *c = &r->requests;
        double sub = c->submitted.mean;
        if (!(sub > 0) || (c->rejected.mean == 0 && c->failed.mean == 0 && c->backlogged.mean == 0))
                return;
        struct {
                const char *name;
                double x;
        } f[] = {{"rejected", c->rejected.mean},
                 {"failed", c->failed.mean},
                 {"backlogged", c->backlogged.mean}};
        fprintf(out, "%*s", 2, "");
        for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
                double pct = 100 * f[i].x / sub;
                int d = pct < 1 ? 3 : pct < 10 ? 2 : pct < 100 ? 1 : 0;
                if (pct == 0)
                        fprintf(out, "  %s 0", f[i].name);
                else if (pct < 0.001)
                        fprintf(out, "  %s <0.001%%", f[i].name);
                else
                        fprintf(out, "  %s %.*f%%", f[i].name, d, pct);
        }
        fprintf(out, " of submitted\n");
}

static void figures(FILE *out, const char *label, const struct sweep_result *r)
{
        char a[96], b[96], c[96];
        bool ci = r->n > 1;
        cell(a, sizeof(a), r->latency.mean.mean, ci ? r->latency.mean.ci95 : -1,
             r->latency.mean.mean, time_unit(r->latency.mean.mean), false);
        cell(b, sizeof(b), r->latency.p99.mean, ci ? r->latency.p99.ci95 : -1, r->latency.p99.mean,
             time_unit(r->latency.p99.mean), false);
        cell(c, sizeof(c), r->requests_per_s.mean, ci ? r->requests_per_s.ci95 : -1,
             r->requests_per_s.mean, rate_unit(r->requests_per_s.mean), false);
        char l[128];
        snprintf(l, sizeof(l), "%s%s", label, r->failure ? " !" : "");
        line(out, l, a, b, c);
        losses(out, r);
}

static void differences(FILE *out, const char *base, const struct sweep_result *r,
                        const struct sweep_result *b)
{
        char a[96], p[96], t[96], l[160];
        const struct sweep_diff *d = r->diff;
        bool ci = r->n > 1;
        /* cell() prints "n/a" for a NaN half-width */
        cell(a, sizeof(a), d[SWEEP_LATENCY_MEAN].mean, ci ? d[SWEEP_LATENCY_MEAN].ci95 : NAN,
             b->latency.mean.mean, time_unit(b->latency.mean.mean), true);
        cell(p, sizeof(p), d[SWEEP_LATENCY_P99].mean, ci ? d[SWEEP_LATENCY_P99].ci95 : NAN,
             b->latency.p99.mean, time_unit(b->latency.p99.mean), true);
        cell(t, sizeof(t), d[SWEEP_REQUESTS_PER_S].mean, ci ? d[SWEEP_REQUESTS_PER_S].ci95 : NAN,
             b->requests_per_s.mean, rate_unit(b->requests_per_s.mean), true);
        snprintf(l, sizeof(l), "  - %s", base);
        line(out, l, a, p, t);
        cell_pct(a, sizeof(a), &d[SWEEP_LATENCY_MEAN], &b->latency.mean, ci);
        cell_pct(p, sizeof(p), &d[SWEEP_LATENCY_P99], &b->latency.p99, ci);
        cell_pct(t, sizeof(t), &d[SWEEP_REQUESTS_PER_S], &b->requests_per_s, ci);
        line(out, "", a, p, t);
}

/* The group's heading: every assignment of the point but engine.policy,
 * values in their short form (a swept mapping by what differs), broken
 * between assignments to keep SWEEP_TABLE_WIDTH columns, the last line
 * filled with dashes. */
static void heading(FILE *out, const struct sweep_plan *p, size_t q)
{
        const struct scenario *s = &p->base;
        int col = 0;
        for (size_t k = 0; k < s->nsweep; k++) {
                if (k == p->policy_key)
                        continue;
                char v[256], item[512];
                scenario_sweep_short(s, q, k, v, sizeof(v));
                int w = snprintf(item, sizeof(item), "%s=%s", s->sweep[k].key, v);
                if (w < 0)
                        continue;
                if (col == 0)
                        col = fprintf(out, "--");
                else if (col + 1 + w > SWEEP_TABLE_WIDTH - 3) {
                        fputs("\n  ", out);
                        col = 2;
                }
                col += fprintf(out, " %s", item);
        }
        if (col == 0)
                return;
        int dashes = SWEEP_TABLE_WIDTH - col - 1;
        fprintf(out, " %.*s\n", dashes > 2 ? dashes : 2,
                "--------------------------------------------------------------------------------");
}

/* A half-width as its target states it: a percentage or in the unit. */
static void half_width(FILE *out, const struct scenario_precision_target *t, double h)
{
        if (!isfinite(h))
                fputs("n/a", out);
        else if (t->relative)
                fprintf(out, "%.3g%%", 100 * h);
        else
                fprintf(out, "%.4g", h);
}

/* run.precision (sim/sweep/rounds.h): the targets, then per point its
 * replications, whether it met its rule, and each half-width achieved,
 * its own and its paired difference's; the last line says plainly
 * whether every point met it. */
static void precision(FILE *out, const struct sweep_plan *p, const struct sweep_collection *c)
{
        const struct scenario_run *run = &p->base.run;
        bool groups = c->baseline != SWEEP_NO_KEY && sweep_group_size(p) > 1;
        fprintf(out, "precision (run.precision, cap %u):", run->max_replications);
        for (size_t t = 0; t < run->nprecision; t++) {
                fprintf(out, "%s %s ", t ? "," : "", run->precision[t].metric);
                half_width(out, &run->precision[t], run->precision[t].half_width);
        }
        fprintf(out, "\n%s\n",
                groups ? "  on each policy's paired difference from the baseline\n"
                         "  (a percentage: of the baseline's mean)"
                       : "  on each point's own interval");
        for (size_t q = 0; q < c->npoints; q++) {
                const struct sweep_result *r = &c->results[q];
                bool base = groups && r->baseline == q;
                fprintf(out, "  %s: %zu replications%s, %s\n", p->points[q].dir, r->n,
                        base ? " (baseline)" : "", r->reached ? "reached" : "NOT reached (cap)");
                for (size_t t = 0; t < run->nprecision; t++) {
                        fprintf(out, "    %s: own ", run->precision[t].metric);
                        half_width(out, &run->precision[t], r->own_achieved[t]);
                        if (groups && !base) {
                                fputs(", difference ", out);
                                half_width(out, &run->precision[t], r->diff_achieved[t]);
                        }
                        fputc('\n', out);
                }
        }
        if (c->capped)
                fprintf(out,
                        "precision: NOT reached at %zu of %zu points (stopped at the cap, %u)\n\n",
                        c->capped, c->npoints, run->max_replications);
        else
                fprintf(out, "precision: every target reached\n\n");
}

static void columns(FILE *out)
{
        line(out, "", "latency mean", "latency p99", "requests/s");
}

void sweep_table_print(FILE *out, const struct sweep_plan *p, const struct sweep_collection *c)
{
        const struct scenario *s = &p->base;
        size_t nmax = 0;
        for (size_t q = 0; q < c->npoints; q++)
                nmax = c->results[q].n > nmax ? c->results[q].n : nmax;
        fprintf(out, "acsim %s  sweep %s  %zu point%s  seed %llu  replications %zu%s\n",
                ACSIM_VERSION, s->name, p->npoints, p->npoints == 1 ? "" : "s",
                (unsigned long long)s->seed, c->replications_min,
                nmax != c->replications_min ? "+" : "");
        bool paired = c->baseline != SWEEP_NO_KEY;
        /* a policy by its short form: a variant by its name */
        char base_buf[128], name[128];
        const char *base = NULL;
        if (paired) {
                scenario_sweep_short(s, sweep_point_with(p, 0, p->policy_key, c->baseline),
                                     p->policy_key, base_buf, sizeof(base_buf));
                base = base_buf;
        }
        if (paired)
                fprintf(out, "baseline %s; every policy at a point ran the same seeds\n", base);
        fputc('\n', out);

        if (!paired) {
                columns(out);
                for (size_t q = 0; q < c->npoints; q++)
                        figures(out,
                                p->points[q].label[0] ? p->points[q].label : c->results[q].policy,
                                &c->results[q]);
        } else {
                size_t npol = s->sweep[p->policy_key].nvalues;
                for (size_t q = 0; q < c->npoints; q++) {
                        if (sweep_point_value(p, q, p->policy_key) != 0)
                                continue; /* a group starts at its first policy */
                        heading(out, p, q);
                        columns(out);
                        size_t bq = sweep_point_with(p, q, p->policy_key, c->baseline);
                        figures(out, base, &c->results[bq]);
                        for (size_t v = 0; v < npol; v++) {
                                if (v == c->baseline)
                                        continue;
                                size_t x = sweep_point_with(p, q, p->policy_key, v);
                                scenario_sweep_short(s, x, p->policy_key, name, sizeof(name));
                                figures(out, name, &c->results[x]);
                                differences(out, base, &c->results[x], &c->results[bq]);
                        }
                        fputc('\n', out);
                }
        }

        if (!paired)
                fputc('\n', out);
        if (c->precise)
                precision(out, p, c);
        fprintf(out, "+- are 95%% confidence half-widths over the replications (Student t;\n"
                     "for p99, of the pooled latencies, the wider side of a bootstrap\n"
                     "interval). Requests rejected, failed or backlogged are shown under\n"
                     "a row when not 0, in percent of those submitted.\n");
        if (paired)
                fprintf(out,
                        "'- %s' rows: the paired difference from %s,\n"
                        "the mean over the replications of (policy - %s), which ran the same\n"
                        "seeds, absolute and relative to %s's mean; negative latency and\n"
                        "positive throughput are better.\n",
                        base, base, base, base);
        if (c->replications_min < 2)
                fprintf(out, "n/a: one replication gives no confidence interval; set\n"
                             "run.replications >= 3 (--set run.replications=3).\n");
        if (c->failure)
                fprintf(out, "!: a run of this point FAILED (the drain hit its cap or the counts\n"
                             "do not add up); see its summary.json.\n");
}
