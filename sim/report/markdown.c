/*
 * sim/report/markdown.c - the Markdown report (sim/report/markdown.h). Laid out as:
 * small writers (fenced files, facts), the run's part, the sweep's part,
 * the plots, then report_md_write() putting them in order.
 */
#include "sim/report/markdown.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/results/read_csv.h"
#include "sim/results/read_summary.h"
#include "sim/results/read_sweep.h"
#include "sim/report/text.h"
#include "sim/run/figures.h"

#define PATH_CAP 4096

/* Writes "dir/name" into buf[PATH_CAP]. Returns true, or false with the
 * reason in err (which may be NULL). */
static bool join(char *buf, const char *dir, const char *name, struct sim_error *err)
{
        if (snprintf(buf, PATH_CAP, "%s/%s", dir, name) < PATH_CAP)
                return true;
        sim_fail(err, 0, "%s: path too long", dir);
        return false;
}

/* Copies the text file at path into a fenced block, without trailing
 * spaces or leading and trailing blank lines (gnuplot's dumb terminal
 * pads). Returns true when the file was there. */
static bool fenced_file(FILE *out, const char *path)
{
        FILE *f = fopen(path, "r");
        if (f == NULL)
                return false;
        fputs("```\n", out);
        plot_text_copy(out, f, "\n\r \f", true);
        fputs("```\n\n", out);
        fclose(f);
        return true;
}

/* A Markdown table cell: '|' and newlines would break the row. */
static void cell(FILE *out, const char *text)
{
        for (const char *p = text; *p; p++) {
                if (*p == '|')
                        fputs("\\|", out);
                else if (*p == '\n' || *p == '\r')
                        fputc(' ', out);
                else
                        fputc(*p, out);
        }
}

static void fact(FILE *out, const char *name, const char *value)
{
        fprintf(out, "| %s | ", name);
        cell(out, value);
        fputs(" |\n", out);
}

/* ---- what made the results ----------------------------------------------------- */

/* What made the results, as rows of the facts table: the description,
 * the scenario file (with its hash, NULL when unknown) and the --set
 * assignments (no row without has_sets: results from before acsim kept
 * them). */
static void origin_facts(FILE *out, const char *description, const char *file, const char *hash,
                         bool has_sets, const char *const *sets, size_t nsets)
{
        if (description)
                fact(out, "description", description);
        if (file) {
                fputs("| scenario file | `", out);
                cell(out, file);
                fputs("`", out);
                if (hash)
                        fprintf(out, " (FNV-1a %s, copied to scenario.yaml)", hash);
                fputs(" |\n", out);
        }
        if (!has_sets)
                return;
        fputs("| --set | ", out);
        for (size_t i = 0; i < nsets; i++) {
                fprintf(out, "%s`", i ? "<br>" : "");
                cell(out, sets[i] ? sets[i] : "?");
                fputc('`', out);
        }
        fputs(nsets ? " |\n" : "none |\n", out);
}

/* A fence line of n backticks. */
static void backticks(FILE *out, size_t n)
{
        for (size_t i = 0; i < n; i++)
                fputc('`', out);
        fputc('\n', out);
}

/* The scenario file the results came from (dir/scenario.yaml), folded
 * away, at the end of the report. */
static void scenario_part(FILE *out, const char *dir)
{
        char path[PATH_CAP];
        if (!join(path, dir, "scenario.yaml", NULL))
                return;
        FILE *f = fopen(path, "r");
        if (f == NULL)
                return;
        /* a fence longer than any run of backticks in the file */
        size_t run = 0, longest = 0, bytes = 0;
        int c;
        while ((c = fgetc(f)) != EOF) {
                bytes++;
                run = c == '`' ? run + 1 : 0;
                longest = run > longest ? run : longest;
        }
        size_t fence = longest >= 3 ? longest + 1 : 3;
        rewind(f);
        fprintf(out,
                "## Scenario file\n\nscenario.yaml, the scenario file as it was loaded; with "
                "the --set assignments and the seed above, `acsim run scenario.yaml --set "
                "... --seed N` reproduces the results.\n\n<details>\n<summary>scenario.yaml "
                "(%zu bytes)</summary>\n\n",
                bytes);
        backticks(out, fence);
        char buf[4096];
        size_t n, last = '\n';
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
                fwrite(buf, 1, n, out);
                last = (unsigned char)buf[n - 1];
        }
        if (last != '\n')
                fputc('\n', out);
        backticks(out, fence);
        fputs("\n</details>\n", out);
        fclose(f);
}

/* ---- a run ------------------------------------------------------------------- */

/* A whole number of the summary as text, "-" when the file lacks it. */
static const char *whole(char *buf, size_t cap, bool has, uint64_t x)
{
        if (has)
                snprintf(buf, cap, "%" PRIu64, x);
        else
                snprintf(buf, cap, "-");
        return buf;
}

