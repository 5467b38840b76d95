/*
 * sim/report/compare.c - the verdict on each figure and the comparison table of
 * `acsim compare` (the rules are in sim/report/compare.h and docs/regressions.md).
 *
 * Layout: the verdict, the figures compared (one table), reading a figure
 * and its interval out of a summary, one block of the table (a run or a
 * sweep point), the whole table.
 */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/compare.h"
#include "sim/report/compare_set.h"
#include "sim/report/text.h"
#include "sim/results/write_json.h"
#include "sim/run/figures.h"
#include "sim/run/replicate.h"

/* ---- the verdict -------------------------------------------------------- */

enum compare_verdict compare_judge(const struct compare_rule *rule,
                                   const struct compare_value *base,
                                   const struct compare_value *now)
{
        if (!base->present || !now->present)
                return COMPARE_NA;
        double d = now->x - base->x;
        double moved = fabs(d);
        if (moved <= rule->floor || moved <= rule->threshold_pct / 100 * fabs(base->x))
                return COMPARE_OK;
        if (base->interval && now->interval && moved <= base->h + now->h)
                return COMPARE_NOISE; /* [x - h, x + h] overlap */
        bool worse = rule->better == COMPARE_LOWER ? d > 0 : d < 0;
        return worse ? COMPARE_REGRESSION : COMPARE_BETTER;
}

enum compare_verdict compare_judge_paired(const struct compare_rule *rule,
                                          const struct compare_value *base,
                                          const struct compare_paired *p)
{
        if (!base->present || !isfinite(p->d) || !isfinite(p->hd))
                return COMPARE_NA;
        double moved = fabs(p->d);
        if (moved <= rule->floor || moved <= rule->threshold_pct / 100 * fabs(base->x))
                return COMPARE_OK;
        if (moved <= p->hd)
                return COMPARE_NOISE; /* the paired interval holds 0 */
        bool worse = rule->better == COMPARE_LOWER ? p->d > 0 : p->d < 0;
        return worse ? COMPARE_REGRESSION : COMPARE_BETTER;
}

const char *compare_verdict_name(enum compare_verdict v)
{
        switch (v) {
        case COMPARE_OK:
                return "ok";
        case COMPARE_BETTER:
                return "better";
        case COMPARE_NOISE:
                return "noise (CI)";
        case COMPARE_REGRESSION:
                return "REGRESSION";
        case COMPARE_NA:
                break;
        }
        return "-";
}

/* ---- the figures compared ------------------------------------------------ */

enum figure_kind {
        KIND_TIME,     /* ns, shown as "24.1 us" */
        KIND_RATE,     /* per second, "639 k/s" */
        KIND_FRACTION, /* percent of submitted requests, "0.12%" */
        KIND_COUNT,    /* a plain number */
};

/* Where a figure is in a summary (struct replications) or a class. */
enum figure_place {
        IN_LATENCY,    /* a struct rep_figure of struct rep_latency */
        IN_COUNTS,     /* a struct rep_figure of struct rep_counts */
        IN_THROUGHPUT, /* requests_per_s */
        IN_DRAIN,      /* the runs whose drain hit its cap */
};

struct figure {
        const char *label; /* in the table */
        enum figure_place place;
        size_t offset;         /* of the struct rep_figure in its struct */
        bool shown;            /* compared at all (sim/run/figures.h, SIM_SHOW_COMPARE) */
        enum figure_kind kind; /* FRACTION: of requests.submitted, in percent */
        enum compare_better better;
        bool run_only;   /* not per class */
        bool if_nonzero; /* a row only when a side is not 0 */
};

/* The rows of the table in order: the latency and count figures of
 * sim/run/figures.h (counts as a percentage of submitted), the throughput
 * and the drain cap. */
#define ROW(label, place, offset, shown, kind, better, run_only, if_nonzero)                       \
        {label, place, offset, shown, kind, better, run_only, if_nonzero},
