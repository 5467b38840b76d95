/*
 * test_doc.c - the scenario document tree: typed getters and their located
 * errors, unknown keys, overrides, and robustness against broken input (a
 * corpus of bad YAML, binary garbage, bombs, and a mutation fuzz loop).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/load/diag.h"
#include "sim/load/doc.h"
#include "tests/support/ttmp.h"

static const char scenario[] = "name: ipsec-gateway\n"
                               "seed: 1\n"
                               "run: {duration: 2s, warmup: 200ms, replications: 5}\n"
                               "engine:\n"
                               "  policy: least-loaded\n"
                               "  policy_options: {}\n"
                               "  queue: {depth: 256, backlog: 1024}\n"
                               "devices:\n"
                               "  - name: qat\n"
                               "    count: 2\n"
                               "    ops:\n"
                               "      aes-gcm-enc: {setup: 1us, rate: 5GB/s}\n"
                               "  - name: cpu\n"
                               "    ops:\n"
                               "      aes-gcm-enc: {setup: 200ns, rate: 400k/s}\n"
                               "workload:\n"
                               "  - name: ipsec\n"
                               "    arrival: {process: poisson, rate: 400k/s}\n"
                               "    size: 1500B\n"
                               "    chain: [aes-gcm-enc]\n";

static struct diag dg;

static void setup(void)
{
        diag_init(&dg);
}

static void teardown(void)
{
        diag_free(&dg);
}

static struct doc *load(const char *text)
{
        struct doc *d = NULL;
        int rc = doc_load_text("t.yaml", text, strlen(text), &dg, &d);
        cr_assert_eq(rc, 0, "load failed: %s", dg.n ? dg.entries[0].msg : "?");
        return d;
}

/* The first error as printed. */
static const char *first_error(void)
{
        static char line[2048];
        cr_assert(diag_failed(&dg), "no error reported");
        cr_assert_gt(dg.n, 0);
        diag_format(&dg.entries[0], line, sizeof(line));
        return line;
}

static void load_bad(const char *text, size_t len, const char *want)
{
        struct doc *d = NULL;
        cr_assert_eq(doc_load_text("t.yaml", text, len, &dg, &d), -1, "accepted: %s", text);
        cr_assert_null(d);
        cr_assert_eq(diag_exit_status(&dg), 2);
        if (want)
                cr_assert_str_eq(first_error(), want);
}

TestSuite(doc, .init = setup, .fini = teardown);

Test(doc, reads_typed_values)
{
        struct doc *d = load(scenario);
        struct doc_node *root = doc_root(d);
        const char *name = NULL;
        uint64_t seed = 0, dur = 0, warm = 0, reps = 0, depth = 0, size = 0;
        cr_assert_eq(doc_string(root, "name", DOC_REQUIRED, &name), 0);
        cr_assert_str_eq(name, "ipsec-gateway");
        cr_assert_eq(doc_whole(root, "seed", DOC_REQUIRED, 0, UINT64_MAX, &seed), 0);
        cr_assert_eq(seed, 1);
        struct doc_node *run = doc_get_map(root, "run", DOC_REQUIRED);
        cr_assert_eq(doc_duration(run, "duration", DOC_REQUIRED, &dur), 0);
        cr_assert_eq(doc_duration(run, "warmup", DOC_OPTIONAL, &warm), 0);
        cr_assert_eq(doc_whole(run, "replications", DOC_OPTIONAL, 1, 1000, &reps), 0);
        cr_assert_eq(dur, 2000000000);
        cr_assert_eq(warm, 200000000);
        cr_assert_eq(reps, 5);
        uint64_t absent = 77;
        cr_assert_eq(doc_duration(run, "cooldown", DOC_OPTIONAL, &absent), 1);
        cr_assert_eq(absent, 77);
        struct doc_node *engine = doc_get_map(root, "engine", DOC_REQUIRED);
        static const char *const policies[] = {"round-robin", "least-loaded", NULL};
        int pick = -1;
        cr_assert_eq(doc_choice(engine, "policy", DOC_REQUIRED, policies, &pick), 0);
        cr_assert_eq(pick, 1);
        cr_assert_eq(doc_len(doc_get_map(engine, "policy_options", DOC_OPTIONAL)), 0);
        cr_assert_eq(doc_whole(doc_get_map(engine, "queue", DOC_OPTIONAL), "depth", DOC_REQUIRED, 1,
                               65536, &depth),
                     0);
        cr_assert_eq(depth, 256);
        struct doc_node *devices = doc_get_seq(root, "devices", DOC_REQUIRED);
        cr_assert_eq(doc_len(devices), 2);
        struct doc_node *qat = doc_at(devices, 0);
        struct doc_node *ops = doc_get_map(qat, "ops", DOC_REQUIRED);
        cr_assert_str_eq(doc_key_at(ops, 0), "aes-gcm-enc");
        double rate = 0;
        cr_assert_eq(doc_byte_rate(doc_at(ops, 0), "rate", DOC_REQUIRED, &rate), 0);
        cr_assert_eq(rate, 5e9);
        struct doc_node *w = doc_at(doc_get_seq(root, "workload", DOC_REQUIRED), 0);
        cr_assert_eq(doc_size(w, "size", DOC_REQUIRED, &size), 0);
        cr_assert_eq(size, 1500);
        struct doc_node *chain = doc_get_seq(w, "chain", DOC_REQUIRED);
        cr_assert_str_eq(doc_text(doc_at(chain, 0)), "aes-gcm-enc");
        char path[128];
        doc_path(doc_at(chain, 0), path, sizeof(path));
        cr_assert_str_eq(path, "workload[0].chain[0]");
        cr_assert_eq(doc_line(doc_at(chain, 0)), 20);
        cr_assert_eq(doc_col(doc_at(chain, 0)), 13);
        cr_assert_not(diag_failed(&dg));
        doc_free(d);
}

