/*
 * sim/run/scenario.c - the scenario as plain data (sim/run/scenario.h): defaults,
 * ownership, device name expansion and the checks before a run.
 *
 * Arrays grow one record at a time with realloc: scenarios are small and
 * built once.
 */
#include "sim/run/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The model structs hold const char *: the scenario owns them anyway. */
static void free_text(const char *p)
{
        free((void *)(uintptr_t)p);
}

static char *copy_text(const char *s)
{
        if (!s)
                return NULL;
        size_t n = strlen(s) + 1;
        char *c = malloc(n);
        if (c)
                memcpy(c, s, n);
        return c;
}

int scenario_set_text(char **field, const char *value)
{
        char *c = copy_text(value);
        if (value && !c)
                return AC_ENOMEM;
        free(*field);
        *field = c;
        return 0;
}

/* Grows *arr (of *n records of `size` bytes) by one zeroed record and
 * returns it, or NULL. */
static void *grow_one(void **arr, size_t *n, size_t size)
{
        char *a = realloc(*arr, (*n + 1) * size);
        if (!a)
                return NULL;
        memset(a + *n * size, 0, size);
        *arr = a;
        return a + (*n)++ * size;
}

int scenario_init(struct scenario *s)
{
        memset(s, 0, sizeof(*s));
        struct ac_engine_config d;
        ac_engine_config_defaults(&d);
        s->seed = 1;
        s->run = (struct scenario_run){.duration_ns = 1000000000,
                                       .replications = 1,
                                       .trace_limit = SCENARIO_TRACE_LIMIT,
                                       .memory = SCENARIO_MEMORY};
        s->engine = (struct scenario_engine){
            .queue_depth = d.queue_depth,
            .backlog = d.backlog,
            .levels = d.priority_levels,
            .aging_ns = d.aging_ns,
            .failover = d.failover,
            .affinity = d.affinity,
            .flow_order = d.flow_order,
        };
        if (scenario_set_text(&s->name, "scenario") < 0 ||
            scenario_set_text(&s->engine.policy, d.policy) < 0) {
                scenario_free(s);
                return AC_ENOMEM;
        }
        return 0;
}

static void device_free(struct scenario_device *d)
{
        struct device_config *m = &d->model;
        free_text(m->name);
        for (size_t i = 0; i < m->nops; i++) {
                free_text(m->ops[i].name);
                dist_free(&m->ops[i].service);
                dist_free(&m->ops[i].jitter);
                dist_free(&m->ops[i].wakeup_dist);
        }
        free(m->ops);
        for (size_t i = 0; i < m->nfailures; i++) {
                dist_free(&m->failures[i].ttf);
                dist_free(&m->failures[i].ttr);
        }
        free(m->failures);
        free(m->faults);
}

static void class_free(struct workload_class_config *c)
{
        workload_class_free(c);
        free_text(c->name);
        for (size_t i = 0; i < c->nchain; i++)
                free_text(c->chain[i]);
        free((void *)(uintptr_t)c->chain);
        free_text(c->arrival.file);
}

void scenario_free(struct scenario *s)
{
        free(s->name);
        free(s->description);
        free(s->source);
        free(s->engine.policy);
        for (size_t i = 0; i < s->engine.noptions; i++) {
                free_text(s->engine.options[i].key);
                free_text(s->engine.options[i].value);
        }
        free(s->engine.options);
        for (size_t i = 0; i < s->ndevices; i++)
                device_free(&s->devices[i]);
        free(s->devices);
        for (size_t i = 0; i < s->nclasses; i++)
                class_free(&s->classes[i]);
        free(s->classes);
        for (size_t i = 0; i < s->nfaults; i++)
                free(s->faults[i].device);
        free(s->faults);
        for (size_t i = 0; i < s->nsweep; i++) {
                free(s->sweep[i].key);
                for (size_t j = 0; j < s->sweep[i].nvalues; j++)
                        free(s->sweep[i].values[j]);
                free(s->sweep[i].values);
        }
        free(s->sweep);
        memset(s, 0, sizeof(*s));
}

