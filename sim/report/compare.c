/*
 * sim/report/compare.c - the verdict on each figure and the comparison table of
 * `acsim compare` (the rules are in sim/report/compare.h and docs/regressions.md).
 *
 * Layout: the verdict, the figures compared (one table), reading a figure
 * and its interval out of a summary, one block of the table (a run or a
 * sweep point), the whole table.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/compare.h"
#include "sim/report/compare_set.h"
#include "sim/run/replicate.h"
#include "sim/report/text.h"

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

struct figure {
        const char *label; /* in the table */
        const char *group; /* summary object holding it, or NULL for the top */
        const char *field;
        enum figure_kind kind; /* FRACTION: field / requests.submitted, in percent */
        enum compare_better better;
        bool run_only;   /* not per class */
        bool if_nonzero; /* a row only when a side is not 0 */
};

static const struct figure figures[] = {
    {"lat mean", "latency_ns", "mean", KIND_TIME, COMPARE_LOWER, false, false},
    {"lat p50", "latency_ns", "p50", KIND_TIME, COMPARE_LOWER, false, false},
    {"lat p99", "latency_ns", "p99", KIND_TIME, COMPARE_LOWER, false, false},
    {"lat p99.9", "latency_ns", "p999", KIND_TIME, COMPARE_LOWER, false, false},
    {"throughput", "throughput", "requests_per_s", KIND_RATE, COMPARE_HIGHER, false, false},
    {"failed", "requests", "failed", KIND_FRACTION, COMPARE_LOWER, false, false},
    {"rejected", "requests", "rejected", KIND_FRACTION, COMPARE_LOWER, false, false},
    {"retried", "requests", "retried", KIND_FRACTION, COMPARE_LOWER, false, false},
    {"drain cap", NULL, "drain_capped", KIND_COUNT, COMPARE_LOWER, true, true},
};
#define NFIGURES (sizeof(figures) / sizeof(figures[0]))

/* Settings that should match for a comparison to mean much; a difference
 * is noted in the block, not judged. */
static const char *const settings[] = {
    "scenario", "policy", "seed", "replications", "duration_ns", "warmup_ns", "acsim_version",
};

/* ---- reading a figure ------------------------------------------------------ */

/* Returns true and sets *x when obj.group.field (or obj.field) is a
 * finite number. */
static bool number_at(const json_t *obj, const char *group, const char *field, double *x)
{
        const json_t *g = group ? json_object_get(obj, group) : obj;
        const json_t *v = json_object_get(g, field);
        if (!json_is_number(v))
                return false;
        *x = json_number_value(v);
        return isfinite(*x);
}

/* Returns true and sets *x to the figure f of obj (a summary, a class or
 * one replication of either). */
static bool figure_of(const struct figure *f, const json_t *obj, double *x)
{
        if (!number_at(obj, f->group, f->field, x))
                return false;
        if (f->kind == KIND_FRACTION) {
                double submitted;
                if (!number_at(obj, "requests", "submitted", &submitted) || submitted <= 0)
                        return false;
                *x = 100 * *x / submitted;
        }
        return true;
}

/* Returns the class named name in obj's "classes", or NULL. */
static const json_t *class_named(const json_t *obj, const char *name)
{
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(obj, "classes"), i, c)
        {
                const char *cn = json_string_value(json_object_get(c, "name"));
                if (cn && strcmp(cn, name) == 0)
                        return c;
        }
        return NULL;
}

/* Returns figure f of the run summary s, for the class named cls (NULL:
 * the whole run), with its 95% half-width: the one summary.json gives
 * (ci95), else one computed from the replications' own figures
 * (replications_detail), else none. */
static struct compare_value value_of(const struct figure *f, const json_t *s, const char *cls)
{
        struct compare_value v = {0};
        const json_t *obj = cls ? class_named(s, cls) : s;
        if (obj == NULL || !figure_of(f, obj, &v.x))
                return v;
        v.present = true;
        double h;
        if (f->group && number_at(json_object_get(obj, "ci95"), f->group, f->field, &h)) {
                v.interval = true;
                v.h = h;
                return v;
        }
        const json_t *detail = json_object_get(s, "replications_detail");
        size_t n = json_array_size(detail);
        if (n < 2 || f->kind != KIND_FRACTION)
                return v;
        double *xs = calloc(n, sizeof(*xs));
        if (xs == NULL)
                return v;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const json_t *run = json_array_get(detail, i);
                const json_t *o = cls ? class_named(run, cls) : run;
                if (o && figure_of(f, o, &xs[k]))
                        k++;
        }
        if (k == n) {
                replications_ci95(xs, n, &v.h);
                v.interval = true;
        }
        free(xs);
        return v;
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
                      enum compare_verdict v)
{
        char bx[32] = "-", bh[32] = "", nx[32] = "-", nh[32] = "", ch[32] = "";
        if (b->present)
                format_value(bx, sizeof(bx), f->kind, b->x);
        if (b->present && b->interval)
                format_value(bh, sizeof(bh), f->kind, b->h);
        if (n->present)
                format_value(nx, sizeof(nx), f->kind, n->x);
        if (n->present && n->interval)
                format_value(nh, sizeof(nh), f->kind, n->h);
        if (b->present && n->present)
                format_change(ch, sizeof(ch), f->kind, b, n);
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

static void judge_figures(struct block *blk, const struct compare_options *opt, const json_t *bs,
                          const json_t *ns, const char *cls, struct compare_tally *t)
{
        for (size_t i = 0; i < NFIGURES; i++) {
                const struct figure *f = &figures[i];
                if (cls && f->run_only)
                        continue;
                struct row r = {cls ? cls : "all", f, value_of(f, bs, cls), value_of(f, ns, cls),
                                COMPARE_NA};
                if (f->if_nonzero && !(r.b.present && r.b.x != 0) && !(r.n.present && r.n.x != 0))
                        continue;
                struct compare_rule rule = {f->better, opt->threshold_pct,
                                            f->kind == KIND_FRACTION ? COMPARE_FLOOR_PP : 0};
                r.v = compare_judge(&rule, &r.b, &r.n);
                if (r.v != COMPARE_NA) {
                        t->comparisons++;
                        t->identical += r.b.x == r.n.x;
                }
                t->regressions += r.v == COMPARE_REGRESSION;
                t->better += r.v == COMPARE_BETTER;
                t->noise += r.v == COMPARE_NOISE;
                add_row(blk, &r);
        }
}

static void note_settings(struct block *blk, const json_t *bs, const json_t *ns)
{
        for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
                const json_t *a = json_object_get(bs, settings[i]);
                const json_t *b = json_object_get(ns, settings[i]);
                if (json_equal((json_t *)a, (json_t *)b) || (a == NULL && b == NULL))
                        continue;
                char *at = a ? json_dumps(a, JSON_ENCODE_ANY) : NULL;
                char *bt = b ? json_dumps(b, JSON_ENCODE_ANY) : NULL;
                note(blk, "  note: %s %s -> %s\n", settings[i], at ? at : "(none)",
                     bt ? bt : "(none)");
                free(at);
                free(bt);
        }
}

