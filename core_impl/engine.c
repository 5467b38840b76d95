/*
 * engine.c - the engine's life: configuration defaults and checks, create
 * and destroy, operation names, device lookup, statistics.
 *
 * Everything allocated here is allocated once (at create, or when a device
 * or an operation name is added), never on the request path.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

void ac_engine_config_defaults(struct ac_engine_config *cfg)
{
        memset(cfg, 0, sizeof(*cfg));
        cfg->policy = "least-loaded";
        cfg->queue_depth = 256;
        cfg->backlog = 1024;
        cfg->priority_levels = 3;
        cfg->aging_ns = 0;
        cfg->failover.timeout_ns = 5000000;
        cfg->failover.retries = 3;
        cfg->failover.errors_to_fail = 1;
        cfg->failover.probe_ns = 100000000;
        cfg->failover.drain_ns = 10000000;
        cfg->failover.busy_ns = 10000;
}

static bool platform_valid(const struct ac_platform *p)
{
        const struct ac_platform_ops *ops = p->ops;
        if (!ops || !ops->now_ns || !ops->timer_arm || !ops->timer_cancel)
                return false;
        return (ops->lock == NULL) == (ops->unlock == NULL);
}

/* Returns 0 when every option key is one the balancer declares, once. */
static int options_valid(const struct ac_balancer_ops *b, const struct ac_engine_config *cfg)
{
        if (cfg->npolicy_options && !cfg->policy_options)
                return AC_EINVAL;
        for (size_t i = 0; i < cfg->npolicy_options; i++) {
                const struct ac_option *o = &cfg->policy_options[i];
                if (!o->key || !o->value)
                        return AC_EINVAL;
                bool known = false;
                for (const struct ac_option_spec *s = b->options; s && s->key; s++)
                        if (strcmp(s->key, o->key) == 0)
                                known = true;
                if (!known)
                        return AC_EINVAL;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(cfg->policy_options[j].key, o->key) == 0)
                                return AC_EINVAL;
        }
        return 0;
}

int ac_engine_create(const struct ac_engine_config *cfg, struct ac_engine **out)
{
        if (!cfg || !out || !cfg->policy || !platform_valid(&cfg->platform) ||
            cfg->queue_depth == 0 || cfg->priority_levels == 0 ||
            cfg->priority_levels > AC_MAX_LEVELS || cfg->failover.errors_to_fail == 0)
                return AC_EINVAL;
        const struct ac_balancer_ops *b = ac_balancer_find(cfg->policy);
        if (!b)
                return AC_ENOENT;
        if (!b->init || !b->pick || ((b->flags & AC_BALANCER_KEYS) && !b->keys))
                return AC_EINVAL;
        int rc = options_valid(b, cfg);
        if (rc < 0)
                return rc;

        struct ac_engine *eng = calloc(1, sizeof(*eng));
        if (!eng)
                return AC_ENOMEM;
        eng->cfg = *cfg;
        backlog_init(&eng->backlog);
        eng->cfg.policy = b->name;
        eng->cfg.policy_options = NULL;
        eng->cfg.npolicy_options = 0;
        eng->platform = cfg->platform;
        eng->balancer = b;
        if (b->priv_size) {
                eng->balancer_priv = calloc(1, b->priv_size);
                if (!eng->balancer_priv) {
                        free(eng);
                        return AC_ENOMEM;
                }
        }
        struct ac_balancer_env env = {
            .options = cfg->policy_options,
            .noptions = cfg->npolicy_options,
            .random_u64 = cfg->platform.ops->random_u64,
            .random_ctx = cfg->platform.ctx,
            .devices = NULL,
            .ndevices = 0,
        };
        rc = b->init(eng->balancer_priv, &env);
        if (rc == 0 && cfg->flow_order) {
                rc = core_flow_init(eng);
                if (rc < 0 && b->fini)
                        b->fini(eng->balancer_priv);
        }
        if (rc < 0) {
                free(eng->balancer_priv);
                free(eng);
                return rc;
        }
        *out = eng;
        return 0;
}

void ac_engine_destroy(struct ac_engine *eng)
{
        if (!eng)
                return;
        core_devices_free(eng); /* cancels their timers */
        if (eng->balancer->fini)
                eng->balancer->fini(eng->balancer_priv);
        free(eng->balancer_priv);
        for (uint32_t i = 0; i < eng->nops; i++)
                free(eng->ops[i]);
        free(eng->devices);
        free(eng->live);
        free(eng->fallbacks);
        free(eng->names);
        free(eng->candidates);
        core_eligible_free(eng);
        free(eng->flows);
        free(eng);
}

/* ---- operation names ------------------------------------------------- */

static int op_find(const struct ac_engine *eng, const char *name)
{
        for (uint32_t i = 0; i < eng->nops; i++)
                if (strcmp(eng->ops[i], name) == 0)
                        return (int)i;
        return AC_ENOENT;
}

