/*
 * sim/load/scenario_load.c - the scenario schema: reads a doc tree into a struct
 * scenario, section by section, with located errors (sim/load/scenario_load.h).
 *
 * Layout: small readers for values the sections share (names, positive
 * durations, distributions); the sections in the order they depend on each
 * other (run, engine, devices, workload -- whose chains need the devices'
 * operations and whose priorities need the engine's levels --, faults,
 * sweep); then loading a file with its overrides, and the sweep's points.
 *
 * A reader returns like the doc getters: 0 read, 1 absent, -1 reported.
 * Only the keys that apply are asked for (a poisson arrival asks for `rate`
 * alone), so that the unknown-key check refuses the others with the list of
 * what would fit.
 */
#include "sim/load/scenario_load.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/doc.h"
#include "sim/run/results.h"
#include "sim/run/run.h"

#define MAX_COUNT        1024    /* devices made by one entry's count */
#define MAX_DEVICES      4096    /* devices after expansion */
#define MAX_LANES        65536   /* lanes of one device */
#define MAX_RING         1048576 /* ring slots of one device (preallocated) */
#define MAX_RING_ALL     2097152 /* ring slots of all devices: each ~170 B, preallocated */
#define MAX_QUEUE        1048576 /* software queue depth per device */
#define MAX_BACKLOG      16777216
#define MAX_CLIENTS      1048576
#define MAX_CHAIN        64 /* stages of a class chain: every request holds them all */
#define MAX_REPLICAS     1000
#define MAX_ARRIVALS     1e10         /* expected arrivals of a run, all replications */
#define MAX_SWEEP_VALUES 1000         /* values of all sweep lists: each is loaded alone */
#define MAX_SERIES_BYTES 2147483648.0 /* time series of all replications, in memory */
#define MAX_HELD_BYTES   4294967296.0 /* requests the engine can hold at once, in memory */
#define MAX_EPISODES     1e6          /* expected failure episodes of a replication */
#define MAX_TRACE        1000000000   /* run.trace_limit: requests traced per replication */
#define MAX_NAME         64           /* characters of a scenario, device or class name */
#define NO_POINT         SIZE_MAX
#define FLOW_TEXT_MAX    256

struct loader {
        struct doc *d;
        struct diag *dg;
        struct scenario *s;
        const char *path; /* the scenario file, for trace paths */
        bool oom;         /* a builder ran out of memory */
};

/* ---- shared readers ---------------------------------------------------- */

/* Returns true when the node reported nothing new since `mark`. */
static bool quiet_since(const struct loader *l, size_t mark)
{
        return l->dg->total == mark;
}

static void out_of_memory(struct loader *l, const struct doc_node *n)
{
        if (!l->oom)
                doc_error(n, "%s", "memory to hold it (out of memory)");
        l->oom = true;
}

/* A name that can be a directory or a column: letters, digits, '.', '_',
 * '-', not starting with '.'. */
static int read_name(struct doc_node *n, const char *key, enum doc_need need, const char **out)
{
        const char *s;
        int rc = doc_string(n, key, need, &s);
        if (rc != 0)
                return rc;
        size_t len = strlen(s);
        bool ok = len <= MAX_NAME && s[0] != '.';
        for (size_t i = 0; ok && i < len; i++) {
                char c = s[i];
                ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == '-';
        }
        if (!ok) {
                doc_error(key ? doc_get(n, key, DOC_OPTIONAL) : n,
                          "a name of letters, digits, '.', '_' and '-' (at most %d, not starting "
                          "with '.')",
                          MAX_NAME);
                return -1;
        }
        *out = s;
        return 0;
}

/* A duration of at least min_ns (0 or 1). */
static int read_duration(struct doc_node *n, const char *key, enum doc_need need, uint64_t min_ns,
                         uint64_t *out)
{
        uint64_t v;
        int rc = doc_duration(n, key, need, &v);
        if (rc != 0)
                return rc;
        if (v < min_ns) {
                doc_error(doc_get(n, key, DOC_OPTIONAL), "a duration above 0");
                return -1;
        }
        *out = v;
        return 0;
}

/* What the values of a distribution are. */
enum dist_unit {
        UNIT_TIME,   /* durations: service, think, mtbf, mttr */
        UNIT_SIZE,   /* sizes: a class's size */
        UNIT_NUMBER, /* plain numbers: jitter factors */
};

static const char *const unit_phrase[] = {"a duration", "a size", "a number"};

/* Reads one value of the distribution's unit, >= 0 (> 0 when positive).
 * key NULL reads n itself. */
static int read_value(struct doc_node *n, const char *key, enum doc_need need, enum dist_unit u,
                      bool positive, double *out)
{
        uint64_t w = 0;
        double x = 0;
        int rc;
        switch (u) {
        case UNIT_TIME:
                rc = doc_duration(n, key, need, &w);
                x = (double)w;
                break;
        case UNIT_SIZE:
                rc = doc_size(n, key, need, &w);
                x = (double)w;
                break;
        default:
                rc = doc_number(n, key, need, 0, INFINITY, &x);
                break;
        }
        if (rc != 0)
                return rc;
        if (positive && !(x > 0)) {
                doc_error(key ? doc_get(n, key, DOC_OPTIONAL) : n, "%s above 0", unit_phrase[u]);
                return -1;
        }
        *out = x;
        return 0;
}

/* The kinds in the order the `dist:` choice lists them; imix last, for
 * sizes only. */
static const char *const dist_names[] = {"constant", "exponential", "uniform", "lognormal", "gamma",
                                         "pareto",   "empirical",   "imix",    NULL};
static const char *const dist_names_no_imix[] = {
    "constant", "exponential", "uniform", "lognormal", "gamma", "pareto", "empirical", NULL};
static const enum dist_kind dist_kinds[] = {DIST_CONSTANT,  DIST_EXPONENTIAL, DIST_UNIFORM,
                                            DIST_LOGNORMAL, DIST_GAMMA,       DIST_PARETO,
                                            DIST_EMPIRICAL, DIST_IMIX};

static int read_empirical(struct loader *l, struct doc_node *m, enum dist_unit u, struct dist *out)
{
        size_t mark = l->dg->total;
        struct doc_node *values = doc_get_seq(m, "values", DOC_REQUIRED);
        struct doc_node *weights = doc_get_seq(m, "weights", DOC_OPTIONAL);
        if (!values)
                return -1;
        size_t n = doc_len(values);
        if (n == 0) {
                doc_error(values, "at least one value");
                return -1;
        }
        if (weights && doc_len(weights) != n) {
                doc_error(weights, "%zu weights, one for each value", n);
                return -1;
        }
        out->values = calloc(n, sizeof(*out->values));
        out->weights = weights ? calloc(n, sizeof(*out->weights)) : NULL;
        if (!out->values || (weights && !out->weights)) {
                out_of_memory(l, values);
                return -1;
        }
        out->n = n;
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
                read_value(doc_at(values, i), NULL, DOC_REQUIRED, u, false, &out->values[i]);
                if (weights && doc_number(doc_at(weights, i), NULL, DOC_REQUIRED, 0, INFINITY,
                                          &out->weights[i]) == 0)
                        sum += out->weights[i];
        }
        if (weights && quiet_since(l, mark) && !(sum > 0 && isfinite(sum))) {
                doc_error(weights, "weights with a finite sum above 0");
                return -1;
        }
        return quiet_since(l, mark) ? 0 : -1;
}

/* A distribution at key: a mapping {dist: KIND, ...}, or a single value
 * meaning a constant (an exponential of that mean when scalar_mean, as for
 * mtbf and mttr). Fills *out (freed first); returns 0, 1 or -1. */
