/*
 * sim/sweep/saved.c - a point's runs between rounds (sim/sweep/saved.h).
 * Layout: the file's name, writing, reading.
 *
 * The file: "acsim saved runs 1\n", the point's key and the number of
 * runs (8 bytes each), then per run its struct with the pointers cleared,
 * then what they pointed to, in the order sim_results_free() frees it:
 * the scenario and policy names (a length, then the bytes), the classes
 * (their structs, then each name), the devices (likewise), the series'
 * rows, device cells and latency cells, the fault records and the device
 * events.
 */
#include "sim/sweep/saved.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/results/in_place.h"
#include "sim/sweep/key.h"

#define MAGIC    "acsim saved runs 1\n"
#define PATH_CAP 4096

/* Writes OUT/keys/<dir>.runs into path[PATH_CAP]. Returns 0, or -1 when
 * it does not fit. */
static int saved_path(const struct sweep_plan *p, const char *out, size_t point, char *path)
{
        int n = snprintf(path, PATH_CAP, "%s/%s/%s.runs", out, SWEEP_KEYS, p->points[point].dir);
        return n < 0 || n >= PATH_CAP ? -1 : 0;
}

/* ---- writing ------------------------------------------------------------------ */

static int put(FILE *f, const void *bytes, size_t len)
{
        return len == 0 || fwrite(bytes, len, 1, f) == 1 ? 0 : -1;
}

static int put_u64(FILE *f, uint64_t v)
{
        return put(f, &v, sizeof(v));
}

static int put_text(FILE *f, const char *s)
{
        uint64_t len = s ? strlen(s) + 1 : 0; /* 0: NULL */
        return put_u64(f, len) | put(f, s, (size_t)len);
}

static int put_run(FILE *f, const struct sim_results *run)
{
        struct sim_results c = *run;
        c.scenario = c.policy = NULL;
        c.classes = NULL;
        c.devices = NULL;
        c.series.rows = NULL;
        c.series.devices = NULL;
        c.series.latency = NULL;
        c.faults = NULL;
        c.device_events = NULL;
        c.trace = NULL;
        int rc = put(f, &c, sizeof(c));
        rc |= put_text(f, run->scenario) | put_text(f, run->policy);
        for (size_t i = 0; i < run->nclasses; i++) {
                struct sim_class_result k = run->classes[i];
                k.name = NULL;
                rc |= put(f, &k, sizeof(k)) | put_text(f, run->classes[i].name);
        }
        for (size_t i = 0; i < run->ndevices; i++) {
                struct sim_device_result d = run->devices[i];
                d.name = NULL;
                rc |= put(f, &d, sizeof(d)) | put_text(f, run->devices[i].name);
        }
        const struct sim_series *se = &run->series;
        rc |= put(f, se->rows, se->nrows * sizeof(*se->rows));
        rc |= put(f, se->devices, se->nrows * se->ndevices * sizeof(*se->devices));
        rc |= put(f, se->latency, se->nrows * se->nlatency * sizeof(*se->latency));
        rc |= put(f, run->faults, run->nfaults * sizeof(*run->faults));
        rc |= put(f, run->device_events, run->ndevice_events * sizeof(*run->device_events));
        return rc;
}

/* What a saved file is written from. */
struct saved {
        uint64_t key;
        const struct replications *r;
};

static int write_runs(FILE *f, void *ctx)
{
        const struct saved *s = ctx;
        int rc = put(f, MAGIC, strlen(MAGIC)) | put_u64(f, s->key) | put_u64(f, s->r->n);
        for (size_t i = 0; rc == 0 && i < s->r->n; i++)
                rc = put_run(f, &s->r->runs[i]);
        return rc;
}

int sweep_saved_write(const struct sweep_plan *p, const char *out, size_t point,
                      const struct replications *r, struct sim_error *e)
{
        char path[PATH_CAP];
        for (size_t i = 0; i < r->n; i++)
                if (r->runs[i].trace)
                        return 0;
        if (saved_path(p, out, point, path) < 0)
                return sim_fail(e, -1, "%s/%s: path too long", out, SWEEP_KEYS);
        if (mkdir(out, 0777) != 0 && errno != EEXIST) /* before the first point is there */
                return sim_fail(e, -1, "%s: %s", out, strerror(errno));
        snprintf(path, sizeof(path), "%s/%s", out, SWEEP_KEYS);
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return sim_fail(e, -1, "%s: %s", path, strerror(errno));
        saved_path(p, out, point, path);
        struct saved s = {p->points[point].key, r};
        return in_place_file(path, write_runs, &s, e);
}

/* ---- reading ------------------------------------------------------------------ */

static int get(FILE *f, void *bytes, size_t len)
{
        return len == 0 || fread(bytes, len, 1, f) == 1 ? 0 : -1;
}

/* Reads len bytes into a new block at *out (NULL for none). */
static int get_block(FILE *f, void **out, size_t len)
{
        *out = NULL;
        if (len == 0)
                return 0;
        if ((*out = malloc(len)) == NULL)
                return -1;
        return get(f, *out, len);
}

