/*
 * sim/load/scenario_load.c - loading a scenario (sim/load/scenario_load.h):
 * read the file's bytes once, parse them into a doc tree, apply the --set
 * assignments and a sweep point's values, read the tree into a struct
 * scenario (sim/load/schema.c and its sections, which check the limits),
 * prepare it; and check every sweep value alone.
 */
#include "sim/load/scenario_load.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/loader.h"

#define NO_POINT SIZE_MAX /* apply_sweep: leave this key alone */

/* Which value of each sweep key to apply: NO_POINT leaves a key alone. */
static int apply_sweep(struct doc *d, const size_t *choice)
{
        struct doc_node *sw = doc_get_map(doc_root(d), "sweep", DOC_OPTIONAL);
        int rc = 0;
        for (size_t i = 0; i < doc_len(sw); i++) {
                if (choice[i] == NO_POINT)
                        continue;
                struct doc_node *item = doc_at(doc_at(sw, i), choice[i]);
                if (item && doc_set_node(d, doc_key_at(sw, i), item) < 0)
                        rc = -1;
        }
        return rc;
}

/* The file's bytes, read once: every load of a scenario and of its sweep
 * points parses these, so the file may change while a long run goes on
 * and the results still say what ran. */
struct source {
        const char *text;
        size_t len;
};

/* Loads path with the sets and the chosen sweep values (choice NULL: none)
 * into *out, scenario_init'ed here. Returns 0 or -1 (out freed). */
static int load_once(const char *path, const struct source *src, const char *const *sets,
                     size_t nsets, const size_t *choice, size_t nchoice,
                     const struct scenario_vocabulary *vocab, struct diag *dg, struct scenario *out)
{
        memset(out, 0, sizeof(*out));
        struct doc *d = NULL;
        if (doc_load_text(path, src->text, src->len, dg, &d) < 0)
                return -1;
        int rc = 0;
        for (size_t i = 0; i < nsets; i++)
                if (doc_set(d, sets[i], "--set") < 0)
                        rc = -1;
        if (rc == 0 && choice) {
                if (doc_len(doc_get_map(doc_root(d), "sweep", DOC_OPTIONAL)) != nchoice) {
                        diag_add(dg, path, 0, 0, "sweep", "expected %zu sweep keys, got %zu",
                                 nchoice, doc_len(doc_get_map(doc_root(d), "sweep", DOC_OPTIONAL)));
                        rc = -1;
                } else {
                        rc = apply_sweep(d, choice);
                }
        }
        if (rc < 0) {
                doc_free(d);
                return -1;
        }
        if (scenario_init(out) < 0) {
                diag_add(dg, path, 0, 0, NULL, "out of memory");
                doc_free(d);
                return -1;
        }
        struct loader l = {.d = d, .dg = dg, .s = out, .path = path, .vocab = vocab};
        size_t mark = dg->total;
        out->source = malloc(src->len + 1);
        if (out->source == NULL) {
                l.oom = true;
        } else {
                memcpy(out->source, src->text, src->len);
                out->source[src->len] = '\0';
                out->source_len = src->len;
        }
        load_tree(&l, doc_root(d));
        doc_free(d);
        if (!load_quiet_since(&l, mark) || l.oom) {
                if (l.oom && load_quiet_since(&l, mark))
                        diag_add(dg, path, 0, 0, NULL, "out of memory");
                scenario_free(out);
                return -1;
        }
        struct sim_error err = {""};
        if (scenario_prepare(out, &err) < 0) {
                /* The checks above should have caught it; say what the
                 * preparation said, at the file. */
                diag_add(dg, path, 0, 0, NULL, "%s", err.msg);
                scenario_free(out);
                return -1;
        }
        return 0;
}

/* Loads every sweep value alone on the base scenario, so that a bad one is
 * refused at load time with its place. */