static int read_dist(struct loader *l, struct doc_node *n, const char *key, enum doc_need need,
                     enum dist_unit u, bool scalar_mean, struct dist *out)
{
        size_t mark = l->dg->total;
        struct doc_node *v = doc_get(n, key, DOC_OPTIONAL);
        if (!v && quiet_since(l, mark) && need == DOC_REQUIRED) {
                /* Missing: said in the words of the unit. */
                double unused;
                read_value(n, key, DOC_REQUIRED, u, false, &unused);
        }
        if (!v)
                return quiet_since(l, mark) ? 1 : -1;
        dist_free(out);
        memset(out, 0, sizeof(*out));
        if (doc_kind(v) == DOC_SCALAR) {
                out->kind = scalar_mean ? DIST_EXPONENTIAL : DIST_CONSTANT;
                int rc = read_value(v, NULL, DOC_REQUIRED, u, scalar_mean, &out->a);
                if (rc == 0)
                        dist_prepare(out, NULL); /* a constant or a mean: always valid */
                return rc;
        }
        if (doc_kind(v) != DOC_MAP) {
                doc_error(v, "%s or a distribution like {dist: exponential, mean: %s}",
                          unit_phrase[u],
                          u == UNIT_TIME   ? "1us"
                          : u == UNIT_SIZE ? "1500B"
                                           : "1");
                return -1;
        }
        int kind;
        if (doc_choice(v, "dist", DOC_REQUIRED, u == UNIT_SIZE ? dist_names : dist_names_no_imix,
                       &kind) != 0)
                return -1;
        out->kind = dist_kinds[kind];
        switch (out->kind) {
        case DIST_CONSTANT:
                read_value(v, "value", DOC_REQUIRED, u, false, &out->a);
                break;
        case DIST_EXPONENTIAL:
                read_value(v, "mean", DOC_REQUIRED, u, true, &out->a);
                break;
        case DIST_UNIFORM:
                if (read_value(v, "min", DOC_REQUIRED, u, false, &out->a) == 0 &&
                    read_value(v, "max", DOC_REQUIRED, u, false, &out->b) == 0 && out->b < out->a)
                        doc_error(doc_get(v, "max", DOC_OPTIONAL), "a max of at least min (%s)",
                                  doc_text(doc_get(v, "min", DOC_OPTIONAL)));
                break;
        case DIST_LOGNORMAL:
        case DIST_GAMMA:
                read_value(v, "mean", DOC_REQUIRED, u, true, &out->a);
                if (doc_number(v, "cv", DOC_REQUIRED, 0, INFINITY, &out->b) == 0 && out->b <= 0)
                        doc_error(doc_get(v, "cv", DOC_OPTIONAL), "a cv above 0");
                break;
        case DIST_PARETO:
                read_value(v, "mean", DOC_REQUIRED, u, true, &out->a);
                if (doc_number(v, "alpha", DOC_REQUIRED, 0, INFINITY, &out->b) == 0 && out->b <= 1)
                        doc_error(doc_get(v, "alpha", DOC_OPTIONAL),
                                  "an alpha above 1 (a finite mean)");
                break;
        case DIST_EMPIRICAL:
                read_empirical(l, v, u, out);
                break;
        case DIST_IMIX:
                break;
        }
        doc_check_keys(v);
        if (!quiet_since(l, mark))
                return -1;
        const char *why = NULL;
        if (dist_prepare(out, &why) < 0) {
                doc_error(v, "a valid distribution (%s)", why ? why : "?");
                return -1;
        }
        return 0;
}

/* ---- run ------------------------------------------------------------- */

static void read_run(struct loader *l, struct doc_node *root)
{
        struct scenario_run *r = &l->s->run;
        struct doc_node *run = doc_get_map(root, "run", DOC_OPTIONAL);
        uint64_t reps = r->replications;
        read_duration(run, "duration", DOC_OPTIONAL, 1, &r->duration_ns);
        if (read_duration(run, "warmup", DOC_OPTIONAL, 0, &r->warmup_ns) == 0 &&
            r->warmup_ns >= r->duration_ns)
                doc_error(doc_get(run, "warmup", DOC_OPTIONAL),
                          "a warm-up shorter than run.duration (%s)",
                          doc_text(doc_get(run, "duration", DOC_OPTIONAL))
                              ? doc_text(doc_get(run, "duration", DOC_OPTIONAL))
                              : "1s, the default");
        if (doc_whole(run, "replications", DOC_OPTIONAL, 1, MAX_REPLICAS, &reps) == 0)
                r->replications = (uint32_t)reps;
        if (read_duration(run, "sample", DOC_OPTIONAL, 1, &r->sample_ns) == 0 &&
            r->sample_ns > r->duration_ns)
                doc_error(doc_get(run, "sample", DOC_OPTIONAL),
                          "a sample interval no longer than run.duration");
        read_duration(run, "drain", DOC_OPTIONAL, 1, &r->drain_cap_ns);
        doc_bool(run, "trace", DOC_OPTIONAL, &r->trace);
        doc_whole(run, "trace_limit", DOC_OPTIONAL, 1, MAX_TRACE, &r->trace_limit);
        doc_check_keys(run);
}

/* The longest run acsim takes: the end of arrivals plus the drain cap must
 * stay below this, so that no sum of simulated times (the end of the
 * drain, a sample interval rounded up) can wrap round 2^64. */
#define RUN_END_MAX (UINT64_MAX / 2)

/* a + b, or UINT64_MAX when it does not fit. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Checks that run.duration plus the drain cap ends below RUN_END_MAX; the
 * cap is run.drain, else sim_run_drain_cap's default, the larger of 1 s and
 * 4 x (retries + 1) x (timeout + probe), computed here without wrapping. */
static void check_run_end(struct doc_node *root, const struct scenario *s)
{
        struct doc_node *run = doc_get_map(root, "run", DOC_OPTIONAL);
        const struct ac_failover_config *f = &s->engine.failover;
        uint64_t cap = s->run.drain_cap_ns;
        if (cap == 0) {
                uint64_t per = add_sat(f->timeout_ns, f->probe_ns);
                uint64_t times = 4 * ((uint64_t)f->retries + 1);
                cap = per > UINT64_MAX / times ? UINT64_MAX : per * times;
                if (cap < 1000000000u)
                        cap = 1000000000u;
        }
        if (add_sat(s->run.duration_ns, cap) < RUN_END_MAX)
                return;
        /* Point at what made it long: run.drain, else the larger of the
         * failover times when the default cap is above 1 s, else the
         * duration. */
        struct doc_node *at = doc_get(run, "drain", DOC_OPTIONAL);
        if (at == NULL && cap > 1000000000u) {
                struct doc_node *fo = doc_get_map(doc_get_map(root, "engine", DOC_OPTIONAL),
                                                  "failover", DOC_OPTIONAL);
                at = doc_get(fo, f->probe_ns > f->timeout_ns ? "probe" : "timeout", DOC_OPTIONAL);
        }
        if (at == NULL)
                at = doc_get(run, "duration", DOC_OPTIONAL);
        doc_error(at ? at : root,
                  "run.duration plus the drain cap (run.drain, else 4 x (retries + 1) x "
                  "(timeout + probe) of engine.failover) below 2^63 ns (about 292 years)");
}

/* ---- engine ---------------------------------------------------------- */

static void read_policy_options(struct loader *l, struct doc_node *engine,
                                const struct ac_balancer_ops *bal)
{
        struct doc_node *opts = doc_get_map(engine, "policy_options", DOC_OPTIONAL);
        for (size_t i = 0; i < doc_len(opts); i++) {
                const char *key = doc_key_at(opts, i);
                struct doc_node *v = doc_at(opts, i);
                if (doc_kind(v) != DOC_SCALAR || doc_is_null(v)) {
                        doc_error(v, "a single value (a number or a word)");
                        continue;
                }
                if (bal) {
                        bool known = false;
                        char list[256] = "";
                        size_t len = 0;
                        for (const struct ac_option_spec *o = bal->options; o && o->key; o++) {
                                known = known || strcmp(o->key, key) == 0;
                                len += (size_t)snprintf(list + len,
                                                        len < sizeof(list) ? sizeof(list) - len : 0,
                                                        "%s%s", len ? ", " : "", o->key);
                                if (len >= sizeof(list))
                                        len = sizeof(list) - 1;
                        }
                        if (!known) {
                                doc_error_key(v, "an option %s knows (%s)", bal->name,
                                              list[0] ? list : "it takes none");
                                continue;
                        }
                }
                if (scenario_set_option(l->s, key, doc_text(v)) < 0)
                        out_of_memory(l, v);
        }
}

