/*
 * option.c - reading a balancer's options (engine.policy_options), which
 * arrive as text. Unknown keys never get here: the engine refuses them at
 * create against the balancer's option table.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ac/balancer.h"
#include "ac/error.h"

const char *ac_option_str(const struct ac_balancer_env *env, const char *key)
{
        if (!env || !key)
                return NULL;
        for (size_t i = 0; i < env->noptions; i++)
                if (env->options[i].key && strcmp(env->options[i].key, key) == 0)
                        return env->options[i].value;
        return NULL;
}

int ac_option_u64(const struct ac_balancer_env *env, const char *key, uint64_t min, uint64_t max,
                  uint64_t *out)
{
        const char *text = ac_option_str(env, key);
        if (!text)
                return 0;
        if (*text < '0' || *text > '9')
                return AC_EINVAL; /* strtoull would take "-1" or " 1" */
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (*end != '\0')
                return AC_EINVAL;
        if (errno == ERANGE || v < min || v > max)
                return AC_ERANGE;
        *out = (uint64_t)v;
        return 0;
}

int ac_option_double(const struct ac_balancer_env *env, const char *key, double min, double max,
                     double *out)
{
        const char *text = ac_option_str(env, key);
        if (!text)
                return 0;
        if (*text == '\0' || *text == ' ' || *text == '\t')
                return AC_EINVAL;
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (*end != '\0' || isnan(v))
                return AC_EINVAL;
        if (errno == ERANGE || v < min || v > max)
                return AC_ERANGE;
        *out = v;
        return 0;
}
