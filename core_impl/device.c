/*
 * device.c - devices: registration (ring slots, their watchdogs, the probe
 * and drain timers and the queue, all set up once), lookups, and the end
 * of a device's memory. What happens when a device fails, recovers or
 * leaves is in failover.c.
 *
 *   timer records   the engine's pool: taken at registration, given back
 *                   when the device is freed, freed with the engine
 *   names           a hash table of the devices not gone
 *   registration    device_new, ac_device_register
 *   release         ac_device_release, core_reap: a released device is
 *                   freed at the outermost core_leave once nothing in the
 *                   core holds it (no stage queued or in flight, no timer
 *                   armed, not on the failover lists)
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

/* ---- timer records: the engine's pool -------------------------------- */

void core_timer_fire(struct ac_timer *t)
{
        struct core_timer *ct = core_timer_of(t);
        struct ac_engine *eng = ct->eng; /* never changes: no lock needed */
        core_enter(eng);
        /* Only a current arming has a device behind it: a stale fire may
         * come for a record whose device was freed since. */
        if (core_timer_due(eng, ct)) {
                struct ac_device *dev = ct->dev;
                switch (ct->kind) {
                case CORE_TIMER_WATCHDOG:
                        core_watchdog_expired(eng, dev, &dev->slots[ct->slot]);
                        break;
                case CORE_TIMER_PROBE:
                        core_probe_due(eng, dev);
                        break;
                case CORE_TIMER_DRAIN:
                        core_drain_due(eng, dev);
                        break;
                case CORE_TIMER_BUSY:
                        core_busy_due(eng, dev);
                        break;
                }
        }
        core_leave(eng);
}

/* Returns a record for dev's timer of `kind` (slot for a watchdog), from
 * the pool or new, or NULL without memory. */
static struct core_timer *timer_take(struct ac_engine *eng, struct ac_device *dev,
                                     enum core_timer_kind kind, uint32_t slot)
{
        struct core_timer *ct = eng->timer_pool;
        if (ct) {
                eng->timer_pool = ct->next;
        } else {
                ct = calloc(1, sizeof(*ct));
                if (!ct)
                        return NULL;
                ct->t.fire = core_timer_fire;
                ct->eng = eng;
                ct->all = eng->timer_all;
                eng->timer_all = ct;
                eng->ntimers++;
        }
        ct->next = NULL;
        ct->dev = dev;
        ct->kind = kind;
        ct->slot = slot;
        return ct;
}

/* Cancels ct and puts it back in the pool (NULL: nothing). A fire of it
 * already under way finds it disarmed, or armed for its next owner. */
static void timer_give(struct ac_engine *eng, struct core_timer *ct)
{
        if (!ct)
                return;
        core_timer_cancel(eng, ct);
        ct->dev = NULL;
        ct->next = eng->timer_pool;
        eng->timer_pool = ct;
}

