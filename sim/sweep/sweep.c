/*
 * sim/sweep/sweep.c - the sweep plan and its points as jobs (sim/sweep/sweep.h).
 *
 * Layout: naming (short keys, labels, directory names), the plan, point
 * lists, the sweep directory check and its tidying, then running: one
 * point in this process, and the pool that forks a child per point, at
 * most `jobs` alive, and reaps them.
 *
 * The pool and interruption: while it runs, SIGINT, SIGTERM and SIGHUP
 * are caught; the handler sends SIGTERM to every worker alive and the pool
 * stops forking, reaps them all, removes what they left half-written and
 * returns, so that the command can die of the signal with no worker left
 * behind. The signals are blocked but around waitpid(), so a worker's pid
 * is in the table before the handler can look for it. A worker asks the
 * kernel for SIGTERM when its parent dies (PR_SET_PDEATHSIG), which covers
 * a SIGKILL of the sweep; in_place.c holds SIGTERM off while it renames,
 * so a point is in place whole or not at all, and its key (key.h) is
 * written only after it.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "sim/sweep/sweep.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "ac/error.h"
#include "sim/run/replicate.h"
#include "sim/results/in_place.h"
#include "sim/results/result_dir.h"
#include "sim/load/scenario_load.h"
#include "sim/sweep/key.h"
#include "sim/sweep/rounds.h"
#include "sim/sweep/saved.h"

#define PATH_CAP  4096 /* longest path handled, with its NUL */
#define LABEL_CAP 200  /* longest label part of a directory name */

/* ---- naming ---------------------------------------------------------------- */

/* Returns the start of the last m dot-separated components of key. */
static const char *key_tail(const char *key, size_t m)
{
        const char *s = key + strlen(key);
        while (s > key) {
                if (s[-1] == '.' && --m == 0)
                        return s;
                s--;
        }
        return key;
}

/* Returns the shortest tail of key k that no other key ends with. */
static const char *short_key(const struct scenario *s, size_t k)
{
        const char *key = s->sweep[k].key;
        for (size_t m = 1;; m++) {
                const char *tail = key_tail(key, m);
                if (tail == key)
                        return key;
                if (strspn(tail, "0123456789") == strlen(tail))
                        continue; /* "faults.0", not "0" */
                bool clash = false;
                for (size_t j = 0; j < s->nsweep && !clash; j++) {
                        const char *other = s->sweep[j].key;
                        size_t lo = strlen(other), lt = strlen(tail);
                        clash = j != k && lo >= lt && strcmp(other + lo - lt, tail) == 0 &&
                                (lo == lt || other[lo - lt - 1] == '.');
                }
                if (!clash)
                        return tail;
        }
}

/* Appends text to buf[cap] at *len, keeping only what file names should
 * hold: in a value, a trailing "/s" (rates) goes and characters outside
 * [A-Za-z0-9._+-] become '_' (in a key '=' and ',' stay too); runs of '_'
 * fold into one. */
static void append_clean(char *buf, size_t cap, size_t *len, const char *text, bool value)
{
        size_t n = strlen(text);
        if (value && n > 2 && strcmp(text + n - 2, "/s") == 0)
                n -= 2;
        for (size_t i = 0; i < n && *len + 1 < cap; i++) {
                char c = text[i];
                bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' ||
                            c == '-' || (!value && (c == '=' || c == ','));
                if (!keep)
                        c = '_';
                if (c == '_' && *len > 0 && buf[*len - 1] == '_')
                        continue;
                buf[(*len)++] = c;
        }
        buf[*len] = '\0';
}

