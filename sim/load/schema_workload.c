/*
 * sim/load/schema_workload.c - the `workload:` section: each class's
 * arrival process, sizes, chain of operations (which some device must
 * declare), priority and flows (docs/scenarios.md, "workload").
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/loader.h"

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
        if (n > SCENARIO_MAX_CHAIN) {
                doc_error(seq, "a chain of at most %d stages (it has %zu)", SCENARIO_MAX_CHAIN, n);
                return;
        }
        const char **ops = calloc(n ? n : 1, sizeof(*ops));
        if (!ops) {
                load_out_of_memory(l, seq);
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
                load_out_of_memory(l, seq);
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
                if (load_read_duration(m, "on", DOC_REQUIRED, 1, &u) == 0)
                        a->mean_on_ns = (double)u;
                if (load_read_duration(m, "off", DOC_REQUIRED, 1, &u) == 0)
                        a->mean_off_ns = (double)u;
                break;
        case ARRIVAL_CLOSED:
                load_read_u32(m, "clients", DOC_REQUIRED, 1, SCENARIO_MAX_CLIENTS, &a->clients);
                if (load_read_dist(l, m, "think", DOC_OPTIONAL, LOAD_TIME, false, &a->think) == 1) {
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
                        load_out_of_memory(l, m);
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
        if (load_read_name(cn, "name", DOC_REQUIRED, &name) != 0)
                name = "?";
        for (size_t i = 0; i < l->s->nclasses && strcmp(name, "?") != 0; i++)
                if (strcmp(l->s->classes[i].name, name) == 0)
                        doc_error(doc_get(cn, "name", DOC_OPTIONAL),
                                  "a class name of its own (workload[%zu] has it)", i);
        size_t cls = l->s->nclasses;
        struct workload_class_config *c = scenario_add_class(l->s, name);
        if (!c) {
                load_out_of_memory(l, cn);
                return;
        }
        read_arrival(l, cn, cls);
        if (c->arrival.process == ARRIVAL_TRACE) {
                struct doc_node *size = doc_get(cn, "size", DOC_OPTIONAL);
                if (size)
                        doc_error(size, "no size for a trace (its rows give the sizes)");
        } else {
                load_read_dist(l, cn, "size", DOC_REQUIRED, LOAD_SIZE, false, &c->size);
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
        load_read_u32(cn, "flows", DOC_OPTIONAL, 1, UINT32_MAX, &c->flows);
        static const char *const picks[] = {"uniform", "round-robin", NULL};
        int pick;
        if (doc_choice(cn, "flow_pick", DOC_OPTIONAL, picks, &pick) == 0)
                c->flow_pick = pick ? FLOW_ROUND_ROBIN : FLOW_UNIFORM;
        doc_check_keys(cn);
}

void load_workload(struct loader *l, struct doc_node *root)
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