static void read_engine(struct loader *l, struct doc_node *root)
{
        struct scenario_engine *e = &l->s->engine;
        struct doc_node *engine = doc_get_map(root, "engine", DOC_OPTIONAL);
        const char *names[64];
        size_t nb = 0;
        for (; ac_balancers[nb] && nb + 1 < sizeof(names) / sizeof(names[0]); nb++)
                names[nb] = ac_balancers[nb]->name;
        names[nb] = NULL;
        int pick;
        const struct ac_balancer_ops *bal = ac_balancer_find(e->policy);
        int rc = doc_choice(engine, "policy", DOC_OPTIONAL, names, &pick);
        if (rc < 0)
                bal = NULL; /* options cannot be judged */
        if (rc == 0) {
                bal = ac_balancers[pick];
                if (scenario_set_text(&e->policy, bal->name) < 0)
                        out_of_memory(l, engine);
        }
        read_policy_options(l, engine, bal);
        uint64_t u;
        struct doc_node *q = doc_get_map(engine, "queue", DOC_OPTIONAL);
        if (doc_whole(q, "depth", DOC_OPTIONAL, 1, MAX_QUEUE, &u) == 0)
                e->queue_depth = (uint32_t)u;
        if (doc_whole(q, "backlog", DOC_OPTIONAL, 0, MAX_BACKLOG, &u) == 0)
                e->backlog = (uint32_t)u;
        doc_check_keys(q);
        struct doc_node *p = doc_get_map(engine, "priority", DOC_OPTIONAL);
        if (doc_whole(p, "levels", DOC_OPTIONAL, 1, AC_MAX_LEVELS, &u) == 0)
                e->levels = (uint32_t)u;
        read_duration(p, "aging", DOC_OPTIONAL, 0, &e->aging_ns);
        doc_check_keys(p);
        struct doc_node *f = doc_get_map(engine, "failover", DOC_OPTIONAL);
        read_duration(f, "timeout", DOC_OPTIONAL, 0, &e->failover.timeout_ns);
        if (doc_whole(f, "retries", DOC_OPTIONAL, 0, 1000, &u) == 0)
                e->failover.retries = (uint32_t)u;
        if (doc_whole(f, "errors_to_fail", DOC_OPTIONAL, 1, 1000000, &u) == 0)
                e->failover.errors_to_fail = (uint32_t)u;
        read_duration(f, "probe", DOC_OPTIONAL, 0, &e->failover.probe_ns);
        read_duration(f, "drain", DOC_OPTIONAL, 0, &e->failover.drain_ns);
        doc_check_keys(f);
        doc_bool(engine, "affinity", DOC_OPTIONAL, &e->affinity);
        doc_bool(engine, "flow_order", DOC_OPTIONAL, &e->flow_order);
        doc_check_keys(engine);
}

/* ---- devices --------------------------------------------------------- */

static void read_op(struct loader *l, struct doc_node *ops, size_t i, size_t dev)
{
        const char *name = doc_key_at(ops, i);
        struct doc_node *m = doc_at(ops, i);
        if (doc_kind(m) != DOC_MAP) {
                doc_error(m, "{setup: 1us, rate: 5GB/s} or {service: DIST}");
                return;
        }
        if (!name[0]) {
                doc_error(m, "an operation with a name");
                return;
        }
        struct device_op_config *op = scenario_device_add_op(&l->s->devices[dev], name);
        if (!op) {
                out_of_memory(l, m);
                return;
        }
        bool service = doc_get(m, "service", DOC_OPTIONAL) != NULL;
        if (service) {
                op->has_service = true;
                read_dist(l, m, "service", DOC_REQUIRED, UNIT_TIME, false, &op->service);
                doc_check_keys(m);
                return;
        }
        uint64_t setup = 0;
        double rate = 0;
        int rs = read_duration(m, "setup", DOC_OPTIONAL, 0, &setup);
        int rr = doc_byte_rate(m, "rate", DOC_OPTIONAL, &rate);
        if (rs == 1 && rr == 1)
                doc_error(m, "a cost: setup and rate, or service");
        op->setup_ns = (double)setup;
        op->rate = rate / 1e9; /* bytes per ns */
        op->has_jitter =
            read_dist(l, m, "jitter", DOC_OPTIONAL, UNIT_NUMBER, false, &op->jitter) == 0;
        doc_check_keys(m);
}

static const char *const failure_modes[] = {"fail-stop", "hang", "slow", "flaky", NULL};
static const enum device_fault_mode failure_kinds[] = {DEVICE_FAULT_FAIL_STOP, DEVICE_FAULT_HANG,
                                                       DEVICE_FAULT_SLOW, DEVICE_FAULT_FLAKY};

/* The parameters of a slow or flaky fault or failure. */
static void read_mode_params(struct doc_node *m, enum device_fault_mode mode, double *factor,
                             double *probability)
{
        if (mode == DEVICE_FAULT_SLOW)
                doc_number(m, "factor", DOC_REQUIRED, 1, 1e9, factor);
        if (mode == DEVICE_FAULT_FLAKY)
                doc_number(m, "probability", DOC_REQUIRED, 0, 1, probability);
}

static void read_failures(struct loader *l, struct doc_node *dn, size_t dev)
{
        struct doc_node *seq = doc_get_seq(dn, "failures", DOC_OPTIONAL);
        for (size_t i = 0; i < doc_len(seq); i++) {
                struct doc_node *m = doc_get_map(doc_at(seq, i), NULL, DOC_REQUIRED);
                if (!m)
                        continue;
                struct device_failure_config *f = scenario_device_add_failure(&l->s->devices[dev]);
                if (!f) {
                        out_of_memory(l, m);
                        return;
                }
                int mode;
                if (doc_choice(m, "mode", DOC_REQUIRED, failure_modes, &mode) != 0)
                        continue;
                f->mode = failure_kinds[mode];
                read_mode_params(m, f->mode, &f->factor, &f->probability);
                if (f->mode != DEVICE_FAULT_FLAKY) {
                        read_dist(l, m, "mtbf", DOC_REQUIRED, UNIT_TIME, true, &f->ttf);
                        read_dist(l, m, "mttr", DOC_REQUIRED, UNIT_TIME, true, &f->ttr);
                }
                doc_check_keys(m);
        }
}

static void read_device(struct loader *l, struct doc_node *dn)
{
        const char *name = NULL;
        if (read_name(dn, "name", DOC_REQUIRED, &name) != 0)
                name = "?";
        size_t dev = l->s->ndevices;
        struct scenario_device *d = scenario_add_device(l->s, name);
        if (!d) {
                out_of_memory(l, dn);
                return;
        }
        uint64_t u;
        if (doc_whole(dn, "count", DOC_OPTIONAL, 1, MAX_COUNT, &u) == 0)
                d->count = (uint32_t)u;
        d->model.lanes = 1;
        if (doc_whole(dn, "lanes", DOC_OPTIONAL, 1, MAX_LANES, &u) == 0)
                d->model.lanes = (uint32_t)u;
        d->model.ring = d->model.lanes;
        if (doc_whole(dn, "ring", DOC_OPTIONAL, 1, MAX_RING, &u) == 0)
                d->model.ring = (uint32_t)u;
        doc_bool(dn, "fallback", DOC_OPTIONAL, &d->fallback);
        read_duration(dn, "attach", DOC_OPTIONAL, 1, &d->attach_ns);
        d->weight = 1;
        if (doc_whole(dn, "weight", DOC_OPTIONAL, 1, 1000000, &u) == 0)
                d->weight = (uint32_t)u;
        struct doc_node *ops = doc_get_map(dn, "ops", DOC_REQUIRED);
        if (ops && doc_len(ops) == 0)
                doc_error(ops, "at least one operation, like {aes-gcm-enc: {setup: 1us, rate: "
                               "5GB/s}}");
        for (size_t i = 0; i < doc_len(ops); i++)
                read_op(l, ops, i, dev);
        read_failures(l, dn, dev);
        doc_check_keys(dn);
}

/* Returns the number of expanded devices of the first n entries. */
static size_t devices_before(const struct scenario *s, size_t n)
{
        size_t total = 0;
        for (size_t i = 0; i < n && i < s->ndevices; i++)
                total += s->devices[i].count;
        return total;
}

/* Checks that expanded device names are unique and few enough. */
static void check_device_names(struct loader *l, struct doc_node *seq)
{
        size_t total = 0;
        for (size_t i = 0; i < l->s->ndevices; i++) {
                total += l->s->devices[i].count;
                if (total > MAX_DEVICES) {
                        doc_error(doc_get(doc_at(seq, i), "count", DOC_OPTIONAL)
                                      ? doc_get(doc_at(seq, i), "count", DOC_OPTIONAL)
                                      : doc_at(seq, i),
                                  "at most %d devices in all", MAX_DEVICES);
                        return;
                }
        }
        uint64_t slots = 0;
        for (size_t i = 0; i < l->s->ndevices; i++) {
                const struct scenario_device *d = &l->s->devices[i];
                slots += (uint64_t)d->count * d->model.ring;
                if (slots <= MAX_RING_ALL)
                        continue;
                /* Point at what made it big: the ring, else the lanes it
                 * defaults to, else the count. */
                struct doc_node *dn = doc_at(seq, i), *at = doc_get(dn, "ring", DOC_OPTIONAL);
                if (!at)
                        at = doc_get(dn, "lanes", DOC_OPTIONAL);
                if (!at)
                        at = doc_get(dn, "count", DOC_OPTIONAL);
                doc_error(at ? at : dn,
                          "at most %d ring slots over all devices, count x ring (each is "
                          "preallocated; devices[%zu] brings them to %llu)",
                          MAX_RING_ALL, i, (unsigned long long)slots);
                return;
        }
        char a[MAX_NAME + 16], b[MAX_NAME + 16];
        for (size_t i = 0, k = 0; i < l->s->ndevices; i++) {
                for (size_t c = 0; c < l->s->devices[i].count; c++, k++) {
                        scenario_device_expand(l->s, k, a, sizeof(a));
                        for (size_t j = 0, m = 0; m < k; m++) {
                                while (m >= devices_before(l->s, j + 1))
                                        j++;
                                scenario_device_expand(l->s, m, b, sizeof(b));
                                if (strcmp(a, b) != 0)
                                        continue;
                                const struct scenario_device *o = &l->s->devices[j];
                                if (o->count > 1)
                                        doc_error(doc_get(doc_at(seq, i), "name", DOC_OPTIONAL),
                                                  "a device name of its own (devices[%zu] with "
                                                  "count %u makes %s0 .. %s%u)",
                                                  j, (unsigned)o->count, o->model.name,
                                                  o->model.name, (unsigned)o->count - 1);
                                else
                                        doc_error(doc_get(doc_at(seq, i), "name", DOC_OPTIONAL),
                                                  "a device name of its own (devices[%zu] has "
                                                  "it)",
                                                  j);
                                return;
                        }
                }
        }
}

