/*
 * sim/cli/compare.c - `acsim compare BASELINE NEW [--threshold PCT]
 * [--brief]`: the figures of two result sets side by side, with their
 * change and a verdict (sim/report/compare.h, docs/regressions.md).
 *
 * Exit status: 0 nothing worse; 1 a regression, or a run, point or class
 * of the baseline missing from NEW; 2 bad usage or bad input (a missing
 * directory, a file that is not JSON, nothing to compare).
 */
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/report/compare.h"

/* Returns 0 and sets *pct (a double) from "5", "2.5" or "5%", or -1. */
static int parse_percent(const char *text, void *to)
{
        double *pct = to;
        char *end;
        double v = strtod(text, &end);
        if (end == text || (*end == '%' && end[1] == '\0' ? false : *end != '\0'))
                return -1;
        if (!(v >= 0 && v <= 1e6))
                return -1;
        *pct = v;
        return 0;
}

static int compare_main(int argc, char **argv)
{
        const char *paths[2] = {NULL, NULL};
        struct compare_options opt = {COMPARE_THRESHOLD_PCT, false};
        bool quiet = false;
        const struct cli_option options[] = {
            {"--threshold", "-t", .check = parse_percent, .out = &opt.threshold_pct,
             .expected = "--threshold: expected a percentage"},
            {"--brief", "-b", .flag = &opt.brief},
            {"--quiet", "-q", .flag = &quiet},
            {0},
        };
        const struct cli_operands dirs = {paths, 2, 2, "two directories only",
                                          "expected BASELINE and NEW directories"};
        int status = cli_parse("compare", options, NULL, &dirs, argc, argv);
        if (status != CLI_OK)
                return status;

        struct compare_set *sets[2] = {NULL, NULL};
        struct sim_error e;
        for (size_t k = 0; k < 2; k++) {
                if (compare_set_load(paths[k], &sets[k], &e) < 0) {
                        fprintf(stderr, "acsim compare: %s\n", e.msg);
                        compare_set_free(sets[0]);
                        return CLI_USAGE;
                }
        }
        /* -q: the verdict in the exit status alone; the table goes nowhere */
        FILE *out = quiet ? fopen("/dev/null", "w") : stdout;
        if (out == NULL)
                out = stdout;
        fprintf(out, "acsim compare %s %s\n", paths[0], paths[1]);
        struct compare_tally tally;
        bool worse = compare_print(out, sets[0], sets[1], &opt, &tally);
        if (out != stdout)
                fclose(out);
        compare_set_free(sets[0]);
        compare_set_free(sets[1]);
        return worse ? CLI_FAILED : CLI_OK;
}

CLI_COMMAND(compare, "compare results with a baseline; exit 1 on a regression",
            "Usage: acsim compare BASELINE NEW [--threshold PCT] [--brief] [-q]\n"
            "\n"
            "Compares every run, sweep point and class found under NEW with the same\n"
            "one under BASELINE (a result directory, a sweep directory or a tree of\n"
            "them, matched by path and, in a sweep, by the point's values): latency\n"
            "mean, p50, p99 and p99.9, throughput, and the failed, rejected and\n"
            "retried requests as a percentage of those submitted.\n"
            "\n"
            "A figure is a REGRESSION when it is worse by more than PCT percent of\n"
            "the baseline and, where both sides have replications, their 95%\n"
            "intervals do not overlap (overlapping: 'noise (CI)'); where both sides\n"
            "ran the same seeds, when the paired difference's interval excludes 0.\n"
            "Fractions must\n"
            "also move by more than 0.1 percentage points. Improvements are marked\n"
            "'better'. A run, point or class of BASELINE that NEW lacks counts as a\n"
            "regression.\n"
            "\n"
            "  -t, --threshold PCT  the relative change allowed, in percent (default 5)\n"
            "  -b, --brief          print only the rows that are not ok\n"
            "  -q, --quiet          print nothing: the exit status is the verdict\n"
            "\n"
            "Exit status: 0 nothing worse; 1 a regression or something missing;\n"
            "2 bad usage or bad input (a missing directory, broken JSON). See\n"
            "docs/regressions.md.\n");