#define LATENCY_ROW(name, kind, label, shown)                                                      \
        ROW("lat " label, IN_LATENCY, offsetof(struct rep_latency, name),                          \
            ((shown)&SIM_SHOW_COMPARE) != 0, KIND_TIME, COMPARE_LOWER, false, false)
#define COUNT_ROW(name, kind, label, shown)                                                        \
        ROW(#name, IN_COUNTS, offsetof(struct rep_counts, name), ((shown)&SIM_SHOW_COMPARE) != 0,  \
            KIND_FRACTION, COMPARE_LOWER, false, false)

/* clang-format off */
static const struct figure figures[] = {
        SIM_LATENCY_FIGURES(LATENCY_ROW)
        ROW("throughput", IN_THROUGHPUT, 0, true, KIND_RATE, COMPARE_HIGHER, false, false)
        SIM_COUNT_FIGURES(COUNT_ROW)
        ROW("drain cap", IN_DRAIN, 0, true, KIND_COUNT, COMPARE_LOWER, true, true)
};
/* clang-format on */
#define NFIGURES (sizeof(figures) / sizeof(figures[0]))

/* Settings that should match for a comparison to mean much; a difference
 * is noted in the block, not judged. */
static const char *const settings[] = {
    "scenario", "policy", "seed", "replications", "duration_ns", "warmup_ns", "acsim_version",
};

/* ---- reading a figure ------------------------------------------------------ */

/* The figures of the whole run or of one class, in one replication or
 * over all of them. */
struct holder {
        const struct rep_latency *latency;
        const struct rep_counts *counts;
        const struct rep_figure *requests_per_s;
        double drain_capped;
};

/* Returns the figure f of h (its mean, and its half-width in *h95). */
static double figure_at(const struct figure *f, const struct holder *h, double *h95)
{
        const struct rep_figure *x = NULL;
        switch (f->place) {
        case IN_LATENCY:
                x = (const struct rep_figure *)((const char *)h->latency + f->offset);
                break;
        case IN_COUNTS:
                x = (const struct rep_figure *)((const char *)h->counts + f->offset);
                break;
        case IN_THROUGHPUT:
                x = h->requests_per_s;
                break;
        case IN_DRAIN:
                *h95 = NAN;
                return h->drain_capped;
        }
        *h95 = x->ci95;
        return x->mean;
}

/* Returns true and sets *x to the figure f of h when it is a finite
 * number (a fraction: of a positive number submitted). */
static bool figure_of(const struct figure *f, const struct holder *h, double *x)
{
        double h95;
        *x = figure_at(f, h, &h95);
        if (!isfinite(*x))
                return false;
        if (f->kind == KIND_FRACTION) {
                double submitted = h->counts->submitted.mean;
                if (!isfinite(submitted) || submitted <= 0)
                        return false;
                *x = 100 * *x / submitted;
        }
        return true;
}

/* Returns the class named name of r, or NULL. */
static const struct rep_class *class_named(const struct replications *r, const char *name)
{
        for (size_t k = 0; k < r->nclasses; k++)
                if (strcmp(r->classes[k].name, name) == 0)
                        return &r->classes[k];
        return NULL;
}

/* The holder of the run r or of its class named cls (NULL: the run).
 * Returns false when it has no such class. */
static bool holder_of(const struct replications *r, const char *cls, struct holder *h)
{
        if (cls == NULL) {
                *h = (struct holder){&r->latency, &r->requests, &r->requests_per_s,
                                     (double)r->drain_capped};
                return true;
        }
        const struct rep_class *c = class_named(r, cls);
        if (c)
                *h = (struct holder){&c->latency, &c->requests, &c->requests_per_s, 0};
        return c != NULL;
}

/* The holder of one replication's own figures (as means, no half-widths). */
struct run_holder {
        struct rep_latency latency;
        struct rep_counts counts;
        struct rep_figure requests_per_s;
        struct holder h;
};