static int name_point(struct sweep_plan *p, size_t point)
{
        const struct scenario *s = &p->base;
        struct sweep_point *pt = &p->points[point];
        int width = 3;
        for (size_t n = p->npoints - 1; n >= 1000; n /= 10)
                width++;
        size_t lcap = 64;
        for (size_t k = 0; k < s->nsweep; k++)
                lcap += strlen(s->sweep[k].key) + strlen(scenario_sweep_value(s, point, k)) + 2;
        pt->label = malloc(lcap);
        pt->dir = malloc(LABEL_CAP + 32);
        if (!pt->label || !pt->dir)
                return -1;
        size_t dlen = (size_t)snprintf(pt->dir, 32, "p%0*zu", width, point), llen = 0;
        pt->label[0] = '\0';
        char clean[LABEL_CAP + 1];
        size_t clen = 0;
        clean[0] = '\0';
        for (size_t k = 0; k < s->nsweep; k++) {
                const char *key = short_key(s, k);
                char v[LABEL_CAP + 1]; /* readable: a variant by its name (sim/load) */
                scenario_sweep_short(s, point, k, v, sizeof(v));
                llen += (size_t)snprintf(pt->label + llen, lcap - llen, "%s%s=%s", k ? "," : "",
                                         key, v);
                if (k)
                        append_clean(clean, sizeof(clean), &clen, ",", false);
                append_clean(clean, sizeof(clean), &clen, key, false);
                append_clean(clean, sizeof(clean), &clen, "=", false);
                append_clean(clean, sizeof(clean), &clen, v, true);
        }
        if (clen)
                snprintf(pt->dir + dlen, LABEL_CAP + 32 - dlen, "-%s", clean);
        return 0;
}

/* ---- the plan ---------------------------------------------------------------- */

void sweep_plan_free(struct sweep_plan *p)
{
        for (size_t i = 0; p->points && i < p->npoints; i++) {
                free(p->points[i].dir);
                free(p->points[i].label);
                free(p->points[i].policy);
        }
        free(p->points);
        if (p->base.prepared || p->base.name)
                scenario_free(&p->base);
        memset(p, 0, sizeof(*p));
}

int sweep_plan_load(struct sweep_plan *p, const char *path, const char *const *sets, size_t nsets,
                    bool has_seed, uint64_t seed, struct diag *dg)
{
        memset(p, 0, sizeof(*p));
        p->path = path;
        p->sets = sets;
        p->nsets = nsets;
        p->has_seed = has_seed;
        p->seed = seed;
        p->policy_key = SWEEP_NO_KEY;
        if (scenario_load(path, sets, nsets, dg, &p->base) != 0) {
                memset(&p->base, 0, sizeof(p->base));
                return -1;
        }
        if (has_seed)
                p->base.seed = seed;
        for (size_t k = 0; k < p->base.nsweep; k++)
                if (strcmp(p->base.sweep[k].key, SWEEP_POLICY_KEY) == 0)
                        p->policy_key = k;
        p->npoints = scenario_sweep_points(&p->base);
        p->points = calloc(p->npoints, sizeof(*p->points));
        if (p->points == NULL)
                goto nomem;
        for (size_t i = 0; i < p->npoints; i++) {
                if (name_point(p, i) < 0)
                        goto nomem;
                struct scenario sc;
                if (scenario_load_point_from(&p->base, path, sets, nsets, i, dg, &sc) != 0) {
                        sweep_plan_free(p);
                        return -1;
                }
                if (has_seed)
                        sc.seed = seed;
                p->points[i].seed = sc.seed;
                p->points[i].own_key = sweep_point_key(p, i, &sc);
                p->points[i].policy = strdup(sc.engine.policy ? sc.engine.policy : "");
                p->points[i].replications = sc.run.replications ? sc.run.replications : 1;
                p->points[i].cap = p->points[i].replications;
                if (sc.run.nprecision) { /* from the first batch to the cap (rounds.h) */
                        uint32_t cap = sc.run.max_replications;
                        uint32_t start = sc.run.replications > 2 ? sc.run.replications : 2;
                        p->points[i].replications = start < cap ? start : cap;
                        p->points[i].cap = cap;
                }
                p->points[i].duration_ns = sc.run.duration_ns;
                p->points[i].warmup_ns = sc.run.warmup_ns;
                scenario_free(&sc);
                if (p->points[i].policy == NULL)
                        goto nomem;
        }
        p->precise = p->base.run.nprecision > 0;
        sweep_plan_baseline(p, 0);
        return 0;
nomem:
        diag_add(dg, path, 0, 0, "sweep", "out of memory");
        sweep_plan_free(p);
        return -1;
}

