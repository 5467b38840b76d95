/*
 * sim/results/write_csv.c - the CSV result files. Reals are printed with %.10g:
 * enough for plots and diffs; summary.json keeps the exact doubles.
 */
#include "sim/results/write_csv.h"

#include <inttypes.h>
#include <string.h>

#include "ac/observer.h"
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

/* One row of timeseries_long.csv; a real value. */
static void long_row(FILE *out, uint32_t rep, uint64_t t, const char *kind, const char *entity,
                     const char *metric, double value)
{
        fprintf(out, "%" PRIu32 ",%" PRIu64 ",%s,", rep, t, kind);
        write_csv_text(out, entity);
        fprintf(out, ",%s,%.10g\n", metric, value);
}

/* The latency rows of one interval of one entity: the count always, the
 * quantiles and max only when the interval had a callback. */
static void long_latency(FILE *out, uint32_t rep, uint64_t t, const char *kind, const char *entity,
                         const struct sim_series_latency *l)
{
        long_row(out, rep, t, kind, entity, "latency_count", (double)l->count);
        if (l->count == 0)
                return;
        long_row(out, rep, t, kind, entity, "latency_p50_ns", (double)l->p50_ns);
        long_row(out, rep, t, kind, entity, "latency_p99_ns", (double)l->p99_ns);
        long_row(out, rep, t, kind, entity, "latency_p999_ns", (double)l->p999_ns);
        long_row(out, rep, t, kind, entity, "latency_max_ns", (double)l->max_ns);
}

