/*
 * sim/load/doc.c - the scenario document tree: its arena, the text of its
 * messages, loading with libyaml, and inspection.
 *
 * Layout: an arena that owns every node and string of a doc; a bounded text
 * builder for paths and messages; reporting; the loader (a libyaml event
 * loop that keeps a stack of open containers); inspection. The getters are
 * in doc_read.c, overrides in doc_set.c.
 */
#include "sim/load/doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "sim/load/doc_tree.h"

/* ---- arena ------------------------------------------------------------ */

void *doc_alloc(struct doc *d, size_t size)
{
        size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
        struct doc_chunk *c = d->chunks;
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

char *doc_strndup(struct doc *d, const char *s, size_t len)
{
        char *c = doc_alloc(d, len + 1);
        if (c) {
                memcpy(c, s, len);
                c[len] = '\0';
        }
        return c;
}

/* ---- text builder ------------------------------------------------------ */

void doc_buf_putc(struct doc_buf *sb, char c)
{
        if (sb->len + 1 < sb->cap) {
                sb->buf[sb->len] = c;
                sb->buf[sb->len + 1] = '\0';
        }
        sb->len++;
}

void doc_buf_puts(struct doc_buf *sb, const char *s)
{
        while (*s)
                doc_buf_putc(sb, *s++);
}

/* Appends len bytes of s with control bytes escaped, cut after `max`
 * characters. */
void doc_buf_show(struct doc_buf *sb, const char *s, size_t len, size_t max)
{
        size_t chars = 0;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if ((c & 0xc0) != 0x80 && chars++ == max) {
                        doc_buf_puts(sb, "...");
                        return;
                }
                if (c < 0x20 || c == 0x7f) {
                        char esc[8];
                        snprintf(esc, sizeof(esc), "\\x%02x", c);
                        doc_buf_puts(sb, esc);
                } else {
                        doc_buf_putc(sb, (char)c);
                }
        }
}

/* Appends the key path of n, then `extra` as one more key. */
void doc_buf_path(struct doc_buf *sb, const struct doc_node *n, const char *extra)
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
                                doc_buf_putc(sb, '.');
                        doc_buf_show(sb, p->key, strlen(p->key), DOC_SHOW_MAX);
                } else {
                        char idx[32];
                        snprintf(idx, sizeof(idx), "[%zu]", p->index);
                        doc_buf_puts(sb, idx);
                }
        }
        if (extra) {
                if (sb->len > 0)
                        doc_buf_putc(sb, '.');
                doc_buf_show(sb, extra, strlen(extra), DOC_SHOW_MAX);
        }
}

/* Appends what a message says a node is: "a mapping", "nothing", "2x". */
void doc_buf_describe(struct doc_buf *sb, const struct doc_node *n)
{
        if (n->kind == DOC_MAP)
                doc_buf_puts(sb, n->n ? "a mapping" : "an empty mapping");
        else if (n->kind == DOC_SEQ)
                doc_buf_puts(sb, n->n ? "a sequence" : "an empty sequence");
        else if (doc_is_null(n))
                doc_buf_puts(sb, "nothing");
        else {
                bool quote = !n->plain || memchr(n->text, ' ', n->len);
                if (quote)
                        doc_buf_putc(sb, '\'');
                doc_buf_show(sb, n->text, n->len, DOC_SHOW_MAX);
                if (quote)
                        doc_buf_putc(sb, '\'');
        }
}

/* ---- reporting --------------------------------------------------------- */

void doc_report(const struct doc_node *n, const char *extra, bool at_key, const char *fmt, ...)
{
        struct diag *dg = n->doc->dg;
        char path[1024];
        struct doc_buf sb = {path, sizeof(path), 0};
        path[0] = '\0';
        if (!diag_full(dg))
                doc_buf_path(&sb, n, extra);
        unsigned line = at_key ? n->key_line : n->line;
        unsigned col = at_key ? n->key_col : n->col;
        va_list ap;
        va_start(ap, fmt);
        diag_vadd(dg, n->origin, line, col, path, fmt, ap);
        va_end(ap);
}

