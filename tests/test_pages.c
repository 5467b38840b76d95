/*
 * test_pages.c - sim/des/pages.c: a small array starts a cache line, one
 * of SIM_HUGE_PAGE bytes or more starts a huge page and is whole huge
 * pages long (its last byte writable), the zeroed form is zero, and a size
 * of 0, one that cannot be rounded up, or a count times size that does not
 * fit a size_t gets NULL.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/des/pages.h"

static bool zero(const unsigned char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

Test(pages, a_small_array_starts_a_line)
{
        static const size_t sizes[] = {1, 16, 63, 64, 65, 4096, SIM_HUGE_PAGE - 1};
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
                unsigned char *p = sim_pages_alloc(sizes[k]);
                cr_assert_not_null(p);
                cr_assert_eq((uintptr_t)p % 64, 0, "%zu bytes", sizes[k]);
                memset(p, 0xa5, sizes[k]); /* ASan: all of it is the caller's */
                free(p);
        }
}

Test(pages, a_large_array_starts_a_huge_page_and_holds_whole_ones)
{
        static const size_t sizes[] = {SIM_HUGE_PAGE, SIM_HUGE_PAGE + 1, 3 * SIM_HUGE_PAGE - 64};
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
                unsigned char *p = sim_pages_alloc(sizes[k]);
                cr_assert_not_null(p);
                cr_assert_eq((uintptr_t)p % SIM_HUGE_PAGE, 0, "%zu bytes", sizes[k]);
                /* rounded up to whole huge pages: the last byte of the last one is ours */
                size_t whole = (sizes[k] + SIM_HUGE_PAGE - 1) / SIM_HUGE_PAGE * SIM_HUGE_PAGE;
                p[whole - 1] = 1;
                p[0] = 1;
                free(p);
        }
}

Test(pages, the_zeroed_form_is_zero)
{
        /* dirty what malloc may hand back, then ask for zeroed memory of
         * both kinds */
        static const size_t sizes[] = {1000, SIM_HUGE_PAGE + 4096}; /* multiples of 8 */
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
                unsigned char *dirty = sim_pages_alloc(sizes[k]);
                cr_assert_not_null(dirty);
                memset(dirty, 0xff, sizes[k]);
                free(dirty);
                unsigned char *p = sim_pages_calloc(sizes[k] / 8, 8);
                cr_assert_not_null(p);
                cr_assert(zero(p, sizes[k]), "%zu bytes", sizes[k]);
                free(p);
        }
}

Test(pages, no_size_and_no_room_get_null)
{
        cr_assert_null(sim_pages_alloc(0));
        cr_assert_null(sim_pages_calloc(0, 8));
        cr_assert_null(sim_pages_calloc(8, 0));
        cr_assert_null(sim_pages_calloc(SIZE_MAX / 8 + 1, 8)); /* n * size does not fit */
        cr_assert_null(sim_pages_alloc(SIZE_MAX));
        cr_assert_null(sim_pages_alloc(SIZE_MAX - SIM_HUGE_PAGE + 2));
}
