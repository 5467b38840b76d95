/*
 * sim/sweep/key.c - point keys and their record (sim/sweep/key.h).
 *
 * Layout: the hash, the build id (the ELF note, else the executable's
 * bytes), a point's and a replication's key, then the record in OUT/keys/.
 */
#define _GNU_SOURCE /* dl_iterate_phdr */

#include "sim/sweep/key.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/des/rng.h"
#include "sim/load/scenario_load.h"
#include "sim/results/in_place.h"
#include "sim/results/result_dir.h"
#include "sim/sweep/sweep.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL
#define PATH_CAP   4096 /* longest path handled, with its NUL */
#define BUILD_CAP  (2 * 64 + 1)

/* ---- the hash ------------------------------------------------------------------ */

void sweep_hash_init(struct sweep_hash *k)
{
        k->h = FNV_OFFSET;
}

static void feed(struct sweep_hash *k, const unsigned char *b, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                k->h ^= b[i];
                k->h *= FNV_PRIME;
        }
}

void sweep_hash_u64(struct sweep_hash *k, uint64_t v)
{
        unsigned char b[8];
        for (int i = 0; i < 8; i++)
                b[i] = (unsigned char)(v >> (8 * i));
        feed(k, b, sizeof(b));
}

void sweep_hash_bytes(struct sweep_hash *k, const void *bytes, size_t len)
{
        sweep_hash_u64(k, len);
        feed(k, bytes, len);
}

void sweep_hash_text(struct sweep_hash *k, const char *text)
{
        if (text == NULL)
                sweep_hash_u64(k, UINT64_MAX); /* no length a string can have */
        else
                sweep_hash_bytes(k, text, strlen(text));
}

/* ---- the build id -------------------------------------------------------------- */

static char build_id[BUILD_CAP];

/* Finds the main program's NT_GNU_BUILD_ID note (the first object
 * dl_iterate_phdr reports) and writes it in hex to build_id. */
static int find_note(struct dl_phdr_info *info, size_t size, void *ctx)
{
        (void)size;
        (void)ctx;
        for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_NOTE)
                        continue;
                const unsigned char *n = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
                const unsigned char *end = n + ph->p_memsz;
                while (n + sizeof(ElfW(Nhdr)) <= end) {
                        const ElfW(Nhdr) *h = (const ElfW(Nhdr) *)n;
                        const unsigned char *name = n + sizeof(*h);
                        const unsigned char *desc = name + ((h->n_namesz + 3) & ~3u);
                        if (h->n_type == NT_GNU_BUILD_ID && h->n_namesz == 4 &&
                            memcmp(name, "GNU", 4) == 0 && h->n_descsz > 0 &&
                            h->n_descsz * 2 < BUILD_CAP) {
                                for (size_t b = 0; b < h->n_descsz; b++)
                                        snprintf(build_id + 2 * b, 3, "%02x", desc[b]);
                                return 1;
                        }
                        n = desc + ((h->n_descsz + 3) & ~3u);
                }
        }
        return 1; /* only the main program counts */
}

/* Hashes the executable's own bytes into build_id. Returns 0 or -1. */
static int hash_self(void)
{
        FILE *f = fopen("/proc/self/exe", "rb");
        if (f == NULL)
                return -1;
        struct sweep_hash k;
        sweep_hash_init(&k);
        unsigned char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                feed(&k, buf, n);
        int bad = ferror(f);
        fclose(f);
        if (bad)
                return -1;
        snprintf(build_id, sizeof(build_id), "%016" PRIx64, k.h);
        return 0;
}

const char *sweep_build_id(void)
{
        if (build_id[0] == '\0') {
                dl_iterate_phdr(find_note, NULL);
                if (build_id[0] == '\0' && hash_self() < 0)
                        snprintf(build_id, sizeof(build_id), "unknown");
        }
        return build_id;
}

/* ---- keys ---------------------------------------------------------------------- */

uint64_t sweep_point_key(const struct sweep_plan *p, size_t point, const struct scenario *sc)
{
        const struct scenario *s = &p->base;
        struct sweep_hash k;
        sweep_hash_init(&k);
        sweep_hash_text(&k, "acsim sweep point key 1");
        sweep_hash_text(&k, ACSIM_VERSION);
        sweep_hash_text(&k, sweep_build_id());
        if (s->source)
                sweep_hash_bytes(&k, s->source, s->source_len);
        else
                sweep_hash_text(&k, NULL);
        sweep_hash_u64(&k, p->nsets);
        for (size_t i = 0; i < p->nsets; i++)
                sweep_hash_text(&k, p->sets[i]);
        sweep_hash_u64(&k, s->nsweep);
        for (size_t j = 0; j < s->nsweep; j++) {
                sweep_hash_text(&k, s->sweep[j].key);
                sweep_hash_text(&k, scenario_sweep_value(s, point, j));
        }
        sweep_hash_u64(&k, sc->seed);
        sweep_hash_u64(&k, sc->run.replications ? sc->run.replications : 1);
        for (size_t c = 0; c < sc->nclasses; c++) {
                const struct trace *t = &sc->classes[c].arrival.trace;
                sweep_hash_u64(&k, t->n);
                for (size_t r = 0; r < t->n; r++) {
                        sweep_hash_u64(&k, t->rows[r].time_ns);
                        sweep_hash_u64(&k, t->rows[r].bytes);
                }
        }
        return k.h;
}

