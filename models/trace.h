/*
 * models/trace.h - request traces for replay: a CSV file read once into
 * memory.
 *
 * Format: one request per line, "time,size[,class]". time is the arrival
 * time in integer nanoseconds from the start of the run, size the payload in
 * bytes (integer), class the name of the workload class the row belongs to
 * (optional; a row without one belongs to every class replaying the file).
 * Times never decrease down the file. Blank lines and lines starting with
 * '#' are skipped, and so is a header: a first non-comment line starting
 * with "time".
 * Fields may be surrounded by spaces.
 */
#ifndef MODELS_TRACE_H
#define MODELS_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct trace_row {
        uint64_t time_ns; /* from the start of the run */
        uint64_t bytes;
};

struct trace {
        struct trace_row *rows; /* owned */
        size_t n;
};

/* Reads the rows of `path` that belong to class `class_name` (NULL: every
 * row). Returns 0 and fills *out, or -1 with "path:line: reason" (or
 * "path: reason") written to err[errlen]; *out is then empty. (A buffer,
 * as for workload_class_prepare(): models/ stands below sim/run/.) */
int trace_load(const char *path, const char *class_name, struct trace *out, char *err,
               size_t errlen);
void trace_free(struct trace *t);

#endif