int write_csv_timeseries_long(FILE *out, const struct replications *r)
{
        fputs("replication,t_ns,kind,entity,metric,value\n", out);
        for (size_t i = 0; i < r->n; i++) {
                const struct sim_results *run = &r->runs[i];
                const struct sim_series *s = &run->series;
                uint32_t rep = run->replication;
                for (size_t row = 0; row < s->nrows; row++) {
                        const struct sim_series_row *w = &s->rows[row];
                        uint64_t t = w->t_ns;
                        double secs = (double)s->interval_ns * 1e-9;
                        if (row + 1 == s->nrows && row > 0) /* the last may be shorter */
                                secs = (double)(t - s->rows[row - 1].t_ns) * 1e-9;
                        else if (row == 0)
                                secs = (double)t * 1e-9;
                        long_row(out, rep, t, "run", "all", "arrivals_count", (double)w->arrivals);
                        long_row(out, rep, t, "run", "all", "arrivals_per_s",
                                 (double)w->arrivals / secs);
                        long_row(out, rep, t, "run", "all", "completed_count",
                                 (double)w->completed);
                        long_row(out, rep, t, "run", "all", "completed_per_s",
                                 (double)w->completed / secs);
                        long_row(out, rep, t, "run", "all", "failed_count", (double)w->failed);
                        long_row(out, rep, t, "run", "all", "rejected_count", (double)w->rejected);
                        long_row(out, rep, t, "run", "all", "retried_count", (double)w->retried);
                        long_row(out, rep, t, "run", "all", "in_system_mean_requests",
                                 w->mean_in_system);
                        const struct sim_series_latency *lat =
                            s->nlatency ? &s->latency[row * s->nlatency] : NULL;
                        for (size_t k = 0; lat && k < s->nlatency; k++)
                                long_latency(out, rep, t, k ? "class" : "run",
                                             k ? run->classes[k - 1].name : "all", &lat[k]);
                        for (size_t k = 0; k < s->ndevices; k++) {
                                const struct sim_series_device *d =
                                    &s->devices[row * s->ndevices + k];
                                const char *name = run->devices[k].name;
                                long_row(out, rep, t, "device", name, "utilization_fraction",
                                         d->utilization);
                                long_row(out, rep, t, "device", name, "queue_mean_stages",
                                         d->mean_queue);
                                long_row(out, rep, t, "device", name, "in_flight_mean_stages",
                                         d->mean_in_flight);
                        }
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

/* What the fault windows on device k came to over every replication. */
struct detection {
        double windows, detected, recovered; /* counts */
        double delay_ns, recovery_ns;        /* sums over the detected, recovered */
        double failed_ns;                    /* sum over the replications */
};

static struct detection detection_of(const struct replications *r, size_t k)
{
        struct detection d = {0};
        for (size_t i = 0; i < r->n; i++) {
                const struct sim_results *run = &r->runs[i];
                if (k < run->ndevices)
                        d.failed_ns += (double)run->devices[k].failed_ns;
                for (size_t f = 0; f < run->nfaults; f++) {
                        const struct sim_fault_result *fr = &run->faults[f];
                        if (fr->device != k)
                                continue;
                        d.windows++;
                        if (fr->detected_ns != UINT64_MAX) {
                                d.detected++;
                                d.delay_ns += (double)(fr->detected_ns - fr->record.start_ns);
                        }
                        if (fr->recovered_ns != UINT64_MAX) {
                                d.recovered++;
                                d.recovery_ns +=
                                    fr->recovered_ns > fr->record.end_ns
                                        ? (double)(fr->recovered_ns - fr->record.end_ns)
                                        : 0;
                        }
                }
        }
        return d;
}

/* A mean, or an empty field when there is nothing to average. */
static void mean_field(FILE *out, double sum, double n)
{
        fputc(',', out);
        if (n > 0)
                fprintf(out, "%.10g", sum / n);
}

int write_csv_devices(FILE *out, const struct replications *r)
{
        fputs("name,lanes,ring,utilization,completed,errors,failures,timeouts,late,migrated_out,"
              "dropped,mean_queue,mean_in_flight,attach_ns,failed_ns,fault_windows,detected,"
              "detection_delay_ns,recovered,recovery_ns\n",
              out);
        for (size_t k = 0; k < r->ndevices; k++) {
                const struct rep_device *d = &r->devices[k];
                write_csv_text(out, d->name);
                fprintf(out,
                        ",%" PRIu32 ",%" PRIu32
                        ",%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%" PRIu64,
                        d->lanes, d->ring, d->utilization.mean, d->completed.mean, d->errors.mean,
                        d->failures.mean, d->timeouts.mean, d->late.mean, d->migrated_out.mean,
                        d->dropped.mean, d->mean_queue.mean, d->mean_in_flight.mean, d->attach_ns);
                struct detection t = detection_of(r, k);
                double n = r->n ? (double)r->n : 1;
                fprintf(out, ",%.10g,%.10g,%.10g", t.failed_ns / n, t.windows / n, t.detected / n);
                mean_field(out, t.delay_ns, t.detected);
                fprintf(out, ",%.10g", t.recovered / n);
                mean_field(out, t.recovery_ns, t.recovered);
                fputc('\n', out);
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

/* The four columns of what the core made of a window; empty when never. */
static void fault_outcome(FILE *out, const struct sim_fault_result *fr)
{
        uint64_t start = fr->record.start_ns, end = fr->record.end_ns;
        bool detected = fr->detected_ns != UINT64_MAX, recovered = fr->recovered_ns != UINT64_MAX;
        fputc(',', out);
        if (detected)
                fprintf(out, "%" PRIu64, fr->detected_ns);
        fputc(',', out);
        if (recovered)
                fprintf(out, "%" PRIu64, fr->recovered_ns);
        fputc(',', out);
        if (detected)
                fprintf(out, "%" PRIu64, fr->detected_ns - start);
        fputc(',', out);
        if (recovered)
                fprintf(out, "%" PRIu64, fr->recovered_ns > end ? fr->recovered_ns - end : 0);
}

/* The names of the core's device points and failure causes in
 * device_events.csv. */
static const char *point_name(unsigned p)
{
        static const char *const names[] = {
            [AC_DEVICE_ADDED] = "added",
            [AC_DEVICE_FAILED] = "failed",
            [AC_DEVICE_PROBING] = "probing",
            [AC_DEVICE_RECOVERED] = "recovered",
            [AC_DEVICE_DRAINING] = "draining",
            [AC_DEVICE_REMOVED] = "removed",
            [AC_DEVICE_FALLBACK_ENGAGED] = "fallback-engaged",
            [AC_DEVICE_FALLBACK_GIVEN_BACK] = "fallback-given-back",
        };
        return p < sizeof(names) / sizeof(names[0]) && names[p] ? names[p] : "?";
}

static const char *cause_name(unsigned c)
{
        static const char *const names[] = {
            [AC_FAIL_NONE] = "",
            [AC_FAIL_ERRORS] = "errors",
            [AC_FAIL_WATCHDOG] = "watchdog",
            [AC_FAIL_REPORTED] = "reported",
        };
        return c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}

/* The window of run on device k that a FAILED at event index e was the
 * detection of, or NULL. */
static const struct sim_fault_result *detected_window(const struct sim_results *run,
                                                      const struct sim_device_event *ev)
{
        for (size_t f = 0; f < run->nfaults; f++) {
                const struct sim_fault_result *fr = &run->faults[f];
                if (fr->device == ev->device && fr->detected_ns == ev->t_ns)
                        return fr;
        }
        return NULL;
}

int write_csv_device_events(FILE *out, const struct replications *r)
{
        fputs("replication,t_ns,device,event,cause,status,fault_mode,fault_start_ns,"
              "detection_delay_ns\n",
              out);
        for (size_t i = 0; i < r->n; i++) {
                const struct sim_results *run = &r->runs[i];
                for (size_t j = 0; j < run->ndevice_events; j++) {
                        const struct sim_device_event *ev = &run->device_events[j];
                        fprintf(out, "%" PRIu32 ",%" PRIu64 ",", run->replication, ev->t_ns);
                        write_csv_text(
                            out, ev->device < run->ndevices ? run->devices[ev->device].name : "?");
                        fprintf(out, ",%s,%s,%" PRId32 ",", point_name(ev->point),
                                cause_name(ev->cause), ev->status);
                        const struct sim_fault_result *fr =
                            ev->point == AC_DEVICE_FAILED ? detected_window(run, ev) : NULL;
                        if (fr) {
                                const char *mode = device_fault_mode_name(fr->record.mode);
                                fprintf(out, "%s,%" PRIu64 ",%" PRIu64, mode ? mode : "?",
                                        fr->record.start_ns, ev->t_ns - fr->record.start_ns);
                        } else {
                                fputs(",,", out);
                        }
                        fputc('\n', out);
                }
        }
        return done(out);
}

int write_csv_faults(FILE *out, const struct replications *r)
{
        fputs("replication,device,mode,start_ns,end_ns,factor,probability,source,detected_ns,"
              "recovered_ns,detection_delay_ns,recovery_ns\n",
              out);
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
                        fault_outcome(out, fr);
                        fputc('\n', out);
                }
        }
        return done(out);
}
