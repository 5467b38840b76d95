/*
 * sim/cli_planned.c - the commands DESIGN.md section 7 names that are not
 * built yet: sweep. Each has its help text and
 * says plainly that it is not implemented, with exit status 2.
 */
#include "sim/cli.h"

static int not_yet(int argc, char **argv)
{
        fprintf(stderr, "acsim %s: not implemented yet\n", argv[0]);
        return CLI_USAGE;
}

const struct cli_command cli_sweep = {
    .name = "sweep",
    .summary = "run every point of a scenario's sweep (not implemented yet)",
    .usage = "Usage: acsim sweep SCENARIO.yaml [-o DIR] [-j JOBS]\n"
             "\n"
             "Runs the cross product of the scenario's `sweep` lists, one result\n"
             "directory per point and a sweep.csv with one row per point.\n"
             "\n"
             "Not implemented yet: this command exits with status 2.\n",
    .main = not_yet,
};
