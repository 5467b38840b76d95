/*
 * sim/cli/list.c - `acsim list policies|models|scenarios`: what a scenario
 * may name. Policies come from the core's balancer registry, model names
 * from the models' own name tables, scenarios from the scenario directory
 * (cli_scenario_dir()) with the first comment line of each file.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "ac/balancer.h"
#include "models/device.h"
#include "models/dist.h"
#include "models/workload.h"
#include "sim/cli/cli.h"

/* Prints text after `lead` (already printed, `col` columns wide), wrapped
 * at 78 columns with continuation lines indented by `indent`. */
static void print_wrapped(const char *text, size_t col, size_t indent)
{
        const size_t width = 78;
        while (*text) {
                size_t word = strcspn(text, " ");
                if (col > indent && col + 1 + word > width) {
                        printf("\n%*s", (int)indent, "");
                        col = indent;
                } else if (col > indent) {
                        putchar(' ');
                        col++;
                }
                printf("%.*s", (int)word, text);
                col += word;
                text += word;
                text += strspn(text, " ");
        }
        putchar('\n');
}

static void list_policies(void)
{
        for (size_t i = 0; ac_balancers[i]; i++) {
                const struct ac_balancer_ops *b = ac_balancers[i];
                printf("%s\n    ", b->name);
                print_wrapped(b->description, 4, 4);
                for (const struct ac_option_spec *o = b->options; o && o->key; o++) {
                        int n = printf("    option %s:", o->key);
                        print_wrapped(o->help, (size_t)n, 8);
                }
        }
}

/* One line of help per model name; the names themselves come from the
 * models, so a name added there shows up here even before it has help. */
struct model_help {
        const char *name;
        const char *help;
};

static const struct model_help fault_help[] = {
    {"fail-stop", "the device fails, drops what it holds, refuses work until repaired"},
    {"hang", "the lanes stop silently; held stages resume on repair"},
    {"slow", "service takes `factor` times longer while active"},
    {"flaky", "each stage errors with `probability`"},
    {"remove", "surprise removal, for good (scheduled faults only)"},
    {NULL, NULL},
};

static const struct model_help arrival_help[] = {
    {"poisson", "exponential gaps at `rate`"},
    {"constant", "one request every 1/`rate`"},
    {"on-off", "bursts: Poisson at rate_on / rate_off, exponential on and off times"},
    {"closed", "`clients` clients that think, issue, wait for completion"},
    {"trace", "replays the rows of a CSV `file`"},
    {NULL, NULL},
};

static const struct model_help dist_help[] = {
    {"constant", "{dist: constant, value: V}"},
    {"uniform", "{dist: uniform, min: A, max: B}"},
    {"exponential", "{dist: exponential, mean: M}"},
    {"lognormal", "{dist: lognormal, mean: M, cv: C}"},
    {"gamma", "{dist: gamma, mean: M, cv: C}"},
    {"pareto", "{dist: pareto, mean: M, alpha: A}"},
    {"empirical", "{dist: empirical, values: [...], weights: [...]}"},
    {"imix", "{dist: imix}: 40B, 576B, 1500B in 7:4:1"},
    {NULL, NULL},
};

static const char *help_of(const struct model_help *t, const char *name)
{
        for (; t->name; t++)
                if (strcmp(t->name, name) == 0)
                        return t->help;
        return "";
}

/* "  NAME           what it is", wrapped under its text. */
static void model_line(const char *name, const char *help)
{
        printf("  %-14s ", name);
        print_wrapped(help, 17, 17);
}

static void list_models(void)
{
        const char *name;
        printf("device fault modes (devices[].failures, faults):\n");
        for (int i = 0; (name = device_fault_mode_name((enum device_fault_mode)i)); i++)
                model_line(name, help_of(fault_help, name));
        printf("arrival processes (workload[].arrival.process):\n");
        for (int i = 0; (name = arrival_process_name((enum arrival_process)i)); i++)
                model_line(name, help_of(arrival_help, name));
        printf("distributions (any {dist: ...} value):\n");
        for (int i = 0; (name = dist_kind_name((enum dist_kind)i)); i++)
                model_line(name, help_of(dist_help, name));
}

/* Copies the text of the first comment line of the file at path (without
 * "#" and leading blanks) to buf; an empty string when there is none. */
