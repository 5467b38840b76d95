/*
 * sim/report/plain.c - Markdown report to plain text (sim/report/plain.h):
 * one pass over the lines, a flag for "inside a fenced block", and a
 * paragraph buffer that is wrapped when a blank line or a block ends it.
 */
#include "sim/report/plain.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LINE_CAP 8192
#define WRAP_AT  76

/* The words of a paragraph so far, wrapped and written when it ends. */
struct para {
        char text[16384];
        size_t len;
};

/* Writes the paragraph wrapped, then a blank line when `blank`. */
static void para_end(FILE *out, struct para *p, bool blank)
{
        if (p->len == 0)
                return;
        size_t col = 0;
        char *save = NULL;
        for (char *w = strtok_r(p->text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                size_t n = strlen(w);
                if (col > 0 && col + 1 + n > WRAP_AT) {
                        fputc('\n', out);
                        col = 0;
                }
                if (col > 0) {
                        fputc(' ', out);
                        col++;
                }
                fputs(w, out);
                col += n;
        }
        fputs(blank ? "\n\n" : "\n", out);
        p->len = 0;
        p->text[0] = '\0';
}

static void para_flush(FILE *out, struct para *p)
{
        para_end(out, p, true);
}

/* Appends text to the paragraph, without Markdown's inline marks
 * (backticks; "<br>" becomes ", "; "\|" becomes "|"). */
static void para_add(struct para *p, const char *text)
{
        for (const char *s = text; *s && p->len + 3 < sizeof(p->text); s++) {
                if (*s == '`')
                        continue;
                if (strncmp(s, "<br>", 4) == 0) {
                        p->text[p->len++] = ',';
                        p->text[p->len++] = ' ';
                        s += 3;
                        continue;
                }
                if (s[0] == '\\' && s[1] == '|')
                        s++;
                p->text[p->len++] = *s == '\t' ? ' ' : *s;
        }
        if (p->len + 1 < sizeof(p->text))
                p->text[p->len++] = ' ';
        p->text[p->len] = '\0';
}

/* A heading: its text, then a rule of '=' (level 1) or '-' as long. */
static void heading(FILE *out, const char *line)
{
        int level = (int)strspn(line, "#");
        const char *t = line + level + strspn(line + level, " ");
        size_t n = strlen(t);
        fprintf(out, "%s\n", t);
        for (size_t i = 0; i < n && i < REPORT_PLAIN_WIDTH; i++)
                fputc(level == 1 ? '=' : level == 2 ? '-' : '~', out);
        fputs("\n\n", out);
}

/* A table row "| a | b |" as "a: b" (a paragraph of its own); the header
 * "| | |" and the rule "| --- |" say nothing. */
static void table_row(FILE *out, struct para *p, char *line)
{
        if (strspn(line, "| -") == strlen(line))
                return;
        char *cells = line + 1, *sep = NULL;
        for (char *s = cells; *s; s++) {
                if (*s == '|' && s[-1] != '\\') {
                        sep = s;
                        break;
                }
        }
        if (sep == NULL) {
                para_add(p, line);
                return;
        }
        *sep = '\0';
        char *value = sep + 1;
        size_t vn = strlen(value);
        while (vn > 0 && (value[vn - 1] == '|' || value[vn - 1] == ' '))
                value[--vn] = '\0';
        char *name = cells + strspn(cells, " ");
        size_t nn = strlen(name);
        while (nn > 0 && name[nn - 1] == ' ')
                name[--nn] = '\0';
        para_flush(out, p);
        char row[LINE_CAP];
        snprintf(row, sizeof(row), "%s:%s", name, value);
        para_add(p, row);
        para_end(out, p, false); /* one row a line: the facts read as a list */
}

int report_plain_write(FILE *out, FILE *md)
{
        static char line[LINE_CAP];
        struct para *p = calloc(1, sizeof(*p));
        if (p == NULL)
                return -1;
        bool fenced = false, table = false, folded = false;
        while (fgets(line, sizeof(line), md)) {
                line[strcspn(line, "\r\n")] = '\0';
                bool fence =
                    line[0] == '`' && strspn(line, "`") == strlen(line) && strlen(line) >= 3;
                if (fence) {
                        para_flush(out, p);
                        fenced = !fenced;
                        if (!fenced)
                                fputc('\n', out);
                        continue;
                }
                if (fenced) {
                        if (!folded) /* a folded block (the scenario file) is left out */
                                fprintf(out, "%s\n", line);
                        continue;
                }
                if (table && line[0] != '|') {
                        fputc('\n', out);
                        table = false;
                }
                if (line[0] == '\0') {
                        para_flush(out, p);
                } else if (line[0] == '#') {
                        para_flush(out, p);
                        heading(out, line);
                } else if (line[0] == '|') {
                        table = true;
                        table_row(out, p, line);
                } else if (strncmp(line, "![", 2) == 0) {
                        continue; /* images: not in plain text */
                } else if (strcmp(line, "<details>") == 0 || strcmp(line, "</details>") == 0) {
                        folded = line[1] == 'd';
                } else if (strncmp(line, "<summary>", 9) == 0) {
                        /* its lines may be wider than a mail: named, not copied */
                        char *end = strstr(line, "</summary>");
                        if (end)
                                *end = '\0';
                        para_add(p, line + 9);
                        para_add(p, "is in the result directory; not copied here.");
                } else {
                        para_add(p, line);
                }
        }
        para_flush(out, p);
        free(p);
        return ferror(md) || ferror(out) ? -1 : 0;
}
