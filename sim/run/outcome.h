/*
 * sim/run/outcome.h - what the layers below the command line return: an
 * outcome, and one error-message type for the reason.
 *
 * Only sim/cli/ prints `acsim CMD: ...` and chooses an exit status; the
 * rooms below it (run, load, results, sweep, report) return an outcome or
 * a negative code and fill a struct sim_error, which the command line
 * prints. The outcomes are numbered as the exit statuses they become
 * (docs/results.md, "Exit status"), so a worker process can carry one in its
 * exit status and the parent read it back.
 */
#ifndef SIM_RUN_OUTCOME_H
#define SIM_RUN_OUTCOME_H

#include <stdarg.h>

enum sim_outcome {
        SIM_OK = 0,        /* done */
        SIM_FAILED = 1,    /* it ran and found a failure, or stopped on an internal error */
        SIM_BAD_INPUT = 2, /* bad input, or the results could not be written */
};

/* The reason of a failure, as one line without a trailing newline. */
struct sim_error {
        char msg[1024];
};

/* Formats the reason into e (ignored when e is NULL) and returns rc, so a
 * caller writes `return sim_fail(e, -1, "cannot open %s", path);`. */
int sim_fail(struct sim_error *e, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sim_vfail(struct sim_error *e, int rc, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Empties e, so that a caller can tell whether anything was said. */
static inline void sim_error_clear(struct sim_error *e)
{
        e->msg[0] = '\0';
}

/* The worse of two outcomes: bad input over a failure over success. */
static inline enum sim_outcome sim_outcome_worse(enum sim_outcome a, enum sim_outcome b)
{
        return a > b ? a : b;
}

#endif
