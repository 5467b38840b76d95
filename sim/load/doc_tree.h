/*
 * sim/load/doc_tree.h - the inside of the doc tree: the node and doc
 * structs and what its four files share (doc.c the arena, messages and
 * inspection, doc_load.c loading with libyaml, doc_get.c the getters and
 * key checks, doc_set.c the overrides). Not for use outside
 * sim/load/doc*.c.
 */
#ifndef SIM_LOAD_DOC_TREE_H
#define SIM_LOAD_DOC_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/load/doc.h"

#define DOC_SHOW_MAX 40 /* characters of a value or key quoted in a message */

struct doc_asked {
        const char *key;        /* a key some getter asked this mapping for */
        struct doc_asked *next; /* in the order asked */
};

struct doc_node {
        enum doc_kind kind;
        struct doc *doc;                      /* owner, for reporting */
        struct doc_node *parent;              /* NULL for the root */
        const char *key;                      /* key in the parent mapping, or NULL */
        size_t index;                         /* position in the parent sequence */
        const char *origin;                   /* file name, or "--set KEY=VALUE" */
        unsigned line, col;                   /* of the value; 0 when from --set */
        unsigned key_line, key_col;           /* of the key in the parent mapping */
        bool plain;                           /* scalar written without quotes */
        bool used;                            /* fetched by a getter or doc_at() */
        bool checked;                         /* mapping: its keys were checked */
        const char *text;                     /* scalar */
        size_t len;                           /* scalar: bytes of text (may hold NULs) */
        struct doc_node **items;              /* mapping values or sequence items */
        size_t n;                             /* number of items */
        struct doc_asked *asked, *asked_tail; /* mapping: keys asked for */
};

struct doc_chunk {
        struct doc_chunk *next;
        size_t used, cap;
        max_align_t data[]; /* cap bytes */
};

struct doc {
        struct diag *dg;          /* where errors go */
        struct doc_node *root;    /* the top-level mapping */
        struct doc_chunk *chunks; /* the arena */
        size_t nodes;             /* nodes made, against DOC_MAX_NODES */
};

struct doc_buf {
        char *buf;  /* always NUL-terminated */
        size_t cap; /* size of buf */
        size_t len; /* length wanted; more than cap - 1 when truncated */
};

/* The arena: zeroed memory and NUL-terminated copies owned by d, or NULL. */
void *doc_alloc(struct doc *d, size_t size);
char *doc_strndup(struct doc *d, const char *s, size_t len);

/* Text building, truncated at the buffer's end. */
void doc_buf_putc(struct doc_buf *b, char c);
void doc_buf_puts(struct doc_buf *b, const char *s);
/* Appends len bytes of s with control bytes escaped, cut after max
 * characters with "...". */
void doc_buf_show(struct doc_buf *b, const char *s, size_t len, size_t max);
/* Appends n's key path, then extra (may be NULL) as one more key. */
void doc_buf_path(struct doc_buf *b, const struct doc_node *n, const char *extra);
/* Appends what a message says n is: "a mapping", "nothing", "400k/s". */
void doc_buf_describe(struct doc_buf *b, const struct doc_node *n);

/* Records a message about n (at its key's place when at_key), with extra
 * appended to its path. */
void doc_report(const struct doc_node *n, const char *extra, bool at_key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parses text into nodes of d (located: with lines and columns). Returns 0
 * with *root (NULL for an empty stream), or -1 with the error reported. */
int doc_build(struct doc *d, const char *origin, bool located, const char *text, size_t len,
              struct doc_node **root);

/* Returns map's value at key, or NULL; marks nothing. */
struct doc_node *doc_find_key(const struct doc_node *map, const char *key);
/* Returns the candidate close enough to word to be a typo of it, or NULL. */
const char *doc_closest(const char *word, const char *const *cands, size_t n);

#endif
