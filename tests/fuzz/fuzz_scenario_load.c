/*
 * tests/fuzz/fuzz_scenario_load.c - a libFuzzer target over the scenario
 * loader: a document, --set assignments and every point of its sweep,
 * loaded as `acsim validate` and `acsim sweep` load them (docs/fuzzing.md).
 *
 * The input is a scenario document, optionally followed by a line
 * "#--set" and then one assignment KEY=VALUE a line (at most MAX_SETS; the
 * lines after are ignored). Before the separator are the document's exact
 * bytes; being a YAML comment, the separator leaves a document that has
 * none unchanged, so any scenario file is an input as it is.
 *
 * Beyond "no crash, no leak, no hang" it holds the loader to its contract
 * (sim/load/scenario_load.h), and aborts with the broken invariant:
 *   - a load that fails reports at least one error, every kept error is
 *     located (a line and column inside the document, or a --set origin
 *     naming one of the assignments) and the scenario is left zeroed;
 *   - a load that succeeds reports nothing and gives a prepared scenario
 *     with a device and a class; so does every sweep point that loads, and
 *     a point that does not says why, located as above;
 *   - a sweep label is as long as it says.
 *
 * The loader gets no file system: fopen (a trace file's only way in) is
 * wrapped at link time and opens nothing but the fixtures beside this file
 * (trace.csv), so an input cannot read /dev/zero or wait on a terminal.
 *
 * ACSIM_FUZZ_SAY=1 in the environment prints what each load said.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/diag.h"
#include "sim/load/scenario_load.h"

#ifndef ACSIM_FUZZ_DIR
#error "ACSIM_FUZZ_DIR: the directory of this file, where its fixtures are"
#endif

#define SEPARATOR  "#--set"
#define MAX_SETS   8
#define MAX_POINTS 64 /* points loaded one by one; a bigger sweep is sampled */

/* The name the loader gives the document: a file beside the fixtures, so
 * that `file: trace.csv` finds tests/fuzz/trace.csv. It is never read. */
static const char path[] = ACSIM_FUZZ_DIR "/fuzz.yaml";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
FILE *__wrap_fopen(const char *name, const char *mode);
FILE *__real_fopen(const char *name, const char *mode);

static bool loading; /* inside the loader: fopen is fenced */

/* While loading, opens the fixtures of ACSIM_FUZZ_DIR for reading and
 * nothing else; otherwise (libFuzzer writing its corpus and crashes) it is
 * fopen. */
FILE *__wrap_fopen(const char *name, const char *mode)
{
        size_t dlen = strlen(ACSIM_FUZZ_DIR);
        if (loading &&
            (strcmp(mode, "r") != 0 || strncmp(name, ACSIM_FUZZ_DIR "/", dlen + 1) != 0 ||
             name[dlen + 1] == '.' || strchr(name + dlen + 1, '/') != NULL))
                return NULL;
        return __real_fopen(name, mode);
}

static void broken(const char *what, const struct diag *dg)
{
        loading = false; /* let libFuzzer write the input out */
        fprintf(stderr, "fuzz_scenario_load: %s\n", what);
        if (dg)
                diag_print(dg, stderr);
        abort();
}

/* Returns the number of lines of text as YAML counts them (an unterminated
 * last one too): CR, LF, CR LF, and in UTF-8 NEL, LS and PS end a line. */
