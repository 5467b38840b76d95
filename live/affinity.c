/*
 * live/affinity.c - CPU masks of the live platform's threads
 * (live/affinity.h), through the GNU affinity calls.
 */
#define _GNU_SOURCE
#include "live/affinity.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

_Static_assert(sizeof(cpu_set_t) <= sizeof(((struct live_affinity *)0)->mask),
               "struct live_affinity holds a cpu_set_t");

int live_affinity_save(struct live_affinity *a)
{
        cpu_set_t set;
        CPU_ZERO(&set);
        if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) != 0)
                return -1;
        memset(a, 0, sizeof(*a));
        memcpy(a->mask, &set, sizeof(set));
        return 0;
}

void live_affinity_restore(const struct live_affinity *a)
{
        cpu_set_t set;
        memcpy(&set, a->mask, sizeof(set));
        (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int live_affinity_cpus(const struct live_affinity *a, int *cpus, int cap)
{
        cpu_set_t set;
        memcpy(&set, a->mask, sizeof(set));
        int n = 0;
        for (int cpu = 0; cpu < CPU_SETSIZE && cpu < LIVE_MAX_CPUS; cpu++)
                if (CPU_ISSET(cpu, &set)) {
                        if (n < cap)
                                cpus[n] = cpu;
                        n++;
                }
        return n;
}

int live_pin_self(int cpu)
{
        if (cpu < 0 || cpu >= CPU_SETSIZE)
                return -1;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0 ? 0 : -1;
}
