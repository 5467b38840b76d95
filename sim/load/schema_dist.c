/*
 * sim/load/schema_dist.c - a distribution wherever the schema wants a
 * random quantity (service, jitter, size, think, mtbf, mttr): a single
 * value or {dist: KIND, ...}, its values in the unit of where it stands
 * (docs/scenarios.md, "Distributions").
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/loader.h"

static const char *const unit_phrase[] = {"a duration", "a size", "a number"};

/* Reads one value of the distribution's unit, >= 0 (> 0 when positive).
 * key NULL reads n itself. */
static int read_value(struct doc_node *n, const char *key, enum doc_need need, enum load_unit u,
                      bool positive, double *out)
{
        uint64_t w = 0;
        double x = 0;
        int rc;
        switch (u) {
        case LOAD_TIME:
                rc = doc_duration(n, key, need, &w);
                x = (double)w;
                break;
        case LOAD_SIZE:
                rc = doc_size(n, key, need, &w);
                x = (double)w;
                break;
        default:
                rc = doc_number(n, key, need, 0, INFINITY, &x);
                break;
        }
        if (rc != 0)
                return rc;
        if (positive && !(x > 0)) {
                doc_error(key ? doc_get(n, key, DOC_OPTIONAL) : n, "%s above 0", unit_phrase[u]);
                return -1;
        }
        *out = x;
        return 0;
}

/* The kinds in the order the `dist:` choice lists them; imix last, for
 * sizes only. */
static const char *const dist_names[] = {"constant", "exponential", "uniform", "lognormal", "gamma",
                                         "pareto",   "empirical",   "imix",    NULL};
static const char *const dist_names_no_imix[] = {
    "constant", "exponential", "uniform", "lognormal", "gamma", "pareto", "empirical", NULL};
static const enum dist_kind dist_kinds[] = {DIST_CONSTANT,  DIST_EXPONENTIAL, DIST_UNIFORM,
                                            DIST_LOGNORMAL, DIST_GAMMA,       DIST_PARETO,
                                            DIST_EMPIRICAL, DIST_IMIX};

static int read_empirical(struct loader *l, struct doc_node *m, enum load_unit u, struct dist *out)
{
        size_t mark = l->dg->total;
        struct doc_node *values = doc_get_seq(m, "values", DOC_REQUIRED);
        struct doc_node *weights = doc_get_seq(m, "weights", DOC_OPTIONAL);
        if (!values)
                return -1;
        size_t n = doc_len(values);
        if (n == 0) {
                doc_error(values, "at least one value");
                return -1;
        }
        if (weights && doc_len(weights) != n) {
                doc_error(weights, "%zu weights, one for each value", n);
                return -1;
        }
        out->values = calloc(n, sizeof(*out->values));
        out->weights = weights ? calloc(n, sizeof(*out->weights)) : NULL;
        if (!out->values || (weights && !out->weights)) {
                load_out_of_memory(l, values);
                return -1;
        }
        out->n = n;
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
                read_value(doc_at(values, i), NULL, DOC_REQUIRED, u, false, &out->values[i]);
                if (weights && doc_number(doc_at(weights, i), NULL, DOC_REQUIRED, 0, INFINITY,
                                          &out->weights[i]) == 0)
                        sum += out->weights[i];
        }
        if (weights && load_quiet_since(l, mark) && !(sum > 0 && isfinite(sum))) {
                doc_error(weights, "weights with a finite sum above 0");
                return -1;
        }
        return load_quiet_since(l, mark) ? 0 : -1;
}

/* A distribution at key: a mapping {dist: KIND, ...}, or a single value
 * meaning a constant (an exponential of that mean when scalar_mean, as for
 * mtbf and mttr). Fills *out (freed first); returns 0, 1 or -1. */
int load_read_dist(struct loader *l, struct doc_node *n, const char *key, enum doc_need need,
                   enum load_unit u, bool scalar_mean, struct dist *out)
{
        size_t mark = l->dg->total;
        struct doc_node *v = doc_get(n, key, DOC_OPTIONAL);
        if (!v && load_quiet_since(l, mark) && need == DOC_REQUIRED) {
                /* Missing: said in the words of the unit. */
                double unused;
                read_value(n, key, DOC_REQUIRED, u, false, &unused);
        }
        if (!v)
                return load_quiet_since(l, mark) ? 1 : -1;
        dist_free(out);
        memset(out, 0, sizeof(*out));
        if (doc_kind(v) == DOC_SCALAR) {
                out->kind = scalar_mean ? DIST_EXPONENTIAL : DIST_CONSTANT;
                int rc = read_value(v, NULL, DOC_REQUIRED, u, scalar_mean, &out->a);
                if (rc == 0)
                        dist_prepare(out, NULL); /* a constant or a mean: always valid */
                return rc;
        }
        if (doc_kind(v) != DOC_MAP) {
                doc_error(v, "%s or a distribution like {dist: exponential, mean: %s}",
                          unit_phrase[u],
                          u == LOAD_TIME   ? "1us"
                          : u == LOAD_SIZE ? "1500B"
                                           : "1");
                return -1;
        }
        int kind;
        if (doc_choice(v, "dist", DOC_REQUIRED, u == LOAD_SIZE ? dist_names : dist_names_no_imix,
                       &kind) != 0)
                return -1;
        out->kind = dist_kinds[kind];
        switch (out->kind) {
        case DIST_CONSTANT:
                read_value(v, "value", DOC_REQUIRED, u, false, &out->a);
                break;
        case DIST_EXPONENTIAL:
                read_value(v, "mean", DOC_REQUIRED, u, true, &out->a);
                break;
        case DIST_UNIFORM:
                if (read_value(v, "min", DOC_REQUIRED, u, false, &out->a) == 0 &&
                    read_value(v, "max", DOC_REQUIRED, u, false, &out->b) == 0 && out->b < out->a)
                        doc_error(doc_get(v, "max", DOC_OPTIONAL), "a max of at least min (%s)",
                                  doc_text(doc_get(v, "min", DOC_OPTIONAL)));
                break;
        case DIST_LOGNORMAL:
        case DIST_GAMMA:
                read_value(v, "mean", DOC_REQUIRED, u, true, &out->a);
                if (doc_number(v, "cv", DOC_REQUIRED, 0, INFINITY, &out->b) == 0 && out->b <= 0)
                        doc_error(doc_get(v, "cv", DOC_OPTIONAL), "a cv above 0");
                break;
        case DIST_PARETO:
                read_value(v, "mean", DOC_REQUIRED, u, true, &out->a);
                if (doc_number(v, "alpha", DOC_REQUIRED, 0, INFINITY, &out->b) == 0 && out->b <= 1)
                        doc_error(doc_get(v, "alpha", DOC_OPTIONAL),
                                  "an alpha above 1 (a finite mean)");
                break;
        case DIST_EMPIRICAL:
                read_empirical(l, v, u, out);
                break;
        case DIST_IMIX:
                break;
        }
        doc_check_keys(v);
        if (!load_quiet_since(l, mark))
                return -1;
        const char *why = NULL;
        if (dist_prepare(out, &why) < 0) {
                doc_error(v, "a valid distribution (%s)", why ? why : "?");
                return -1;
        }
        return 0;
}
