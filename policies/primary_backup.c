/*
 * primary_backup.c - "primary-backup": every stage to the primary device
 * while it can take it, else to the backup, in the manner of a fail-over
 * mode: one card does the work, a second stands by.
 *
 * The primary can take a stage while it is a candidate (healthy, capable,
 * room in its queue). With spill=ring it must also have a free ring slot:
 * work then spills to the backup as soon as the primary's hardware ring is
 * full instead of queueing behind it, which trades the backup's idleness
 * for the primary's queueing delay. The order of preference is:
 *
 *   1. the primary, if it can take the stage (and, with spill=ring, has a
 *      free ring slot);
 *   2. the backup, if it is a candidate;
 *   3. the primary, if it is a candidate at all (spill=ring, backup away);
 *   4. the least loaded of the other candidates (queued plus in flight,
 *      ties to the earliest registered), so a stage is never refused while
 *      some device could take it.
 *
 * Work returns to the primary by itself: every pick looks again, so once
 * it recovers or its queue drains it is chosen first.
 *
 * A pick reads two candidates by rank and, in case 4, the core's index of
 * the least loaded (ac_pick_least_loaded): O(log n), no scan.
 *
 * Devices are named by options; unset, the primary is the first registered
 * device and the backup the next one (the first and second that the other
 * option does not name). Names are matched as devices are
 * added (devices register after the engine starts), so a name that matches
 * no device is not an error: it simply never wins, and preference 4
 * decides.
 */
#include <string.h>

#include "ac/balancer.h"
#include "ac/error.h"

#define PB_NAME 64 /* room for a device name, with its NUL */
#define PB_NONE UINT32_MAX

enum { PRIMARY, BACKUP };

struct pb {
        char name[2][PB_NAME]; /* "" when unset: by registration order */
        uint32_t index[2];     /* registration index, PB_NONE until seen */
        bool spill_ring;       /* spill when the primary's ring is full */
};

static const struct ac_option_spec pb_options[] = {
    {"primary", "device that takes all work while it can (default the first registered)"},
    {"backup", "device that takes work when the primary cannot (default the first registered "
               "device that is not the primary)"},
    {"spill", "when work goes to the backup: queue (primary's queue full) or ring (its ring "
              "full) (default queue)"},
    {NULL, NULL},
};

/* Copies an option's device name into out; returns 0, AC_EINVAL when empty,
 * AC_ERANGE when too long. */
static int name_option(const struct ac_balancer_env *env, const char *key, char *out)
{
        const char *name = ac_option_str(env, key);
        if (!name)
                return 0;
        size_t len = strlen(name);
        if (len == 0)
                return AC_EINVAL;
        if (len >= PB_NAME)
                return AC_ERANGE;
        memcpy(out, name, len + 1);
        return 0;
}

/* Notes dev's index if it is the primary or the backup: by name when the
 * role is named, else the first device registered that the other role does
 * not claim by name. */
static void pb_learn(struct pb *b, const struct ac_device_view *dev)
{
        for (int r = PRIMARY; r <= BACKUP; r++) {
                if (b->name[r][0] && strcmp(b->name[r], dev->name) == 0) {
                        b->index[r] = dev->index;
                        return;
                }
        }
        for (int r = PRIMARY; r <= BACKUP; r++) {
                if (b->name[r][0] || b->index[r] != PB_NONE)
                        continue;
                if (b->index[!r] == dev->index)
                        return;
                b->index[r] = dev->index;
                return;
        }
}

static int pb_init(void *priv, const struct ac_balancer_env *env)
{
        struct pb *b = priv;
        *b = (struct pb){.index = {PB_NONE, PB_NONE}};
        int rc;
        if ((rc = name_option(env, "primary", b->name[PRIMARY])) < 0 ||
            (rc = name_option(env, "backup", b->name[BACKUP])) < 0)
                return rc;
        if (b->name[PRIMARY][0] && strcmp(b->name[PRIMARY], b->name[BACKUP]) == 0)
                return AC_EINVAL;
        const char *spill = ac_option_str(env, "spill");
        if (spill && strcmp(spill, "ring") == 0)
                b->spill_ring = true;
        else if (spill && strcmp(spill, "queue") != 0)
                return AC_EINVAL;
        for (size_t i = 0; i < env->ndevices; i++)
                pb_learn(b, env->devices[i]);
        return 0;
}

/* Returns the position of the candidate with registration index `index`,
 * or SIZE_MAX when it is not a candidate. O(log n). */
static size_t position_of(const struct ac_pick *p, uint32_t index)
{
        if (index == PB_NONE)
                return SIZE_MAX;
        size_t i = ac_pick_rank(p, index);
        return i < p->ncandidates && ac_pick_candidate(p, i)->index == index ? i : SIZE_MAX;
}

static size_t pb_pick(void *priv, const struct ac_pick *p)
{
        const struct pb *b = priv;
        size_t primary = position_of(p, b->index[PRIMARY]);
        if (primary != SIZE_MAX) {
                const struct ac_device_view *v = ac_pick_candidate(p, primary);
                if (!b->spill_ring || v->in_flight + v->queued < v->ring)
                        return primary;
        }
        size_t backup = position_of(p, b->index[BACKUP]);
        if (backup != SIZE_MAX)
                return backup;
        if (primary != SIZE_MAX)
                return primary;
        /* Neither is a candidate: the least loaded of all is one of the
         * others. */
        return ac_pick_least_loaded(p);
}

static void pb_device_changed(void *priv, const struct ac_device_view *dev)
{
        pb_learn(priv, dev);
}

const struct ac_balancer_ops ac_balancer_primary_backup = {
    .name = "primary-backup",
    .description = "all work to a primary device until it fails or fills, then to a backup",
    .options = pb_options,
    .priv_size = sizeof(struct pb),
    .init = pb_init,
    .pick = pb_pick,
    .device_changed = pb_device_changed,
    .flags = AC_BALANCER_SAMPLES | AC_BALANCER_LOADS | AC_BALANCER_LEAST,
};
