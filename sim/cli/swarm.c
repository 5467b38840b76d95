/*
 * sim/cli/swarm.c - `acsim swarm`: random whole scenarios, run short and
 * checked, a failure shrunk and written out (sim/swarm/, docs/swarm.md).
 *
 * Seeds FIRST .. FIRST+N-1 (or as many as fit in --seconds) are shared
 * among -j worker processes, seed s to worker s mod j; each worker runs
 * its trials one after the other and stops at its first failure. The
 * parent waits for them all and, for the smallest failing seed, prints
 * the replay command, shrinks the scenario and writes the small one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/swarm/swarm.h"

struct swarm_args {
        unsigned long long seed, seeds, seconds, jobs, timeout, buggify;
        const char *file, *out;
        bool one_seed, no_shrink, quiet, print;
};

static int take_count(const char *value, void *out)
{
        return cli_parse_u64(value, out);
}

static int take_seed(const char *value, void *out)
{
        struct swarm_args *a = out;
        a->one_seed = true;
        return cli_parse_u64(value, &a->seed);
}

static int take_jobs(const char *value, void *out)
{
        unsigned long long *jobs = out;
        return cli_parse_u64(value, jobs) < 0 || *jobs == 0 || *jobs > 64 ? -1 : 0;
}

static double seconds_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void print_verdict(const struct swarm_verdict *v)
{
        fprintf(stderr, "  broken: %s\n", v->signature);
        const char *d = v->detail;
        for (int lines = 0; *d && lines < 12; lines++) {
                size_t n = strcspn(d, "\n");
                fprintf(stderr, "    %.*s\n", (int)n, d);
                d += n + (d[n] == '\n');
        }
}

/* A worker: its seeds in order until the count or the time, each checked
 * in this process (no fork per trial: a failure ends the worker). Before
 * each it writes "SEED s" on fd, at the end "DONE n"; the parent takes a
 * worker that ends without DONE to have failed at its last seed. */
static void worker(const struct swarm_args *a, unsigned w, double deadline, int fd)
{
        unsigned long long done = 0;
        for (unsigned long long s = a->seed + w;; s += a->jobs) {
                if (a->seconds ? seconds_now() >= deadline : s >= a->seed + a->seeds)
                        break;
                struct swarm_plan p;
                swarm_plan_generate(s, &p);
                dprintf(fd, "SEED %llu\n", s);
                alarm((unsigned)a->timeout);
                if (swarm_check(&p) < 0)
                        _exit(2);
                done++;
        }
        alarm(0);
        dprintf(fd, "DONE %llu\n", done);
        _exit(0);
}

/* Writes the shrunk plan of a failing seed and says how to replay it. */
static int report_failure(const struct swarm_args *a, unsigned long long seed)
{
        struct swarm_plan p;
        struct swarm_verdict v;
        swarm_plan_generate(seed, &p);
        if (swarm_trial(&p, (unsigned)a->timeout, &v) < 0)
                return CLI_FAILED;
        fprintf(stderr, "acsim swarm: seed %llu failed; replay: acsim swarm --seed %llu\n", seed,
                seed);
        print_verdict(&v);
        if (!v.failed) {
                fprintf(stderr, "acsim swarm: seed %llu passed when run again alone\n", seed);
                return CLI_FAILED;
        }
        if (a->no_shrink)
                return CLI_FAILED;
        size_t steps;
        size_t kept = swarm_shrink(&p, &v, (unsigned)a->timeout, &steps);
        char path[4096], replay[4200];
        snprintf(path, sizeof(path), "%s/swarm-%llu.yaml", a->out, seed);
        if (p.buggify)
                snprintf(replay, sizeof(replay), "acsim swarm --file %s --buggify %" PRIu64, path,
                         p.buggify);
        else
                snprintf(replay, sizeof(replay), "acsim swarm --file %s", path);
        char *text = swarm_plan_render(&p, replay);
        FILE *f = text ? fopen(path, "w") : NULL;
        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
                fprintf(stderr, "acsim swarm: %s: cannot write: %s\n", path, strerror(errno));
                free(text);
                return CLI_FAILED;
        }
        free(text);
        fprintf(stderr,
                "acsim swarm: shrunk in %zu steps (%zu kept) to %zu device%s, %zu class%s, "
                "%zu fault%s, %" PRIu64 " us: %s\n"
                "acsim swarm: replay: %s\n",
                steps, kept, p.ndevices, p.ndevices == 1 ? "" : "s", p.nclasses,
                p.nclasses == 1 ? "" : "es", p.nfaults, p.nfaults == 1 ? "" : "s", p.duration_us,
                path, replay);
        return CLI_FAILED;
}