/* ---- building ---------------------------------------------------------- */

struct scenario_device *scenario_add_device(struct scenario *s, const char *name)
{
        char *n = copy_text(name);
        if (!n)
                return NULL;
        struct scenario_device *d =
            grow_one((void **)&s->devices, &s->ndevices, sizeof(*s->devices));
        if (!d) {
                free(n);
                return NULL;
        }
        d->model.name = n;
        d->count = 1;
        return d;
}

struct device_op_config *scenario_device_add_op(struct scenario_device *d, const char *op)
{
        char *n = copy_text(op);
        if (!n)
                return NULL;
        struct device_op_config *o =
            grow_one((void **)&d->model.ops, &d->model.nops, sizeof(*d->model.ops));
        if (!o) {
                free(n);
                return NULL;
        }
        o->name = n;
        return o;
}

struct device_failure_config *scenario_device_add_failure(struct scenario_device *d)
{
        return grow_one((void **)&d->model.failures, &d->model.nfailures,
                        sizeof(*d->model.failures));
}

struct workload_class_config *scenario_add_class(struct scenario *s, const char *name)
{
        char *n = copy_text(name);
        if (!n)
                return NULL;
        struct workload_class_config *c =
            grow_one((void **)&s->classes, &s->nclasses, sizeof(*s->classes));
        if (!c) {
                free(n);
                return NULL;
        }
        c->name = n;
        c->flows = 1;
        return c;
}

struct scenario_fault *scenario_add_fault(struct scenario *s, const char *device)
{
        char *n = copy_text(device);
        if (!n)
                return NULL;
        struct scenario_fault *f = grow_one((void **)&s->faults, &s->nfaults, sizeof(*s->faults));
        if (!f) {
                free(n);
                return NULL;
        }
        f->device = n;
        return f;
}

int scenario_class_set_chain(struct workload_class_config *c, const char *const *ops, size_t n)
{
        const char **chain = calloc(n ? n : 1, sizeof(*chain));
        if (!chain)
                return AC_ENOMEM;
        for (size_t i = 0; i < n; i++) {
                chain[i] = copy_text(ops[i]);
                if (!chain[i]) {
                        for (size_t j = 0; j < i; j++)
                                free_text(chain[j]);
                        free(chain);
                        return AC_ENOMEM;
                }
        }
        for (size_t i = 0; i < c->nchain; i++)
                free_text(c->chain[i]);
        free((void *)(uintptr_t)c->chain);
        c->chain = chain;
        c->nchain = n;
        return 0;
}

int scenario_set_option(struct scenario *s, const char *key, const char *value)
{
        char *v = copy_text(value);
        if (!v)
                return AC_ENOMEM;
        for (size_t i = 0; i < s->engine.noptions; i++) {
                struct ac_option *o = &s->engine.options[i];
                if (strcmp(o->key, key) == 0) {
                        free_text(o->value);
                        o->value = v;
                        return 0;
                }
        }
        char *k = copy_text(key);
        struct ac_option *o =
            k ? grow_one((void **)&s->engine.options, &s->engine.noptions, sizeof(*o)) : NULL;
        if (!o) {
                free(k);
                free(v);
                return AC_ENOMEM;
        }
        o->key = k;
        o->value = v;
        return 0;
}

int scenario_add_sweep(struct scenario *s, const char *key, const char *const *values, size_t n)
{
        char *k = copy_text(key);
        char **v = calloc(n ? n : 1, sizeof(*v));
        bool ok = k && v;
        for (size_t i = 0; ok && i < n; i++)
                ok = (v[i] = copy_text(values[i])) != NULL;
        struct scenario_sweep *w =
            ok ? grow_one((void **)&s->sweep, &s->nsweep, sizeof(*s->sweep)) : NULL;
        if (!w) {
                free(k);
                for (size_t i = 0; v && i < n; i++)
                        free(v[i]);
                free(v);
                return AC_ENOMEM;
        }
        w->key = k;
        w->values = v;
        w->nvalues = n;
        return 0;
}

