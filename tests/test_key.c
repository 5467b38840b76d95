/*
 * test_key.c - sim/sweep/key.c and sim/sweep/emit.c: the hash, the build
 * id, what a point's key depends on and what it does not, the record of
 * keys and the tidying of interrupted writes, and the job lists for GNU
 * parallel and Slurm run by sh with echo standing in for acsim
 * (tests/sweep_resume.sh and tests/cluster_*.sh run the command).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sweep/emit.h"
#include "sim/sweep/key.h"
#include "sim/sweep/sweep.h"
#include "support/ttmp.h"

static const char scenario_text[] =
    "name: k\n"
    "seed: 3\n"
    "run: {duration: 5ms, warmup: 500us, replications: 2}\n"
    "engine: {policy: least-loaded}\n"
    "devices:\n"
    "  - {name: a, lanes: 2, ring: 8, ops: {enc: {setup: 1us, rate: 2GB/s}}}\n"
    "workload:\n"
    "  - {name: x, arrival: {process: poisson, rate: 200k/s}, size: 1KiB, chain: [enc]}\n"
    "sweep:\n"
    "  engine.policy: [round-robin, least-loaded]\n"
    "  workload.x.arrival.rate: [100k/s, 300k/s, 500k/s]\n";

static char path[128];

/* Writes text to ttmp_dir/name and keeps its path in path. */
static void write_file(const char *name, const char *text)
{
        snprintf(path, sizeof(path), "%s/%s", ttmp_dir, name);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
}

static void load(struct sweep_plan *p, const char *const *sets, size_t nsets, bool has_seed,
                 uint64_t seed)
{
        struct diag dg;
        diag_init(&dg);
        int rc = sweep_plan_load(p, path, sets, nsets, has_seed, seed, &dg);
        if (rc != 0)
                diag_print(&dg, stderr);
        diag_free(&dg);
        cr_assert_eq(rc, 0);
}

TestSuite(key, .init = ttmp_make, .fini = ttmp_remove);

Test(key, the_hash_separates_its_fields)
{
        struct sweep_hash a, b, c, d;
        sweep_hash_init(&a);
        cr_expect_eq(a.h, 0xcbf29ce484222325ULL, "FNV-1a's offset basis");
        sweep_hash_init(&b);
        sweep_hash_text(&a, "ab");
        sweep_hash_text(&a, "c");
        sweep_hash_text(&b, "a");
        sweep_hash_text(&b, "bc");
        cr_expect_neq(a.h, b.h, "(ab, c) and (a, bc) hash the same");
        sweep_hash_init(&c);
        sweep_hash_init(&d);
        sweep_hash_text(&c, NULL);
        sweep_hash_text(&d, "");
        cr_expect_neq(c.h, d.h, "an absent field and an empty one hash the same");
        sweep_hash_init(&c);
        sweep_hash_init(&d);
        sweep_hash_u64(&c, 1);
        sweep_hash_u64(&d, 1ULL << 56);
        cr_expect_neq(c.h, d.h);
        /* one byte through FNV-1a 64 by hand: the length 1 as 8 bytes, then 'a' */
        uint64_t h = 0xcbf29ce484222325ULL;
        const unsigned char bytes[9] = {1, 0, 0, 0, 0, 0, 0, 0, 'a'};
        for (int i = 0; i < 9; i++)
                h = (h ^ bytes[i]) * 0x100000001b3ULL;
        sweep_hash_init(&a);
        sweep_hash_bytes(&a, "a", 1);
        cr_expect_eq(a.h, h);
}

