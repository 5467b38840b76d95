/*
 * sim/load/doc_get.c - reading a scenario tree: typed getters that turn
 * scalars into values (through sim/load/units.h) or into located errors,
 * and the checks for keys nobody asked for.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/doc_tree.h"
#include "sim/load/units.h"

/* ---- getters ----------------------------------------------------------- */

struct doc_node *doc_find_key(const struct doc_node *map, const char *key)
{
        for (size_t i = 0; i < map->n; i++)
                if (strcmp(map->items[i]->key, key) == 0)
                        return map->items[i];
        return NULL;
}

static void remember(struct doc_node *map, const char *key)
{
        for (const struct doc_asked *a = map->asked; a; a = a->next)
                if (strcmp(a->key, key) == 0)
                        return;
        struct doc_asked *a = doc_alloc(map->doc, sizeof(*a));
        if (!a || !(a->key = doc_strndup(map->doc, key, strlen(key))))
                return; /* only a suggestion is lost */
        if (map->asked_tail)
                map->asked_tail->next = a;
        else
                map->asked = a;
        map->asked_tail = a;
}

/* Finds what a getter reads: n itself (key NULL) or its value at key.
 * Returns it, or NULL with *rc 1 (absent or null) or -1 (reported). */
static struct doc_node *lookup(struct doc_node *n, const char *key, enum doc_need need,
                               const char *expected, int *rc)
{
        *rc = 1;
        if (!n)
                return NULL;
        struct doc_node *v = n;
        if (key) {
                if (n->kind != DOC_MAP) {
                        doc_error(n, "a mapping with the key '%s'", key);
                        *rc = -1;
                        return NULL;
                }
                remember(n, key);
                v = doc_find_key(n, key);
                if (!v) {
                        if (need == DOC_REQUIRED) {
                                doc_report(n, key, false, "expected %s, got nothing (missing key)",
                                           expected);
                                *rc = -1;
                        }
                        return NULL;
                }
        }
        v->used = true;
        if (doc_is_null(v)) {
                if (need == DOC_REQUIRED) {
                        doc_error(v, "%s", expected);
                        *rc = -1;
                }
                return NULL;
        }
        *rc = 0;
        return v;
}

/* lookup() for a scalar; returns its text or NULL with *rc. */
static const char *lookup_scalar(struct doc_node *n, const char *key, enum doc_need need,
                                 const char *expected, int *rc, struct doc_node **v)
{
        *v = lookup(n, key, need, expected, rc);
        if (!*v)
                return NULL;
        if ((*v)->kind != DOC_SCALAR || strlen((*v)->text) != (*v)->len) {
                doc_error(*v, "%s", expected);
                *rc = -1;
                return NULL;
        }
        return (*v)->text;
}

struct doc_node *doc_get(struct doc_node *n, const char *key, enum doc_need need)
{
        int rc;
        return lookup(n, key, need, "a value", &rc);
}

static struct doc_node *get_kind(struct doc_node *n, const char *key, enum doc_need need,
                                 enum doc_kind kind, const char *expected)
{
        int rc;
        struct doc_node *v = lookup(n, key, need, expected, &rc);
        if (v && v->kind != kind) {
                doc_error(v, "%s", expected);
                return NULL;
        }
        return v;
}

struct doc_node *doc_get_map(struct doc_node *n, const char *key, enum doc_need need)
{
        return get_kind(n, key, need, DOC_MAP, "a mapping");
}

struct doc_node *doc_get_seq(struct doc_node *n, const char *key, enum doc_need need)
{
        return get_kind(n, key, need, DOC_SEQ, "a sequence");
}

typedef int (*u64_parser)(const char *, uint64_t *, const char **);
typedef int (*real_parser)(const char *, double *, const char **);

/* A scalar read by one of the units parsers: a whole one (to_u64, into
 * *u64) or, with to_u64 NULL, a real one (into *real). */
