/*
 * tests/support/ttmp.c - the scratch directory of tests/support/ttmp.h.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/ttmp.h"

char ttmp_dir[64];

void ttmp_make(void)
{
        strcpy(ttmp_dir, "/tmp/acsim-test-XXXXXX");
        cr_assert_not_null(mkdtemp(ttmp_dir));
}

void ttmp_remove(void)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ttmp_dir);
        cr_assert_eq(system(cmd), 0);
}