/* --file: one scenario file, checked. */
static int replay_file(const struct swarm_args *a)
{
        FILE *f = fopen(a->file, "r");
        if (!f)
                return cli_usage_error("swarm", "%s: %s", a->file, strerror(errno));
        char *text = NULL;
        size_t len = 0, cap = 0;
        for (int c; (c = fgetc(f)) != EOF;) {
                if (len + 2 > cap) {
                        cap = cap ? 2 * cap : 4096;
                        char *t = realloc(text, cap);
                        if (!t) {
                                free(text);
                                fclose(f);
                                return CLI_FAILED;
                        }
                        text = t;
                }
                text[len++] = (char)c;
        }
        fclose(f);
        if (!text)
                return cli_usage_error("swarm", "%s: empty", a->file);
        text[len] = '\0';
        struct swarm_verdict v;
        int rc = swarm_trial_text(a->file, text, a->buggify, (unsigned)a->timeout, &v);
        free(text);
        if (rc < 0)
                return CLI_FAILED;
        if (!v.failed) {
                printf("%s: ok\n", a->file);
                return CLI_OK;
        }
        fprintf(stderr, "acsim swarm: %s failed\n", a->file);
        print_verdict(&v);
        return strcmp(v.signature, "load") == 0 ? CLI_USAGE : CLI_FAILED;
}

static int swarm_main(int argc, char **argv)
{
        struct swarm_args a = {.seed = 1, .seeds = 1000, .jobs = 1, .timeout = 20, .out = "."};
        const struct cli_option options[] = {
            {"--seed", .check = take_seed, .out = &a, .expected = "--seed: expected a number"},
            {"--seeds", "-n", .check = take_count, .out = &a.seeds,
             .expected = "--seeds: expected a number"},
            {"--seconds", .check = take_count, .out = &a.seconds,
             .expected = "--seconds: expected a number"},
            {"--jobs", "-j", .check = take_jobs, .out = &a.jobs, .expected = "-j: expected 1..64",
             .glued = true},
            {"--timeout", .check = take_count, .out = &a.timeout,
             .expected = "--timeout: expected a number of seconds"},
            {"--file", .value = &a.file},
            {"--buggify", .check = take_count, .out = &a.buggify,
             .expected = "--buggify: expected a number"},
            {"--output", "-o", .value = &a.out},
            {"--no-shrink", .flag = &a.no_shrink},
            {"--print", .flag = &a.print},
            {"--quiet", "-q", .flag = &a.quiet},
            {0},
        };
        const struct cli_operands operands = {NULL, 0, 0, "no operands (see --file)", ""};
        int rc = cli_parse("swarm", options, NULL, &operands, argc, argv);
        if (rc != CLI_OK)
                return rc;
        if (a.timeout == 0)
                return cli_usage_error("swarm", "--timeout: expected at least 1 s");
        if (a.file)
                return replay_file(&a);
        if (a.one_seed && !a.seconds && a.seeds == 1000)
                a.seeds = 1; /* --seed N alone replays seed N */
        if (a.print) {       /* the scenario of --seed, as the trial runs it */
                struct swarm_plan p;
                swarm_plan_generate(a.seed, &p);
                char replay[64];
                snprintf(replay, sizeof(replay), "acsim swarm --seed %llu", a.seed);
                char *text = swarm_plan_render(&p, replay);
                if (!text)
                        return CLI_FAILED;
                fputs(text, stdout);
                free(text);
                return CLI_OK;
        }
        if (a.seeds == 0 && !a.seconds)
                return cli_usage_error("swarm", "--seeds: expected at least 1");
        if (a.seed + a.seeds < a.seed)
                return cli_usage_error("swarm", "--seed + --seeds: too large");
        if (a.out && access(a.out, W_OK) != 0)
                return cli_usage_error("swarm", "-o %s: not a writable directory", a.out);

        double started = seconds_now(), deadline = started + (double)a.seconds;
        pid_t pids[64];
        int fds[64];
        unsigned jobs = (unsigned)a.jobs;
        for (unsigned w = 0; w < jobs; w++) {
                int pfd[2];
                if (pipe(pfd) < 0)
                        return CLI_FAILED;
                fflush(NULL);
                pids[w] = fork();
                if (pids[w] < 0)
                        return CLI_FAILED;
                if (pids[w] == 0) {
                        /* a failure is run again with its output caught */
                        int null = open("/dev/null", O_WRONLY);
                        if (null >= 0) {
                                dup2(null, STDOUT_FILENO);
                                dup2(null, STDERR_FILENO);
                                close(null);
                        }
                        close(pfd[0]);
                        worker(&a, w, deadline, pfd[1]);
                }
                close(pfd[1]);
                fds[w] = pfd[0];
        }
        unsigned long long trials = 0, failing = 0; /* trials begun */
        int failing_status = 0;                     /* how its worker ended */
        bool failed = false, broken = false;
        for (unsigned w = 0; w < jobs; w++) {
                FILE *f = fdopen(fds[w], "r");
                unsigned long long s = 0, last = 0, seen = 0;
                bool began = false, done = false;
                char line[128];
                while (f && fgets(line, sizeof(line), f)) {
                        if (sscanf(line, "SEED %llu", &s) == 1) {
                                last = s;
                                began = true;
                                seen++;
                        } else if (strncmp(line, "DONE ", 5) == 0) {
                                done = true;
                        }
                }
                if (f)
                        fclose(f);
                else
                        close(fds[w]);
                int status;
                while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
                        ;
                trials += seen;
                if (done && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                        continue;
                } else if (began) {
                        if (!failed || last < failing) {
                                failing = last;
                                failing_status = status;
                        }
                        failed = true;
                } else {
                        broken = true;
                }
        }
        if (!a.quiet || failed)
                fprintf(stderr, "acsim swarm: %llu trials from seed %llu in %.1f s, %s\n", trials,
                        a.seed, seconds_now() - started,
                        failed   ? "a failure"
                        : broken ? "a worker died"
                                 : "all held");
        if (failed) {
                if (WIFSIGNALED(failing_status))
                        fprintf(stderr, "acsim swarm: the worker at seed %llu died of signal %d\n",
                                failing, WTERMSIG(failing_status));
                else
                        fprintf(stderr, "acsim swarm: the worker at seed %llu ended with exit %d\n",
                                failing, WEXITSTATUS(failing_status));
                return report_failure(&a, failing);
        }
        return broken ? CLI_FAILED : CLI_OK;
}

