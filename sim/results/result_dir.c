/*
 * sim/results/result_dir.c - the result directory: the check of the target,
 * then its files, put in place whole by sim/results/in_place.h.
 */
#include "sim/results/result_dir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/results/in_place.h"
#include "sim/results/write_csv.h"
#include "sim/results/write_json.h"

#define PATH_CAP 4096 /* longest path handled, with its NUL */

/* Writes "a/b" into buf[PATH_CAP]. Returns 0, or -1 (ENAMETOOLONG) when it
 * does not fit. */
static int join(char *buf, const char *a, const char *b)
{
        int n = snprintf(buf, PATH_CAP, "%s/%s", a, b);
        if (n < 0 || n >= PATH_CAP) {
                errno = ENAMETOOLONG;
                return -1;
        }
        return 0;
}

int result_dir_check(const char *dir, struct sim_error *e)
{
        if (!in_place_usable(dir))
                return sim_fail(e, -1, "%s: not a usable output directory name", dir);
        int there = in_place_dir_exists(dir, e);
        if (there <= 0)
                return there;
        char summary[PATH_CAP];
        if (join(summary, dir, RESULT_SUMMARY) != 0 || access(summary, F_OK) != 0)
                return sim_fail(e, -1,
                                "%s exists and is not a result directory (no %s); "
                                "choose another with -o",
                                dir, RESULT_SUMMARY);
        return 0;
}

typedef int (*csv_writer)(FILE *out, const struct replications *r);

static int write_csv(const char *tmp, const char *name, csv_writer write,
                     const struct replications *r, struct sim_error *e)
{
        char path[PATH_CAP];
        if (join(path, tmp, name) != 0)
                return sim_fail(e, -1, "%s: %s", tmp, strerror(errno));
        FILE *f = fopen(path, "w");
        int rc = f ? write(f, r) : -1;
        if (f && fclose(f) != 0)
                rc = -1;
        if (rc != 0)
                sim_fail(e, -1, "%s: %s", path, strerror(errno ? errno : EIO));
        return rc;
}

/* Writes the scenario file's bytes, as loaded, to tmp/scenario.yaml.
 * Returns 0 or -1 with a reason in e. */
static int write_source(const char *tmp, const struct provenance *p, struct sim_error *e)
{
        char path[PATH_CAP];
        if (join(path, tmp, RESULT_SCENARIO) != 0)
                return sim_fail(e, -1, "%s: %s", tmp, strerror(errno));
        FILE *f = fopen(path, "wb");
        int rc = f && fwrite(p->source, 1, p->source_len, f) == p->source_len ? 0 : -1;
        if (f && fclose(f) != 0)
                rc = -1;
        if (rc != 0)
                sim_fail(e, -1, "%s: %s", path, strerror(errno ? errno : EIO));
        return rc;
}

/* Fills the temporary directory tmp with the files of ctx, a struct
 * replications. */
static int write_files(const char *tmp, void *ctx, struct sim_error *e)
{
        const struct replications *r = ctx;
        char path[PATH_CAP];
        if (join(path, tmp, RESULT_SUMMARY) != 0 || write_json_file(path, r) != 0)
                return sim_fail(e, -1, "%s: %s", path, strerror(errno));
        if (write_csv(tmp, RESULT_TIMESERIES, write_csv_timeseries, r, e) ||
            write_csv(tmp, RESULT_TIMESERIES_LONG, write_csv_timeseries_long, r, e) ||
            write_csv(tmp, RESULT_DEVICE_EVENTS, write_csv_device_events, r, e) ||
            write_csv(tmp, RESULT_LATENCY_HIST, write_csv_latency_hist, r, e) ||
            write_csv(tmp, RESULT_DEVICES, write_csv_devices, r, e) ||
            write_csv(tmp, RESULT_FAULTS, write_csv_faults, r, e))
                return -1;
        if (r->n > 0 && r->runs[0].trace && write_csv(tmp, RESULT_TRACE, write_csv_trace, r, e))
                return -1;
        if (r->origin.source && write_source(tmp, &r->origin, e))
                return -1;
        return 0;
}

int result_dir_write(const char *dir, const struct replications *r, struct sim_error *e)
{
        if (result_dir_check(dir, e) < 0)
                return -1;
        return in_place_dir(dir, write_files, (void *)r, e);
}
