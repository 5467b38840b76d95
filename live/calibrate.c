/*
 * live/calibrate.c - measuring the live operations and fitting device
 * models (live/calibrate.h).
 *
 * Laid out as: timing one size; the fit; lane scaling on threads; the two
 * writers.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "live/calibrate.h"

static const size_t default_sizes[] = {64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};

static uint64_t mono_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The fixed inputs every measurement uses: keys, an IV, a buffer and a tag
 * that opens it (an AEAD open is measured on a real sealed message). */
struct bench_input {
        uint8_t key[LIVE_MAX_KEY];
        uint8_t iv[LIVE_MAX_IV];
        uint8_t tag[LIVE_TAG];
        uint8_t *in, *sealed, *out;
        size_t cap;
};

static int input_init(struct bench_input *b, size_t cap)
{
        memset(b, 0, sizeof(*b));
        for (size_t i = 0; i < sizeof(b->key); i++)
                b->key[i] = (uint8_t)(i * 13 + 1);
        b->cap = cap;
        b->in = malloc(cap + 64);
        b->sealed = malloc(cap + 64);
        b->out = malloc(cap + 64);
        if (!b->in || !b->sealed || !b->out)
                return -1;
        for (size_t i = 0; i < cap; i++)
                b->in[i] = (uint8_t)(i * 7);
        return 0;
}

static void input_free(struct bench_input *b)
{
        free(b->in);
        free(b->sealed);
        free(b->out);
}

/* An open needs a message sealed with the same key, IV and size. */
static int prepare(struct live_crypto *c, const struct live_op *op, struct bench_input *b,
                   size_t len, const uint8_t **in)
{
        *in = b->in;
        if (op->kind != LIVE_AEAD_OPEN)
                return 0;
        const struct live_op *seal = NULL;
        for (size_t i = 0; i < live_nops; i++)
                if (live_ops[i].kind == LIVE_AEAD_SEAL &&
                    strcmp(live_ops[i].algorithm, op->algorithm) == 0)
                        seal = &live_ops[i];
        struct live_params p = {.key = b->key, .iv = b->iv};
        if (seal == NULL || live_crypto_apply(c, seal, &p, b->in, len, b->sealed, b->tag) < 0)
                return -1;
        *in = b->sealed;
        return 0;
}

/* Timings cycle through this many bytes of buffers, more than the caches
 * hold, so that each stage reads and writes memory that is cold, as a live
 * device's stages do (each request has its own buffers). */
#define COLD_BYTES (64u << 20)

/* Times `n` single operations of `len` bytes into t[n] (ns), each on its
 * own buffers of the cold arena (input a copy of the prepared one). */
static int time_size(struct live_crypto *c, const struct live_op *op, struct bench_input *b,
                     uint8_t *arena, size_t len, double *t, unsigned n)
{
        const uint8_t *in;
        if (prepare(c, op, b, len, &in) < 0)
                return -1;
        size_t slot = (len + 64 + 63) / 64 * 64;
        size_t nslots = COLD_BYTES / (2 * slot);
        if (nslots < 2)
                nslots = 2; /* the arena holds two slots of the largest size */
        for (size_t k = 0; k < nslots; k++)
                memcpy(arena + 2 * k * slot, in, len);
        struct live_params p = {.key = b->key, .iv = b->iv};
        for (unsigned i = 0; i < n / 10 + 1; i++) /* the context, not the data, warmed */
                if (live_crypto_apply(c, op, &p, in, len, b->out, b->tag) < 0)
                        return -1;
        for (unsigned i = 0; i < n; i++) {
                uint8_t *src = arena + 2 * (i % nslots) * slot, *dst = src + slot;
                uint64_t t0 = mono_ns();
                long r = live_crypto_apply(c, op, &p, src, len, dst, b->tag);
                t[i] = (double)(mono_ns() - t0);
                if (r < 0)
                        return -1;
        }
        return 0;
}

/* Weighted least squares of time on bytes, weights 1/median^2 (relative
 * error); an intercept below zero is refitted through the origin. */
