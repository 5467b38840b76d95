/*
 * test_cli_results.c - what `acsim run` makes of its runs: Student t
 * half-widths, means over replications, the text table (units, width,
 * ASCII; the description and --set lines), summary.json read back with
 * jansson (with what made it), the CSV files, and the result directory
 * written whole or not at all (with scenario.yaml).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/ttmp.h"
#include "sim/run/provenance.h"
#include "sim/run/replicate.h"
#include "sim/report/text.h"
#include "sim/results/result_dir.h"
#include "sim/results/write_csv.h"
#include "sim/results/write_json.h"

#define MS 1000000ull

/* ---- Student t ------------------------------------------------------------ */

Test(ci95, one_value_has_no_width)
{
        double x[] = {7.5}, h;
        cr_assert_eq(replications_ci95(x, 1, &h), 7.5);
        cr_assert_eq(h, 0.0);
}

Test(ci95, two_values_use_t_with_one_degree_of_freedom)
{
        /* mean 2, s = sqrt(2), s / sqrt(2) = 1: the half-width is t(0.975, 1) */
        double x[] = {1.0, 3.0}, h;
        cr_assert_float_eq(replications_ci95(x, 2, &h), 2.0, 1e-12);
        cr_assert_float_eq(h, 12.706204736174698, 1e-9);
}

Test(ci95, five_values)
{
        /* mean 3, s = sqrt(2.5); t(0.975, 4) = 2.7764451051977934 */
        double x[] = {1, 2, 3, 4, 5}, h;
        cr_assert_float_eq(replications_ci95(x, 5, &h), 3.0, 1e-12);
        cr_assert_float_eq(h, 2.7764451051977934 * sqrt(2.5) / sqrt(5.0), 1e-9);
}

Test(ci95, equal_values_have_no_width)
{
        double x[] = {4, 4, 4}, h;
        cr_assert_eq(replications_ci95(x, 3, &h), 4.0);
        cr_assert_eq(h, 0.0);
}

/* ---- units ---------------------------------------------------------------- */

static void time_is(double ns, const char *want)
{
        char buf[32];
        cr_expect_str_eq(report_text_time(buf, sizeof(buf), ns), want, "%g ns", ns);
}

Test(units, times_have_three_significant_digits)
{
        time_is(0, "0 ns");
        time_is(5, "5.00 ns");
        time_is(725.8, "726 ns");
        time_is(999.4, "999 ns");
        time_is(999.6, "1.00 us");
        time_is(1234, "1.23 us");
        time_is(12345, "12.3 us");
        time_is(2.5e6, "2.50 ms");
        time_is(999.96e6, "1.00 s");
        time_is(2e9, "2.00 s");
}

Test(units, rates_and_counts)
{
        char buf[32];
        cr_expect_str_eq(report_text_rate(buf, sizeof(buf), 1.5e9, "B/s"), "1.50 GB/s");
        cr_expect_str_eq(report_text_rate(buf, sizeof(buf), 400e3, "req/s"), "400 kreq/s");
        cr_expect_str_eq(report_text_rate(buf, sizeof(buf), 12, "req/s"), "12.0 req/s");
        cr_expect_str_eq(report_text_count(buf, sizeof(buf), 35829), "35829");
        cr_expect_str_eq(report_text_count(buf, sizeof(buf), 35829.4), "35829");
        cr_expect_str_eq(report_text_count(buf, sizeof(buf), 1.234e9), "1.23G");
}

/* ---- a small scenario, built in C ----------------------------------------- */

