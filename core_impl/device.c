/*
 * device.c - devices: registration (ring slots and queue set up once), and
 * the state changes a device or its owner reports: failed, recovered,
 * removed, unregistered.
 *
 * Moving work off a device here is the plain version: queued stages (and,
 * when the device is gone or failed, in-flight ones) are routed again at
 * once through the balancer. Watchdogs, retry budgets, probing and drain
 * deadlines belong to failover and hook in at the same places.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

static bool config_valid(const struct ac_device_config *cfg)
{
        if (!cfg || !cfg->name || !*cfg->name || !cfg->ops || cfg->nops == 0 || cfg->ring == 0 ||
            !cfg->driver || !cfg->driver->submit)
                return false;
        for (size_t i = 0; i < cfg->nops; i++)
                if (!cfg->ops[i] || !*cfg->ops[i])
                        return false;
        return true;
}

/* Makes room for one more device in the engine's arrays. */
static int grow(struct ac_engine *eng)
{
        if (eng->ndevices < eng->capdevices)
                return 0;
        size_t cap = eng->capdevices ? eng->capdevices * 2 : 8;
        struct ac_device **devices = realloc(eng->devices, cap * sizeof(*devices));
        if (!devices)
                return AC_ENOMEM;
        eng->devices = devices;
        const struct ac_device_view **views = realloc(eng->views, cap * sizeof(*views));
        if (!views)
                return AC_ENOMEM;
        eng->views = views;
        const struct ac_device_view **cand = realloc(eng->candidates, cap * sizeof(*cand));
        if (!cand)
                return AC_ENOMEM;
        eng->candidates = cand;
        eng->capdevices = cap;
        return 0;
}

static int device_new(struct ac_engine *eng, const struct ac_device_config *cfg,
                      struct ac_device **out)
{
        for (size_t i = 0; i < eng->ndevices; i++)
                if (strcmp(eng->devices[i]->name, cfg->name) == 0)
                        return AC_EEXIST;
        uint64_t caps = 0;
        for (size_t i = 0; i < cfg->nops; i++) {
                int id = core_op_intern(eng, cfg->ops[i]);
                if (id < 0)
                        return id;
                caps |= (uint64_t)1 << id;
        }
        int rc = grow(eng);
        if (rc < 0)
                return rc;
        struct ac_device *dev = calloc(1, sizeof(*dev));
        size_t len = strlen(cfg->name);
        char *name = malloc(len + 1);
        struct ac_slot *slots = calloc(cfg->ring, sizeof(*slots));
        if (!dev || !name || !slots) {
                free(dev);
                free(name);
                free(slots);
                return AC_ENOMEM;
        }
        memcpy(name, cfg->name, len + 1);
        for (uint32_t i = 0; i < cfg->ring; i++) {
                slots[i].dev = dev;
                slots[i].next_free = i + 1 < cfg->ring ? i + 1 : AC_SLOT_NONE;
        }
        dev->eng = eng;
        dev->name = name;
        dev->driver = cfg->driver;
        dev->driver_ctx = cfg->driver_ctx;
        dev->slots = slots;
        dev->free_slot = 0;
        dev->view = (struct ac_device_view){
            .name = name,
            .index = (uint32_t)eng->ndevices,
            .health = AC_DEV_HEALTHY,
            .fallback = cfg->fallback,
            .weight = cfg->weight ? cfg->weight : 1,
            .ring = cfg->ring,
            .queue_depth = eng->cfg.queue_depth,
            .capabilities = caps,
        };
        eng->devices[eng->ndevices] = dev;
        eng->views[eng->ndevices] = &dev->view;
        eng->ndevices++;
        *out = dev;
        return 0;
}

static void notify(struct ac_engine *eng, struct ac_device *dev)
{
        if (eng->balancer->device_changed)
                eng->balancer->device_changed(eng->balancer_priv, &dev->view);
}

int ac_device_register(struct ac_engine *eng, const struct ac_device_config *cfg,
                       struct ac_device **out)
{
        if (!eng || !out || !config_valid(cfg))
                return AC_EINVAL;
        core_lock(eng);
        struct ac_device *dev = NULL;
        int rc = device_new(eng, cfg, &dev);
        if (rc == 0) {
                *out = dev;
                notify(eng, dev);
                /* A new device may take what waits in the backlog. */
                core_backlog_pull(eng, dev);
        }
        core_leave(eng);
        return rc;
}

