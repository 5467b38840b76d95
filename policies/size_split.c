/*
 * size_split.c - "size-split": stages below a size threshold go to one
 * group of devices, the others to a second group, in the manner of a
 * packet-size distribution mode: small stages, where a card's setup cost
 * and PCIe round trip dominate, stay on the CPU; large ones, where a card's
 * bulk rate pays, go to the cards. Within its group a stage goes to the
 * least loaded candidate (queued plus in flight; ties to the earliest
 * registered).
 *
 * Groups are lists of device names or name prefixes, comma-separated: a
 * device belongs to a group when one of its entries is a prefix of the
 * device's name ("qat" takes qat0 and qat1; note that "qat1" also takes
 * qat10). A group left unset is every device the other group does not
 * name. By default "small" is "cpu" and "large" everything else.
 *
 * When a stage's own group has no candidate (failed, full, not capable),
 * it goes to the other group; when neither has one, to any candidate (a
 * device named by neither list takes work only then). The partition is
 * static: it does not move with load, which is the point (a card never
 * sees the small stages that would waste it) and the cost (an idle CPU
 * takes no large stage while the cards are loaded but not full).
 */
#include <string.h>

#include "ac/balancer.h"
#include "ac/error.h"

#define SPLIT_TEXT    128 /* room for a group's list, with its NUL */
#define SPLIT_ENTRIES 16  /* entries per group */

enum { SMALL, LARGE };

struct split_group {
        char text[SPLIT_TEXT];            /* the list, commas replaced by NULs */
        const char *entry[SPLIT_ENTRIES]; /* into text */
        size_t nentries;                  /* 0: every device the other group does not name */
};

struct split {
        uint64_t threshold; /* bytes; below it a stage is small */
        struct split_group group[2];
};

static const struct ac_option_spec split_options[] = {
    {"threshold", "stages below this many bytes are small (default 1024)"},
    {"small", "devices for small stages: names or prefixes, comma-separated (default cpu)"},
    {"large", "devices for large stages, as small (default every device small does not name)"},
    {NULL, NULL},
};

/* Reads a comma-separated list into g. Returns 0, AC_EINVAL for an empty
 * list or entry, AC_ERANGE when it does not fit. */
static int group_parse(struct split_group *g, const char *list)
{
        size_t len = strlen(list);
        if (len >= sizeof(g->text))
                return AC_ERANGE;
        memcpy(g->text, list, len + 1);
        g->nentries = 0;
        char *entry = g->text;
        for (;;) {
                char *comma = strchr(entry, ',');
                if (comma)
                        *comma = '\0';
                if (*entry == '\0')
                        return AC_EINVAL;
                if (g->nentries == SPLIT_ENTRIES)
                        return AC_ERANGE;
                g->entry[g->nentries++] = entry;
                if (!comma)
                        return 0;
                entry = comma + 1;
        }
}

static bool group_names(const struct split_group *g, const char *name)
{
        for (size_t i = 0; i < g->nentries; i++)
                if (strncmp(name, g->entry[i], strlen(g->entry[i])) == 0)
                        return true;
        return false;
}

static bool in_group(const struct split *s, int which, const char *name)
{
        const struct split_group *g = &s->group[which];
        if (g->nentries)
                return group_names(g, name);
        return !group_names(&s->group[!which], name);
}

static int split_init(void *priv, const struct ac_balancer_env *env)
{
        struct split *s = priv;
        s->threshold = 1024;
        int rc = ac_option_u64(env, "threshold", 0, UINT64_MAX, &s->threshold);
        if (rc < 0)
                return rc;
        const char *small = ac_option_str(env, "small");
        const char *large = ac_option_str(env, "large");
        if (!small && !large)
                small = "cpu";
        if (small && (rc = group_parse(&s->group[SMALL], small)) < 0)
                return rc;
        if (large && (rc = group_parse(&s->group[LARGE], large)) < 0)
                return rc;
        return 0;
}

/* Returns the least loaded candidate of group `which` (-1: any group), or
 * SIZE_MAX when it has none. */
static size_t least_loaded_of(const struct split *s, const struct ac_pick *p, int which)
{
        size_t best = SIZE_MAX;
        uint64_t best_load = UINT64_MAX;
        for (size_t i = 0; i < p->ncandidates; i++) {
                const struct ac_device_view *v = p->candidates[i];
                if (which >= 0 && !in_group(s, which, v->name))
                        continue;
                uint64_t load = (uint64_t)v->queued + v->in_flight;
                if (load < best_load) {
                        best = i;
                        best_load = load;
                }
        }
        return best;
}

static size_t split_pick(void *priv, const struct ac_pick *p)
{
        const struct split *s = priv;
        int want = p->bytes < s->threshold ? SMALL : LARGE;
        size_t i = least_loaded_of(s, p, want);
        if (i == SIZE_MAX)
                i = least_loaded_of(s, p, !want);
        if (i == SIZE_MAX)
                i = least_loaded_of(s, p, -1);
        return i;
}

const struct ac_balancer_ops ac_balancer_size_split = {
    .name = "size-split",
    .description = "stages below a size threshold to one device group, larger ones to another",
    .options = split_options,
    .priv_size = sizeof(struct split),
    .init = split_init,
    .pick = split_pick,
};