static void small(struct scenario *s, uint32_t replications)
{
        cr_assert_eq(scenario_init(s), 0);
        scenario_set_text(&s->name, "small");
        scenario_set_text(&s->engine.policy, "least-loaded");
        s->seed = 7;
        s->run.duration_ns = 10 * MS;
        s->run.warmup_ns = 1 * MS;
        s->run.replications = replications;
        struct scenario_device *d = scenario_add_device(s, "card");
        cr_assert_not_null(d);
        d->count = 2;
        d->model.lanes = 2;
        d->model.ring = 8;
        struct device_op_config *enc = scenario_device_add_op(d, "enc");
        enc->setup_ns = 300;
        enc->rate = 2.0;
        const char *chain[] = {"enc"};
        const char *names[] = {"bulk", "tiny"};
        for (int i = 0; i < 2; i++) {
                struct workload_class_config *c = scenario_add_class(s, names[i]);
                cr_assert_not_null(c);
                cr_assert_eq(scenario_class_set_chain(c, chain, 1), 0);
                c->arrival.process = ARRIVAL_POISSON;
                c->arrival.rate = 5e5;
                c->size = (struct dist){.kind = DIST_UNIFORM, .a = 64, .b = 2048};
                c->flows = 4;
        }
        struct scenario_fault *f = scenario_add_fault(s, "card1");
        cr_assert_not_null(f);
        f->fault = (struct device_fault_config){
            .at_ns = 4 * MS, .for_ns = 2 * MS, .mode = DEVICE_FAULT_SLOW, .factor = 3};
        struct sim_error why = {""};
        cr_assert_eq(scenario_prepare(s, &why), 0, "%s", why.msg);
}

static void run_small(uint32_t replications, struct replications *r)
{
        struct scenario s;
        small(&s, replications);
        struct sim_error err;
        cr_assert_eq(replications_run(&s, 0, replications, NULL, r, &err), SIM_OK, "%s", err.msg);
        scenario_free(&s);
}

/* ---- summarising ---------------------------------------------------------- */

Test(replicate, one_replication_is_the_run_itself)
{
        struct replications r;
        run_small(1, &r);
        cr_assert_eq(r.n, 1);
        const struct sim_results *run = &r.runs[0];
        cr_assert_eq(r.requests.submitted.mean, (double)run->requests.submitted);
        cr_assert_eq(r.latency.p99.mean, (double)run->latency.p99);
        cr_assert_eq(r.latency.p99.ci95, 0.0);
        cr_assert_eq(r.hist.count, run->hist.count);
        cr_assert_eq(r.nclasses, 2);
        cr_assert_str_eq(r.classes[1].name, "tiny");
        cr_assert_eq(r.ndevices, 2);
        cr_assert_str_eq(r.devices[1].name, "card1");
        replications_free(&r);
}

Test(replicate, means_and_half_widths_over_replications)
{
        struct replications r;
        run_small(3, &r);
        cr_assert_eq(r.n, 3);
        double x[3], h;
        for (int i = 0; i < 3; i++) {
                cr_assert_eq(r.runs[i].replication, (uint32_t)i);
                x[i] = r.runs[i].latency.mean;
        }
        cr_assert_neq(r.runs[0].replication_seed, r.runs[1].replication_seed);
        cr_assert_float_eq(r.latency.mean.mean, replications_ci95(x, 3, &h), 1e-9);
        cr_assert_float_eq(r.latency.mean.ci95, h, 1e-9);
        cr_assert_gt(r.requests_per_s.ci95, 0.0); /* three seeds, three answers */
        uint64_t pooled = 0;
        for (int i = 0; i < 3; i++)
                pooled += r.runs[i].classes[0].hist.count;
        cr_assert_eq(r.classes[0].hist.count, pooled);
        cr_assert_float_eq(
            r.requests.submitted.mean,
            r.requests.completed.mean + r.requests.failed.mean + r.requests.rejected.mean, 1e-6);
        replications_free(&r);
}

/* ---- the text table ------------------------------------------------------- */

static char *table(const struct replications *r)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        cr_assert_not_null(f);
        report_text_print(f, r);
        fclose(f);
        return text;
}

static void check_lines(const char *text)
{
        const char *line = text;
        while (*line) {
                const char *end = strchr(line, '\n');
                cr_assert_not_null(end, "the table ends with a newline");
                cr_assert_leq(end - line, REPORT_TEXT_WIDTH, "too wide: %.*s", (int)(end - line),
                              line);
                for (const char *c = line; c < end; c++)
                        cr_assert(*c >= 0x20 && *c < 0x7f, "not printable ASCII: %.*s",
                                  (int)(end - line), line);
                line = end + 1;
        }
}