/* Moves dev's queued stages, and its in-flight ones when `in_flight`, to
 * other devices. The ring slots given up bump their generation, so a late
 * completion from dev is recognised and ignored. */
static void evacuate(struct ac_engine *eng, struct ac_device *dev, bool in_flight)
{
        struct ac_request *req;
        while ((req = queue_peek(&dev->queue, 0, 0)) != NULL) {
                core_stage_unqueue(eng, dev, req);
                dev->stats.migrated_out++;
                eng->stats.migrated++;
                req->migrations++;
                core_reroute(eng, req, NULL);
        }
        if (!in_flight)
                return;
        for (uint32_t i = 0; i < dev->view.ring; i++) {
                struct ac_slot *s = &dev->slots[i];
                if (!s->req)
                        continue;
                uint64_t tag = (uint64_t)i | (uint64_t)s->generation << 32;
                req = core_stage_recall(eng, dev, s);
                if (dev->driver->abort)
                        dev->driver->abort(dev->driver_ctx, dev, tag);
                dev->stats.migrated_out++;
                eng->stats.migrated++;
                req->migrations++;
                core_reroute(eng, req, NULL);
        }
}

void ac_device_failed(struct ac_device *dev, int reason)
{
        struct ac_engine *eng = dev->eng;
        (void)reason;
        core_lock(eng);
        if (dev->view.health == AC_DEV_HEALTHY) {
                dev->view.health = AC_DEV_FAILED;
                dev->failed_since = core_now(eng);
                dev->stats.failures++;
                notify(eng, dev);
                evacuate(eng, dev, true);
        }
        core_leave(eng);
}

void ac_device_recovered(struct ac_device *dev)
{
        struct ac_engine *eng = dev->eng;
        core_lock(eng);
        if (dev->view.health == AC_DEV_FAILED) {
                dev->view.health = AC_DEV_HEALTHY;
                dev->stats.failed_ns += core_now(eng) - dev->failed_since;
                notify(eng, dev);
                core_ring_fill(eng, dev);
                core_backlog_pull(eng, dev);
        }
        core_leave(eng);
}

void core_device_drained(struct ac_engine *eng, struct ac_device *dev)
{
        if (dev->view.health == AC_DEV_DRAINING && dev->view.in_flight == 0) {
                dev->view.health = AC_DEV_GONE;
                notify(eng, dev);
        }
}

/* Takes dev out of service; its queued stages move now, its in-flight ones
 * too unless they may drain. A draining device can still be removed. */
static void take_out(struct ac_engine *eng, struct ac_device *dev, bool drain)
{
        enum ac_health h = dev->view.health;
        if (h == AC_DEV_GONE || (h == AC_DEV_DRAINING && drain))
                return;
        if (h == AC_DEV_FAILED)
                dev->stats.failed_ns += core_now(eng) - dev->failed_since;
        dev->view.health = drain ? AC_DEV_DRAINING : AC_DEV_GONE;
        notify(eng, dev);
        evacuate(eng, dev, !drain);
        core_device_drained(eng, dev);
}

int ac_device_unregister(struct ac_device *dev, uint64_t drain_ns)
{
        if (!dev)
                return AC_EINVAL;
        struct ac_engine *eng = dev->eng;
        (void)drain_ns; /* the deadline belongs to failover */
        core_lock(eng);
        int rc = dev->view.health == AC_DEV_GONE ? AC_EINVAL : 0;
        take_out(eng, dev, true);
        core_leave(eng);
        return rc;
}

void ac_device_removed(struct ac_device *dev)
{
        struct ac_engine *eng = dev->eng;
        core_lock(eng);
        take_out(eng, dev, false);
        core_leave(eng);
}

const char *ac_device_name(const struct ac_device *dev)
{
        return dev->name;
}

enum ac_health ac_device_health(const struct ac_device *dev)
{
        return dev->view.health;
}

uint32_t ac_device_index(const struct ac_device *dev)
{
        return dev->view.index;
}
