/*
 * sim/load/diag.c - collecting and printing located errors.
 */
#include "sim/load/diag.h"

#include <stdlib.h>
#include <string.h>

void diag_init(struct diag *dg)
{
        memset(dg, 0, sizeof(*dg));
}

void diag_free(struct diag *dg)
{
        for (size_t i = 0; i < dg->n; i++) {
                free(dg->entries[i].origin);
                free(dg->entries[i].path);
                free(dg->entries[i].msg);
        }
        diag_init(dg);
}

static char *copy(const char *s)
{
        size_t len = strlen(s) + 1;
        char *c = malloc(len);
        if (c)
                memcpy(c, s, len);
        return c;
}

void diag_vadd(struct diag *dg, const char *origin, unsigned line, unsigned col, const char *path,
               const char *fmt, va_list ap)
{
        dg->total++;
        if (dg->n == DIAG_MAX)
                return;
        char msg[1024];
        vsnprintf(msg, sizeof(msg), fmt, ap);
        struct diag_entry e = {copy(origin ? origin : "?"), line, col, copy(path ? path : ""),
                               copy(msg)};
        if (!e.origin || !e.path || !e.msg) {
                /* Out of memory: the error still counts, its text is lost. */
                dg->lost++;
                free(e.origin);
                free(e.path);
                free(e.msg);
                return;
        }
        dg->entries[dg->n++] = e;
}

void diag_add(struct diag *dg, const char *origin, unsigned line, unsigned col, const char *path,
              const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        diag_vadd(dg, origin, line, col, path, fmt, ap);
        va_end(ap);
}

bool diag_failed(const struct diag *dg)
{
        return dg->total > 0;
}

bool diag_full(const struct diag *dg)
{
        return dg->n == DIAG_MAX;
}

int diag_format(const struct diag_entry *e, char *buf, size_t cap)
{
        char where[32] = "";
        if (e->line > 0)
                snprintf(where, sizeof(where), ":%u:%u", e->line, e->col);
        return snprintf(buf, cap, "%s%s: error: %s%s%s", e->origin, where, e->path,
                        e->path[0] ? ": " : "", e->msg);
}

void diag_print(const struct diag *dg, FILE *out)
{
        for (size_t i = 0; i < dg->n; i++) {
                char line[2048];
                diag_format(&dg->entries[i], line, sizeof(line));
                fprintf(out, "%s\n", line);
        }
        if (dg->total > dg->n)
                fprintf(out, "%zu more error%s%s\n", dg->total - dg->n,
                        dg->total - dg->n == 1 ? "" : "s",
                        dg->lost ? " (out of memory: their text was lost)" : "");
}

int diag_exit_status(const struct diag *dg)
{
        return diag_failed(dg) ? 2 : 0;
}
