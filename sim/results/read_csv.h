/*
 * sim/results/read_csv.h - reading back the CSV files of a result directory
 * (docs/results.md) for the plots and the report: a header line, then
 * rows of comma-separated fields, a field quoted ("...", "" for a quote)
 * when it holds a comma or a quote. The whole file is kept as text; a
 * caller looks a column up by its header name and converts the fields it
 * needs.
 */
#ifndef SIM_RESULTS_READ_CSV_H
#define SIM_RESULTS_READ_CSV_H

#include <stddef.h>

#include "sim/run/outcome.h"

struct read_csv_table {
        size_t ncols;  /* fields of the header */
        size_t nrows;  /* data rows */
        char **header; /* ncols names */
        char **cells;  /* nrows * ncols fields, row-major; a short row's missing
                          fields are "" */
};

/* Reads the CSV file at path into *t (release with read_csv_free).
 * Returns 0, or -1 with the reason (naming the file and line) in
 * err; *t is then empty. */
int read_csv_file(const char *path, struct read_csv_table *t, struct sim_error *err);

/* Returns the index of the column named name, or -1. */
int read_csv_col(const struct read_csv_table *t, const char *name);

/* Returns the field of row r, column c. */
const char *read_csv_at(const struct read_csv_table *t, size_t r, size_t c);

/* Returns field (r, c) as a number, or NaN when it is empty or not one. */
double read_csv_num(const struct read_csv_table *t, size_t r, size_t c);

void read_csv_free(struct read_csv_table *t);

#endif