void sweep_plan_baseline(struct sweep_plan *p, size_t baseline)
{
        p->baseline = p->policy_key == SWEEP_NO_KEY ? 0 : baseline;
        for (size_t i = 0; i < p->npoints; i++) {
                struct sweep_point *pt = &p->points[i];
                pt->key = pt->own_key;
                if (!p->precise || p->policy_key == SWEEP_NO_KEY)
                        continue;
                struct sweep_hash k;
                sweep_hash_init(&k);
                sweep_hash_text(&k, "acsim sweep precision baseline 1");
                sweep_hash_u64(&k, pt->own_key);
                sweep_hash_text(&k, p->base.sweep[p->policy_key].values[p->baseline]);
                pt->key = k.h;
        }
}

size_t sweep_group_size(const struct sweep_plan *p)
{
        return p->policy_key == SWEEP_NO_KEY ? 1 : p->base.sweep[p->policy_key].nvalues;
}

size_t sweep_group_member(const struct sweep_plan *p, size_t point, size_t m)
{
        return p->policy_key == SWEEP_NO_KEY ? point : sweep_point_with(p, point, p->policy_key, m);
}

size_t sweep_value_index(const struct sweep_plan *p, size_t key, const char *value)
{
        if (key >= p->base.nsweep)
                return SWEEP_NO_KEY;
        for (size_t i = 0; i < p->base.sweep[key].nvalues; i++)
                if (strcmp(p->base.sweep[key].values[i], value) == 0)
                        return i;
        /* a mapping by its short form: a policy variant by its name */
        for (size_t i = 0; i < p->base.sweep[key].nvalues; i++) {
                char name[256];
                if (p->base.sweep[key].values[i][0] != '{')
                        continue;
                int n = scenario_sweep_short(&p->base, sweep_point_with(p, 0, key, i), key, name,
                                             sizeof(name));
                if (n > 0 && (size_t)n < sizeof(name) && strcmp(name, value) == 0)
                        return i;
        }
        return SWEEP_NO_KEY;
}

/* Returns the distance between points that differ by one in key's index. */
static size_t stride(const struct sweep_plan *p, size_t key)
{
        size_t s = 1;
        for (size_t k = key + 1; k < p->base.nsweep; k++)
                s *= p->base.sweep[k].nvalues;
        return s;
}

size_t sweep_point_value(const struct sweep_plan *p, size_t point, size_t key)
{
        return point / stride(p, key) % p->base.sweep[key].nvalues;
}

size_t sweep_point_with(const struct sweep_plan *p, size_t point, size_t key, size_t value)
{
        size_t s = stride(p, key);
        return point - sweep_point_value(p, point, key) * s + value * s;
}

/* ---- point lists ------------------------------------------------------------- */

static int parse_index(const char **s, size_t *out)
{
        if (**s < '0' || **s > '9')
                return -1;
        size_t v = 0;
        while (**s >= '0' && **s <= '9') {
                if (v > SCENARIO_MAX_POINTS)
                        return -1;
                v = v * 10 + (size_t)(**s - '0');
                (*s)++;
        }
        *out = v;
        return 0;
}

int sweep_parse_points(const char *text, size_t npoints, bool *chosen, struct sim_error *e)
{
        const char *s = text;
        memset(chosen, 0, npoints * sizeof(*chosen));
        for (;;) {
                size_t lo, hi;
                if (parse_index(&s, &lo) < 0)
                        goto bad;
                hi = lo;
                if (*s == '-') {
                        s++;
                        if (parse_index(&s, &hi) < 0 || hi < lo)
                                goto bad;
                }
                if (hi >= npoints)
                        return sim_fail(e, -1, "--points: point %zu: the sweep has points 0..%zu",
                                        hi, npoints - 1);
                for (size_t i = lo; i <= hi; i++)
                        chosen[i] = true;
                if (*s == '\0')
                        return 0;
                if (*s++ != ',')
                        goto bad;
        }
bad:
        return sim_fail(e, -1, "--points: expected indices and ranges like 3,5-7, got '%s'", text);
}