static size_t lines_of(const char *text, size_t len)
{
        const unsigned char *t = (const unsigned char *)text;
        size_t n = 1;
        for (size_t i = 0; i < len; i++) {
                if (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')
                        i++;
                if (t[i] == '\r' || t[i] == '\n')
                        n++;
                else if (t[i] == 0xc2 && i + 1 < len && t[i + 1] == 0x85)
                        n++, i++;
                else if (t[i] == 0xe2 && i + 2 < len && t[i + 1] == 0x80 &&
                         (t[i + 2] == 0xa8 || t[i + 2] == 0xa9))
                        n++, i += 2;
        }
        return n;
}

/* Holds a failed load to its contract: errors, all located, nothing kept. */
static void check_failed(const struct diag *dg, const struct scenario *s, size_t doc_lines,
                         const char *const *sets, size_t nsets)
{
        static const struct scenario zero;
        if (!diag_failed(dg) || dg->n == 0 || dg->n > dg->total || dg->n > DIAG_MAX)
                broken("a load failed without an error", dg);
        if (memcmp(s, &zero, sizeof(zero)) != 0)
                broken("a failed load kept part of the scenario", dg);
        for (size_t i = 0; i < dg->n; i++) {
                const struct diag_entry *e = &dg->entries[i];
                char line[64];
                if (!e->origin || !e->msg || !e->path || !e->msg[0])
                        broken("an error without an origin or a message", dg);
                if (diag_format(e, line, sizeof(line)) <= 0)
                        broken("an error that does not format", dg);
                if (strcmp(e->origin, path) == 0) {
                        /* libyaml puts the end of a document whose last
                         * line has no newline at the start of the next. */
                        bool past_end = e->line == doc_lines + 1 && e->col == 1;
                        if (e->line == 0 || e->col == 0 || (e->line > doc_lines && !past_end))
                                broken("an error in the document outside it", dg);
                        continue;
                }
                bool known = false;
                for (size_t k = 0; k < nsets && !known; k++)
                        known = strncmp(e->origin, "--set ", 6) == 0 &&
                                strcmp(e->origin + 6, sets[k]) == 0;
                if (!known)
                        broken("an error from neither the document nor an assignment", dg);
        }
}

/* Holds a loaded scenario (or point) to its contract. */
static void check_loaded(const struct diag *dg, const struct scenario *s)
{
        if (diag_failed(dg))
                broken("a load succeeded with errors", dg);
        if (!s->prepared || s->ndevices == 0 || s->nclasses == 0 || !s->name || !s->source)
                broken("a loaded scenario that is not prepared", NULL);
}

/* Loads sweep point p of s as `acsim sweep` does, from the kept bytes. */
static void load_point(const struct scenario *s, size_t p, size_t doc_lines,
                       const char *const *sets, size_t nsets)
{
        struct diag dg;
        struct scenario pt;
        diag_init(&dg);
        if (scenario_load_point_from(s, path, sets, nsets, p, &dg, &pt) == 0) {
                check_loaded(&dg, &pt);
                if (pt.nsweep != s->nsweep)
                        broken("a point with another sweep than its scenario", NULL);
                scenario_free(&pt);
        } else {
                check_failed(&dg, &pt, doc_lines, sets, nsets);
        }
        diag_free(&dg);

        char label[512];
        int need = scenario_sweep_label(s, p, NULL, 0);
        int got = scenario_sweep_label(s, p, label, sizeof(label));
        if (need < 0 || need != got || (got < (int)sizeof(label) && strlen(label) != (size_t)got))
                broken("a sweep label of another length than it says", NULL);
        for (size_t k = 0; k < s->nsweep; k++)
                if (!scenario_sweep_value(s, p, k))
                        broken("a sweep point without a value of every key", NULL);
}

/* Splits the input at the first SEPARATOR line: the document, then the
 * assignments (copied into sets[], NUL-terminated). Returns the count. */
static size_t split(const char *text, size_t size, size_t *doc_len, char **sets)
{
        size_t slen = strlen(SEPARATOR), at = 0;
        *doc_len = size;
        for (;;) {
                if (size - at >= slen && memcmp(text + at, SEPARATOR, slen) == 0 &&
                    (size - at == slen || text[at + slen] == '\n')) {
                        *doc_len = at;
                        at += slen + (size - at > slen);
                        break;
                }
                const char *nl = memchr(text + at, '\n', size - at);
                if (!nl)
                        return 0;
                at = (size_t)(nl - text) + 1;
        }
        size_t n = 0;
        while (at < size && n < MAX_SETS) {
                const char *nl = memchr(text + at, '\n', size - at);
                size_t len = nl ? (size_t)(nl - text) - at : size - at;
                sets[n] = malloc(len + 1);
                if (!sets[n])
                        abort();
                memcpy(sets[n], text + at, len);
                sets[n][len] = '\0'; /* an embedded NUL ends it, as argv would */
                n++;
                at += len + 1;
        }
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *)data;
        char *owned[MAX_SETS];
        size_t doc_len;
        size_t nsets = split(text, size, &doc_len, owned);
        const char *sets[MAX_SETS];
        for (size_t i = 0; i < nsets; i++)
                sets[i] = owned[i];
        size_t doc_lines = lines_of(text, doc_len);

        struct diag dg;
        struct scenario s;
        diag_init(&dg);
        loading = true;
        if (scenario_load_text(path, text, doc_len, sets, nsets, &dg, &s) == 0) {
                check_loaded(&dg, &s);
                if (s.source_len != doc_len || memcmp(s.source, text, doc_len) != 0)
                        broken("the scenario keeps other bytes than it loaded", NULL);
                size_t points = scenario_sweep_points(&s);
                if (points == 0)
                        broken("a sweep of no points", NULL);
                /* Every point of a small sweep; of a big one, the first and
                 * last and an even spread between. */
                size_t step =
                    points <= MAX_POINTS ? 1 : (points + MAX_POINTS - 2) / (MAX_POINTS - 1);
                for (size_t p = 0; p < points; p += step)
                        load_point(&s, p, doc_lines, sets, nsets);
                if (step > 1)
                        load_point(&s, points - 1, doc_lines, sets, nsets);
                scenario_free(&s);
        } else {
                check_failed(&dg, &s, doc_lines, sets, nsets);
        }
        loading = false;
        if (getenv("ACSIM_FUZZ_SAY")) {
                if (diag_failed(&dg))
                        diag_print(&dg, stderr);
                else
                        fprintf(stderr, "fuzz_scenario_load: loaded, %zu assignments\n", nsets);
        }
        diag_free(&dg);
        for (size_t i = 0; i < nsets; i++)
                free(owned[i]);
        return 0;
}