Test(table, names_the_replication_with_the_worst_p999)
{
        struct replications r;
        run_small(3, &r);
        size_t worst = 0;
        for (size_t i = 1; i < r.n; i++)
                if (r.runs[i].latency.p999 > r.runs[worst].latency.p999)
                        worst = i;
        /* the fixture's three seeds give three p99.9s; make the last the
         * worst by a margin no run reaches, so the line must follow it */
        r.runs[2].latency.p999 = r.runs[worst].latency.p999 + 1000000;
        char *text = table(&r);
        cr_assert_not_null(strstr(text, "\nworst p99.9: replication 2 ("), "%s", text);
        cr_assert_not_null(strstr(text, "; acsim plot --replication 2)\n"), "%s", text);
        free(text);
        r.runs[0].latency.p999 = r.runs[2].latency.p999 + 1;
        text = table(&r);
        cr_assert_not_null(strstr(text, "\nworst p99.9: replication 0 ("), "%s", text);
        free(text);
        replications_free(&r);
}

Test(report_text, one_replication)
{
        struct replications r;
        run_small(1, &r);
        char *text = table(&r);
        check_lines(text);
        cr_assert_not_null(strstr(text, "scenario small  policy least-loaded"));
        cr_assert_not_null(strstr(text, "seed 7  replication 0"));
        cr_assert_not_null(strstr(text, "\ncard1 "), "a row per device");
        cr_assert_not_null(strstr(text, "\ntiny "), "a row per class");
        cr_assert_null(strstr(text, "+/-"), "no half-widths for one run");
        free(text);
        replications_free(&r);
}

Test(report_text, replications_add_half_width_rows)
{
        struct replications r;
        run_small(3, &r);
        char *text = table(&r);
        check_lines(text);
        cr_assert_not_null(strstr(text, "replications 3 (0..2"));
        cr_assert_not_null(strstr(text, "\n  +/- 95%"));
        cr_assert_not_null(strstr(text, "means over 3 replications"));
        free(text);
        replications_free(&r);
}

/* ---- summary.json --------------------------------------------------------- */

static json_t *summary(const struct replications *r)
{
        json_t *o = write_json_summary(r);
        cr_assert_not_null(o);
        /* through text and back, as a reader would see it */
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        json_decref(o);
        json_error_t e;
        o = json_loads(text, 0, &e);
        free(text);
        cr_assert_not_null(o, "%s", e.text);
        return o;
}

static uint64_t int_at(json_t *o, const char *a, const char *b)
{
        json_t *v = json_object_get(o, a);
        if (b)
                v = json_object_get(v, b);
        cr_assert(json_is_integer(v), "%s.%s is an integer", a, b ? b : "");
        return (uint64_t)json_integer_value(v);
}

/* ---- what made the results ------------------------------------------------- */

static const char source_text[] = "name: small  # a comment, kept\nrun: {duration: 10ms}\n";

/* Fills r->origin as `acsim run small.yaml --set ...` would. */
static void fill_origin(struct replications *r, const char *description, const char *const *sets,
                        size_t nsets)
{
        struct scenario s = {0};
        s.description = description ? strdup(description) : NULL;
        s.source = strdup(source_text);
        s.source_len = strlen(source_text);
        const char *more[] = {"engine.policy=round-robin"};
        cr_assert_eq(provenance_fill(&r->origin, "dir/small.yaml", &s, sets, nsets, more, 1), 0);
        free(s.description);
        free(s.source);
}

Test(provenance, hash_is_fnv1a_64)
{
        cr_assert_eq(provenance_hash("", 0), 0xcbf29ce484222325u);
        cr_assert_eq(provenance_hash("a", 1), 0xaf63dc4c8601ec8cu);
        cr_assert_neq(provenance_hash("ab", 2), provenance_hash("ba", 2));
}

