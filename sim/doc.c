/*
 * sim/doc.c - the scenario document tree: loading, walking, overrides.
 *
 * Layout: an arena that owns every node and string of a doc; a bounded text
 * builder for paths and messages; the loader (a libyaml event loop that keeps
 * a stack of open containers); reporting; the getters; the unknown-key
 * checks; overrides.
 */
#include "sim/doc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "sim/units.h"

#define SHOW_MAX 40 /* characters of a value or key quoted in a message */

struct asked {
        const char *key;    /* a key some getter asked this mapping for */
        struct asked *next; /* in the order asked */
};

struct doc_node {
        enum doc_kind kind;
        struct doc *doc;                  /* owner, for reporting */
        struct doc_node *parent;          /* NULL for the root */
        const char *key;                  /* key in the parent mapping, or NULL */
        size_t index;                     /* position in the parent sequence */
        const char *origin;               /* file name, or "--set KEY=VALUE" */
        unsigned line, col;               /* of the value; 0 when from --set */
        unsigned key_line, key_col;       /* of the key in the parent mapping */
        bool plain;                       /* scalar written without quotes */
        bool used;                        /* fetched by a getter or doc_at() */
        bool checked;                     /* mapping: its keys were checked */
        const char *text;                 /* scalar */
        size_t len;                       /* scalar: bytes of text (may hold NULs) */
        struct doc_node **items;          /* mapping values or sequence items */
        size_t n;                         /* number of items */
        struct asked *asked, *asked_tail; /* mapping: keys asked for */
};

struct chunk {
        struct chunk *next;
        size_t used, cap;
        max_align_t data[]; /* cap bytes */
};

struct doc {
        struct diag *dg;       /* where errors go */
        struct doc_node *root; /* the top-level mapping */
        struct chunk *chunks;  /* the arena */
        size_t nodes;          /* nodes made, against DOC_MAX_NODES */
};

/* ---- arena ------------------------------------------------------------ */

static void *arena_alloc(struct doc *d, size_t size)
{
        size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
        struct chunk *c = d->chunks;
        if (!c || c->cap - c->used < size) {
                size_t cap = size > 65536 ? size : 65536;
                c = malloc(sizeof(*c) + cap);
                if (!c)
                        return NULL;
                c->next = d->chunks;
                c->used = 0;
                c->cap = cap;
                d->chunks = c;
        }
        void *p = (char *)c->data + c->used;
        c->used += size;
        memset(p, 0, size);
        return p;
}

static char *arena_strndup(struct doc *d, const char *s, size_t len)
{
        char *c = arena_alloc(d, len + 1);
        if (c) {
                memcpy(c, s, len);
                c[len] = '\0';
        }
        return c;
}

/* ---- text builder ------------------------------------------------------ */

struct sb {
        char *buf;  /* always NUL-terminated */
        size_t cap; /* size of buf */
        size_t len; /* length wanted; more than cap - 1 when truncated */
};

static void sb_putc(struct sb *sb, char c)
{
        if (sb->len + 1 < sb->cap) {
                sb->buf[sb->len] = c;
                sb->buf[sb->len + 1] = '\0';
        }
        sb->len++;
}

static void sb_puts(struct sb *sb, const char *s)
{
        while (*s)
                sb_putc(sb, *s++);
}

/* Appends len bytes of s with control bytes escaped, cut after `max`
 * characters. */
static void sb_show(struct sb *sb, const char *s, size_t len, size_t max)
{
        size_t chars = 0;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if ((c & 0xc0) != 0x80 && chars++ == max) {
                        sb_puts(sb, "...");
                        return;
                }
                if (c < 0x20 || c == 0x7f) {
                        char esc[8];
                        snprintf(esc, sizeof(esc), "\\x%02x", c);
                        sb_puts(sb, esc);
                } else {
                        sb_putc(sb, (char)c);
                }
        }
}

