/*
 * test_outcome.c - what the layers below the command line hand up: the
 * reason in a struct sim_error, the worse of two outcomes, the one verdict
 * on runs (replications_verdict), and a file or directory put in place
 * whole by sim/results/in_place.c.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/ttmp.h"
#include "sim/results/in_place.h"
#include "sim/run/outcome.h"
#include "sim/run/replicate.h"

/* ---- the reason and the outcome ------------------------------------------- */

Test(outcome, fail_formats_and_returns)
{
        struct sim_error e;
        cr_assert_eq(sim_fail(&e, -7, "%s: %d", "x", 3), -7);
        cr_assert_str_eq(e.msg, "x: 3");
        cr_assert_eq(sim_fail(NULL, SIM_FAILED, "nowhere"), SIM_FAILED);
        sim_error_clear(&e);
        cr_assert_str_eq(e.msg, "");
}

Test(outcome, numbered_as_exit_statuses_worse_wins)
{
        cr_assert_eq(SIM_OK, 0);
        cr_assert_eq(SIM_FAILED, 1);
        cr_assert_eq(SIM_BAD_INPUT, 2);
        cr_assert_eq(sim_outcome_worse(SIM_OK, SIM_FAILED), SIM_FAILED);
        cr_assert_eq(sim_outcome_worse(SIM_BAD_INPUT, SIM_FAILED), SIM_BAD_INPUT);
        cr_assert_eq(sim_outcome_worse(SIM_OK, SIM_OK), SIM_OK);
}

/* ---- the verdict ----------------------------------------------------------- */

Test(verdict, drain_cap_then_counts)
{
        struct sim_results runs[2];
        memset(runs, 0, sizeof(runs));
        runs[0].seed = runs[1].seed = 42;
        runs[0].requests =
            (struct sim_counts){.submitted = 5, .completed = 3, .failed = 1, .rejected = 1};
        runs[1].requests = runs[0].requests;
        struct replications r = {.n = 2, .runs = runs};
        struct sim_error e;
        cr_assert_eq(replications_verdict(&r, &e), SIM_OK);

        runs[1].requests.completed = 2; /* one request lost without a drain cap */
        cr_assert_eq(replications_verdict(&r, &e), SIM_FAILED);
        cr_assert_str_eq(e.msg, "FAILURE: submitted != completed + failed + rejected (seed 42)");

        runs[1].drain_capped = true; /* a capped run's unfinished requests have no outcome */
        r.drain_capped = 1;
        r.unfinished = 1;
        cr_assert_eq(replications_verdict(&r, &e), SIM_FAILED);
        cr_assert_str_eq(e.msg,
                         "FAILURE: the drain hit its cap with 1 request unfinished (seed 42)");
}

/* ---- in place -------------------------------------------------------------- */

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

static int write_text(FILE *f, void *ctx)
{
        return fputs(ctx, f) < 0 ? -1 : 0;
}

static int write_nothing(FILE *f, void *ctx)
{
        return -1;
}

static int fill_dir(const char *tmp, void *ctx, struct sim_error *e)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", tmp, (const char *)ctx);
        FILE *f = fopen(path, "w");
        if (f == NULL)
                return sim_fail(e, -1, "%s: cannot open", path);
        fclose(f);
        return 0;
}

static int fail_dir(const char *tmp, void *ctx, struct sim_error *e)
{
        return sim_fail(e, -1, "filling failed");
}

static void read_back(const char *path, char *buf, size_t cap)
{
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s", path);
        size_t n = fread(buf, 1, cap - 1, f);
        buf[n] = '\0';
        fclose(f);
}

Test(in_place, file_whole_usual_mode_or_untouched, .init = ttmp_make, .fini = ttmp_remove)
{
        char path[256], text[64];
        struct sim_error e;
        snprintf(path, sizeof(path), "%s/table.txt", ttmp_dir);
        cr_assert_eq(in_place_file(path, write_text, "first\n", &e), 0, "%s", e.msg);
        read_back(path, text, sizeof(text));
        cr_assert_str_eq(text, "first\n");
        mode_t mask = umask(0);
        umask(mask);
        struct stat st;
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_mode & 0777, 0666 & ~mask, "not the private mode of mkstemp");

        /* a failed fill leaves the old file and no temporary */
        cr_assert_eq(in_place_file(path, write_nothing, NULL, &e), -1);
        cr_assert_not_null(strstr(e.msg, path), "%s", e.msg);
        read_back(path, text, sizeof(text));
        cr_assert_str_eq(text, "first\n");
        cr_assert_eq(entries(ttmp_dir), 1);
}

Test(in_place, dir_whole_replaced_or_untouched, .init = ttmp_make, .fini = ttmp_remove)
{
        char dir[256], path[320];
        struct sim_error e;
        snprintf(dir, sizeof(dir), "%s/a/out", ttmp_dir);
        cr_assert_eq(in_place_dir(dir, fill_dir, "one", &e), 0, "%s", e.msg);
        snprintf(path, sizeof(path), "%s/one", dir);
        cr_assert_eq(access(path, F_OK), 0);

        cr_assert_eq(in_place_dir(dir, fill_dir, "two", &e), 0, "%s", e.msg);
        cr_assert_eq(access(path, F_OK), -1, "the old directory went whole");
        cr_assert_eq(entries(dir), 1);

        cr_assert_eq(in_place_dir(dir, fail_dir, NULL, &e), -1);
        cr_assert_str_eq(e.msg, "filling failed");
        snprintf(path, sizeof(path), "%s/two", dir);
        cr_assert_eq(access(path, F_OK), 0, "a failed fill leaves it as it was");
        snprintf(path, sizeof(path), "%s/a", ttmp_dir);
        cr_assert_eq(entries(path), 1, "no temporary left beside it");

        cr_assert(!in_place_usable(""));
        cr_assert(!in_place_usable("/"));
        cr_assert(!in_place_usable("x/.."));
        cr_assert(in_place_usable("x/y/"));
}