static int run_part(FILE *out, const char *dir, struct sim_error *err)
{
        char path[PATH_CAP], a[64], b[64];
        if (!join(path, dir, "summary.json", err))
                return -1;
        struct result_summary s;
        if (read_summary(path, &s, err) < 0)
                return -1;
        if (s.replications == 0 || (s.replications > 1 && s.r.n != s.replications)) {
                sim_fail(err, 0, "%s: no replications (or not one detail each)", path);
                result_summary_free(&s);
                return -1;
        }
        const struct provenance *o = &s.r.origin;
        const struct sim_results *first = &s.r.runs[0];
        const char *scenario = s.scenario ? s.scenario : "?";
        char hash[24];
        snprintf(hash, sizeof(hash), "0x%016" PRIx64, o->source_hash);
        fprintf(out, "# acsim report: %s\n\n", scenario);
        fputs("| | |\n| --- | --- |\n", out);
        fact(out, "scenario", scenario);
        origin_facts(out, o->description, o->scenario_file, s.has_hash ? hash : NULL, s.has_sets,
                     (const char *const *)o->sets, o->nsets);
        fact(out, "policy", s.policy ? s.policy : "?");
        fact(out, "seed", whole(a, sizeof(a), s.has_seed, s.seed));
        fact(out, "replications", whole(a, sizeof(a), s.has_replications, s.replications));
        char text[160];
        snprintf(text, sizeof(text), "%s after a warm-up of %s",
                 report_text_time(a, sizeof(a), (double)first->duration_ns),
                 report_text_time(b, sizeof(b), (double)first->warmup_ns));
        fact(out, "arrivals", text);
        fact(out, "fault windows", whole(a, sizeof(a), s.has_faults, s.faults));
        fact(out, "acsim", s.acsim_version ? s.acsim_version : "?");
        fputs("\nThe files beside this report are described in docs/results.md.\n\n", out);

        fputs("## Summary\n\n```\n", out);
        report_text_print(out, &s.r);
        fputs("```\n\n", out);
        result_summary_free(&s);
        return 0;
}

/* ---- a sweep ----------------------------------------------------------------- */

/* One figure of sweep.csv row r, formatted; "-" when absent. */
static const char *figure(char *buf, size_t cap, const struct read_csv_table *t, size_t r,
                          const char *col, char kind)
{
        int c = read_csv_col(t, col);
        double x = c < 0 ? NAN : read_csv_num(t, (size_t)r, (size_t)c);
        if (!isfinite(x))
                return snprintf(buf, cap, "-"), buf;
        if (kind == 't')
                return report_text_time(buf, cap, x);
        if (kind == 'r')
                return report_text_rate(buf, cap, x, "req/s");
        return report_text_count(buf, cap, x);
}

/* The plain-text table of the points, from sweep.csv. */
/* The columns of the points table after the throughput: the figures of
 * sim/run/figures.h shown there (SIM_SHOW_POINTS), by their sweep.csv
 * column. */
struct points_column {
        const char *header; /* NULL: not shown */
        const char *csv;
        char kind; /* 't' a time, 'c' a count */
        int width;
};

