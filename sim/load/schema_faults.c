/*
 * sim/load/schema_faults.c - the `faults:` section: scheduled faults on
 * expanded device names (docs/scenarios.md, "faults").
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim/load/loader.h"

static const char *const fault_modes[] = {"fail-stop", "hang", "slow", "flaky", "remove", NULL};
static const enum device_fault_mode fault_kinds[] = {DEVICE_FAULT_FAIL_STOP, DEVICE_FAULT_HANG,
                                                     DEVICE_FAULT_SLOW, DEVICE_FAULT_FLAKY,
                                                     DEVICE_FAULT_REMOVE};

/* Returns the attach time of the expanded device called name (0 when it
 * is there from the start or unknown). */
static uint64_t attach_of(const struct scenario *s, const char *name)
{
        char buf[SCENARIO_MAX_NAME + 16];
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
        char buf[SCENARIO_MAX_NAME + 16];
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
                uint64_t attach = device ? attach_of(l->s, device) : 0;
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
