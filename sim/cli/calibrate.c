/*
 * sim/cli/calibrate.c - `acsim calibrate`: measure this machine's live
 * operations and write a `devices:` block of fitted device models
 * (docs/live.md, "Calibration").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live/calibrate.h"
#include "sim/cli/cli.h"

/* "64KiB,256KiB,1MiB" or "65536,262144": ascending sizes in bytes. */
static int parse_sizes(const char *text, size_t *out, size_t *n)
{
        *n = 0;
        for (const char *p = text; *p;) {
                char *end;
                double v = strtod(p, &end);
                double unit = 1;
                if (strncmp(end, "KiB", 3) == 0 || strncmp(end, "MiB", 3) == 0) {
                        unit = end[0] == 'K' ? 1024.0 : 1048576.0;
                        end += 3;
                } else if (*end == 'B') {
                        end++;
                }
                if (end == p || !(v >= 1 && v * unit <= 64.0 * 1048576) ||
                    *n == CALIBRATE_MAX_SIZES || (*end != ',' && *end != '\0'))
                        return -1;
                out[*n] = (size_t)(v * unit);
                if (*n > 0 && out[*n] <= out[*n - 1])
                        return -1;
                (*n)++;
                p = *end == ',' ? end + 1 : end;
        }
        return *n > 0 ? 0 : -1;
}

static int calibrate_main(int argc, char **argv)
{
        const char *output = NULL, *only = NULL, *sizes_text = NULL;
        bool quick = false, by_size = false, quiet = false, pin = false;
        const struct cli_option options[] = {
            {"--output", "-o", .value = &output},
            {"--quick", .flag = &quick},
            {"--op", .value = &only},
            {"--sizes", .value = &sizes_text},
            {"--by-size", .flag = &by_size},
            {"--pin", .flag = &pin},
            {"--quiet", "-q", .flag = &quiet},
            {0},
        };
        const struct cli_operands none = {NULL, 0, 0, "no positional argument", NULL};
        int status = cli_parse("calibrate", options, NULL, &none, argc, argv);
        if (status != CLI_OK)
                return status;
        struct calibrate_config cfg = {.only = only, .pin = pin};
        if (quick) {
                cfg.samples = 201;
                cfg.lane_ns = 20000000;
                cfg.path_requests = 101;
                cfg.path_ns = 50000000;
                cfg.path_pause_ns = 200000;
        }
        size_t sizes[CALIBRATE_MAX_SIZES];
        if (sizes_text != NULL) {
                if (parse_sizes(sizes_text, sizes, &cfg.nsizes) < 0) {
                        fprintf(stderr,
                                "acsim calibrate: --sizes: expected up to %d ascending sizes in "
                                "bytes, like 64KiB,256KiB,1MiB, got %s\n",
                                CALIBRATE_MAX_SIZES, sizes_text);
                        return CLI_USAGE;
                }
                cfg.sizes = sizes;
        }
        struct calibrate_op ops[16];
        if (live_nops > sizeof(ops) / sizeof(ops[0])) {
                fprintf(stderr, "acsim calibrate: more operations than room for them\n");
                return CLI_FAILED;
        }
        struct sim_error e;
        int nops = calibrate_run(&cfg, ops, &e);
        if (nops < 0) {
                fprintf(stderr, "acsim calibrate: %s\n", e.msg);
                return only != NULL && live_op_find(only) == NULL ? CLI_USAGE : CLI_FAILED;
        }
        if (!quiet)
                calibrate_write_table(stdout, ops, (size_t)nops);
        for (int k = 0; by_size && k < nops; k++)
                calibrate_write_sizes(stdout, &ops[k]);
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        unsigned lanes = cpus > 0 ? (unsigned)cpus : 1;
        if (output == NULL) {
                if (!quiet)
                        printf("\n");
                calibrate_write_yaml(stdout, ops, (size_t)nops, lanes);
                return CLI_OK;
        }
        FILE *f = fopen(output, "w");
        if (f == NULL) {
                perror(output);
                return CLI_USAGE;
        }
        calibrate_write_yaml(f, ops, (size_t)nops, lanes);
        if (fclose(f) != 0) {
                perror(output);
                return CLI_USAGE;
        }
        if (!quiet)
                printf("devices: %s\n", output);
        return CLI_OK;
}

CLI_COMMAND(calibrate, "measure this machine's live operations; write fitted device models",
            "Usage: acsim calibrate [-o FILE] [--quick] [--op NAME] [--sizes LIST]\n"
            "                       [--by-size] [--pin] [-q]\n"
            "\n"
            "Times every live operation (OpenSSL, docs/live.md) over sizes from 64 B\n"
            "to 1 MiB: alone on cold buffers, on 1 to all online CPUs, and through a\n"
            "live device of one lane as acsim live runs it (one request at a time,\n"
            "then the lane kept full). Fits the lane's time per stage as setup +\n"
            "bytes / rate with a lognormal jitter and a latency that holds no lane,\n"
            "prints a table (fit error, jitter cv, latency, the bare rate, lane\n"
            "speed-up; POOR marks a fit worse than 10%) and writes a `devices:` block\n"
            "a scenario can hold: to FILE, or after the table on stdout.\n"
            "\n"
            "  -o, --output FILE  where to write the devices: block\n"
            "  --quick            fewer timings (201 per size, 20 ms per lane count,\n"
            "                     101 requests 200 us apart and 50 ms per size on the\n"
            "                     live path)\n"
            "  --op NAME          this operation alone\n"
            "  --sizes LIST       these sizes, ascending, like 64KiB,256KiB,1MiB\n"
            "  --by-size          also print each operation's measurements by size\n"
            "  --pin              the live path's lane on a CPU of its own, the other\n"
            "                     threads on the first CPU (as acsim live --pin)\n"
            "  -q, --quiet        no table and no 'devices:' line: the block alone\n"
            "\n"
            "Exit status: 0 measured; 1 a measurement failed; 2 bad usage or FILE\n"
            "cannot be written.\n");