uint64_t sweep_replication_key(uint64_t point_key, uint32_t rep, uint64_t seed)
{
        struct sweep_hash k;
        sweep_hash_init(&k);
        sweep_hash_text(&k, "acsim sweep replication key 1");
        sweep_hash_u64(&k, point_key);
        sweep_hash_u64(&k, rep);
        sweep_hash_u64(&k, seed);
        return k.h;
}

/* ---- the record ------------------------------------------------------------------ */

/* Writes OUT/keys/<dir> (or OUT/keys when point is SWEEP_NO_KEY) to
 * path[PATH_CAP]. Returns 0, or -1 when it does not fit. */
static int key_path(const struct sweep_plan *p, const char *out, size_t point, char *path)
{
        int n = point == SWEEP_NO_KEY
                    ? snprintf(path, PATH_CAP, "%s/%s", out, SWEEP_KEYS)
                    : snprintf(path, PATH_CAP, "%s/%s/%s", out, SWEEP_KEYS, p->points[point].dir);
        return n < 0 || n >= PATH_CAP ? -1 : 0;
}

int sweep_key_read(const struct sweep_plan *p, const char *out, size_t point, uint64_t *key)
{
        char path[PATH_CAP], line[64];
        if (key_path(p, out, point, path) < 0)
                return 0;
        FILE *f = fopen(path, "r");
        if (f == NULL)
                return 0;
        char *got = fgets(line, sizeof(line), f);
        fclose(f);
        char *end;
        if (got == NULL || strlen(line) != 17 || line[16] != '\n')
                return 0;
        errno = 0;
        *key = strtoull(line, &end, 16);
        return errno == 0 && end == line + 16 ? 1 : 0;
}

bool sweep_key_fresh(const struct sweep_plan *p, const char *out, size_t point)
{
        char path[PATH_CAP];
        struct stat st;
        uint64_t key;
        if (snprintf(path, sizeof(path), "%s/%s/%s", out, p->points[point].dir, RESULT_SUMMARY) >=
                (int)sizeof(path) ||
            stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                return false;
        return sweep_key_read(p, out, point, &key) == 1 && key == p->points[point].key;
}

/* What a record is written from. */
struct record {
        const struct sweep_point *pt;
        uint32_t n; /* replications run */
};

/* The record's lines: the point's key, then "REPLICATION KEY" for each. */
static int write_key(FILE *f, void *ctx)
{
        const struct record *rec = ctx;
        const struct sweep_point *pt = rec->pt;
        int rc = fprintf(f, "%016" PRIx64 "\n", pt->key) < 0 ? -1 : 0;
        for (uint32_t i = 0; rc == 0 && i < rec->n; i++)
                rc = fprintf(f, "%" PRIu32 " %016" PRIx64 "\n", i,
                             sweep_replication_key(pt->key, i, sim_rng_derive(pt->seed, i))) < 0
                         ? -1
                         : 0;
        return rc;
}

int sweep_key_write(const struct sweep_plan *p, const char *out, size_t point, struct sim_error *e)
{
        return sweep_key_record(p, out, point, p->points[point].replications, e);
}

int sweep_key_record(const struct sweep_plan *p, const char *out, size_t point, uint32_t n,
                     struct sim_error *e)
{
        char path[PATH_CAP];
        if (key_path(p, out, SWEEP_NO_KEY, path) < 0)
                return sim_fail(e, -1, "%s/%s: path too long", out, SWEEP_KEYS);
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return sim_fail(e, -1, "%s: %s", path, strerror(errno));
        if (key_path(p, out, point, path) < 0)
                return sim_fail(e, -1, "%s/%s: path too long", out, SWEEP_KEYS);
        struct record rec = {&p->points[point], n};
        return in_place_file(path, write_key, &rec, e);
}

int sweep_key_forget(const struct sweep_plan *p, const char *out, size_t point, struct sim_error *e)
{
        char path[PATH_CAP];
        if (key_path(p, out, point, path) < 0)
                return sim_fail(e, -1, "%s/%s: path too long", out, SWEEP_KEYS);
        if (unlink(path) != 0 && errno != ENOENT)
                return sim_fail(e, -1, "%s: %s", path, strerror(errno));
        return 0;
}