static bool run_holder_of(const struct sim_results *run, const char *cls, struct run_holder *rh)
{
        const struct sim_counts *c = &run->requests;
        const struct sim_latency *l = &run->latency;
        double rq = run->requests_per_s;
        if (cls) {
                size_t k = 0;
                while (k < run->nclasses && strcmp(run->classes[k].name, cls) != 0)
                        k++;
                if (k == run->nclasses)
                        return false;
                c = &run->classes[k].requests;
                l = &run->classes[k].latency;
                rq = run->classes[k].requests_per_s;
        }
#define COPY_COUNT(name, ...)                                                                      \
        rh->counts.name = (struct rep_figure){.mean = (double)c->name, .ci95 = NAN};
        SIM_COUNT_FIGURES(COPY_COUNT)
#undef COPY_COUNT
#define COPY_LATENCY(name, ...)                                                                    \
        rh->latency.name = (struct rep_figure){.mean = (double)l->name, .ci95 = NAN};
        SIM_LATENCY_FIGURES(COPY_LATENCY)
#undef COPY_LATENCY
        rh->requests_per_s = (struct rep_figure){.mean = rq, .ci95 = NAN};
        rh->h = (struct holder){&rh->latency, &rh->counts, &rh->requests_per_s,
                                (double)run->drain_capped};
        return true;
}

/* Returns figure f of the run summary s, for the class named cls (NULL:
 * the whole run), with its 95% half-width: the one summary.json gives
 * (ci95 of latency and throughput, with replications), else one computed
 * from the replications' own figures (replications_detail, fractions
 * only), else none. */
static struct compare_value value_of(const struct figure *f, const struct result_summary *s,
                                     const char *cls)
{
        struct compare_value v = {0};
        struct holder h;
        if (!holder_of(&s->r, cls, &h) || !figure_of(f, &h, &v.x))
                return v;
        v.present = true;
        double h95;
        figure_at(f, &h, &h95);
        if ((f->place == IN_LATENCY || f->place == IN_THROUGHPUT) && s->r.n > 1 && isfinite(h95)) {
                v.interval = true;
                v.h = h95;
                return v;
        }
        size_t n = s->r.n;
        if (n < 2 || f->kind != KIND_FRACTION)
                return v;
        double *xs = calloc(n, sizeof(*xs));
        if (xs == NULL)
                return v;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                struct run_holder rh;
                if (run_holder_of(&s->r.runs[i], cls, &rh) && figure_of(f, &rh.h, &xs[k]))
                        k++;
        }
        if (k == n) {
                replications_ci95(xs, n, &v.h);
                v.interval = true;
        }
        free(xs);
        return v;
}

/* Returns true when the two summaries ran the same replications (at
 * least two, the same stream seeds in the same order), so that their
 * figures pair up replication by replication. */
static bool pairs_up(const struct result_summary *bs, const struct result_summary *ns)
{
        if (bs->r.n < 2 || bs->r.n != ns->r.n || !bs->has_seeds || !ns->has_seeds)
                return false;
        for (size_t i = 0; i < bs->r.n; i++)
                if (bs->r.runs[i].replication_seed != ns->r.runs[i].replication_seed)
                        return false;
        return true;
}

/* The paired difference of figure f (class cls, NULL: the run) between
 * two summaries that pair up. Returns false when some replication lacks
 * the figure on a side. */
static bool paired_of(const struct figure *f, const struct result_summary *bs,
                      const struct result_summary *ns, const char *cls, struct compare_paired *p)
{
        if (f->place == IN_DRAIN)
                return false;
        size_t n = bs->r.n;
        double *d = calloc(n, sizeof(*d));
        if (d == NULL)
                return false;
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++) {
                struct run_holder rb, rn;
                double xb, xn;
                ok = run_holder_of(&bs->r.runs[i], cls, &rb) &&
                     run_holder_of(&ns->r.runs[i], cls, &rn) && figure_of(f, &rb.h, &xb) &&
                     figure_of(f, &rn.h, &xn);
                if (ok)
                        d[i] = xn - xb;
        }
        if (ok)
                p->d = replications_ci95(d, n, &p->hd);
        free(d);
        return ok;
}

