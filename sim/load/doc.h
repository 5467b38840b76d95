/*
 * sim/load/doc.h - a scenario's YAML as a small tree that remembers where every
 * value came from, read through typed getters that report located errors.
 *
 * Loading (libyaml's event parser) builds mappings, sequences and scalars;
 * each node keeps its origin (file name, or "--set KEY=VALUE"), its 1-based
 * line and column, and its parent, from which its key path is built
 * ("devices[1].ops.aes-gcm-enc.rate"). Loading refuses what a scenario has no
 * use for or cannot survive: aliases and anchors, explicit tags, complex
 * keys, duplicate keys, several documents, nesting deeper than
 * DOC_MAX_DEPTH (the top-level mapping is level 1), more than DOC_MAX_NODES
 * nodes, files over DOC_MAX_FILE bytes, anything but a regular file, and a
 * top level that is not a mapping.
 *
 * Reading: the getters take a node and a key; a NULL key means the node
 * itself (for sequence items). They return 0 with the value stored, 1 when
 * the value is absent (an optional key not there or null, or a NULL node:
 * the error that made it NULL was reported already), or -1 after recording
 * "PATH: expected ..., got ..." in the doc's diag. Outputs are untouched
 * unless 0 is returned, so the caller fills in defaults first. Every key a
 * getter asks for is remembered, so that doc_check_keys() can report the keys
 * nobody asked for and suggest the closest asked one.
 *
 * Overrides (acsim run --set, sweep points) replace a node before the tree
 * is read; see doc_set().
 */
#ifndef SIM_LOAD_DOC_H
#define SIM_LOAD_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/load/diag.h"

#define DOC_MAX_DEPTH 64
#define DOC_MAX_NODES 1000000
#define DOC_MAX_FILE  (64u << 20)

struct doc;
struct doc_node;

enum doc_kind { DOC_SCALAR, DOC_MAP, DOC_SEQ };
enum doc_need { DOC_OPTIONAL, DOC_REQUIRED };

/* Loads a scenario file. Returns 0 with *out set, or -1 with the error in dg
 * (which the doc also keeps for the getters' errors). */
int doc_load_file(const char *path, struct diag *dg, struct doc **out);
/* Reads a scenario file's bytes as doc_load_file() would (a regular file
 * of at most DOC_MAX_FILE bytes) into *text (malloc'ed, NUL-terminated
 * after *len bytes; free it). Returns 0, or -1 with the error in dg. */
int doc_read_file(const char *path, struct diag *dg, char **text, size_t *len);
/* The same from memory; origin names it in errors. */
int doc_load_text(const char *origin, const char *text, size_t len, struct diag *dg,
                  struct doc **out);
void doc_free(struct doc *d);
/* Returns the top-level mapping. */
struct doc_node *doc_root(const struct doc *d);

/* Applies "a.b.c=VALUE": VALUE is parsed as YAML ("3", "1ms", "{d: 3}") and
 * replaces the node at a.b.c. A path element selects a mapping's key; in a
 * sequence, a number selects by index and a name selects the mapping whose
 * `name` is that name (workload.ipsec.arrival.rate). A key that the file
 * leaves out (or leaves null) is added, with the mappings that lead to it,
 * as long as the path only goes through mappings there: the schema read
 * refuses it later if it is unknown. A mapping key holding dots (a sweep's
 * key path: sweep.engine.policy) is matched whole before the path is cut at
 * its dots. Sequence items are never added. Errors and the new nodes name
 * `how` and the assignment ("--set a.b.c=VALUE"). Returns 0, or -1 with the
 * error in the diag. */
int doc_set(struct doc *d, const char *assignment, const char *how);
/* The same with a value node from another document (a sweep list's item),
 * copied with its own origin and place. Returns 0 or -1. */
int doc_set_node(struct doc *d, const char *path, const struct doc_node *value);

/* Writes n as one line of flow YAML (1us, {d: 3}, [a, b]), quoting scalars
 * that would not read back as written, into buf (truncated to cap). Returns
 * the length it needs, as snprintf. */
int doc_flow_text(const struct doc_node *n, char *buf, size_t cap);

/* Inspection; all accept NULL. */
enum doc_kind doc_kind(const struct doc_node *n);
/* Returns the number of items of a sequence or keys of a mapping, else 0. */
size_t doc_len(const struct doc_node *n);
/* Returns the i-th item of a sequence or value of a mapping (marking it
 * read), or NULL when out of range. */
struct doc_node *doc_at(struct doc_node *n, size_t i);
/* Returns the key of a mapping's i-th value, or NULL. */
const char *doc_key_at(const struct doc_node *map, size_t i);
/* Returns a scalar's text, or NULL for a mapping or a sequence. */
const char *doc_text(const struct doc_node *n);
/* Returns true for a null scalar: empty, ~ or null, unquoted. */
bool doc_is_null(const struct doc_node *n);
unsigned doc_line(const struct doc_node *n);
unsigned doc_col(const struct doc_node *n);
/* Writes n's key path into buf. Returns the length it needs, as snprintf. */
int doc_path(const struct doc_node *n, char *buf, size_t cap);

/* The value at key (any kind); NULL when absent, null or on error. */
struct doc_node *doc_get(struct doc_node *n, const char *key, enum doc_need need);
/* The same, but the value must be a mapping (a sequence). */
struct doc_node *doc_get_map(struct doc_node *n, const char *key, enum doc_need need);
struct doc_node *doc_get_seq(struct doc_node *n, const char *key, enum doc_need need);

/* Typed getters: return 0, 1 (absent) or -1 (error recorded); see above. */
int doc_duration(struct doc_node *n, const char *key, enum doc_need need, uint64_t *ns);
int doc_size(struct doc_node *n, const char *key, enum doc_need need, uint64_t *bytes);
int doc_event_rate(struct doc_node *n, const char *key, enum doc_need need, double *per_s);
int doc_byte_rate(struct doc_node *n, const char *key, enum doc_need need, double *bytes_per_s);
/* A number in [min, max]. */
int doc_number(struct doc_node *n, const char *key, enum doc_need need, double min, double max,
               double *out);
/* A whole number in [min, max]. */
int doc_whole(struct doc_node *n, const char *key, enum doc_need need, uint64_t min, uint64_t max,
              uint64_t *out);
/* true or false. */
int doc_bool(struct doc_node *n, const char *key, enum doc_need need, bool *out);
/* A non-empty scalar's text, owned by the doc. */
int doc_string(struct doc_node *n, const char *key, enum doc_need need, const char **out);
/* One of names (NULL-terminated); *index is its position. */
int doc_choice(struct doc_node *n, const char *key, enum doc_need need, const char *const *names,
               int *index);

/* Marks n and everything under it as read, with every key known: for a
 * value taken whole (a sweep's lists, checked when they are applied).
 * Accepts NULL. */
void doc_accept(struct doc_node *n);

/* Records "PATH: expected <printf fmt>, got <what n is>" at n, for checks
 * the getters do not know (alpha > 1, an unknown balancer name). */
void doc_error(const struct doc_node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same at n's key, "PATH: expected <fmt>, got 'KEY'": for a key that
 * is wrong in itself (an option the balancer does not know). */
void doc_error_key(const struct doc_node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reports every key of map that no getter asked for ("unknown key 'polcy';
 * did you mean 'policy'?"). Returns 0, or -1 if there was one. */
int doc_check_keys(struct doc_node *map);
/* The same for every mapping that was read, in the whole tree. Returns 0 or
 * -1. */
int doc_check_unused(struct doc *d);

#endif
