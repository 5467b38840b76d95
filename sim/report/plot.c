/*
 * sim/report/plot.c - `acsim plot`'s engine (sim/report/plot.h). Laid out as: gnuplot
 * assignments and units (used by the kinds), finding gnuplot and the
 * scripts, writing a kind's driver and running gnuplot on it, then the
 * walk over the kinds of a directory.
 *
 * gnuplot runs as a child with argv (no shell), in DIR/plots, on a driver
 * file that holds every value it needs; paths and names are quoted by
 * plot_var_str, and a directory name never appears in gnuplot code except
 * the scripts' own, quoted the same way.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include "sim/report/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/report/plot_kind.h"
#include "sim/report/plot_run.h"

/* ---- gnuplot assignments ------------------------------------------------- */

/* Writes text as a gnuplot single-quoted string: a quote is doubled, and
 * control characters (a newline would end the command) become spaces. */
static void quoted(FILE *out, const char *text)
{
        fputc('\'', out);
        for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
                if (*p == '\'')
                        fputs("''", out);
                else if (*p < 0x20 || *p == 0x7f)
                        fputc(' ', out);
                else
                        fputc(*p, out);
        }
        fputc('\'', out);
}

void plot_var_str(FILE *vars, const char *name, const char *text)
{
        fprintf(vars, "%s = ", name);
        quoted(vars, text);
        fputc('\n', vars);
}

static void number(FILE *out, double x)
{
        if (isfinite(x))
                fprintf(out, "%.10g", x);
        else
                fputs("NaN", out);
}

void plot_var_num(FILE *vars, const char *name, double x)
{
        fprintf(vars, "%s = ", name);
        number(vars, x);
        fputc('\n', vars);
}

void plot_var_array(FILE *vars, const char *name, size_t n)
{
        /* gnuplot has no empty arrays: one unused slot keeps the name valid */
        fprintf(vars, "array %s[%zu]\n", name, n ? n : 1);
}

void plot_var_str_at(FILE *vars, const char *name, size_t i, const char *text)
{
        fprintf(vars, "%s[%zu] = ", name, i);
        quoted(vars, text);
        fputc('\n', vars);
}

void plot_var_num_at(FILE *vars, const char *name, size_t i, double x)
{
        fprintf(vars, "%s[%zu] = ", name, i);
        number(vars, x);
        fputc('\n', vars);
}

/* ---- units ---------------------------------------------------------------- */

/* Returns the unit of x among names, the units of 1e9, 1e6, 1e3 and 1:
 * the largest that x reaches (the last when it reaches none). */
static struct plot_unit ladder(double x, const char *const names[4])
{
        static const double scales[] = {1e9, 1e6, 1e3};
        for (size_t i = 0; i < 3; i++)
                if (x >= scales[i])
                        return (struct plot_unit){names[i], scales[i]};
        return (struct plot_unit){names[3], 1};
}

struct plot_unit plot_time_unit(double ns)
{
        static const char *const names[] = {"s", "ms", "us", "ns"};
        return ladder(ns, names);
}

struct plot_unit plot_si_prefix(double x)
{
        static const char *const names[] = {"G", "M", "k", ""};
        return ladder(fabs(x), names);
}

/* ---- files ---------------------------------------------------------------- */

char *plot_path(char *buf, const char *dir, const char *name, struct sim_error *err)
{
        int n = snprintf(buf, PLOT_PATH_CAP, "%s/%s", dir, name);
        if (n < 0 || n >= PLOT_PATH_CAP) {
                sim_fail(err, 0, "%s/%s: path too long", dir, name);
                return NULL;
        }
        return buf;
}

FILE *plot_data_open(const struct plot_ctx *ctx, const char *name, struct sim_error *err)
{
        char file[64], path[PLOT_PATH_CAP];
        snprintf(file, sizeof(file), "%s.dat", name);
        if (plot_path(path, ctx->data, file, err) == NULL)
                return NULL;
        FILE *f = fopen(path, "w");
        if (f == NULL)
                sim_fail(err, 0, "%s: %s", path, strerror(errno));
        else
                fprintf(f, "# %s - written by acsim plot for tools/plot/%s.gp\n", file, name);
        return f;
}