/* ---- formatting ---------------------------------------------------------- */

#define RULE_WIDTH 80

static char *format_value(char *buf, size_t cap, enum figure_kind kind, double x)
{
        switch (kind) {
        case KIND_TIME:
                return report_text_time(buf, cap, x);
        case KIND_RATE:
                return report_text_rate(buf, cap, x, "/s");
        case KIND_FRACTION: /* below the floor's scale, digits say nothing */
                if (x == 0)
                        snprintf(buf, cap, "0%%");
                else if (fabs(x) < 0.0005)
                        snprintf(buf, cap, "<0.001%%");
                else
                        snprintf(buf, cap, fabs(x) < 1 ? "%.3f%%" : "%.3g%%", x);
                return buf;
        case KIND_COUNT:
                snprintf(buf, cap, "%.4g", x);
                return buf;
        }
        return buf;
}

static char *format_change(char *buf, size_t cap, enum figure_kind kind,
                           const struct compare_value *b, const struct compare_value *n)
{
        double d = n->x - b->x;
        if (d == 0)
                snprintf(buf, cap, "0");
        else if (kind == KIND_FRACTION)
                snprintf(buf, cap, "%+.2fpp", d);
        else if (b->x == 0)
                snprintf(buf, cap, "%+.4g", d);
        else if (fabs(d) >= 10 * fabs(b->x))
                snprintf(buf, cap, "%+.0f%%", 100 * d / fabs(b->x));
        else
                snprintf(buf, cap, "%+.1f%%", 100 * d / fabs(b->x));
        return buf;
}

static void print_rule(FILE *out, const char *title)
{
        int n = fprintf(out, "--- %s ", title);
        for (; n < RULE_WIDTH; n++)
                fputc('-', out);
        fputc('\n', out);
}

static void print_row(FILE *out, const char *cls, const struct figure *f,
                      const struct compare_value *b, const struct compare_value *n,
                      const struct compare_paired *p, enum compare_verdict v)
{
        char bx[32] = "-", bh[32] = "", nx[32] = "-", nh[32] = "", ch[32] = "";
        if (b->present)
                format_value(bx, sizeof(bx), f->kind, b->x);
        if (b->present && b->interval && !p)
                format_value(bh, sizeof(bh), f->kind, b->h);
        if (n->present)
                format_value(nx, sizeof(nx), f->kind, n->x);
        if (n->present && n->interval && !p)
                format_value(nh, sizeof(nh), f->kind, n->h);
        if (b->present && n->present && !p)
                format_change(ch, sizeof(ch), f->kind, b, n);
        if (p) { /* the paired difference and its half-width (docs/regressions.md) */
                struct compare_value pb = *b, pn = {.present = true, .x = b->x + p->d};
                format_change(ch, sizeof(ch), f->kind, &pb, &pn);
                snprintf(bh, sizeof(bh), "paired");
                format_value(nh, sizeof(nh), f->kind, p->hd);
        }
        fprintf(out, "%-8.8s %-10s %9s %8s %9s %8s %8s  %s\n", cls, f->label, bx, bh, nx, nh, ch,
                compare_verdict_name(v));
}

/* ---- one block ------------------------------------------------------------- */

/* One row of a block, computed before anything is printed (a brief table
 * leaves out blocks with nothing to say). */
struct row {
        const char *cls; /* "all" or the class name */
        const struct figure *f;
        struct compare_value b, n;
        bool paired; /* judged on the paired difference p */
        struct compare_paired p;
        enum compare_verdict v;
};

struct block {
        struct row *rows;
        size_t n, cap;
        char notes[1024]; /* settings that differ, classes on one side */
        size_t notes_len;
        bool remarkable; /* a row that is not ok, or a note */
};

