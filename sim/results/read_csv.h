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

struct plot_csv {
        size_t ncols;  /* fields of the header */
        size_t nrows;  /* data rows */
        char **header; /* ncols names */
        char **cells;  /* nrows * ncols fields, row-major; a short row's missing
                          fields are "" */
};

/* Reads the CSV file at path into *t (release with plot_csv_free).
 * Returns 0, or -1 with the reason (naming the file and line) in
 * err[errlen]; *t is then empty. */
int plot_csv_read(const char *path, struct plot_csv *t, char *err, size_t errlen);

/* Returns the index of the column named name, or -1. */
int plot_csv_col(const struct plot_csv *t, const char *name);

/* Returns the field of row r, column c. */
const char *plot_csv_at(const struct plot_csv *t, size_t r, size_t c);

/* Returns field (r, c) as a number, or NaN when it is empty or not one. */
double plot_csv_num(const struct plot_csv *t, size_t r, size_t c);

void plot_csv_free(struct plot_csv *t);

#endif