int plot_data_close(FILE *f, const struct plot_ctx *ctx, const char *name, struct sim_error *err)
{
        bool bad = ferror(f) != 0;
        if (fclose(f) != 0 || bad) {
                sim_fail(err, 0, "%s/%s.dat: cannot write", ctx->data, name);
                return PLOT_EDRAW;
        }
        return 0;
}

void plot_note(const struct plot_ctx *ctx, const char *name, const char *fmt, ...)
{
        if (ctx->opt == NULL || ctx->opt->skipped == NULL)
                return;
        struct sim_error why;
        va_list ap;
        va_start(ap, fmt);
        sim_vfail(&why, 0, fmt, ap);
        va_end(ap);
        ctx->opt->skipped(ctx->opt->ctx, name, &why);
}

static bool is_file(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int make_dir(const char *path, struct sim_error *e)
{
        if (mkdir(path, 0777) == 0 || errno == EEXIST)
                return 0;
        sim_fail(e, 0, "%s: %s", path, strerror(errno));
        return PLOT_EDRAW;
}

unsigned plot_format_parse(const char *name)
{
        if (strcmp(name, "png") == 0)
                return PLOT_PNG;
        if (strcmp(name, "svg") == 0)
                return PLOT_SVG;
        if (strcmp(name, "txt") == 0)
                return PLOT_TXT;
        return 0;
}

int plot_dir_kind(const char *dir, struct sim_error *e)
{
        char path[PLOT_PATH_CAP];
        struct stat st;
        if (stat(dir, &st) != 0) {
                sim_fail(e, 0, "%s: %s", dir, strerror(errno));
                return PLOT_EINPUT;
        }
        if (!S_ISDIR(st.st_mode)) {
                sim_fail(e, 0, "%s: not a directory", dir);
                return PLOT_EINPUT;
        }
        if (plot_path(path, dir, "sweep.json", e) && is_file(path))
                return 1;
        if (plot_path(path, dir, "summary.json", e) && is_file(path))
                return 0;
        sim_fail(e, 0,
                 "%s: not a result directory (no summary.json from acsim run, no sweep.json "
                 "from acsim sweep)",
                 dir);
        return PLOT_EINPUT;
}

/* ---- gnuplot and the scripts ---------------------------------------------- */

/* Finds gnuplot on PATH into buf. Returns 0 or PLOT_ENOTOOL. */
static int find_gnuplot(char *buf, struct sim_error *e)
{
        const char *path = getenv("PATH");
        if (path == NULL || *path == '\0')
                path = "/usr/bin:/bin";
        while (*path) {
                size_t n = strcspn(path, ":");
                int w = snprintf(buf, PLOT_PATH_CAP, "%.*s/gnuplot", (int)n, n ? path : ".");
                if (w > 0 && w < PLOT_PATH_CAP && access(buf, X_OK) == 0 && is_file(buf))
                        return 0;
                path += n;
                if (*path == ':')
                        path++;
        }
        sim_fail(e, 0,
                 "gnuplot is not on PATH: install it (Debian/Ubuntu package "
                 "gnuplot-nox, or run tools/deps.sh)");
        return PLOT_ENOTOOL;
}

/* Returns true when dir holds the scripts, with its absolute path in buf. */
static bool scripts_in(const char *dir, char *buf)
{
        char probe[PLOT_PATH_CAP];
        if (snprintf(probe, sizeof(probe), "%s/latency_cdf.gp", dir) >= (int)sizeof(probe))
                return false;
        if (!is_file(probe))
                return false;
        char real[PATH_MAX];
        if (realpath(dir, real) == NULL || strlen(real) >= PLOT_PATH_CAP)
                return false;
        strcpy(buf, real);
        return true;
}

/* Finds tools/plot: $ACSIM_PLOT_DIR; beside the executable (BUILD/acsim ->
 * tools/plot of the source tree, PREFIX/bin/acsim -> PREFIX/share/acsim/
 * plot); the source tree this file was compiled from; ./tools/plot. */
static int find_scripts(char *buf, struct sim_error *e)
{
        const char *env = getenv("ACSIM_PLOT_DIR");
        if (env && *env) {
                if (scripts_in(env, buf))
                        return 0;
                sim_fail(e, 0, "ACSIM_PLOT_DIR=%s holds no latency_cdf.gp", env);
                return PLOT_ENOTOOL;
        }
        char exe[PATH_MAX], cand[PLOT_PATH_CAP];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        if (snprintf(cand, sizeof(cand), "%s/../tools/plot", exe) <
                                (int)sizeof(cand) &&
                            scripts_in(cand, buf))
                                return 0;
                        if (snprintf(cand, sizeof(cand), "%s/../share/acsim/plot", exe) <
                                (int)sizeof(cand) &&
                            scripts_in(cand, buf))
                                return 0;
                }
        }
        /* __FILE__ is absolute when CMake compiles: SRC/sim/report/plot.c */
        snprintf(cand, sizeof(cand), "%s", __FILE__);
        char *slash = strrchr(cand, '/');
        if (slash && slash != cand) {
                *slash = '\0';
                size_t len = strlen(cand);
                if (snprintf(cand + len, sizeof(cand) - len, "/../tools/plot") <
                        (int)(sizeof(cand) - len) &&
                    scripts_in(cand, buf))
                        return 0;
        }
        if (scripts_in("tools/plot", buf))
                return 0;
        sim_fail(e, 0, "cannot find the plot scripts (tools/plot/*.gp): set ACSIM_PLOT_DIR");
        return PLOT_ENOTOOL;
}

