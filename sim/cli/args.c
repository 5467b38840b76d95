/*
 * sim/cli/args.c - argument scanning shared by the commands: the scan of
 * argv, options with values, flags, the scenario overrides of run and
 * sweep, the table-driven scan of a whole argument list, help flags,
 * usage errors, numbers, scenario paths.
 */
#include "sim/cli/cli.h"
#include "sim/load/doc_tree.h"
#include "sim/load/diag.h"
#include "sim/report/text.h"
#include "sim/results/result_dir.h"
#include "sim/run/replicate.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool cli_is_help(const char *arg)
{
        return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* Returns the text after "name=" when arg is that, else NULL. */
static const char *joined(const char *arg, const char *name)
{
        size_t n = strlen(name);
        if (strncmp(arg, name, n) == 0 && arg[n] == '=')
                return arg + n + 1;
        return NULL;
}

/* Where a command's scan of its arguments stands. */
struct cli_scan {
        int argc;
        char **argv;  /* argv[0] is the command's name */
        int i;        /* the argument looked at */
        bool options; /* false after the "--" that ends the options */
};

/* Returns a scan of argv from argv[1]. */
static struct cli_scan scan_start(int argc, char **argv)
{
        return (struct cli_scan){.argc = argc, .argv = argv, .i = 1, .options = true};
}

static bool scan_more(struct cli_scan *s)
{
        if (s->options && s->i < s->argc && strcmp(s->argv[s->i], "--") == 0) {
                s->options = false;
                s->i++;
        }
        return s->i < s->argc;
}

static const char *scan_arg(const struct cli_scan *s)
{
        return s->argv[s->i];
}

static const char *scan_positional(struct cli_scan *s)
{
        const char *arg = s->argv[s->i];
        if (s->options && arg[0] == '-' && arg[1] != '\0')
                return NULL;
        s->i++;
        return arg;
}

static int take_value(const char *cmd, struct cli_scan *s, const char *name, const char *alias,
                      const char **value)
{
        const char *arg = s->argv[s->i];
        const char *v = joined(arg, name);
        if (v == NULL && alias != NULL)
                v = joined(arg, alias);
        if (v != NULL) {
                *value = v;
                s->i++;
                return 1;
        }
        if (strcmp(arg, name) != 0 && (alias == NULL || strcmp(arg, alias) != 0))
                return 0;
        if (s->i + 1 >= s->argc) {
                cli_usage_error(cmd, "option %s needs a value", arg);
                return -1;
        }
        *value = s->argv[s->i + 1];
        s->i += 2;
        return 1;
}

static bool take_flag(struct cli_scan *s, const char *name, const char *alias)
{
        const char *arg = s->argv[s->i];
        if (strcmp(arg, name) != 0 && (alias == NULL || strcmp(arg, alias) != 0))
                return false;
        s->i++;
        return true;
}

static int take_override(const char *cmd, struct cli_scan *s, struct cli_overrides *o)
{
        const char *v;
        int took;
        if ((took = take_value(cmd, s, "--seed", NULL, &v))) {
                if (took < 0)
                        return -1;
                if (cli_parse_u64(v, &o->seed) < 0) {
                        cli_usage_error(cmd, "--seed: expected a number, got '%s'", v);
                        return -1;
                }
                o->has_seed = true;
        } else if ((took = take_value(cmd, s, "--set", NULL, &v))) {
                if (took < 0)
                        return -1;
                if (strchr(v, '=') == NULL) {
                        cli_usage_error(cmd, "--set: expected KEY=VALUE, got '%s'", v);
                        return -1;
                }
                o->sets[o->nsets++] = v;
        }
        return took;
}

/* Takes the option looked at if it is o. Returns 1, 0 when it is not o,
 * or -1 after a usage error. */
static int take_option(const char *cmd, struct cli_scan *s, const struct cli_option *o)
{
        const char *arg = s->argv[s->i], *v = NULL;
        if (o->flag)
                return take_flag(s, o->name, o->alias) ? (*o->flag = true, 1) : 0;
        size_t n = o->alias ? strlen(o->alias) : 0;
        int took;
        if (o->glued && n && strncmp(arg, o->alias, n) == 0 && arg[n] >= '0' && arg[n] <= '9') {
                v = arg + n;
                s->i++;
                took = 1;
        } else if ((took = take_value(cmd, s, o->name, o->alias, &v)) <= 0) {
                return took;
        }
        if (o->check && o->check(v, o->out) < 0) {
                cli_usage_error(cmd, "%s, got '%s'", o->expected, v);
                return -1;
        }
        if (o->value)
                *o->value = v;
        return 1;
}

/* Scans argv; returns CLI_OK or CLI_USAGE. */
static int scan_args(const char *cmd, const struct cli_option *options, struct cli_overrides *over,
                     const struct cli_operands *operands, int argc, char **argv)
{
        size_t n = 0;
        struct cli_scan s = scan_start(argc, argv);
        while (scan_more(&s)) {
                const char *arg = scan_positional(&s);
                int took = 0;
                if (arg) {
                        if (n == operands->max)
                                return cli_usage_error(cmd, "%s (got '%s' too)", operands->too_many,
                                                       arg);
                        operands->args[n++] = arg;
                        continue;
                }
                if (over)
                        took = take_override(cmd, &s, over);
                for (const struct cli_option *o = options; !took && o->name; o++)
                        took = take_option(cmd, &s, o);
                if (took < 0)
                        return CLI_USAGE;
                if (took == 0)
                        return cli_usage_error(cmd, "unknown option '%s'", scan_arg(&s));
        }
        if (n < operands->min)
                return cli_usage_error(cmd, "%s", operands->missing);
        return CLI_OK;
}

int cli_parse(const char *cmd, const struct cli_option *options, struct cli_overrides *over,
              const struct cli_operands *operands, int argc, char **argv)
{
        if (over) {
                over->sets = calloc((size_t)argc, sizeof(*over->sets));
                if (over->sets == NULL) {
                        fprintf(stderr, "acsim %s: out of memory\n", cmd);
                        return CLI_FAILED;
                }
        }
        int status = scan_args(cmd, options, over, operands, argc, argv);
        if (status != CLI_OK && over) {
                free(over->sets);
                over->sets = NULL;
        }
        return status;
}

int cli_exit_status(enum sim_outcome o)
{
        switch (o) {
        case SIM_OK:
                return CLI_OK;
        case SIM_FAILED:
                return CLI_FAILED;
        case SIM_BAD_INPUT:
                break;
        }
        return CLI_USAGE;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
        va_list ap;
        fprintf(stderr, "acsim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'acsim %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
        return CLI_USAGE;
}

int cli_parse_u64(const char *text, unsigned long long *out)
{
        if (text[0] < '0' || text[0] > '9')
                return -1; /* no sign, no space: strtoull would take them */
        int base = (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) ? 16 : 10;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text, &end, base);
        if (errno != 0 || *end != '\0')
                return -1;
        *out = v;
        return 0;
}

const char *cli_scenario_dir(void)
{
        const char *dir = getenv("ACSIM_SCENARIOS");
        if (dir && dir[0])
                return dir;
        if (access("scenarios", F_OK) == 0)
                return "scenarios";
        /* Beside the executable: a build tree's acsim (BUILD/acsim) finds
         * the source tree's scenarios/, an installed one (PREFIX/bin/acsim)
         * PREFIX/share/acsim/scenarios. */
        static char found[4096];
        static const char *const beside[] = {"../scenarios", "../share/acsim/scenarios"};
        char exe[4000];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
        if (slash) {
                *slash = '\0';
                for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
                        snprintf(found, sizeof(found), "%s/%s", exe, beside[i]);
                        if (access(found, F_OK) == 0)
                                return found;
                }
        }
        return "scenarios";
}