static int get_parsed(struct doc_node *n, const char *key, enum doc_need need, const char *expected,
                      u64_parser to_u64, real_parser to_real, uint64_t *u64, double *real)
{
        int rc;
        struct doc_node *v;
        const char *text = lookup_scalar(n, key, need, expected, &rc, &v);
        if (!text)
                return rc;
        const char *why;
        uint64_t xu = 0;
        double xr = 0;
        if ((to_u64 ? to_u64(text, &xu, &why) : to_real(text, &xr, &why)) < 0) {
                doc_error(v, "%s", why);
                return -1;
        }
        if (to_u64)
                *u64 = xu;
        else
                *real = xr;
        return 0;
}

static int get_u64(struct doc_node *n, const char *key, enum doc_need need, const char *expected,
                   u64_parser parse, uint64_t *out)
{
        return get_parsed(n, key, need, expected, parse, NULL, out, NULL);
}

static int get_real(struct doc_node *n, const char *key, enum doc_need need, const char *expected,
                    real_parser parse, double *out)
{
        return get_parsed(n, key, need, expected, NULL, parse, NULL, out);
}

int doc_duration(struct doc_node *n, const char *key, enum doc_need need, uint64_t *ns)
{
        return get_u64(n, key, need, "a duration like 250ns, 4us, 1.5ms or 2s", units_duration, ns);
}

int doc_size(struct doc_node *n, const char *key, enum doc_need need, uint64_t *bytes)
{
        return get_u64(n, key, need, "a size like 64, 1500B, 4KiB or 1MB", units_size, bytes);
}

int doc_event_rate(struct doc_node *n, const char *key, enum doc_need need, double *per_s)
{
        return get_real(n, key, need, "an event rate like 400k/s", units_event_rate, per_s);
}

int doc_byte_rate(struct doc_node *n, const char *key, enum doc_need need, double *bytes_per_s)
{
        return get_real(n, key, need, "a byte rate like 5GB/s", units_byte_rate, bytes_per_s);
}

int doc_number(struct doc_node *n, const char *key, enum doc_need need, double min, double max,
               double *out)
{
        double x = 0;
        int rc = get_real(n, key, need, "a number", units_number, &x);
        if (rc != 0)
                return rc;
        struct doc_node *v = key ? doc_find_key(n, key) : n;
        if (x < min || x > max) {
                if (isinf(max))
                        doc_error(v, "a number of at least %g", min);
                else if (isinf(min))
                        doc_error(v, "a number of at most %g", max);
                else
                        doc_error(v, "a number in [%g, %g]", min, max);
                return -1;
        }
        *out = x;
        return 0;
}

int doc_whole(struct doc_node *n, const char *key, enum doc_need need, uint64_t min, uint64_t max,
              uint64_t *out)
{
        uint64_t x = 0;
        int rc = get_u64(n, key, need, "a whole number", units_whole, &x);
        if (rc != 0)
                return rc;
        if (x < min || x > max) {
                struct doc_node *v = key ? doc_find_key(n, key) : n;
                if (max == UINT64_MAX)
                        doc_error(v, "a whole number of at least %llu", (unsigned long long)min);
                else
                        doc_error(v, "a whole number in [%llu, %llu]", (unsigned long long)min,
                                  (unsigned long long)max);
                return -1;
        }
        *out = x;
        return 0;
}

int doc_bool(struct doc_node *n, const char *key, enum doc_need need, bool *out)
{
        static const char *const yes[] = {"true", "True", "TRUE"};
        static const char *const no[] = {"false", "False", "FALSE"};
        int rc;
        struct doc_node *v;
        const char *text = lookup_scalar(n, key, need, "true or false", &rc, &v);
        if (!text)
                return rc;
        for (size_t i = 0; i < 3; i++) {
                if (strcmp(text, yes[i]) == 0 || strcmp(text, no[i]) == 0) {
                        *out = text[0] == 't' || text[0] == 'T';
                        return 0;
                }
        }
        doc_error(v, "true or false");
        return -1;
}

int doc_string(struct doc_node *n, const char *key, enum doc_need need, const char **out)
{
        int rc;
        struct doc_node *v;
        const char *text = lookup_scalar(n, key, need, "a string", &rc, &v);
        if (!text)
                return rc;
        if (text[0] == '\0') {
                doc_error(v, "a non-empty string");
                return -1;
        }
        *out = text;
        return 0;
}

