/*
 * sim/report/compare_set.c - finding the runs of a result set for `acsim
 * compare`: walks a directory tree, takes every directory holding
 * sweep.json as a sweep (its points are the directories the manifest
 * names) and every other directory holding summary.json as one run, and
 * keys each run by its path below the root (and, in a sweep, by the
 * point's values) so the two sides of a comparison can be matched.
 *
 * Layout: strings and the set, one run's JSON, one sweep's manifest, the
 * walk, the public loader.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/report/compare_set.h"
#include "sim/results/read_sweep.h"

#define WALK_DEPTH 16 /* deeper trees are not result trees */

/* ---- strings and the set ------------------------------------------------ */

/* Returns a new string: the arguments joined with sep between them, or
 * NULL when out of memory. Empty parts are skipped. */
static char *join3(const char *a, const char *sep, const char *b)
{
        if (a == NULL || a[0] == '\0')
                return strdup(b ? b : "");
        if (b == NULL || b[0] == '\0')
                return strdup(a);
        size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
        char *s = malloc(n);
        if (s)
                snprintf(s, n, "%s%s%s", a, sep, b);
        return s;
}

static void say(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t cap, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
}

static bool is_file(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Takes key, title, dir and *summary (all owned; *summary is left empty)
 * into set. Returns 0, or -1 with a message. */
static int set_add(struct compare_set *set, char *key, char *title, char *dir,
                   struct result_summary *summary, char *err, size_t cap)
{
        if (key == NULL || title == NULL || dir == NULL)
                goto nomem;
        for (size_t i = 0; i < set->n; i++) {
                if (strcmp(set->runs[i].key, key) == 0) {
                        say(err, cap, "%s: the same run as %s (%s)", dir, set->runs[i].dir, title);
                        goto fail;
                }
        }
        if (set->n == set->cap) {
                size_t cap2 = set->cap ? 2 * set->cap : 16;
                struct compare_run *runs = realloc(set->runs, cap2 * sizeof(*runs));
                if (runs == NULL)
                        goto nomem;
                set->runs = runs;
                set->cap = cap2;
        }
        set->runs[set->n++] = (struct compare_run){key, title, dir, *summary};
        memset(summary, 0, sizeof(*summary));
        return 0;
nomem:
        say(err, cap, "out of memory");
fail:
        free(key);
        free(title);
        free(dir);
        result_summary_free(summary);
        return -1;
}

/* ---- one run ---------------------------------------------------------- */

/* Reads the summary.json of the run directory dir into *s. Returns 0, or
 * -1 with a message when it is missing, broken or not an acsim summary. */
static int load_summary(const char *dir, struct result_summary *s, char *err, size_t cap)
{
        char *path = join3(dir, "/", "summary.json");
        if (path == NULL) {
                say(err, cap, "out of memory");
                return -1;
        }
        struct sim_error e;
        int rc = read_summary(path, s, &e);
        if (rc < 0) {
                say(err, cap, "%s", e.msg);
        } else if (!s->has_figures) {
                say(err, cap, "%s: not an acsim summary (no latency_ns or requests)", path);
                result_summary_free(s);
                rc = -1;
        }
        free(path);
        return rc;
}

/* Adds the run directory dir, found at rel below the root. */
static int add_run(struct compare_set *set, const char *dir, const char *rel, char *err, size_t cap)
{
        struct result_summary s;
        if (load_summary(dir, &s, err, cap) < 0)
                return -1;
        const char *name = s.scenario;
        char *title = strdup(rel[0] ? rel : name ? name : ".");
        return set_add(set, strdup(rel), title, strdup(dir), &s, err, cap);
}

/* ---- one sweep -------------------------------------------------------- */

static int cmp_text(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns the point's values as "k1=v1;k2=v2" with the keys sorted, so
 * the order keys were swept in does not matter, or NULL (no values, or
 * out of memory). */
static char *values_key(const struct sweep_json_point *p)
{
        size_t n = p->nvalues;
        if (n == 0)
                return NULL;
        char **parts = calloc(n, sizeof(*parts));
        if (parts == NULL)
                return NULL;
        size_t k = 0, len = 1;
        for (; k < n; k++) {
                parts[k] = join3(p->keys[k], "=", p->values[k]);
                if (parts[k] == NULL)
                        break;
                len += strlen(parts[k]) + 1;
        }
        char *out = k == n ? malloc(len) : NULL;
        if (out) {
                qsort(parts, n, sizeof(*parts), cmp_text);
                out[0] = '\0';
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                strcat(out, ";");
                        strcat(out, parts[i]);
                }
        }
        for (size_t i = 0; i < k; i++)
                free(parts[i]);
        free(parts);
        return out;
}

/* Adds every point of the sweep directory dir, found at rel below the
 * root. */
static int add_sweep(struct compare_set *set, const char *dir, const char *rel, char *err,
                     size_t cap)
{
        char *path = join3(dir, "/", "sweep.json");
        if (path == NULL)
                return say(err, cap, "out of memory"), -1;
        struct sweep_json m;
        struct sim_error e;
        int rc = read_sweep_json(path, &m, &e);
        if (rc < 0) {
                say(err, cap, "%s", e.msg);
                free(path);
                return -1;
        }
        if (!m.has_points) {
                say(err, cap, "%s: no \"points\" array", path);
                rc = -1;
        }
        const char *name = m.scenario;
        const char *base = rel[0] ? rel : name ? name : ".";
        for (size_t i = 0; rc == 0 && i < m.npoints; i++) {
                const struct sweep_json_point *p = &m.points[i];
                const char *pdir = p->dir, *label = p->label;
                if (pdir == NULL || strchr(pdir, '/') || strcmp(pdir, "..") == 0) {
                        say(err, cap, "%s: point %zu has no usable \"dir\"", path, i);
                        rc = -1;
                        break;
                }
                char *values = values_key(p);
                const char *match = values ? values : label ? label : pdir;
                char *pointdir = join3(dir, "/", pdir);
                struct result_summary s;
                if (pointdir == NULL || load_summary(pointdir, &s, err, cap) < 0) {
                        if (pointdir == NULL)
                                say(err, cap, "out of memory");
                        free(values);
                        free(pointdir);
                        rc = -1;
                        break;
                }
                char *key = join3(rel[0] ? rel : ".", "|", match);
                char *title = join3(base, " @ ", label ? label : match);
                free(values);
                if ((rc = set_add(set, key, title, pointdir, &s, err, cap)) < 0)
                        break;
        }
        sweep_json_free(&m);
        free(path);
        return rc;
}

/* ---- the walk --------------------------------------------------------- */

static int walk(struct compare_set *set, const char *dir, const char *rel, int depth, char *err,
                size_t cap)
{
        char *sweep = join3(dir, "/", "sweep.json");
        char *summary = join3(dir, "/", "summary.json");
        if (sweep == NULL || summary == NULL) {
                free(sweep);
                free(summary);
                return say(err, cap, "out of memory"), -1;
        }
        bool has_sweep = is_file(sweep), has_summary = is_file(summary);
        free(sweep);
        free(summary);
        if (has_sweep)
                return add_sweep(set, dir, rel, err, cap);
        if (has_summary)
                return add_run(set, dir, rel, err, cap);
        if (depth >= WALK_DEPTH)
                return 0;

        struct dirent **names;
        int n = scandir(dir, &names, NULL, alphasort);
        if (n < 0)
                return say(err, cap, "%s: %s", dir, strerror(errno)), -1;
        int rc = 0;
        for (int i = 0; i < n; i++) {
                const char *name = names[i]->d_name;
                /* hidden entries: ".", "..", half-written result dirs */
                if (rc == 0 && name[0] != '.') {
                        char *sub = join3(dir, "/", name);
                        char *subrel = join3(rel, "/", name);
                        if (sub == NULL || subrel == NULL)
                                rc = (say(err, cap, "out of memory"), -1);
                        else if (is_dir(sub))
                                rc = walk(set, sub, subrel, depth + 1, err, cap);
                        free(sub);
                        free(subrel);
                }
                free(names[i]);
        }
        free(names);
        return rc;
}

/* ---- the set ---------------------------------------------------------- */

static int cmp_run(const void *a, const void *b)
{
        return strcmp(((const struct compare_run *)a)->key, ((const struct compare_run *)b)->key);
}

int compare_set_load(const char *root, struct compare_set **out, char *err, size_t cap)
{
        *out = NULL;
        struct compare_set *set = calloc(1, sizeof(*set));
        if (set == NULL)
                return say(err, cap, "out of memory"), -1;
        int rc;
        if (is_dir(root)) {
                rc = walk(set, root, "", 0, err, cap);
        } else if (is_file(root)) {
                /* a summary.json or sweep.json named directly: its directory */
                const char *slash = strrchr(root, '/');
                const char *file = slash ? slash + 1 : root;
                char *dir = slash ? strndup(root, (size_t)(slash - root)) : strdup(".");
                if (dir == NULL)
                        rc = (say(err, cap, "out of memory"), -1);
                else if (strcmp(file, "sweep.json") == 0)
                        rc = add_sweep(set, dir[0] ? dir : "/", "", err, cap);
                else if (strcmp(file, "summary.json") == 0)
                        rc = add_run(set, dir[0] ? dir : "/", "", err, cap);
                else
                        rc = (say(err, cap,
                                  "%s: not a result directory, summary.json or sweep.json", root),
                              -1);
                free(dir);
        } else {
                say(err, cap, "%s: %s", root, strerror(errno ? errno : ENOENT));
                rc = -1;
        }
        if (rc == 0 && set->n == 0) {
                say(err, cap, "%s: no results (no summary.json or sweep.json below it)", root);
                rc = -1;
        }
        if (rc < 0) {
                compare_set_free(set);
                return -1;
        }
        qsort(set->runs, set->n, sizeof(*set->runs), cmp_run);
        *out = set;
        return 0;
}

void compare_set_free(struct compare_set *set)
{
        if (set == NULL)
                return;
        for (size_t i = 0; i < set->n; i++) {
                free(set->runs[i].key);
                free(set->runs[i].title);
                free(set->runs[i].dir);
                result_summary_free(&set->runs[i].summary);
        }
        free(set->runs);
        free(set);
}

size_t compare_set_count(const struct compare_set *set)
{
        return set ? set->n : 0;
}

const struct compare_run *compare_set_find(const struct compare_set *set, const char *key)
{
        struct compare_run probe = {.key = (char *)key};
        return bsearch(&probe, set->runs, set->n, sizeof(*set->runs), cmp_run);
}