Test(doc, wrong_rate_kind_is_located)
{
        struct doc *d = load(scenario);
        struct doc_node *dev = doc_at(doc_get_seq(doc_root(d), "devices", DOC_REQUIRED), 1);
        struct doc_node *op =
            doc_get_map(doc_get_map(dev, "ops", DOC_REQUIRED), "aes-gcm-enc", DOC_REQUIRED);
        double rate = 0;
        cr_assert_eq(doc_byte_rate(op, "rate", DOC_REQUIRED, &rate), -1);
        cr_assert_str_eq(first_error(), "t.yaml:15:41: error: devices[1].ops.aes-gcm-enc.rate: "
                                        "expected a byte rate like 5GB/s, got 400k/s");
        doc_free(d);
}

Test(doc, getter_errors)
{
        struct doc *d = load("a: 250\nb: {x: 1}\nc:\nd: 'hi there'\ne: 1.5\nf: yes\n"
                             "g: ''\nh: lest-loaded\n");
        struct doc_node *r = doc_root(d);
        uint64_t u = 0;
        double x = 0;
        bool bl = false;
        const char *s = NULL;
        static const char *const names[] = {"round-robin", "least-loaded", NULL};
        int idx = 0;
        cr_assert_eq(doc_duration(r, "a", DOC_REQUIRED, &u), -1);
        cr_assert_eq(doc_duration(r, "b", DOC_REQUIRED, &u), -1);
        cr_assert_eq(doc_duration(r, "c", DOC_REQUIRED, &u), -1);
        cr_assert_eq(doc_duration(r, "c", DOC_OPTIONAL, &u), 1);
        cr_assert_eq(doc_size(r, "d", DOC_REQUIRED, &u), -1);
        cr_assert_eq(doc_number(r, "e", DOC_REQUIRED, 0, 1, &x), -1);
        cr_assert_eq(doc_bool(r, "f", DOC_REQUIRED, &bl), -1);
        cr_assert_eq(doc_string(r, "g", DOC_REQUIRED, &s), -1);
        cr_assert_eq(doc_choice(r, "h", DOC_REQUIRED, names, &idx), -1);
        cr_assert_eq(doc_duration(r, "missing", DOC_REQUIRED, &u), -1);
        cr_assert_eq(doc_whole(doc_get_map(r, "b", DOC_REQUIRED), "x", DOC_REQUIRED, 2, 8, &u), -1);
        static const char *const want[] = {
            "t.yaml:1:4: error: a: expected a duration with a unit (ns, us, ms, s), got 250",
            "t.yaml:2:4: error: b: expected a duration like 250ns, 4us, 1.5ms or 2s, got a "
            "mapping",
            "t.yaml:3:3: error: c: expected a duration like 250ns, 4us, 1.5ms or 2s, got nothing",
            "t.yaml:4:4: error: d: expected a size like 64, 1500B, 4KiB or 1MB, got 'hi there'",
            "t.yaml:5:4: error: e: expected a number in [0, 1], got 1.5",
            "t.yaml:6:4: error: f: expected true or false, got yes",
            "t.yaml:7:4: error: g: expected a non-empty string, got ''",
            "t.yaml:8:4: error: h: expected one of round-robin, least-loaded (did you mean "
            "'least-loaded'?), got lest-loaded",
            "t.yaml:1:1: error: missing: expected a duration like 250ns, 4us, 1.5ms or 2s, got "
            "nothing (missing key)",
            "t.yaml:2:8: error: b.x: expected a whole number in [2, 8], got 1",
        };
        cr_assert_eq(dg.n, sizeof(want) / sizeof(want[0]));
        for (size_t i = 0; i < dg.n; i++) {
                char line[512];
                diag_format(&dg.entries[i], line, sizeof(line));
                cr_assert_str_eq(line, want[i]);
        }
        doc_free(d);
}

