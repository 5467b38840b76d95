/*
 * sim/cli/validate.c - `acsim validate`: load and check scenarios without
 * running them; every error located (file:line:col, key path).
 */
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/load/diag.h"
#include "sim/run/scenario.h"
#include "sim/load/scenario_load.h"

/* Checks one file; returns CLI_OK or CLI_USAGE. */
static int validate_one(const char *arg, const char *const *sets, size_t nsets, bool quiet)
{
        char pathbuf[4096];
        const char *path = cli_scenario_path(arg, pathbuf, sizeof(pathbuf));
        struct diag dg;
        struct scenario sc;
        diag_init(&dg);
        int rc = scenario_load(path, sets, nsets, &dg, &sc);
        if (rc != 0) {
                return cli_load_failed(NULL, path, &dg);
        }
        if (!quiet)
                printf("%s: ok: %s, policy %s, %zu device%s, %zu class%s, %zu fault%s\n", path,
                       sc.name ? sc.name : "?", sc.engine.policy ? sc.engine.policy : "?",
                       scenario_device_total(&sc), scenario_device_total(&sc) == 1 ? "" : "s",
                       sc.nclasses, sc.nclasses == 1 ? "" : "es", sc.nfaults,
                       sc.nfaults == 1 ? "" : "s");
        scenario_free(&sc);
        diag_free(&dg);
        return CLI_OK;
}

/* The --set assignments, in order. */
struct assignments {
        const char **sets; /* room for every argument */
        size_t n;
};

/* Takes --set KEY=VALUE as it is: the loader checks it. */
static int take_set(const char *value, void *out)
{
        struct assignments *a = out;
        a->sets[a->n++] = value;
        return 0;
}

static int validate_main(int argc, char **argv)
{
        struct assignments set = {calloc((size_t)argc, sizeof(*set.sets)), 0};
        bool quiet = false;
        const char **files = calloc((size_t)argc, sizeof(*files)); /* NULL after the last */
        const struct cli_option options[] = {
            {"--set", .check = take_set, .out = &set},
            {"--quiet", "-q", .flag = &quiet},
            {0},
        };
        const struct cli_operands operands = {files, (size_t)argc - 1, 1, "",
                                              "which scenario? (acsim validate FILE.yaml)"};
        if (set.sets == NULL || files == NULL) {
                free(set.sets);
                free(files);
                return CLI_FAILED;
        }
        int parsed = cli_parse("validate", options, NULL, &operands, argc, argv), status = parsed;
        for (size_t i = 0; parsed == CLI_OK && files[i]; i++)
                if (validate_one(files[i], set.sets, set.n, quiet) != CLI_OK)
                        status = CLI_USAGE;
        free(set.sets);
        free(files);
        return status;
}

CLI_COMMAND(validate, "check scenarios without running them",
            "Usage: acsim validate SCENARIO.yaml... [--set KEY=VALUE]... [-q]\n"
            "\n"
            "Loads each scenario (with the overrides applied, as acsim run would)\n"
            "and checks every key, value and unit. Each error names the file, line\n"
            "and column, the key path and what was expected. Prints one 'ok' line\n"
            "per good file (-q, --quiet: none; errors only).\n"
            "\n"
            "Exit status: 0 every file is good; 2 one or more are not.\n");
