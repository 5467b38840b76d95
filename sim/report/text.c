/*
 * sim/report/text.c - the plain-text summary table. Laid out as: the
 * header (scenario, policy, seed, times, then the description and a line
 * per --set, wrapped), the requests table, the latency
 * table, throughput, the devices table, then warnings. Columns are fixed
 * so that two runs' tables line up in a diff or a mail.
 */
#include "sim/report/text.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Writes x with three significant digits ("1.23", "12.3", "123") and
 * returns 1 when it rounded up to 1000 or more (the caller moves to the
 * next unit). */
static int three_digits(char *buf, size_t cap, double x)
{
        int decimals = x < 9.995 ? 2 : x < 99.95 ? 1 : 0;
        if (x >= 999.5)
                return 1;
        snprintf(buf, cap, "%.*f", decimals, x);
        return 0;
}

static char *scaled(char *buf, size_t cap, double x, const char *const *units, size_t nunits,
                    const char *sep, const char *suffix)
{
        char num[32];
        if (!isfinite(x)) {
                snprintf(buf, cap, "-");
                return buf;
        }
        size_t u = 0;
        double v = fabs(x);
        while (u + 1 < nunits && three_digits(num, sizeof(num), v)) {
                v /= 1000.0;
                u++;
        }
        if (three_digits(num, sizeof(num), v))
                snprintf(num, sizeof(num), "%.0f", v); /* past the last unit */
        if (snprintf(buf, cap, "%s%s%s%s%s", x < 0 ? "-" : "", num, sep, units[u], suffix) >=
            (int)cap)
                snprintf(buf, cap, "#"); /* the caller's buffer is too small */
        return buf;
}

char *report_text_time(char *buf, size_t cap, double ns)
{
        static const char *const units[] = {"ns", "us", "ms", "s"};
        if (ns >= 1e9 * 1000) { /* past a thousand seconds: stay in seconds */
                snprintf(buf, cap, "%.0f s", ns / 1e9);
                return buf;
        }
        if (ns == 0) {
                snprintf(buf, cap, "0 ns");
                return buf;
        }
        if (fabs(ns) < 0.995) {
                snprintf(buf, cap, "%.2f ns", ns);
                return buf;
        }
        return scaled(buf, cap, ns, units, 4, " ", "");
}

char *report_text_rate(char *buf, size_t cap, double per_s, const char *unit)
{
        static const char *const prefixes[] = {"", "k", "M", "G", "T", "P"};
        char u[16];
        snprintf(u, sizeof(u), "%s", unit);
        return scaled(buf, cap, per_s, prefixes, 6, " ", u);
}

char *report_text_count(char *buf, size_t cap, double n)
{
        static const char *const prefixes[] = {"", "k", "M", "G", "T", "P"};
        if (!isfinite(n))
                snprintf(buf, cap, "-");
        else if (fabs(n) < 1e8)
                snprintf(buf, cap, "%.0f", n);
        else
                scaled(buf, cap, n, prefixes, 6, "", "");
        return buf;
}

/* ---- rows ----------------------------------------------------------------- */

#define LABEL 12 /* width of the row label column */

static void rule(FILE *out)
{
        for (int i = 0; i < REPORT_TEXT_WIDTH; i++)
                fputc('-', out);
        fputc('\n', out);
}

/* A label cut to its column, so a long name cannot push the figures. */
static void label(FILE *out, const char *name)
{
        fprintf(out, "%-*.*s", LABEL, LABEL - 1, name);
}

enum figure_kind { COUNT, TIME, PERCENT, PLAIN };

static void cell(FILE *out, int width, enum figure_kind kind, double x)
{
        char buf[32];
        switch (kind) {
        case COUNT:
                report_text_count(buf, sizeof(buf), x);
                break;
        case TIME:
                report_text_time(buf, sizeof(buf), x);
                break;
        case PERCENT:
                snprintf(buf, sizeof(buf), "%.1f", 100.0 * x);
                break;
        case PLAIN:
                snprintf(buf, sizeof(buf), "%.2f", x);
                break;
        }
        fprintf(out, "%*s", width, buf);
}

/* A column of the table, from a line of sim/run/figures.h: the figure,
 * its kind and width (the headers are printed apart). */