/* Levenshtein distance, or SIZE_MAX for words too long to compare. */
static size_t distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return SIZE_MAX;
        size_t row[65];
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t best = diag + (a[i - 1] != b[j - 1]);
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        if (up + 1 < best)
                                best = up + 1;
                        row[j] = best;
                        diag = up;
                }
        }
        return row[lb];
}

/* Returns the candidate close enough to `word` to be a typo of it, or NULL. */
const char *doc_closest(const char *word, const char *const *cands, size_t n)
{
        const char *best = NULL;
        size_t best_d = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
                size_t d = distance(word, cands[i]);
                size_t len = strlen(cands[i]);
                if (d < best_d && d <= 2 && d < len) {
                        best = cands[i];
                        best_d = d;
                }
        }
        return best;
}

int doc_choice(struct doc_node *n, const char *key, enum doc_need need, const char *const *names,
               int *index)
{
        int rc;
        struct doc_node *v;
        const char *text = lookup_scalar(n, key, need, "a name", &rc, &v);
        if (!text)
                return rc;
        size_t count = 0;
        for (; names[count]; count++)
                if (strcmp(text, names[count]) == 0) {
                        *index = (int)count;
                        return 0;
                }
        char list[512];
        struct doc_buf sb = {list, sizeof(list), 0};
        list[0] = '\0';
        for (size_t i = 0; i < count; i++) {
                doc_buf_puts(&sb, i ? ", " : "");
                doc_buf_puts(&sb, names[i]);
        }
        const char *near = doc_closest(text, names, count);
        if (near)
                doc_error(v, "one of %s (did you mean '%s'?)", list, near);
        else
                doc_error(v, "one of %s", list);
        return -1;
}

/* ---- unknown keys ------------------------------------------------------ */

int doc_check_keys(struct doc_node *map)
{
        if (!map || map->kind != DOC_MAP)
                return 0;
        map->checked = true;
        size_t nasked = 0;
        for (const struct doc_asked *a = map->asked; a; a = a->next)
                nasked++;
        const char **asked = malloc((nasked + 1) * sizeof(*asked));
        nasked = 0;
        for (const struct doc_asked *a = map->asked; asked && a; a = a->next)
                asked[nasked++] = a->key;
        int rc = 0;
        for (size_t i = 0; i < map->n; i++) {
                const struct doc_node *v = map->items[i];
                if (v->used)
                        continue;
                rc = -1;
                if (diag_full(map->doc->dg)) {
                        doc_report(v, NULL, true, "unknown key");
                        continue;
                }
                char key[128];
                struct doc_buf sb = {key, sizeof(key), 0};
                key[0] = '\0';
                doc_buf_show(&sb, v->key, strlen(v->key), DOC_SHOW_MAX);
                const char *near = asked ? doc_closest(v->key, asked, nasked) : NULL;
                if (near) {
                        doc_report(v, NULL, true, "unknown key '%s'; did you mean '%s'?", key,
                                   near);
                } else if (asked && nasked > 0) {
                        char list[512];
                        struct doc_buf ls = {list, sizeof(list), 0};
                        list[0] = '\0';
                        for (size_t j = 0; j < nasked; j++) {
                                doc_buf_puts(&ls, j ? ", " : "");
                                doc_buf_puts(&ls, asked[j]);
                        }
                        doc_report(v, NULL, true, "unknown key '%s'; expected one of %s", key,
                                   list);
                } else {
                        doc_report(v, NULL, true, "unknown key '%s'", key);
                }
        }
        free(asked);
        return rc;
}

void doc_accept(struct doc_node *n)
{
        if (!n)
                return;
        n->used = true;
        n->checked = true;
        if (n->kind != DOC_SCALAR)
                for (size_t i = 0; i < n->n; i++)
                        doc_accept(n->items[i]);
}

static int check_tree(struct doc_node *n)
{
        int rc = 0;
        if (n->kind == DOC_MAP && !n->checked)
                rc = doc_check_keys(n);
        if (n->kind != DOC_SCALAR)
                for (size_t i = 0; i < n->n; i++)
                        if (n->items[i]->used && check_tree(n->items[i]) < 0)
                                rc = -1;
        return rc;
}

int doc_check_unused(struct doc *d)
{
        return d && d->root ? check_tree(d->root) : 0;
}
