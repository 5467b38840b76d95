/*
 * sim/cli/report.c - `acsim report RESULT_DIR [-o FILE]`: the Markdown
 * report of a run or a sweep (sim/report/markdown.h), by default
 * RESULT_DIR/report.md. Draws the plots first when RESULT_DIR/plots/ is
 * missing; without gnuplot the report is written without them.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/cli/cli.h"
#include "sim/report/plot.h"
#include "sim/report/markdown.h"
#include "sim/report/plain.h"

/* The plots to show: those in RESULT_DIR/plots/, drawn now if there is no
 * such directory. Returns 0, or CLI_USAGE for a bad directory. */
static int gather_plots(const char *dir, struct plot_made *made)
{
        char path[4096];
        struct sim_error e;
        struct stat st;
        int rc = plot_dir_kind(dir, &e);
        if (rc < 0) {
                fprintf(stderr, "acsim report: %s\n", e.msg);
                return CLI_USAGE;
        }
        if (snprintf(path, sizeof(path), "%s/plots", dir) < (int)sizeof(path) &&
            stat(path, &st) != 0) {
                struct plot_options opt = {.formats = PLOT_ALL, .skipped = cli_plot_skipped};
                if (plot_result_dir(dir, &opt, made, &e) < 0)
                        fprintf(stderr, "acsim report: %s; the report shows the plots there are\n",
                                e.msg);
        }
        if (plot_kinds_present(dir, made, &e) < 0) {
                fprintf(stderr, "acsim report: %s\n", e.msg);
                return CLI_USAGE;
        }
        return CLI_OK;
}

/* What image paths start with: nothing when the report sits in dir, else
 * dir's absolute path (or dir as given, for stdout). */
static void image_prefix(const char *dir, const char *file, char *buf, size_t cap)
{
        char rdir[PATH_MAX], rparent[PATH_MAX], parent[PATH_MAX];
        buf[0] = '\0';
        if (file == NULL)
                return;
        if (strcmp(file, "-") == 0) {
                snprintf(buf, cap, "%s/", dir);
                return;
        }
        snprintf(parent, sizeof(parent), "%s", file);
        char *slash = strrchr(parent, '/');
        if (slash)
                *(slash == parent ? slash + 1 : slash) = '\0';
        else
                snprintf(parent, sizeof(parent), ".");
        if (realpath(dir, rdir) == NULL)
                snprintf(rdir, sizeof(rdir), "%s", dir);
        if (realpath(parent, rparent) != NULL && strcmp(rdir, rparent) == 0)
                return;
        snprintf(buf, cap, "%s/", rdir);
}

static int report_main(int argc, char **argv)
{
        const char *dir = NULL, *file = NULL, *format = "markdown";
        bool quiet = false;
        const struct cli_option options[] = {
            {"--output", "-o", .value = &file},
            {"--format", NULL, .value = &format},
            {"--quiet", "-q", .flag = &quiet},
            {0},
        };
        const struct cli_operands dirs = {&dir, 1, 1, "one result directory only",
                                          "which result directory? (acsim report results/NAME)"};
        int status = cli_parse("report", options, NULL, &dirs, argc, argv);
        if (status != CLI_OK)
                return status;
        bool text = strcmp(format, "text") == 0;
        if (!text && strcmp(format, "markdown") != 0)
                return cli_usage_error("report", "--format: expected markdown or text, got '%s'",
                                       format);

        struct plot_made made;
        status = gather_plots(dir, &made);
        if (status != CLI_OK)
                return status;
        char path[4096], prefix[PATH_MAX + 2];
        struct sim_error e;
        image_prefix(dir, file, prefix, sizeof(prefix));
        if (file == NULL) {
                if (snprintf(path, sizeof(path), "%s/%s", dir, text ? "report.txt" : "report.md") >=
                    (int)sizeof(path))
                        return cli_usage_error("report", "%s: path too long", dir);
                file = path;
        }
        bool to_stdout = strcmp(file, "-") == 0;
        FILE *out = to_stdout ? stdout : fopen(file, "w");
        if (out == NULL) {
                fprintf(stderr, "acsim report: %s: %s\n", file, strerror(errno));
                return CLI_USAGE;
        }
        int rc;
        if (text) { /* the Markdown, then rewritten without its markup */
                FILE *md = tmpfile();
                rc = md ? report_md_write(md, dir, prefix, &made, &e) : -1;
                if (md == NULL)
                        sim_fail(&e, -1, "no temporary file: %s", strerror(errno));
                if (rc == 0 && (fflush(md) != 0 || fseek(md, 0, SEEK_SET) != 0 ||
                                report_plain_write(out, md) < 0)) {
                        sim_fail(&e, -1, "%s: cannot write the text report", file);
                        rc = -1;
                }
                if (md)
                        fclose(md);
        } else {
                rc = report_md_write(out, dir, prefix, &made, &e);
        }
        bool bad = ferror(out) != 0;
        if (!to_stdout && fclose(out) != 0)
                bad = true;
        if (rc < 0) {
                fprintf(stderr, "acsim report: %s\n", e.msg);
                if (!to_stdout)
                        remove(file);
                return CLI_USAGE;
        }
        if (bad) {
                fprintf(stderr, "acsim report: %s: cannot write\n", file);
                return CLI_FAILED;
        }
        if (!to_stdout && !quiet)
                printf("report: %s\n", file);
        return CLI_OK;
}

CLI_COMMAND(report, "write a Markdown report of a run or sweep directory, with its plots",
            "Usage: acsim report RESULT_DIR [-o FILE] [--format markdown|text] [-q]\n"
            "\n"
            "Writes a Markdown report of a result directory: for a run, its scenario,\n"
            "seed, policy and replications, the summary table `acsim run` printed\n"
            "(rebuilt from summary.json) and its plots; for a sweep, its facts,\n"
            "comparison.txt when present, a table of its points and its plots. Each\n"
            "plot appears as an image (plots/KIND.png) and as text in a fenced block.\n"
            "The plots are drawn first (acsim plot) when RESULT_DIR/plots/ is missing;\n"
            "without gnuplot the report has no plots.\n"
            "\n"
            "  -o, --output FILE  where to write (default RESULT_DIR/report.md; - for\n"
            "                     stdout). Images are referred to relative to the\n"
            "                     report when it sits in RESULT_DIR, else by absolute\n"
            "                     path.\n"
            "  --format FORMAT    markdown (the default) or text: plain text for a\n"
            "                     mailing list, every line at most 80 columns, no\n"
            "                     images (default file RESULT_DIR/report.txt).\n"
            "  -q, --quiet        no 'report:' line; errors only\n"
            "\n"
            "Exit status: 0 written; 1 the report could not be written; 2 bad usage\n"
            "or RESULT_DIR is not a result directory.\n");
