/*
 * sim/results/read_sweep.c - sweep.json back into struct sweep_json
 * (sim/results/read_sweep.h): the facts, the lists, then the points.
 */
#include "sim/results/read_sweep.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sim/results/read_json.h"

/* A copy of the string v into *out (NULL when v is not a string). Returns
 * 0, or -1 when out of memory. */
static int copy(const json_t *v, char **out)
{
        const char *s = json_string_value(v);
        *out = s ? strdup(s) : NULL;
        return s && *out == NULL ? -1 : 0;
}

/* The strings of the array a, into a new list of *n entries. */
static int list(const json_t *a, char ***out, size_t *n)
{
        *n = json_array_size(a);
        *out = *n ? calloc(*n, sizeof(**out)) : NULL;
        int rc = *n && *out == NULL ? -1 : 0;
        for (size_t i = 0; rc == 0 && i < *n; i++)
                rc = copy(json_array_get(a, i), &(*out)[i]);
        return rc;
}

static void free_list(char **l, size_t n)
{
        for (size_t i = 0; l && i < n; i++)
                free(l[i]);
        free(l);
}

static int point(const json_t *o, struct sweep_json_point *p)
{
        int rc =
            copy(json_object_get(o, "dir"), &p->dir) | copy(json_object_get(o, "label"), &p->label);
        const json_t *values = json_object_get(o, "values");
        size_t n = json_object_size(values);
        p->keys = n ? calloc(n, sizeof(*p->keys)) : NULL;
        p->values = n ? calloc(n, sizeof(*p->values)) : NULL;
        if (n && (p->keys == NULL || p->values == NULL))
                return -1;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)values, key, v)
        {
                size_t i = p->nvalues++;
                p->keys[i] = strdup(key);
                p->values[i] = json_is_string(v) ? strdup(json_string_value(v))
                                                 : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                if (p->keys[i] == NULL || p->values[i] == NULL)
                        return -1;
        }
        return rc;
}

int read_sweep_json(const char *path, struct sweep_json *out, struct sim_error *e)
{
        memset(out, 0, sizeof(*out));
        json_t *root = read_json_object(path, e);
        if (root == NULL)
                return -1;
        int rc = copy(json_object_get(root, "acsim_version"), &out->acsim_version) |
                 copy(json_object_get(root, "scenario"), &out->scenario) |
                 copy(json_object_get(root, "description"), &out->description) |
                 copy(json_object_get(root, "scenario_file"), &out->scenario_file) |
                 copy(json_object_get(root, "scenario_hash"), &out->scenario_hash);
        const json_t *v = json_object_get(root, "seed");
        if (json_is_integer(v) && json_integer_value(v) >= 0) {
                out->has_seed = true;
                out->seed = (uint64_t)json_integer_value(v);
        } else if (json_is_string(v)) {
                char *end;
                out->seed = strtoull(json_string_value(v), &end, 10);
                out->has_seed = *end == '\0';
        }
        v = json_object_get(root, "replications");
        out->has_replications = json_is_integer(v) && json_integer_value(v) >= 0;
        out->replications = out->has_replications ? (uint64_t)json_integer_value(v) : 0;
        v = json_object_get(root, "sets");
        out->has_sets = json_is_array(v);
        rc |= list(v, &out->sets, &out->nsets);
        v = json_object_get(root, "keys");
        out->has_keys = json_is_array(v);
        rc |= list(v, &out->keys, &out->nkeys);
        v = json_object_get(root, "points");
        out->has_points = json_is_array(v);
        out->npoints = json_array_size(v);
        out->points = out->npoints ? calloc(out->npoints, sizeof(*out->points)) : NULL;
        if (out->npoints && out->points == NULL)
                rc = -1;
        for (size_t i = 0; rc == 0 && i < out->npoints; i++)
                rc = point(json_array_get(v, i), &out->points[i]);
        json_decref(root);
        if (rc < 0) {
                sweep_json_free(out);
                return sim_fail(e, -1, "%s: out of memory", path);
        }
        return 0;
}

const char *sweep_json_value(const struct sweep_json_point *p, const char *key)
{
        for (size_t i = 0; i < p->nvalues; i++)
                if (strcmp(p->keys[i], key) == 0)
                        return p->values[i];
        return NULL;
}

void sweep_json_free(struct sweep_json *s)
{
        free(s->acsim_version);
        free(s->scenario);
        free(s->description);
        free(s->scenario_file);
        free(s->scenario_hash);
        free_list(s->sets, s->nsets);
        free_list(s->keys, s->nkeys);
        for (size_t i = 0; s->points && i < s->npoints; i++) {
                struct sweep_json_point *p = &s->points[i];
                free(p->dir);
                free(p->label);
                free_list(p->keys, p->nvalues);
                free_list(p->values, p->nvalues);
        }
        free(s->points);
        memset(s, 0, sizeof(*s));
}