static void note(struct block *blk, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct block *blk, const char *fmt, ...)
{
        if (blk->notes_len >= sizeof(blk->notes) - 1)
                return;
        va_list ap;
        va_start(ap, fmt);
        int k =
            vsnprintf(blk->notes + blk->notes_len, sizeof(blk->notes) - blk->notes_len, fmt, ap);
        va_end(ap);
        if (k > 0)
                blk->notes_len += (size_t)k;
        if (blk->notes_len > sizeof(blk->notes) - 1)
                blk->notes_len = sizeof(blk->notes) - 1;
        blk->remarkable = true;
}

static bool add_row(struct block *blk, const struct row *r)
{
        if (blk->n == blk->cap) {
                size_t cap = blk->cap ? 2 * blk->cap : 32;
                struct row *rows = realloc(blk->rows, cap * sizeof(*rows));
                if (rows == NULL)
                        return false;
                blk->rows = rows;
                blk->cap = cap;
        }
        blk->rows[blk->n++] = *r;
        if (r->v != COMPARE_OK && r->v != COMPARE_NA)
                blk->remarkable = true;
        return true;
}

static void judge_figures(struct block *blk, const struct compare_options *opt,
                          const struct result_summary *bs, const struct result_summary *ns,
                          const char *cls, struct compare_tally *t)
{
        for (size_t i = 0; i < NFIGURES; i++) {
                const struct figure *f = &figures[i];
                if (!f->shown || (cls && f->run_only))
                        continue;
                struct row r = {
                    cls ? cls : "all", f, value_of(f, bs, cls), value_of(f, ns, cls), false, {0, 0},
                    COMPARE_NA};
                if (f->if_nonzero && !(r.b.present && r.b.x != 0) && !(r.n.present && r.n.x != 0))
                        continue;
                struct compare_rule rule = {f->better, opt->threshold_pct,
                                            f->kind == KIND_FRACTION ? COMPARE_FLOOR_PP : 0};
                r.paired = r.b.present && r.n.present && pairs_up(bs, ns) &&
                           paired_of(f, bs, ns, cls, &r.p);
                r.v = r.paired ? compare_judge_paired(&rule, &r.b, &r.p)
                               : compare_judge(&rule, &r.b, &r.n);
                if (r.v != COMPARE_NA) {
                        t->comparisons++;
                        t->identical +=
                            r.b.x == r.n.x && (!r.paired || (r.p.d == 0 && r.p.hd == 0));
                }
                t->regressions += r.v == COMPARE_REGRESSION;
                t->better += r.v == COMPARE_BETTER;
                t->noise += r.v == COMPARE_NOISE;
                add_row(blk, &r);
        }
}

/* The settings of a summary that should match, as summary.json writes
 * them (NULL: the file lacks it), in the order of `settings`. */
static void settings_of(const struct result_summary *s, json_t **v)
{
        const struct sim_results *first = &s->r.runs[0];
        v[0] = s->scenario ? json_string(s->scenario) : NULL;
        v[1] = s->policy ? json_string(s->policy) : NULL;
        v[2] = s->has_seed ? write_json_u64(s->seed) : NULL;
        v[3] = s->has_replications ? json_integer((json_int_t)s->replications) : NULL;
        v[4] = s->has_duration ? write_json_u64(first->duration_ns) : NULL;
        v[5] = s->has_duration ? write_json_u64(first->warmup_ns) : NULL;
        v[6] = s->acsim_version ? json_string(s->acsim_version) : NULL;
}

