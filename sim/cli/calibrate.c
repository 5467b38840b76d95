/*
 * sim/cli/calibrate.c - `acsim calibrate`: measure this machine's live
 * operations and write a `devices:` block of fitted device models
 * (docs/live.md, "Calibration").
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "live/calibrate.h"
#include "sim/cli/cli.h"

static int calibrate_main(int argc, char **argv)
{
        const char *output = NULL;
        bool quick = false, quiet = false;
        const struct cli_option options[] = {
            {"--output", "-o", .value = &output},
            {"--quick", .flag = &quick},
            {"--quiet", "-q", .flag = &quiet},
            {0},
        };
        const struct cli_operands none = {NULL, 0, 0, "no positional argument", NULL};
        int status = cli_parse("calibrate", options, NULL, &none, argc, argv);
        if (status != CLI_OK)
                return status;
        struct calibrate_config cfg = {0};
        if (quick) {
                cfg.samples = 201;
                cfg.lane_ns = 20000000;
        }
        struct calibrate_op ops[16];
        if (live_nops > sizeof(ops) / sizeof(ops[0])) {
                fprintf(stderr, "acsim calibrate: more operations than room for them\n");
                return CLI_FAILED;
        }
        struct sim_error e;
        if (calibrate_run(&cfg, ops, &e) < 0) {
                fprintf(stderr, "acsim calibrate: %s\n", e.msg);
                return CLI_FAILED;
        }
        if (!quiet)
                calibrate_write_table(stdout, ops, live_nops);
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        unsigned lanes = cpus > 0 ? (unsigned)cpus : 1;
        if (output == NULL) {
                if (!quiet)
                        printf("\n");
                calibrate_write_yaml(stdout, ops, live_nops, lanes);
                return CLI_OK;
        }
        FILE *f = fopen(output, "w");
        if (f == NULL) {
                perror(output);
                return CLI_USAGE;
        }
        calibrate_write_yaml(f, ops, live_nops, lanes);
        if (fclose(f) != 0) {
                perror(output);
                return CLI_USAGE;
        }
        if (!quiet)
                printf("devices: %s\n", output);
        return CLI_OK;
}

CLI_COMMAND(calibrate, "measure this machine's live operations; write fitted device models",
            "Usage: acsim calibrate [-o FILE] [--quick] [-q]\n"
            "\n"
            "Times every live operation (OpenSSL, docs/live.md) over sizes from 64 B\n"
            "to 1 MiB, on buffers cold in the caches, and on 1 to all online CPUs;\n"
            "fits setup + bytes / rate with a lognormal jitter, prints a table (fit\n"
            "error, jitter cv, lane speed-up; POOR marks a fit worse than 10%) and\n"
            "writes a `devices:` block a scenario can hold: to FILE, or after the\n"
            "table on stdout.\n"
            "\n"
            "  -o, --output FILE  where to write the devices: block\n"
            "  --quick            fewer timings (201 per size, 20 ms per lane count)\n"
            "  -q, --quiet        no table and no 'devices:' line: the block alone\n"
            "\n"
            "Exit status: 0 measured; 1 a measurement failed; 2 bad usage or FILE\n"
            "cannot be written.\n");
