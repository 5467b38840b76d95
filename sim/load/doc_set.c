/*
 * sim/load/doc_set.c - overrides: `acsim run --set a.b.c=VALUE` and sweep points
 * replace one node of a loaded tree before it is read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/doc_tree.h"

/* ---- overrides --------------------------------------------------------- */

/* Reports a problem with an override's path, at the override's place. */
static int bad_path(struct doc *d, const char *origin, unsigned line, unsigned col,
                    const char *path, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int bad_path(struct doc *d, const char *origin, unsigned line, unsigned col,
                    const char *path, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        diag_vadd(d->dg, origin, line, col, path, fmt, ap);
        va_end(ap);
        return -1;
}

/* A new empty mapping for an override that names a key the file leaves
 * out. */
static struct doc_node *new_map(struct doc *d, const char *origin, unsigned line, unsigned col)
{
        struct doc_node *m = doc_alloc(d, sizeof(*m));
        if (!m)
                return NULL;
        d->nodes++;
        *m = (struct doc_node){
            .kind = DOC_MAP, .doc = d, .origin = origin, .line = line, .col = col, .plain = true};
        return m;
}

/* Adds value to map under key (a copy); the key's place is the override's. */
static int add_key(struct doc *d, struct doc_node *map, const char *key, struct doc_node *value,
                   unsigned line, unsigned col)
{
        struct doc_node **items = doc_alloc(d, (map->n + 1) * sizeof(*items));
        char *k = doc_strndup(d, key, strlen(key));
        if (!items || !k)
                return -1;
        if (map->n > 0)
                memcpy(items, map->items, map->n * sizeof(*items));
        value->parent = map;
        value->key = k;
        value->key_line = line;
        value->key_col = col;
        items[map->n++] = value;
        map->items = items;
        return 0;
}

/* Puts by in the place of old in old's parent: the same key, key place
 * and index. */
static void replace_node(struct doc_node *old, struct doc_node *by)
{
        struct doc_node *parent = old->parent;
        by->parent = parent;
        by->key = old->key;
        by->key_line = old->key_line;
        by->key_col = old->key_col;
        by->index = old->index;
        for (size_t i = 0; i < parent->n; i++)
                if (parent->items[i] == old)
                        parent->items[i] = by;
}

/* Puts value in place of the node at path, or adds it (and the mappings
 * leading to it) where the path leaves the tree through mappings. */
static int splice(struct doc *d, const char *path, struct doc_node *value, const char *origin,
                  unsigned line, unsigned col)
{
        size_t plen = strlen(path);
        char *elems = doc_strndup(d, path, plen);
        if (!elems)
                return bad_path(d, origin, line, col, path, "out of memory");
        struct doc_node *cur = d->root;
        char where[1024];
        for (char *e = elems, *dot; e; e = dot ? dot + 1 : NULL) {
                doc_path(cur, where, sizeof(where));
                const char *in = where[0] ? where : "the top level";
                /* A key that holds dots itself (a sweep's key path) is
                 * matched whole, before the path is cut at its dots. */
                struct doc_node *whole =
                    cur->kind == DOC_MAP && strchr(e, '.') ? doc_find_key(cur, e) : NULL;
                dot = whole ? NULL : strchr(e, '.');
                if (dot)
                        *dot = '\0';
                if (*e == '\0')
                        return bad_path(d, origin, line, col, path,
                                        "expected a key path like engine.policy, got '%s'", path);
                struct doc_node *next = whole;
                if (cur->kind == DOC_MAP) {
                        if (!next)
                                next = doc_find_key(cur, e);
                        if (!next) {
                                /* Left out by the file: add it; the schema
                                 * refuses it later if it is unknown. */
                                struct doc_node *add = dot ? new_map(d, origin, line, col) : value;
                                if (!add || add_key(d, cur, e, add, line, col) < 0)
                                        return bad_path(d, origin, line, col, path,
                                                        "out of memory");
                                if (!dot)
                                        return 0;
                                cur = add;
                                continue;
                        }
                        if (dot && doc_is_null(next)) {
                                /* `run:` with nothing: becomes a mapping. */
                                struct doc_node *m = new_map(d, origin, line, col);
                                if (!m)
                                        return bad_path(d, origin, line, col, path,
                                                        "out of memory");
                                replace_node(next, m);
                                next = m;
                        }
                } else if (cur->kind == DOC_SEQ) {
                        char *end;
                        errno = 0;
                        unsigned long long idx = strtoull(e, &end, 10);
                        if (*e >= '0' && *e <= '9' && *end == '\0') {
                                if (errno || idx >= cur->n)
                                        return bad_path(d, origin, line, col, path,
                                                        "no item %s in %s (%zu items)", e, in,
                                                        cur->n);
                                next = cur->items[idx];
                        }
                        for (size_t i = 0; !next && i < cur->n; i++) {
                                struct doc_node *it = cur->items[i];
                                const struct doc_node *name =
                                    it->kind == DOC_MAP ? doc_find_key(it, "name") : NULL;
                                if (name && name->kind == DOC_SCALAR && strcmp(name->text, e) == 0)
                                        next = it;
                        }
                        if (!next)
                                return bad_path(d, origin, line, col, path,
                                                "no item named '%s' in %s", e, in);
                } else {
                        return bad_path(d, origin, line, col, path,
                                        "%s is a single value, it has no '%s'", in, e);
                }
                cur = next;
        }
        if (!cur->parent)
                return bad_path(d, origin, line, col, path, "cannot replace the whole scenario");
        replace_node(cur, value);
        return 0;
}

int doc_set(struct doc *d, const char *assignment, const char *how)
{
        size_t alen = strlen(assignment), hlen = strlen(how);
        char *origin = doc_alloc(d, hlen + alen + 2);
        if (!origin)
                return bad_path(d, how, 0, 0, NULL, "out of memory");
        snprintf(origin, hlen + alen + 2, "%s %s", how, assignment);
        const char *eq = strchr(assignment, '=');
        if (!eq || eq == assignment)
                return bad_path(d, origin, 0, 0, NULL, "expected KEY=VALUE, got '%.80s'",
                                assignment);
        char *path = doc_strndup(d, assignment, (size_t)(eq - assignment));
        if (!path)
                return bad_path(d, origin, 0, 0, NULL, "out of memory");
        struct doc_node *value;
        if (doc_build(d, origin, false, eq + 1, strlen(eq + 1), &value) < 0)
                return -1;
        if (!value)
                return bad_path(d, origin, 0, 0, path, "expected a value after '=', got nothing");
        return splice(d, path, value, origin, 0, 0);
}

/* Copies a node of another doc (recursively) into d. */
static struct doc_node *copy_node(struct doc *d, const struct doc_node *src, const char *origin,
                                  struct doc_node *parent, int depth)
{
        if (depth > DOC_MAX_DEPTH || d->nodes >= DOC_MAX_NODES)
                return NULL;
        struct doc_node *n = doc_alloc(d, sizeof(*n));
        if (!n)
                return NULL;
        d->nodes++;
        *n = (struct doc_node){.kind = src->kind,
                               .doc = d,
                               .parent = parent,
                               .index = src->index,
                               .origin = origin,
                               .line = src->line,
                               .col = src->col,
                               .key_line = src->key_line,
                               .key_col = src->key_col,
                               .plain = src->plain,
                               .len = src->len,
                               .n = src->n};
        if (src->key && !(n->key = doc_strndup(d, src->key, strlen(src->key))))
                return NULL;
        if (src->text && !(n->text = doc_strndup(d, src->text, src->len)))
                return NULL;
        if (src->n > 0) {
                n->items = doc_alloc(d, src->n * sizeof(*n->items));
                if (!n->items)
                        return NULL;
                for (size_t i = 0; i < src->n; i++)
                        if (!(n->items[i] = copy_node(d, src->items[i], origin, n, depth + 1)))
                                return NULL;
        }
        return n;
}

int doc_set_node(struct doc *d, const char *path, const struct doc_node *value)
{
        const char *origin = doc_strndup(d, value->origin, strlen(value->origin));
        struct doc_node *copy = origin ? copy_node(d, value, origin, NULL, 0) : NULL;
        if (!copy)
                return bad_path(d, value->origin, value->line, value->col, path,
                                "cannot copy the value (too large or out of memory)");
        return splice(d, path, copy, origin, value->line, value->col);
}
