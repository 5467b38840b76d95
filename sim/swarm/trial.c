/*
 * sim/swarm/trial.c - one swarm trial: a scenario loaded with the real
 * loader and run twice with every check on (sim_run_checked), in a child
 * process. The child's stdout and stderr come back through a pipe; the
 * verdict is its signature and first lines:
 *
 *   "load"            the loader refused a generated scenario
 *   "<invariant>"     a check of sim/run/check.c or the core's
 *                     ac_engine_check(): the name before the first ':'
 *   "conservation"    a class or the whole run does not add up
 *   "determinism"     the second run's figures differ from the first's
 *   "assert: ..."     an assertion, by its expression
 *   "sanitizer: ..."  an AddressSanitizer or UndefinedBehaviorSanitizer
 *                     report, by its kind
 *   "hang"            no answer within the time given
 *   "signal N"        another death
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/load/diag.h"
#include "sim/load/scenario_load.h"
#include "sim/run/run.h"
#include "sim/swarm/swarm.h"

#define SWARM_OUTPUT_MAX 4096 /* bytes of the child's output kept */

/* ---- in the child --------------------------------------------------------- */

static void child_broken(void *ctx, const char *what)
{
        (void)ctx;
        fprintf(stderr, "swarm: broken: %s\n", what);
        fflush(stderr);
        _exit(3);
}

/* Folds the figures that must repeat bit for bit into h. */
static uint64_t fold(uint64_t h, const void *p, size_t n)
{
        const unsigned char *b = p;
        for (size_t i = 0; i < n; i++)
                h = (h ^ b[i]) * 0x100000001b3u;
        return h;
}

#define FOLD_FIELD(name, kind, ...) h = fold(h, &x->name, sizeof(x->name));
static uint64_t fold_counts(uint64_t h, const struct sim_counts *x)
{
        SIM_COUNT_FIGURES(FOLD_FIELD)
        return h;
}
static uint64_t fold_latency(uint64_t h, const struct sim_latency *x)
{
        SIM_LATENCY_FIGURES(FOLD_FIELD)
        return h;
}
static uint64_t fold_device(uint64_t h, const struct sim_device_result *x)
{
        SIM_DEVICE_FIGURES(FOLD_FIELD)
        return h;
}
#undef FOLD_FIELD

static uint64_t digest(const struct sim_results *r)
{
        uint64_t h = 0xcbf29ce484222325u;
        h = fold_counts(h, &r->all);
        h = fold_counts(h, &r->requests);
        h = fold_latency(h, &r->latency);
        uint64_t words[] = {r->sim_time_ns, r->events,      r->order_hash, r->arrival_hash,
                            r->late,        r->timeouts,    r->unfinished, r->max_in_flight,
                            r->nfaults,     r->series.nrows};
        h = fold(h, words, sizeof(words));
        for (size_t i = 0; i < r->nclasses; i++) {
                h = fold_counts(h, &r->classes[i].requests);
                h = fold_latency(h, &r->classes[i].latency);
        }
        for (size_t i = 0; i < r->ndevices; i++)
                h = fold_device(h, &r->devices[i]);
        for (size_t i = 0; i < r->series.nrows; i++)
                h = fold(h, &r->series.rows[i].completed, sizeof(uint64_t));
        return h;
}

