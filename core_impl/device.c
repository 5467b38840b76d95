/*
 * device.c - devices: registration (ring slots, their watchdogs, the probe
 * and drain timers and the queue, all set up once) and lookups. What
 * happens when a device fails, recovers or leaves is in failover.c.
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
                slots[i].watchdog.t.fire = core_watchdog_fire;
                slots[i].next_free = i + 1 < cfg->ring ? i + 1 : AC_SLOT_NONE;
        }
        dev->eng = eng;
        dev->name = name;
        dev->driver = cfg->driver;
        dev->driver_ctx = cfg->driver_ctx;
        dev->slots = slots;
        dev->free_slot = 0;
        dev->probe.t.fire = core_probe_fire;
        dev->drain.t.fire = core_drain_fire;
        dev->busy_retry.t.fire = core_busy_fire;
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

int ac_device_register(struct ac_engine *eng, const struct ac_device_config *cfg,
                       struct ac_device **out)
{
        if (!eng || !out || !config_valid(cfg))
                return AC_EINVAL;
        core_enter(eng);
        struct ac_device *dev = NULL;
        int rc = eng->closing ? AC_ESHUTDOWN : device_new(eng, cfg, &dev);
        if (rc == 0) {
                *out = dev;
                core_notify(eng, dev);
                /* A new device takes what waits in the backlog, and what a
                 * fallback device holds that hardware should do. */
                core_backlog_pull(eng, dev);
                if (!dev->view.fallback)
                        core_give_back(eng, dev);
        }
        core_leave(eng);
        return rc;
}

/* The name and the index never change: no lock. */
const char *ac_device_name(const struct ac_device *dev)
{
        return dev->name;
}

enum ac_health ac_device_health(const struct ac_device *dev)
{
        core_lock(dev->eng);
        enum ac_health h = dev->view.health;
        core_unlock(dev->eng);
        return h;
}

uint32_t ac_device_index(const struct ac_device *dev)
{
        return dev->view.index;
}