static void first_comment(const char *path, char *buf, size_t cap)
{
        buf[0] = '\0';
        FILE *f = fopen(path, "r");
        if (f == NULL)
                return;
        char line[512];
        while (fgets(line, sizeof(line), f)) {
                char *p = line + strspn(line, " \t");
                if (*p != '#')
                        continue;
                p += strspn(p, "# \t");
                p[strcspn(p, "\r\n")] = '\0';
                snprintf(buf, cap, "%s", p);
                break;
        }
        fclose(f);
}

static int by_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The scenarios with their first comment line, or (names) their names alone. */
static int list_scenarios(bool names_only)
{
        const char *dir = cli_scenario_dir();
        DIR *d = opendir(dir);
        if (d == NULL) {
                fprintf(stderr,
                        "acsim list: no scenario directory '%s' (run from the source tree, "
                        "or set ACSIM_SCENARIOS)\n",
                        dir);
                return CLI_USAGE;
        }
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *e;
        int status = CLI_OK;
        while ((e = readdir(d))) {
                size_t len = strlen(e->d_name);
                if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0 || e->d_name[0] == '.')
                        continue;
                if (n == cap) {
                        cap = cap ? 2 * cap : 16;
                        char **grown = realloc(names, cap * sizeof(*names));
                        if (grown == NULL) {
                                status = CLI_FAILED;
                                break;
                        }
                        names = grown;
                }
                names[n] = strdup(e->d_name);
                if (names[n] == NULL) {
                        status = CLI_FAILED;
                        break;
                }
                n++;
        }
        closedir(d);
        if (n > 0)
                qsort(names, n, sizeof(*names), by_name);
        for (size_t i = 0; i < n && status == CLI_OK; i++) {
                char path[4096], comment[256];
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                first_comment(path, comment, sizeof(comment));
                /* "default.yaml - what it is": the name is in the first column */
                const char *text = comment;
                size_t len = strlen(names[i]);
                if (strncmp(text, names[i], len) == 0 && strncmp(text + len, " - ", 3) == 0)
                        text += len + 3;
                int stem = (int)(len - 5);
                if (names_only) {
                        printf("%.*s\n", stem, names[i]);
                        continue;
                }
                printf("%-24.*s ", stem, names[i]);
                print_wrapped(text, 25, 25);
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        if (status != CLI_OK)
                fprintf(stderr, "acsim list: out of memory\n");
        return status;
}

static int list_main(int argc, char **argv)
{
        /* -q, --quiet: names only, one a line (for scripts and completion) */
        bool quiet = false;
        char *args[3] = {argv[0], NULL, NULL};
        int n = 1;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
                        quiet = true;
                else if (n < 3)
                        args[n++] = argv[i];
                else
                        n++;
        }
        argc = n;
        argv = args;
        if (quiet && argc == 2) {
                if (strcmp(argv[1], "policies") == 0) {
                        for (size_t i = 0; ac_balancers[i]; i++)
                                printf("%s\n", ac_balancers[i]->name);
                        return CLI_OK;
                }
                if (strcmp(argv[1], "models") == 0) {
                        const char *name;
                        for (int i = 0; (name = device_fault_mode_name((enum device_fault_mode)i));
                             i++)
                                printf("%s\n", name);
                        for (int i = 0; (name = arrival_process_name((enum arrival_process)i)); i++)
                                printf("%s\n", name);
                        for (int i = 0; (name = dist_kind_name((enum dist_kind)i)); i++)
                                printf("%s\n", name);
                        return CLI_OK;
                }
                if (strcmp(argv[1], "scenarios") == 0)
                        return list_scenarios(true);
        }
        if (argc != 2)
                return cli_usage_error("list", "expected one of: policies, models, scenarios");
        if (strcmp(argv[1], "policies") == 0) {
                list_policies();
                return CLI_OK;
        }
        if (strcmp(argv[1], "models") == 0) {
                list_models();
                return CLI_OK;
        }
        if (strcmp(argv[1], "scenarios") == 0)
                return list_scenarios(false);
        return cli_usage_error("list", "cannot list '%s': expected policies, models or scenarios",
                               argv[1]);
}

CLI_COMMAND(list, "list the policies, models or scenarios a scenario may use",
            "Usage: acsim list policies|models|scenarios [-q]\n"
            "\n"
            "  policies   every registered balancer (engine.policy) with its\n"
            "             description and options (engine.policy_options)\n"
            "  models     device fault modes, arrival processes, distributions\n"
            "  scenarios  the *.yaml files of the scenario directory with their\n"
            "             first comment line: $ACSIM_SCENARIOS if set, else\n"
            "             ./scenarios\n"
            "\n"
            "  -q, --quiet  names only, one a line\n");
