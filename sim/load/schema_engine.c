/*
 * sim/load/schema_engine.c - the `engine:` section: the core's settings,
 * the balancer and the options it knows (docs/scenarios.md, "engine").
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ac/error.h"

#include "sim/load/doc_tree.h"
#include "sim/load/loader.h"

/* A random source for the trial init below: a balancer that draws only
 * checks that there is one. */
static uint64_t trial_random(void *ctx)
{
        (void)ctx;
        return 0x9e3779b97f4a7c15ull;
}

/* Runs bal's init on the options o[0 .. n - 1] (no devices yet, as in the
 * core) and releases what it took. Returns its code. */
static int trial_init(const struct ac_balancer_ops *bal, const struct ac_option *o, size_t n)
{
        void *priv = calloc(1, bal->priv_size ? bal->priv_size : 1);
        if (priv == NULL)
                return 0; /* the run's own init still checks */
        struct ac_balancer_env env = {o, n, trial_random, NULL, NULL, 0};
        int rc = bal->init(priv, &env);
        if (rc == 0 && bal->fini)
                bal->fini(priv);
        free(priv);
        return rc;
}

/* Option values are checked now, not when the run starts the balancer: its
 * init runs on the options as read, and a refusal is reported at the value
 * it refuses alone (or at engine.policy_options when only their
 * combination is refused), with the reason. */
static void try_policy_options(struct doc_node *opts, const struct ac_balancer_ops *bal)
{
        size_t n = doc_len(opts);
        struct ac_option *o = calloc(n ? n : 1, sizeof(*o));
        if (o == NULL)
                return;
        size_t m = 0; /* the options bal knows: others were refused or skipped */
        struct doc_node *at[64];
        for (size_t i = 0; i < n && m < sizeof(at) / sizeof(at[0]); i++) {
                const char *key = doc_key_at(opts, i);
                bool known = false;
                for (const struct ac_option_spec *s = bal->options; s && s->key; s++)
                        known = known || strcmp(s->key, key) == 0;
                if (!known || doc_kind(doc_at(opts, i)) != DOC_SCALAR)
                        continue;
                at[m] = doc_at(opts, i);
                o[m] = (struct ac_option){key, doc_text(at[m])};
                m++;
        }
        n = m;
        int rc = trial_init(bal, o, n);
        bool located = false;
        for (size_t i = 0; rc < 0 && i < n; i++) {
                int one = trial_init(bal, &o[i], 1);
                if (one < 0) {
                        doc_error(at[i], "a value %s accepts for %s (%s)", bal->name, o[i].key,
                                  ac_strerror(one));
                        located = true;
                }
        }
        if (rc < 0 && !located)
                doc_error(opts, "options %s accepts together (%s)", bal->name, ac_strerror(rc));
        free(o);
}

/* The balancer a value of a swept engine.policy list names: a scalar, or
 * a variant's `policy:`. */
static const struct ac_balancer_ops *swept_balancer(const struct doc_node *v)
{
        if (doc_kind(v) == DOC_MAP)
                v = doc_find_key(v, "policy");
        return v && doc_kind(v) == DOC_SCALAR ? ac_balancer_find(doc_text(v)) : NULL;
}

/* True when the sweep varies engine.policy and one of its balancers knows
 * option key: an engine-wide option for that one is not refused at a
 * point whose balancer lacks it (it does not apply there). */
static bool swept_policy_knows(const struct doc_node *root, const char *key)
{
        const struct doc_node *sweep = root ? doc_find_key(root, "sweep") : NULL;
        const struct doc_node *list = sweep ? doc_find_key(sweep, "engine.policy") : NULL;
        if (list == NULL || doc_kind(list) != DOC_SEQ)
                return false;
        for (size_t i = 0; i < doc_len(list); i++) {
                const struct ac_balancer_ops *b =
                    swept_balancer(doc_at((struct doc_node *)list, i));
                for (const struct ac_option_spec *o = b ? b->options : NULL; o && o->key; o++)
                        if (strcmp(o->key, key) == 0)
                                return true;
        }
        return false;
}

/* Reads the options of `opts` (engine.policy_options, or a variant's)
 * for balancer bal (NULL: unknown, not judged) into the scenario. */
