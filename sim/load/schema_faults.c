/*
 * sim/load/schema_faults.c - the `faults:` section: scheduled faults on
 * expanded device names (docs/scenarios.md, "faults").
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim/load/loader.h"

static const char *const fault_modes[] = {"fail-stop", "hang", "slow", "flaky", "remove", NULL};
static const enum device_fault_mode fault_kinds[] = {DEVICE_FAULT_FAIL_STOP, DEVICE_FAULT_HANG,
                                                     DEVICE_FAULT_SLOW, DEVICE_FAULT_FLAKY,
                                                     DEVICE_FAULT_REMOVE};

/* Returns the entry whose expansion has a device called name (the first,
 * in expansion order), or NULL: one walk over the entries, so that faults
 * on 4096 devices do not expand every name for every fault. */
static const struct scenario_device *device_named(const struct scenario *s, const char *name)
{
        for (size_t i = 0; i < s->ndevices; i++) {
                const struct scenario_device *d = &s->devices[i];
                size_t n = strlen(d->model.name);
                if (strncmp(name, d->model.name, n) != 0)
                        continue;
                const char *p = name + n;
                if (d->count == 1) {
                        if (*p == '\0')
                                return d;
                        continue;
                }
                /* <name><i>, i written as %zu: no leading zero, below count */
                if (!isdigit((unsigned char)p[0]) || (p[0] == '0' && p[1] != '\0'))
                        continue;
                size_t v = 0;
                for (; isdigit((unsigned char)*p) && v < d->count; p++)
                        v = v * 10 + (size_t)(*p - '0');
                if (*p == '\0' && v < d->count)
                        return d;
        }
        return NULL;
}

/* Checks that a fault names an expanded device, else lists them. */
static void check_fault_device(struct loader *l, struct doc_node *fn, const char *name)
{
        if (device_named(l->s, name))
                return;
        char buf[SCENARIO_MAX_NAME + 16];
        char list[512] = "";
        size_t len = 0;
        for (size_t i = 0; i < l->s->ndevices; i++) {
                const struct scenario_device *d = &l->s->devices[i];
                for (size_t c = 0; c < d->count; c++) {
                        if (d->count == 1)
                                snprintf(buf, sizeof(buf), "%s", d->model.name);
                        else
                                snprintf(buf, sizeof(buf), "%s%zu", d->model.name, c);
                        if (len + strlen(buf) + 8 < sizeof(list))
                                len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                                                        len ? ", " : "", buf);
                        else if (len + 4 < sizeof(list) && !strstr(list, "..."))
                                len += (size_t)snprintf(list + len, sizeof(list) - len, ", ...");
                }
        }
        doc_error(doc_get(fn, "device", DOC_OPTIONAL), "one of the devices (%s)", list);
}

void load_faults(struct loader *l, struct doc_node *root)
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
                        load_out_of_memory(l, fn);
                        return;
                }
                const struct scenario_device *on = device ? device_named(l->s, device) : NULL;
                uint64_t attach = on ? on->attach_ns : 0;
                if (load_read_duration(fn, "at", DOC_REQUIRED, 0, &f->fault.at_ns) == 0 &&
                    f->fault.at_ns < attach)
                        doc_error(doc_get(fn, "at", DOC_OPTIONAL),
                                  "a time at or after %s is attached (%.9g s)", device,
                                  (double)attach * 1e-9);
                int mode;
                if (doc_choice(fn, "mode", DOC_REQUIRED, fault_modes, &mode) == 0) {
                        f->fault.mode = fault_kinds[mode];
                        load_read_mode_params(fn, f->fault.mode, &f->fault.factor,
                                              &f->fault.probability);
                        if (f->fault.mode != DEVICE_FAULT_REMOVE &&
                            load_read_duration(fn, "for", DOC_OPTIONAL, 1, &f->fault.for_ns) == 0 &&
                            f->fault.at_ns > UINT64_MAX - f->fault.for_ns)
                                doc_error(doc_get(fn, "for", DOC_OPTIONAL),
                                          "a fault that ends below 2^64 ns (at + for)");
                }
                doc_check_keys(fn);
        }
}