static void read_devices(struct loader *l, struct doc_node *root)
{
        struct doc_node *seq = doc_get_seq(root, "devices", DOC_REQUIRED);
        if (seq && doc_len(seq) == 0)
                doc_error(seq, "at least one device");
        size_t mark = l->dg->total;
        for (size_t i = 0; i < doc_len(seq); i++) {
                struct doc_node *dn = doc_get_map(doc_at(seq, i), NULL, DOC_REQUIRED);
                if (dn)
                        read_device(l, dn);
        }
        if (quiet_since(l, mark))
                check_device_names(l, seq);
}

/* ---- workload -------------------------------------------------------- */

/* Returns true when some device declares op. */
static bool op_declared(const struct scenario *s, const char *op)
{
        for (size_t i = 0; i < s->ndevices; i++)
                for (size_t k = 0; k < s->devices[i].model.nops; k++)
                        if (strcmp(s->devices[i].model.ops[k].name, op) == 0)
                                return true;
        return false;
}

/* Lists the operations the devices declare, each once. */
static void list_ops(const struct scenario *s, char *buf, size_t cap)
{
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < s->ndevices; i++) {
                for (size_t k = 0; k < s->devices[i].model.nops; k++) {
                        const char *op = s->devices[i].model.ops[k].name;
                        bool seen = false;
                        for (size_t j = 0; j <= i && !seen; j++)
                                for (size_t m = 0; m < s->devices[j].model.nops && !seen; m++) {
                                        if (j == i && m == k)
                                                break;
                                        seen = strcmp(s->devices[j].model.ops[m].name, op) == 0;
                                }
                        if (seen)
                                continue;
                        int w = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", op);
                        if (w < 0 || (size_t)w >= cap - len)
                                return;
                        len += (size_t)w;
                }
        }
}

static void read_chain(struct loader *l, struct doc_node *cn, size_t cls)
{
        struct doc_node *seq = doc_get_seq(cn, "chain", DOC_REQUIRED);
        size_t n = doc_len(seq);
        if (seq && n == 0) {
                doc_error(seq, "at least one operation, like [aes-gcm-enc]");
                return;
        }
        if (n > MAX_CHAIN) {
                doc_error(seq, "a chain of at most %d stages (it has %zu)", MAX_CHAIN, n);
                return;
        }
        const char **ops = calloc(n ? n : 1, sizeof(*ops));
        if (!ops) {
                out_of_memory(l, seq);
                return;
        }
        bool ok = true;
        for (size_t i = 0; i < n; i++) {
                struct doc_node *it = doc_at(seq, i);
                if (doc_string(it, NULL, DOC_REQUIRED, &ops[i]) != 0) {
                        ok = false;
                        continue;
                }
                if (!op_declared(l->s, ops[i])) {
                        char list[512];
                        list_ops(l->s, list, sizeof(list));
                        doc_error(it, "an operation some device declares (%s)", list);
                        ok = false;
                }
        }
        if (ok && scenario_class_set_chain(&l->s->classes[cls], ops, n) < 0)
                out_of_memory(l, seq);
        free(ops);
}

static const char *const processes[] = {"poisson", "constant", "on-off", "closed", "trace", NULL};
static const enum arrival_process process_kinds[] = {ARRIVAL_POISSON, ARRIVAL_CONSTANT,
                                                     ARRIVAL_ONOFF, ARRIVAL_CLOSED, ARRIVAL_TRACE};

/* rate_off: an event rate, or 0 for silence while off. */
static void read_rate_off(struct doc_node *a, double *out)
{
        struct doc_node *v = doc_get(a, "rate_off", DOC_OPTIONAL);
        const char *t = doc_text(v);
        if (t && (strcmp(t, "0") == 0 || strcmp(t, "0/s") == 0)) {
                *out = 0;
                return;
        }
        doc_event_rate(a, "rate_off", DOC_OPTIONAL, out);
}

/* Joins a trace file's path to the scenario's directory unless absolute. */
static char *trace_path(const char *scenario, const char *file)
{
        const char *slash = strrchr(scenario, '/');
        size_t dlen = file[0] == '/' || !slash ? 0 : (size_t)(slash - scenario) + 1;
        size_t flen = strlen(file);
        char *p = malloc(dlen + flen + 1);
        if (p) {
                memcpy(p, scenario, dlen);
                memcpy(p + dlen, file, flen + 1);
        }
        return p;
}

static void read_arrival(struct loader *l, struct doc_node *cn, size_t cls)
{
        struct workload_class_config *c = &l->s->classes[cls];
        struct arrival_config *a = &c->arrival;
        struct doc_node *m = doc_get_map(cn, "arrival", DOC_REQUIRED);
        int p;
        if (doc_choice(m, "process", DOC_REQUIRED, processes, &p) != 0)
                return;
        a->process = process_kinds[p];
        uint64_t u;
        switch (a->process) {
        case ARRIVAL_POISSON:
        case ARRIVAL_CONSTANT:
                doc_event_rate(m, "rate", DOC_REQUIRED, &a->rate);
                break;
        case ARRIVAL_ONOFF:
                doc_event_rate(m, "rate_on", DOC_REQUIRED, &a->rate_on);
                read_rate_off(m, &a->rate_off);
                if (read_duration(m, "on", DOC_REQUIRED, 1, &u) == 0)
                        a->mean_on_ns = (double)u;
                if (read_duration(m, "off", DOC_REQUIRED, 1, &u) == 0)
                        a->mean_off_ns = (double)u;
                break;
        case ARRIVAL_CLOSED:
                if (doc_whole(m, "clients", DOC_REQUIRED, 1, MAX_CLIENTS, &u) == 0)
                        a->clients = (uint32_t)u;
                if (read_dist(l, m, "think", DOC_OPTIONAL, UNIT_TIME, false, &a->think) == 1) {
                        a->think.kind = DIST_CONSTANT; /* no think time */
                        a->think.a = 0;
                        dist_prepare(&a->think, NULL);
                }
                break;
        case ARRIVAL_TRACE: {
                const char *file;
                if (doc_string(m, "file", DOC_REQUIRED, &file) != 0)
                        break;
                char *path = trace_path(l->path, file);
                if (!path) {
                        out_of_memory(l, m);
                        break;
                }
                a->file = path;
                char err[512];
                if (trace_load(path, c->name, &a->trace, err, sizeof(err)) < 0) {
                        /* Say the file as written, not as joined. */
                        size_t plen = strlen(path);
                        const char *why = strncmp(err, path, plen) == 0 ? err + plen : err;
                        doc_error(doc_get(m, "file", DOC_OPTIONAL),
                                  "a trace file of time,size[,class] rows (%s%s)", file, why);
                } else if (a->trace.n == 0)
                        doc_error(doc_get(m, "file", DOC_OPTIONAL),
                                  "a trace file with rows for class %s (it has none)", c->name);
                break;
        }
        }
        doc_check_keys(m);
}