/* Interns with the lock held. */
int core_op_intern(struct ac_engine *eng, const char *name)
{
        if (!name || !*name)
                return AC_EINVAL;
        int id = op_find(eng, name);
        if (id >= 0)
                return id;
        if (eng->nops == AC_MAX_OPS)
                return AC_ENOSPC;
        size_t len = strlen(name);
        char *copy = malloc(len + 1);
        if (!copy)
                return AC_ENOMEM;
        memcpy(copy, name, len + 1);
        eng->ops[eng->nops] = copy;
        return (int)eng->nops++;
}

int ac_op_intern(struct ac_engine *eng, const char *name)
{
        core_lock(eng);
        int id = core_op_intern(eng, name);
        core_unlock(eng);
        return id;
}

int ac_op_lookup(const struct ac_engine *eng, const char *name)
{
        if (!name)
                return AC_EINVAL;
        core_lock(eng);
        int id = op_find(eng, name);
        core_unlock(eng);
        return id;
}

const char *ac_op_name(const struct ac_engine *eng, uint32_t op)
{
        /* A name, once interned, stays until destroy; the table grows. */
        core_lock(eng);
        const char *name = op < eng->nops ? eng->ops[op] : NULL;
        core_unlock(eng);
        return name;
}

/* ---- lookups ---------------------------------------------------------- */

static bool idle(const struct ac_engine *eng)
{
        return eng->stats.queued == 0 && eng->stats.backlog == 0 && eng->stats.in_flight == 0 &&
               eng->stats.held == 0 && !eng->done_head;
}

bool ac_engine_idle(const struct ac_engine *eng)
{
        core_lock(eng);
        bool r = idle(eng);
        core_unlock(eng);
        return r;
}

bool core_quiescent(const struct ac_engine *eng)
{
        return idle(eng) && eng->depth == 0 && !eng->draining && !eng->deferred && eng->timers == 0;
}

void core_idle_tell(struct ac_engine *eng)
{
        if (eng->idle_told || !core_quiescent(eng))
                return;
        eng->idle_told = true;
        if (eng->platform.ops->idle)
                eng->platform.ops->idle(eng->platform.ctx);
}

bool ac_engine_quiescent(const struct ac_engine *eng)
{
        core_lock(eng);
        bool r = core_quiescent(eng);
        core_unlock(eng);
        return r;
}

int ac_engine_shutdown(struct ac_engine *eng)
{
        core_lock(eng);
        eng->closing = true;
        /* Failed devices are probed no more; the rest of the work goes on
         * to its end. */
        for (size_t i = 0; i < eng->ndevices; i++)
                if (eng->devices[i])
                        core_timer_cancel(eng, eng->devices[i]->probe);
        core_idle_check(eng);
        core_unlock(eng);
        return 0;
}

/* The device array is reallocated by registration: read under the lock. */
size_t ac_engine_ndevices(const struct ac_engine *eng)
{
        core_lock(eng);
        size_t n = eng->ndevices;
        core_unlock(eng);
        return n;
}

struct ac_device *ac_engine_device(const struct ac_engine *eng, size_t i)
{
        core_lock(eng);
        struct ac_device *dev = i < eng->ndevices ? eng->devices[i] : NULL;
        core_unlock(eng);
        return dev;
}

const struct ac_device_view *ac_device_view(const struct ac_device *dev)
{
        core_lock(dev->eng);
        const struct ac_device_view *v = &dev->view;
        core_unlock(dev->eng);
        return v;
}

void ac_device_view_get(const struct ac_device *dev, struct ac_device_view *out)
{
        core_lock(dev->eng);
        *out = dev->view;
        core_unlock(dev->eng);
}

const struct ac_balancer_ops *ac_engine_balancer(const struct ac_engine *eng)
{
        return eng->balancer;
}

/* ---- statistics -------------------------------------------------------- */

void ac_engine_get_stats(const struct ac_engine *eng, struct ac_engine_stats *out)
{
        core_lock(eng);
        *out = eng->stats;
        core_unlock(eng);
}

void ac_device_get_stats(const struct ac_device *dev, struct ac_device_stats *out)
{
        const struct ac_engine *eng = dev->eng;
        core_lock(eng);
        uint64_t now = core_now(eng);
        *out = dev->stats;
        out->enqueued = dev->enqueued;
        out->dispatched = dev->dispatched;
        out->completed = dev->view.completed;
        out->busy_ns = dev->busy_ns;
        out->queued = dev->view.queued;
        out->in_flight = dev->view.in_flight;
        if (dev->view.in_flight > 0)
                out->busy_ns += now - dev->busy_since;
        if (dev->view.health == AC_DEV_FAILED)
                out->failed_ns += now - dev->failed_since;
        core_unlock(eng);
}

int ac_level_get_stats(const struct ac_engine *eng, uint32_t level, struct ac_level_stats *out)
{
        if (level >= eng->cfg.priority_levels)
                return AC_EINVAL;
        core_lock(eng);
        *out = eng->levels[level];
        core_unlock(eng);
        return 0;
}
