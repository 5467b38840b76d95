/*
 * tests/support/ttmp.h - a scratch directory for a test that writes files:
 * made fresh by ttmp_make (a suite's or test's .init) and removed with
 * everything in it by ttmp_remove (its .fini).
 */
#ifndef TESTS_SUPPORT_TTMP_H
#define TESTS_SUPPORT_TTMP_H

extern char ttmp_dir[64]; /* the directory's path while it exists */

void ttmp_make(void);
void ttmp_remove(void);

#endif
