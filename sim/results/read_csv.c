/*
 * sim/results/read_csv.c - the CSV reader of sim/results/read_csv.h: getline() per
 * record, a small state machine per field for the quotes, fields kept as
 * separate strings in one growing array.
 */
#include "sim/results/read_csv.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fields of one record. */
struct record {
        char **field;
        size_t n, cap;
};

static int push_field(struct record *r, const char *text, size_t len)
{
        if (r->n == r->cap) {
                size_t ncap = r->cap ? 2 * r->cap : 16;
                char **f = realloc(r->field, ncap * sizeof(*f));
                if (f == NULL)
                        return -1;
                r->field = f;
                r->cap = ncap;
        }
        char *s = malloc(len + 1);
        if (s == NULL)
                return -1;
        memcpy(s, text, len);
        s[len] = '\0';
        r->field[r->n++] = s;
        return 0;
}

/* Splits line (without its newline) into r's fields. Returns 0, -1 when
 * out of memory, -2 for a broken quote. Fields are unquoted in place. */
static int split(char *line, struct record *r)
{
        char *p = line;
        for (;;) {
                char *start = p, *w = p;
                if (*p == '"') {
                        p++;
                        for (;;) {
                                if (*p == '\0')
                                        return -2;
                                if (*p == '"' && p[1] == '"') {
                                        *w++ = '"';
                                        p += 2;
                                } else if (*p == '"') {
                                        p++;
                                        break;
                                } else {
                                        *w++ = *p++;
                                }
                        }
                        if (*p != ',' && *p != '\0')
                                return -2;
                } else {
                        while (*p != ',' && *p != '\0')
                                *w++ = *p++;
                }
                if (push_field(r, start, (size_t)(w - start)) < 0)
                        return -1;
                if (*p == '\0')
                        return 0;
                p++; /* the comma */
        }
}

static void free_fields(char **f, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(f[i]);
        free(f);
}

/* Appends rec's fields (ncols of them) as a row of t; takes the strings. */
static int append_row(struct read_csv_table *t, size_t *cap, struct record *rec)
{
        size_t need = (t->nrows + 1) * t->ncols;
        if (need > *cap) {
                size_t ncap = *cap ? 2 * *cap : 64 * t->ncols;
                while (ncap < need)
                        ncap *= 2;
                char **c = realloc(t->cells, ncap * sizeof(*c));
                if (c == NULL)
                        return -1;
                t->cells = c;
                *cap = ncap;
        }
        memcpy(t->cells + t->nrows * t->ncols, rec->field, t->ncols * sizeof(*rec->field));
        t->nrows++;
        free(rec->field);
        rec->field = NULL;
        rec->n = 0;
        return 0;
}

int read_csv_file(const char *path, struct read_csv_table *t, struct sim_error *err)
{
        memset(t, 0, sizeof(*t));
        FILE *f = fopen(path, "r");
        if (f == NULL) {
                sim_fail(err, 0, "%s: %s", path, strerror(errno));
                return -1;
        }
        char *line = NULL;
        size_t linecap = 0, lineno = 0, cap = 0;
        ssize_t len;
        int rc = 0;
        while (rc == 0 && (len = getline(&line, &linecap, f)) >= 0) {
                lineno++;
                while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                        line[--len] = '\0';
                if (len == 0)
                        continue;
                struct record rec = {0};
                int s = split(line, &rec);
                if (s == 0 && t->header == NULL) {
                        t->header = rec.field;
                        t->ncols = rec.n;
                        continue;
                }
                if (s == 0 && rec.n > t->ncols)
                        s = -3;
                while (s == 0 && rec.n < t->ncols)
                        s = push_field(&rec, "", 0);
                if (s == 0)
                        s = append_row(t, &cap, &rec);
                if (s < 0) {
                        sim_fail(err, 0, "%s:%zu: %s", path, lineno,
                                 s == -2   ? "broken quoted field"
                                 : s == -3 ? "more fields than the header has"
                                           : "out of memory");
                        rc = -1;
                }
                free_fields(rec.field, rec.n);
        }
        free(line);
        fclose(f);
        if (rc == 0 && t->header == NULL) {
                sim_fail(err, 0, "%s: empty (no header line)", path);
                rc = -1;
        }
        if (rc < 0)
                read_csv_free(t);
        return rc;
}

int read_csv_col(const struct read_csv_table *t, const char *name)
{
        for (size_t c = 0; c < t->ncols; c++)
                if (strcmp(t->header[c], name) == 0)
                        return (int)c;
        return -1;
}

const char *read_csv_at(const struct read_csv_table *t, size_t r, size_t c)
{
        return t->cells[r * t->ncols + c];
}

double read_csv_num(const struct read_csv_table *t, size_t r, size_t c)
{
        const char *s = read_csv_at(t, r, c);
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || *end != '\0' || errno == ERANGE)
                return NAN;
        return v;
}

void read_csv_free(struct read_csv_table *t)
{
        free_fields(t->header, t->ncols);
        if (t->cells)
                for (size_t i = 0; i < t->nrows * t->ncols; i++)
                        free(t->cells[i]);
        free(t->cells);
        memset(t, 0, sizeof(*t));
}