static int get_text(FILE *f, char **out)
{
        uint64_t len;
        *out = NULL;
        if (get(f, &len, sizeof(len)) < 0 || len > PATH_CAP * 16)
                return -1;
        if (len && (get_block(f, (void **)out, (size_t)len) < 0 || (*out)[len - 1] != '\0'))
                return -1;
        return 0;
}

/* Reads one run into *run; on an error what was read is released. */
static int get_run(FILE *f, struct sim_results *run)
{
        if (get(f, run, sizeof(*run)) < 0) {
                memset(run, 0, sizeof(*run));
                return -1;
        }
        size_t nclasses = run->nclasses, ndevices = run->ndevices;
        struct sim_series *se = &run->series;
        size_t nrows = se->nrows;
        run->nclasses = run->ndevices = 0; /* grown as they are read: safe to free */
        se->nrows = 0;
        size_t nfaults = run->nfaults, nevents = run->ndevice_events;
        run->nfaults = run->ndevice_events = run->capdevice_events = 0;
        int rc = get_text(f, &run->scenario) | get_text(f, &run->policy);
        if (nclasses >= 4096 || ndevices >= 4096)
                rc = -1;
        if (rc == 0 && nclasses)
                rc = (run->classes = calloc(nclasses, sizeof(*run->classes))) ? 0 : -1;
        for (size_t i = 0; rc == 0 && i < nclasses; i++) {
                rc = get(f, &run->classes[i], sizeof(run->classes[i]));
                run->classes[i].name = NULL;
                rc |= get_text(f, &run->classes[i].name);
                run->nclasses = i + 1;
        }
        if (rc == 0 && ndevices)
                rc = (run->devices = calloc(ndevices, sizeof(*run->devices))) ? 0 : -1;
        for (size_t i = 0; rc == 0 && i < ndevices; i++) {
                rc = get(f, &run->devices[i], sizeof(run->devices[i]));
                run->devices[i].name = NULL;
                rc |= get_text(f, &run->devices[i].name);
                run->ndevices = i + 1;
        }
        if (rc == 0 && (nclasses != run->nclasses || ndevices != run->ndevices))
                rc = -1;
        if (rc == 0)
                rc = get_block(f, (void **)&se->rows, nrows * sizeof(*se->rows)) |
                     get_block(f, (void **)&se->devices,
                               nrows * se->ndevices * sizeof(*se->devices)) |
                     get_block(f, (void **)&se->latency,
                               nrows * se->nlatency * sizeof(*se->latency));
        else
                se->rows = NULL, se->devices = NULL, se->latency = NULL;
        se->nrows = nrows;
        run->faults = NULL;
        run->device_events = NULL;
        if (rc == 0)
                rc = get_block(f, (void **)&run->faults, nfaults * sizeof(*run->faults)) |
                     get_block(f, (void **)&run->device_events,
                               nevents * sizeof(*run->device_events));
        run->nfaults = nfaults;
        run->ndevice_events = run->capdevice_events = nevents;
        run->trace = NULL;
        if (rc != 0)
                sim_results_free(run);
        return rc;
}

/* Opens point's saved file and reads its head. Returns the file, with
 * *n the runs it holds, or NULL when there is none for the point's key. */
static FILE *open_saved(const struct sweep_plan *p, const char *out, size_t point, uint64_t *n)
{
        char path[PATH_CAP], magic[sizeof(MAGIC)];
        if (saved_path(p, out, point, path) < 0)
                return NULL;
        FILE *f = fopen(path, "rb");
        if (f == NULL)
                return NULL;
        uint64_t key;
        if (get(f, magic, strlen(MAGIC)) < 0 || memcmp(magic, MAGIC, strlen(MAGIC)) != 0 ||
            get(f, &key, sizeof(key)) < 0 || key != p->points[point].key ||
            get(f, n, sizeof(*n)) < 0 || *n > p->points[point].cap) {
                fclose(f);
                return NULL;
        }
        return f;
}

size_t sweep_saved_count(const struct sweep_plan *p, const char *out, size_t point)
{
        uint64_t n = 0;
        FILE *f = open_saved(p, out, point, &n);
        if (f == NULL)
                return 0;
        fclose(f);
        return (size_t)n;
}

size_t sweep_saved_read(const struct sweep_plan *p, const char *out, size_t point,
                        struct replications *r)
{
        uint64_t n = 0;
        FILE *f = open_saved(p, out, point, &n);
        memset(r, 0, sizeof(*r));
        if (f == NULL || n == 0 || (r->runs = calloc((size_t)n, sizeof(*r->runs))) == NULL) {
                if (f)
                        fclose(f);
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                if (get_run(f, &r->runs[i]) < 0 || r->runs[i].replication != i) {
                        sim_results_free(&r->runs[i]);
                        replications_free(r);
                        fclose(f);
                        return 0;
                }
                r->n = i + 1;
        }
        fclose(f);
        return r->n;
}

void sweep_saved_forget(const struct sweep_plan *p, const char *out, size_t point)
{
        char path[PATH_CAP];
        if (saved_path(p, out, point, path) == 0)
                unlink(path);
}
