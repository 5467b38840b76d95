/*
 * tests/stress_live_core.c - the core on real threads: the live platform
 * (a timer thread, a mutex), live devices (worker threads doing AES-GCM),
 * several submitter threads, and a fault thread that hangs, fail-stops,
 * slows, flakes, removes and re-adds devices while requests flow: every
 * fifth round the card qat2 is pulled, its driver lets go of it
 * (ac_device_release, the core frees it) and a new card comes under the
 * same name.
 * It runs twice: with the core's callbacks on the threads that finish
 * requests (the platform's default), then on its completion thread (the
 * core's defer).
 *
 * Every request is a chain seal-then-open of a plaintext drawn from its
 * id, out of place, so a request that completes ok proves both stages ran
 * on real crypto, in order, on bytes nobody else wrote: the opened bytes
 * must equal the plaintext and the tag must verify. Checked for every
 * request: exactly one callback; status ok or a documented failure; the
 * output. At the end: accepted = completed + failed, and the shutdown of
 * the core's contract: ac_engine_shutdown, wait until the engine says it
 * is quiescent, stop the platform's threads, stop the devices, destroy.
 * Run under ThreadSanitizer by `make test`; no timing is asserted.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ac/ac.h"
#include "live/device.h"
#include "live/platform.h"
#include "tests/support/check.h"

#define SUBMITTERS  3
#define PER_THREAD  1500
#define OUTSTANDING 24 /* per submitter */
#define MAX_BYTES   2048
#define NDEV        4 /* qat0..2 and a software fallback */

struct req {
        struct ac_request r;
        struct ac_stage chain[2];
        uint32_t id;
        uint32_t bytes;
        uint8_t iv[12];
        uint8_t tag[LIVE_TAG];
        uint8_t buf[2][MAX_BYTES + 32]; /* stage k reads buf[k % 2], writes buf[(k + 1) % 2] */
        struct live_stamps at[2];       /* where each stage went, as its device reported it */
        atomic_int callbacks;
        int status;
        struct submitter *owner;
};

struct submitter {
        pthread_t thread;
        unsigned index;
        pthread_mutex_t mu;
        pthread_cond_t cv;
        unsigned outstanding;
        struct req *reqs; /* PER_THREAD */
        uint64_t accepted, rejected;
};

static struct ac_engine *eng;
static struct live_platform plat;
static struct live_device devs[NDEV]; /* qat2 is pulled and re-added */
static uint8_t keys[LIVE_MAX_KEY];
static int op_seal, op_open;
static atomic_bool stop_faults;
static atomic_ulong completed_ok, completed_failed;
static atomic_uint readded; /* times qat2 was pulled and a new one added */

static void fill_plain(uint32_t id, uint32_t bytes, uint8_t *out)
{
        uint32_t x = id * 2654435761u + 1;
        for (uint32_t i = 0; i < bytes; i++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                out[i] = (uint8_t)x;
        }
}

static void stage_io(void *ctx, struct ac_request *r, uint32_t stage, struct live_stage_io *io)
{
        struct req *q = (struct req *)r;
        (void)ctx;
        io->in = q->buf[stage % 2];
        io->out = q->buf[(stage + 1) % 2];
        io->tag = q->tag;
        io->iv = q->iv;
        io->stamps = &q->at[stage];
}

static void on_done(struct ac_request *r, int status)
{
        struct req *q = (struct req *)r;
        int n = atomic_fetch_add(&q->callbacks, 1);
        CHECK(n == 0, "request %u called back %d times", q->id, n + 1);
        q->status = status;
        if (status == 0) {
                uint8_t want[MAX_BYTES];
                fill_plain(q->id, q->bytes, want);
                CHECK(memcmp(q->buf[0], want, q->bytes) == 0,
                      "request %u: the opened bytes differ from the plaintext", q->id);
                /* each stage's stamps written by the device that served
                 * it, in order, the second stage after the first */
                uint64_t prev = q->r.submitted_ns + plat.origin_ns;
                for (int k = 0; k < 2; k++) {
                        const struct live_stamps *a = &q->at[k];
                        CHECK(prev <= a->driver && a->driver <= a->take && a->take <= a->start &&
                                  a->start <= a->end && a->end <= a->report,
                              "request %u stage %d: stamps out of order", q->id, k);
                        prev = a->report;
                }
                CHECK(prev <= q->r.completed_ns + plat.origin_ns,
                      "request %u: reported after the core knew it done", q->id);
                atomic_fetch_add(&completed_ok, 1);
        } else {
                CHECK(status == AC_EIO || status == AC_ETIMEDOUT || status == AC_ENODEV,
                      "request %u: status %d (%s)", q->id, status, ac_strerror(status));
                atomic_fetch_add(&completed_failed, 1);
        }
        struct submitter *s = q->owner;
        pthread_mutex_lock(&s->mu);
        s->outstanding--;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
}

