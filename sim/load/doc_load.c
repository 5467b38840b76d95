/*
 * sim/load/doc_load.c - a scenario's YAML read into a doc tree: the file's
 * bytes (a regular file of at most DOC_MAX_FILE), then libyaml's events
 * built into nodes with a stack of open containers, refusing what a
 * scenario has no use for (aliases, tags, complex and duplicate keys,
 * several documents, nesting beyond DOC_MAX_DEPTH, more than DOC_MAX_NODES
 * values) with the place it is at.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "sim/load/doc.h"
#include "sim/load/doc_tree.h"

struct frame {
        struct doc_node *node;   /* the open mapping or sequence */
        struct doc_node **items; /* its items so far (malloc'd, grows) */
        size_t n, cap;
        const char *key; /* mapping: the key waiting for its value */
        unsigned key_line, key_col;
};

struct builder {
        struct doc *doc;
        const char *origin; /* for the nodes and errors */
        bool located;       /* give nodes a line and column */
        struct frame stack[DOC_MAX_DEPTH];
        int depth; /* open containers */
        struct doc_node *root;
        int documents; /* seen so far */
};

static int fail(struct builder *b, yaml_mark_t mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct builder *b, yaml_mark_t mark, const char *fmt, ...)
{
        char path[1024];
        struct doc_buf sb = {path, sizeof(path), 0};
        path[0] = '\0';
        if (b->depth > 0) {
                const struct frame *f = &b->stack[b->depth - 1];
                doc_buf_path(&sb, f->node, f->key);
        }
        unsigned line = b->located ? (unsigned)mark.line + 1 : 0;
        unsigned col = b->located ? (unsigned)mark.column + 1 : 0;
        va_list ap;
        va_start(ap, fmt);
        diag_vadd(b->doc->dg, b->origin, line, col, path, fmt, ap);
        va_end(ap);
        return -1;
}

/* libyaml stops at the first problem; say what and where. */
static int syntax_error(struct builder *b, const yaml_parser_t *p, const unsigned char *text,
                        size_t len)
{
        yaml_mark_t mark = p->problem_mark;
        const char *problem = p->problem ? p->problem : "unreadable input";
        if (p->error == YAML_MEMORY_ERROR)
                return fail(b, mark, "out of memory");
        if (p->error == YAML_READER_ERROR) {
                /* The reader gives a byte offset, not a mark. */
                size_t off = p->problem_offset < len ? p->problem_offset : len;
                mark.line = 0;
                mark.column = 0;
                for (size_t i = 0; i < off; i++) {
                        mark.column++;
                        if (text[i] == '\n') {
                                mark.line++;
                                mark.column = 0;
                        }
                }
                if (p->problem_value >= 0)
                        return fail(b, mark, "invalid input: %s (byte 0x%02x)", problem,
                                    (unsigned)p->problem_value & 0xffu);
                return fail(b, mark, "invalid input: %s", problem);
        }
        if (mark.index < len && text[mark.index] == '\t')
                return fail(b, mark, "invalid YAML: a tab where YAML wants spaces");
        if (p->context)
                return fail(b, mark, "invalid YAML: %s %s", p->context, problem);
        return fail(b, mark, "invalid YAML: %s", problem);
}

static struct doc_node *new_node(struct builder *b, enum doc_kind kind, yaml_mark_t mark)
{
        if (b->doc->nodes >= DOC_MAX_NODES) {
                fail(b, mark, "expected at most %d values in a scenario", DOC_MAX_NODES);
                return NULL;
        }
        struct doc_node *n = doc_alloc(b->doc, sizeof(*n));
        if (!n) {
                fail(b, mark, "out of memory");
                return NULL;
        }
        b->doc->nodes++;
        n->kind = kind;
        n->doc = b->doc;
        n->origin = b->origin;
        if (b->located) {
                n->line = (unsigned)mark.line + 1;
                n->col = (unsigned)mark.column + 1;
        }
        return n;
}

/* Hangs n under the open container, or makes it the root. */
static int attach(struct builder *b, struct doc_node *n, yaml_mark_t mark)
{
        if (b->depth == 0) {
                b->root = n;
                return 0;
        }
        struct frame *f = &b->stack[b->depth - 1];
        n->parent = f->node;
        if (f->node->kind == DOC_MAP) {
                n->key = f->key;
                n->key_line = f->key_line;
                n->key_col = f->key_col;
                f->key = NULL;
        } else {
                n->index = f->n;
        }
        if (f->n == f->cap) {
                size_t cap = f->cap ? 2 * f->cap : 8;
                struct doc_node **items = realloc(f->items, cap * sizeof(*items));
                if (!items)
                        return fail(b, mark, "out of memory");
                f->items = items;
                f->cap = cap;
        }
        f->items[f->n++] = n;
        return 0;
}

