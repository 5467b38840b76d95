/*
 * sim/cli/main.c - the acsim executable: finds the command by name and hands
 * it the rest of the command line. Global options: --help, --version;
 * `acsim help CMD` is `acsim CMD --help`.
 */
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/load/doc_tree.h"

const struct cli_command *const cli_commands[] = {
    &cli_run,     &cli_sweep, &cli_validate,  &cli_list,  &cli_plot, &cli_report,
    &cli_compare, &cli_live,  &cli_calibrate, &cli_swarm, NULL,
};

const struct cli_command *cli_command_find(const char *name)
{
        for (size_t i = 0; cli_commands[i]; i++)
                if (strcmp(cli_commands[i]->name, name) == 0)
                        return cli_commands[i];
        return NULL;
}

/* "no command 'NAME'", with the command it is likely a typo of. */
static int no_command(const char *name)
{
        const char *names[16];
        size_t n = 0;
        for (size_t i = 0; cli_commands[i] && n + 1 < sizeof(names) / sizeof(names[0]); i++)
                names[n++] = cli_commands[i]->name;
        names[n++] = "help";
        const char *near = doc_closest(name, names, n);
        if (near)
                return cli_usage_error(NULL, "no command '%s'; did you mean '%s'?", name, near);
        return cli_usage_error(NULL, "no command '%s'", name);
}

static void print_help(FILE *out)
{
        fprintf(out, "Usage: acsim COMMAND [ARGS]...\n"
                     "\n"
                     "acsim runs an asynchronous crypto layer on simulated devices and\n"
                     "reports what it measured. Commands:\n"
                     "\n");
        for (size_t i = 0; cli_commands[i]; i++)
                fprintf(out, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
        fprintf(out, "\n"
                     "Options:\n"
                     "  -h, --help     this text; 'acsim help COMMAND' or\n"
                     "                 'acsim COMMAND --help' for one command\n"
                     "  --version      the version\n"
                     "\n"
                     "Exit status: 0 success; 1 the run found a failure; 2 bad usage or\n"
                     "bad input. Results are described in docs/results.md.\n");
}

static int help_command(int argc, char **argv)
{
        if (argc < 3) {
                print_help(stdout);
                return CLI_OK;
        }
        const struct cli_command *cmd = cli_command_find(argv[2]);
        if (cmd == NULL)
                return no_command(argv[2]);
        fputs(cmd->usage, stdout);
        return CLI_OK;
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                print_help(stderr);
                return CLI_USAGE;
        }
        const char *name = argv[1];
        if (cli_is_help(name))
                return print_help(stdout), CLI_OK;
        if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
                printf("acsim %s\n", ACSIM_VERSION);
                return CLI_OK;
        }
        if (strcmp(name, "help") == 0)
                return help_command(argc, argv);
        const struct cli_command *cmd = cli_command_find(name);
        if (cmd == NULL) {
                if (name[0] == '-')
                        return cli_usage_error(NULL, "unknown option '%s'", name);
                return no_command(name);
        }
        for (int i = 2; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0)
                        break;
                if (cli_is_help(argv[i])) {
                        fputs(cmd->usage, stdout);
                        return CLI_OK;
                }
        }
        return cmd->main(argc - 1, argv + 1);
}