Test(report_text, description_and_sets_under_the_header_within_the_width)
{
        struct replications r;
        run_small(1, &r);
        const char *sets[] = {
            "workload.small.arrival.rate=900k/s",
            "faults.0={at: 30ms, device: card1, mode: hang, for: "
            "10ms}_and_a_value_with_no_space_at_all_that_cannot_fit_on_one_line_of_the_table",
        };
        fill_origin(&r,
                    "two cards, one of them slowed down for a while,\nwith a description "
                    "long enough that it has to wrap onto a second line of the table",
                    sets, 2);
        char *text = table(&r);
        check_lines(text);
        const char *rule = strstr(text, "\n----");
        cr_assert_not_null(rule);
        const char *desc = strstr(text, "\ntwo cards, one of them slowed down for a while, with a");
        cr_assert_not_null(desc, "%s", text);
        cr_assert_not_null(strstr(text, "\nenough that it has to wrap onto a second line"), "%s",
                           text);
        const char *set = strstr(text, "\nset workload.small.arrival.rate=900k/s\n");
        cr_assert_not_null(set, "%s", text);
        cr_assert(desc < set && set < rule, "description, then sets, then the rule");
        cr_assert_not_null(strstr(text, "\nset faults.0={at: 30ms, device: card1, mode: hang,"));
        cr_assert_not_null(strstr(text, "\n    10ms}_and_a_value"), "continued, indented: %s",
                           text);
        cr_assert_not_null(strstr(text, "of_th\n    e_table\n"), "a long word broken: %s", text);
        cr_assert_not_null(strstr(text, "\nset engine.policy=round-robin\n"), "the point's own");
        free(text);
        replications_free(&r);
}

Test(write_json, origin_fields)
{
        struct replications r;
        run_small(1, &r);
        const char *sets[] = {"run.duration=10ms", "workload.bulk.arrival.rate=900k/s"};
        fill_origin(&r, "a description", sets, 2);
        json_t *o = summary(&r);
        cr_assert_str_eq(json_string_value(json_object_get(o, "description")), "a description");
        json_t *a = json_object_get(o, "sets");
        cr_assert_eq(json_array_size(a), 3);
        cr_assert_str_eq(json_string_value(json_array_get(a, 0)), sets[0]);
        cr_assert_str_eq(json_string_value(json_array_get(a, 1)), sets[1]);
        cr_assert_str_eq(json_string_value(json_array_get(a, 2)), "engine.policy=round-robin");
        cr_assert_str_eq(json_string_value(json_object_get(o, "scenario_file")), "dir/small.yaml");
        char hash[24];
        snprintf(hash, sizeof(hash), "0x%016llx",
                 (unsigned long long)provenance_hash(source_text, strlen(source_text)));
        cr_assert_str_eq(json_string_value(json_object_get(o, "scenario_hash")), hash);
        json_decref(o);
        replications_free(&r);
}

Test(write_json, fields_of_one_run)
{
        struct replications r;
        run_small(1, &r);
        json_t *o = summary(&r);
        const char *order[] = {"acsim_version", "scenario",          "description", "sets",
                               "scenario_file", "scenario_hash",     "policy",      "seed",
                               "replications",  "replication_seeds", "order_hash",  "sim_time_ns",
                               "duration_ns",   "warmup_ns",         "wall_time_s", "events",
                               "requests",      "latency_ns",        "throughput"};
        const char *key;
        json_t *v;
        size_t i = 0;
        json_object_foreach(o, key, v)
        {
                if (i < sizeof(order) / sizeof(order[0]))
                        cr_expect_str_eq(key, order[i], "field %zu", i);
                i++;
        }
        cr_assert_str_eq(json_string_value(json_object_get(o, "scenario")), "small");
        /* filled in C, with no command line: nothing known of its origin */
        cr_assert(json_is_null(json_object_get(o, "description")));
        cr_assert(json_is_array(json_object_get(o, "sets")));
        cr_assert_eq(json_array_size(json_object_get(o, "sets")), 0);
        cr_assert(json_is_null(json_object_get(o, "scenario_file")));
        cr_assert(json_is_null(json_object_get(o, "scenario_hash")));
        cr_assert_eq(int_at(o, "seed", NULL), 7);
        cr_assert_eq(int_at(o, "replications", NULL), 1);
        const struct sim_results *run = &r.runs[0];
        cr_assert_eq(int_at(o, "requests", "submitted"), run->requests.submitted);
        cr_assert_eq(int_at(o, "requests", "completed") + int_at(o, "requests", "failed") +
                         int_at(o, "requests", "rejected"),
                     int_at(o, "requests", "submitted"));
        cr_assert_eq(int_at(o, "latency_ns", "p99"), run->latency.p99);
        cr_assert_eq(json_real_value(json_object_get(json_object_get(o, "latency_ns"), "mean")),
                     run->latency.mean, "the mean survives the text exactly");
        cr_assert_eq(
            json_real_value(json_object_get(json_object_get(o, "throughput"), "requests_per_s")),
            run->requests_per_s);
        cr_assert_eq(json_array_size(json_object_get(o, "classes")), 2);
        json_t *dev = json_array_get(json_object_get(o, "devices"), 1);
        cr_assert_str_eq(json_string_value(json_object_get(dev, "name")), "card1");
        cr_assert_eq(json_real_value(json_object_get(dev, "utilization")),
                     run->devices[1].utilization);
        cr_assert_null(json_object_get(o, "ci95"));
        cr_assert_null(json_object_get(o, "replications_detail"));
        json_decref(o);
        replications_free(&r);
}

