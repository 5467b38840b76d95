/*
 * live/affinity.h - where the live platform's threads run: a thread pins
 * itself to one CPU, and a run saves and restores the mask it started
 * with. `acsim live --pin` and `acsim calibrate --pin` use it to keep a
 * device's lanes on CPUs of their own and every other thread of the run
 * on the first CPU allowed (docs/live.md, "Pinned lanes").
 */
#ifndef LIVE_AFFINITY_H
#define LIVE_AFFINITY_H

#include <stdbool.h>

#define LIVE_MAX_CPUS 1024

/* A thread's CPU mask, kept opaque (cpu_set_t needs _GNU_SOURCE). */
struct live_affinity {
        unsigned long long mask[LIVE_MAX_CPUS / 64];
};

/* Saves the calling thread's mask into *a. Returns 0, or -1. */
int live_affinity_save(struct live_affinity *a);

/* Gives the calling thread the mask *a again. */
void live_affinity_restore(const struct live_affinity *a);

/* Writes the CPUs *a allows, ascending, into cpus (at most cap); returns
 * how many it allows. */
int live_affinity_cpus(const struct live_affinity *a, int *cpus, int cap);

/* Pins the calling thread to CPU cpu. Returns 0, or -1. */
int live_pin_self(int cpu);

#endif
