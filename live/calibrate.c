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
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "live/calibrate.h"
#include "live/affinity.h"
#include "live/device.h"
#include "live/platform.h"

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
        const struct live_op *seal = live_op_sealer(op);
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
static void fit_line(const size_t *bytes, const double *y, size_t n, struct calibrate_fit *out)
{
        double x[CALIBRATE_MAX_SIZES], w[CALIBRATE_MAX_SIZES];
        for (size_t i = 0; i < n; i++) {
                x[i] = (double)bytes[i];
                w[i] = 1.0 / (y[i] * y[i]);
        }
        double c0 = 0, c1 = 0, cov00, cov01, cov11, chisq;
        if (n >= 2)
                gsl_fit_wlinear(x, 1, w, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &chisq);
        if (n < 2 || c0 < 0) { /* no set-up cost to see: a line through 0 */
                c0 = 0;
                gsl_fit_wmul(x, 1, w, 1, y, 1, n, &c1, &cov11, &chisq);
        }
        if (c1 <= 0) /* no cost per byte to see at these sizes */
                c1 = 1e-12;
        out->setup_ns = c0;
        out->rate_bps = 1e9 / c1;
        out->error = 0;
        for (size_t i = 0; i < n; i++) {
                double e = fabs(y[i] - (c0 + c1 * x[i])) / y[i];
                if (e > out->error)
                        out->error = e;
        }
        out->poor = out->error > CALIBRATE_POOR_FIT;
}

static double line_ns(const struct calibrate_fit *f, size_t bytes)
{
        return f->setup_ns + (double)bytes * 1e9 / f->rate_bps;
}

/* The mean of sorted t[n] with the slowest 1% left out (preemption on a
 * shared machine is not the operation's). */
static double trimmed_mean(const double *t, size_t n)
{
        size_t keep = n - n / 100;
        return gsl_stats_mean(t, 1, keep);
}

/* Adds the squared relative deviations of sorted t[n] from their median,
 * the slowest 1% left out, to *sum and *count. */