/* The terminal of each format. */
static void terminal(FILE *out, unsigned format, int width, int height)
{
        switch (format) {
        case PLOT_PNG:
                fprintf(out,
                        "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                        "    set terminal pngcairo size %d,%d noenhanced font 'Sans,10' "
                        "linewidth 1.2\n"
                        "} else {\n"
                        "    set terminal png size %d,%d noenhanced\n"
                        "}\n",
                        width, height, width, height);
                break;
        case PLOT_SVG:
                fprintf(out,
                        "set terminal svg size %d,%d dynamic noenhanced font 'Sans,11' "
                        "background rgb 'white'\n",
                        width, height);
                break;
        default:
                fprintf(out, "set terminal dumb size 79,24 noenhanced\n");
                break;
        }
}

static const char *const format_ext[] = {"png", "svg", "txt"};

/* Copies the file at from to the path to. Returns 0, or PLOT_EDRAW with
 * the reason in e. */
static int copy_file(const char *from, const char *to, struct sim_error *e)
{
        FILE *in = fopen(from, "r");
        if (in == NULL) {
                sim_fail(e, 0, "%s: %s", from, strerror(errno));
                return PLOT_EDRAW;
        }
        FILE *out = fopen(to, "w");
        if (out == NULL) {
                sim_fail(e, 0, "%s: %s", to, strerror(errno));
                fclose(in);
                return PLOT_EDRAW;
        }
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
                fwrite(buf, 1, n, out);
        bool bad = ferror(in) || ferror(out);
        fclose(in);
        if (fclose(out) != 0 || bad) {
                sim_fail(e, 0, "%s: cannot write", to);
                return PLOT_EDRAW;
        }
        return 0;
}

/* Writes ctx->data/KIND.gp: the variables, then for each format the
 * terminal, the output and the script, which is copied beside it as
 * data/KIND.script.gp and loaded by that relative path, so that a plots/
 * directory copied elsewhere redraws with `gnuplot data/KIND.gp`. */
static int write_driver(const struct plot_ctx *ctx, const struct plot_kind *k, const char *vars,
                        const char *scripts, unsigned formats, struct sim_error *e)
{
        char file[64], path[PLOT_PATH_CAP], script[PLOT_PATH_CAP];
        snprintf(file, sizeof(file), "%s.gp", k->name);
        char copy[64], copy_path[PLOT_PATH_CAP];
        snprintf(copy, sizeof(copy), "%s.script.gp", k->name);
        if (plot_path(path, ctx->data, file, e) == NULL ||
            plot_path(script, scripts, file, e) == NULL ||
            plot_path(copy_path, ctx->data, copy, e) == NULL)
                return PLOT_EDRAW;
        if (copy_file(script, copy_path, e) < 0)
                return PLOT_EDRAW;
        FILE *f = fopen(path, "w");
        if (f == NULL) {
                sim_fail(e, 0, "%s: %s", path, strerror(errno));
                return PLOT_EDRAW;
        }
        fprintf(f,
                "# %s - written by acsim plot: the values tools/plot/%s (copied\n"
                "# as data/%s) draws.\n"
                "# Redraw from the plots directory: gnuplot data/%s\n",
                file, file, copy, file);
        fprintf(f, "datafile = 'data/%s.dat'\n", k->name);
        fputs(vars, f);
        for (unsigned i = 0; i < 3; i++) {
                unsigned format = 1u << i;
                if (!(formats & format))
                        continue;
                fputc('\n', f);
                terminal(f, format, k->width, k->height);
                plot_var_str(f, "plot_format", format_ext[i]);
                fprintf(f, "set output '%s.%s'\nload 'data/%s'\nunset output\n", k->name,
                        format_ext[i], copy);
        }
        bool bad = ferror(f) != 0;
        if (fclose(f) != 0 || bad) {
                sim_fail(e, 0, "%s: cannot write", path);
                return PLOT_EDRAW;
        }
        return 0;
}

