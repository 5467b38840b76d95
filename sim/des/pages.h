/*
 * sim/des/pages.h - memory for the arrays that grow with a run's scale:
 * the event set's far list, the request pool's chunks, the time series.
 *
 * Each is touched page by page as it fills, and where the system runs
 * virtualised a page fault is dear (9 to 17 us a 4 KiB page on the
 * development VM; docs/simulator.md, "Scale"). So an array of
 * SIM_HUGE_PAGE bytes or more is aligned to SIM_HUGE_PAGE and advised
 * onto transparent huge pages (madvise(MADV_HUGEPAGE)): one fault per
 * 2 MiB instead of 512. Where the system has no huge pages the advice is
 * refused and nothing else changes. A smaller array is aligned to a cache
 * line. Either is freed with free().
 */
#ifndef SIM_DES_PAGES_H
#define SIM_DES_PAGES_H

#include <stddef.h>

#define SIM_HUGE_PAGE ((size_t)2 << 20)

/* Returns `bytes` bytes (> 0), uninitialised, aligned as above, or NULL
 * when out of memory. From SIM_HUGE_PAGE on, the block is rounded up to
 * a whole number of huge pages. */
void *sim_pages_alloc(size_t bytes);

/* An array of n items of `size` bytes, zeroed, as sim_pages_alloc
 * places it; NULL when out of memory, when n * size is 0, or when it
 * does not fit a size_t (as calloc). */
void *sim_pages_calloc(size_t n, size_t size);

#endif
