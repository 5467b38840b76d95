/*
 * registry.c - the one table of built-in balancers, found by name.
 *
 * Adding a balancer: write policies/<name>.c exporting one const struct
 * ac_balancer_ops, declare it below and add one line to the table.
 */
#include <string.h>

#include "ac/balancer.h"

extern const struct ac_balancer_ops ac_balancer_round_robin;
extern const struct ac_balancer_ops ac_balancer_least_loaded;

const struct ac_balancer_ops *const ac_balancers[] = {
    &ac_balancer_round_robin,
    &ac_balancer_least_loaded,
    NULL,
};

const struct ac_balancer_ops *ac_balancer_find(const char *name)
{
        if (!name)
                return NULL;
        for (size_t i = 0; ac_balancers[i]; i++)
                if (strcmp(ac_balancers[i]->name, name) == 0)
                        return ac_balancers[i];
        return NULL;
}
