/*
 * sim/load/schema_engine.c - the `engine:` section: the core's settings,
 * the balancer and the options it knows (docs/scenarios.md, "engine").
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim/load/loader.h"

static void read_policy_options(struct loader *l, struct doc_node *engine,
                                const struct ac_balancer_ops *bal)
{
        struct doc_node *opts = doc_get_map(engine, "policy_options", DOC_OPTIONAL);
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
                        if (!known) {
                                doc_error_key(v, "an option %s knows (%s)", bal->name,
                                              list[0] ? list : "it takes none");
                                continue;
                        }
                }
                if (scenario_set_option(l->s, key, doc_text(v)) < 0)
                        load_out_of_memory(l, v);
        }
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
        int rc = doc_choice(engine, "policy", DOC_OPTIONAL, names, &pick);
        if (rc < 0)
                bal = NULL; /* options cannot be judged */
        if (rc == 0) {
                bal = ac_balancers[pick];
                if (scenario_set_text(&e->policy, bal->name) < 0)
                        load_out_of_memory(l, engine);
        }
        read_policy_options(l, engine, bal);
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
