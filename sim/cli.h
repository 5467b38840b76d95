/*
 * sim/cli.h - the commands of the acsim command line (DESIGN.md section 7).
 *
 * A command is a const struct with its name, a one-line summary, its usage
 * text and its entry point, one file per command (sim/cli_*.c), found by
 * name in the table of sim/main.c. An entry point gets argv with argv[0]
 * the command's name and returns the process's exit status:
 *
 *   CLI_OK      0  success
 *   CLI_FAILED  1  the run found a failure (see docs/results.md)
 *   CLI_USAGE   2  bad usage or bad input, with a message on stderr
 *
 * Every command answers -h and --help with its usage on stdout, status 0.
 */
#ifndef SIM_CLI_H
#define SIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cli_status {
        CLI_OK = 0,
        CLI_FAILED = 1,
        CLI_USAGE = 2,
};

struct cli_command {
        const char *name;    /* as typed: "run" */
        const char *summary; /* one line, for `acsim --help` */
        const char *usage;   /* the full help text, ending in a newline */
        int (*main)(int argc, char **argv);
};

extern const struct cli_command cli_run;
extern const struct cli_command cli_validate;
extern const struct cli_command cli_list;
extern const struct cli_command cli_sweep;
extern const struct cli_command cli_plot;
extern const struct cli_command cli_report;
extern const struct cli_command cli_compare;

/* The table of every command, NULL-terminated, in help order. */
extern const struct cli_command *const cli_commands[];

/* Returns the command named name, or NULL. */
const struct cli_command *cli_command_find(const char *name);

/* ---- argument scanning, shared by the commands ---------------------------
 *
 * Options come before, after or between positional arguments; "--" ends
 * them. An option's value is the next argument ("-o DIR", "--seed 7") or
 * follows '=' ("--seed=7"). */

/* Returns true when argv[*i] is -h or --help. */
bool cli_is_help(const char *arg);

/* If argv[*i] is the option `name` (or `alias`, which may be NULL), sets
 * *value to its value, advances *i past what it consumed and returns 1;
 * returns 0 when it is not this option; prints a message naming the
 * command and returns -1 when the value is missing. */
int cli_take_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                   const char *alias, const char **value);

/* Prints "acsim CMD: MESSAGE" and "Try 'acsim CMD --help'." on stderr and
 * returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses a whole unsigned decimal (or 0x hex) number. Returns 0, or -1
 * when text is not one or does not fit. */
int cli_parse_u64(const char *text, unsigned long long *out);

/* The directory `acsim list scenarios` and bare scenario names look in:
 * $ACSIM_SCENARIOS if set; else ./scenarios if it exists; else, for an
 * installed acsim, PREFIX/share/acsim/scenarios; else "scenarios". */
const char *cli_scenario_dir(void);

/* Returns the file a SCENARIO argument names: arg itself, or, when arg
 * holds no '/' and no file of that name exists, cli_scenario_dir()/arg
 * with ".yaml" added if missing (so `acsim run default` works), written
 * into buf. */
const char *cli_scenario_path(const char *arg, char *buf, size_t cap);

#endif