static int check_sweep(const char *path, const struct source *src, const char *const *sets,
                       size_t nsets, const struct scenario *base,
                       const struct scenario_vocabulary *vocab, struct diag *dg)
{
        size_t *choice = malloc((base->nsweep ? base->nsweep : 1) * sizeof(*choice));
        if (!choice) {
                diag_add(dg, path, 0, 0, "sweep", "out of memory");
                return -1;
        }
        int rc = 0;
        for (size_t k = 0; k < base->nsweep && !diag_full(dg); k++) {
                for (size_t j = 0; j < base->sweep[k].nvalues && !diag_full(dg); j++) {
                        for (size_t i = 0; i < base->nsweep; i++)
                                choice[i] = i == k ? j : NO_POINT;
                        struct scenario one;
                        if (load_once(path, src, sets, nsets, choice, base->nsweep, vocab, dg,
                                      &one) < 0) {
                                rc = -1;
                                continue;
                        }
                        scenario_free(&one);
                }
        }
        free(choice);
        return rc;
}

/* A scenario from bytes, its sweep values checked, with a vocabulary. */
static int load_text(const char *path, const char *text, size_t len, const char *const *sets,
                     size_t nsets, const struct scenario_vocabulary *vocab, struct diag *diag,
                     struct scenario *out)
{
        struct source src = {text, len};
        int rc = load_once(path, &src, sets, nsets, NULL, 0, vocab, diag, out);
        if (rc == 0 && out->nsweep > 0 &&
            check_sweep(path, &src, sets, nsets, out, vocab, diag) < 0) {
                scenario_free(out);
                rc = -1;
        }
        return rc;
}

int scenario_load_text(const char *path, const char *text, size_t len, const char *const *sets,
                       size_t nsets, struct diag *diag, struct scenario *out)
{
        return load_text(path, text, len, sets, nsets, NULL, diag, out);
}

int scenario_load(const char *path, const char *const *sets, size_t nsets, struct diag *diag,
                  struct scenario *out)
{
        return scenario_load_for(path, sets, nsets, NULL, diag, out);
}

int scenario_load_for(const char *path, const char *const *sets, size_t nsets,
                      const struct scenario_vocabulary *vocab, struct diag *diag,
                      struct scenario *out)
{
        char *text;
        size_t len;
        memset(out, 0, sizeof(*out));
        if (doc_read_file(path, diag, &text, &len) < 0)
                return -1;
        int rc = load_text(path, text, len, sets, nsets, vocab, diag, out);
        free(text);
        return rc;
}

int scenario_load_point_from(const struct scenario *loaded, const char *path,
                             const char *const *sets, size_t nsets, size_t point, struct diag *diag,
                             struct scenario *out)
{
        struct source src = {loaded->source ? loaded->source : "", loaded->source_len};
        struct scenario base;
        if (load_once(path, &src, sets, nsets, NULL, 0, NULL, diag, &base) < 0) {
                memset(out, 0, sizeof(*out));
                return -1;
        }
        size_t points = scenario_sweep_points(&base);
        if (point >= points) {
                diag_add(diag, path, 0, 0, "sweep", "expected a sweep point below %zu, got %zu",
                         points, point);
                scenario_free(&base);
                memset(out, 0, sizeof(*out));
                return -1;
        }
        size_t *choice = malloc((base.nsweep ? base.nsweep : 1) * sizeof(*choice));
        if (!choice) {
                diag_add(diag, path, 0, 0, "sweep", "out of memory");
                scenario_free(&base);
                memset(out, 0, sizeof(*out));
                return -1;
        }
        for (size_t i = 0; i < base.nsweep; i++)
                choice[i] = load_point_index(&base, point, i);
        size_t n = base.nsweep;
        scenario_free(&base);
        int rc = load_once(path, &src, sets, nsets, n ? choice : NULL, n, NULL, diag, out);
        free(choice);
        return rc;
}

int scenario_load_point(const char *path, const char *const *sets, size_t nsets, size_t point,
                        struct diag *diag, struct scenario *out)
{
        struct scenario file = {0};
        memset(out, 0, sizeof(*out));
        if (doc_read_file(path, diag, &file.source, &file.source_len) < 0)
                return -1;
        int rc = scenario_load_point_from(&file, path, sets, nsets, point, diag, out);
        free(file.source);
        return rc;
}