static void verdict_exit(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void verdict_exit(int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("swarm: broken: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        fflush(stderr);
        _exit(code);
}

static void check_counts(const char *what, const struct sim_counts *c)
{
        if (c->submitted != c->completed + c->failed + c->rejected)
                verdict_exit(3,
                             "conservation: %s: %" PRIu64 " submitted, %" PRIu64
                             " completed + %" PRIu64 " failed + %" PRIu64 " rejected",
                             what, c->submitted, c->completed, c->failed, c->rejected);
}

int swarm_check_text(const char *path, const char *text, uint64_t buggify)
{
        struct diag dg;
        struct scenario sc;
        diag_init(&dg);
        if (scenario_load_text(path, text, strlen(text), NULL, 0, &dg, &sc) < 0) {
                diag_print(&dg, stderr);
                verdict_exit(4, "load: the scenario was refused");
        }
        diag_free(&dg);
        struct sim_run_checks checks = {
            .core = true, .flow_order = true, .buggify = buggify, .broken = child_broken};
        uint64_t first = 0;
        for (int round = 0; round < 2; round++) {
                struct sim_results res;
                struct sim_error err = {0};
                int rc = sim_run_checked(&sc, 0, &checks, &res, &err);
                if (rc < 0)
                        verdict_exit(3, "run: %s", err.msg);
                if (!res.drain_capped) {
                        check_counts("all requests", &res.all);
                        check_counts("measured requests", &res.requests);
                        for (size_t i = 0; i < res.nclasses; i++)
                                check_counts(res.classes[i].name, &res.classes[i].requests);
                }
                uint64_t d = digest(&res);
                sim_results_free(&res);
                if (round == 1 && d != first)
                        verdict_exit(3,
                                     "determinism: two runs of one seed differ (%016" PRIx64
                                     " then %016" PRIx64 ")",
                                     first, d);
                first = d;
        }
        scenario_free(&sc);
        return 0;
}

/* ---- in the parent -------------------------------------------------------- */

/* The signature of what the child said: see the top. */
static void classify(struct swarm_verdict *v, const char *out, int status)
{
        const char *line;
        if ((line = strstr(out, "swarm: broken: ")) != NULL) {
                line += strlen("swarm: broken: ");
                size_t n = strcspn(line, ":\n");
                snprintf(v->signature, sizeof(v->signature), "%.*s", (int)n, line);
        } else if ((line = strstr(out, "Assertion `")) != NULL) {
                size_t n = strcspn(line, "\n");
                snprintf(v->signature, sizeof(v->signature), "assert: %.*s", (int)n, line);
        } else if ((line = strstr(out, "ERROR: AddressSanitizer: ")) != NULL ||
                   (line = strstr(out, "ERROR: LeakSanitizer: ")) != NULL) {
                line = strstr(line, ": ") + 2;
                size_t n = strcspn(line, " \n");
                snprintf(v->signature, sizeof(v->signature), "sanitizer: %.*s", (int)n, line);
        } else if ((line = strstr(out, "runtime error: ")) != NULL) {
                size_t n = strcspn(line, "\n");
                snprintf(v->signature, sizeof(v->signature), "sanitizer: %.*s", (int)n, line);
        } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
                snprintf(v->signature, sizeof(v->signature), "hang");
        } else if (WIFSIGNALED(status)) {
                snprintf(v->signature, sizeof(v->signature), "signal %d", WTERMSIG(status));
        } else {
                snprintf(v->signature, sizeof(v->signature), "exit %d", WEXITSTATUS(status));
        }
        snprintf(v->detail, sizeof(v->detail), "%.1000s", out);
}

int swarm_trial_text(const char *path, const char *text, uint64_t buggify, unsigned timeout_s,
                     struct swarm_verdict *v)
{
        *v = (struct swarm_verdict){0};
        int fds[2];
        if (pipe(fds) < 0)
                return -1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                close(fds[0]);
                close(fds[1]);
                return -1;
        }
        if (pid == 0) {
                close(fds[0]);
                dup2(fds[1], STDOUT_FILENO);
                dup2(fds[1], STDERR_FILENO);
                close(fds[1]);
                alarm(timeout_s);
                swarm_check_text(path, text, buggify);
                fflush(NULL);
                _exit(0);
        }
        close(fds[1]);
        char out[SWARM_OUTPUT_MAX];
        size_t len = 0;
        for (;;) {
                char chunk[4096];
                ssize_t n = read(fds[0], chunk, sizeof(chunk));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                size_t keep = (size_t)n < sizeof(out) - 1 - len ? (size_t)n : sizeof(out) - 1 - len;
                memcpy(out + len, chunk, keep);
                len += keep;
        }
        out[len] = '\0';
        close(fds[0]);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -1;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        v->failed = true;
        classify(v, out, status);
        return 0;
}

int swarm_check(const struct swarm_plan *p)
{
        char *text = swarm_plan_render(p, NULL);
        if (!text)
                return -1;
        char path[64];
        snprintf(path, sizeof(path), "swarm-%" PRIu64 ".yaml", p->seed);
        swarm_check_text(path, text, p->buggify);
        free(text);
        return 0;
}

int swarm_trial(const struct swarm_plan *p, unsigned timeout_s, struct swarm_verdict *v)
{
        char *text = swarm_plan_render(p, NULL);
        if (!text)
                return -1;
        char path[64];
        snprintf(path, sizeof(path), "swarm-%" PRIu64 ".yaml", p->seed);
        int rc = swarm_trial_text(path, text, p->buggify, timeout_s, v);
        free(text);
        return rc;
}