Test(key, the_build_id_is_this_executables)
{
        const char *id = sweep_build_id();
        cr_assert_gt(strlen(id), 0);
        cr_expect_eq(strspn(id, "0123456789abcdef"), strlen(id), "not hex: %s", id);
        cr_expect_eq(sweep_build_id(), id, "computed twice");
        /* the GNU note as readelf reads it from the file, when there is one */
        char cmd[256], line[256] = "";
        snprintf(cmd, sizeof(cmd),
                 "readelf -n /proc/%d/exe 2>/dev/null | sed -n 's/.*Build ID: //p'", (int)getpid());
        FILE *f = popen(cmd, "r");
        cr_assert_not_null(f);
        if (fgets(line, sizeof(line), f) != NULL) {
                line[strcspn(line, "\n")] = '\0';
                cr_expect_str_eq(id, line);
        }
        pclose(f);
}

Test(key, a_key_follows_what_the_result_depends_on)
{
        write_file("k.yaml", scenario_text);
        struct sweep_plan p, same, set, seeded, seeded2;
        load(&p, NULL, 0, false, 0);
        load(&same, NULL, 0, false, 0);
        const char *sets[] = {"run.duration=6ms"};
        load(&set, sets, 1, false, 0);
        load(&seeded, NULL, 0, true, 4);
        load(&seeded2, NULL, 0, true, 3); /* the file's own seed, said again */
        cr_assert_eq(p.npoints, 6);
        for (size_t q = 0; q < p.npoints; q++) {
                cr_expect_eq(p.points[q].key, same.points[q].key, "point %zu: loaded twice", q);
                cr_expect_neq(p.points[q].key, set.points[q].key, "point %zu: --set", q);
                cr_expect_neq(p.points[q].key, seeded.points[q].key, "point %zu: --seed", q);
                cr_expect_eq(p.points[q].key, seeded2.points[q].key, "point %zu: same seed", q);
                cr_expect_eq(seeded.points[q].seed, 4);
                for (size_t r = 0; r < q; r++)
                        cr_expect_neq(p.points[q].key, p.points[r].key, "points %zu, %zu", r, q);
        }
        sweep_plan_free(&same);
        sweep_plan_free(&set);
        sweep_plan_free(&seeded);
        sweep_plan_free(&seeded2);

        /* another byte in the file, even a comment, is another scenario */
        char edited[sizeof(scenario_text) + 16];
        snprintf(edited, sizeof(edited), "%s# note\n", scenario_text);
        write_file("k.yaml", edited);
        struct sweep_plan e;
        load(&e, NULL, 0, false, 0);
        for (size_t q = 0; q < p.npoints; q++)
                cr_expect_neq(p.points[q].key, e.points[q].key, "point %zu: edited file", q);
        sweep_plan_free(&e);

        uint64_t k = p.points[0].key;
        cr_expect_neq(sweep_replication_key(k, 0, 1), sweep_replication_key(k, 1, 1));
        cr_expect_neq(sweep_replication_key(k, 0, 1), sweep_replication_key(k, 0, 2));
        cr_expect_neq(sweep_replication_key(k, 0, 1), sweep_replication_key(k + 1, 0, 1));
        sweep_plan_free(&p);
}

Test(key, a_trace_replayed_is_part_of_the_key)
{
        write_file("rows.csv", "time,size\n0,100\n1000,200\n");
        write_file("t.yaml", "name: t\n"
                             "run: {duration: 5ms}\n"
                             "engine: {policy: least-loaded}\n"
                             "devices:\n"
                             "  - {name: a, ops: {enc: {setup: 1us, rate: 2GB/s}}}\n"
                             "workload:\n"
                             "  - {name: x, arrival: {process: trace, file: rows.csv}, "
                             "chain: [enc]}\n"
                             "sweep:\n"
                             "  engine.policy: [round-robin, least-loaded]\n");
        struct sweep_plan a, b;
        load(&a, NULL, 0, false, 0);
        write_file("rows.csv", "time,size\n0,100\n1000,300\n");
        snprintf(path, sizeof(path), "%s/t.yaml", ttmp_dir);
        load(&b, NULL, 0, false, 0);
        cr_expect_neq(a.points[0].key, b.points[0].key, "another trace, the same key");
        sweep_plan_free(&a);
        sweep_plan_free(&b);
}