Test(doc, null_parent_does_not_cascade)
{
        struct doc *d = load("run: 5\n");
        struct doc_node *run = doc_get_map(doc_root(d), "run", DOC_REQUIRED);
        cr_assert_null(run);
        uint64_t v = 9;
        cr_assert_eq(doc_duration(run, "duration", DOC_REQUIRED, &v), 1);
        cr_assert_eq(dg.total, 1);
        cr_assert_str_eq(first_error(), "t.yaml:1:6: error: run: expected a mapping, got 5");
        doc_free(d);
}

Test(doc, unknown_keys)
{
        struct doc *d = load("engine:\n  polcy: x\n  queue: {depth: 3, bcklog: 4}\nzzz: 1\n");
        struct doc_node *r = doc_root(d);
        struct doc_node *e = doc_get_map(r, "engine", DOC_REQUIRED);
        const char *s = NULL;
        uint64_t u;
        doc_string(e, "policy", DOC_OPTIONAL, &s);
        struct doc_node *q = doc_get_map(e, "queue", DOC_OPTIONAL);
        doc_whole(q, "depth", DOC_OPTIONAL, 0, 9, &u);
        doc_whole(q, "backlog", DOC_OPTIONAL, 0, 9, &u);
        doc_get(r, "name", DOC_OPTIONAL);
        cr_assert_eq(doc_check_keys(e), -1);
        cr_assert_eq(doc_check_unused(d), -1);
        cr_assert_eq(dg.n, 3);
        char line[512];
        diag_format(&dg.entries[0], line, sizeof(line));
        cr_assert_str_eq(line, "t.yaml:2:3: error: engine.polcy: unknown key 'polcy'; did you "
                               "mean 'policy'?");
        diag_format(&dg.entries[1], line, sizeof(line));
        cr_assert_str_eq(line, "t.yaml:4:1: error: zzz: unknown key 'zzz'; expected one of "
                               "engine, name");
        diag_format(&dg.entries[2], line, sizeof(line));
        cr_assert_str_eq(line, "t.yaml:3:21: error: engine.queue.bcklog: unknown key 'bcklog'; "
                               "did you mean 'backlog'?");
        doc_free(d);
}