Test(write_json, replications_have_ci95_and_details)
{
        struct replications r;
        run_small(3, &r);
        json_t *o = summary(&r);
        cr_assert_eq(int_at(o, "replications", NULL), 3);
        json_t *ci = json_object_get(o, "ci95");
        cr_assert_not_null(ci);
        cr_assert_eq(json_real_value(json_object_get(json_object_get(ci, "latency_ns"), "p99")),
                     r.latency.p99.ci95);
        cr_assert_eq(
            json_real_value(json_object_get(json_object_get(ci, "throughput"), "requests_per_s")),
            r.requests_per_s.ci95);
        cr_assert_eq(json_real_value(json_object_get(json_object_get(o, "latency_ns"), "mean")),
                     r.latency.mean.mean);
        json_t *detail = json_object_get(o, "replications_detail");
        cr_assert_eq(json_array_size(detail), 3);
        for (size_t i = 0; i < 3; i++) {
                json_t *d = json_array_get(detail, i);
                cr_assert_eq(int_at(d, "replication", NULL), i);
                cr_assert_eq(int_at(d, "requests", "submitted"), r.runs[i].requests.submitted);
                char seed[24];
                snprintf(seed, sizeof(seed), "0x%016llx",
                         (unsigned long long)r.runs[i].replication_seed);
                cr_assert_str_eq(json_string_value(json_object_get(d, "seed")), seed);
        }
        json_decref(o);
        replications_free(&r);
}

/* ---- CSV ------------------------------------------------------------------ */

/* Returns the text a writer makes. */
static char *csv(int (*write)(FILE *, const struct replications *), const struct replications *r)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        cr_assert_not_null(f);
        cr_assert_eq(write(f, r), 0);
        fclose(f);
        return text;
}

static size_t lines(const char *text)
{
        size_t n = 0;
        for (; *text; text++)
                n += *text == '\n';
        return n;
}

Test(write_csv, files_have_their_columns_and_rows)
{
        struct replications r;
        run_small(2, &r);
        char *ts = csv(write_csv_timeseries, &r);
        cr_assert(strncmp(ts,
                          "replication,t_ns,arrivals,completed,failed,rejected,retried,in_system,"
                          "card0_util,card0_queue,card0_in_flight,card1_util,",
                          120) == 0,
                  "%.200s", ts);
        cr_assert_eq(lines(ts), 1 + r.runs[0].series.nrows + r.runs[1].series.nrows);
        free(ts);

        char *h = csv(write_csv_latency_hist, &r);
        cr_assert(strncmp(h, "class,low_ns,high_ns,count,cumulative\nall,", 42) == 0);
        cr_assert_not_null(strstr(h, "\ntiny,"));
        /* the last "all" row reaches a cumulative fraction of 1 */
        char *tiny = strstr(h, "\nbulk,");
        cr_assert_not_null(tiny);
        cr_assert(strncmp(tiny - 2, ",1", 2) == 0, "%.40s", tiny - 20);
        free(h);

        char *d = csv(write_csv_devices, &r);
        cr_assert(strncmp(d, "name,lanes,ring,utilization,", 28) == 0);
        cr_assert_eq(lines(d), 3);
        free(d);

        char *f = csv(write_csv_faults, &r);
        const char *head = "replication,device,mode,start_ns,end_ns,factor,probability,source,"
                           "detected_ns,recovered_ns,detection_delay_ns,recovery_ns\n";
        cr_assert(strncmp(f, head, strlen(head)) == 0, "%.200s", f);
        cr_assert_not_null(strstr(f, "\n0,card1,slow,4000000,6000000,3,"));
        cr_assert_not_null(strstr(f, "\n1,card1,slow,4000000,6000000,3,"));
        free(f);
        replications_free(&r);
}

