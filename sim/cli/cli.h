/*
 * sim/cli/cli.h - the commands of the acsim command line (docs/cli.md).
 *
 * A command is a const struct with its name, a one-line summary, its usage
 * text and its entry point, one file per command in sim/cli/, found by
 * name in the table of sim/cli/main.c. An entry point gets argv with argv[0]
 * the command's name and returns the process's exit status, chosen here
 * only (the layers below return an enum sim_outcome, cli_exit_status()):
 *
 *   CLI_OK      0  success
 *   CLI_FAILED  1  the run found a failure (see docs/results.md)
 *   CLI_USAGE   2  bad usage or bad input, with a message on stderr
 *
 * Every command answers -h and --help with its usage on stdout, status 0.
 */
#ifndef SIM_CLI_CLI_H
#define SIM_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/run/outcome.h"

enum cli_status {
        CLI_OK = 0,
        CLI_FAILED = 1,
        CLI_USAGE = 2,
};

/* Returns the exit status of what the layers below returned: SIM_OK is
 * CLI_OK, SIM_FAILED CLI_FAILED, SIM_BAD_INPUT CLI_USAGE. */
int cli_exit_status(enum sim_outcome o);

struct cli_command {
        const char *name;    /* as typed: "run" */
        const char *summary; /* one line, for `acsim --help` */
        const char *usage;   /* the full help text, ending in a newline */
        int (*main)(int argc, char **argv);
};

/* Defines the command cli_NAME: its summary, its usage text and its entry
 * point NAME_main. */
#define CLI_COMMAND(NAME, SUMMARY, USAGE)                                                          \
        const struct cli_command cli_##NAME = {#NAME, SUMMARY, USAGE, NAME##_main}

extern const struct cli_command cli_run;
extern const struct cli_command cli_validate;
extern const struct cli_command cli_list;
extern const struct cli_command cli_sweep;
extern const struct cli_command cli_plot;
extern const struct cli_command cli_report;
extern const struct cli_command cli_compare;
extern const struct cli_command cli_live;
extern const struct cli_command cli_calibrate;
extern const struct cli_command cli_swarm;

/* The table of every command, NULL-terminated, in help order. */
extern const struct cli_command *const cli_commands[];

/* Returns the command named name, or NULL. */
const struct cli_command *cli_command_find(const char *name);

/* Returns true when arg is -h or --help. */
bool cli_is_help(const char *arg);

/* The options by which acsim run, sweep and live change a scenario. */
struct cli_overrides {
        const char **sets;       /* --set KEY=VALUE, in order; room for argc */
        size_t nsets;            /* how many */
        bool has_seed;           /* --seed given */
        unsigned long long seed; /* its value */
};

/* ---- a command's whole argument list -------------------------------------
 *
 * Every command scans its arguments from a table: cli_parse() takes the
 * positional arguments, the options of the table and, for run, sweep and
 * live, the scenario overrides, and prints the usage errors. Options come
 * before, after or between positional arguments; "--" ends them. An
 * option's value is the next argument ("-o DIR", "--seed 7") or follows
 * '=' ("--seed=7"). A value option is checked as it is met, so the first
 * bad argument is the one named. */

/* One option of a command: a flag, or an option with a value. */
struct cli_option {
        const char *name;   /* "--output" */
        const char *alias;  /* "-o", or NULL */
        bool *flag;         /* a flag: set to true when given; NULL for a value option */
        const char **value; /* a value option: where its value goes, or NULL */
        int (*check)(const char *value, void *out); /* or NULL: takes the value, < 0 refuses it */
        void *out;                                  /* what check fills */
        const char *expected; /* check's refusal: "--seed: expected a number" */
        bool glued;           /* the alias takes a digit glued on too: -j2 */
};

/* A command's positional arguments: what it allows, and what it says
 * when they are too many or too few. */
struct cli_operands {
        const char **args;    /* filled in order; room for max */
        size_t max;           /* how many are allowed */
        size_t min;           /* how many are needed */
        const char *too_many; /* "one scenario only" */
        const char *missing;  /* said when fewer than min are given */
};

/* Scans argv (argv[0] the command cmd) for the options of the table
 * options (ending in an entry with no name), for --seed and --set when
 * over is not NULL, and for the operands. With over, first gives
 * over->sets room for every argument, and frees it again on an error.
 * Returns CLI_OK, CLI_USAGE after a usage error, or CLI_FAILED out of
 * memory. */
int cli_parse(const char *cmd, const struct cli_option *options, struct cli_overrides *over,
              const struct cli_operands *operands, int argc, char **argv);

/* Prints "acsim CMD: MESSAGE" and "Try 'acsim CMD --help'." on stderr and
 * returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct diag;
/* Reports a scenario that failed to load: the located errors in dg, or,
 * when it holds none, "acsim CMD: PATH: cannot load" ("PATH: cannot load"
 * when cmd is NULL). Frees dg and returns CLI_USAGE. */
int cli_load_failed(const char *cmd, const char *path, struct diag *dg);

/* Prints "acsim plot: KIND: skipped: WHY" on stderr: the skipped hook of
 * struct plot_options, for acsim plot and acsim report. */
void cli_plot_skipped(void *ctx, const char *kind, const struct sim_error *why);

struct replications;
/* The end of acsim run and acsim live: prints the summary table (unless
 * quiet), the verdict on the runs, writes the result directory out, says
 * where (unless quiet), frees r, and returns the exit status. */
int cli_finish_runs(const char *cmd, const char *out, struct replications *r, bool quiet);

/* Parses a whole unsigned decimal (or 0x hex) number. Returns 0, or -1
 * when text is not one or does not fit. */
int cli_parse_u64(const char *text, unsigned long long *out);

/* The directory `acsim list scenarios` and bare scenario names look in:
 * $ACSIM_SCENARIOS if set; else ./scenarios if it exists; else the
 * source tree's scenarios/ beside a build tree's acsim, or
 * PREFIX/share/acsim/scenarios beside an installed one; else "scenarios". */
const char *cli_scenario_dir(void);

/* Returns the file a SCENARIO argument names: arg itself, or, when arg
 * holds no '/' and no file of that name exists, cli_scenario_dir()/arg
 * with ".yaml" added if missing (so `acsim run default` works), written
 * into buf. */
const char *cli_scenario_path(const char *arg, char *buf, size_t cap);

#endif