static void read_class(struct loader *l, struct doc_node *cn)
{
        const char *name = NULL;
        if (read_name(cn, "name", DOC_REQUIRED, &name) != 0)
                name = "?";
        for (size_t i = 0; i < l->s->nclasses && strcmp(name, "?") != 0; i++)
                if (strcmp(l->s->classes[i].name, name) == 0)
                        doc_error(doc_get(cn, "name", DOC_OPTIONAL),
                                  "a class name of its own (workload[%zu] has it)", i);
        size_t cls = l->s->nclasses;
        struct workload_class_config *c = scenario_add_class(l->s, name);
        if (!c) {
                out_of_memory(l, cn);
                return;
        }
        read_arrival(l, cn, cls);
        if (c->arrival.process == ARRIVAL_TRACE) {
                struct doc_node *size = doc_get(cn, "size", DOC_OPTIONAL);
                if (size)
                        doc_error(size, "no size for a trace (its rows give the sizes)");
        } else {
                read_dist(l, cn, "size", DOC_REQUIRED, UNIT_SIZE, false, &c->size);
        }
        read_chain(l, cn, cls);
        uint64_t u;
        if (doc_whole(cn, "priority", DOC_OPTIONAL, 0, UINT8_MAX, &u) == 0) {
                if (u >= l->s->engine.levels)
                        doc_error(doc_get(cn, "priority", DOC_OPTIONAL),
                                  "a priority below engine.priority.levels (%u), 0 the most "
                                  "urgent",
                                  (unsigned)l->s->engine.levels);
                else
                        c->priority = (uint8_t)u;
        }
        if (doc_whole(cn, "flows", DOC_OPTIONAL, 1, UINT32_MAX, &u) == 0)
                c->flows = (uint32_t)u;
        static const char *const picks[] = {"uniform", "round-robin", NULL};
        int pick;
        if (doc_choice(cn, "flow_pick", DOC_OPTIONAL, picks, &pick) == 0)
                c->flow_pick = pick ? FLOW_ROUND_ROBIN : FLOW_UNIFORM;
        doc_check_keys(cn);
}

static void read_workload(struct loader *l, struct doc_node *root)
{
        struct doc_node *seq = doc_get_seq(root, "workload", DOC_REQUIRED);
        if (seq && doc_len(seq) == 0)
                doc_error(seq, "at least one workload class");
        for (size_t i = 0; i < doc_len(seq); i++) {
                struct doc_node *cn = doc_get_map(doc_at(seq, i), NULL, DOC_REQUIRED);
                if (cn)
                        read_class(l, cn);
        }
}

/* ---- how much a run simulates --------------------------------------- */

/* Returns the mean time (ns) of op on a device entry at the mean size, or
 * -1 when the entry does not declare op. */
static double op_mean_ns(const struct scenario_device *d, const char *op, double bytes)
{
        for (size_t k = 0; k < d->model.nops; k++) {
                const struct device_op_config *o = &d->model.ops[k];
                if (strcmp(o->name, op) != 0)
                        continue;
                if (o->has_service)
                        return dist_mean(&o->service);
                double t = o->setup_ns + (o->rate > 0 ? bytes / o->rate : 0);
                return o->has_jitter ? t * dist_mean(&o->jitter) : t;
        }
        return -1;
}

/* Returns the largest value d can draw: infinite for the unbounded kinds. */
static double dist_max(const struct dist *d)
{
        double m = 0;
        switch (d->kind) {
        case DIST_CONSTANT:
                return d->a;
        case DIST_UNIFORM:
                return d->b;
        case DIST_EMPIRICAL:
                for (size_t i = 0; i < d->n; i++)
                        m = fmax(m, d->values[i]);
                return m;
        case DIST_IMIX:
                return 1500;
        default:
                return INFINITY;
        }
}

/* Returns true when the watchdog may fail a healthy device: some stage may
 * stay on it longer than engine.failover.timeout, its own service (at the
 * largest size of the closed classes) after the ring ahead of it. */
static bool watchdog_may_fire(const struct scenario *s)
{
        uint64_t timeout = s->engine.failover.timeout_ns;
        if (timeout == 0)
                return false;
        double bytes = 0;
        for (size_t i = 0; i < s->nclasses; i++)
                bytes = fmax(bytes, dist_max(&s->classes[i].size));
        for (size_t i = 0; i < s->ndevices; i++) {
                const struct device_config *m = &s->devices[i].model;
                double waits = ceil((double)m->ring / m->lanes);
                for (size_t k = 0; k < m->nops; k++) {
                        const struct device_op_config *o = &m->ops[k];
                        double t = o->has_service
                                       ? dist_max(&o->service)
                                       : (o->setup_ns + (o->rate > 0 ? bytes / o->rate : 0)) *
                                             (o->has_jitter ? dist_max(&o->jitter) : 1);
                        if (!(t * waits <= (double)timeout))
                                return true;
                }
        }
        return false;
}

/* Returns true when a closed client's request may be refused at submit,
 * at the instant it is issued: when an open class shares the queues, when
 * the closed clients outnumber engine.queue.backlog (the queues and the
 * backlog can fill), or when a device may be missing (attach, faults,
 * failures, a stage that may outlast the watchdog). A refused client thinks and issues again; with
 * no think time it would do so at one instant forever. */
static bool may_refuse(const struct scenario *s)
{
        uint64_t clients = 0;
        for (size_t i = 0; i < s->nclasses; i++) {
                if (s->classes[i].arrival.process != ARRIVAL_CLOSED)
                        return true;
                clients += s->classes[i].arrival.clients;
        }
        if (clients > s->engine.backlog || s->nfaults > 0 || watchdog_may_fire(s))
                return true;
        for (size_t i = 0; i < s->ndevices; i++)
                if (s->devices[i].attach_ns || s->devices[i].model.nfailures)
                        return true;
        return false;
}

/* Returns the requests per second a closed class can at most make: its
 * clients over the shortest cycle (think plus the fastest device of each
 * stage), and no more than its slowest stage's devices serve (lanes over the
 * mean time, summed over the capable devices). Infinite when a cycle can
 * take no time at all. */
static double closed_rate(const struct scenario *s, const struct workload_class_config *c)
{
        double bytes = dist_mean(&c->size), cycle = dist_mean(&c->arrival.think);
        double serve = INFINITY;
        for (size_t k = 0; k < c->nchain; k++) {
                double fastest = INFINITY, stage = 0;
                for (size_t i = 0; i < s->ndevices; i++) {
                        double t = op_mean_ns(&s->devices[i], c->chain[k], bytes);
                        if (t < 0)
                                continue;
                        fastest = fmin(fastest, t);
                        stage += t > 0 ? (double)s->devices[i].count * s->devices[i].model.lanes *
                                             1e9 / t
                                       : INFINITY;
                }
                cycle += fastest;
                serve = fmin(serve, stage);
        }
        double think = dist_mean(&c->arrival.think);
        if (may_refuse(s)) /* a refused request takes no time */
                return think > 0 ? (double)c->arrival.clients * 1e9 / think : INFINITY;
        double clients = cycle > 0 ? (double)c->arrival.clients * 1e9 / cycle : INFINITY;
        return fmin(clients, serve);
}

/* Returns the arrivals class c is expected to make in one replication. */
static double class_arrivals(const struct scenario *s, const struct workload_class_config *c)
{
        const struct arrival_config *a = &c->arrival;
        double secs = (double)s->run.duration_ns / 1e9;
        switch (a->process) {
        case ARRIVAL_POISSON:
        case ARRIVAL_CONSTANT:
                return a->rate * secs;
        case ARRIVAL_ONOFF: /* with its phase changes, each an event as well */
                return (a->rate_on * a->mean_on_ns + a->rate_off * a->mean_off_ns) /
                           (a->mean_on_ns + a->mean_off_ns) * secs +
                       2.0 * (double)s->run.duration_ns / (a->mean_on_ns + a->mean_off_ns);
        case ARRIVAL_CLOSED:
                return closed_rate(s, c) * secs;
        case ARRIVAL_TRACE:
                return (double)a->trace.n;
        }
        return 0;
}

/* The key that sets a class's pace: rate, rate_on, think (else clients),
 * file. */
static struct doc_node *pace_node(struct doc_node *cn, const struct workload_class_config *c)
{
        struct doc_node *m = doc_get_map(cn, "arrival", DOC_OPTIONAL);
        struct doc_node *at = NULL;
        switch (c->arrival.process) {
        case ARRIVAL_POISSON:
        case ARRIVAL_CONSTANT:
                at = doc_get(m, "rate", DOC_OPTIONAL);
                break;
        case ARRIVAL_ONOFF: /* the rate, or the phases when they change more often */
                at =
                    doc_get(m, c->arrival.rate_on * c->arrival.mean_on_ns >= 2e9 ? "rate_on" : "on",
                            DOC_OPTIONAL);
                break;
        case ARRIVAL_CLOSED:
                at = doc_get(m, "think", DOC_OPTIONAL);
                if (!at)
                        at = doc_get(m, "clients", DOC_OPTIONAL);
                break;
        case ARRIVAL_TRACE:
                at = doc_get(m, "file", DOC_OPTIONAL);
                break;
        }
        return at ? at : m ? m : cn;
}

