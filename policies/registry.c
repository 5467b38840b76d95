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
extern const struct ac_balancer_ops ac_balancer_weighted_round_robin;
extern const struct ac_balancer_ops ac_balancer_random;
extern const struct ac_balancer_ops ac_balancer_shortest_expected_delay;
extern const struct ac_balancer_ops ac_balancer_power_of_two;
extern const struct ac_balancer_ops ac_balancer_size_split;
extern const struct ac_balancer_ops ac_balancer_primary_backup;

const struct ac_balancer_ops *const ac_balancers[] = {
    &ac_balancer_round_robin,
    &ac_balancer_least_loaded,
    &ac_balancer_weighted_round_robin,
    &ac_balancer_random,
    &ac_balancer_shortest_expected_delay,
    &ac_balancer_power_of_two,
    &ac_balancer_size_split,
    &ac_balancer_primary_backup,
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
