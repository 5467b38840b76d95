/*
 * sim/run/provenance.c - what made a result directory (sim/run/provenance.h),
 * copied out of the loaded scenario and the command line.
 */
#include "sim/run/provenance.h"

#include <stdlib.h>
#include <string.h>

#include "ac/error.h"

static int copy(char **dst, const char *src)
{
        *dst = NULL;
        if (src == NULL)
                return 0;
        *dst = strdup(src);
        return *dst ? 0 : -1;
}

int provenance_fill(struct provenance *p, const char *file, const struct scenario *s,
                    const char *const *sets, size_t nsets, const char *const *more, size_t nmore)
{
        memset(p, 0, sizeof(*p));
        int bad = copy(&p->scenario_file, file) | copy(&p->description, s->description);
        if (nsets + nmore > 0) {
                p->sets = calloc(nsets + nmore, sizeof(*p->sets));
                bad |= p->sets ? 0 : -1;
        }
        for (size_t i = 0; p->sets && i < nsets + nmore; i++) {
                bad |= copy(&p->sets[i], i < nsets ? sets[i] : more[i - nsets]);
                p->nsets++;
        }
        if (s->source) {
                p->source = malloc(s->source_len + 1);
                if (p->source) {
                        memcpy(p->source, s->source, s->source_len);
                        p->source[s->source_len] = '\0';
                        p->source_len = s->source_len;
                        p->source_hash = provenance_hash(s->source, s->source_len);
                }
                bad |= p->source ? 0 : -1;
        }
        if (bad) {
                provenance_free(p);
                return AC_ENOMEM;
        }
        return 0;
}

void provenance_free(struct provenance *p)
{
        free(p->scenario_file);
        free(p->description);
        for (size_t i = 0; i < p->nsets; i++)
                free(p->sets[i]);
        free(p->sets);
        free(p->source);
        free(p->platform);
        free(p->cpu);
        free(p->crypto);
        free(p->live);
        memset(p, 0, sizeof(*p));
}

uint64_t provenance_hash(const char *text, size_t len)
{
        uint64_t h = 0xcbf29ce484222325u; /* FNV-1a offset basis */
        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char)text[i];
                h *= 0x100000001b3u; /* FNV prime */
        }
        return h;
}