static void fit(struct calibrate_op *o)
{
        double x[CALIBRATE_MAX_SIZES], w[CALIBRATE_MAX_SIZES];
        for (size_t i = 0; i < o->nsizes; i++) {
                x[i] = (double)o->bytes[i];
                w[i] = 1.0 / (o->median_ns[i] * o->median_ns[i]);
        }
        double c0 = 0, c1 = 0, cov00, cov01, cov11, chisq;
        if (o->nsizes >= 2)
                gsl_fit_wlinear(x, 1, w, 1, o->median_ns, 1, o->nsizes, &c0, &c1, &cov00, &cov01,
                                &cov11, &chisq);
        if (o->nsizes < 2 || c0 < 0) { /* no set-up cost to see: a line through 0 */
                c0 = 0;
                gsl_fit_wmul(x, 1, w, 1, o->median_ns, 1, o->nsizes, &c1, &cov11, &chisq);
        }
        if (c1 <= 0) /* no cost per byte to see at these sizes */
                c1 = 1e-12;
        o->setup_ns = c0;
        o->rate_bps = c1 > 0 ? 1e9 / c1 : INFINITY;
        o->fit_error = 0;
        for (size_t i = 0; i < o->nsizes; i++) {
                double e = fabs(o->median_ns[i] - (c0 + c1 * x[i])) / o->median_ns[i];
                if (e > o->fit_error)
                        o->fit_error = e;
        }
        o->poor = o->fit_error > CALIBRATE_POOR_FIT;
}

/* ---- lanes: k threads doing the same operation at once -------------- */

struct lane_run {
        pthread_t thread;
        const struct live_op *op;
        size_t len;
        uint64_t until_ns;
        uint64_t started_ns, ended_ns; /* this thread's own span of work */
        uint64_t done;
        int rc;
};

static void *lane_main(void *arg)
{
        struct lane_run *r = arg;
        struct live_crypto *c = live_crypto_new();
        struct bench_input b;
        const uint8_t *in;
        r->rc = -1;
        if (c != NULL && input_init(&b, r->len) == 0 && prepare(c, r->op, &b, r->len, &in) == 0) {
                struct live_params p = {.key = b.key, .iv = b.iv};
                r->rc = 0;
                r->started_ns = mono_ns();
                /* at least a few operations, however late the thread starts */
                while (r->done < 8 || mono_ns() < r->until_ns) {
                        if (live_crypto_apply(c, r->op, &p, in, r->len, b.out, b.tag) < 0) {
                                r->rc = -1;
                                break;
                        }
                        r->done++;
                }
                r->ended_ns = mono_ns();
        }
        input_free(&b);
        live_crypto_free(c);
        return NULL;
}

/* Operations per second with k threads. */
static int lanes_rate(const struct live_op *op, size_t len, unsigned k, uint64_t run_ns,
                      double *rate)
{
        struct lane_run runs[CALIBRATE_MAX_LANES];
        uint64_t start = mono_ns() + 1000000; /* all start together, roughly */
        unsigned started = 0;
        for (; started < k; started++) {
                runs[started] = (struct lane_run){.op = op, .len = len, .until_ns = start + run_ns};
                if (pthread_create(&runs[started].thread, NULL, lane_main, &runs[started]) != 0)
                        break;
        }
        uint64_t total = 0, first = UINT64_MAX, last = 0;
        int rc = started == k ? 0 : -1;
        for (unsigned i = 0; i < started; i++) {
                pthread_join(runs[i].thread, NULL);
                total += runs[i].done;
                rc = runs[i].rc < 0 ? -1 : rc;
                first = runs[i].started_ns < first ? runs[i].started_ns : first;
                last = runs[i].ended_ns > last ? runs[i].ended_ns : last;
        }
        *rate = last > first ? (double)total / ((double)(last - first) / 1e9) : 0;
        return rc < 0 || *rate <= 0 ? -1 : 0;
}