/* ---- the sweep directory ----------------------------------------------------- */

/* Returns true for a name a sweep directory may hold. */
static bool sweep_entry(const char *name)
{
        if (name[0] == '.')
                return true; /* ".", "..", and the temporaries of atomic writes */
        if (strcmp(name, SWEEP_MANIFEST) == 0 || strcmp(name, SWEEP_CSV) == 0 ||
            strcmp(name, SWEEP_COMPARISON) == 0 || strcmp(name, SWEEP_SCENARIO) == 0 ||
            strcmp(name, SWEEP_KEYS) == 0 || strcmp(name, SWEEP_CLUSTER) == 0)
                return true;
        if (name[0] != 'p' || name[1] < '0' || name[1] > '9')
                return false;
        const char *s = name + 1;
        while (*s >= '0' && *s <= '9')
                s++;
        return *s == '\0' || *s == '-';
}

int sweep_dir_check(const char *out, struct sim_error *e)
{
        if (out[0] == '\0')
                return sim_fail(e, -1, "an empty output directory name");
        int there = in_place_dir_exists(out, e);
        if (there <= 0)
                return there;
        DIR *d = opendir(out);
        if (d == NULL)
                return sim_fail(e, -1, "%s: %s", out, strerror(errno));
        int rc = 0;
        struct dirent *ent;
        while ((ent = readdir(d)) != NULL) {
                if (!sweep_entry(ent->d_name)) {
                        rc = sim_fail(e, -1,
                                      "%s exists and is not a sweep directory (it holds %s); "
                                      "choose another with -o",
                                      out, ent->d_name);
                        break;
                }
        }
        closedir(d);
        return rc;
}

/* Removes a tree; for nftw. */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

/* Returns true when name is a temporary of in_place.c, ".NAME.tmp-XXXXXX"
 * or ".NAME.old-XXXXXX", for an entry this run may replace: any when
 * chosen is NULL, else a chosen point's directory (or its key). */
static bool leftover(const struct sweep_plan *p, const bool *chosen, const char *name)
{
        if (name[0] != '.')
                return false;
        const char *tmp = strstr(name, ".tmp-"), *old = strstr(name, ".old-");
        const char *end = tmp && (!old || tmp > old) ? tmp : old;
        if (end == NULL || end == name + 1)
                return false;
        if (chosen == NULL)
                return true;
        if (name[1] != 'p' || name[2] < '0' || name[2] > '9')
                return false;
        size_t point = strtoul(name + 2, NULL, 10);
        size_t len = (size_t)(end - (name + 1));
        return point < p->npoints && chosen[point] && strlen(p->points[point].dir) == len &&
               strncmp(p->points[point].dir, name + 1, len) == 0;
}

/* Removes from dir what interrupted writes left (see leftover()). */
static void tidy(const struct sweep_plan *p, const bool *chosen, const char *dir)
{
        DIR *d = opendir(dir);
        if (d == NULL)
                return;
        struct dirent *ent;
        while ((ent = readdir(d)) != NULL) {
                char path[PATH_CAP];
                if (leftover(p, chosen, ent->d_name) &&
                    snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name) < (int)sizeof(path))
                        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        }
        closedir(d);
}

void sweep_dir_tidy(const struct sweep_plan *p, const char *out, const bool *chosen)
{
        char keys[PATH_CAP];
        tidy(p, chosen, out);
        if (snprintf(keys, sizeof(keys), "%s/%s", out, SWEEP_KEYS) < (int)sizeof(keys))
                tidy(p, chosen, keys);
}

/* ---- running ------------------------------------------------------------------ */

int sweep_point_scenario(const struct sweep_plan *p, size_t point, struct diag *dg,
                         struct scenario *sc)
{
        if (scenario_load_point_from(&p->base, p->path, p->sets, p->nsets, point, dg, sc) != 0)
                return -1;
        if (p->has_seed)
                sc->seed = p->seed;
        return 0;
}

