/*
 * tests/support/ttmp.h - a scratch directory for a test that writes files:
 * made fresh by ttmp_make (a suite's or test's .init) and removed with
 * everything in it by ttmp_remove (its .fini); and a scratch file holding
 * a given text (ttmp_file).
 */
#ifndef TESTS_SUPPORT_TTMP_H
#define TESTS_SUPPORT_TTMP_H

#include <stddef.h>

extern char ttmp_dir[64]; /* the directory's path while it exists */

void ttmp_make(void);
void ttmp_remove(void);

/* Writes len bytes of text to a new file /tmp/acsim-test-file-XXXXXX and
 * puts its name in path (at least 40 bytes); the test unlinks it. */
void ttmp_file(char *path, size_t cap, const char *text, size_t len);

#endif