/* Appends the key path of n, then `extra` as one more key. */
static void sb_path(struct sb *sb, const struct doc_node *n, const char *extra)
{
        const struct doc_node *chain[2 * DOC_MAX_DEPTH + 2];
        size_t depth = 0;
        for (const struct doc_node *p = n; p && p->parent; p = p->parent)
                if (depth < sizeof(chain) / sizeof(chain[0]))
                        chain[depth++] = p;
        while (depth-- > 0) {
                const struct doc_node *p = chain[depth];
                if (p->key) {
                        if (sb->len > 0)
                                sb_putc(sb, '.');
                        sb_show(sb, p->key, strlen(p->key), SHOW_MAX);
                } else {
                        char idx[32];
                        snprintf(idx, sizeof(idx), "[%zu]", p->index);
                        sb_puts(sb, idx);
                }
        }
        if (extra) {
                if (sb->len > 0)
                        sb_putc(sb, '.');
                sb_show(sb, extra, strlen(extra), SHOW_MAX);
        }
}

/* Appends what a message says a node is: "a mapping", "nothing", "2x". */
static void sb_describe(struct sb *sb, const struct doc_node *n)
{
        if (n->kind == DOC_MAP)
                sb_puts(sb, "a mapping");
        else if (n->kind == DOC_SEQ)
                sb_puts(sb, "a sequence");
        else if (doc_is_null(n))
                sb_puts(sb, "nothing");
        else {
                bool quote = !n->plain || memchr(n->text, ' ', n->len);
                if (quote)
                        sb_putc(sb, '\'');
                sb_show(sb, n->text, n->len, SHOW_MAX);
                if (quote)
                        sb_putc(sb, '\'');
        }
}

/* ---- reporting --------------------------------------------------------- */

/* Records a message about n (at its key's place when at_key), with `extra`
 * appended to its path. */