/* Fills *origin for point `point`: the command line's sets, then the
 * point's own value of every sweep key ("KEY=VALUE", as the file writes
 * it), so `acsim run` with these sets reproduces the point. Returns 0 or
 * AC_ENOMEM. */
static int point_origin(const struct sweep_plan *p, size_t point, const struct scenario *sc,
                        struct provenance *origin)
{
        const struct scenario *s = &p->base;
        char **own = calloc(s->nsweep ? s->nsweep : 1, sizeof(*own));
        int rc = own ? 0 : AC_ENOMEM;
        for (size_t k = 0; own && k < s->nsweep; k++) {
                const char *v = scenario_sweep_value(s, point, k);
                size_t len = strlen(s->sweep[k].key) + strlen(v) + 2;
                if ((own[k] = malloc(len)) == NULL) {
                        rc = AC_ENOMEM;
                        break;
                }
                snprintf(own[k], len, "%s=%s", s->sweep[k].key, v);
        }
        if (rc == 0)
                rc = provenance_fill(origin, p->path, sc, p->sets, p->nsets,
                                     (const char *const *)own, s->nsweep);
        for (size_t k = 0; own && k < s->nsweep; k++)
                free(own[k]);
        free(own);
        return rc;
}

/* Tells the hooks a reason for a failure. */
static void tell(const struct sweep_hooks *hooks, const struct sim_error *e)
{
        if (hooks && hooks->failed)
                hooks->failed(hooks->ctx, e);
}

enum sim_outcome sweep_run_point(const struct sweep_plan *p, const char *out, size_t point,
                                 const struct sweep_hooks *hooks)
{
        const struct sweep_point *pt = &p->points[point];
        struct diag dg;
        struct scenario sc;
        diag_init(&dg);
        if (sweep_point_scenario(p, point, &dg, &sc) != 0) {
                if (hooks && hooks->unloaded)
                        hooks->unloaded(hooks->ctx, &dg);
                diag_free(&dg);
                return SIM_BAD_INPUT;
        }
        diag_free(&dg);

        char dir[PATH_CAP];
        struct sim_error e, said;
        if (snprintf(dir, sizeof(dir), "%s/%s", out, pt->dir) >= (int)sizeof(dir)) {
                sim_fail(&said, 0, "%s/%s: path too long", out, pt->dir);
                tell(hooks, &said);
                scenario_free(&sc);
                return SIM_BAD_INPUT;
        }
        if (sweep_key_forget(p, out, point, &e) < 0) {
                tell(hooks, &e);
                scenario_free(&sc);
                return SIM_BAD_INPUT;
        }
        struct replications r;
        enum sim_outcome o =
            replications_run(&sc, 0, sc.run.replications ? sc.run.replications : 1, NULL, &r, &e);
        if (o != SIM_OK) {
                sim_fail(&said, 0, "%s: %s", pt->dir, e.msg);
                tell(hooks, &said);
                scenario_free(&sc);
                return o;
        }
        o = sweep_point_finish(p, out, point, &sc, &r, hooks);
        replications_free(&r);
        scenario_free(&sc);
        return o;
}

enum sim_outcome sweep_point_finish(const struct sweep_plan *p, const char *out, size_t point,
                                    const struct scenario *sc, struct replications *r,
                                    const struct sweep_hooks *hooks)
{
        const struct sweep_point *pt = &p->points[point];
        char dir[PATH_CAP];
        struct sim_error e, said;
        if (snprintf(dir, sizeof(dir), "%s/%s", out, pt->dir) >= (int)sizeof(dir)) {
                sim_fail(&said, 0, "%s/%s: path too long", out, pt->dir);
                tell(hooks, &said);
                return SIM_BAD_INPUT;
        }
        if (point_origin(p, point, sc, &r->origin) < 0) {
                sim_fail(&said, 0, "%s: out of memory", pt->dir);
                tell(hooks, &said);
                return SIM_FAILED;
        }
        enum sim_outcome o = replications_verdict(r, &e);
        if (o != SIM_OK) {
                sim_fail(&said, 0, "%s: %s", pt->dir, e.msg);
                tell(hooks, &said);
        }
        if (result_dir_write(dir, r, &e) < 0 ||
            sweep_key_record(p, out, point, (uint32_t)r->n, &e) < 0) {
                tell(hooks, &e);
                o = sim_outcome_worse(o, SIM_BAD_INPUT);
        }
        return o;
}

