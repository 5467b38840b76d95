/*
 * models/trace.c - the CSV trace reader of models/trace.h.
 *
 * Reads line by line with getline(), splits on commas, parses integers
 * strictly (no sign, no trailing junk, no overflow) and keeps the rows of
 * the wanted class in a growing array. Every error names the file and line.
 */
#include "models/trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Rows one class may replay: each is 16 bytes in memory for the whole run,
 * and the file is read again for every class and every sweep value. */
#define TRACE_MAX_ROWS 100000000

/* Writes the message to err; returns -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
        if (err && errlen) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return -1;
}

/* Strips spaces (and a CR) around s in place; returns the start. */
static char *trim(char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

static bool parse_u64(const char *s, uint64_t *out)
{
        if (!isdigit((unsigned char)*s))
                return false;
        errno = 0;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == ERANGE || *end != '\0')
                return false;
        *out = v;
        return true;
}

static int push(struct trace *t, size_t *cap, uint64_t time_ns, uint64_t bytes)
{
        if (t->n == *cap) {
                size_t ncap = *cap ? 2 * *cap : 256;
                struct trace_row *rows = realloc(t->rows, ncap * sizeof(*rows));
                if (!rows)
                        return -1;
                t->rows = rows;
                *cap = ncap;
        }
        t->rows[t->n++] = (struct trace_row){.time_ns = time_ns, .bytes = bytes};
        return 0;
}

int trace_load(const char *path, const char *class_name, struct trace *out, char *err,
               size_t errlen)
{
        *out = (struct trace){0};
        FILE *f = fopen(path, "r");
        if (!f)
                return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        char *line = NULL;
        size_t linecap = 0, cap = 0, lineno = 0;
        uint64_t last = 0;
        bool seen_row = false;
        int rc = 0;
        while (getline(&line, &linecap, f) != -1) {
                lineno++;
                char *s = trim(line);
                if (*s == '\0' || *s == '#')
                        continue;
                if (!seen_row && strncmp(s, "time", 4) == 0) {
                        seen_row = true; /* the header */
                        continue;
                }
                seen_row = true;
                char *fields[3];
                size_t nf = 0;
                for (char *p = s;;) {
                        if (nf < 3)
                                fields[nf] = p;
                        nf++;
                        char *comma = strchr(p, ',');
                        if (!comma)
                                break;
                        *comma = '\0';
                        p = comma + 1;
                }
                if (nf < 2 || nf > 3) {
                        rc = fail(err, errlen, "%s:%zu: expected time,size[,class], got %zu fields",
                                  path, lineno, nf);
                        break;
                }
                uint64_t time_ns, bytes;
                if (!parse_u64(trim(fields[0]), &time_ns)) {
                        rc = fail(err, errlen, "%s:%zu: time '%s' is not an integer of ns", path,
                                  lineno, trim(fields[0]));
                        break;
                }
                if (!parse_u64(trim(fields[1]), &bytes)) {
                        rc = fail(err, errlen, "%s:%zu: size '%s' is not an integer of bytes", path,
                                  lineno, trim(fields[1]));
                        break;
                }
                if (time_ns < last) {
                        rc = fail(err, errlen, "%s:%zu: time %llu goes back (previous %llu)", path,
                                  lineno, (unsigned long long)time_ns, (unsigned long long)last);
                        break;
                }
                last = time_ns;
                const char *cls = nf == 3 ? trim(fields[2]) : "";
                if (class_name && *cls && strcmp(cls, class_name) != 0)
                        continue;
                if (out->n == TRACE_MAX_ROWS) {
                        rc = fail(err, errlen, "%s:%zu: more than %d rows for the class", path,
                                  lineno, TRACE_MAX_ROWS);
                        break;
                }
                if (push(out, &cap, time_ns, bytes) < 0) {
                        rc = fail(err, errlen, "%s:%zu: out of memory", path, lineno);
                        break;
                }
        }
        if (rc == 0 && ferror(f))
                rc = fail(err, errlen, "%s:%zu: read error", path, lineno);
        free(line);
        fclose(f);
        if (rc < 0)
                trace_free(out);
        return rc;
}

void trace_free(struct trace *t)
{
        free(t->rows);
        t->rows = NULL;
        t->n = 0;
}