static void report(const struct doc_node *n, const char *extra, bool at_key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(const struct doc_node *n, const char *extra, bool at_key, const char *fmt, ...)
{
        struct diag *dg = n->doc->dg;
        char path[1024];
        struct sb sb = {path, sizeof(path), 0};
        path[0] = '\0';
        if (!diag_full(dg))
                sb_path(&sb, n, extra);
        unsigned line = at_key ? n->key_line : n->line;
        unsigned col = at_key ? n->key_col : n->col;
        va_list ap;
        va_start(ap, fmt);
        diag_vadd(dg, n->origin, line, col, path, fmt, ap);
        va_end(ap);
}

void doc_error(const struct doc_node *n, const char *fmt, ...)
{
        if (!n)
                return;
        char expected[512], got[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(expected, sizeof(expected), fmt, ap);
        va_end(ap);
        struct sb sb = {got, sizeof(got), 0};
        got[0] = '\0';
        sb_describe(&sb, n);
        report(n, NULL, false, "expected %s, got %s", expected, got);
}

/* ---- loading ----------------------------------------------------------- */

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
        struct sb sb = {path, sizeof(path), 0};
        path[0] = '\0';
        if (b->depth > 0) {
                const struct frame *f = &b->stack[b->depth - 1];
                sb_path(&sb, f->node, f->key);
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
        struct doc_node *n = arena_alloc(b->doc, sizeof(*n));
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
        struct sb sb = {key, sizeof(key), 0};
        key[0] = '\0';
        sb_show(&sb, dup->key, strlen(dup->key), SHOW_MAX);
        if (first->key_line)
                report(dup, NULL, true, "duplicate key '%s' (first at line %u)", key,
                       first->key_line);
        else
                report(dup, NULL, true, "duplicate key '%s'", key);
        return -1;
}

static int close_container(struct builder *b, yaml_mark_t mark)
{
        struct frame *f = &b->stack[b->depth - 1];
        struct doc_node *n = f->node;
        int rc = 0;
        if (f->n > 0) {
                n->items = arena_alloc(b->doc, f->n * sizeof(*n->items));
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
                        top->key = arena_strndup(b->doc, text, len);
                        top->key_line = b->located ? (unsigned)mark.line + 1 : 0;
                        top->key_col = b->located ? (unsigned)mark.column + 1 : 0;
                        return top->key ? 0 : fail(b, mark, "out of memory");
                }
                struct doc_node *n = new_node(b, DOC_SCALAR, mark);
                if (!n)
                        return -1;
                n->text = arena_strndup(b->doc, text, len);
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

/* Parses text into nodes of d. Returns 0 with *root (NULL for an empty
 * stream), or -1 with the error reported. */
static int build(struct doc *d, const char *origin, bool located, const char *text, size_t len,
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

void doc_free(struct doc *d)
{
        if (!d)
                return;
        for (struct chunk *c = d->chunks, *next; c; c = next) {
                next = c->next;
                free(c);
        }
        free(d);
}

int doc_load_text(const char *origin, const char *text, size_t len, struct diag *dg,
                  struct doc **out)
{
        *out = NULL;
        struct doc *d = calloc(1, sizeof(*d));
        const char *name = d ? arena_strndup(d, origin, strlen(origin)) : NULL;
        if (!name) {
                diag_add(dg, origin, 0, 0, NULL, "out of memory");
                doc_free(d);
                return -1;
        }
        d->dg = dg;
        struct doc_node *root;
        if (build(d, name, true, text, len, &root) < 0) {
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

int doc_load_file(const char *path, struct diag *dg, struct doc **out)
{
        *out = NULL;
        FILE *f = fopen(path, "rb");
        if (!f) {
                diag_add(dg, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
                return -1;
        }
        struct stat st;
        char *buf = NULL;
        size_t len = 0;
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
        else if ((len = fread(buf, 1, (size_t)st.st_size, f)), ferror(f))
                diag_add(dg, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
        else
                rc = 0;
        fclose(f);
        if (rc == 0)
                rc = doc_load_text(path, buf, len, dg, out);
        free(buf);
        return rc;
}

struct doc_node *doc_root(const struct doc *d)
{
        return d ? d->root : NULL;
}

/* ---- inspection -------------------------------------------------------- */

enum doc_kind doc_kind(const struct doc_node *n)
{
        return n ? n->kind : DOC_SCALAR;
}

size_t doc_len(const struct doc_node *n)
{
        return n && n->kind != DOC_SCALAR ? n->n : 0;
}

struct doc_node *doc_at(struct doc_node *n, size_t i)
{
        if (!n || n->kind == DOC_SCALAR || i >= n->n)
                return NULL;
        n->items[i]->used = true;
        return n->items[i];
}

const char *doc_key_at(const struct doc_node *map, size_t i)
{
        if (!map || map->kind != DOC_MAP || i >= map->n)
                return NULL;
        return map->items[i]->key;
}

const char *doc_text(const struct doc_node *n)
{
        return n && n->kind == DOC_SCALAR ? n->text : NULL;
}

bool doc_is_null(const struct doc_node *n)
{
        if (!n || n->kind != DOC_SCALAR || !n->plain)
                return false;
        static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
        for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
                if (strcmp(n->text, nulls[i]) == 0)
                        return true;
        return false;
}

unsigned doc_line(const struct doc_node *n)
{
        return n ? n->line : 0;
}

unsigned doc_col(const struct doc_node *n)
{
        return n ? n->col : 0;
}

int doc_path(const struct doc_node *n, char *buf, size_t cap)
{
        struct sb sb = {buf, cap, 0};
        if (cap > 0)
                buf[0] = '\0';
        if (n)
                sb_path(&sb, n, NULL);
        return (int)sb.len;
}

/* ---- getters ----------------------------------------------------------- */

static struct doc_node *find_key(const struct doc_node *map, const char *key)
{
        for (size_t i = 0; i < map->n; i++)
                if (strcmp(map->items[i]->key, key) == 0)
                        return map->items[i];
        return NULL;
}

static void remember(struct doc_node *map, const char *key)
{
        for (const struct asked *a = map->asked; a; a = a->next)
                if (strcmp(a->key, key) == 0)
                        return;
        struct asked *a = arena_alloc(map->doc, sizeof(*a));
        if (!a || !(a->key = arena_strndup(map->doc, key, strlen(key))))
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
                v = find_key(n, key);
                if (!v) {
                        if (need == DOC_REQUIRED) {
                                report(n, key, false, "expected %s, got nothing (missing key)",
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

static int get_u64(struct doc_node *n, const char *key, enum doc_need need, const char *expected,
                   u64_parser parse, uint64_t *out)
{
        int rc;
        struct doc_node *v;
        const char *text = lookup_scalar(n, key, need, expected, &rc, &v);
        if (!text)
                return rc;
        const char *why;
        uint64_t x;
        if (parse(text, &x, &why) < 0) {
                doc_error(v, "%s", why);
                return -1;
        }
        *out = x;
        return 0;
}

static int get_real(struct doc_node *n, const char *key, enum doc_need need, const char *expected,
                    real_parser parse, double *out)
{
        int rc;
        struct doc_node *v;
        const char *text = lookup_scalar(n, key, need, expected, &rc, &v);
        if (!text)
                return rc;
        const char *why;
        double x;
        if (parse(text, &x, &why) < 0) {
                doc_error(v, "%s", why);
                return -1;
        }
        *out = x;
        return 0;
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
        double x;
        int rc = get_real(n, key, need, "a number", units_number, &x);
        if (rc != 0)
                return rc;
        struct doc_node *v = key ? find_key(n, key) : n;
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
        uint64_t x;
        int rc = get_u64(n, key, need, "a whole number", units_whole, &x);
        if (rc != 0)
                return rc;
        if (x < min || x > max) {
                struct doc_node *v = key ? find_key(n, key) : n;
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
static const char *closest(const char *word, const char *const *cands, size_t n)
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
        struct sb sb = {list, sizeof(list), 0};
        list[0] = '\0';
        for (size_t i = 0; i < count; i++) {
                sb_puts(&sb, i ? ", " : "");
                sb_puts(&sb, names[i]);
        }
        const char *near = closest(text, names, count);
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
        for (const struct asked *a = map->asked; a; a = a->next)
                nasked++;
        const char **asked = malloc((nasked + 1) * sizeof(*asked));
        nasked = 0;
        for (const struct asked *a = map->asked; asked && a; a = a->next)
                asked[nasked++] = a->key;
        int rc = 0;
        for (size_t i = 0; i < map->n; i++) {
                const struct doc_node *v = map->items[i];
                if (v->used)
                        continue;
                rc = -1;
                if (diag_full(map->doc->dg)) {
                        report(v, NULL, true, "unknown key");
                        continue;
                }
                char key[128];
                struct sb sb = {key, sizeof(key), 0};
                key[0] = '\0';
                sb_show(&sb, v->key, strlen(v->key), SHOW_MAX);
                const char *near = asked ? closest(v->key, asked, nasked) : NULL;
                if (near) {
                        report(v, NULL, true, "unknown key '%s'; did you mean '%s'?", key, near);
                } else if (asked && nasked > 0) {
                        char list[512];
                        struct sb ls = {list, sizeof(list), 0};
                        list[0] = '\0';
                        for (size_t j = 0; j < nasked; j++) {
                                sb_puts(&ls, j ? ", " : "");
                                sb_puts(&ls, asked[j]);
                        }
                        report(v, NULL, true, "unknown key '%s'; expected one of %s", key, list);
                } else {
                        report(v, NULL, true, "unknown key '%s'", key);
                }
        }
        free(asked);
        return rc;
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

/* ---- overrides --------------------------------------------------------- */

/* Reports a problem with an override's path, at the override's place. */
static int bad_path(struct doc *d, const char *origin, unsigned line, unsigned col,
                    const char *path, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int bad_path(struct doc *d, const char *origin, unsigned line, unsigned col,
                    const char *path, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        diag_vadd(d->dg, origin, line, col, path, fmt, ap);
        va_end(ap);
        return -1;
}

/* Puts value in place of the node at path. */
static int splice(struct doc *d, const char *path, struct doc_node *value, const char *origin,
                  unsigned line, unsigned col)
{
        size_t plen = strlen(path);
        char *elems = arena_strndup(d, path, plen);
        if (!elems)
                return bad_path(d, origin, line, col, path, "out of memory");
        struct doc_node *cur = d->root;
        char where[1024];
        for (char *e = elems, *dot; e; e = dot ? dot + 1 : NULL) {
                dot = strchr(e, '.');
                if (dot)
                        *dot = '\0';
                doc_path(cur, where, sizeof(where));
                const char *in = where[0] ? where : "the top level";
                if (*e == '\0')
                        return bad_path(d, origin, line, col, path,
                                        "expected a key path like engine.policy, got '%s'", path);
                struct doc_node *next = NULL;
                if (cur->kind == DOC_MAP) {
                        next = find_key(cur, e);
                        if (!next) {
                                const char **keys = malloc((cur->n + 1) * sizeof(*keys));
                                for (size_t i = 0; keys && i < cur->n; i++)
                                        keys[i] = cur->items[i]->key;
                                const char *near = keys ? closest(e, keys, cur->n) : NULL;
                                int rc = near ? bad_path(d, origin, line, col, path,
                                                         "no key '%s' in %s; did you mean '%s'?", e,
                                                         in, near)
                                              : bad_path(d, origin, line, col, path,
                                                         "no key '%s' in %s", e, in);
                                free(keys);
                                return rc;
                        }
                } else if (cur->kind == DOC_SEQ) {
                        char *end;
                        errno = 0;
                        unsigned long long idx = strtoull(e, &end, 10);
                        if (*e >= '0' && *e <= '9' && *end == '\0') {
                                if (errno || idx >= cur->n)
                                        return bad_path(d, origin, line, col, path,
                                                        "no item %s in %s (%zu items)", e, in,
                                                        cur->n);
                                next = cur->items[idx];
                        }
                        for (size_t i = 0; !next && i < cur->n; i++) {
                                struct doc_node *it = cur->items[i];
                                const struct doc_node *name =
                                    it->kind == DOC_MAP ? find_key(it, "name") : NULL;
                                if (name && name->kind == DOC_SCALAR && strcmp(name->text, e) == 0)
                                        next = it;
                        }
                        if (!next)
                                return bad_path(d, origin, line, col, path,
                                                "no item named '%s' in %s", e, in);
                } else {
                        return bad_path(d, origin, line, col, path,
                                        "%s is a single value, it has no '%s'", in, e);
                }
                cur = next;
        }
        struct doc_node *parent = cur->parent;
        if (!parent)
                return bad_path(d, origin, line, col, path, "cannot replace the whole scenario");
        value->parent = parent;
        value->key = cur->key;
        value->key_line = cur->key_line;
        value->key_col = cur->key_col;
        value->index = cur->index;
        for (size_t i = 0; i < parent->n; i++)
                if (parent->items[i] == cur)
                        parent->items[i] = value;
        return 0;
}

int doc_set(struct doc *d, const char *assignment, const char *how)
{
        size_t alen = strlen(assignment), hlen = strlen(how);
        char *origin = arena_alloc(d, hlen + alen + 2);
        if (!origin)
                return bad_path(d, how, 0, 0, NULL, "out of memory");
        snprintf(origin, hlen + alen + 2, "%s %s", how, assignment);
        const char *eq = strchr(assignment, '=');
        if (!eq || eq == assignment)
                return bad_path(d, origin, 0, 0, NULL, "expected KEY=VALUE, got '%.80s'",
                                assignment);
        char *path = arena_strndup(d, assignment, (size_t)(eq - assignment));
        if (!path)
                return bad_path(d, origin, 0, 0, NULL, "out of memory");
        struct doc_node *value;
        if (build(d, origin, false, eq + 1, strlen(eq + 1), &value) < 0)
                return -1;
        if (!value)
                return bad_path(d, origin, 0, 0, path, "expected a value after '=', got nothing");
        return splice(d, path, value, origin, 0, 0);
}

/* Copies a node of another doc (recursively) into d. */
static struct doc_node *copy_node(struct doc *d, const struct doc_node *src, const char *origin,
                                  struct doc_node *parent, int depth)
{
        if (depth > DOC_MAX_DEPTH || d->nodes >= DOC_MAX_NODES)
                return NULL;
        struct doc_node *n = arena_alloc(d, sizeof(*n));
        if (!n)
                return NULL;
        d->nodes++;
        *n = (struct doc_node){.kind = src->kind,
                               .doc = d,
                               .parent = parent,
                               .index = src->index,
                               .origin = origin,
                               .line = src->line,
                               .col = src->col,
                               .key_line = src->key_line,
                               .key_col = src->key_col,
                               .plain = src->plain,
                               .len = src->len,
                               .n = src->n};
        if (src->key && !(n->key = arena_strndup(d, src->key, strlen(src->key))))
                return NULL;
        if (src->text && !(n->text = arena_strndup(d, src->text, src->len)))
                return NULL;
        if (src->n > 0) {
                n->items = arena_alloc(d, src->n * sizeof(*n->items));
                if (!n->items)
                        return NULL;
                for (size_t i = 0; i < src->n; i++)
                        if (!(n->items[i] = copy_node(d, src->items[i], origin, n, depth + 1)))
                                return NULL;
        }
        return n;
}

int doc_set_node(struct doc *d, const char *path, const struct doc_node *value)
{
        const char *origin = arena_strndup(d, value->origin, strlen(value->origin));
        struct doc_node *copy = origin ? copy_node(d, value, origin, NULL, 0) : NULL;
        if (!copy)
                return bad_path(d, value->origin, value->line, value->col, path,
                                "cannot copy the value (too large or out of memory)");
        return splice(d, path, copy, origin, value->line, value->col);
}