/* Gives back dev's records and frees its memory; dev holds nothing. */
static void device_free(struct ac_engine *eng, struct ac_device *dev)
{
        for (uint32_t i = 0; i < dev->view.ring; i++)
                timer_give(eng, dev->slots[i].watchdog);
        timer_give(eng, dev->probe);
        timer_give(eng, dev->drain);
        timer_give(eng, dev->busy_retry);
        free(dev->name);
        free(dev->block);
        eng->nheld--;
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
        dev->listed = false; /* out of the lists at their next build, which
                                may not see it (compacted away first) */
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

/* Makes room for one more device in the engine's arrays (doubling): the
 * index table holds every index ever given out (one pointer each), the
 * scans and the candidate scratch only the devices not gone, so hot-plug
 * churn does not grow them. */
static int grow(struct ac_engine *eng)
{
        if (eng->nlive == eng->caplive) {
                size_t cap = eng->caplive ? eng->caplive * 2 : 8;
                struct ac_device **live = realloc(eng->live, cap * sizeof(*live));
                if (!live)
                        return AC_ENOMEM;
                eng->live = live;
                struct ac_device **fallbacks = realloc(eng->fallbacks, cap * sizeof(*fallbacks));
                if (!fallbacks)
                        return AC_ENOMEM;
                eng->fallbacks = fallbacks;
                const struct ac_device_view **cand = realloc(eng->candidates, cap * sizeof(*cand));
                if (!cand)
                        return AC_ENOMEM;
                eng->candidates = cand;
                eng->caplive = cap;
        }
        if (eng->ndevices == eng->capdevices) {
                size_t cap = eng->capdevices ? eng->capdevices * 2 : 8;
                struct ac_device **devices = realloc(eng->devices, cap * sizeof(*devices));
                if (!devices)
                        return AC_ENOMEM;
                eng->devices = devices;
                eng->capdevices = cap;
        }
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
        /* The ring follows the device in one block: a completion finds
         * its slot at a fixed distance from the device, not behind a
         * pointer to be loaded first. The device starts a cache line, so
         * that its fields a stage touches span as few lines as they can
         * (see struct ac_device). */
        size_t size = sizeof(struct ac_device) + (size_t)cfg->ring * sizeof(struct ac_slot);
        void *block = calloc(1, size + DEVICE_ALIGN - 1);
        size_t len = strlen(cfg->name);
        char *name = malloc(len + 1);
        if (!block || !name) {
                free(block);
                free(name);
                return AC_ENOMEM;
        }
        struct ac_device *dev =
            (void *)(((uintptr_t)block + DEVICE_ALIGN - 1) & ~(uintptr_t)(DEVICE_ALIGN - 1));
        eng->nheld++;
        memcpy(name, cfg->name, len + 1);
        dev->block = block;
        dev->eng = eng;
        dev->name = name;
        dev->view.ring = cfg->ring; /* for device_free */
        bool ok = true;
        struct ac_slot *slots = dev->slots;
        for (uint32_t i = 0; i < cfg->ring; i++) {
                slots[i].next_free = i + 1 < cfg->ring ? i + 1 : AC_SLOT_NONE;
                /* Without a timeout no watchdog is ever armed, and its
                 * record is never needed. */
                if (!eng->cfg.failover.timeout_ns)
                        continue;
                slots[i].watchdog = timer_take(eng, dev, CORE_TIMER_WATCHDOG, i);
                ok = ok && slots[i].watchdog;
        }
        dev->probe = timer_take(eng, dev, CORE_TIMER_PROBE, 0);
        dev->drain = timer_take(eng, dev, CORE_TIMER_DRAIN, 0);
        dev->busy_retry = timer_take(eng, dev, CORE_TIMER_BUSY, 0);
        if (!ok || !dev->probe || !dev->drain || !dev->busy_retry) {
                device_free(eng, dev);
                return AC_ENOMEM;
        }
        dev->driver = cfg->driver;
        dev->driver_ctx = cfg->driver_ctx;
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

/* ---- release ------------------------------------------------------------ */

/* True when nothing in the core holds dev any more. */
static bool unreachable(const struct ac_device *dev)
{
        return dev->view.health == AC_DEV_GONE && dev->view.queued == 0 &&
               dev->view.in_flight == 0 && !dev->evac_pending && !dev->dispatching;
}

void core_reap(struct ac_engine *eng)
{
        struct ac_device **p = &eng->reap;
        while (*p) {
                struct ac_device *dev = *p;
                if (!unreachable(dev)) {
                        p = &dev->reap_next;
                        continue;
                }
                *p = dev->reap_next;
                /* Not in the scans any more (compacted first), nor in the
                 * name table (gone); its index stays, and finds nothing. */
                eng->devices[dev->view.index] = NULL;
                device_free(eng, dev);
        }
}

void ac_device_release(struct ac_device *dev)
{
        struct ac_engine *eng = dev->eng;
        core_enter(eng);
        if (!dev->released) {
                /* The caller will not answer for its stages any more:
                 * they move now, also from a driver without abort. */
                core_device_unplug(eng, dev);
                dev->released = true;
                dev->reap_next = eng->reap;
                eng->reap = dev;
        }
        core_leave(eng); /* frees dev, when it is the outermost entry point */
}

void core_devices_free(struct ac_engine *eng)
{
        for (size_t i = 0; i < eng->ndevices; i++)
                if (eng->devices[i])
                        device_free(eng, eng->devices[i]);
        while (eng->timer_all) {
                struct core_timer *ct = eng->timer_all;
                eng->timer_all = ct->all;
                free(ct);
        }
}

void ac_engine_memory(const struct ac_engine *eng, struct ac_engine_memory *out)
{
        core_lock(eng);
        *out = (struct ac_engine_memory){
            .devices = eng->nheld,
            .timers = eng->ntimers,
            .indexes = eng->ndevices,
        };
        core_unlock(eng);
}
