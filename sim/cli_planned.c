/*
 * sim/cli_planned.c - the commands DESIGN.md section 7 names that are not
 * built yet: sweep, plot, report, compare. Each has its help text and
 * says plainly that it is not implemented, with exit status 2.
 */
#include "sim/cli.h"

static int not_yet(int argc, char **argv)
{
        fprintf(stderr, "acsim %s: not implemented yet\n", argv[0]);
        return CLI_USAGE;
}

const struct cli_command cli_plot = {
    .name = "plot",
    .summary = "plot a result directory with gnuplot (not implemented yet)",
    .usage = "Usage: acsim plot RESULT_DIR\n"
             "\n"
             "Turns the CSV files of a result directory into plots.\n"
             "\n"
             "Not implemented yet: this command exits with status 2.\n",
    .main = not_yet,
};

const struct cli_command cli_report = {
    .name = "report",
    .summary = "print the summary table of a result directory (not implemented yet)",
    .usage = "Usage: acsim report RESULT_DIR\n"
             "\n"
             "Prints the plain-text summary of a finished run again.\n"
             "\n"
             "Not implemented yet: this command exits with status 2.\n",
    .main = not_yet,
};

const struct cli_command cli_compare = {
    .name = "compare",
    .summary = "compare two result directories (not implemented yet)",
    .usage = "Usage: acsim compare BASELINE NEW [--threshold PCT]\n"
             "\n"
             "Compares a run with a baseline; exit status 1 on a regression\n"
             "beyond the threshold.\n"
             "\n"
             "Not implemented yet: this command exits with status 2.\n",
    .main = not_yet,
};