/* Makes out/dir/summary.json. */
static void fake_point(const char *out, const char *dir)
{
        char d[256];
        snprintf(d, sizeof(d), "%s/%s", out, dir);
        cr_assert_eq(mkdir(d, 0777), 0);
        strcat(d, "/summary.json");
        FILE *f = fopen(d, "w");
        cr_assert_not_null(f);
        fputs("{}\n", f);
        fclose(f);
}

static bool exists(const char *dir, const char *name)
{
        char p[512];
        struct stat st;
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        return stat(p, &st) == 0;
}

Test(key, the_record_and_the_tidying)
{
        write_file("k.yaml", scenario_text);
        struct sweep_plan p;
        load(&p, NULL, 0, false, 0);
        char out[128];
        snprintf(out, sizeof(out), "%s/sweep", ttmp_dir);
        cr_assert_eq(mkdir(out, 0777), 0);
        struct sim_error e;
        uint64_t key;
        cr_expect_eq(sweep_key_read(&p, out, 1, &key), 0);
        cr_expect_not(sweep_key_fresh(&p, out, 1));
        cr_assert_eq(sweep_key_write(&p, out, 1, &e), 0, "%s", e.msg);
        cr_expect_eq(sweep_key_read(&p, out, 1, &key), 1);
        cr_expect_eq(key, p.points[1].key);
        cr_expect_not(sweep_key_fresh(&p, out, 1), "fresh with no directory");
        fake_point(out, p.points[1].dir);
        cr_expect(sweep_key_fresh(&p, out, 1));
        cr_expect_not(sweep_key_fresh(&p, out, 2), "another point's key taken");
        cr_assert_eq(sweep_key_forget(&p, out, 1, &e), 0);
        cr_expect_not(sweep_key_fresh(&p, out, 1));
        cr_expect_eq(sweep_key_forget(&p, out, 1, &e), 0, "forgetting twice");

        /* the record's lines: the key, then one per replication */
        cr_assert_eq(sweep_key_write(&p, out, 1, &e), 0);
        char rec[256], line[64];
        snprintf(rec, sizeof(rec), "%s/keys/%s", out, p.points[1].dir);
        FILE *f = fopen(rec, "r");
        cr_assert_not_null(f);
        int lines = 0;
        while (fgets(line, sizeof(line), f))
                lines++;
        fclose(f);
        cr_expect_eq(lines, 1 + 2);

        /* interrupted writes: only the chosen points' temporaries go */
        char t1[128], t2[128], t3[160], t4[128];
        snprintf(t1, sizeof(t1), ".%s.tmp-abcdef", p.points[0].dir);
        snprintf(t2, sizeof(t2), ".%s.tmp-abcdef", p.points[3].dir);
        snprintf(t3, sizeof(t3), "keys/.%s.tmp-abcdef", p.points[0].dir);
        snprintf(t4, sizeof(t4), ".%s.old-123456", p.points[0].dir);
        const char *names[] = {t1, t2, t3, t4, ".sweep.json.tmp-qwerty"};
        for (size_t i = 0; i < 5; i++) {
                char full[512];
                snprintf(full, sizeof(full), "%s/%s", out, names[i]);
                cr_assert_eq(mkdir(full, 0777), 0, "%s: %s", full, strerror(errno));
        }
        bool chosen[6] = {true, false, false, false, false, false};
        sweep_dir_tidy(&p, out, chosen);
        cr_expect_not(exists(out, t1));
        cr_expect_not(exists(out, t3));
        cr_expect_not(exists(out, t4));
        cr_expect(exists(out, t2), "another point's temporary removed");
        cr_expect(exists(out, ".sweep.json.tmp-qwerty"), "the sweep's own temporary removed");
        cr_expect(exists(out, p.points[1].dir), "a point removed");
        sweep_dir_tidy(&p, out, NULL);
        cr_expect_not(exists(out, t2));
        cr_expect_not(exists(out, ".sweep.json.tmp-qwerty"));
        cr_expect(exists(out, p.points[1].dir), "a point removed");
        cr_expect(exists(out, "keys"));
        sweep_plan_free(&p);
}