/* Refuses a run expected to make more than MAX_ARRIVALS arrivals over all
 * classes and replications: at some ten million events a second it would
 * take days to years (or never end: a closed loop whose cycle takes no
 * time). The error points at the pace of the busiest class. */
static void check_arrivals(struct loader *l, struct doc_node *root)
{
        struct doc_node *seq = doc_get_seq(root, "workload", DOC_OPTIONAL);
        double total = 0, most = -1;
        size_t busiest = 0;
        for (size_t i = 0; i < l->s->nclasses; i++) {
                double n = class_arrivals(l->s, &l->s->classes[i]) * l->s->run.replications;
                total += n;
                if (!(n <= most)) {
                        most = n;
                        busiest = i;
                }
        }
        if (total <= MAX_ARRIVALS)
                return;
        const struct workload_class_config *c = &l->s->classes[busiest];
        struct doc_node *at = pace_node(doc_at(seq, busiest), c);
        if (c->arrival.process == ARRIVAL_CLOSED && isinf(most) && may_refuse(l->s))
                doc_error(at, "a think time above 0: a client refused at once (queue and backlog "
                              "full, or no device left for its chain) would issue again at the "
                              "same instant forever. Without one, every closed client must fit "
                              "in engine.queue.backlog, with no open class, fault, failure, "
                              "attach or stage that may outlast engine.failover.timeout");
        else if (c->arrival.process == ARRIVAL_CLOSED && isinf(most))
                doc_error(at, "a closed loop that takes time (think + the service of its chain "
                              "is 0 here: the clients would cycle forever at one instant)");
        else if (c->arrival.process == ARRIVAL_CLOSED)
                doc_error(at,
                          "at most 1e10 arrivals in the run, summed over classes and "
                          "replications (a closed class makes at most clients / think when its "
                          "requests may be refused, else clients / (think + service) and no "
                          "more than its devices serve): about %.3g here, a run of days or "
                          "years",
                          total);
        else
                doc_error(at,
                          "at most 1e10 arrivals in the run (rate x duration x replications, "
                          "summed over classes; on-off phase changes count too): about %.3g "
                          "here, a run of days or years",
                          total);
}

/* Refuses failure processes expected to fail devices more than
 * MAX_EPISODES times in one replication (count x run.duration / (mtbf +
 * mttr), summed): each episode is a row of the fault timeline, kept in
 * memory and written to faults.csv, and a few events. The error points at
 * the mtbf of the busiest process. */
static void check_failures(struct loader *l, struct doc_node *root)
{
        struct doc_node *seq = doc_get_seq(root, "devices", DOC_OPTIONAL);
        double total = 0, most = -1;
        struct doc_node *at = NULL;
        for (size_t i = 0; i < l->s->ndevices; i++) {
                const struct scenario_device *d = &l->s->devices[i];
                for (size_t k = 0; k < d->model.nfailures; k++) {
                        const struct device_failure_config *f = &d->model.failures[k];
                        if (f->mode == DEVICE_FAULT_FLAKY)
                                continue;
                        double cycle = dist_mean(&f->ttf) + dist_mean(&f->ttr);
                        double n =
                            cycle > 0 ? d->count * (double)l->s->run.duration_ns / cycle : INFINITY;
                        total += n;
                        if (!(n <= most)) {
                                most = n;
                                at = doc_get(
                                    doc_at(doc_get_seq(doc_at(seq, i), "failures", DOC_OPTIONAL),
                                           k),
                                    "mtbf", DOC_OPTIONAL);
                        }
                }
        }
        if (total <= MAX_EPISODES)
                return;
        doc_error(at ? at : root,
                  "at most 1e6 failure episodes in a replication, summed over devices (count x "
                  "run.duration / (mtbf + mttr)): about %.3g here, each a row of the fault "
                  "timeline",
                  total);
}

/* Refuses a probe interval that would probe failed devices more than
 * MAX_ARRIVALS times in the run (devices x run.duration / probe x
 * replications, as if every device were failed throughout): a probe every
 * nanosecond costs more than the requests themselves. */
static void check_probes(struct loader *l, struct doc_node *root)
{
        uint64_t probe = l->s->engine.failover.probe_ns;
        if (probe == 0)
                return;
        double n = (double)scenario_device_total(l->s) * (double)l->s->run.duration_ns /
                   (double)probe * l->s->run.replications;
        if (n <= MAX_ARRIVALS)
                return;
        struct doc_node *fo =
            doc_get_map(doc_get_map(root, "engine", DOC_OPTIONAL), "failover", DOC_OPTIONAL);
        struct doc_node *at = doc_get(fo, "probe", DOC_OPTIONAL);
        doc_error(at ? at : root,
                  "at most 1e10 probes in the run (devices x run.duration / probe x "
                  "replications): about %.3g here, a run of days or years",
                  n);
}

double scenario_trace_rows(const struct scenario *s, uint32_t replications)
{
        double per = 0;
        for (size_t i = 0; i < s->nclasses; i++)
                per += class_arrivals(s, &s->classes[i]);
        return fmin(per, (double)s->run.trace_limit) * replications;
}

/* Refuses a trace expected to write more than SCENARIO_MAX_TRACE_ROWS rows
 * (trace.csv streams to disk). */
static void check_trace(struct loader *l, struct doc_node *root)
{
        if (!l->s->run.trace)
                return;
        double rows = scenario_trace_rows(l->s, l->s->run.replications);
        if (rows <= SCENARIO_MAX_TRACE_ROWS)
                return;
        struct doc_node *run = doc_get_map(root, "run", DOC_OPTIONAL);
        struct doc_node *at = doc_get(run, "trace_limit", DOC_OPTIONAL);
        if (!at)
                at = doc_get(run, "trace", DOC_OPTIONAL);
        doc_error(at ? at : root,
                  "at most 1e8 rows of trace.csv, about 6 GB (the lesser of run.trace_limit and "
                  "the arrivals of a replication, x replications): about %.3g here",
                  rows);
}

/* Returns the rows of a replication's time series, as sim_run sizes it:
 * duration / sample (duration / SIM_SERIES_DEFAULT by default), at most
 * SIM_SERIES_MAX_ROWS. */
static uint64_t series_rows(const struct scenario_run *r)
{
        uint64_t interval = r->sample_ns ? r->sample_ns : r->duration_ns / SIM_SERIES_DEFAULT;
        if (interval == 0)
                interval = 1;
        if (r->duration_ns / interval > SIM_SERIES_MAX_ROWS)
                interval = (r->duration_ns + SIM_SERIES_MAX_ROWS - 1) / SIM_SERIES_MAX_ROWS;
        return r->duration_ns / interval;
}

/* Refuses results that would hold more than MAX_SERIES_BYTES in memory:
 * every replication keeps them until they are written -- its time series
 * (a row of counters and a record per device each) and a latency
 * histogram for the run and for each class. The error points at
 * run.sample when the series is the larger part, else at
 * run.replications, else at the workload. */
static void check_series(struct loader *l, struct doc_node *root)
{
        const struct scenario_run *r = &l->s->run;
        double row = (double)sizeof(struct sim_series_row) +
                     (double)sizeof(struct sim_series_device) * scenario_device_total(l->s);
        double series = (double)series_rows(r) * row;
        double hists = (double)(l->s->nclasses + 1) * sizeof(struct hist);
        double bytes = (series + hists) * r->replications;
        if (bytes <= MAX_SERIES_BYTES)
                return;
        struct doc_node *run = doc_get_map(root, "run", DOC_OPTIONAL);
        struct doc_node *at = series >= hists ? doc_get(run, "sample", DOC_OPTIONAL) : NULL;
        if (!at)
                at = doc_get(run, "replications", DOC_OPTIONAL);
        if (!at)
                at = doc_get(root, series >= hists ? "devices" : "workload", DOC_OPTIONAL);
        doc_error(at ? at : root,
                  "at most 2 GiB of results in memory, replications x (time series rows x (%zu + "
                  "%zu x devices) + (classes + 1) x %zu) bytes, rows = run.duration / run.sample "
                  "up to %d: %llu x (%llu x %zu devices + %zu classes) is about %.3g GiB",
                  sizeof(struct sim_series_row), sizeof(struct sim_series_device),
                  sizeof(struct hist), SIM_SERIES_MAX_ROWS, (unsigned long long)r->replications,
                  (unsigned long long)series_rows(r), scenario_device_total(l->s), l->s->nclasses,
                  bytes / 1073741824.0);
}

