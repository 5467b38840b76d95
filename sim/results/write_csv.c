/*
 * sim/results/write_csv.c - the CSV result files. Reals are printed with %.10g:
 * enough for plots and diffs; summary.json keeps the exact doubles.
 */
#include "sim/results/write_csv.h"

#include <inttypes.h>
#include <string.h>

#include "models/device.h"

void write_csv_text(FILE *out, const char *s)
{
        if (strpbrk(s, ",\"\r\n") == NULL) {
                fputs(s, out);
                return;
        }
        fputc('"', out);
        for (; *s; s++) {
                if (*s == '"')
                        fputc('"', out);
                fputc(*s, out);
        }
        fputc('"', out);
}

static int done(FILE *out)
{
        return ferror(out) ? -1 : 0;
}

int write_csv_timeseries(FILE *out, const struct replications *r)
{
        fputs("replication,t_ns,arrivals,completed,failed,rejected,retried,in_system", out);
        for (size_t k = 0; k < r->ndevices; k++) {
                const char *cols[] = {"util", "queue", "in_flight"};
                for (size_t c = 0; c < 3; c++) {
                        fputc(',', out);
                        char name[256];
                        snprintf(name, sizeof(name), "%s_%s", r->devices[k].name, cols[c]);
                        write_csv_text(out, name);
                }
        }
        fputc('\n', out);
        for (size_t i = 0; i < r->n; i++) {
                const struct sim_series *s = &r->runs[i].series;
                for (size_t row = 0; row < s->nrows; row++) {
                        const struct sim_series_row *w = &s->rows[row];
                        fprintf(out,
                                "%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                                ",%" PRIu64 ",%" PRIu64 ",%.10g",
                                r->runs[i].replication, w->t_ns, w->arrivals, w->completed,
                                w->failed, w->rejected, w->retried, w->mean_in_system);
                        for (size_t k = 0; k < s->ndevices; k++) {
                                const struct sim_series_device *d =
                                    &s->devices[row * s->ndevices + k];
                                fprintf(out, ",%.10g,%.10g,%.10g", d->utilization, d->mean_queue,
                                        d->mean_in_flight);
                        }
                        fputc('\n', out);
                }
        }
        return done(out);
}

static void hist_rows(FILE *out, const char *cls, const struct hist *h)
{
        size_t pos = 0;
        struct hist_bucket b;
        uint64_t seen = 0;
        while (hist_next(h, &pos, &b)) {
                seen += b.count;
                write_csv_text(out, cls);
                fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.10g\n", b.low, b.high, b.count,
                        (double)seen / (double)h->count);
        }
}

int write_csv_latency_hist(FILE *out, const struct replications *r)
{
        fputs("class,low_ns,high_ns,count,cumulative\n", out);
        hist_rows(out, "all", &r->hist);
        for (size_t k = 0; k < r->nclasses; k++)
                hist_rows(out, r->classes[k].name, &r->classes[k].hist);
        return done(out);
}

int write_csv_devices(FILE *out, const struct replications *r)
{
        fputs("name,lanes,ring,utilization,completed,errors,failures,timeouts,late,migrated_out,"
              "dropped,mean_queue,mean_in_flight,attach_ns\n",
              out);
        for (size_t k = 0; k < r->ndevices; k++) {
                const struct rep_device *d = &r->devices[k];
                write_csv_text(out, d->name);
                fprintf(out,
                        ",%" PRIu32 ",%" PRIu32
                        ",%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%" PRIu64
                        "\n",
                        d->lanes, d->ring, d->utilization.mean, d->completed.mean, d->errors.mean,
                        d->failures.mean, d->timeouts.mean, d->late.mean, d->migrated_out.mean,
                        d->dropped.mean, d->mean_queue.mean, d->mean_in_flight.mean, d->attach_ns);
        }
        return done(out);
}

int write_csv_trace(FILE *out, const struct replications *r)
{
        fputs("replication,id,class,flow,priority,bytes,measured,submit_ns,complete_ns,latency_ns,"
              "status,retries,migrations,devices\n",
              out);
        char buf[65536];
        for (size_t i = 0; i < r->n; i++) {
                FILE *in = r->runs[i].trace;
                if (!in)
                        continue;
                rewind(in);
                size_t n;
                while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
                        fwrite(buf, 1, n, out);
                if (ferror(in))
                        return -1;
        }
        return done(out);
}

int write_csv_faults(FILE *out, const struct replications *r)
{
        fputs("replication,device,mode,start_ns,end_ns,factor,probability,source\n", out);
        for (size_t i = 0; i < r->n; i++) {
                const struct sim_results *run = &r->runs[i];
                for (size_t f = 0; f < run->nfaults; f++) {
                        const struct sim_fault_result *fr = &run->faults[f];
                        const struct device_fault_record *rec = &fr->record;
                        const char *mode = device_fault_mode_name(rec->mode);
                        fprintf(out, "%" PRIu32 ",", run->replication);
                        write_csv_text(
                            out, fr->device < run->ndevices ? run->devices[fr->device].name : "?");
                        fprintf(out, ",%s,%" PRIu64 ",", mode ? mode : "?", rec->start_ns);
                        if (rec->end_ns != UINT64_MAX)
                                fprintf(out, "%" PRIu64, rec->end_ns);
                        fprintf(out, ",%.10g,%.10g,", rec->factor, rec->probability);
                        if (rec->process < 0)
                                fputs("scheduled", out);
                        else
                                fprintf(out, "failure%" PRId32, rec->process);
                        fputc('\n', out);
                }
        }
        return done(out);
}