static void spread(const double *t, size_t n, double *sum, size_t *count)
{
        double med = gsl_stats_median_from_sorted_data(t, 1, n);
        size_t keep = n - n / 100;
        for (size_t i = 0; i < keep; i++) {
                double r = t[i] / med - 1.0;
                *sum += r * r;
                (*count)++;
        }
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

/* ---- the live path: a lane of a live device, through the core ------- */

#define PATH_FULL 8   /* requests kept in the system while the lane is kept full */
#define PATH_LOAD 0.5 /* the wake-up is measured at this fraction of the lane's capacity */

struct path_req {
        struct ac_request r; /* first: the callback gets it back */
        struct ac_stage stage;
        struct path_run *run;
        struct path_req *next_done;
        uint8_t *in, *out;
        uint8_t iv[LIVE_MAX_IV];
        uint8_t tag[LIVE_TAG];
        struct live_stamps at; /* where the device saw it */
};

struct path_run {
        struct live_platform plat;
        struct ac_engine *eng;
        struct live_device dev;
        bool plat_ready, dev_ready;
        uint8_t keys[LIVE_MAX_KEY];
        struct path_req reqs[PATH_FULL];
        pthread_mutex_t mu;
        pthread_cond_t cv;
        struct path_req *done; /* called back, not yet taken by the main thread */
        uint64_t failed;
        bool pinned; /* this thread on the first CPU allowed, the lane on the second */
        struct live_affinity was;
};

static void path_io(void *ctx, struct ac_request *r, uint32_t stage, struct live_stage_io *io)
{
        struct path_req *q = (struct path_req *)r;
        (void)ctx;
        (void)stage;
        io->in = q->in;
        io->out = q->out;
        io->tag = q->tag;
        io->iv = q->iv;
        io->stamps = &q->at;
}

static void path_done(struct ac_request *r, int status)
{
        struct path_req *q = (struct path_req *)r;
        struct path_run *run = q->run;
        pthread_mutex_lock(&run->mu);
        run->failed += status != 0;
        q->next_done = run->done;
        run->done = q;
        pthread_cond_signal(&run->cv);
        pthread_mutex_unlock(&run->mu);
}

/* A request called back, or NULL when none is. */
static struct path_req *path_take(struct path_run *run)
{
        pthread_mutex_lock(&run->mu);
        struct path_req *q = run->done;
        if (q != NULL)
                run->done = q->next_done;
        pthread_mutex_unlock(&run->mu);
        return q;
}

/* Waits for a request called back; returns it. */
static struct path_req *path_wait(struct path_run *run)
{
        pthread_mutex_lock(&run->mu);
        while (run->done == NULL)
                pthread_cond_wait(&run->cv, &run->mu);
        struct path_req *q = run->done;
        run->done = q->next_done;
        pthread_mutex_unlock(&run->mu);
        return q;
}

static int path_submit(struct path_run *run, struct path_req *q, size_t len, uint32_t op)
{
        q->stage = (struct ac_stage){.op = op, .bytes = len};
        q->r = (struct ac_request){.stages = &q->stage, .nstages = 1, .done = path_done};
        return ac_submit(run->eng, &q->r);
}

static uint64_t path_busy(struct path_run *run)
{
        pthread_mutex_lock(&run->dev.mu);
        uint64_t busy = run->dev.busy_ns;
        pthread_mutex_unlock(&run->dev.mu);
        return busy;
}

static void path_stop(struct path_run *run)
{
        if (run->eng != NULL && ac_engine_shutdown(run->eng) == 0 && run->plat_ready)
                live_platform_wait_idle(&run->plat, live_now_ns(&run->plat) + 10000000000u);
        if (run->plat_ready)
                live_platform_stop(&run->plat);
        if (run->dev_ready)
                live_device_stop(&run->dev);
        if (run->eng != NULL)
                ac_engine_destroy(run->eng);
        if (run->plat_ready)
                live_platform_fini(&run->plat);
        for (size_t i = 0; i < PATH_FULL; i++) {
                free(run->reqs[i].in);
                free(run->reqs[i].out);
        }
        pthread_mutex_destroy(&run->mu);
        pthread_cond_destroy(&run->cv);
        if (run->pinned)
                live_affinity_restore(&run->was);
}

/* An engine on the live platform with one live device `cpu` of one lane
 * doing op, as `acsim live` builds them: the watchdog armed and cancelled
 * for every stage as a scenario's is (the timer thread's wake-ups are part
 * of the path), though at 10 s it never fires. */
static int path_start(struct path_run *run, const struct live_op *op, size_t largest, bool pin)
{
        memset(run, 0, sizeof(*run));
        int cpus[LIVE_MAX_CPUS];
        if (pin && live_affinity_save(&run->was) == 0 &&
            live_affinity_cpus(&run->was, cpus, LIVE_MAX_CPUS) >= 2)
                run->pinned = live_pin_self(cpus[0]) == 0; /* the threads started inherit it */
        pthread_mutex_init(&run->mu, NULL);
        pthread_cond_init(&run->cv, NULL);
        for (size_t i = 0; i < sizeof(run->keys); i++)
                run->keys[i] = (uint8_t)(i * 13 + 1);
        for (size_t i = 0; i < PATH_FULL; i++) {
                struct path_req *q = &run->reqs[i];
                q->run = run;
                q->in = malloc(largest + 64);
                q->out = malloc(largest + 64);
                if (q->in == NULL || q->out == NULL)
                        return -1;
                memset(q->in, 0x5a, largest + 64); /* touched: no page faults in a stage */
                memset(q->out, 0, largest + 64);
                memset(q->iv, (int)i, sizeof(q->iv));
        }
        if (live_platform_init(&run->plat, 1) < 0)
                return -1;
        run->plat_ready = true;
        struct ac_engine_config ec;
        ac_engine_config_defaults(&ec);
        ec.queue_depth = 2 * PATH_FULL;
        ec.failover.timeout_ns = 10000000000u; /* armed and cancelled per stage, never due */
        ec.platform = live_platform_seam(&run->plat);
        if (ac_engine_create(&ec, &run->eng) < 0)
                return -1;
        const char *names[1] = {op->name};
        struct live_device_config dc = {.name = "cpu",
                                        .ops = names,
                                        .nops = 1,
                                        .ring = PATH_FULL / 2,
                                        .lanes = 1,
                                        .weight = 1,
                                        .max_bytes = largest + 64,
                                        .io = path_io,
                                        .seed = 1,
                                        .keys = run->keys,
                                        .lane_cpus = run->pinned ? &cpus[1] : NULL};
        if (live_device_start(&run->dev, run->eng, &dc) < 0)
                return -1;
        run->dev_ready = true;
        return 0;
}

/* For an AEAD open: each request's input sealed at len bytes with its IV
 * and the device's key, its tag beside it, so that every stage opens. */
static int path_seal(struct path_run *run, const struct live_op *op, size_t len)
{
        if (op->kind != LIVE_AEAD_OPEN)
                return 0;
        const struct live_op *seal = live_op_sealer(op);
        struct live_crypto *c = live_crypto_new();
        uint8_t *plain = calloc(1, len + 64);
        int rc = seal != NULL && c != NULL && plain != NULL ? 0 : -1;
        for (size_t i = 0; rc == 0 && i < PATH_FULL; i++) {
                struct path_req *q = &run->reqs[i];
                struct live_params p = {.key = run->keys, .iv = q->iv};
                if (live_crypto_apply(c, seal, &p, plain, len, q->in, q->tag) < 0)
                        rc = -1;
        }
        free(plain);
        live_crypto_free(c);
        return rc;
}

/* The wake-up at load: requests arriving as a Poisson stream at PATH_LOAD
 * of a lane's capacity (1 / lane_ns), for up to n stages that found the
 * lane asleep or 2 s; each such stage's hand-off, its latency less its
 * transform, into hand[]. Returns how many, or -1. */
static int path_at_load(struct path_run *run, uint32_t op, size_t len, double lane_ns, unsigned n,
                        double *hand)
{
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        if (r == NULL)
                return -1;
        gsl_rng_set(r, (unsigned long)len);
        struct path_req *spare = NULL; /* linked through next_done */
        for (size_t i = 0; i < PATH_FULL; i++) {
                run->reqs[i].next_done = spare;
                spare = &run->reqs[i];
        }
        unsigned got = 0, out = 0;
        uint64_t next = live_now_ns(&run->plat), end = next + 2000000000u;
        int rc = 0;
        while (got < n && live_now_ns(&run->plat) < end) {
                struct timespec ts = live_deadline(&run->plat, next);
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                        ;
                for (;;) { /* the callbacks so far; wait for one when none is spare */
                        struct path_req *q = spare == NULL ? path_wait(run) : path_take(run);
                        if (q == NULL)
                                break;
                        out--;
                        if (q->at.woke && got < n)
                                hand[got++] = (double)(q->r.completed_ns - q->r.submitted_ns) -
                                              (double)(q->at.end - q->at.start);
                        q->next_done = spare;
                        spare = q;
                }
                struct path_req *q = spare;
                spare = q->next_done;
                q->at = (struct live_stamps){0};
                if (path_submit(run, q, len, op) < 0) {
                        rc = -1;
                        break;
                }
                out++;
                next += (uint64_t)llround(gsl_ran_exponential(r, lane_ns / PATH_LOAD));
        }
        for (; out > 0; out--) /* the rest come home */
                path_wait(run);
        gsl_rng_free(r);
        return rc < 0 || run->failed > 0 ? -1 : (int)got;
}

/* One size through the live path: n requests one at a time, pause_ns
 * apart (the latency and the worker's time of each into lat[n] and
 * work[n], sorted), then the lane kept full for run_ns (its time per
 * stage into *lane, of which transforming *lane_work), then the wake-up
 * at load (path_at_load, up to n into beyond[]). Returns how many
 * wake-ups, or -1. */
static int path_size(struct path_run *run, uint32_t op, size_t len, unsigned n, uint64_t run_ns,
                     uint64_t pause_ns, double *lat, double *work, double *beyond, double *lane,
                     double *lane_work)
{
        for (unsigned i = 0; i < n / 10 + 1 + n; i++) { /* a tenth more first, as a warm-up */
                struct path_req *q = &run->reqs[0];
                if (pause_ns > 0) { /* the threads go idle, as between light arrivals */
                        struct timespec ts = {(time_t)(pause_ns / 1000000000u),
                                              (long)(pause_ns % 1000000000u)};
                        nanosleep(&ts, NULL);
                }
                uint64_t busy = path_busy(run);
                if (path_submit(run, q, len, op) < 0 || path_wait(run) != q)
                        return -1;
                if (i < n / 10 + 1)
                        continue;
                unsigned k = i - (n / 10 + 1);
                lat[k] = (double)(q->r.completed_ns - q->r.submitted_ns);
                work[k] = (double)(path_busy(run) - busy);
        }
        gsl_sort(lat, 1, n);
        gsl_sort(work, 1, n);
        for (size_t i = 0; i < PATH_FULL; i++)
                if (path_submit(run, &run->reqs[i], len, op) < 0)
                        return -1;
        /* counted from the first completion on: the lane is full by then */
        struct path_req *q = path_wait(run);
        uint64_t busy0 = path_busy(run), t0, t1, done = 0;
        uint64_t idle0 = live_device_idle_ns(&run->dev, &t0);
        uint64_t start = live_now_ns(&run->plat);
        for (uint64_t now = start; now - start < run_ns; now = live_now_ns(&run->plat)) {
                if (path_submit(run, q, len, op) < 0)
                        return -1;
                q = path_wait(run);
                done++;
        }
        /* the lane's time: the wall time but for what the worker waited for
         * work (when the callbacks and resubmissions of this loop fell
         * behind, on a busy machine), both over the same interval, so that
         * a wait straddling its ends counts only its part inside */
        uint64_t idle1 = live_device_idle_ns(&run->dev, &t1), busy1 = path_busy(run);
        for (size_t i = 1; i < PATH_FULL; i++) /* the rest come home */
                path_wait(run);
        double idle = (double)(idle1 - idle0);
        *lane = done > 0 ? fmax((double)(t1 - t0) - idle, 0) / (double)done : 0;
        *lane_work = done > 0 ? (double)(busy1 - busy0) / (double)done : 0;
        if (run->failed > 0 || done == 0)
                return -1;
        return path_at_load(run, op, len, *lane, n, beyond);
}

/* Measures o's operation through the live path at its sizes and fits the
 * path's model. */
static int path_measure(struct calibrate_op *o, unsigned n, uint64_t run_ns, uint64_t pause_ns,
                        bool pin)
{
        struct path_run *run = malloc(sizeof(*run));
        double *lat = malloc(n * sizeof(*lat)), *work = malloc(n * sizeof(*work));
        double *beyond = malloc((size_t)n * o->nsizes * sizeof(*beyond)); /* n per size */
        int rc = -1;
        if (run == NULL || lat == NULL || work == NULL || beyond == NULL)
                goto out;
        if (path_start(run, o->op, o->bytes[o->nsizes - 1], pin) < 0)
                goto stop;
        int id = ac_op_intern(run->eng, o->op->name);
        double sum = 0;
        size_t count = 0, m = 0; /* wake-ups in beyond[] */
        for (size_t s = 0; s < o->nsizes; s++) {
                int got = path_seal(run, o->op, o->bytes[s]) < 0
                              ? -1
                              : path_size(run, (uint32_t)id, o->bytes[s], n, run_ns, pause_ns, lat,
                                          work, beyond + m, &o->lane_ns[s], &o->lane_worker_ns[s]);
                if (got < 0)
                        goto stop;
                o->hand_n[s] = (unsigned)got;
                o->hand_ns[s] = got > 0 ? gsl_stats_mean(beyond + m, 1, (size_t)got) : 0;
                m += (size_t)got;
                o->single_ns[s] = trimmed_mean(lat, n);
                o->worker_ns[s] = trimmed_mean(work, n);
                spread(work, n, &sum, &count);
        }
        o->path_cv = count > 1 ? sqrt(sum / (double)(count - 1)) : 0;
        fit_line(o->bytes, o->worker_ns, o->nsizes, &o->path);
        double after[CALIBRATE_MAX_SIZES];
        for (size_t s = 0; s < o->nsizes; s++)
                after[s] = o->lane_ns[s] - line_ns(&o->path, o->bytes[s]);
        gsl_sort(after, 1, o->nsizes);
        /* the wake-up: each hand-off at load, over every size, its tail
         * kept (it carries the mean) */
        double mean = m > 0 ? gsl_stats_mean(beyond, 1, m) : 0;
        o->wakeup_ns = fmax(0, mean);
        o->wakeup_cv = mean > 0 && m > 1 ? gsl_stats_sd_m(beyond, 1, m, mean) / mean : 0;
        o->gap_ns = fmax(0, gsl_stats_median_from_sorted_data(after, 1, o->nsizes));
        o->gap_error = 0;
        for (size_t s = 0; s < o->nsizes; s++) {
                double e = fabs(line_ns(&o->path, o->bytes[s]) + o->gap_ns - o->lane_ns[s]) /
                           o->lane_ns[s];
                o->gap_error = fmax(o->gap_error, e);
        }
        rc = 0;
stop:
        path_stop(run);
out:
        free(run);
        free(lat);
        free(work);
        free(beyond);
        return rc;
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
        unsigned path_n = cfg->path_requests ? cfg->path_requests : 401;
        uint64_t path_ns = cfg->path_ns ? cfg->path_ns : 200000000u;
        uint64_t pause_ns = cfg->path_pause_ns ? cfg->path_pause_ns : 500000u;
        if (nsizes == 0 || nsizes > CALIBRATE_MAX_SIZES || n < 11 || path_n < 11 ||
            max_lanes > CALIBRATE_MAX_LANES)
                return sim_fail(err, -1, "calibrate: sizes 1..%d, samples >= 11, lanes <= %d",
                                CALIBRATE_MAX_SIZES, CALIBRATE_MAX_LANES);
        if (cfg->only != NULL && live_op_find(cfg->only) == NULL)
                return sim_fail(err, -1, "calibrate: no live operation %s", cfg->only);
        struct live_crypto *c = live_crypto_new();
        double *t = malloc(n * sizeof(*t));
        size_t largest = sizes[nsizes - 1];
        size_t arena_bytes = COLD_BYTES > 4 * (largest + 128) ? COLD_BYTES : 4 * (largest + 128);
        uint8_t *arena = malloc(arena_bytes);
        if (arena != NULL) /* every page touched once (not 0: malloc + memset 0 may become
                              calloc, which touches nothing): no page fault is timed */
                memset(arena, 0x5a, arena_bytes);
        struct bench_input b;
        int rc = input_init(&b, sizes[nsizes - 1] > lane_bytes ? sizes[nsizes - 1] : lane_bytes);
        int nout = 0;
        if (c == NULL || t == NULL || arena == NULL || rc < 0) {
                rc = sim_fail(err, -1, "calibrate: out of memory or no OpenSSL algorithms");
                goto out;
        }
        for (size_t k = 0; k < live_nops; k++) {
                if (cfg->only != NULL && strcmp(cfg->only, live_ops[k].name) != 0)
                        continue;
                struct calibrate_op *o = &out[nout++];
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
                        o->bytes[o->nsizes] = sizes[s];
                        o->median_ns[o->nsizes++] = gsl_stats_median_from_sorted_data(t, 1, n);
                        spread(t, n, &dev_sum, &dev_n);
                }
                o->jitter_cv = dev_n > 1 ? sqrt(dev_sum / (double)(dev_n - 1)) : 0;
                fit_line(o->bytes, o->median_ns, o->nsizes, &o->bare);
                if (path_measure(o, path_n, path_ns, pause_ns, cfg->pin) < 0) {
                        rc = sim_fail(err, -1, "calibrate: %s through a live device failed",
                                      o->op->name);
                        goto out;
                }
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
        rc = nout;
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
                "# Measured by acsim calibrate through a live device of one lane: the\n"
                "# worker's time per stage, setup + bytes / rate with its jitter; the gap the\n"
                "# lane loses after each stage when it is kept full; the wake-up a lone\n"
                "# request takes beyond its worker's time, a distribution (docs/live.md).\n"
                "devices:\n"
                "  - name: cpu\n"
                "    lanes: %u\n"
                "    ring: %u\n"
                "    ops:\n",
                lanes, 16 * lanes);
        for (size_t k = 0; k < nops; k++) {
                const struct calibrate_op *o = &ops[k];
                char rate[32], bare[32];
                rate_text(o->path.rate_bps, rate, sizeof(rate));
                rate_text(o->bare.rate_bps, bare, sizeof(bare));
                fprintf(f,
                        "      # over %zu to %zu B: fit error %.1f%%%s, lane kept full %.1f%% "
                        "off; alone on cold buffers %.0fns + bytes / %s\n",
                        o->bytes[0], o->bytes[o->nsizes - 1], 100 * o->path.error,
                        o->path.poor ? " (poor: not linear in bytes)" : "", 100 * o->gap_error,
                        o->bare.setup_ns, bare);
                char wakeup[96];
                /* a lognormal of the mean and spread, when it is one as written
                 * (a mean of 0ns or a cv of 0.000 is not) */
                if (o->wakeup_cv >= 0.0005 && o->wakeup_ns >= 0.5)
                        snprintf(wakeup, sizeof(wakeup),
                                 "{dist: lognormal, mean: %.0fns, cv: %.3f}", round(o->wakeup_ns),
                                 o->wakeup_cv);
                else
                        snprintf(wakeup, sizeof(wakeup), "%.0fns", round(o->wakeup_ns));
                fprintf(f,
                        "      %s: {setup: %.0fns, rate: %s, jitter: {dist: lognormal, mean: 1, "
                        "cv: %.3f}, gap: %.0fns, wakeup: %s}\n",
                        o->op->name, round(o->path.setup_ns), rate, o->path_cv, round(o->gap_ns),
                        wakeup);
        }
}

