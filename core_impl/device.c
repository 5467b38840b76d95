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

/* ---- names: a chained hash table of the devices not gone -------------- */

static size_t name_hash(const char *name)
{
        uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
        for (const unsigned char *p = (const unsigned char *)name; *p; p++)
                h = (h ^ *p) * 0x100000001b3ull;
        return (size_t)h;
}

static struct ac_device *name_find(const struct ac_engine *eng, const char *name)
{
        if (!eng->nnames)
                return NULL;
        struct ac_device *d = eng->names[name_hash(name) & (eng->nnames - 1)];
        while (d && strcmp(d->name, name) != 0)
                d = d->name_next;
        return d;
}

static void name_link(struct ac_engine *eng, struct ac_device *dev)
{
        size_t b = name_hash(dev->name) & (eng->nnames - 1);
        dev->name_next = eng->names[b];
        eng->names[b] = dev;
}

/* Makes room for one more name: at most one per bucket on average, the
 * table doubling (amortised O(1) a registration). */
static int names_grow(struct ac_engine *eng)
{
        if (eng->nlive < eng->nnames)
                return 0;
        size_t n = eng->nnames ? eng->nnames * 2 : 16;
        struct ac_device **names = calloc(n, sizeof(*names));
        if (!names)
                return AC_ENOMEM;
        struct ac_device **old = eng->names;
        size_t nold = eng->nnames;
        eng->names = names;
        eng->nnames = n;
        for (size_t i = 0; i < nold; i++)
                for (struct ac_device *d = old[i], *next; d; d = next) {
                        next = d->name_next;
                        name_link(eng, d);
                }
        free(old);
        return 0;
}

static void name_unlink(struct ac_engine *eng, struct ac_device *dev)
{
        struct ac_device **p = &eng->names[name_hash(dev->name) & (eng->nnames - 1)];
        while (*p && *p != dev)
                p = &(*p)->name_next;
        if (*p)
                *p = dev->name_next;
        dev->name_next = NULL;
}

void core_device_gone(struct ac_engine *eng, struct ac_device *dev)
{
        name_unlink(eng, dev);
        eng->live_stale = true;
}

static size_t compact(struct ac_device **devs, size_t n)
{
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (devs[i]->view.health != AC_DEV_GONE)
                        devs[k++] = devs[i];
        return k;
}

void core_live_compact(struct ac_engine *eng)
{
        if (!eng->live_stale)
                return;
        eng->nlive = compact(eng->live, eng->nlive);
        eng->nfallbacks = compact(eng->fallbacks, eng->nfallbacks);
        eng->live_stale = false;
}

/* ---- registration ------------------------------------------------------- */

/* Makes room for one more device in the engine's arrays (doubling). */
static int grow(struct ac_engine *eng)
{
        if (eng->ndevices < eng->capdevices)
                return 0;
        size_t cap = eng->capdevices ? eng->capdevices * 2 : 8;
        struct ac_device **live = realloc(eng->live, cap * sizeof(*live));
        if (!live)
                return AC_ENOMEM;
        eng->live = live;
        struct ac_device **fallbacks = realloc(eng->fallbacks, cap * sizeof(*fallbacks));
        if (!fallbacks)
                return AC_ENOMEM;
        eng->fallbacks = fallbacks;
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
        if (name_find(eng, cfg->name))
                return AC_EEXIST; /* a gone device's name is free again */
        uint64_t caps = 0;
        for (size_t i = 0; i < cfg->nops; i++) {
                int id = core_op_intern(eng, cfg->ops[i]);
                if (id < 0)
                        return id;
                caps |= (uint64_t)1 << id;
        }
        int rc = grow(eng);
        if (rc == 0)
                rc = names_grow(eng);
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
        eng->live[eng->nlive++] = dev;
        if (cfg->fallback)
                eng->fallbacks[eng->nfallbacks++] = dev;
        name_link(eng, dev);
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
                core_trace_device(eng, dev, AC_DEVICE_ADDED, AC_FAIL_NONE, 0);
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