#define TABLE_KIND_COUNT    COUNT
#define TABLE_KIND_RATIO    PERCENT
#define TABLE_KIND_TIME_AVG PLAIN
struct column {
        const struct rep_figure *f; /* NULL when the table does not show it */
        enum figure_kind kind;
        int width;
};
#define COLUMN(s, name, shown, k, w)             {((shown)&SIM_SHOW_TABLE) ? &(s)->name : NULL, k, w},
#define COUNT_COLUMN(name, kind, label, shown)   COLUMN(c, name, shown, COUNT, 9)
#define LATENCY_COLUMN(name, kind, label, shown) COLUMN(l, name, shown, TIME, 10)
#define DEVICE_COLUMN(name, kind, label, shown, width)                                             \
        COLUMN(d, name, shown, TABLE_KIND_##kind, width)
#define HEADER(name, kind, label, shown)               ((shown)&SIM_SHOW_TABLE) ? label : NULL,
#define DEVICE_HEADER(name, kind, label, shown, width) HEADER(name, kind, label, shown)
#define COUNT_WIDTH(...)                               9,
#define LATENCY_WIDTH(...)                             10,
#define DEVICE_WIDTH(name, kind, label, shown, width)  width,
#define NCOLUMNS(cols)                                 (sizeof(cols) / sizeof(cols[0]))

/* A row of figures, then, with replications, the row of their half-widths. */
static void figures(FILE *out, size_t n, const char *name, const struct column *cols, size_t ncols)
{
        label(out, name);
        for (size_t i = 0; i < ncols; i++)
                if (cols[i].f)
                        cell(out, cols[i].width, cols[i].kind, cols[i].f->mean);
        fputc('\n', out);
        if (n < 2)
                return;
        label(out, "  +/- 95%");
        for (size_t i = 0; i < ncols; i++)
                if (cols[i].f)
                        cell(out, cols[i].width, cols[i].kind, cols[i].f->ci95);
        fputc('\n', out);
}

/* The header of a table: its name, then the labels of the columns shown
 * (labels[i] NULL: not shown), each right-aligned to widths[i]. */
static void header(FILE *out, const char *name, const char *const *labels, const int *widths,
                   size_t n)
{
        label(out, name);
        for (size_t i = 0; i < n; i++)
                if (labels[i])
                        fprintf(out, "%*s", widths[i], labels[i]);
        fputc('\n', out);
}

static void counts_row(FILE *out, size_t n, const char *name, const struct rep_counts *c)
{
        const struct column cols[] = {SIM_COUNT_FIGURES(COUNT_COLUMN)};
        figures(out, n, name, cols, NCOLUMNS(cols));
}

static void latency_row(FILE *out, size_t n, const char *name, const struct rep_latency *l)
{
        const struct column cols[] = {SIM_LATENCY_FIGURES(LATENCY_COLUMN)};
        figures(out, n, name, cols, NCOLUMNS(cols));
}

/* The throughput columns: 14 wide, a space between, the figure's unit. */
struct rate_column {
        const struct rep_figure *f; /* NULL when the table does not show it */
        const char *unit;
};
#define RATE_COLUMN(name, kind, label, shown, unit)                                                \
        {((shown)&SIM_SHOW_TABLE) ? &src->name : NULL, unit},
#define RATE_HEADER(name, kind, label, shown, unit) ((shown)&SIM_SHOW_TABLE) ? label : NULL,

static void rates(FILE *out, const char *name, const struct rate_column *cols, size_t ncols,
                  bool half)
{
        char a[32];
        const char *sep = "";
        label(out, name);
        for (size_t i = 0; i < ncols; i++) {
                if (cols[i].f == NULL)
                        continue;
                report_text_rate(a, sizeof(a), half ? cols[i].f->ci95 : cols[i].f->mean,
                                 cols[i].unit);
                fprintf(out, "%s%14s", sep, a);
                sep = " ";
        }
        fputc('\n', out);
}

static void throughput_rows(FILE *out, size_t n, const char *name, const struct rate_column *cols,
                            size_t ncols)
{
        rates(out, name, cols, ncols, false);
        if (n > 1)
                rates(out, "  +/- 95%", cols, ncols, true);
}

static void run_throughput(FILE *out, const struct replications *src)
{
        const struct rate_column cols[] = {SIM_THROUGHPUT_FIGURES(RATE_COLUMN)};
        throughput_rows(out, src->n, "all", cols, NCOLUMNS(cols));
}

static void class_throughput(FILE *out, size_t n, const struct rep_class *src)
{
        const struct rate_column cols[] = {SIM_THROUGHPUT_FIGURES(RATE_COLUMN)};
        throughput_rows(out, n, src->name, cols, NCOLUMNS(cols));
}

static void device_row(FILE *out, size_t n, const struct rep_device *d)
{
        const struct column cols[] = {SIM_DEVICE_FIGURES(DEVICE_COLUMN)};
        figures(out, n, d->name, cols, NCOLUMNS(cols));
}

static void print_header(FILE *out, const struct replications *r)
{
        const struct sim_results *first = &r->runs[0];
        char a[32], b[32], c[32], d[32];
        fprintf(out, "acsim %s  scenario %s  policy %s\n", ACSIM_VERSION, first->scenario,
                first->policy);
        if (r->n == 1)
                fprintf(out,
                        "seed %" PRIu64 "  replication %" PRIu32 " (stream seed 0x%016" PRIx64
                        ")\n",
                        first->seed, first->replication, first->replication_seed);
        else
                fprintf(out,
                        "seed %" PRIu64 "  replications %zu (%" PRIu32 "..%" PRIu32
                        "; --replication I reruns one)\n",
                        first->seed, r->n, first->replication, r->runs[r->n - 1].replication);
        fprintf(out, "duration %s  warm-up %s  drained at %s  events %s\n",
                report_text_time(a, sizeof(a), (double)first->duration_ns),
                report_text_time(b, sizeof(b), (double)first->warmup_ns),
                report_text_time(c, sizeof(c), r->sim_time_ns.mean),
                report_text_count(d, sizeof(d), r->events.mean));
}

/* Prints text in lines of at most REPORT_TEXT_WIDTH characters, the first
 * after `first`, the others after `more`: broken at spaces, a word too
 * long for a line broken where the line ends. */
static void wrapped(FILE *out, const char *first, const char *more, const char *text)
{
        const char *lead = first;
        while (*text == ' ')
                text++;
        do {
                size_t room = REPORT_TEXT_WIDTH - strlen(lead), len = strlen(text);
                if (len > room) {
                        len = room;
                        while (len > 0 && text[len] != ' ')
                                len--;
                        if (len == 0)
                                len = room; /* one long word */
                }
                size_t shown = len;
                while (shown > 0 && text[shown - 1] == ' ')
                        shown--;
                fprintf(out, "%s%.*s\n", lead, (int)shown, text);
                text += len;
                while (*text == ' ')
                        text++;
                lead = more;
        } while (*text);
}

/* The description and the --set assignments: what the table measured. */
static void print_origin(FILE *out, const struct provenance *p)
{
        if (p->description) {
                /* a description may hold newlines (a YAML block scalar) */
                char *copy = strdup(p->description);
                for (char *c = copy; c && *c; c++)
                        if (*c == '\n' || *c == '\r' || *c == '\t')
                                *c = ' ';
                if (copy && copy[strspn(copy, " ")])
                        wrapped(out, "", "", copy);
                free(copy);
        }
        for (size_t i = 0; i < p->nsets; i++)
                wrapped(out, "set ", "    ", p->sets[i]);
}

void report_text_print(FILE *out, const struct replications *r)
{
        static const char *const count_cols[] = {SIM_COUNT_FIGURES(HEADER)};
        static const int count_widths[] = {SIM_COUNT_FIGURES(COUNT_WIDTH)};
        static const char *const latency_cols[] = {SIM_LATENCY_FIGURES(HEADER)};
        static const int latency_widths[] = {SIM_LATENCY_FIGURES(LATENCY_WIDTH)};
        static const char *const device_cols[] = {SIM_DEVICE_FIGURES(DEVICE_HEADER)};
        static const int device_widths[] = {SIM_DEVICE_FIGURES(DEVICE_WIDTH)};
        if (r->n == 0)
                return;
        print_header(out, r);
        print_origin(out, &r->origin);
        rule(out);

        header(out, "requests", count_cols, count_widths, NCOLUMNS(count_cols));
        counts_row(out, r->n, "all", &r->requests);
        for (size_t k = 0; k < r->nclasses && r->nclasses > 1; k++)
                counts_row(out, r->n, r->classes[k].name, &r->classes[k].requests);
        fputc('\n', out);

        header(out, "latency", latency_cols, latency_widths, NCOLUMNS(latency_cols));
        latency_row(out, r->n, "all", &r->latency);
        for (size_t k = 0; k < r->nclasses && r->nclasses > 1; k++)
                latency_row(out, r->n, r->classes[k].name, &r->classes[k].latency);
        fputc('\n', out);

        static const char *const rate_cols[] = {SIM_THROUGHPUT_FIGURES(RATE_HEADER)};
        label(out, "throughput");
        for (size_t i = 0, shown = 0; i < NCOLUMNS(rate_cols); i++)
                if (rate_cols[i])
                        fprintf(out, "%s%14s", shown++ ? " " : "", rate_cols[i]);
        fputc('\n', out);
        run_throughput(out, r);
        for (size_t k = 0; k < r->nclasses && r->nclasses > 1; k++)
                class_throughput(out, r->n, &r->classes[k]);
        fputc('\n', out);

        header(out, "device", device_cols, device_widths, NCOLUMNS(device_cols));
        for (size_t k = 0; k < r->ndevices; k++)
                device_row(out, r->n, &r->devices[k]);
        rule(out);

        size_t nfaults = 0;
        for (size_t i = 0; i < r->n; i++)
                nfaults += r->runs[i].nfaults;
        if (nfaults)
                fprintf(out, "faults: %zu window%s (faults.csv)\n", nfaults,
                        nfaults == 1 ? "" : "s");
        if (r->n > 1) { /* which run to plot over time */
                size_t worst = 0;
                for (size_t i = 1; i < r->n; i++)
                        if (r->runs[i].latency.p999 > r->runs[worst].latency.p999)
                                worst = i;
                char p999[32];
                report_text_time(p999, sizeof(p999), (double)r->runs[worst].latency.p999);
                fprintf(out,
                        "worst p99.9: replication %" PRIu32
                        " (%s; acsim plot --replication %" PRIu32 ")\n",
                        r->runs[worst].replication, p999, r->runs[worst].replication);
        }
        for (size_t k = 0; k < r->ndevices; k++) {
                char at[32];
                if (r->devices[k].attach_ns == 0)
                        continue;
                report_text_time(at, sizeof(at), (double)r->devices[k].attach_ns);
                if (r->devices[k].attach_ns > r->runs[0].sim_time_ns)
                        fprintf(out, "not attached: %s (attach at %s, after the run ended)\n",
                                r->devices[k].name, at);
                else
                        fprintf(out,
                                "attached: %s at %s (counts from then; util%% over the window)\n",
                                r->devices[k].name, at);
        }
        if (r->n > 0 && r->runs[0].trace) {
                uint64_t rows = 0;
                bool truncated = false;
                for (size_t i = 0; i < r->n; i++) {
                        rows += r->runs[i].trace_rows;
                        truncated = truncated || r->runs[i].trace_truncated;
                }
                fprintf(out, "trace: %" PRIu64 " rows (trace.csv)", rows);
                if (truncated)
                        fprintf(out, ", only the first %" PRIu64 " requests of each replication",
                                r->runs[0].trace_limit);
                fputc('\n', out);
        }
        if (r->n > 1)
                fprintf(out,
                        "figures are means over %zu replications; +/- rows are 95%% "
                        "confidence\nhalf-widths (Student t), except latency quantiles and "
                        "max: those of the\npooled latencies, +/- the wider side of a "
                        "bootstrap interval over the\nreplications (summary.json "
                        "ci95.latency_interval_ns).\n",
                        r->n);
        if (r->drain_capped)
                fprintf(out,
                        "FAILURE: the drain hit its cap in %zu run%s with %" PRIu64
                        " request%s unfinished\n",
                        r->drain_capped, r->drain_capped == 1 ? "" : "s", r->unfinished,
                        r->unfinished == 1 ? "" : "s");
}