/* Runs gnuplot on data/KIND.gp in plots/. Returns 0 or PLOT_EDRAW. */
static int run_gnuplot(const char *gnuplot, const char *plots, const char *kind,
                       struct sim_error *e)
{
        char driver[128];
        snprintf(driver, sizeof(driver), "data/%s.gp", kind);
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                sim_fail(e, 0, "fork: %s", strerror(errno));
                return PLOT_EDRAW;
        }
        if (pid == 0) {
                /* gnuplot's stdout is acsim's stderr: acsim's stdout stays ours */
                int null = open("/dev/null", O_RDONLY);
                if (null >= 0)
                        dup2(null, STDIN_FILENO);
                dup2(STDERR_FILENO, STDOUT_FILENO);
                if (chdir(plots) != 0)
                        _exit(126);
                char *const argv[] = {"gnuplot", driver, NULL};
                execv(gnuplot, argv);
                _exit(127);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        sim_fail(e, 0, "waitpid: %s", strerror(errno));
                        return PLOT_EDRAW;
                }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                sim_fail(e, 0, "%s: gnuplot failed on plots/data/%s.gp (exit %d)", kind, kind,
                         WEXITSTATUS(status));
        else
                sim_fail(e, 0, "%s: gnuplot died on plots/data/%s.gp (signal %d)", kind, kind,
                         WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return PLOT_EDRAW;
}

void plot_text_copy(FILE *out, FILE *in, const char *trim, bool fence)
{
        char *line = NULL;
        size_t cap = 0, blank = 0, ntrim = strlen(trim);
        ssize_t n;
        bool started = false;
        while ((n = getline(&line, &cap, in)) >= 0) {
                while (n > 0 && memchr(trim, line[n - 1], ntrim) != NULL)
                        line[--n] = '\0';
                const char *p = line + strspn(line, "\f"); /* the page feed gnuplot starts with */
                if (*p == '\0') {
                        blank += started;
                        continue;
                }
                for (; blank; blank--)
                        fputc('\n', out);
                started = true;
                /* a line of backticks would close a fence */
                fprintf(out, "%s%s\n", fence && strncmp(p, "```", 3) == 0 ? " " : "", p);
        }
        free(line);
}

/* Rewrites gnuplot's text rendering for a mail: without the page feed it
 * starts with, trailing spaces and blank lines at either end. */
static void tidy_text(const char *plots, const char *kind)
{
        char path[PLOT_PATH_CAP];
        if (snprintf(path, sizeof(path), "%s/%s.txt", plots, kind) >= (int)sizeof(path))
                return;
        FILE *f = fopen(path, "r");
        if (f == NULL)
                return;
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        if (out)
                plot_text_copy(out, f, "\n\r ", false);
        fclose(f);
        if (out == NULL || fclose(out) != 0) {
                free(text);
                return;
        }
        f = fopen(path, "w");
        if (f) {
                fwrite(text, 1, len, f);
                fclose(f);
        }
        free(text);
}

/* Removes what an earlier call drew for a kind that no longer applies. */
static void remove_kind(const char *plots, const char *data, const char *kind)
{
        char path[PLOT_PATH_CAP];
        for (size_t i = 0; i < 3; i++)
                if (snprintf(path, sizeof(path), "%s/%s.%s", plots, kind, format_ext[i]) <
                    (int)sizeof(path))
                        unlink(path);
        if (snprintf(path, sizeof(path), "%s/%s.dat", data, kind) < (int)sizeof(path))
                unlink(path);
        if (snprintf(path, sizeof(path), "%s/%s.gp", data, kind) < (int)sizeof(path))
                unlink(path);
}

