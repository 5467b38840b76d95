/*
 * test_run_trace.c - the per-request trace (run.trace): a row per
 * request, latencies that agree with the summary, stage devices that can
 * do their stages, hand-offs that match the retries a hang costs, the
 * limit, and byte-identical traces from identical runs.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run/run.h"
#include "support/tscen.h"

#define MS 1000000ull
#define US 1000ull

/* One parsed row of the trace. */
struct row {
        uint64_t id;
        char cls[64];
        int measured;
        uint64_t submit, complete, latency;
        char status[32];
        uint32_t retries, migrations;
        char devices[256];
        bool rejected;
};

static struct scenario_device *add_device(struct scenario *s, const char *name, uint32_t lanes,
                                          bool enc)
{
        struct scenario_device *d = tscen_device(s, name, lanes, 2 * lanes);
        if (enc)
                tscen_linear(d, "enc", 400, 4.0);
        tscen_service(d, "mac", (struct dist){.kind = DIST_EXPONENTIAL, .a = 600});
        return d;
}

static void add_class(struct scenario *s, const char *name, double rate, size_t nchain)
{
        const char *chain[] = {"enc", "mac"};
        tscen_class(s, name, chain, nchain, rate,
                    (struct dist){.kind = DIST_UNIFORM, .a = 64, .b = 4096})
            ->flows = 8;
}

/* Two cards that do enc and mac, a software device that does mac only;
 * a two-stage class (enc, mac) and a one-stage class (enc); a small
 * backlog, so that some requests are rejected. */
static void traced(struct scenario *s, uint64_t duration)
{
        tscen_init(s, 5, duration, duration / 4);
        s->run.trace = true;
        s->engine.queue_depth = 8;
        s->engine.backlog = 4;
        add_device(s, "qat0", 2, true);
        add_device(s, "qat1", 2, true);
        add_device(s, "sw", 1, false);
        add_class(s, "bulk", 2.5e6, 2);
        add_class(s, "small", 2.5e6, 1);
}

static void run(const struct scenario *s, struct sim_results *r)
{
        tscen_run(s, 0, r);
        cr_assert_not_null(r->trace);
}

/* Reads the whole trace of r into a malloc'ed string. */
static char *slurp(const struct sim_results *r, size_t *len)
{
        FILE *f = r->trace;
        rewind(f);
        size_t cap = 1 << 16, n = 0, got;
        char *buf = malloc(cap);
        while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
                n += got;
                if (n == cap)
                        buf = realloc(buf, cap *= 2);
        }
        buf = realloc(buf, n + 1);
        buf[n] = '\0';
        *len = n;
        return buf;
}

/* Splits one line into a struct row. Returns false at the end. */
static bool parse(char **cursor, struct row *w)
{
        char *line = *cursor;
        if (*line == '\0')
                return false;
        char *end = strchr(line, '\n');
        cr_assert_not_null(end);
        *end = '\0';
        *cursor = end + 1;
        char *f[14];
        size_t n = 0;
        for (char *p = line; n < 14; n++) {
                f[n] = p;
                char *comma = strchr(p, ',');
                if (!comma) {
                        n++;
                        break;
                }
                *comma = '\0';
                p = comma + 1;
        }
        cr_assert_eq(n, 14, "a row of 14 fields: %s", line);
        memset(w, 0, sizeof(*w));
        w->id = strtoull(f[1], NULL, 10);
        snprintf(w->cls, sizeof(w->cls), "%s", f[2]);
        w->measured = atoi(f[6]);
        w->submit = strtoull(f[7], NULL, 10);
        w->rejected = strncmp(f[10], "rejected:", 9) == 0;
        cr_assert_eq(w->rejected, f[8][0] == '\0', "a rejected row has no completion");
        w->complete = strtoull(f[8], NULL, 10);
        w->latency = strtoull(f[9], NULL, 10);
        snprintf(w->status, sizeof(w->status), "%s", f[10]);
        w->retries = (uint32_t)strtoul(f[11], NULL, 10);
        w->migrations = (uint32_t)strtoul(f[12], NULL, 10);
        snprintf(w->devices, sizeof(w->devices), "%s", f[13]);
        return true;
}

static size_t count_char(const char *s, char c)
{
        size_t n = 0;
        for (; *s; s++)
                n += *s == c;
        return n;
}