#define LATENCY_POINTS(name, kind, label, shown)                                                   \
        {((shown)&SIM_SHOW_POINTS) ? label : NULL, "latency_" #name "_ns", 't', 8},
#define COUNT_POINTS(name, kind, label, shown)                                                     \
        {((shown)&SIM_SHOW_POINTS) ? label : NULL, #name, 'c', 8},

/* The plain-text table of the points, from sweep.csv, at most 80
 * columns: a point by its index (p000), its figures, then what each index
 * stands for (its directory's label, in full, wrapped). */
static void points_table(FILE *out, const struct read_csv_table *t, const struct sweep_json *m)
{
        static const struct points_column cols[] = {SIM_LATENCY_FIGURES(LATENCY_POINTS)
                                                        SIM_COUNT_FIGURES(COUNT_POINTS)};
        int label = read_csv_col(t, "dir");
        fputs("```\n", out);
        fprintf(out, "%-6s %12s", "point", "throughput");
        for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
                if (cols[i].header)
                        fprintf(out, " %*s", cols[i].width, cols[i].header);
        fputc('\n', out);
        for (size_t r = 0; r < t->nrows; r++) {
                char a[32];
                const char *dir = label < 0 ? "?" : read_csv_at(t, r, (size_t)label);
                fprintf(out, "%-6.*s", (int)strcspn(dir, "-"), dir);
                fprintf(out, " %12s", figure(a, sizeof(a), t, r, "requests_per_s", 'r'));
                for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
                        if (cols[i].header)
                                fprintf(out, " %*s", cols[i].width,
                                        figure(a, sizeof(a), t, r, cols[i].csv, cols[i].kind));
                fputc('\n', out);
        }
        fputc('\n', out);
        for (size_t r = 0; r < t->nrows && label >= 0; r++) {
                const char *dir = read_csv_at(t, r, (size_t)label);
                size_t n = strcspn(dir, "-");
                const char *rest = dir[n] ? dir + n + 1 : "";
                for (size_t q = 0; q < m->npoints; q++) /* the label as written, with units */
                        if (m->points[q].dir && m->points[q].label &&
                            strcmp(m->points[q].dir, dir) == 0)
                                rest = m->points[q].label;
                /* the label's assignments, a space after each comma, wrapped */
                int col = fprintf(out, "%-6.*s", (int)n, dir);
                while (*rest) {
                        size_t w = strcspn(rest, ",");
                        if (col > 7 && col + 1 + (int)w > 79) {
                                fputs("\n      ", out);
                                col = 6;
                        }
                        col += fprintf(out, " %.*s", (int)w, rest);
                        rest += w + (rest[w] == ',');
                }
                fputc('\n', out);
        }
        fputs("```\n\n", out);
}

static int sweep_part(FILE *out, const char *dir, struct sim_error *err)
{
        char path[PATH_CAP], a[64];
        if (!join(path, dir, "sweep.json", err))
                return -1;
        struct sweep_json m;
        if (read_sweep_json(path, &m, err) < 0)
                return -1;
        struct read_csv_table t;
        if (!join(path, dir, "sweep.csv", err) || read_csv_file(path, &t, err) < 0) {
                sweep_json_free(&m);
                return -1;
        }
        const char *scenario = m.scenario ? m.scenario : "?";
        fprintf(out, "# acsim report: sweep of %s\n\n", scenario);
        fputs("| | |\n| --- | --- |\n", out);
        fact(out, "scenario", scenario);
        origin_facts(out, m.description, m.scenario_file, m.scenario_hash, m.has_sets,
                     (const char *const *)m.sets, m.nsets);
        fact(out, "seed", whole(a, sizeof(a), m.has_seed, m.seed));
        fact(out, "replications per point",
             whole(a, sizeof(a), m.has_replications, m.replications));
        snprintf(a, sizeof(a), "%zu", m.npoints);
        fact(out, "points", a);
        fputs("| swept keys | ", out);
        for (size_t i = 0; i < m.nkeys; i++) {
                fprintf(out, "%s`", i ? ", " : "");
                cell(out, m.keys[i] ? m.keys[i] : "?");
                fputc('`', out);
        }
        fputs(" |\n", out);
        fact(out, "acsim", m.acsim_version ? m.acsim_version : "?");
        fputs("\nEach point is a run directory (pNNN-label/) with its own summary.json; "
              "sweep.csv has one row per point.\n\n",
              out);

        if (join(path, dir, "comparison.txt", NULL)) {
                FILE *probe = fopen(path, "r");
                if (probe) {
                        fclose(probe);
                        fputs("## Comparison\n\n", out);
                        fenced_file(out, path);
                }
        }
        fputs("## Points\n\n", out);
        points_table(out, &t, &m);
        read_csv_free(&t);
        sweep_json_free(&m);
        return 0;
}

/* ---- plots --------------------------------------------------------------------- */

static void plots_part(FILE *out, const char *dir, const char *prefix, const struct plot_made *made)
{
        fputs("## Plots\n\n", out);
        if (made->n == 0) {
                fputs("No plots: `acsim plot` draws them (it needs gnuplot).\n", out);
                return;
        }
        fprintf(out, "Drawn by `acsim plot` into plots/ (PNG, SVG and text); the data behind "
                     "each is in plots/data/.\n\n");
        for (size_t i = 0; i < made->n; i++) {
                char file[128], path[PATH_CAP];
                fprintf(out, "### %s\n\n%s\n\n", made->title[i], made->about[i]);
                snprintf(file, sizeof(file), "plots/%s.png", made->kind[i]);
                if (join(path, dir, file, NULL)) {
                        FILE *probe = fopen(path, "r");
                        if (probe) {
                                fclose(probe);
                                fprintf(out, "![%s](%s%s)\n\n", made->title[i], prefix, file);
                        }
                }
                snprintf(file, sizeof(file), "plots/%s.txt", made->kind[i]);
                if (join(path, dir, file, NULL))
                        fenced_file(out, path);
        }
}

int report_md_write(FILE *out, const char *dir, const char *prefix, const struct plot_made *made,
                    struct sim_error *err)
{
        int rc = made->sweep ? sweep_part(out, dir, err) : run_part(out, dir, err);
        if (rc < 0)
                return rc;
        plots_part(out, dir, prefix, made);
        scenario_part(out, dir);
        return 0;
}
