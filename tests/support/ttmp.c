/*
 * tests/support/ttmp.c - the scratch directory of tests/support/ttmp.h.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/ttmp.h"

char ttmp_dir[64];

void ttmp_make(void)
{
        strcpy(ttmp_dir, "/tmp/acsim-test-XXXXXX");
        cr_assert_not_null(mkdtemp(ttmp_dir));
}

void ttmp_file(char *path, size_t cap, const char *text, size_t len)
{
        cr_assert_gt(cap, strlen("/tmp/acsim-test-file-XXXXXX"));
        strcpy(path, "/tmp/acsim-test-file-XXXXXX");
        int fd = mkstemp(path);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, text, len), (ssize_t)len);
        cr_assert_eq(close(fd), 0);
}

void ttmp_remove(void)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ttmp_dir);
        cr_assert_eq(system(cmd), 0);
}
