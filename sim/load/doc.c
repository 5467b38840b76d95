/*
 * sim/load/doc.c - the scenario document tree: its arena, the text of its
 * messages, and inspection.
 *
 * Layout: an arena that owns every node and string of a doc; a bounded text
 * builder for paths and messages; reporting; releasing; inspection, and a
 * node written back as flow YAML. Loading is in doc_load.c, the getters in
 * doc_get.c, overrides in doc_set.c.
 */
#include "sim/load/doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
