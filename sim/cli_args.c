/*
 * sim/cli_args.c - argument scanning shared by the commands: options with
 * values, help flags, usage errors, numbers.
 */
#include "sim/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
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

int cli_take_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                   const char *alias, const char **value)
{
        const char *arg = argv[*i];
        const char *v = joined(arg, name);
        if (v == NULL && alias != NULL)
                v = joined(arg, alias);
        if (v != NULL) {
                *value = v;
                (*i)++;
                return 1;
        }
        if (strcmp(arg, name) != 0 && (alias == NULL || strcmp(arg, alias) != 0))
                return 0;
        if (*i + 1 >= argc) {
                cli_usage_error(cmd, "option %s needs a value", arg);
                return -1;
        }
        *value = argv[*i + 1];
        *i += 2;
        return 1;
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
        /* An installed acsim (PREFIX/bin/acsim) finds the library in
         * PREFIX/share/acsim/scenarios. */
        static char installed[4096];
        char exe[4000];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        snprintf(installed, sizeof(installed), "%s/../share/acsim/scenarios", exe);
                        if (access(installed, F_OK) == 0)
                                return installed;
                }
        }
        return "scenarios";
}

const char *cli_scenario_path(const char *arg, char *buf, size_t cap)
{
        if (strchr(arg, '/') != NULL || access(arg, F_OK) == 0)
                return arg;
        size_t len = strlen(arg);
        bool has_ext = len >= 5 && strcmp(arg + len - 5, ".yaml") == 0;
        int n = snprintf(buf, cap, "%s/%s%s", cli_scenario_dir(), arg, has_ext ? "" : ".yaml");
        if (n < 0 || (size_t)n >= cap || access(buf, F_OK) != 0)
                return arg; /* let the loader name the file the user gave */
        return buf;
}