Test(run_trace, a_row_per_request_with_latencies_that_match_the_summary)
{
        struct scenario s;
        struct sim_results r;
        traced(&s, 20 * MS);
        tscen_prepare(&s);
        run(&s, &r);
        size_t len;
        char *text = slurp(&r, &len);
        char *cursor = text;
        struct row w;
        uint64_t rows = 0, rejected = 0, measured = 0, measured_rejected = 0, failed = 0;
        long double sum = 0;
        uint8_t *seen = calloc(r.all.submitted, 1);
        while (parse(&cursor, &w)) {
                rows++;
                cr_assert_lt(w.id, r.all.submitted);
                cr_assert_eq(seen[w.id], 0, "request %" PRIu64 " has two rows", w.id);
                seen[w.id] = 1;
                rejected += w.rejected;
                if (!w.rejected) {
                        cr_assert_eq(w.latency, w.complete - w.submit);
                        failed += strcmp(w.status, "ok") != 0;
                }
                if (w.measured) {
                        measured++;
                        measured_rejected += w.rejected;
                        if (!w.rejected)
                                sum += w.latency;
                }
                cr_assert_eq(w.measured, w.submit >= s.run.warmup_ns);
        }
        cr_assert_eq(rows, r.all.submitted);
        cr_assert_eq(r.trace_rows, rows);
        cr_assert_not(r.trace_truncated);
        cr_assert_gt(rejected, 0, "the small backlog should reject some");
        cr_assert_eq(rejected, r.all.rejected);
        cr_assert_eq(failed, r.all.failed);
        cr_assert_eq(measured, r.requests.submitted);
        cr_assert_eq(measured_rejected, r.requests.rejected);
        uint64_t count = measured - measured_rejected;
        cr_assert_eq(count, r.latency.count);
        double mean = (double)(sum / count);
        cr_assert_float_eq(mean, r.latency.mean, 1e-9 * r.latency.mean, "rows %.6f summary %.6f",
                           mean, r.latency.mean);
        free(seen);
        free(text);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_trace, stage_devices_can_do_their_stages)
{
        struct scenario s;
        struct sim_results r;
        traced(&s, 10 * MS);
        tscen_prepare(&s);
        run(&s, &r);
        size_t len;
        char *text = slurp(&r, &len);
        char *cursor = text;
        struct row w;
        uint64_t on_sw = 0;
        while (parse(&cursor, &w)) {
                if (w.rejected || strcmp(w.status, "ok") != 0)
                        continue;
                size_t nstages = strcmp(w.cls, "bulk") == 0 ? 2 : 1;
                cr_assert_eq(count_char(w.devices, '>'), nstages - 1, "%s: %s", w.cls, w.devices);
                /* every hand-off but the last of each stage spent a retry */
                cr_assert_eq(count_char(w.devices, '+'), w.retries, "%s retries %u", w.devices,
                             w.retries);
                /* stage 0 is enc, which sw cannot do; bulk's stage 1 is mac */
                char *mac = strchr(w.devices, '>');
                if (mac) {
                        *mac++ = '\0';
                        cr_assert(strncmp(mac, "qat", 3) == 0 || strcmp(mac, "sw") == 0, "%s", mac);
                        on_sw += strcmp(mac, "sw") == 0;
                }
                cr_assert(strncmp(w.devices, "qat", 3) == 0, "enc on %s", w.devices);
                cr_assert_null(strstr(w.devices, "sw"), "enc on %s", w.devices);
        }
        cr_assert_gt(on_sw, 0, "the mac-only device should take some mac stages");
        free(text);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_trace, a_hang_shows_stages_moved_to_a_second_device)
{
        struct scenario s;
        struct sim_results r;
        traced(&s, 10 * MS);
        s.engine.backlog = 1024;
        s.engine.failover.timeout_ns = 200 * US;
        s.engine.failover.probe_ns = 2 * MS;
        struct scenario_fault *f = scenario_add_fault(&s, "qat1");
        f->fault = (struct device_fault_config){
            .at_ns = 4 * MS, .for_ns = 2 * MS, .mode = DEVICE_FAULT_HANG};
        tscen_prepare(&s);
        run(&s, &r);
        cr_assert_gt(r.all.migrated, 0);
        size_t len;
        char *text = slurp(&r, &len);
        char *cursor = text;
        struct row w;
        uint64_t moved = 0;
        while (parse(&cursor, &w)) {
                if (w.rejected)
                        continue;
                if (strcmp(w.status, "ok") == 0)
                        cr_assert_eq(count_char(w.devices, '+'), w.retries, "%s", w.devices);
                if (!strstr(w.devices, "qat1+"))
                        continue;
                /* taken back from the hung qat1, done elsewhere */
                moved++;
                cr_assert_geq(w.retries, 1);
                cr_assert_geq(w.complete, s.faults[0].fault.at_ns + 200 * US);
                cr_assert_geq(w.submit, 0);
        }
        cr_assert_gt(moved, 0, "some stages should show qat1 and a second device");
        free(text);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_trace, the_limit_traces_the_first_requests_and_says_so)
{
        struct scenario s;
        struct sim_results r;
        traced(&s, 5 * MS);
        s.run.trace_limit = 100;
        tscen_prepare(&s);
        run(&s, &r);
        size_t len;
        char *text = slurp(&r, &len);
        char *cursor = text;
        struct row w;
        uint64_t rows = 0;
        while (parse(&cursor, &w)) {
                cr_assert_lt(w.id, 100);
                rows++;
        }
        cr_assert_eq(rows, 100);
        cr_assert_eq(r.trace_rows, 100);
        cr_assert(r.trace_truncated);
        cr_assert_gt(r.all.submitted, 100);
        free(text);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_trace, identical_runs_give_identical_traces)
{
        struct scenario s;
        struct sim_results a, b;
        traced(&s, 10 * MS);
        tscen_prepare(&s);
        run(&s, &a);
        run(&s, &b);
        size_t la, lb;
        char *ta = slurp(&a, &la);
        char *tb = slurp(&b, &lb);
        cr_assert_gt(la, 0);
        cr_assert_eq(la, lb);
        cr_assert_eq(memcmp(ta, tb, la), 0);
        free(ta);
        free(tb);
        sim_results_free(&a);
        sim_results_free(&b);
        scenario_free(&s);
}

Test(run_trace, tracing_leaves_the_results_alone)
{
        struct scenario s;
        struct sim_results a, b;
        traced(&s, 10 * MS);
        tscen_prepare(&s);
        run(&s, &a);
        s.run.trace = false;
        tscen_run(&s, 0, &b);
        cr_assert_null(b.trace);
        cr_assert_eq(a.order_hash, b.order_hash);
        cr_assert_eq(a.events, b.events);
        cr_assert_eq(a.latency.mean, b.latency.mean);
        sim_results_free(&a);
        sim_results_free(&b);
        scenario_free(&s);
}
