/*
 * tests/stress_replicate.c - acsim run -j's threads (sim/run/replicate.c):
 * the default scenario, shortened, run on one thread, on two and on
 * three, with a progress hook that reads and writes shared state under
 * the pool's lock. With five replications on two or three workers the
 * pool shares the last ones between its workers, a replication's
 * stretches running on one thread and then another. Every replication's
 * fingerprint and figures must be the same on all three; each
 * replication's progress must only go forward and reach its end; under
 * ThreadSanitizer (make test's TSan tree) a data race -- between the
 * replications, or in handing one from a thread to another -- fails the
 * program. Plain C, as the other thread programs.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/load/diag.h"
#include "sim/load/scenario_load.h"
#include "sim/run/replicate.h"
#include "tests/support/check.h"

#define RUNS 5

/* Counts reports, keeps the largest index seen and each replication's
 * last clock and event count; only ever called with the pool's lock
 * held, so plain fields are safe, and TSan checks it. */
struct seen {
        size_t reports;
        size_t top;
        uint64_t now[RUNS], events[RUNS], end[RUNS];
        size_t backwards; /* reports whose clock or count went back */
};

static void progress(void *ctx, size_t index, size_t n, uint64_t now_ns, uint64_t end_ns,
                     uint64_t events)
{
        struct seen *s = ctx;
        s->reports++;
        if (index > s->top)
                s->top = index;
        if (index >= RUNS || n != RUNS)
                return;
        if (now_ns < s->now[index] || events < s->events[index])
                s->backwards++;
        s->now[index] = now_ns;
        s->events[index] = events;
        s->end[index] = end_ns;
}

/* Checks that the runs of a and b are the same replications, and so
 * their summaries. */
static void same_runs(const struct replications *a, const struct replications *b, const char *what)
{
        CHECK(a->n == RUNS && b->n == RUNS, "%s: %zu and %zu runs", what, a->n, b->n);
        for (size_t i = 0; i < RUNS; i++) {
                const struct sim_results *x = &a->runs[i], *y = &b->runs[i];
                CHECK(x->fingerprint == y->fingerprint, "%s: replication %zu: fingerprints differ",
                      what, i);
                CHECK(x->replication == i && y->replication == i,
                      "%s: replication %zu out of place", what, i);
                CHECK(memcmp(&x->latency, &y->latency, sizeof(x->latency)) == 0,
                      "%s: replication %zu: latency differs", what, i);
                CHECK(memcmp(&x->requests, &y->requests, sizeof(x->requests)) == 0,
                      "%s: replication %zu: counts differ", what, i);
                CHECK(x->series.nrows == y->series.nrows &&
                          memcmp(x->series.rows, y->series.rows,
                                 x->series.nrows * sizeof(*x->series.rows)) == 0,
                      "%s: replication %zu: time series differs", what, i);
        }
        CHECK(memcmp(&a->latency, &b->latency, sizeof(a->latency)) == 0, "%s: summary differs",
              what);
}

/* Checks what the progress hook saw of RUNS replications. */
static void all_seen(const struct seen *s, const char *what)
{
        CHECK(s->reports >= RUNS && s->top == RUNS - 1, "%s: %zu reports, top index %zu", what,
              s->reports, s->top);
        CHECK(s->backwards == 0, "%s: %zu reports went back", what, s->backwards);
        for (size_t i = 0; i < RUNS; i++)
                CHECK(s->end[i] > 0 && s->now[i] == s->end[i],
                      "%s: replication %zu last reported at %llu of %llu ns", what, i,
                      (unsigned long long)s->now[i], (unsigned long long)s->end[i]);
}

int main(void)
{
        const char *src = getenv("ACSIM_SOURCE_DIR");
        char path[4096];
        snprintf(path, sizeof(path), "%s/scenarios/default.yaml", src ? src : ".");
        const char *sets[] = {"run.duration=20ms", "run.warmup=2ms", "run.replications=5",
                              "run.sample=1ms"};
        struct diag dg;
        struct scenario s;
        diag_init(&dg);
        CHECK(scenario_load(path, sets, 4, &dg, &s) == 0, "cannot load %s", path);
        diag_free(&dg);

        struct sim_error e;
        struct replications one, two, three;
        struct seen seen2 = {0}, seen3 = {0};
        struct rep_progress watch2 = {progress, &seen2}, watch3 = {progress, &seen3};
        CHECK(replications_run_jobs(&s, 0, RUNS, 1, NULL, &one, &e) == SIM_OK, "%s", e.msg);
        CHECK(replications_run_jobs(&s, 0, RUNS, 2, &watch2, &two, &e) == SIM_OK, "%s", e.msg);
        CHECK(replications_run_jobs(&s, 0, RUNS, 3, &watch3, &three, &e) == SIM_OK, "%s", e.msg);
        /* one worker never puts a replication back; with 2 * jobs - 1 or
         * fewer left, the workers share them, so two or three do */
        CHECK(one.handed_on == 0, "-j 1 handed a replication on %zu times", one.handed_on);
        CHECK(two.handed_on > 0 && three.handed_on > 0,
              "the last replications were not shared: handed on %zu and %zu times", two.handed_on,
              three.handed_on);
        same_runs(&one, &two, "-j 2");
        same_runs(&one, &three, "-j 3");
        all_seen(&seen2, "-j 2");
        all_seen(&seen3, "-j 3");
        replications_free(&one);
        replications_free(&two);
        replications_free(&three);
        scenario_free(&s);
        return 0;
}