/* ---- the result directory -------------------------------------------------- */

static bool exists(const char *dir, const char *name)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        return access(path, F_OK) == 0;
}

/* Returns the entries of dir, "." and ".." aside. */
static size_t entries(const char *dir)
{
        DIR *d = opendir(dir);
        cr_assert_not_null(d);
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
                n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
        closedir(d);
        return n;
}

Test(result_dir, written_whole_replaced_never_clobbers, .init = ttmp_make, .fini = ttmp_remove)
{
        struct replications r;
        run_small(1, &r);
        char dir[256];
        struct sim_error err;
        snprintf(dir, sizeof(dir), "%s/a/b/out", ttmp_dir);
        cr_assert_eq(result_dir_check(dir, &err), 0, "%s", err.msg);
        cr_assert_eq(result_dir_write(dir, &r, &err), 0, "%s", err.msg);
        const char *files[] = {RESULT_SUMMARY,       RESULT_TIMESERIES,   RESULT_TIMESERIES_LONG,
                               RESULT_DEVICE_EVENTS, RESULT_LATENCY_HIST, RESULT_DEVICES,
                               RESULT_FAULTS};
        for (size_t i = 0; i < 7; i++)
                cr_assert(exists(dir, files[i]), "%s", files[i]);
        char parent[320];
        snprintf(parent, sizeof(parent), "%s/a/b", ttmp_dir);
        cr_assert_eq(entries(parent), 1, "no temporary directory left beside it");

        /* an old result directory is replaced, its stray files go with it */
        snprintf(parent, sizeof(parent), "%s/stray", dir);
        FILE *f = fopen(parent, "w");
        cr_assert_not_null(f);
        fclose(f);
        cr_assert_eq(result_dir_write(dir, &r, &err), 0, "%s", err.msg);
        cr_assert(!exists(dir, "stray"));
        cr_assert_eq(entries(dir), 7);
        cr_assert(!exists(dir, RESULT_SCENARIO), "no copy when no file was loaded");

        /* scenario.yaml holds the bytes kept at load time, exactly */
        fill_origin(&r, NULL, NULL, 0);
        cr_assert_eq(result_dir_write(dir, &r, &err), 0, "%s", err.msg);
        cr_assert_eq(entries(dir), 8);
        snprintf(parent, sizeof(parent), "%s/%s", dir, RESULT_SCENARIO);
        f = fopen(parent, "rb");
        cr_assert_not_null(f);
        char copy[sizeof(source_text) + 8];
        size_t got = fread(copy, 1, sizeof(copy), f);
        fclose(f);
        cr_assert_eq(got, strlen(source_text));
        cr_assert_eq(memcmp(copy, source_text, got), 0);
        provenance_free(&r.origin);

        /* a directory that is not a result directory is refused, untouched */
        snprintf(dir, sizeof(dir), "%s/a", ttmp_dir);
        cr_assert_eq(result_dir_check(dir, &err), -1);
        cr_assert_not_null(strstr(err.msg, "not a result directory"), "%s", err.msg);
        cr_assert_eq(result_dir_write(dir, &r, &err), -1);
        cr_assert(exists(dir, "b/out/summary.json"));
        cr_assert_eq(entries(dir), 1);
        replications_free(&r);
}

Test(result_dir, bad_names_are_refused)
{
        struct sim_error err;
        cr_assert_eq(result_dir_check("", &err), -1);
        cr_assert_eq(result_dir_check("/", &err), -1);
        cr_assert_eq(result_dir_check("..", &err), -1);
        cr_assert_eq(result_dir_check("/etc/passwd", &err), -1);
}