struct job {
        pid_t pid; /* 0 when the slot is free */
        size_t point;
};

/* What the signal handler sees of the pool running now. */
static struct job *volatile live_slots;
static volatile unsigned live_nslots;
static volatile sig_atomic_t caught; /* the signal that stopped the pool, or 0 */

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

/* Notes the signal and passes SIGTERM on to every worker alive. */
static void on_stop(int sig)
{
        int saved = errno;
        if (caught == 0)
                caught = sig;
        struct job *slot = live_slots;
        for (unsigned j = 0; slot && j < live_nslots; j++)
                if (slot[j].pid > 0)
                        kill(slot[j].pid, SIGTERM);
        errno = saved;
}

int sweep_interrupted(void)
{
        return caught;
}

/* Returns the outcome a point's worker carried in its exit status ws. */
static enum sim_outcome carried(int ws)
{
        if (WIFEXITED(ws) && WEXITSTATUS(ws) <= SIM_BAD_INPUT)
                return (enum sim_outcome)WEXITSTATUS(ws);
        return SIM_FAILED;
}

/* In a fresh worker: the signals back to their defaults and unblocked,
 * and SIGTERM when the sweep dies. Returns 0, or -1 when the sweep is
 * already gone. */
static int worker_start(pid_t parent, const sigset_t *old)
{
        for (size_t i = 0; i < NSTOP; i++)
                signal(stop_signals[i], SIG_DFL);
        sigprocmask(SIG_SETMASK, old, NULL);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
        return getppid() == parent ? 0 : -1;
}

/* Returns true when point is a job of this run: a chosen point (any
 * when chosen is NULL), or with a precise plan a group's first point
 * when any member of the group is chosen. */
static bool is_job(const struct sweep_plan *p, const bool *chosen, size_t point)
{
        if (!p->precise)
                return !chosen || chosen[point];
        if (sweep_group_member(p, point, 0) != point)
                return false;
        bool any = !chosen;
        for (size_t m = 0; m < sweep_group_size(p) && !any; m++)
                any = chosen[sweep_group_member(p, point, m)];
        return any;
}

/* Returns true when the job at point may be reused: the point, or every
 * point of its group, is there with the plan's key. */
static bool job_fresh(const struct sweep_plan *p, const char *out, size_t point)
{
        if (!p->precise)
                return sweep_key_fresh(p, out, point);
        for (size_t m = 0; m < sweep_group_size(p); m++)
                if (!sweep_key_fresh(p, out, sweep_group_member(p, point, m)))
                        return false;
        return true;
}

/* Starts point `point` in a worker in slot[j]. Returns 0, or -1 with the
 * reason told. Called with the stop signals blocked (old: the mask
 * before). */
static int start(const struct sweep_plan *p, const char *out, size_t point, unsigned threads,
                 struct job *slot, const sigset_t *old, const struct sweep_hooks *hooks)
{
        pid_t parent = getpid();
        fflush(NULL); /* a child must not write the parent's buffers again */
        pid_t pid = fork();
        if (pid < 0) {
                struct sim_error e;
                sim_fail(&e, 0, "fork: %s", strerror(errno));
                tell(hooks, &e);
                return -1;
        }
        if (pid == 0) {
                if (worker_start(parent, old) < 0)
                        _exit(SIM_FAILED);
                enum sim_outcome o = p->precise ? sweep_run_group(p, out, point, threads, hooks)
                                                : sweep_run_point(p, out, point, hooks);
                fflush(NULL);
                _exit((int)o); /* outcomes are numbered as exit statuses */
        }
        *slot = (struct job){pid, point};
        return 0;
}