struct key_pos {
        const char *key;
        size_t pos;
};

static int cmp_key_pos(const void *a, const void *b)
{
        const struct key_pos *x = a, *y = b;
        int c = strcmp(x->key, y->key);
        return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Finds a key given twice in a closed mapping, in O(n log n). */
static int check_duplicates(struct builder *b, struct doc_node *map, yaml_mark_t mark)
{
        if (map->n < 2)
                return 0;
        struct key_pos *kp = malloc(map->n * sizeof(*kp));
        if (!kp)
                return fail(b, mark, "out of memory");
        for (size_t i = 0; i < map->n; i++)
                kp[i] = (struct key_pos){map->items[i]->key, i};
        qsort(kp, map->n, sizeof(*kp), cmp_key_pos);
        size_t dup_pos = SIZE_MAX, first_pos = 0;
        for (size_t i = 1; i < map->n; i++)
                if (strcmp(kp[i - 1].key, kp[i].key) == 0 && kp[i].pos < dup_pos) {
                        dup_pos = kp[i].pos;
                        first_pos = kp[i - 1].pos;
                }
        free(kp);
        if (dup_pos == SIZE_MAX)
                return 0;
        const struct doc_node *first = map->items[first_pos], *dup = map->items[dup_pos];
        char key[128];
        struct doc_buf sb = {key, sizeof(key), 0};
        key[0] = '\0';
        doc_buf_show(&sb, dup->key, strlen(dup->key), DOC_SHOW_MAX);
        if (first->key_line)
                doc_report(dup, NULL, true, "duplicate key '%s' (first at line %u)", key,
                           first->key_line);
        else
                doc_report(dup, NULL, true, "duplicate key '%s'", key);
        return -1;
}

static int close_container(struct builder *b, yaml_mark_t mark)
{
        struct frame *f = &b->stack[b->depth - 1];
        struct doc_node *n = f->node;
        int rc = 0;
        if (f->n > 0) {
                n->items = doc_alloc(b->doc, f->n * sizeof(*n->items));
                if (n->items) {
                        memcpy(n->items, f->items, f->n * sizeof(*n->items));
                        n->n = f->n;
                } else {
                        rc = fail(b, mark, "out of memory");
                }
        }
        free(f->items);
        f->items = NULL;
        if (rc == 0 && n->kind == DOC_MAP)
                rc = check_duplicates(b, n, mark);
        b->depth--;
        return rc;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
        yaml_mark_t mark = ev->start_mark;
        const yaml_char_t *anchor = NULL, *tag = NULL;
        enum doc_kind kind = DOC_SCALAR;
        switch (ev->type) {
        case YAML_DOCUMENT_START_EVENT:
                if (++b->documents > 1)
                        return fail(b, mark, "expected a single YAML document, got a second one");
                return 0;
        case YAML_ALIAS_EVENT:
                return fail(b, mark,
                            "expected a value, got an alias (*%.40s): aliases are not "
                            "supported, write the value out",
                            (const char *)ev->data.alias.anchor);
        case YAML_SCALAR_EVENT:
                anchor = ev->data.scalar.anchor;
                tag = ev->data.scalar.tag;
                break;
        case YAML_SEQUENCE_START_EVENT:
                anchor = ev->data.sequence_start.anchor;
                tag = ev->data.sequence_start.tag;
                kind = DOC_SEQ;
                break;
        case YAML_MAPPING_START_EVENT:
                anchor = ev->data.mapping_start.anchor;
                tag = ev->data.mapping_start.tag;
                kind = DOC_MAP;
                break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                return close_container(b, mark);
        default:
                return 0;
        }
        if (anchor)
                return fail(b, mark,
                            "expected a value, got an anchor (&%.40s): anchors are not "
                            "supported",
                            (const char *)anchor);
        if (tag)
                return fail(b, mark, "expected a value, got a tag (%.40s): tags are not supported",
                            (const char *)tag);
        struct frame *top = b->depth > 0 ? &b->stack[b->depth - 1] : NULL;
        bool is_key = top && top->node->kind == DOC_MAP && !top->key;
        if (is_key && kind != DOC_SCALAR)
                return fail(b, mark, "expected a plain key, got a %s",
                            kind == DOC_MAP ? "mapping" : "sequence");
        if (kind == DOC_SCALAR) {
                const char *text = (const char *)ev->data.scalar.value;
                size_t len = ev->data.scalar.length;
                if (is_key) {
                        if (strlen(text) != len)
                                return fail(b, mark, "expected a key, got one with a NUL");
                        top->key = doc_strndup(b->doc, text, len);
                        top->key_line = b->located ? (unsigned)mark.line + 1 : 0;
                        top->key_col = b->located ? (unsigned)mark.column + 1 : 0;
                        return top->key ? 0 : fail(b, mark, "out of memory");
                }
                struct doc_node *n = new_node(b, DOC_SCALAR, mark);
                if (!n)
                        return -1;
                n->text = doc_strndup(b->doc, text, len);
                if (!n->text)
                        return fail(b, mark, "out of memory");
                n->len = len;
                n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                return attach(b, n, mark);
        }
        if (b->depth == DOC_MAX_DEPTH)
                return fail(b, mark, "expected at most %d levels of nesting, got more",
                            DOC_MAX_DEPTH);
        struct doc_node *n = new_node(b, kind, mark);
        if (!n || attach(b, n, mark) < 0)
                return -1;
        b->stack[b->depth++] = (struct frame){.node = n};
        return 0;
}

int doc_build(struct doc *d, const char *origin, bool located, const char *text, size_t len,
              struct doc_node **root)
{
        struct builder b = {.doc = d, .origin = origin, .located = located};
        yaml_parser_t p;
        yaml_mark_t start = {0, 0, 0};
        if (!yaml_parser_initialize(&p))
                return fail(&b, start, "out of memory");
        yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
        yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
        int rc = 0;
        for (bool done = false; !done && rc == 0;) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&p, &ev)) {
                        rc = syntax_error(&b, &p, (const unsigned char *)text, len);
                        break;
                }
                rc = on_event(&b, &ev);
                done = ev.type == YAML_STREAM_END_EVENT;
                yaml_event_delete(&ev);
        }
        for (int i = 0; i < b.depth; i++)
                free(b.stack[i].items);
        yaml_parser_delete(&p);
        *root = rc == 0 ? b.root : NULL;
        return rc;
}

