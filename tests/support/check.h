/*
 * tests/support/check.h - assertions for the test programs that run real
 * threads (tests/stress_*.c). Criterion's sandbox cannot run under
 * ThreadSanitizer, so these are plain programs: CHECK() prints where and
 * why, and the program exits 1; a program that returns 0 passed.
 */
#ifndef TESTS_SUPPORT_CHECK_H
#define TESTS_SUPPORT_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);   \
                        fprintf(stderr, __VA_ARGS__);                                              \
                        fputc('\n', stderr);                                                       \
                        exit(1);                                                                   \
                }                                                                                  \
        } while (0)

#endif