static void note_settings(struct block *blk, const struct result_summary *bs,
                          const struct result_summary *ns)
{
        enum { NSETTINGS = sizeof(settings) / sizeof(settings[0]) };
        json_t *bv[NSETTINGS], *nv[NSETTINGS];
        settings_of(bs, bv);
        settings_of(ns, nv);
        for (size_t i = 0; i < NSETTINGS; i++) {
                const json_t *a = bv[i], *b = nv[i];
                if (json_equal((json_t *)a, (json_t *)b) || (a == NULL && b == NULL))
                        continue;
                char *at = a ? json_dumps(a, JSON_ENCODE_ANY) : NULL;
                char *bt = b ? json_dumps(b, JSON_ENCODE_ANY) : NULL;
                note(blk, "  note: %s %s -> %s\n", settings[i], at ? at : "(none)",
                     bt ? bt : "(none)");
                free(at);
                free(bt);
        }
        for (size_t i = 0; i < NSETTINGS; i++) {
                json_decref(bv[i]);
                json_decref(nv[i]);
        }
}

/* Notes each assignment of `sets` that `other` lacks, as only in `side`.
 * Returns how many. */
static size_t sets_alone(struct block *blk, const struct provenance *sets,
                         const struct provenance *other, const char *side)
{
        size_t n = 0;
        for (size_t i = 0; i < sets->nsets; i++) {
                bool found = false;
                for (size_t j = 0; j < other->nsets && !found; j++)
                        found = strcmp(sets->sets[i], other->sets[j]) == 0;
                if (!found) {
                        note(blk, "  note: --set %s only in %s\n", sets->sets[i], side);
                        n++;
                }
        }
        return n;
}

static bool same_sets(const struct provenance *a, const struct provenance *b)
{
        bool same = a->nsets == b->nsets;
        for (size_t i = 0; same && i < a->nsets; i++)
                same = strcmp(a->sets[i], b->sets[i]) == 0;
        return same;
}

/* What made the two sides, when both record it (summaries written before
 * acsim kept it do not): the --set assignments and the scenario file's
 * bytes, by their hash. */
static void note_origin(struct block *blk, const struct result_summary *bs,
                        const struct result_summary *ns)
{
        const struct provenance *a = &bs->r.origin, *b = &ns->r.origin;
        if (bs->has_sets && ns->has_sets && !same_sets(a, b)) {
                size_t alone = sets_alone(blk, a, b, "the baseline");
                alone += sets_alone(blk, b, a, "the new results");
                if (alone == 0)
                        note(blk, "  note: the same --set assignments in another order\n");
        }
        if (bs->has_hash && ns->has_hash && a->source_hash != b->source_hash)
                note(blk,
                     "  note: scenario file differs (hash 0x%016" PRIx64 " -> 0x%016" PRIx64 ")\n",
                     a->source_hash, b->source_hash);
}

/* The trajectories of the two sides, replication by replication, when
 * both record fingerprints: "trajectory changed" is said apart from the
 * figures, which may all be within the noise (docs/regressions.md). */
static void note_trajectory(struct block *blk, const struct result_summary *bs,
                            const struct result_summary *ns, struct compare_tally *t)
{
        if (!bs->has_fingerprints || !ns->has_fingerprints)
                return;
        t->fingerprinted++;
        size_t n = bs->r.n < ns->r.n ? bs->r.n : ns->r.n;
        size_t differ = 0, first = n;
        for (size_t i = 0; i < n; i++) {
                if (bs->r.runs[i].fingerprint != ns->r.runs[i].fingerprint) {
                        differ++;
                        first = first < i ? first : i;
                }
        }
        if (differ == 0 && bs->r.n == ns->r.n)
                return;
        t->trajectories_changed++;
        if (first < n)
                note(blk,
                     "  trajectory changed: %zu of %zu replications (replication %zu: fingerprint "
                     "0x%016" PRIx64 " -> 0x%016" PRIx64 ")\n",
                     differ, n, first, bs->r.runs[first].fingerprint,
                     ns->r.runs[first].fingerprint);
        else
                note(blk, "  trajectory changed: %zu replications -> %zu\n", bs->r.n, ns->r.n);
}

