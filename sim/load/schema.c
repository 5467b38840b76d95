/*
 * sim/load/schema.c - the scenario schema's top level: a doc tree read into
 * a struct scenario section by section, in the order they depend on each
 * other (run, engine, devices, workload -- whose chains need the devices'
 * operations and whose priorities need the engine's levels --, faults,
 * sweep), then the limits of the whole (sim/load/limits.c). Also the
 * readers every section shares: names and durations (sim/load/loader.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim/load/loader.h"

/* Returns true when the node reported nothing new since `mark`. */
bool load_quiet_since(const struct loader *l, size_t mark)
{
        return l->dg->total == mark;
}

void load_out_of_memory(struct loader *l, const struct doc_node *n)
{
        if (!l->oom)
                doc_error(n, "%s", "memory to hold it (out of memory)");
        l->oom = true;
}

/* A name that can be a directory or a column: letters, digits, '.', '_',
 * '-', not starting with '.'. */
int load_read_name(struct doc_node *n, const char *key, enum doc_need need, const char **out)
{
        const char *s;
        int rc = doc_string(n, key, need, &s);
        if (rc != 0)
                return rc;
        size_t len = strlen(s);
        bool ok = len <= SCENARIO_MAX_NAME && s[0] != '.';
        for (size_t i = 0; ok && i < len; i++) {
                char c = s[i];
                ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == '-';
        }
        if (!ok) {
                doc_error(key ? doc_get(n, key, DOC_OPTIONAL) : n,
                          "a name of letters, digits, '.', '_' and '-' (at most %d, not starting "
                          "with '.')",
                          SCENARIO_MAX_NAME);
                return -1;
        }
        *out = s;
        return 0;
}

/* A duration of at least min_ns (0 or 1). */
int load_read_duration(struct doc_node *n, const char *key, enum doc_need need, uint64_t min_ns,
                       uint64_t *out)
{
        uint64_t v;
        int rc = doc_duration(n, key, need, &v);
        if (rc != 0)
                return rc;
        if (v < min_ns) {
                doc_error(doc_get(n, key, DOC_OPTIONAL), "a duration above 0");
                return -1;
        }
        *out = v;
        return 0;
}

int load_read_u32(struct doc_node *n, const char *key, enum doc_need need, uint32_t min,
                  uint32_t max, uint32_t *out)
{
        uint64_t u;
        int rc = doc_whole(n, key, need, min, max, &u);
        if (rc == 0)
                *out = (uint32_t)u;
        return rc;
}

/* The name a scenario gets without `name:`: its file's, without the
 * directory and the .yaml. */
static int default_name(struct scenario *s, const char *path)
{
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        char buf[SCENARIO_MAX_NAME + 1];
        size_t len = strcspn(base, ".");
        if (len == 0 || len > SCENARIO_MAX_NAME)
                return 0; /* keep scenario_init's */
        memcpy(buf, base, len);
        buf[len] = '\0';
        return scenario_set_text(&s->name, buf);
}

void load_tree(struct loader *l, struct doc_node *root)
{
        size_t mark = l->dg->total;
        const char *text;
        if (default_name(l->s, l->path) < 0)
                l->oom = true;
        if (load_read_name(root, "name", DOC_OPTIONAL, &text) == 0 &&
            scenario_set_text(&l->s->name, text) < 0)
                load_out_of_memory(l, root);
        if (doc_string(root, "description", DOC_OPTIONAL, &text) == 0 &&
            scenario_set_text(&l->s->description, text) < 0)
                load_out_of_memory(l, root);
        doc_whole(root, "seed", DOC_OPTIONAL, 0, UINT64_MAX, &l->s->seed);
        load_run(l, root);
        load_engine(l, root);
        load_check_run_end(root, l->s);
        load_devices(l, root);
        load_workload(l, root);
        load_faults(l, root);
        if (load_quiet_since(l, mark))
                load_check_limits(l, root);
        load_sweep_lists(l, root);
        doc_check_keys(root);
        doc_check_unused(l->d);
}