/* Records "expected <fmt>, got <n>" at n, or "..., got '<key>'" at its key
 * when at_key. */
static void expected_got(const struct doc_node *n, bool at_key, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void expected_got(const struct doc_node *n, bool at_key, const char *fmt, va_list ap)
{
        char expected[512], got[256];
        vsnprintf(expected, sizeof(expected), fmt, ap);
        struct doc_buf sb = {got, sizeof(got), 0};
        got[0] = '\0';
        if (at_key) {
                doc_buf_show(&sb, n->key, strlen(n->key), DOC_SHOW_MAX);
                doc_report(n, NULL, true, "expected %s, got '%s'", expected, got);
        } else {
                doc_buf_describe(&sb, n);
                doc_report(n, NULL, false, "expected %s, got %s", expected, got);
        }
}

void doc_error(const struct doc_node *n, const char *fmt, ...)
{
        if (!n)
                return;
        va_list ap;
        va_start(ap, fmt);
        expected_got(n, false, fmt, ap);
        va_end(ap);
}

void doc_error_key(const struct doc_node *n, const char *fmt, ...)
{
        if (!n || !n->key)
                return;
        va_list ap;
        va_start(ap, fmt);
        expected_got(n, true, fmt, ap);
        va_end(ap);
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

void doc_free(struct doc *d)
{
        if (!d)
                return;
        for (struct doc_chunk *c = d->chunks, *next; c; c = next) {
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
        struct doc_buf sb = {buf, cap, 0};
        if (cap > 0)
                buf[0] = '\0';
        if (n)
                doc_buf_path(&sb, n, NULL);
        return (int)sb.len;
}

/* Whether a scalar can be written plain in flow YAML and read back as the
 * same text. */
static bool flow_plain(const struct doc_node *n)
{
        if (!n->plain || n->len == 0 || strlen(n->text) != n->len)
                return false;
        if (strchr("-?:,[]{}#&*!|>'\"%@` ", n->text[0]) && !(n->text[0] == '-' && n->len > 1))
                return false;
        for (size_t i = 0; i < n->len; i++) {
                unsigned char c = (unsigned char)n->text[i];
                if (c < 0x20 || strchr(",[]{}#", c) || (c == ':' && i + 1 == n->len) ||
                    (c == ':' && n->text[i + 1] == ' '))
                        return false;
        }
        return n->text[n->len - 1] != ' ';
}

static void flow(struct doc_buf *sb, const struct doc_node *n)
{
        if (n->kind == DOC_SCALAR) {
                if (flow_plain(n) || doc_is_null(n)) {
                        doc_buf_puts(sb, n->text);
                        return;
                }
                doc_buf_putc(sb, '\'');
                for (size_t i = 0; i < n->len; i++) {
                        if (n->text[i] == '\'')
                                doc_buf_putc(sb, '\'');
                        doc_buf_putc(sb, n->text[i] ? n->text[i] : ' ');
                }
                doc_buf_putc(sb, '\'');
                return;
        }
        doc_buf_putc(sb, n->kind == DOC_MAP ? '{' : '[');
        for (size_t i = 0; i < n->n; i++) {
                if (i)
                        doc_buf_puts(sb, ", ");
                if (n->kind == DOC_MAP) {
                        struct doc_node key = {.kind = DOC_SCALAR,
                                               .plain = true,
                                               .text = n->items[i]->key,
                                               .len = strlen(n->items[i]->key)};
                        flow(sb, &key);
                        doc_buf_puts(sb, ": ");
                }
                flow(sb, n->items[i]);
        }
        doc_buf_putc(sb, n->kind == DOC_MAP ? '}' : ']');
}

int doc_flow_text(const struct doc_node *n, char *buf, size_t cap)
{
        struct doc_buf sb = {buf, cap, 0};
        if (cap > 0)
                buf[0] = '\0';
        if (n)
                flow(&sb, n);
        return (int)sb.len;
}
