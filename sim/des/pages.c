/*
 * sim/des/pages.c - line-aligned arrays, on huge pages from 2 MiB on.
 */
#define _DEFAULT_SOURCE /* madvise */
#include "sim/des/pages.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LINE 64

void *sim_pages_alloc(size_t bytes)
{
        size_t align = bytes < SIM_HUGE_PAGE ? LINE : SIM_HUGE_PAGE;
        if (bytes == 0 || bytes > SIZE_MAX - align)
                return NULL;
        /* aligned_alloc wants a multiple of the alignment */
        size_t size = (bytes + align - 1) / align * align;
        void *p = aligned_alloc(align, size);
#ifdef MADV_HUGEPAGE
        if (p && align == SIM_HUGE_PAGE)
                (void)madvise(p, size, MADV_HUGEPAGE); /* advice: failure is harmless */
#endif
        return p;
}

void *sim_pages_calloc(size_t n, size_t size)
{
        if (size && n > SIZE_MAX / size)
                return NULL;
        size_t bytes = n * size;
        void *p = sim_pages_alloc(bytes);
        if (p)
                memset(p, 0, bytes); /* after the advice: the first touch takes huge pages */
        return p;
}
