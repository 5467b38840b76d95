/*
 * sim/load/schema_devices.c - the `devices:` section: each entry's lanes,
 * ring, operations and their costs, failure processes; then the expanded
 * names, each a device of its own (docs/scenarios.md, "devices").
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/loader.h"

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
        if (l->vocab && !l->vocab->op_known(l->vocab->ctx, name)) {
                doc_error_key(m, "%s", l->vocab->expected);
                doc_accept(m); /* its cost is beside the point */
                return;
        }
        struct device_op_config *op = scenario_device_add_op(&l->s->devices[dev], name);
        if (!op) {
                load_out_of_memory(l, m);
                return;
        }
        /* a delay after the lane is freed, lane time after the report and
         * before a stage on an idle lane, whatever the cost's form */
        uint64_t latency = 0, gap = 0, wakeup = 0;
        load_read_duration(m, "latency", DOC_OPTIONAL, 0, &latency);
        load_read_duration(m, "gap", DOC_OPTIONAL, 0, &gap);
        struct doc_node *w = doc_get(m, "wakeup", DOC_OPTIONAL);
        if (w != NULL && doc_kind(w) == DOC_MAP) { /* a distribution: drawn per wake-up */
                op->has_wakeup_dist = load_read_dist(l, m, "wakeup", DOC_OPTIONAL, LOAD_TIME, false,
                                                     &op->wakeup_dist) == 0;
        } else {
                load_read_duration(m, "wakeup", DOC_OPTIONAL, 0, &wakeup);
        }
        op->latency_ns = (double)latency;
        op->gap_ns = (double)gap;
        op->wakeup_ns = op->has_wakeup_dist ? dist_mean(&op->wakeup_dist) : (double)wakeup;
        bool service = doc_get(m, "service", DOC_OPTIONAL) != NULL;
        if (service) {
                op->has_service = true;
                load_read_dist(l, m, "service", DOC_REQUIRED, LOAD_TIME, false, &op->service);
                doc_check_keys(m);
                return;
        }
        uint64_t setup = 0;
        double rate = 0;
        int rs = load_read_duration(m, "setup", DOC_OPTIONAL, 0, &setup);
        int rr = doc_byte_rate(m, "rate", DOC_OPTIONAL, &rate);
        if (rs == 1 && rr == 1)
                doc_error(m, "a cost: setup and rate, or service");
        op->setup_ns = (double)setup;
        op->rate = rate / 1e9; /* bytes per ns */
        op->has_jitter =
            load_read_dist(l, m, "jitter", DOC_OPTIONAL, LOAD_NUMBER, false, &op->jitter) == 0;
        doc_check_keys(m);
}

static const char *const failure_modes[] = {"fail-stop", "hang", "slow", "flaky", NULL};
static const enum device_fault_mode failure_kinds[] = {DEVICE_FAULT_FAIL_STOP, DEVICE_FAULT_HANG,
                                                       DEVICE_FAULT_SLOW, DEVICE_FAULT_FLAKY};

/* The parameters of a slow or flaky fault or failure. */
void load_read_mode_params(struct doc_node *m, enum device_fault_mode mode, double *factor,
                           double *probability)
{
        if (mode == DEVICE_FAULT_SLOW)
                doc_number(m, "factor", DOC_REQUIRED, 1, SCENARIO_MAX_SLOW_FACTOR, factor);
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
                        load_out_of_memory(l, m);
                        return;
                }
                int mode;
                if (doc_choice(m, "mode", DOC_REQUIRED, failure_modes, &mode) != 0)
                        continue;
                f->mode = failure_kinds[mode];
                load_read_mode_params(m, f->mode, &f->factor, &f->probability);
                if (f->mode != DEVICE_FAULT_FLAKY) {
                        load_read_dist(l, m, "mtbf", DOC_REQUIRED, LOAD_TIME, true, &f->ttf);
                        load_read_dist(l, m, "mttr", DOC_REQUIRED, LOAD_TIME, true, &f->ttr);
                }
                doc_check_keys(m);
        }
}

