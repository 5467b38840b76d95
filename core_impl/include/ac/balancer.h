/*
 * ac/balancer.h - the pluggable load balancer interface.
 *
 * A balancer is a const ops table with a name and a description, one file
 * per balancer under policies/, registered in the one table in
 * policies/registry.c and chosen by name when the engine is created. It
 * picks a device for a stage among candidates the core has already
 * filtered: healthy, capable of the stage's operation, with room in their
 * queue. It sees each device through a read-only view.
 *
 * Two ways to read the candidates. A balancer that reads every candidate
 * (weighted credits, groups by name) takes them as an array,
 * p->candidates, always there unless it sets AC_BALANCER_SAMPLES. One that
 * needs only a few declares so with that flag and reads them through
 * ac_pick_candidate(), ac_pick_rank() and ac_pick_least_loaded(), which
 * the core answers from its index of the eligible devices in O(log n) or
 * less, so the cost of a pick does not grow with the number of devices;
 * p->candidates may then be NULL (docs/policies.md).
 */
#ifndef AC_BALANCER_H
#define AC_BALANCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ac/device.h"

/* A read-only view of one device, kept current by the core.
 *
 * The order of the fields is the core's (an ABI matter, not an API one:
 * read them by name). The view lives inside the core's device, which lays
 * out its cache lines around it (core_impl/core.h): the name, rarely read,
 * comes first, then what a placement reads (index, health, fallback, the
 * queue's bound and length, the load), then what completions move. */
struct ac_device_view {
        const char *name;
        uint32_t weight; /* declared capacity */
        uint32_t ring;   /* hardware ring depth */
        uint32_t index;  /* registration order within the engine */
        enum ac_health health;
        bool fallback;
        uint32_t queue_depth;     /* software queue bound */
        uint32_t queued;          /* stages in the software queue now */
        uint32_t in_flight;       /* stages submitted to the device now */
        uint64_t queued_bytes;    /* payload of the queued stages */
        uint64_t in_flight_bytes; /* ... and of those in flight */
        uint64_t capabilities;    /* bit i set: can do operation id i */
        double service_ns;        /* moving average of a stage's service time, 0 until known */
        double ns_per_byte;       /* moving average of service time per byte, 0 until known */
        uint64_t completed;       /* stages completed ok so far */
};

/* The core's index of the candidates of a pick (opaque). */
struct ac_eligible;

/* One stage to place, and where it may go. */
struct ac_pick {
        uint32_t op; /* interned operation id */
        uint64_t bytes;
        uint8_t priority;
        uint64_t flow;
        uint32_t stage;                                 /* index in the chain */
        const struct ac_device_view *previous;          /* device of the previous stage, or NULL */
        const struct ac_device_view *const *candidates; /* healthy, capable, queue not full;
                                                           ascending index; NULL only for
                                                           an AC_BALANCER_SAMPLES balancer */
        size_t ncandidates;                             /* >= 1 */
        const struct ac_eligible *index;                /* the core's, or NULL: read through the
                                                           ac_pick_ functions below */
};

/* ac_balancer_ops.flags */
enum {
        /* The balancer reads candidates only through ac_pick_candidate(),
         * ac_pick_rank() and ac_pick_least_loaded(), never p->candidates. */
        AC_BALANCER_SAMPLES = 1u << 0,
        /* It calls ac_pick_load(): the core keeps each candidate's load
         * in its index, next to the others' (a leaf written at every load
         * change, O(1)). */
        AC_BALANCER_LOADS = 1u << 1,
        /* It calls ac_pick_least_loaded() over many candidates: the core
         * also keeps the least load under every node of its index, which
         * answers that in O(log n) (O(log n) at every load change). Implies
         * AC_BALANCER_LOADS. */
        AC_BALANCER_LEAST = 1u << 2,
        /* It has a keys op and calls ac_pick_least(): the core keeps, under
         * every node of its index, the least of each of the balancer's keys
         * over the candidates there (O(log n) at every change of a view).
         * Implies AC_BALANCER_SAMPLES. */
        AC_BALANCER_KEYS = 1u << 3,
        /* Its pick of a lone candidate is that candidate, and it keeps no
         * state from such a pick: the core places a stage that has one
         * candidate without calling pick. */
        AC_BALANCER_ONE = 1u << 4,
};

/* How many keys a balancer's keys op fills (AC_BALANCER_KEYS). */
#define AC_PICK_KEYS 16

/* A policy option given by the user, as text (from engine.policy_options). */
struct ac_option {
        const char *key;
        const char *value;
};

/* An option a balancer understands; unknown keys are refused at create. */
struct ac_option_spec {
        const char *key;
        const char *help; /* one line, with the default */
};

