/*
 * tests/stress_replicate.c - acsim run -j's threads (sim/run/replicate.c):
 * the default scenario, shortened, run on one thread and on three, with a
 * progress hook that reads and writes shared state under the pool's lock.
 * Every replication's fingerprint and figures must be the same on both;
 * under ThreadSanitizer (make test's TSan tree) a data race between the
 * replications -- shared mutable state anywhere below the scenario --
 * fails the program. Plain C, as the other thread programs.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/load/diag.h"
#include "sim/load/scenario_load.h"
#include "sim/run/replicate.h"
#include "tests/support/check.h"

/* Counts reports and keeps the largest index seen; only ever called with
 * the pool's lock held, so a plain counter is safe, and TSan checks it. */
struct seen {
        size_t reports;
        size_t top;
};

static void progress(void *ctx, size_t index, size_t n, uint64_t now_ns, uint64_t end_ns,
                     uint64_t events)
{
        struct seen *s = ctx;
        (void)n, (void)now_ns, (void)end_ns, (void)events;
        s->reports++;
        if (index > s->top)
                s->top = index;
}

int main(void)
{
        const char *src = getenv("ACSIM_SOURCE_DIR");
        char path[4096];
        snprintf(path, sizeof(path), "%s/scenarios/default.yaml", src ? src : ".");
        const char *sets[] = {"run.duration=20ms", "run.warmup=2ms", "run.replications=5"};
        struct diag dg;
        struct scenario s;
        diag_init(&dg);
        CHECK(scenario_load(path, sets, 3, &dg, &s) == 0, "cannot load %s", path);
        diag_free(&dg);

        struct sim_error e;
        struct replications one, three;
        struct seen seen = {0};
        struct rep_progress watch = {progress, &seen};
        CHECK(replications_run_jobs(&s, 0, 5, 1, NULL, &one, &e) == SIM_OK, "%s", e.msg);
        CHECK(replications_run_jobs(&s, 0, 5, 3, &watch, &three, &e) == SIM_OK, "%s", e.msg);
        CHECK(one.n == 5 && three.n == 5, "%zu and %zu runs", one.n, three.n);
        CHECK(seen.reports >= 5 && seen.top == 4, "%zu reports, top index %zu", seen.reports,
              seen.top);
        for (size_t i = 0; i < 5; i++) {
                const struct sim_results *a = &one.runs[i], *b = &three.runs[i];
                CHECK(a->fingerprint == b->fingerprint, "replication %zu: fingerprints differ", i);
                CHECK(a->replication == i && b->replication == i, "replication %zu out of place",
                      i);
                CHECK(memcmp(&a->latency, &b->latency, sizeof(a->latency)) == 0,
                      "replication %zu: latency differs", i);
                CHECK(memcmp(&a->requests, &b->requests, sizeof(a->requests)) == 0,
                      "replication %zu: counts differ", i);
        }
        CHECK(memcmp(&one.latency, &three.latency, sizeof(one.latency)) == 0, "summary differs");
        replications_free(&one);
        replications_free(&three);
        scenario_free(&s);
        return 0;
}
