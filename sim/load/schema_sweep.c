/*
 * sim/load/schema_sweep.c - the `sweep:` section: key paths and their lists
 * of values, kept as flow text for the points (sim/load/sweep_points.c);
 * each value is checked by loading it alone (sim/load/scenario_load.c).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/loader.h"

#define FLOW_TEXT_MAX 256 /* bytes of a sweep value's text */

void load_sweep_lists(struct loader *l, struct doc_node *root)
{
        struct doc_node *sw = doc_get_map(root, "sweep", DOC_OPTIONAL);
        size_t points = 1, values = 0;
        for (size_t i = 0; i < doc_len(sw); i++) {
                const char *key = doc_key_at(sw, i);
                struct doc_node *list = doc_get_seq(sw, key, DOC_REQUIRED);
                if (!list)
                        continue;
                size_t n = doc_len(list);
                if (n == 0) {
                        doc_error(list, "a list of at least one value");
                        continue;
                }
                if (strcmp(key, "sweep") == 0 || strncmp(key, "sweep.", 6) == 0 ||
                    strcmp(key, "name") == 0) {
                        doc_error(list, "a key path to vary (not name or sweep)");
                        continue;
                }
                if (points > SCENARIO_MAX_POINTS / n) {
                        doc_error(list, "at most %d points in all (the product of the lists)",
                                  SCENARIO_MAX_POINTS);
                        continue;
                }
                values += n;
                if (values > SCENARIO_MAX_SWEEP_VALUES) {
                        doc_error(list,
                                  "at most %d values in all the sweep lists (each is loaded "
                                  "alone to check it: the list brings them to %zu)",
                                  SCENARIO_MAX_SWEEP_VALUES, values);
                        continue;
                }
                points *= n;
                doc_accept(list);
                char **texts = calloc(n, sizeof(*texts));
                bool ok = texts != NULL;
                for (size_t j = 0; ok && j < n; j++) {
                        char buf[FLOW_TEXT_MAX];
                        doc_flow_text(doc_at(list, j), buf, sizeof(buf));
                        ok = (texts[j] = strdup(buf)) != NULL;
                }
                if (!ok || scenario_add_sweep(l->s, key, (const char *const *)texts, n) < 0)
                        load_out_of_memory(l, list);
                for (size_t j = 0; texts && j < n; j++)
                        free(texts[j]);
                free(texts);
        }
}