static void read_policy_options(struct loader *l, struct doc_node *root, struct doc_node *opts,
                                const struct ac_balancer_ops *bal)
{
        size_t mark = l->dg->total;
        for (size_t i = 0; i < doc_len(opts); i++) {
                const char *key = doc_key_at(opts, i);
                struct doc_node *v = doc_at(opts, i);
                if (doc_kind(v) != DOC_SCALAR || doc_is_null(v)) {
                        doc_error(v, "a single value (a number or a word)");
                        continue;
                }
                if (bal) {
                        bool known = false;
                        char list[256] = "";
                        size_t len = 0;
                        for (const struct ac_option_spec *o = bal->options; o && o->key; o++) {
                                known = known || strcmp(o->key, key) == 0;
                                len += (size_t)snprintf(list + len,
                                                        len < sizeof(list) ? sizeof(list) - len : 0,
                                                        "%s%s", len ? ", " : "", o->key);
                                if (len >= sizeof(list))
                                        len = sizeof(list) - 1;
                        }
                        if (!known && swept_policy_knows(root, key))
                                continue; /* for another balancer of the sweep */
                        if (!known) {
                                doc_error_key(v, "an option %s knows (%s)", bal->name,
                                              list[0] ? list : "it takes none");
                                continue;
                        }
                }
                if (scenario_set_option(l->s, key, doc_text(v)) < 0)
                        load_out_of_memory(l, v);
        }
        if (bal && opts && load_quiet_since(l, mark))
                try_policy_options(opts, bal);
}

void load_engine(struct loader *l, struct doc_node *root)
{
        struct scenario_engine *e = &l->s->engine;
        struct doc_node *engine = doc_get_map(root, "engine", DOC_OPTIONAL);
        const char *names[64];
        size_t nb = 0;
        for (; ac_balancers[nb] && nb + 1 < sizeof(names) / sizeof(names[0]); nb++)
                names[nb] = ac_balancers[nb]->name;
        names[nb] = NULL;
        int pick;
        const struct ac_balancer_ops *bal = ac_balancer_find(e->policy);
        /* a variant: {name: N, policy: P, policy_options: {...}} (a value of a
         * swept engine.policy list; docs/scenarios.md) */
        const struct doc_node *pn = engine ? doc_find_key(engine, "policy") : NULL;
        struct doc_node *variant =
            pn && doc_kind(pn) == DOC_MAP ? doc_get_map(engine, "policy", DOC_OPTIONAL) : NULL;
        struct doc_node *at = variant ? variant : engine;
        int rc = doc_choice(at, "policy", variant ? DOC_REQUIRED : DOC_OPTIONAL, names, &pick);
        if (rc < 0)
                bal = NULL; /* options cannot be judged */
        if (rc == 0) {
                bal = ac_balancers[pick];
                if (scenario_set_text(&e->policy, bal->name) < 0)
                        load_out_of_memory(l, engine);
        }
        read_policy_options(l, root, doc_get_map(engine, "policy_options", DOC_OPTIONAL), bal);
        if (variant) {
                const char *text;
                load_read_name(variant, "name", DOC_REQUIRED, &text);
                /* its own options after the engine's: they win */
                read_policy_options(l, root, doc_get_map(variant, "policy_options", DOC_OPTIONAL),
                                    bal);
                doc_check_keys(variant);
        }
        struct doc_node *q = doc_get_map(engine, "queue", DOC_OPTIONAL);
        load_read_u32(q, "depth", DOC_OPTIONAL, 1, SCENARIO_MAX_QUEUE, &e->queue_depth);
        load_read_u32(q, "backlog", DOC_OPTIONAL, 0, SCENARIO_MAX_BACKLOG, &e->backlog);
        doc_check_keys(q);
        struct doc_node *p = doc_get_map(engine, "priority", DOC_OPTIONAL);
        load_read_u32(p, "levels", DOC_OPTIONAL, 1, AC_MAX_LEVELS, &e->levels);
        load_read_duration(p, "aging", DOC_OPTIONAL, 0, &e->aging_ns);
        doc_check_keys(p);
        struct doc_node *f = doc_get_map(engine, "failover", DOC_OPTIONAL);
        load_read_duration(f, "timeout", DOC_OPTIONAL, 0, &e->failover.timeout_ns);
        load_read_u32(f, "retries", DOC_OPTIONAL, 0, SCENARIO_MAX_RETRIES, &e->failover.retries);
        load_read_u32(f, "errors_to_fail", DOC_OPTIONAL, 1, SCENARIO_MAX_ERRORS_TO_FAIL,
                      &e->failover.errors_to_fail);
        load_read_duration(f, "probe", DOC_OPTIONAL, 0, &e->failover.probe_ns);
        load_read_duration(f, "drain", DOC_OPTIONAL, 0, &e->failover.drain_ns);
        doc_check_keys(f);
        doc_bool(engine, "affinity", DOC_OPTIONAL, &e->affinity);
        doc_bool(engine, "flow_order", DOC_OPTIONAL, &e->flow_order);
        doc_check_keys(engine);
}