static void read_device(struct loader *l, struct doc_node *dn)
{
        const char *name = NULL;
        if (load_read_name(dn, "name", DOC_REQUIRED, &name) != 0)
                name = "?";
        size_t dev = l->s->ndevices;
        struct scenario_device *d = scenario_add_device(l->s, name);
        if (!d) {
                load_out_of_memory(l, dn);
                return;
        }
        load_read_u32(dn, "count", DOC_OPTIONAL, 1, SCENARIO_MAX_COUNT, &d->count);
        d->model.lanes = 1;
        load_read_u32(dn, "lanes", DOC_OPTIONAL, 1, SCENARIO_MAX_LANES, &d->model.lanes);
        d->model.ring = d->model.lanes;
        load_read_u32(dn, "ring", DOC_OPTIONAL, 1, SCENARIO_MAX_RING, &d->model.ring);
        doc_bool(dn, "fallback", DOC_OPTIONAL, &d->fallback);
        load_read_duration(dn, "attach", DOC_OPTIONAL, 1, &d->attach_ns);
        d->weight = 1;
        load_read_u32(dn, "weight", DOC_OPTIONAL, 1, SCENARIO_MAX_WEIGHT, &d->weight);
        struct doc_node *ops = doc_get_map(dn, "ops", DOC_REQUIRED);
        if (ops && doc_len(ops) == 0)
                doc_error(ops, "at least one operation, like {aes-gcm-enc: {setup: 1us, rate: "
                               "5GB/s}}");
        for (size_t i = 0; i < doc_len(ops); i++)
                read_op(l, ops, i, dev);
        read_failures(l, dn, dev);
        doc_check_keys(dn);
}

/* An expanded device's name, where it comes from, and its place among
 * the expanded devices. */
struct expanded {
        char name[SCENARIO_MAX_NAME + 16];
        size_t entry; /* its index in `devices` */
        size_t k;     /* its index after expansion */
};

/* Orders by name, then by place: the first of a run of equal names is the
 * one that had the name first. */
static int by_name(const void *pa, const void *pb)
{
        const struct expanded *a = pa, *b = pb;
        int c = strcmp(a->name, b->name);
        if (c != 0)
                return c;
        return a->k < b->k ? -1 : a->k > b->k;
}

/* Checks that expanded device names are unique: sorted, so that 4096
 * devices are not compared pair by pair. Reports the first device (in
 * expansion order) whose name an earlier one has, at its entry's name. */
static void check_device_names(struct loader *l, struct doc_node *seq)
{
        const struct scenario *s = l->s;
        size_t total = scenario_device_total(s);
        struct expanded *e = calloc(total ? total : 1, sizeof(*e));
        if (!e) {
                load_out_of_memory(l, seq);
                return;
        }
        for (size_t i = 0, k = 0; i < s->ndevices; i++) {
                const struct scenario_device *d = &s->devices[i];
                for (size_t c = 0; c < d->count; c++, k++) {
                        if (d->count == 1)
                                snprintf(e[k].name, sizeof(e[k].name), "%s", d->model.name);
                        else
                                snprintf(e[k].name, sizeof(e[k].name), "%s%zu", d->model.name, c);
                        e[k].entry = i;
                        e[k].k = k;
                }
        }
        qsort(e, total, sizeof(*e), by_name);
        const struct expanded *first = NULL, *dup = NULL;
        for (size_t x = 1; x < total; x++)
                if (strcmp(e[x].name, e[x - 1].name) == 0 &&
                    (x < 2 || strcmp(e[x - 1].name, e[x - 2].name) != 0) &&
                    (!dup || e[x].k < dup->k)) {
                        first = &e[x - 1];
                        dup = &e[x];
                }
        if (dup) {
                size_t j = first->entry;
                const struct scenario_device *o = &s->devices[j];
                struct doc_node *at = doc_get(doc_at(seq, dup->entry), "name", DOC_OPTIONAL);
                if (o->count > 1)
                        doc_error(at,
                                  "a device name of its own (devices[%zu] with count %u makes "
                                  "%s0 .. %s%u)",
                                  j, (unsigned)o->count, o->model.name, o->model.name,
                                  (unsigned)o->count - 1);
                else
                        doc_error(at, "a device name of its own (devices[%zu] has it)", j);
        }
        free(e);
}

void load_devices(struct loader *l, struct doc_node *root)
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
        if (load_quiet_since(l, mark) && load_check_devices(l, seq) == 0)
                check_device_names(l, seq);
}