int doc_load_text(const char *origin, const char *text, size_t len, struct diag *dg,
                  struct doc **out)
{
        *out = NULL;
        struct doc *d = calloc(1, sizeof(*d));
        const char *name = d ? doc_strndup(d, origin, strlen(origin)) : NULL;
        if (!name) {
                diag_add(dg, origin, 0, 0, NULL, "out of memory");
                doc_free(d);
                return -1;
        }
        d->dg = dg;
        struct doc_node *root;
        if (doc_build(d, name, true, text, len, &root) < 0) {
                doc_free(d);
                return -1;
        }
        if (!root || doc_is_null(root)) {
                diag_add(dg, name, 1, 1, NULL, "empty scenario");
                doc_free(d);
                return -1;
        }
        if (root->kind != DOC_MAP) {
                doc_error(root, "a mapping of scenario keys (name, run, engine, ...)");
                doc_free(d);
                return -1;
        }
        root->used = true;
        d->root = root;
        *out = d;
        return 0;
}

int doc_read_file(const char *path, struct diag *dg, char **text, size_t *len)
{
        *text = NULL;
        *len = 0;
        FILE *f = fopen(path, "rb");
        if (!f) {
                diag_add(dg, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
                return -1;
        }
        struct stat st;
        char *buf = NULL;
        size_t n = 0;
        int rc = -1;
        if (fstat(fileno(f), &st) != 0)
                diag_add(dg, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
        else if (S_ISDIR(st.st_mode))
                diag_add(dg, path, 0, 0, NULL, "expected a scenario file, got a directory");
        else if (!S_ISREG(st.st_mode))
                diag_add(dg, path, 0, 0, NULL, "expected a regular file");
        else if ((uintmax_t)st.st_size > DOC_MAX_FILE)
                diag_add(dg, path, 0, 0, NULL, "expected a file of at most %u MiB",
                         DOC_MAX_FILE >> 20);
        else if (!(buf = malloc((size_t)st.st_size + 1)))
                diag_add(dg, path, 0, 0, NULL, "out of memory");
        else if ((n = fread(buf, 1, (size_t)st.st_size, f)), ferror(f))
                diag_add(dg, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
        else
                rc = 0;
        fclose(f);
        if (rc < 0) {
                free(buf);
                return -1;
        }
        buf[n] = '\0';
        *text = buf;
        *len = n;
        return 0;
}

int doc_load_file(const char *path, struct diag *dg, struct doc **out)
{
        *out = NULL;
        char *buf;
        size_t len;
        if (doc_read_file(path, dg, &buf, &len) < 0)
                return -1;
        int rc = doc_load_text(path, buf, len, dg, out);
        free(buf);
        return rc;
}
