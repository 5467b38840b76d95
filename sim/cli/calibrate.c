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
        bool quick = false;
        struct cli_scan s = cli_scan_start(argc, argv);
        while (cli_scan_more(&s)) {
                const char *arg = cli_scan_positional(&s);
                const char *v;
                int took;
                if (arg) {
                        return cli_usage_error("calibrate", "no positional argument (got '%s')",
                                               arg);
                } else if ((took = cli_take_value("calibrate", &s, "--output", "-o", &v))) {
                        if (took < 0)
                                return CLI_USAGE;
                        output = v;
                } else if (cli_take_flag(&s, "--quick", NULL)) {
                        quick = true;
                } else {
                        return cli_usage_error("calibrate", "unknown option '%s'",
                                               cli_scan_arg(&s));
                }
        }
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
        calibrate_write_table(stdout, ops, live_nops);
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        unsigned lanes = cpus > 0 ? (unsigned)cpus : 1;
        if (output == NULL) {
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
        printf("devices: %s\n", output);
        return CLI_OK;
}

const struct cli_command cli_calibrate = {
    .name = "calibrate",
    .summary = "measure this machine's live operations; write fitted device models",
    .usage = "Usage: acsim calibrate [-o FILE] [--quick]\n"
             "\n"
             "Times every live operation (OpenSSL, docs/live.md) over sizes from 64 B\n"
             "to 16 KiB and on 1 to all online CPUs, fits setup + bytes / rate with a\n"
             "lognormal jitter, prints a table (fit error, jitter cv, lane speed-up;\n"
             "POOR marks a fit worse than 10%) and writes a `devices:` block a\n"
             "scenario can hold: to FILE, or after the table on stdout.\n"
             "\n"
             "  -o, --output FILE  where to write the devices: block\n"
             "  --quick            fewer timings (201 per size, 20 ms per lane count)\n"
             "\n"
             "Exit status: 0 measured; 1 a measurement failed; 2 bad usage or FILE\n"
             "cannot be written.\n",
    .main = calibrate_main,
};