static void *submit_main(void *arg)
{
        struct submitter *s = arg;
        for (uint32_t i = 0; i < PER_THREAD; i++) {
                struct req *q = &s->reqs[i];
                q->owner = s;
                q->id = s->index * PER_THREAD + i;
                q->bytes = 16 + (q->id * 97) % (MAX_BYTES - 16);
                memcpy(q->iv, &q->id, sizeof(q->id));
                fill_plain(q->id, q->bytes, q->buf[0]);
                q->chain[0] = (struct ac_stage){.op = (uint32_t)op_seal, .bytes = q->bytes};
                q->chain[1] = (struct ac_stage){.op = (uint32_t)op_open, .bytes = q->bytes};
                q->r.stages = q->chain;
                q->r.nstages = 2;
                q->r.priority = (uint8_t)(i % 3);
                q->r.flow = q->id % 16;
                q->r.done = on_done;
                pthread_mutex_lock(&s->mu);
                while (s->outstanding >= OUTSTANDING)
                        pthread_cond_wait(&s->cv, &s->mu);
                s->outstanding++;
                pthread_mutex_unlock(&s->mu);
                int rc = ac_submit(eng, &q->r);
                if (rc < 0) {
                        CHECK(rc == AC_ENOSPC || rc == AC_ENODEV, "submit: %s", ac_strerror(rc));
                        atomic_store(&q->callbacks, -1000); /* never called back */
                        s->rejected++;
                        pthread_mutex_lock(&s->mu);
                        s->outstanding--;
                        pthread_mutex_unlock(&s->mu);
                } else {
                        s->accepted++;
                }
        }
        pthread_mutex_lock(&s->mu);
        while (s->outstanding > 0)
                pthread_cond_wait(&s->cv, &s->mu);
        pthread_mutex_unlock(&s->mu);
        return NULL;
}

static void nap_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
}

static void start_device(struct live_device *d, const char *name, bool fallback, uint32_t lanes)
{
        static const char *const ops[] = {"aes-gcm-enc", "aes-gcm-dec"};
        struct live_device_config dc = {
            .name = name,
            .ops = ops,
            .nops = 2,
            .ring = 8,
            .lanes = lanes,
            .weight = 1,
            .fallback = fallback,
            .max_bytes = MAX_BYTES,
            .io = stage_io,
            .keys = keys,
            .seed = (uint64_t)(d - devs) + 1,
        };
        int rc = live_device_start(d, eng, &dc);
        CHECK(rc == 0, "start %s: %s", name, ac_strerror(rc));
}

static void *fault_main(void *arg)
{
        (void)arg;
        struct live_device *q1 = &devs[1], *q2 = &devs[2];
        for (int round = 0; !atomic_load(&stop_faults); round++) {
                switch (round % 5) {
                case 0:
                        live_device_inject(q1, LIVE_HANG, 0); /* the watchdog must see it */
                        nap_ms(30);
                        live_device_inject(q1, LIVE_OK, 0);
                        break;
                case 1:
                        live_device_inject(q2, LIVE_FAIL_STOP, 0);
                        nap_ms(15);
                        live_device_inject(q2, LIVE_OK, 0);
                        break;
                case 2:
                        live_device_inject(q1, LIVE_FLAKY, 0.2);
                        nap_ms(20);
                        live_device_inject(q1, LIVE_OK, 0);
                        break;
                case 3:
                        live_device_inject(q2, LIVE_SLOW, 4.0);
                        nap_ms(20);
                        live_device_inject(q2, LIVE_OK, 0);
                        break;
                case 4: /* surprise removal, release, a new card under the name */
                        live_device_remove(q2);
                        atomic_fetch_add(&readded, 1);
                        nap_ms(10);
                        start_device(q2, "qat2", false, 2);
                        break;
                }
        }
        return NULL;
}

/* Reads qat0's idle time (live_device_idle_ns) every millisecond while
 * the stress runs: between two readings it never falls and never exceeds
 * the lanes' time between them, however the workers' waits straddle the
 * readings (calibration's full-lane time rests on this). */
static void *idle_main(void *arg)
{
        struct live_device *d = arg;
        uint64_t at, idle = live_device_idle_ns(d, &at);
        while (!atomic_load(&stop_faults)) {
                nap_ms(1);
                uint64_t now, now_idle = live_device_idle_ns(d, &now);
                CHECK(now >= at && now_idle >= idle, "idle time went back");
                CHECK(now_idle - idle <= (uint64_t)d->lanes * (now - at),
                      "%llu ns idle in %llu ns on %u lanes", (unsigned long long)(now_idle - idle),
                      (unsigned long long)(now - at), d->lanes);
                at = now;
                idle = now_idle;
        }
        return NULL;
}

/* One round of the stress, with the core's callbacks on the threads that
 * finish requests, or (deferred) on the platform's completion thread. */