/* Refuses queues that could hold more than MAX_HELD_BYTES of requests at
 * once: an overloaded run fills the backlog and every device's queue and
 * ring, and each request outstanding holds a record with its whole chain
 * (and, with run.trace, room for its hand-offs), about
 * sizeof(struct ac_request) + 48 + 16 x stages (+ 8 x (stages + retries))
 * bytes. The error points at engine.queue.backlog or engine.queue.depth,
 * whichever holds more, else at the longest chain. */
static void check_held(struct loader *l, struct doc_node *root)
{
        const struct scenario *s = l->s;
        double queued = 0;
        for (size_t i = 0; i < s->ndevices; i++)
                queued += (double)s->devices[i].count *
                          ((double)s->engine.queue_depth + s->devices[i].model.ring);
        size_t longest = 1, at_class = 0;
        for (size_t i = 0; i < s->nclasses; i++)
                if (s->classes[i].nchain > longest) {
                        longest = s->classes[i].nchain;
                        at_class = i;
                }
        double each = (double)sizeof(struct ac_request) + 48 +
                      (double)sizeof(struct ac_stage) * (double)longest;
        if (s->run.trace)
                each += 8.0 * ((double)longest + s->engine.failover.retries);
        double held = (double)s->engine.backlog + queued;
        if (held * each <= MAX_HELD_BYTES)
                return;
        struct doc_node *q =
            doc_get_map(doc_get_map(root, "engine", DOC_OPTIONAL), "queue", DOC_OPTIONAL);
        struct doc_node *at =
            doc_get(q, s->engine.backlog >= queued ? "backlog" : "depth", DOC_OPTIONAL);
        if (!at)
                at = doc_get(doc_at(doc_get_seq(root, "workload", DOC_OPTIONAL), at_class), "chain",
                             DOC_OPTIONAL);
        doc_error(at ? at : root,
                  "queues that hold at most 4 GiB of requests (engine.queue.backlog + devices x "
                  "(queue.depth + ring) requests, each about %.0f bytes with a chain of %zu "
                  "stages%s): %.3g requests are about %.3g GiB",
                  each, longest, s->run.trace ? " and its trace" : "", held,
                  held * each / 1073741824.0);
}

/* ---- faults ---------------------------------------------------------- */

static const char *const fault_modes[] = {"fail-stop", "hang", "slow", "flaky", "remove", NULL};
static const enum device_fault_mode fault_kinds[] = {DEVICE_FAULT_FAIL_STOP, DEVICE_FAULT_HANG,
                                                     DEVICE_FAULT_SLOW, DEVICE_FAULT_FLAKY,
                                                     DEVICE_FAULT_REMOVE};

/* Returns the attach time of the expanded device called name (0 when it
 * is there from the start or unknown). */
static uint64_t attach_of(const struct scenario *s, const char *name)
{
        char buf[MAX_NAME + 16];
        size_t total = scenario_device_total(s);
        for (size_t i = 0; i < total; i++) {
                const struct scenario_device *d = scenario_device_expand(s, i, buf, sizeof(buf));
                if (strcmp(buf, name) == 0)
                        return d->attach_ns;
        }
        return 0;
}

/* Checks that a fault names an expanded device, suggesting the closest. */
static void check_fault_device(struct loader *l, struct doc_node *fn, const char *name)
{
        size_t total = scenario_device_total(l->s);
        char buf[MAX_NAME + 16];
        char list[512] = "";
        size_t len = 0;
        for (size_t i = 0; i < total; i++) {
                scenario_device_expand(l->s, i, buf, sizeof(buf));
                if (strcmp(buf, name) == 0)
                        return;
                if (len + strlen(buf) + 8 < sizeof(list))
                        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                                                len ? ", " : "", buf);
                else if (len + 4 < sizeof(list) && !strstr(list, "..."))
                        len += (size_t)snprintf(list + len, sizeof(list) - len, ", ...");
        }
        doc_error(doc_get(fn, "device", DOC_OPTIONAL), "one of the devices (%s)", list);
}

static void read_faults(struct loader *l, struct doc_node *root)
{
        struct doc_node *seq = doc_get_seq(root, "faults", DOC_OPTIONAL);
        for (size_t i = 0; i < doc_len(seq); i++) {
                struct doc_node *fn = doc_get_map(doc_at(seq, i), NULL, DOC_REQUIRED);
                if (!fn)
                        continue;
                const char *device = NULL;
                if (doc_string(fn, "device", DOC_REQUIRED, &device) == 0)
                        check_fault_device(l, fn, device);
                struct scenario_fault *f = scenario_add_fault(l->s, device ? device : "?");
                if (!f) {
                        out_of_memory(l, fn);
                        return;
                }
                uint64_t attach = device ? attach_of(l->s, device) : 0;
                if (read_duration(fn, "at", DOC_REQUIRED, 0, &f->fault.at_ns) == 0 &&
                    f->fault.at_ns < attach)
                        doc_error(doc_get(fn, "at", DOC_OPTIONAL),
                                  "a time at or after %s is attached (%.9g s)", device,
                                  (double)attach * 1e-9);
                int mode;
                if (doc_choice(fn, "mode", DOC_REQUIRED, fault_modes, &mode) == 0) {
                        f->fault.mode = fault_kinds[mode];
                        read_mode_params(fn, f->fault.mode, &f->fault.factor,
                                         &f->fault.probability);
                        if (f->fault.mode != DEVICE_FAULT_REMOVE &&
                            read_duration(fn, "for", DOC_OPTIONAL, 1, &f->fault.for_ns) == 0 &&
                            f->fault.at_ns > UINT64_MAX - f->fault.for_ns)
                                doc_error(doc_get(fn, "for", DOC_OPTIONAL),
                                          "a fault that ends below 2^64 ns (at + for)");
                }
                doc_check_keys(fn);
        }
}

/* ---- sweep ----------------------------------------------------------- */

static void read_sweep(struct loader *l, struct doc_node *root)
{
        struct doc_node *sw = doc_get_map(root, "sweep", DOC_OPTIONAL);
        size_t points = 1, values = 0;
        for (size_t i = 0; i < doc_len(sw); i++) {
                const char *key = doc_key_at(sw, i);
                struct doc_node *list = doc_get_seq(sw, key, DOC_REQUIRED);
                if (!list)
                        continue;
                size_t n = doc_len(list);
                if (n == 0) {
                        doc_error(list, "a list of at least one value");
                        continue;
                }
                if (strcmp(key, "sweep") == 0 || strncmp(key, "sweep.", 6) == 0 ||
                    strcmp(key, "name") == 0) {
                        doc_error(list, "a key path to vary (not name or sweep)");
                        continue;
                }
                if (points > SCENARIO_MAX_POINTS / n) {
                        doc_error(list, "at most %d points in all (the product of the lists)",
                                  SCENARIO_MAX_POINTS);
                        continue;
                }
                values += n;
                if (values > MAX_SWEEP_VALUES) {
                        doc_error(list,
                                  "at most %d values in all the sweep lists (each is loaded "
                                  "alone to check it: the list brings them to %zu)",
                                  MAX_SWEEP_VALUES, values);
                        continue;
                }
                points *= n;
                doc_accept(list);
                char **texts = calloc(n, sizeof(*texts));
                bool ok = texts != NULL;
                for (size_t j = 0; ok && j < n; j++) {
                        char buf[FLOW_TEXT_MAX];
                        doc_flow_text(doc_at(list, j), buf, sizeof(buf));
                        ok = (texts[j] = strdup(buf)) != NULL;
                }
                if (!ok || scenario_add_sweep(l->s, key, (const char *const *)texts, n) < 0)
                        out_of_memory(l, list);
                for (size_t j = 0; texts && j < n; j++)
                        free(texts[j]);
                free(texts);
        }
}

/* ---- loading --------------------------------------------------------- */

/* The name a scenario gets without `name:`: its file's, without the
 * directory and the .yaml. */
static int default_name(struct scenario *s, const char *path)
{
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        char buf[MAX_NAME + 1];
        size_t len = strcspn(base, ".");
        if (len == 0 || len > MAX_NAME)
                return 0; /* keep scenario_init's */
        memcpy(buf, base, len);
        buf[len] = '\0';
        return scenario_set_text(&s->name, buf);
}