int calibrate_run(const struct calibrate_config *cfg, struct calibrate_op *out,
                  struct sim_error *err)
{
        const size_t *sizes = cfg->sizes ? cfg->sizes : default_sizes;
        size_t nsizes = cfg->sizes ? cfg->nsizes : sizeof(default_sizes) / sizeof(sizes[0]);
        unsigned n = cfg->samples ? cfg->samples : 2001;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        unsigned max_lanes = cfg->max_lanes ? cfg->max_lanes : (unsigned)(cpus > 0 ? cpus : 1);
        uint64_t lane_ns = cfg->lane_ns ? cfg->lane_ns : 100000000u;
        size_t lane_bytes = cfg->lane_bytes ? cfg->lane_bytes : 4096;
        if (nsizes == 0 || nsizes > CALIBRATE_MAX_SIZES || n < 11 ||
            max_lanes > CALIBRATE_MAX_LANES)
                return sim_fail(err, -1, "calibrate: sizes 1..%d, samples >= 11, lanes <= %d",
                                CALIBRATE_MAX_SIZES, CALIBRATE_MAX_LANES);
        struct live_crypto *c = live_crypto_new();
        double *t = malloc(n * sizeof(*t));
        size_t largest = sizes[nsizes - 1];
        size_t arena_bytes = COLD_BYTES > 4 * (largest + 128) ? COLD_BYTES : 4 * (largest + 128);
        uint8_t *arena = malloc(arena_bytes);
        struct bench_input b;
        int rc = input_init(&b, sizes[nsizes - 1] > lane_bytes ? sizes[nsizes - 1] : lane_bytes);
        if (c == NULL || t == NULL || arena == NULL || rc < 0) {
                rc = sim_fail(err, -1, "calibrate: out of memory or no OpenSSL algorithms");
                goto out;
        }
        for (size_t k = 0; k < live_nops; k++) {
                struct calibrate_op *o = &out[k];
                *o = (struct calibrate_op){.op = &live_ops[k]};
                double dev_sum = 0;
                size_t dev_n = 0;
                for (size_t s = 0; s < nsizes; s++) {
                        if (sizes[s] < o->op->min_bytes)
                                continue;
                        if (time_size(c, o->op, &b, arena, sizes[s], t, n) < 0) {
                                rc = sim_fail(err, -1, "calibrate: %s refused %zu bytes",
                                              o->op->name, sizes[s]);
                                goto out;
                        }
                        gsl_sort(t, 1, n);
                        double med = gsl_stats_median_from_sorted_data(t, 1, n);
                        o->bytes[o->nsizes] = sizes[s];
                        o->median_ns[o->nsizes++] = med;
                        size_t keep = n - n / 100; /* the slowest 1% are the machine's */
                        for (size_t i = 0; i < keep; i++) {
                                double r = t[i] / med - 1.0;
                                dev_sum += r * r;
                                dev_n++;
                        }
                }
                o->jitter_cv = dev_n > 1 ? sqrt(dev_sum / (double)(dev_n - 1)) : 0;
                fit(o);
                double one = 0;
                for (unsigned l = 1; l <= max_lanes; l++) {
                        double r;
                        if (lanes_rate(o->op, lane_bytes, l, lane_ns, &r) < 0) {
                                rc = sim_fail(err, -1, "calibrate: %s on %u threads failed",
                                              o->op->name, l);
                                goto out;
                        }
                        if (l == 1)
                                one = r;
                        o->lane_speedup[o->nlanes++] = one > 0 ? r / one : 0;
                }
        }
        rc = 0;
out:
        input_free(&b);
        free(arena);
        free(t);
        live_crypto_free(c);
        return rc;
}

/* ---- writers --------------------------------------------------------- */

/* A byte rate in the scenario's units, to three significant figures. */
static void rate_text(double bps, char *buf, size_t cap)
{
        if (bps >= 1e9)
                snprintf(buf, cap, "%.3gGB/s", bps / 1e9);
        else if (bps >= 1e6)
                snprintf(buf, cap, "%.3gMB/s", bps / 1e6);
        else
                snprintf(buf, cap, "%.3gkB/s", bps / 1e3);
}

void calibrate_write_yaml(FILE *f, const struct calibrate_op *ops, size_t nops, unsigned lanes)
{
        fprintf(f,
                "# Measured by acsim calibrate: per-operation cost setup + bytes / rate,\n"
                "# jitter from the spread of single timings (docs/live.md).\n"
                "devices:\n"
                "  - name: cpu\n"
                "    lanes: %u\n"
                "    ring: %u\n"
                "    ops:\n",
                lanes, 16 * lanes);
        for (size_t k = 0; k < nops; k++) {
                const struct calibrate_op *o = &ops[k];
                char rate[32];
                rate_text(o->rate_bps, rate, sizeof(rate));
                fprintf(f, "      # fit error %.1f%%%s over %zu to %zu B\n", 100 * o->fit_error,
                        o->poor ? " (poor: not linear in bytes)" : "", o->bytes[0],
                        o->bytes[o->nsizes - 1]);
                fprintf(f,
                        "      %s: {setup: %.0fns, rate: %s, jitter: {dist: lognormal, mean: 1, "
                        "cv: %.3f}}\n",
                        o->op->name, round(o->setup_ns), rate, o->jitter_cv);
        }
}

void calibrate_write_table(FILE *f, const struct calibrate_op *ops, size_t nops)
{
        fprintf(f, "%-22s %9s %10s %6s %6s  %s\n", "operation", "setup", "rate", "fit", "cv",
                "lanes 1..n (speed-up)");
        for (size_t k = 0; k < nops; k++) {
                const struct calibrate_op *o = &ops[k];
                char rate[32], lanes[64] = "";
                rate_text(o->rate_bps, rate, sizeof(rate));
                size_t len = 0;
                for (unsigned l = 0; l < o->nlanes && len + 6 < sizeof(lanes); l++)
                        len += (size_t)snprintf(lanes + len, sizeof(lanes) - len, "%s%.2f",
                                                l ? " " : "", o->lane_speedup[l]);
                fprintf(f, "%-22s %7.0fns %10s %5.1f%% %6.3f  %s%s\n", o->op->name, o->setup_ns,
                        rate, 100 * o->fit_error, o->jitter_cv, lanes, o->poor ? " POOR" : "");
        }
}