Test(doc, bad_documents)
{
        static const struct {
                const char *text;
                const char *want;
        } cases[] = {
            {"a: 1\na: 2\n", "t.yaml:2:1: error: a: duplicate key 'a' (first at line 1)"},
            {"a: {b: 1, c: 2, b: 3}\n", "t.yaml:1:17: error: a.b: duplicate key 'b' (first at "
                                        "line 1)"},
            {"a: 1\n---\nb: 2\n", "t.yaml:2:1: error: expected a single YAML document, got a "
                                  "second one"},
            {"a: &x 1\nb: *x\n", "t.yaml:1:4: error: a: expected a value, got an anchor (&x): "
                                 "anchors are not supported"},
            {"b: *x\n", NULL},
            {"a: !!str 1\n", "t.yaml:1:4: error: a: expected a value, got a tag "
                             "(tag:yaml.org,2002:str): tags are not supported"},
            {"? [a]\n: 1\n", "t.yaml:1:3: error: expected a plain key, got a sequence"},
            {"", "t.yaml:1:1: error: empty scenario"},
            {"# only a comment\n", "t.yaml:1:1: error: empty scenario"},
            {"---\n", "t.yaml:1:1: error: empty scenario"},
            {"- a\n- b\n", "t.yaml:1:1: error: expected a mapping of scenario keys (name, run, "
                           "engine, ...), got a sequence"},
            {"just text\n", NULL},
            {"a: 'unterminated\n", NULL},
            {"a:\n\tb: 1\n", "t.yaml:2:1: error: a: invalid YAML: a tab where YAML wants spaces"},
            {"a: [1, 2\n", NULL},
            {"a: b: c\n", NULL},
            {"a: \xff\xfe\n", "t.yaml:1:4: error: invalid input: invalid leading UTF-8 octet "
                              "(byte 0xff)"},
            {"a: \x01\n", "t.yaml:1:4: error: invalid input: control characters are not allowed "
                          "(byte 0x01)"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                diag_free(&dg);
                load_bad(cases[i].text, strlen(cases[i].text), cases[i].want);
                cr_assert_gt(dg.entries[0].line, 0, "no line for case %zu", i);
        }
}

Test(doc, embedded_nul_is_refused)
{
        static const char text[] = "a: 1\0b: 2\n";
        load_bad(text, sizeof(text) - 1, NULL);
        cr_assert_eq(dg.entries[0].line, 1);
}

Test(doc, nul_in_a_value_is_refused_by_getters)
{
        struct doc *d = load("a: \"x\\0y\"\n");
        const char *s = NULL;
        cr_assert_eq(doc_string(doc_root(d), "a", DOC_REQUIRED, &s), -1);
        cr_assert_str_eq(first_error(), "t.yaml:1:4: error: a: expected a string, got "
                                        "'x\\x00y'");
        doc_free(d);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
        size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
        char *s = malloc(hl + ul * n + tl + 1);
        cr_assert_not_null(s);
        memcpy(s, head, hl);
        for (size_t i = 0; i < n; i++)
                memcpy(s + hl + i * ul, unit, ul);
        memcpy(s + hl + n * ul, tail, tl + 1);
        return s;
}

Test(doc, deep_nesting_is_refused)
{
        char *flow = repeat("a: ", "[", 10000, "");
        load_bad(flow, strlen(flow), NULL);
        cr_assert_str_eq(first_error() + strlen("t.yaml:1:"),
                         "67: error: a[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                         "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                         "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: expected at "
                         "most 64 levels of nesting, got more");
        free(flow);
        diag_free(&dg);
        char *maps = repeat("", "{a: ", 10000, "");
        load_bad(maps, strlen(maps), NULL);
        cr_assert_gt(dg.entries[0].line, 0);
        free(maps);
        /* 64 levels are fine. */
        diag_free(&dg);
        char *ok = repeat("a: ", "[", 63, "");
        char *full = malloc(strlen(ok) + 64);
        strcpy(full, ok);
        memset(full + strlen(ok), ']', 63);
        full[strlen(ok) + 63] = '\0';
        struct doc *d = load(full);
        doc_free(d);
        free(ok);
        free(full);
}

Test(doc, huge_scalar_and_numbers)
{
        char *big = repeat("a: ", "x", 1 << 20, "\nb: 1e999\nc: 99999999999999999999999s\n");
        struct doc *d = load(big);
        const char *s = NULL;
        double x = 0;
        uint64_t u = 0;
        cr_assert_eq(doc_string(doc_root(d), "a", DOC_REQUIRED, &s), 0);
        cr_assert_eq(strlen(s), 1 << 20);
        cr_assert_eq(doc_duration(doc_root(d), "a", DOC_REQUIRED, &u), -1);
        cr_assert_str_eq(first_error(), "t.yaml:1:4: error: a: expected a duration like 250ns, "
                                        "4us, 1.5ms or 2s, got "
                                        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...");
        cr_assert_eq(doc_number(doc_root(d), "b", DOC_REQUIRED, 0, 1e300, &x), -1);
        cr_assert_eq(doc_duration(doc_root(d), "c", DOC_REQUIRED, &u), -1);
        char line[256];
        diag_format(&dg.entries[1], line, sizeof(line));
        cr_assert_str_eq(line, "t.yaml:2:4: error: b: expected a finite number, got 1e999");
        diag_format(&dg.entries[2], line, sizeof(line));
        cr_assert_str_eq(line, "t.yaml:3:4: error: c: expected a duration below 2^64 ns (about "
                               "584 years), got 99999999999999999999999s");
        doc_free(d);
        free(big);
}

Test(doc, alias_bomb_is_refused)
{
        static const char bomb[] = "a: &a [x, x, x, x, x, x, x, x, x]\n"
                                   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                                   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                                   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
        load_bad(bomb, strlen(bomb),
                 "t.yaml:1:4: error: a: expected a value, got an anchor "
                 "(&a): anchors are not supported");
}

static char *temp_file(const char *text, size_t len)
{
        static char path[64];
        ttmp_file(path, sizeof(path), text, len);
        return path;
}

Test(doc, files)
{
        struct doc *d = NULL;
        cr_assert_eq(doc_load_file("/nonexistent/acsim.yaml", &dg, &d), -1);
        cr_assert_str_eq(first_error(),
                         "/nonexistent/acsim.yaml: error: cannot open: No such file or directory");
        diag_free(&dg);
        cr_assert_eq(doc_load_file("/tmp", &dg, &d), -1);
        cr_assert_str_eq(first_error(), "/tmp: error: expected a scenario file, got a directory");
        diag_free(&dg);
        char *path = temp_file("", 0);
        cr_assert_eq(doc_load_file(path, &dg, &d), -1);
        cr_assert(strstr(first_error(), ":1:1: error: empty scenario"));
        unlink(path);
        diag_free(&dg);
        path = temp_file(scenario, strlen(scenario));
        cr_assert_eq(doc_load_file(path, &dg, &d), 0);
        unlink(path);
        uint64_t seed = 0;
        cr_assert_eq(doc_whole(doc_root(d), "seed", DOC_REQUIRED, 0, 9, &seed), 0);
        cr_assert_eq(seed, 1);
        doc_free(d);
}

Test(doc, overrides)
{
        struct doc *d = load(scenario);
        cr_assert_eq(doc_set(d, "engine.policy=round-robin", "--set"), 0);
        cr_assert_eq(doc_set(d, "workload.ipsec.arrival.rate=100k/s", "--set"), 0);
        cr_assert_eq(doc_set(d, "devices.1.ops.aes-gcm-enc.rate=2GB/s", "--set"), 0);
        cr_assert_eq(doc_set(d, "devices.qat.count=4", "--set"), 0);
        cr_assert_eq(doc_set(d, "engine.policy_options={d: 3}", "--set"), 0);
        cr_assert_not(diag_failed(&dg));
        struct doc_node *r = doc_root(d);
        struct doc_node *e = doc_get_map(r, "engine", DOC_REQUIRED);
        const char *s = NULL;
        cr_assert_eq(doc_string(e, "policy", DOC_REQUIRED, &s), 0);
        cr_assert_str_eq(s, "round-robin");
        uint64_t u = 0;
        cr_assert_eq(
            doc_whole(doc_get_map(e, "policy_options", DOC_REQUIRED), "d", DOC_REQUIRED, 1, 8, &u),
            0);
        cr_assert_eq(u, 3);
        double rate = 0;
        struct doc_node *w = doc_at(doc_get_seq(r, "workload", DOC_REQUIRED), 0);
        cr_assert_eq(
            doc_event_rate(doc_get_map(w, "arrival", DOC_REQUIRED), "rate", DOC_REQUIRED, &rate),
            0);
        cr_assert_eq(rate, 100e3);
        struct doc_node *devs = doc_get_seq(r, "devices", DOC_REQUIRED);
        cr_assert_eq(doc_whole(doc_at(devs, 0), "count", DOC_REQUIRED, 1, 9, &u), 0);
        cr_assert_eq(u, 4);
        struct doc_node *op = doc_get_map(doc_get_map(doc_at(devs, 1), "ops", DOC_REQUIRED),
                                          "aes-gcm-enc", DOC_REQUIRED);
        cr_assert_eq(doc_byte_rate(op, "rate", DOC_REQUIRED, &rate), 0);
        cr_assert_eq(rate, 2e9);
        char path[128];
        doc_path(doc_get(op, "rate", DOC_REQUIRED), path, sizeof(path));
        cr_assert_str_eq(path, "devices[1].ops.aes-gcm-enc.rate");
        cr_assert_not(diag_failed(&dg));
        doc_free(d);
}

Test(doc, overrides_add_keys)
{
        struct doc *d = load("run: {duration: 2s}\nengine:\n  policy_options: {}\n  queue:\n"
                             "sweep:\n  engine.policy: [a, b]\n");
        cr_assert_eq(doc_set(d, "run.replications=3", "--set"), 0);
        cr_assert_eq(doc_set(d, "engine.policy_options.d=3", "--set"), 0);
        cr_assert_eq(doc_set(d, "engine.queue.depth=8", "--set"), 0);
        cr_assert_eq(doc_set(d, "engine.failover.timeout=1ms", "--set"), 0);
        cr_assert_eq(doc_set(d, "sweep.engine.policy=[c]", "--set"), 0);
        cr_assert_eq(doc_set(d, "engnie.policy=x", "--set"), 0);
        cr_assert_not(diag_failed(&dg));
        struct doc_node *r = doc_root(d);
        uint64_t u = 0;
        cr_assert_eq(
            doc_whole(doc_get_map(r, "run", DOC_REQUIRED), "replications", DOC_REQUIRED, 1, 9, &u),
            0);
        cr_assert_eq(u, 3);
        struct doc_node *e = doc_get_map(r, "engine", DOC_REQUIRED);
        cr_assert_eq(
            doc_whole(doc_get_map(e, "policy_options", DOC_REQUIRED), "d", DOC_REQUIRED, 1, 8, &u),
            0);
        cr_assert_eq(u, 3);
        cr_assert_eq(
            doc_whole(doc_get_map(e, "queue", DOC_REQUIRED), "depth", DOC_REQUIRED, 1, 9, &u), 0);
        cr_assert_eq(u, 8);
        cr_assert_eq(
            doc_duration(doc_get_map(e, "failover", DOC_REQUIRED), "timeout", DOC_REQUIRED, &u), 0);
        cr_assert_eq(u, 1000000);
        struct doc_node *sw = doc_get_map(r, "sweep", DOC_REQUIRED);
        cr_assert_eq(doc_len(sw), 1);
        char text[64];
        doc_flow_text(doc_at(sw, 0), text, sizeof(text));
        cr_assert_str_eq(text, "[c]");
        doc_get(r, "run", DOC_OPTIONAL);
        cr_assert_eq(doc_check_keys(r), -1);
        cr_assert_str_eq(first_error(), "--set engnie.policy=x: error: engnie: unknown key "
                                        "'engnie'; did you mean 'engine'?");
        doc_free(d);
}

Test(doc, flow_text)
{
        struct doc *d = load("a: {d: 3, 'x y': [1us, 'it''s', '#', \"\", ~]}\nb: -5\nc: '-'\n");
        char text[128];
        doc_flow_text(doc_get(doc_root(d), "a", DOC_REQUIRED), text, sizeof(text));
        cr_assert_str_eq(text, "{d: 3, x y: [1us, 'it''s', '#', '', ~]}");
        doc_flow_text(doc_get(doc_root(d), "b", DOC_REQUIRED), text, sizeof(text));
        cr_assert_str_eq(text, "-5");
        doc_flow_text(doc_get(doc_root(d), "c", DOC_REQUIRED), text, sizeof(text));
        cr_assert_str_eq(text, "'-'");
        doc_free(d);
}

Test(doc, override_errors)
{
        struct doc *d = load(scenario);
        static const struct {
                const char *set;
                const char *want;
        } cases[] = {
            {"devices.qat.ops.aes-gcm-enc.rate.x=1",
             "--set devices.qat.ops.aes-gcm-enc.rate.x=1: error: "
             "devices.qat.ops.aes-gcm-enc.rate.x: devices[0].ops.aes-gcm-enc.rate is a single "
             "value, it has no 'x'"},
            {"workload.ipsc.size=1", "--set workload.ipsc.size=1: error: workload.ipsc.size: no "
                                     "item named 'ipsc' in workload"},
            {"devices.7.lanes=1", "--set devices.7.lanes=1: error: devices.7.lanes: no item 7 in "
                                  "devices (2 items)"},
            {"seed.x=1", "--set seed.x=1: error: seed.x: seed is a single value, it has no 'x'"},
            {"engine..policy=1", "--set engine..policy=1: error: engine..policy: expected a key "
                                 "path like engine.policy, got 'engine..policy'"},
            {"engine.policy", "--set engine.policy: error: expected KEY=VALUE, got "
                              "'engine.policy'"},
            {"engine.policy=", "--set engine.policy=: error: engine.policy: expected a value "
                               "after '=', got nothing"},
            {"engine.policy=[a", NULL},
            {"engine.policy=*x", NULL},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                diag_free(&dg);
                cr_assert_eq(doc_set(d, cases[i].set, "--set"), -1, "%s", cases[i].set);
                if (cases[i].want)
                        cr_assert_str_eq(first_error(), cases[i].want);
                else
                        cr_assert(strncmp(first_error(), "--set ", 6) == 0);
        }
        /* A bad value given with --set is reported as coming from --set. */
        diag_free(&dg);
        cr_assert_eq(doc_set(d, "run.duration=2", "--set"), 0);
        uint64_t u = 0;
        cr_assert_eq(doc_duration(doc_get_map(doc_root(d), "run", DOC_REQUIRED), "duration",
                                  DOC_REQUIRED, &u),
                     -1);
        cr_assert_str_eq(first_error(), "--set run.duration=2: error: run.duration: expected a "
                                        "duration with a unit (ns, us, ms, s), got 2");
        doc_free(d);
}

Test(doc, sweep_values_keep_their_place)
{
        struct doc *d = load(scenario);
        struct doc *sw = load("sweep:\n  engine.policy: [round-robin, 5GB/s]\n");
        struct doc_node *sweep = doc_get_map(doc_root(sw), "sweep", DOC_REQUIRED);
        struct doc_node *values = doc_at(sweep, 0);
        cr_assert_eq(doc_set_node(d, doc_key_at(sweep, 0), doc_at(values, 1)), 0);
        static const char *const names[] = {"round-robin", "least-loaded", NULL};
        int pick = 0;
        cr_assert_eq(doc_choice(doc_get_map(doc_root(d), "engine", DOC_REQUIRED), "policy",
                                DOC_REQUIRED, names, &pick),
                     -1);
        cr_assert_str_eq(first_error(), "t.yaml:2:32: error: engine.policy: expected one of "
                                        "round-robin, least-loaded, got 5GB/s");
        diag_free(&dg);
        /* A key the file leaves out is added; the schema read refuses it if
         * it is unknown, at the sweep value's place. */
        cr_assert_eq(doc_set_node(d, "engine.nope", doc_at(values, 0)), 0);
        struct doc_node *e = doc_get_map(doc_root(d), "engine", DOC_REQUIRED);
        doc_get(e, "policy", DOC_OPTIONAL);
        doc_get(e, "policy_options", DOC_OPTIONAL);
        doc_get(e, "queue", DOC_OPTIONAL);
        cr_assert_eq(doc_check_keys(e), -1);
        cr_assert_str_eq(first_error(), "t.yaml:2:19: error: engine.nope: unknown key 'nope'; "
                                        "expected one of policy, policy_options, queue");
        doc_free(sw);
        doc_free(d);
}

Test(doc, diag_keeps_the_first_and_counts_the_rest)
{
        struct diag many;
        diag_init(&many);
        for (int i = 0; i < DIAG_MAX + 5; i++)
                diag_add(&many, "f.yaml", (unsigned)i + 1, 1, "a", "expected %d, got x", i);
        cr_assert_eq(many.n, DIAG_MAX);
        cr_assert_eq(many.total, DIAG_MAX + 5);
        char line[128];
        diag_format(&many.entries[0], line, sizeof(line));
        cr_assert_str_eq(line, "f.yaml:1:1: error: a: expected 0, got x");
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        diag_print(&many, out);
        fclose(out);
        cr_assert(strstr(buf, "\n5 more errors\n"));
        free(buf);
        diag_free(&many);
        cr_assert_eq(diag_exit_status(&many), 0);
}

/* Loading anything must end in a doc or a located error: never a crash, a
 * hang, or an error without a place. */
static void load_anything(const char *text, size_t len, const char *what)
{
        struct diag local;
        diag_init(&local);
        struct doc *d = NULL;
        int rc = doc_load_text("f.yaml", text, len, &local, &d);
        if (rc == 0) {
                cr_assert_not_null(d);
                cr_assert_not(diag_failed(&local));
                doc_check_unused(d);
                doc_free(d);
        } else {
                cr_assert_null(d);
                cr_assert(diag_failed(&local), "%s: failed without an error", what);
                cr_assert_gt(local.entries[0].line, 0, "%s: error without a line: %s", what,
                             local.entries[0].msg);
                cr_assert_gt(local.entries[0].col, 0, "%s: error without a column", what);
        }
        diag_free(&local);
}

Test(doc, binary_garbage)
{
        char buf[4096];
        for (unsigned seed = 1; seed <= 16; seed++) {
                srand(seed);
                for (size_t i = 0; i < sizeof(buf); i++)
                        buf[i] = (char)(rand() & 0xff);
                char what[32];
                snprintf(what, sizeof(what), "garbage seed %u", seed);
                load_anything(buf, sizeof(buf), what);
        }
}

Test(doc, mutation_fuzz)
{
        const unsigned seed = 20240601;
        const size_t rounds = 3000;
        fprintf(stderr, "doc::mutation_fuzz: seed %u, %zu rounds\n", seed, rounds);
        srand(seed);
        static const char pieces[] = ":-[]{},&*!|>'\"#\t\n ?%@`\\0123456789eE.";
        size_t len = strlen(scenario);
        char *buf = malloc(len + 64);
        for (size_t r = 0; r < rounds; r++) {
                memcpy(buf, scenario, len);
                size_t n = len;
                int edits = 1 + rand() % 4;
                for (int e = 0; e < edits; e++) {
                        size_t at = (size_t)rand() % n;
                        switch (rand() % 4) {
                        case 0: /* replace a byte */
                                buf[at] = pieces[rand() % (int)(sizeof(pieces) - 1)];
                                break;
                        case 1: /* random byte */
                                buf[at] = (char)(rand() & 0xff);
                                break;
                        case 2: /* delete a byte */
                                memmove(buf + at, buf + at + 1, n - at - 1);
                                n--;
                                break;
                        default: /* insert a byte */
                                if (n < len + 60) {
                                        memmove(buf + at + 1, buf + at, n - at);
                                        buf[at] = pieces[rand() % (int)(sizeof(pieces) - 1)];
                                        n++;
                                }
                        }
                }
                char what[64];
                snprintf(what, sizeof(what), "fuzz seed %u round %zu", seed, r);
                load_anything(buf, n, what);
        }
        free(buf);
}

/* The files of tests/data/bad/ that are broken YAML (the others are broken
 * scenarios, for test_scenario_load) are refused with a located error. */
Test(doc, bad_corpus)
{
        const char *top = getenv("ACSIM_SOURCE_DIR");
        if (!top)
                cr_skip_test("ACSIM_SOURCE_DIR not set");
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/tests/data/bad", top);
        DIR *dp = opendir(dir);
        cr_assert_not_null(dp, "cannot open %s", dir);
        int refused = 0;
        for (struct dirent *de; (de = readdir(dp));) {
                size_t len = strlen(de->d_name);
                if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
                        continue;
                char path[2048];
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                struct diag local;
                diag_init(&local);
                struct doc *d = NULL;
                if (doc_load_file(path, &local, &d) == 0) {
                        doc_free(d);
                } else {
                        cr_assert_gt(local.entries[0].line, 0, "%s: no line", de->d_name);
                        refused++;
                }
                diag_free(&local);
        }
        closedir(dp);
        cr_assert_geq(refused, 14);
}
