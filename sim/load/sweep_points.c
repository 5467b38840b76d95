/*
 * sim/load/sweep_points.c - the points of a sweep: the cross product of its
 * lists, numbered with the first key varying slowest, and each point's
 * values and label (sim/load/scenario_load.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sim/load/loader.h"
#include "sim/load/scenario_load.h"

size_t scenario_sweep_points(const struct scenario *s)
{
        size_t n = 1;
        for (size_t i = 0; i < s->nsweep; i++)
                n *= s->sweep[i].nvalues;
        return n;
}

/* The index into key's list at point: the last key varies fastest. */
size_t load_point_index(const struct scenario *s, size_t point, size_t key)
{
        for (size_t i = s->nsweep; i-- > key + 1;)
                point /= s->sweep[i].nvalues;
        return point % s->sweep[key].nvalues;
}

const char *scenario_sweep_value(const struct scenario *s, size_t point, size_t key)
{
        if (key >= s->nsweep || point >= scenario_sweep_points(s))
                return NULL;
        return s->sweep[key].values[load_point_index(s, point, key)];
}

int scenario_sweep_label(const struct scenario *s, size_t point, char *buf, size_t cap)
{
        size_t len = 0;
        if (cap > 0)
                buf[0] = '\0';
        for (size_t i = 0; i < s->nsweep; i++) {
                const char *v = scenario_sweep_value(s, point, i);
                int w = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%s%s=%s",
                                 i ? " " : "", s->sweep[i].key, v ? v : "?");
                if (w > 0)
                        len += (size_t)w;
        }
        return (int)len;
}

/* One entry "k: v" of a flow mapping's text, by its spans. */
struct entry {
        const char *k, *v;
        size_t klen, vlen;
};

/* Returns the next top-level entry of the mapping text at *pos (after its
 * '{'), or false at its end. */
static bool next_entry(const char **pos, struct entry *e)
{
        const char *p = *pos;
        while (*p == ' ' || *p == ',')
                p++;
        if (*p == '\0' || *p == '}')
                return false;
        const char *start = p;
        int depth = 0;
        bool quoted = false;
        for (; *p; p++) {
                if (*p == '"' || *p == '\'')
                        quoted = !quoted;
                else if (!quoted && (*p == '{' || *p == '['))
                        depth++;
                else if (!quoted && (*p == '}' || *p == ']') && depth-- == 0)
                        break;
                else if (!quoted && *p == ',' && depth == 0)
                        break;
        }
        if (depth < 0)
                depth = 0;
        const char *end = p;
        while (end > start && end[-1] == ' ')
                end--;
        const char *colon = memchr(start, ':', (size_t)(end - start));
        e->k = start;
        e->klen = colon ? (size_t)(colon - start) : (size_t)(end - start);
        e->v = colon ? colon + 1 : end;
        while (e->v < end && *e->v == ' ')
                e->v++;
        e->vlen = (size_t)(end - e->v);
        *pos = p;
        return true;
}

/* Returns true and sets *e to the entry named k of the mapping text m. */
static bool entry_of(const char *m, const char *k, size_t klen, struct entry *e)
{
        const char *pos = m + 1;
        while (next_entry(&pos, e))
                if (e->klen == klen && strncmp(e->k, k, klen) == 0)
                        return true;
        return false;
}

int scenario_sweep_short(const struct scenario *s, size_t point, size_t key, char *buf, size_t cap)
{
        const char *v = scenario_sweep_value(s, point, key);
        if (v == NULL)
                v = "?";
        if (cap > 0)
                buf[0] = '\0';
        if (v[0] != '{')
                return snprintf(buf, cap, "%s", v);
        struct entry e;
        if (entry_of(v, "name", 4, &e))
                return snprintf(buf, cap, "%.*s", (int)e.vlen, e.v);
        const struct scenario_sweep *w = &s->sweep[key];
        size_t len = 0;
        const char *pos = v + 1;
        while (next_entry(&pos, &e)) {
                bool differs = false;
                for (size_t i = 0; i < w->nvalues && !differs; i++) {
                        struct entry o;
                        differs = w->values[i][0] != '{' ||
                                  !entry_of(w->values[i], e.k, e.klen, &o) || o.vlen != e.vlen ||
                                  strncmp(o.v, e.v, e.vlen) != 0;
                }
                if (!differs)
                        continue;
                int n = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%s%.*s",
                                 len ? "/" : "", (int)e.vlen, e.v);
                if (n > 0)
                        len += (size_t)n;
        }
        if (len == 0) /* every entry the same in every value: the text itself */
                return snprintf(buf, cap, "%s", v);
        return (int)len;
}
