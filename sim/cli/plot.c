/*
 * sim/cli/plot.c - `acsim plot RESULT_DIR [--format png,svg,txt]
 * [--replication I]`: draws
 * the plots of a run or a sweep directory with gnuplot into
 * RESULT_DIR/plots/ (sim/report/plot.h, docs/plots.md) and says where they are.
 */
#include <stdint.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/report/plot.h"

/* Parses "png,svg" into PLOT_* bits (out is an unsigned). Returns 0 or -1. */
static int parse_formats(const char *text, void *to)
{
        unsigned *out = to;
        char buf[64];
        if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
                return -1;
        *out = 0;
        for (char *save = NULL, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                unsigned f = plot_format_parse(w);
                if (f == 0)
                        return -1;
                *out |= f;
        }
        return *out ? 0 : -1;
}

/* Prints "plots: DIR/plots/ (kind, kind: png svg txt)". */
static void print_made(const char *dir, const struct plot_made *made, unsigned formats)
{
        size_t len = strlen(dir);
        while (len > 1 && dir[len - 1] == '/')
                len--;
        printf("plots: %.*s/plots/ (", (int)len, dir);
        for (size_t i = 0; i < made->n; i++)
                printf("%s%s", i ? ", " : "", made->kind[i]);
        printf(":%s%s%s)\n", formats & PLOT_PNG ? " .png" : "", formats & PLOT_SVG ? " .svg" : "",
               formats & PLOT_TXT ? " .txt" : "");
}

/* Takes --replication I: an index below 2^32 - 1 (out is an unsigned). */
static int take_replication(const char *value, void *out)
{
        unsigned long long i;
        if (cli_parse_u64(value, &i) < 0 || i >= UINT32_MAX)
                return -1;
        *(unsigned *)out = (unsigned)i;
        return 0;
}

void cli_plot_skipped(void *ctx, const char *kind, const struct sim_error *why)
{
        fprintf(stderr, "acsim plot: %s: skipped: %s\n", kind, why->msg);
}

static int plot_main(int argc, char **argv)
{
        const char *dir = NULL;
        unsigned formats = PLOT_ALL, replication = 0;
        bool quiet = false;
        const struct cli_option options[] = {
            {"--format", "-f", .check = parse_formats, .out = &formats,
             .expected = "--format: expected png, svg, txt or a list"},
            {"--replication", "-r", .check = take_replication, .out = &replication,
             .expected = "--replication: expected an index"},
            {"--quiet", "-q", .flag = &quiet},
            {0},
        };
        const struct cli_operands dirs = {&dir, 1, 1, "one result directory only",
                                          "which result directory? (acsim plot results/NAME)"};
        int status = cli_parse("plot", options, NULL, &dirs, argc, argv);
        if (status != CLI_OK)
                return status;

        struct sim_error e;
        struct plot_made made;
        struct plot_options opt = {
            .formats = formats, .replication = replication, .skipped = cli_plot_skipped};
        int rc = plot_result_dir(dir, &opt, &made, &e);
        if (rc < 0) {
                fprintf(stderr, "acsim plot: %s\n", e.msg);
                return rc == PLOT_EDRAW ? CLI_FAILED : CLI_USAGE;
        }
        if (!quiet)
                print_made(dir, &made, formats);
        return CLI_OK;
}

CLI_COMMAND(plot, "draw the plots of a run or sweep directory with gnuplot",
            "Usage: acsim plot RESULT_DIR [--format png,svg,txt] [--replication I] [-q]\n"
            "\n"
            "Draws the plots of a result directory into RESULT_DIR/plots/, each as\n"
            "KIND.png, KIND.svg and KIND.txt (a 79x24 text rendering for a mail):\n"
            "\n"
            "  a run (acsim run):     latency_cdf  latency CDF per class, log x\n"
            "                         latency_ccdf latency CCDF per class, log x and y\n"
            "                         devices      utilisation, queue and in flight\n"
            "                                      per device over time, faults shaded\n"
            "                         failover     each fault window with its detection\n"
            "                                      and recovery, latency p50..max per\n"
            "                                      interval, completions and retries\n"
            "  a sweep (acsim sweep): latency_cdf  latency CDF per policy\n"
            "                         latency_ccdf latency CCDF per policy, log x and y\n"
            "                         latency_load p50, p99, p99.9 and max against\n"
            "                                      offered load\n"
            "                         throughput_load  requests/s carried and offered,\n"
            "                                      rejected and failed fractions\n"
            "\n"
            "The data behind each plot goes to RESULT_DIR/plots/data/KIND.dat, with a\n"
            "gnuplot driver KIND.gp that redraws it (cd RESULT_DIR/plots && gnuplot\n"
            "data/KIND.gp). Needs gnuplot on PATH (package gnuplot-nox); the scripts\n"
            "are tools/plot/*.gp ($ACSIM_PLOT_DIR overrides where they are found).\n"
            "\n"
            "  -f, --format LIST  the formats to write: png, svg, txt, comma-separated\n"
            "                     (default all three)\n"
            "  -r, --replication I  the replication the plots over time of a run draw\n"
            "                     (default 0; the subtitle names the one with the\n"
            "                     worst p99.9)\n"
            "  -q, --quiet        no 'plots:' line; errors and skipped plots only\n"
            "\n"
            "Exit status: 0 plots drawn; 1 gnuplot failed; 2 bad usage, RESULT_DIR is\n"
            "not a result directory, or gnuplot is missing.\n");