void calibrate_write_table(FILE *f, const struct calibrate_op *ops, size_t nops)
{
        fprintf(f, "%-21s %7s %8s %4s %4s %7s %7s %8s  %s\n", "operation", "setup", "rate", "fit",
                "cv", "wakeup", "gap", "bare", "lanes");
        for (size_t k = 0; k < nops; k++) {
                const struct calibrate_op *o = &ops[k];
                char rate[32], bare[32], lanes[64] = "";
                rate_text(o->path.rate_bps, rate, sizeof(rate));
                rate_text(o->bare.rate_bps, bare, sizeof(bare));
                size_t len = 0;
                for (unsigned l = 0; l < o->nlanes && len + 6 < sizeof(lanes); l++)
                        len += (size_t)snprintf(lanes + len, sizeof(lanes) - len, "%s%.2f",
                                                l ? " " : "", o->lane_speedup[l]);
                fprintf(f, "%-21s %5.0fns %8s %3.0f%% %4.2f %5.1fus %5.1fus %8s  %s%s\n",
                        o->op->name, o->path.setup_ns, rate, 100 * o->path.error, o->path_cv,
                        o->wakeup_ns / 1e3, o->gap_ns / 1e3, bare, lanes,
                        o->path.poor ? " POOR" : "");
        }
}

void calibrate_write_sizes(FILE *f, const struct calibrate_op *o)
{
        fprintf(f, "%s by size:\n%10s %9s %9s %9s %9s %9s %9s\n", o->op->name, "bytes", "bare",
                "lane full", "of which", "line", "worker", "latency");
        for (size_t s = 0; s < o->nsizes; s++)
                fprintf(f, "%10zu %7.1fus %7.1fus %7.1fus %7.1fus %7.1fus %7.1fus\n", o->bytes[s],
                        o->median_ns[s] / 1e3, o->lane_ns[s] / 1e3, o->lane_worker_ns[s] / 1e3,
                        line_ns(&o->path, o->bytes[s]) / 1e3, o->worker_ns[s] / 1e3,
                        o->single_ns[s] / 1e3);
}