static void stress(bool deferred)
{
        atomic_store(&stop_faults, false);
        atomic_store(&completed_ok, 0);
        atomic_store(&completed_failed, 0);
        atomic_store(&readded, 0);
        for (size_t i = 0; i < sizeof(keys); i++)
                keys[i] = (uint8_t)(i * 31 + 7);
        CHECK(live_platform_init(&plat, 42) == 0, "platform");
        plat.deferred_callbacks = deferred;
        struct ac_engine_config cfg;
        ac_engine_config_defaults(&cfg);
        cfg.policy = "least-loaded";
        cfg.queue_depth = 32;
        cfg.backlog = 64;
        cfg.failover.timeout_ns = 20 * 1000000ull; /* a hang of 30 ms is caught */
        cfg.failover.retries = 3;
        cfg.failover.errors_to_fail = 3;
        cfg.failover.probe_ns = 5 * 1000000ull;
        cfg.platform = live_platform_seam(&plat);
        int rc = ac_engine_create(&cfg, &eng);
        CHECK(rc == 0, "engine: %s", ac_strerror(rc));
        op_seal = ac_op_intern(eng, "aes-gcm-enc");
        op_open = ac_op_intern(eng, "aes-gcm-dec");
        start_device(&devs[0], "qat0", false, 2);
        start_device(&devs[1], "qat1", false, 2);
        start_device(&devs[2], "qat2", false, 2);
        start_device(&devs[3], "cpu", true, 1);

        struct submitter subs[SUBMITTERS];
        for (unsigned i = 0; i < SUBMITTERS; i++) {
                subs[i] = (struct submitter){.index = i};
                subs[i].reqs = calloc(PER_THREAD, sizeof(struct req));
                CHECK(subs[i].reqs != NULL, "memory");
                pthread_mutex_init(&subs[i].mu, NULL);
                pthread_cond_init(&subs[i].cv, NULL);
        }
        pthread_t faults, idle;
        pthread_create(&faults, NULL, fault_main, NULL);
        pthread_create(&idle, NULL, idle_main, &devs[0]);
        for (unsigned i = 0; i < SUBMITTERS; i++)
                pthread_create(&subs[i].thread, NULL, submit_main, &subs[i]);
        for (unsigned i = 0; i < SUBMITTERS; i++)
                pthread_join(subs[i].thread, NULL);
        atomic_store(&stop_faults, true);
        pthread_join(faults, NULL);
        pthread_join(idle, NULL);

        uint64_t accepted = 0;
        for (unsigned i = 0; i < SUBMITTERS; i++) {
                accepted += subs[i].accepted;
                for (uint32_t k = 0; k < PER_THREAD; k++) {
                        int n = atomic_load(&subs[i].reqs[k].callbacks);
                        CHECK(n == 1 || n == -1000, "request %u: %d callbacks", subs[i].reqs[k].id,
                              n);
                }
        }
        CHECK(accepted == atomic_load(&completed_ok) + atomic_load(&completed_failed),
              "accepted %llu, completed %lu + failed %lu", (unsigned long long)accepted,
              atomic_load(&completed_ok), atomic_load(&completed_failed));
        CHECK(atomic_load(&completed_ok) > 0, "nothing completed");
        struct ac_engine_stats st;
        ac_engine_get_stats(eng, &st);
        CHECK(st.completed + st.failed == accepted, "engine counted %llu + %llu",
              (unsigned long long)st.completed, (unsigned long long)st.failed);

        /* Shutdown: refuse more, wait until no thread is inside the core
         * and no timer armed, stop the platform's threads (no fire, no
         * deferred run after this), stop the devices, destroy. */
        CHECK(ac_engine_shutdown(eng) == 0, "shutdown");
        CHECK(ac_submit(eng, &(struct ac_request){0}) == AC_ESHUTDOWN,
              "a submit after shutdown is refused");
        CHECK(live_platform_wait_idle(&plat, live_now_ns(&plat) + 30ull * 1000000000u),
              "the engine never said it was quiescent");
        CHECK(ac_engine_quiescent(eng), "told idle, but not quiescent");
        live_platform_stop(&plat);
        struct ac_engine_memory mem;
        ac_engine_memory(eng, &mem);
        CHECK(mem.devices == NDEV, "%zu device objects held for %d cards (%u re-added)",
              mem.devices, NDEV, atomic_load(&readded));
        for (int i = 0; i < NDEV; i++)
                live_device_stop(&devs[i]);
        ac_engine_destroy(eng);
        live_platform_fini(&plat);
        for (unsigned i = 0; i < SUBMITTERS; i++) {
                pthread_mutex_destroy(&subs[i].mu);
                pthread_cond_destroy(&subs[i].cv);
                free(subs[i].reqs);
        }
        printf("stress_live_core (callbacks %s): %llu accepted, %lu ok, %lu failed, %llu "
               "timeouts, %llu late, %u re-added\n",
               deferred ? "on the completion thread" : "on the finishing threads",
               (unsigned long long)accepted, atomic_load(&completed_ok),
               atomic_load(&completed_failed), (unsigned long long)st.timeouts,
               (unsigned long long)st.late, atomic_load(&readded));
}

int main(void)
{
        stress(false);
        stress(true);
        printf("stress_live_core: 1 passed, 0 failed\n");
        return 0;
}
