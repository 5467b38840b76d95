/*
 * sim/load/diag.h - located error reports for bad input (scenarios, --set).
 *
 * A struct diag collects errors in the order they are found, keeps the first
 * DIAG_MAX of them and counts the rest. Each prints as one line,
 *
 *   FILE:LINE:COL: error: KEY.PATH: expected ..., got ...
 *
 * where FILE is the scenario's path, or "--set KEY=VALUE" for a value given
 * on the command line (then LINE:COL is left out, as it is for errors that
 * concern a whole file, such as a missing one); KEY.PATH is left out when
 * empty. A command exits with diag_exit_status(): 2 once anything was
 * reported.
 */
#ifndef SIM_LOAD_DIAG_H
#define SIM_LOAD_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DIAG_MAX 16

struct diag_entry {
        char *origin;       /* file name, or "--set KEY=VALUE" */
        unsigned line, col; /* 1-based; 0 when there is no place to point at */
        char *path;         /* "devices[1].ops.aes-gcm-enc.rate", or "" */
        char *msg;          /* "expected ..., got ..." */
};

struct diag {
        struct diag_entry entries[DIAG_MAX]; /* the first errors, in order */
        size_t n;                            /* entries kept */
        size_t total;                        /* errors reported, kept or not */
        size_t lost; /* of those not kept: for want of memory for their text */
};

void diag_init(struct diag *dg);
/* Frees what the entries own and empties dg. */
void diag_free(struct diag *dg);

/* Records an error; message is printf-formatted. path may be NULL. */
void diag_add(struct diag *dg, const char *origin, unsigned line, unsigned col, const char *path,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_vadd(struct diag *dg, const char *origin, unsigned line, unsigned col, const char *path,
               const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* Returns true once any error was reported. */
bool diag_failed(const struct diag *dg);
/* Returns true when no more entries can be kept (later ones are counted). */
bool diag_full(const struct diag *dg);
/* Formats one entry as its line, without newline, into buf (truncated to
 * cap). Returns the length the full line has, as snprintf does. */
int diag_format(const struct diag_entry *e, char *buf, size_t cap);
/* Prints every kept entry, one a line, then "N more errors" if some were
 * dropped. */
void diag_print(const struct diag *dg, FILE *out);
/* Returns the exit status for a command: 0 with no error, 2 otherwise. */
int diag_exit_status(const struct diag *dg);

#endif