/* The classes of two runs, by name. */
static void compare_classes(struct block *blk, const struct compare_options *opt,
                            const struct result_summary *bs, const struct result_summary *ns,
                            struct compare_tally *t)
{
        const struct replications *br = &bs->r, *nr = &ns->r;
        for (size_t k = 0; k < br->nclasses; k++) {
                const char *name = br->classes[k].name;
                if (class_named(nr, name) == NULL) {
                        note(blk, "  class %s: MISSING from the new results\n", name);
                        t->missing++;
                        continue;
                }
                judge_figures(blk, opt, bs, ns, name, t);
        }
        for (size_t k = 0; k < nr->nclasses; k++) {
                const char *name = nr->classes[k].name;
                if (class_named(br, name) == NULL) {
                        note(blk, "  class %s: new, no baseline\n", name);
                        t->added++;
                }
        }
}

/* Compares the runs b and n: the whole run, then each class when there
 * are several. */
static void compare_runs(struct block *blk, const struct compare_options *opt,
                         const struct compare_run *b, const struct compare_run *n,
                         struct compare_tally *t)
{
        const struct result_summary *bs = &b->summary, *ns = &n->summary;
        note_settings(blk, bs, ns);
        note_origin(blk, bs, ns);
        note_trajectory(blk, bs, ns, t);
        size_t comparisons = t->comparisons, identical = t->identical;
        judge_figures(blk, opt, bs, ns, NULL, t);
        const struct replications *br = &bs->r, *nr = &ns->r;
        if (br->nclasses > 1 || nr->nclasses > 1)
                compare_classes(blk, opt, bs, ns, t);
        t->figures_changed += t->comparisons - comparisons != t->identical - identical;
}

/* Writes the notes, each line broken between words to keep RULE_WIDTH
 * columns, continuation lines indented under the note's text. */
static void print_notes(FILE *out, const char *notes, size_t len)
{
        const char *p = notes, *end = notes + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                int lead = (int)strspn(p, " ");
                int indent = lead + 4;
                int col = fprintf(out, "%*s", lead, "");
                bool first = true;
                for (const char *w = p + lead; w < eol;) {
                        while (w < eol && *w == ' ')
                                w++;
                        if (w >= eol)
                                break;
                        size_t wl = 0;
                        while (w + wl < eol && w[wl] != ' ')
                                wl++;
                        if (!first && col + 1 + (int)wl > RULE_WIDTH &&
                            indent + (int)wl <= RULE_WIDTH) {
                                col = fprintf(out, "\n%*s", indent, "") - 1;
                        } else if (!first) {
                                fputc(' ', out);
                                col++;
                        }
                        /* a word wider than the line (a path): broken after a '/'
                         * or ',' in its second half, else where the line ends */
                        while (col + (int)wl > RULE_WIDTH) {
                                int room = RULE_WIDTH - col;
                                if (room < 8 && col > indent) {
                                        col = fprintf(out, "\n%*s", indent, "") - 1;
                                        continue;
                                }
                                int cut = room;
                                for (int i = room; i > room / 2; i--) {
                                        if (w[i - 1] == '/' || w[i - 1] == ',') {
                                                cut = i;
                                                break;
                                        }
                                }
                                fprintf(out, "%.*s\n%*s", cut, w, indent, "");
                                col = indent;
                                w += cut;
                                wl -= (size_t)cut;
                        }
                        col += fprintf(out, "%.*s", (int)wl, w);
                        w += wl;
                        first = false;
                }
                fputc('\n', out);
                p = nl ? nl + 1 : end;
        }
}

static void print_block(FILE *out, const struct block *blk, const char *title, bool brief)
{
        if (brief && !blk->remarkable)
                return;
        print_rule(out, title);
        print_notes(out, blk->notes, blk->notes_len);
        for (size_t i = 0; i < blk->n; i++) {
                const struct row *r = &blk->rows[i];
                if (brief && (r->v == COMPARE_OK || r->v == COMPARE_NA))
                        continue;
                print_row(out, r->cls, r->f, &r->b, &r->n, r->paired ? &r->p : NULL, r->v);
        }
}

/* ---- the table -------------------------------------------------------------- */