/* ---- names ------------------------------------------------------------- */

size_t scenario_device_total(const struct scenario *s)
{
        size_t n = 0;
        for (size_t i = 0; i < s->ndevices; i++)
                n += s->devices[i].count;
        return n;
}

const struct scenario_device *scenario_device_expand(const struct scenario *s, size_t i, char *buf,
                                                     size_t len)
{
        for (size_t k = 0; k < s->ndevices; k++) {
                const struct scenario_device *d = &s->devices[k];
                if (i < d->count) {
                        if (d->count == 1)
                                snprintf(buf, len, "%s", d->model.name);
                        else
                                snprintf(buf, len, "%s%zu", d->model.name, i);
                        return d;
                }
                i -= d->count;
        }
        return NULL;
}

/* Returns the index of the expanded device called name, or -1. */
static long device_lookup(const struct scenario *s, const char *name)
{
        char buf[256];
        size_t total = scenario_device_total(s);
        for (size_t i = 0; i < total; i++) {
                scenario_device_expand(s, i, buf, sizeof(buf));
                if (strcmp(buf, name) == 0)
                        return (long)i;
        }
        return -1;
}

/* ---- checks ------------------------------------------------------------ */

static int prepare_engine(const struct scenario *s, struct sim_error *err)
{
        const struct scenario_engine *e = &s->engine;
        if (!e->policy || !ac_balancer_find(e->policy))
                return sim_fail(err, -1, "engine.policy: no balancer named '%s'",
                                e->policy ? e->policy : "");
        if (e->queue_depth == 0)
                return sim_fail(err, -1, "engine.queue.depth: must be >= 1");
        if (e->levels == 0 || e->levels > AC_MAX_LEVELS)
                return sim_fail(err, -1, "engine.priority.levels: must be 1..%d", AC_MAX_LEVELS);
        if (e->failover.errors_to_fail == 0)
                return sim_fail(err, -1, "engine.failover.errors_to_fail: must be >= 1");
        return 0;
}

/* An expanded device name and its place, for sorting. */
struct named {
        char name[256];
        size_t k; /* its index after expansion */
};

static int by_name(const void *pa, const void *pb)
{
        const struct named *a = pa, *b = pb;
        int c = strcmp(a->name, b->name);
        return c != 0 ? c : (a->k > b->k) - (a->k < b->k);
}

/* Refuses two expanded devices of one name, sorted rather than pair by
 * pair (4096 devices took seconds): names the first device, in expansion
 * order, whose name an earlier one has. */
static int check_names(const struct scenario *s, struct sim_error *err)
{
        size_t total = scenario_device_total(s);
        struct named *e = calloc(total ? total : 1, sizeof(*e));
        if (!e)
                return sim_fail(err, -1, "devices: out of memory");
        for (size_t k = 0; k < total; k++) {
                scenario_device_expand(s, k, e[k].name, sizeof(e[k].name));
                e[k].k = k;
        }
        qsort(e, total, sizeof(*e), by_name);
        const struct named *dup = NULL;
        for (size_t x = 1; x < total; x++)
                if (strcmp(e[x].name, e[x - 1].name) == 0 && (!dup || e[x].k < dup->k))
                        dup = &e[x];
        int rc = dup ? sim_fail(err, -1, "devices: two devices named '%s'", dup->name) : 0;
        free(e);
        return rc;
}

static int prepare_devices(struct scenario *s, struct sim_error *err)
{
        if (s->ndevices == 0)
                return sim_fail(err, -1, "devices: at least one device is needed");
        for (size_t i = 0; i < s->ndevices; i++) {
                struct scenario_device *d = &s->devices[i];
                const char *why = "?";
                if (!d->model.name || !*d->model.name)
                        return sim_fail(err, -1, "devices[%zu]: no name", i);
                if (d->count == 0)
                        return sim_fail(err, -1, "devices.%s.count: must be >= 1", d->model.name);
                if (d->model.nfaults)
                        return sim_fail(err, -1,
                                        "devices.%s: faults belong in the scenario's faults list",
                                        d->model.name);
                if (device_config_prepare(&d->model, &why) < 0)
                        return sim_fail(err, -1, "devices.%s: %s", d->model.name, why);
                for (size_t k = 0; k < d->model.nops; k++)
                        if (!d->model.ops[k].name || !*d->model.ops[k].name)
                                return sim_fail(err, -1, "devices.%s.ops[%zu]: no name",
                                                d->model.name, k);
        }
        return check_names(s, err);
}