static void read_top(struct loader *l, struct doc_node *root)
{
        size_t mark = l->dg->total;
        const char *text;
        if (read_name(root, "name", DOC_OPTIONAL, &text) == 0 &&
            scenario_set_text(&l->s->name, text) < 0)
                out_of_memory(l, root);
        if (doc_string(root, "description", DOC_OPTIONAL, &text) == 0 &&
            scenario_set_text(&l->s->description, text) < 0)
                out_of_memory(l, root);
        doc_whole(root, "seed", DOC_OPTIONAL, 0, UINT64_MAX, &l->s->seed);
        read_run(l, root);
        read_engine(l, root);
        check_run_end(root, l->s);
        read_devices(l, root);
        read_workload(l, root);
        read_faults(l, root);
        if (quiet_since(l, mark)) {
                check_arrivals(l, root);
                check_failures(l, root);
                check_probes(l, root);
                check_trace(l, root);
                check_series(l, root);
                check_held(l, root);
        }
        read_sweep(l, root);
        doc_check_keys(root);
        doc_check_unused(l->d);
}

/* Which value of each sweep key to apply: NO_POINT leaves a key alone. */
static int apply_sweep(struct doc *d, const size_t *choice)
{
        struct doc_node *sw = doc_get_map(doc_root(d), "sweep", DOC_OPTIONAL);
        int rc = 0;
        for (size_t i = 0; i < doc_len(sw); i++) {
                if (choice[i] == NO_POINT)
                        continue;
                struct doc_node *item = doc_at(doc_at(sw, i), choice[i]);
                if (item && doc_set_node(d, doc_key_at(sw, i), item) < 0)
                        rc = -1;
        }
        return rc;
}

/* Loads path with the sets and the chosen sweep values (choice NULL: none)
 * into *out, scenario_init'ed here. Returns 0 or -1 (out freed). */
/* The file's bytes, read once: every load of a scenario and of its sweep
 * points parses these, so the file may change while a long run goes on
 * and the results still say what ran. */
struct source {
        const char *text;
        size_t len;
};

static int load_once(const char *path, const struct source *src, const char *const *sets,
                     size_t nsets, const size_t *choice, size_t nchoice, struct diag *dg,
                     struct scenario *out)
{
        memset(out, 0, sizeof(*out));
        struct doc *d = NULL;
        if (doc_load_text(path, src->text, src->len, dg, &d) < 0)
                return -1;
        int rc = 0;
        for (size_t i = 0; i < nsets; i++)
                if (doc_set(d, sets[i], "--set") < 0)
                        rc = -1;
        if (rc == 0 && choice) {
                if (doc_len(doc_get_map(doc_root(d), "sweep", DOC_OPTIONAL)) != nchoice) {
                        diag_add(dg, path, 0, 0, "sweep", "expected %zu sweep keys, got %zu",
                                 nchoice, doc_len(doc_get_map(doc_root(d), "sweep", DOC_OPTIONAL)));
                        rc = -1;
                } else {
                        rc = apply_sweep(d, choice);
                }
        }
        if (rc < 0) {
                doc_free(d);
                return -1;
        }
        if (scenario_init(out) < 0) {
                diag_add(dg, path, 0, 0, NULL, "out of memory");
                doc_free(d);
                return -1;
        }
        struct loader l = {.d = d, .dg = dg, .s = out, .path = path};
        size_t mark = dg->total;
        if (default_name(out, path) < 0)
                l.oom = true;
        out->source = malloc(src->len + 1);
        if (out->source == NULL) {
                l.oom = true;
        } else {
                memcpy(out->source, src->text, src->len);
                out->source[src->len] = '\0';
                out->source_len = src->len;
        }
        read_top(&l, doc_root(d));
        doc_free(d);
        if (!quiet_since(&l, mark) || l.oom) {
                if (l.oom && quiet_since(&l, mark))
                        diag_add(dg, path, 0, 0, NULL, "out of memory");
                scenario_free(out);
                return -1;
        }
        struct sim_error err = {""};
        if (scenario_prepare(out, &err) < 0) {
                /* The checks above should have caught it; say what the
                 * preparation said, at the file. */
                diag_add(dg, path, 0, 0, NULL, "%s", err.msg);
                scenario_free(out);
                return -1;
        }
        return 0;
}

/* Loads every sweep value alone on the base scenario, so that a bad one is
 * refused at load time with its place. */
static int check_sweep(const char *path, const struct source *src, const char *const *sets,
                       size_t nsets, const struct scenario *base, struct diag *dg)
{
        size_t *choice = malloc((base->nsweep ? base->nsweep : 1) * sizeof(*choice));
        if (!choice) {
                diag_add(dg, path, 0, 0, "sweep", "out of memory");
                return -1;
        }
        int rc = 0;
        for (size_t k = 0; k < base->nsweep && !diag_full(dg); k++) {
                for (size_t j = 0; j < base->sweep[k].nvalues && !diag_full(dg); j++) {
                        for (size_t i = 0; i < base->nsweep; i++)
                                choice[i] = i == k ? j : NO_POINT;
                        struct scenario one;
                        if (load_once(path, src, sets, nsets, choice, base->nsweep, dg, &one) < 0) {
                                rc = -1;
                                continue;
                        }
                        scenario_free(&one);
                }
        }
        free(choice);
        return rc;
}

int scenario_load(const char *path, const char *const *sets, size_t nsets, struct diag *diag,
                  struct scenario *out)
{
        char *text;
        size_t len;
        memset(out, 0, sizeof(*out));
        if (doc_read_file(path, diag, &text, &len) < 0)
                return -1;
        struct source src = {text, len};
        int rc = load_once(path, &src, sets, nsets, NULL, 0, diag, out);
        if (rc == 0 && out->nsweep > 0 && check_sweep(path, &src, sets, nsets, out, diag) < 0) {
                scenario_free(out);
                rc = -1;
        }
        free(text);
        return rc;
}

/* ---- sweep points ---------------------------------------------------- */

size_t scenario_sweep_points(const struct scenario *s)
{
        size_t n = 1;
        for (size_t i = 0; i < s->nsweep; i++)
                n *= s->sweep[i].nvalues;
        return n;
}

/* The index into key's list at point: the last key varies fastest. */
static size_t point_index(const struct scenario *s, size_t point, size_t key)
{
        for (size_t i = s->nsweep; i-- > key + 1;)
                point /= s->sweep[i].nvalues;
        return point % s->sweep[key].nvalues;
}

const char *scenario_sweep_value(const struct scenario *s, size_t point, size_t key)
{
        if (key >= s->nsweep || point >= scenario_sweep_points(s))
                return NULL;
        return s->sweep[key].values[point_index(s, point, key)];
}

int scenario_sweep_label(const struct scenario *s, size_t point, char *buf, size_t cap)
{
        size_t len = 0;
        if (cap > 0)
                buf[0] = '\0';
        for (size_t i = 0; i < s->nsweep; i++) {
                const char *v = scenario_sweep_value(s, point, i);
                int w = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%s%s=%s",
                                 i ? " " : "", s->sweep[i].key, v ? v : "?");
                if (w > 0)
                        len += (size_t)w;
        }
        return (int)len;
}

int scenario_load_point_from(const struct scenario *loaded, const char *path,
                             const char *const *sets, size_t nsets, size_t point, struct diag *diag,
                             struct scenario *out)
{
        struct source src = {loaded->source ? loaded->source : "", loaded->source_len};
        struct scenario base;
        if (load_once(path, &src, sets, nsets, NULL, 0, diag, &base) < 0) {
                memset(out, 0, sizeof(*out));
                return -1;
        }
        size_t points = scenario_sweep_points(&base);
        if (point >= points) {
                diag_add(diag, path, 0, 0, "sweep", "expected a sweep point below %zu, got %zu",
                         points, point);
                scenario_free(&base);
                memset(out, 0, sizeof(*out));
                return -1;
        }
        size_t *choice = malloc((base.nsweep ? base.nsweep : 1) * sizeof(*choice));
        if (!choice) {
                diag_add(diag, path, 0, 0, "sweep", "out of memory");
                scenario_free(&base);
                memset(out, 0, sizeof(*out));
                return -1;
        }
        for (size_t i = 0; i < base.nsweep; i++)
                choice[i] = point_index(&base, point, i);
        size_t n = base.nsweep;
        scenario_free(&base);
        int rc = load_once(path, &src, sets, nsets, n ? choice : NULL, n, diag, out);
        free(choice);
        return rc;
}

int scenario_load_point(const char *path, const char *const *sets, size_t nsets, size_t point,
                        struct diag *diag, struct scenario *out)
{
        struct scenario file = {0};
        memset(out, 0, sizeof(*out));
        if (doc_read_file(path, diag, &file.source, &file.source_len) < 0)
                return -1;
        int rc = scenario_load_point_from(&file, path, sets, nsets, point, diag, out);
        free(file.source);
        return rc;
}