bool compare_print(FILE *out, const struct compare_set *base, const struct compare_set *now,
                   const struct compare_options *opt, struct compare_tally *t)
{
        memset(t, 0, sizeof(*t));
        double th = opt->threshold_pct;
        fprintf(out,
                "REGRESSION: worse by more than %g%% and the 95%% intervals apart;\n"
                "better: the same, improved; noise (CI): beyond %g%% but the intervals\n"
                "overlap; ok: within %g%% (fractions also within %g points, pp).\n"
                "paired: both sides ran the same seeds; the change is the mean paired\n"
                "difference, its +/-95%% the paired interval, noise when it holds 0.\n",
                th, th, th, COMPARE_FLOOR_PP);
        fprintf(out, "%-8s %-10s %9s %8s %9s %8s %8s  %s\n", "class", "figure", "baseline",
                "+/-95%", "new", "+/-95%", "change", "verdict");

        size_t i = 0, j = 0;
        size_t shown = 0;
        while (i < base->n || j < now->n) {
                const struct compare_run *b = i < base->n ? &base->runs[i] : NULL;
                const struct compare_run *n = j < now->n ? &now->runs[j] : NULL;
                int order = b && n ? strcmp(b->key, n->key) : b ? -1 : 1;
                struct block blk = {0};
                if (order < 0) {
                        note(&blk, "  MISSING from the new results (baseline %s)\n", b->dir);
                        t->missing++;
                        print_block(out, &blk, b->title, false);
                        i++;
                } else if (order > 0) {
                        note(&blk, "  new, no baseline (%s)\n", n->dir);
                        t->added++;
                        print_block(out, &blk, n->title, false);
                        j++;
                } else {
                        compare_runs(&blk, opt, b, n, t);
                        print_block(out, &blk, n->title, opt->brief);
                        i++;
                        j++;
                }
                shown += blk.remarkable || !opt->brief;
                free(blk.rows);
        }
        if (opt->brief && shown == 0) {
                print_rule(out, "all");
                if (t->identical == t->comparisons)
                        fprintf(out, "  every figure the same as the baseline\n");
                else
                        fprintf(out, "  every figure within %g%% of the baseline\n", th);
        }
        for (int k = 0; k < RULE_WIDTH; k++)
                fputc('-', out);
        fputc('\n', out);
        char tail[512];
        int len = snprintf(tail, sizeof(tail),
                           "%zu regression%s in %zu comparisons (%zu run%s): %zu better, %zu "
                           "noise, %zu same",
                           t->regressions, t->regressions == 1 ? "" : "s", t->comparisons, base->n,
                           base->n == 1 ? "" : "s", t->better, t->noise, t->identical);
        if (t->missing && len > 0 && (size_t)len < sizeof(tail))
                len +=
                    snprintf(tail + len, sizeof(tail) - (size_t)len, "; %zu MISSING", t->missing);
        if (t->added && len > 0 && (size_t)len < sizeof(tail))
                len += snprintf(tail + len, sizeof(tail) - (size_t)len, "; %zu new", t->added);
        print_notes(out, tail, strlen(tail));
        if (t->fingerprinted == 0)
                len =
                    snprintf(tail, sizeof(tail), "trajectories: not compared (one side has none)");
        else if (t->trajectories_changed == 0)
                len = snprintf(tail, sizeof(tail),
                               "trajectories: identical in %zu of %zu runs (fingerprints)",
                               t->fingerprinted, base->n);
        else
                len = snprintf(tail, sizeof(tail),
                               "trajectory changed in %zu of %zu runs (fingerprints)",
                               t->trajectories_changed, t->fingerprinted);
        if (len > 0 && (size_t)len < sizeof(tail))
                snprintf(tail + len, sizeof(tail) - (size_t)len, "\nfigures: changed in %zu run%s",
                         t->figures_changed, t->figures_changed == 1 ? "" : "s");
        print_notes(out, tail, strlen(tail));
        return t->regressions > 0 || t->missing > 0;
}