/* What a balancer's init gets: its options and the platform's randomness. */
struct ac_balancer_env {
        const struct ac_option *options;
        size_t noptions;
        uint64_t (*random_u64)(void *ctx); /* NULL if the platform has none */
        void *random_ctx;
        const struct ac_device_view *const *devices; /* all registered devices */
        size_t ndevices;
};

struct ac_balancer_ops {
        const char *name;                     /* e.g. "least-loaded" */
        const char *description;              /* one line */
        const struct ac_option_spec *options; /* NULL-key terminated, or NULL */
        size_t priv_size;                     /* private state the core allocates, zeroed */
        /* Required. Reads options; returns 0 or a negative code. */
        int (*init)(void *priv, const struct ac_balancer_env *env);
        /* Required. Returns the index into p->candidates of the chosen
         * device. Must not fail: candidates is never empty. */
        size_t (*pick)(void *priv, const struct ac_pick *p);
        /* Optional. A stage completed on dev (status 0 ok) after service_ns. */
        void (*completed)(void *priv, const struct ac_device_view *dev, int status,
                          uint64_t service_ns);
        /* Optional. dev was added, failed, recovered or removed. */
        void (*device_changed)(void *priv, const struct ac_device_view *dev);
        /* Optional. Releases what init took (beyond priv itself). */
        void (*fini)(void *priv);
        uint32_t flags; /* AC_BALANCER_*; 0: reads the candidate array */
        /* Required with AC_BALANCER_KEYS, else unused. Fills out with the
         * keys of a device with queue room, from its view alone (no state:
         * the core calls it whenever the view changed, lock held). The
         * core keeps their least values under every node of its index, for
         * the bounds of ac_pick_least(). An unused key is INFINITY. */
        void (*keys)(const struct ac_device_view *v, double out[AC_PICK_KEYS]);
};

/* The candidate at position i (0 <= i < p->ncandidates): candidates come
 * in ascending registration index. O(log n) from the index, O(1) from
 * the array. */
const struct ac_device_view *ac_pick_candidate(const struct ac_pick *p, size_t i);
/* Returns how many candidates have a registration index below `index`:
 * the position of the first candidate at or after it (ncandidates when
 * none is). O(log n). */
size_t ac_pick_rank(const struct ac_pick *p, uint32_t index);
/* The load (queued plus in flight) of the candidate at position i: for
 * an AC_BALANCER_LOADS balancer read from the core's index, which stays
 * in the caches where the device's view may not. */
uint64_t ac_pick_load(const struct ac_pick *p, size_t i);
/* Returns the position of the least loaded candidate (queued plus in
 * flight), the first of them in registration order on a tie. O(log n)
 * from the index of an AC_BALANCER_LEAST balancer, else a scan. */
size_t ac_pick_least_loaded(const struct ac_pick *p);

/* The least of each key (AC_BALANCER_KEYS) over every candidate of the
 * pick, or NULL when the core keeps no keys for it: it handed over the
 * array instead of its index, or the operation has fewer than 64 eligible
 * devices, where a scan costs less than the keys' upkeep (then the
 * balancer scans). O(1). */
const double *ac_pick_key_mins(const struct ac_pick *p);
/* Returns the position of the candidate with the least value(v, ctx), the
 * first of them in registration order on a tie: exactly what a scan of
 * every candidate with a strict `<` returns. From the index of an
 * AC_BALANCER_KEYS balancer it visits only the subtrees whose bound(mins,
 * ctx), given the least keys under them, is not above the best value found
 * so far; bound must therefore never exceed value() of a candidate whose
 * keys are all at or above mins (allow for rounding). Without keys, a
 * scan. */
size_t ac_pick_least(const struct ac_pick *p,
                     double (*value)(const struct ac_device_view *v, const void *ctx),
                     double (*bound)(const double *mins, const void *ctx), const void *ctx);

/* The registry: every built-in balancer, in a NULL-terminated table. */
extern const struct ac_balancer_ops *const ac_balancers[];

/* Returns the balancer registered under name, or NULL. */
const struct ac_balancer_ops *ac_balancer_find(const char *name);

/* Option helpers for balancers: parse key's value if given. Return 0 (and
 * leave *out unchanged when the key is absent) or AC_EINVAL/AC_ERANGE. */
int ac_option_u64(const struct ac_balancer_env *env, const char *key, uint64_t min, uint64_t max,
                  uint64_t *out);
int ac_option_double(const struct ac_balancer_env *env, const char *key, double min, double max,
                     double *out);
/* Returns the raw text of key, or NULL when absent. */
const char *ac_option_str(const struct ac_balancer_env *env, const char *key);

#endif