/* Notes each assignment of `sets` that `other` lacks, as only in `side`.
 * Returns how many. */
static size_t sets_alone(struct block *blk, const json_t *sets, const json_t *other,
                         const char *side)
{
        size_t i, j, n = 0;
        json_t *v, *w;
        json_array_foreach(sets, i, v)
        {
                bool found = false;
                json_array_foreach(other, j, w) found = found || json_equal(v, w);
                if (!found && json_string_value(v)) {
                        note(blk, "  note: --set %s only in %s\n", json_string_value(v), side);
                        n++;
                }
        }
        return n;
}

/* What made the two sides, when both record it (summaries written before
 * acsim kept it do not): the --set assignments and the scenario file's
 * bytes, by their hash. */
static void note_origin(struct block *blk, const json_t *bs, const json_t *ns)
{
        const json_t *a = json_object_get(bs, "sets"), *b = json_object_get(ns, "sets");
        if (json_is_array(a) && json_is_array(b) && !json_equal((json_t *)a, (json_t *)b)) {
                size_t alone = sets_alone(blk, a, b, "the baseline");
                alone += sets_alone(blk, b, a, "the new results");
                if (alone == 0)
                        note(blk, "  note: the same --set assignments in another order\n");
        }
        const char *ah = json_string_value(json_object_get(bs, "scenario_hash"));
        const char *bh = json_string_value(json_object_get(ns, "scenario_hash"));
        if (ah && bh && strcmp(ah, bh) != 0)
                note(blk, "  note: scenario file contents differ (scenario.yaml, hash %s -> %s)\n",
                     ah, bh);
}

/* Compares the runs b and n: the whole run, then each class when there
 * are several. */
static void compare_runs(struct block *blk, const struct compare_options *opt,
                         const struct compare_run *b, const struct compare_run *n,
                         struct compare_tally *t)
{
        const json_t *bs = b->summary, *ns = n->summary;
        note_settings(blk, bs, ns);
        note_origin(blk, bs, ns);
        judge_figures(blk, opt, bs, ns, NULL, t);
        const json_t *bc = json_object_get(bs, "classes"), *nc = json_object_get(ns, "classes");
        if (json_array_size(bc) <= 1 && json_array_size(nc) <= 1)
                return; /* one class: the run's figures are the class's */
        size_t i;
        json_t *c;
        json_array_foreach(bc, i, c)
        {
                const char *name = json_string_value(json_object_get(c, "name"));
                if (name == NULL)
                        continue;
                if (class_named(ns, name) == NULL) {
                        note(blk, "  class %s: MISSING from the new results\n", name);
                        t->missing++;
                        continue;
                }
                judge_figures(blk, opt, bs, ns, name, t);
        }
        json_array_foreach(nc, i, c)
        {
                const char *name = json_string_value(json_object_get(c, "name"));
                if (name && class_named(bs, name) == NULL) {
                        note(blk, "  class %s: new, no baseline\n", name);
                        t->added++;
                }
        }
}

static void print_block(FILE *out, const struct block *blk, const char *title, bool brief)
{
        if (brief && !blk->remarkable)
                return;
        print_rule(out, title);
        fwrite(blk->notes, 1, blk->notes_len, out);
        for (size_t i = 0; i < blk->n; i++) {
                const struct row *r = &blk->rows[i];
                if (brief && (r->v == COMPARE_OK || r->v == COMPARE_NA))
                        continue;
                print_row(out, r->cls, r->f, &r->b, &r->n, r->v);
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
                "overlap; ok: within %g%% (fractions also within %g points, pp).\n",
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
        fprintf(out,
                "%zu regression%s in %zu comparisons (%zu run%s): %zu better, %zu noise, %zu same",
                t->regressions, t->regressions == 1 ? "" : "s", t->comparisons, base->n,
                base->n == 1 ? "" : "s", t->better, t->noise, t->identical);
        if (t->missing)
                fprintf(out, "; %zu MISSING", t->missing);
        if (t->added)
                fprintf(out, "; %zu new", t->added);
        fprintf(out, "; threshold %g%%\n", th);
        return t->regressions > 0 || t->missing > 0;
}