/* Runs the command line `line` with sh and returns what it printed in
 * buf[cap]. */
static void shell(const char *line, char *buf, size_t cap)
{
        FILE *f = popen(line, "r");
        cr_assert_not_null(f);
        size_t n = fread(buf, 1, cap - 1, f);
        buf[n] = '\0';
        cr_expect_eq(pclose(f), 0, "%s", line);
}

Test(key, the_jobs_run_the_points_in_chunks)
{
        write_file("k.yaml", scenario_text);
        struct sweep_plan p;
        const char *sets[] = {"run.warmup=1ms", "engine.queue.depth=it's"};
        load(&p, sets, 1, true, 9);
        p.sets = sets; /* the plan keeps the pointer; the quote is for emit alone */
        p.nsets = 2;
        struct sweep_emit em = {"/bin/echo", ttmp_dir, "my k.yaml", "out dir", 4};
        cr_expect_eq(sweep_emit_jobs(&p, &em), 2);

        char jobs[160], buf[4096];
        snprintf(jobs, sizeof(jobs), "%s/jobs", ttmp_dir);
        FILE *f = fopen(jobs, "w");
        cr_assert_not_null(f);
        cr_assert_eq(sweep_emit_parallel(f, &p, &em), 0);
        fclose(f);
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "sh -e '%s'", jobs);
        shell(cmd, buf, sizeof(buf));
        cr_expect_str_eq(buf, "sweep my k.yaml -o out dir --points 0-3 -j 1 -q --set "
                              "run.warmup=1ms --set engine.queue.depth=it's --seed 9\n"
                              "sweep my k.yaml -o out dir --points 4-5 -j 1 -q --set "
                              "run.warmup=1ms --set engine.queue.depth=it's --seed 9\n");

        char script[160];
        snprintf(script, sizeof(script), "%s/script", ttmp_dir);
        em.chunk = 1;
        f = fopen(script, "w");
        cr_assert_not_null(f);
        cr_assert_eq(sweep_emit_slurm(f, &p, &em), 0);
        fclose(f);
        snprintf(cmd, sizeof(cmd), "grep -c '^#SBATCH --array=0-5$' '%s'", script);
        shell(cmd, buf, sizeof(buf));
        cr_expect_str_eq(buf, "1\n");
        snprintf(cmd, sizeof(cmd), "sed -n 's/^#SBATCH --output=//p' '%s'", script);
        shell(cmd, buf, sizeof(buf));
        char want[256];
        snprintf(want, sizeof(want), "%s/out dir/cluster/logs/%%A_%%a.out\n", ttmp_dir);
        cr_expect_str_eq(buf, want);
        snprintf(cmd, sizeof(cmd), "SLURM_ARRAY_TASK_ID=5 SLURM_CPUS_PER_TASK=2 sh '%s'", script);
        shell(cmd, buf, sizeof(buf));
        cr_expect_str_eq(buf, "sweep my k.yaml -o out dir --points 5-5 -j 2 -q --set "
                              "run.warmup=1ms --set engine.queue.depth=it's --seed 9\n");
        em.chunk = 4;
        f = fopen(script, "w");
        cr_assert_not_null(f);
        cr_assert_eq(sweep_emit_slurm(f, &p, &em), 0);
        fclose(f);
        snprintf(cmd, sizeof(cmd), "SLURM_ARRAY_TASK_ID=1 sh '%s'", script);
        shell(cmd, buf, sizeof(buf));
        cr_expect(strstr(buf, " --points 4-5 -j 1 -q ") != NULL, "%s", buf);
        snprintf(cmd, sizeof(cmd), "grep -c '^#SBATCH --array=0-1$' '%s'", script);
        shell(cmd, buf, sizeof(buf));
        cr_expect_str_eq(buf, "1\n");
        p.sets = NULL;
        p.nsets = 0;
        sweep_plan_free(&p);
}