CLI_COMMAND(swarm, "random whole scenarios, checked; failures shrunk",
            "Usage: acsim swarm [--seed N] [--seeds N | --seconds S] [-j N] [-o DIR]\n"
            "       acsim swarm --file SCENARIO.yaml [--buggify S]\n"
            "\n"
            "Generates a random scenario from each seed (whole features on or off:\n"
            "priorities, aging, affinity, flow order, chains up to 8 stages,\n"
            "fallback devices, hot add and remove, failures and faults of every mode,\n"
            "every balancer, tiny and huge rings and queues, the platform's fault\n"
            "points), runs it short twice with every invariant checked after each\n"
            "core entry point, and compares the two runs (docs/swarm.md).\n"
            "\n"
            "  --seed N       the first seed (default 1); alone, runs just that seed\n"
            "  --seeds N      how many seeds (default 1000)\n"
            "  --seconds S    run seeds for S seconds instead\n"
            "  -j N           worker processes (default 1)\n"
            "  --timeout S    seconds one trial may take (default 20)\n"
            "  -o DIR         where the shrunk scenario goes (default .)\n"
            "  --no-shrink    report a failing seed without shrinking it\n"
            "  --print        print the scenario of --seed and stop\n"
            "  --file F       check one scenario file (a shrunk one) instead\n"
            "  --buggify S    with --file: the fault points' seed it was shrunk with\n"
            "  -q, --quiet    print nothing when all holds\n"
            "\n"
            "A failing seed prints 'acsim swarm --seed N', then is shrunk to a small\n"
            "scenario that fails the same way, written as DIR/swarm-N.yaml.\n"
            "\n"
            "Exit status: 0 every trial held; 1 a failure; 2 bad usage.\n");