enum sim_outcome sweep_run(const struct sweep_plan *p, const char *out, const bool *chosen,
                           unsigned jobs, bool reuse, size_t *reused,
                           const struct sweep_hooks *hooks)
{
        if (jobs == 0)
                jobs = 1;
        struct job *slot = calloc(jobs, sizeof(*slot));
        if (slot == NULL)
                return SIM_FAILED;
        size_t total = 0, finished = 0, next = 0, kept = 0;
        for (size_t i = 0; i < p->npoints; i++) {
                if (!is_job(p, chosen, i))
                        continue;
                if (reuse && job_fresh(p, out, i))
                        kept += p->precise ? sweep_group_size(p) : 1;
                else
                        total++;
        }
        /* a group's replications on threads, as many as the jobs leave */
        unsigned threads = total && jobs > total ? (unsigned)(jobs / total) : 1;
        if (reused)
                *reused = kept;
        sweep_dir_tidy(p, out, chosen);
        for (size_t i = 0; p->precise && !reuse && i < p->npoints; i++)
                if (!chosen || chosen[i]) /* run again from replication 0 */
                        sweep_saved_forget(p, out, i);

        sigset_t block, old;
        struct sigaction sa, was[NSTOP];
        sigemptyset(&block);
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_stop; /* no SA_RESTART: waitpid returns EINTR */
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < NSTOP; i++) {
                sigaddset(&block, stop_signals[i]);
                sigaddset(&sa.sa_mask, stop_signals[i]);
        }
        sigprocmask(SIG_BLOCK, &block, &old);
        caught = 0;
        live_slots = slot;
        live_nslots = jobs;
        for (size_t i = 0; i < NSTOP; i++)
                sigaction(stop_signals[i], &sa, &was[i]);

        enum sim_outcome status = SIM_OK;
        struct sim_error e;
        unsigned running = 0;
        bool stop = false;
        while (running > 0 || (!stop && next < p->npoints)) {
                while (!stop && !caught && running < jobs && next < p->npoints) {
                        size_t point = next++;
                        if (!is_job(p, chosen, point) || (reuse && job_fresh(p, out, point)))
                                continue;
                        unsigned j = 0;
                        while (slot[j].pid != 0)
                                j++;
                        if (start(p, out, point, threads, &slot[j], &old, hooks) < 0) {
                                status = sim_outcome_worse(status, SIM_FAILED);
                                stop = true;
                                break;
                        }
                        running++;
                }
                if (caught)
                        stop = true;
                if (running == 0)
                        break;
                int ws;
                sigprocmask(SIG_SETMASK, &old, NULL); /* a signal now runs on_stop */
                pid_t pid = waitpid(-1, &ws, 0);
                int werr = errno;
                sigprocmask(SIG_BLOCK, &block, NULL);
                if (pid < 0) {
                        if (werr == EINTR)
                                continue;
                        sim_fail(&e, 0, "wait: %s", strerror(werr));
                        tell(hooks, &e);
                        status = sim_outcome_worse(status, SIM_FAILED);
                        break;
                }
                unsigned j = 0;
                while (j < jobs && slot[j].pid != pid)
                        j++;
                if (j == jobs)
                        continue; /* not one of ours */
                enum sim_outcome o = carried(ws);
                if (WIFSIGNALED(ws) && !caught) {
                        sim_fail(&e, 0, "%s: killed by signal %d", p->points[slot[j].point].dir,
                                 WTERMSIG(ws));
                        tell(hooks, &e);
                }
                status = sim_outcome_worse(status, o);
                finished++;
                if (hooks && hooks->done && !caught)
                        hooks->done(hooks->ctx, slot[j].point, o, finished, total);
                slot[j].pid = 0;
                running--;
        }
        if (caught) {
                sweep_dir_tidy(p, out, chosen); /* what the stopped workers were writing */
                status = sim_outcome_worse(status, SIM_FAILED);
        }
        for (size_t i = 0; i < NSTOP; i++)
                sigaction(stop_signals[i], &was[i], NULL);
        live_slots = NULL;
        live_nslots = 0;
        sigprocmask(SIG_SETMASK, &old, NULL);
        free(slot);
        return status;
}
