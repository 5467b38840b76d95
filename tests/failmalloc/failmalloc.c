/*
 * tests/failmalloc/failmalloc.c - a fault-injecting allocator for the test
 * build, in the spirit of SQLite's test_malloc: linked into
 * acsim_failmalloc (the acsim command) with -Wl,--wrap for malloc,
 * calloc, realloc, aligned_alloc, strdup and strndup, so that every allocation made by
 * the core, the simulator, the models, the loader and the command line
 * (not those inside libyaml, jansson or GSL) comes through here.
 *
 * Environment:
 *   ACSIM_FAILMALLOC=N           the Nth allocation (1-based) fails, with
 *                                ENOMEM; 0 or unset: none fails
 *   ACSIM_FAILMALLOC_PERSIST=1   every allocation from the Nth on fails
 *   ACSIM_FAILMALLOC_COUNT=FILE  at exit, the number of allocations made
 *                                is written to FILE (to learn how many
 *                                Ns a run reaches)
 * tests/failmalloc.sh runs a small scenario once for every N.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_aligned_alloc(size_t align, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static unsigned long long calls;   /* allocations so far */
static unsigned long long fail_at; /* the one that fails; 0: none */
static bool persist;               /* and every one after it */
static bool ready;

static unsigned long long env_number(const char *name)
{
        const char *v = getenv(name);
        return v ? strtoull(v, NULL, 10) : 0;
}

/* Counts one allocation; returns true when it is to fail. */
static bool failing(void)
{
        if (!ready) {
                fail_at = env_number("ACSIM_FAILMALLOC");
                persist = env_number("ACSIM_FAILMALLOC_PERSIST") != 0;
                ready = true;
        }
        calls++;
        if (fail_at == 0 || calls < fail_at || (calls > fail_at && !persist))
                return false;
        errno = ENOMEM;
        return true;
}

void *__wrap_malloc(size_t n)
{
        return failing() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
        return failing() ? NULL : __real_calloc(n, size);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
        return failing() ? NULL : __real_aligned_alloc(align, n);
}

void *__wrap_realloc(void *p, size_t n)
{
        return failing() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
        size_t n = strlen(s) + 1;
        char *c = __wrap_malloc(n);
        if (c)
                memcpy(c, s, n);
        return c;
}

char *__wrap_strndup(const char *s, size_t n)
{
        size_t len = strnlen(s, n);
        char *c = __wrap_malloc(len + 1);
        if (c) {
                memcpy(c, s, len);
                c[len] = '\0';
        }
        return c;
}

__attribute__((destructor)) static void report_count(void)
{
        const char *path = getenv("ACSIM_FAILMALLOC_COUNT");
        if (!path)
                return;
        FILE *f = fopen(path, "w");
        if (f) {
                fprintf(f, "%llu\n", calls);
                fclose(f);
        }
}
