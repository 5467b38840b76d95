/*
 * sim/results/in_place.h - putting a file or a directory in place whole or
 * not at all: the one way acsim writes what a reader may look at (a result
 * directory, the files of a sweep directory).
 *
 * What is written goes into a fresh hidden temporary beside the target,
 * PARENT/.NAME.tmp-XXXXXX, given the usual mode (0666 or 0777 less the
 * umask) and renamed onto the target, so a reader sees the old one or the
 * new one and an error leaves nothing behind. SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT are held off meanwhile (milliseconds) and delivered after, so an
 * interruption cannot leave a partial one either.
 */
#ifndef SIM_RESULTS_IN_PLACE_H
#define SIM_RESULTS_IN_PLACE_H

#include <stdbool.h>
#include <stdio.h>

#include "sim/run/outcome.h"

/* Writes a directory's files into tmp. Returns 0, or -1 with the reason
 * in e. */
typedef int (*in_place_dir_fill)(const char *tmp, void *ctx, struct sim_error *e);

/* Writes a file's bytes to f. Returns 0, or -1 (errno says why, when it
 * can). */
typedef int (*in_place_file_fill)(FILE *f, void *ctx);

/* Returns true when path names an entry that can be put in place: it
 * fits, and its last component is neither empty (as in "" or "/"), "."
 * nor "..". */
bool in_place_usable(const char *path);

/* Looks at what stands at dir before it is put in place. Returns 1 when
 * it is a directory, 0 when there is nothing, or -1 with the reason in e
 * (it cannot be looked at, or it is not a directory). */
int in_place_dir_exists(const char *dir, struct sim_error *e);

/* Puts the directory dir in place, filled by fill, creating its parents.
 * An existing dir is moved aside (PARENT/.NAME.old-XXXXXX) before the
 * rename and removed after it; the caller decides whether it may be
 * replaced. Returns 0, or -1 with the reason in e (dir is then as it
 * was). */
int in_place_dir(const char *dir, in_place_dir_fill fill, void *ctx, struct sim_error *e);

/* Puts the file path in place, filled by fill; its directory must exist.
 * Returns 0, or -1 with the reason in e ("PATH: what went wrong"; path is
 * then as it was). */
int in_place_file(const char *path, in_place_file_fill fill, void *ctx, struct sim_error *e);

#endif