static int prepare_classes(struct scenario *s, struct sim_error *err)
{
        if (s->nclasses == 0)
                return sim_fail(err, -1, "workload: at least one class is needed");
        for (size_t i = 0; i < s->nclasses; i++) {
                struct workload_class_config *c = &s->classes[i];
                char why[256] = "";
                if (!c->name || !*c->name)
                        return sim_fail(err, -1, "workload[%zu]: no name", i);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(s->classes[j].name, c->name) == 0)
                                return sim_fail(err, -1, "workload: two classes named '%s'",
                                                c->name);
                if (workload_class_prepare(c, why, sizeof(why)) < 0)
                        return sim_fail(err, -1, "workload.%s: %s", c->name, why);
                if (c->priority >= s->engine.levels)
                        return sim_fail(err, -1,
                                        "workload.%s.priority: %u is not below the %u levels",
                                        c->name, (unsigned)c->priority, (unsigned)s->engine.levels);
        }
        return 0;
}

static int prepare_faults(struct scenario *s, struct sim_error *err)
{
        for (size_t i = 0; i < s->nfaults; i++) {
                struct scenario_fault *f = &s->faults[i];
                long k = f->device ? device_lookup(s, f->device) : -1;
                if (k < 0)
                        return sim_fail(err, -1, "faults[%zu].device: no device named '%s'", i,
                                        f->device ? f->device : "");
                /* Let the model judge the fault, on a one-fault copy of the
                 * device it names. */
                char name[256];
                const struct scenario_device *d =
                    scenario_device_expand(s, (size_t)k, name, sizeof(name));
                struct device_config probe = d->model;
                probe.faults = &f->fault;
                probe.nfaults = 1;
                const char *why = "?";
                if (device_config_prepare(&probe, &why) < 0)
                        return sim_fail(err, -1, "faults[%zu]: %s", i, why);
                if (f->fault.at_ns < d->attach_ns)
                        return sim_fail(err, -1, "faults[%zu].at: before %s is attached", i,
                                        f->device);
        }
        return 0;
}

int scenario_prepare(struct scenario *s, struct sim_error *err)
{
        const struct scenario_run *r = &s->run;
        if (r->duration_ns == 0 || r->warmup_ns >= r->duration_ns)
                return sim_fail(err, -1, "run: the duration must be longer than the warm-up");
        if (r->replications == 0)
                return sim_fail(err, -1, "run.replications: must be >= 1");
        if (r->sample_ns > r->duration_ns)
                return sim_fail(err, -1, "run.sample: longer than the duration");
        if (r->trace_limit == 0)
                return sim_fail(err, -1, "run.trace_limit: must be >= 1");
        if (r->memory == 0)
                return sim_fail(err, -1, "run.memory: must be >= 1");
        if (prepare_engine(s, err) < 0 || prepare_devices(s, err) < 0 ||
            prepare_classes(s, err) < 0 || prepare_faults(s, err) < 0)
                return -1;
        s->prepared = true;
        return 0;
}

void scenario_engine_config(const struct scenario *s, struct ac_engine_config *cfg)
{
        const struct scenario_engine *e = &s->engine;
        ac_engine_config_defaults(cfg);
        cfg->policy = e->policy;
        cfg->policy_options = e->options;
        cfg->npolicy_options = e->noptions;
        cfg->queue_depth = e->queue_depth;
        cfg->backlog = e->backlog;
        cfg->priority_levels = e->levels;
        cfg->aging_ns = e->aging_ns;
        cfg->failover = e->failover;
        cfg->affinity = e->affinity;
        cfg->flow_order = e->flow_order;
}