/* Says on stderr which scenario of the scenario directory a name that
 * found no file is likely a typo of, if any. */
static void suggest_scenario(const char *arg)
{
        DIR *d = opendir(cli_scenario_dir());
        if (d == NULL)
                return;
        enum { MAX_NAMES = 256 };
        static char names[MAX_NAMES][128];
        const char *cands[MAX_NAMES];
        size_t n = 0;
        for (struct dirent *e; n < MAX_NAMES && (e = readdir(d));) {
                size_t len = strlen(e->d_name);
                if (len < 6 || len >= sizeof(names[0]) || e->d_name[0] == '.' ||
                    strcmp(e->d_name + len - 5, ".yaml") != 0)
                        continue;
                snprintf(names[n], sizeof(names[n]), "%.*s", (int)(len - 5), e->d_name);
                cands[n] = names[n];
                n++;
        }
        closedir(d);
        char word[128];
        size_t len = strlen(arg);
        bool has_ext = len >= 5 && strcmp(arg + len - 5, ".yaml") == 0;
        snprintf(word, sizeof(word), "%.*s", (int)(has_ext ? len - 5 : len), arg);
        const char *near = doc_closest(word, cands, n);
        if (near)
                fprintf(stderr, "acsim: no scenario '%s' in %s; did you mean '%s'?\n", word,
                        cli_scenario_dir(), near);
}

const char *cli_scenario_path(const char *arg, char *buf, size_t cap)
{
        /* a path, or a file here; a folder here of the same name as a
         * library scenario (policies/ in the source tree) is not a scenario */
        struct stat st;
        if (strchr(arg, '/') != NULL || (stat(arg, &st) == 0 && !S_ISDIR(st.st_mode)))
                return arg;
        size_t len = strlen(arg);
        bool has_ext = len >= 5 && strcmp(arg + len - 5, ".yaml") == 0;
        int n = snprintf(buf, cap, "%s/%s%s", cli_scenario_dir(), arg, has_ext ? "" : ".yaml");
        if (n < 0 || (size_t)n >= cap || access(buf, F_OK) != 0) {
                suggest_scenario(arg);
                return arg; /* let the loader name the file the user gave */
        }
        return buf;
}

int cli_load_failed(const char *cmd, const char *path, struct diag *dg)
{
        diag_print(dg, stderr);
        if (!diag_failed(dg))
                fprintf(stderr, "%s%s%s%s: cannot load\n", cmd ? "acsim " : "", cmd ? cmd : "",
                        cmd ? ": " : "", path);
        diag_free(dg);
        return CLI_USAGE;
}

int cli_finish_runs(const char *cmd, const char *out, struct replications *r, bool quiet)
{
        struct sim_error e;
        if (!quiet) {
                report_text_print(stdout, r);
                fflush(stdout);
        }
        enum sim_outcome o = replications_verdict(r, &e);
        if (o != SIM_OK)
                fprintf(stderr, "acsim %s: %s\n", cmd, e.msg);
        if (result_dir_write(out, r, &e) < 0) {
                fprintf(stderr, "acsim %s: %s\n", cmd, e.msg);
                o = sim_outcome_worse(o, SIM_BAD_INPUT);
        } else if (!quiet) {
                printf("results: %s/\n", out);
        }
        replications_free(r);
        return cli_exit_status(o);
}