/* Prepares and draws one kind. Returns 0, 1 when skipped, or an error. */
static int draw(struct plot_ctx *ctx, const struct plot_kind *k, const char *gnuplot,
                const char *scripts, const char *plots, unsigned formats, struct sim_error *e)
{
        char *vars = NULL;
        size_t len = 0;
        FILE *v = open_memstream(&vars, &len);
        if (v == NULL) {
                sim_fail(e, 0, "out of memory");
                return PLOT_EDRAW;
        }
        int rc = k->prepare(ctx, v, e);
        if (fclose(v) != 0 && rc == 0) {
                sim_fail(e, 0, "out of memory");
                rc = PLOT_EDRAW;
        }
        if (rc == 0)
                rc = write_driver(ctx, k, vars, scripts, formats, e);
        free(vars);
        if (rc == 0)
                rc = run_gnuplot(gnuplot, plots, k->name, e);
        if (rc == 0 && (formats & PLOT_TXT))
                tidy_text(plots, k->name);
        if (rc == 1)
                remove_kind(plots, ctx->data, k->name);
        return rc;
}

int plot_result_dir(const char *dir, const struct plot_options *opt, struct plot_made *made,
                    struct sim_error *e)
{
        unsigned formats = opt && opt->formats ? opt->formats : PLOT_ALL;
        struct plot_made none;
        if (made == NULL)
                made = &none;
        memset(made, 0, sizeof(*made));
        int sweep = plot_dir_kind(dir, e);
        if (sweep < 0)
                return sweep;
        made->sweep = sweep;

        char gnuplot[PLOT_PATH_CAP], scripts[PLOT_PATH_CAP], plots[PLOT_PATH_CAP];
        int rc = find_gnuplot(gnuplot, e);
        if (rc == 0)
                rc = find_scripts(scripts, e);
        if (rc < 0)
                return rc;

        struct plot_ctx ctx = {.dir = dir, .opt = opt};
        if (plot_path(plots, dir, "plots", e) == NULL ||
            plot_path(ctx.data, plots, "data", e) == NULL)
                return PLOT_EINPUT;
        if (sweep && (rc = plot_sweep_open(&ctx, e)) < 0)
                return rc;
        if (!sweep && (rc = plot_run_replication(dir, opt ? opt->replication : 0, e)) < 0)
                return rc;
        if ((rc = make_dir(plots, e)) == 0)
                rc = make_dir(ctx.data, e);
        const struct plot_kind *const *kinds = sweep ? plot_sweep_kinds : plot_run_kinds;
        for (size_t i = 0; rc == 0 && kinds[i]; i++) {
                const struct plot_kind *k = kinds[i];
                int drawn = draw(&ctx, k, gnuplot, scripts, plots, formats, e);
                if (drawn < 0)
                        rc = drawn;
                else if (drawn == 0 && made->n < PLOT_MADE_MAX) {
                        made->kind[made->n] = k->name;
                        made->title[made->n] = k->title;
                        made->about[made->n] = k->about;
                        made->n++;
                }
        }
        if (sweep)
                plot_sweep_close(&ctx);
        return rc;
}

int plot_kinds_present(const char *dir, struct plot_made *made, struct sim_error *e)
{
        memset(made, 0, sizeof(*made));
        int sweep = plot_dir_kind(dir, e);
        if (sweep < 0)
                return sweep;
        made->sweep = sweep;
        const struct plot_kind *const *kinds = sweep ? plot_sweep_kinds : plot_run_kinds;
        char path[PLOT_PATH_CAP];
        for (size_t i = 0; kinds[i] && made->n < PLOT_MADE_MAX; i++) {
                bool there = false;
                for (size_t f = 0; f < 3 && !there; f += 2)
                        there = snprintf(path, sizeof(path), "%s/plots/%s.%s", dir, kinds[i]->name,
                                         format_ext[f]) < (int)sizeof(path) &&
                                is_file(path);
                if (!there)
                        continue;
                made->kind[made->n] = kinds[i]->name;
                made->title[made->n] = kinds[i]->title;
                made->about[made->n] = kinds[i]->about;
                made->n++;
        }
        return (int)made->n;
}
