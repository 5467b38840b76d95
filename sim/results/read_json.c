/*
 * sim/results/read_json.c - opening a JSON result file (sim/results/read_json.h).
 */
#include "sim/results/read_json.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

json_t *read_json_object(const char *path, struct sim_error *e)
{
        json_error_t jerr;
        json_t *j = json_load_file(path, 0, &jerr);
        if (j == NULL) {
                struct stat st;
                if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                        sim_fail(e, -1, "%s: %s", path, strerror(errno ? errno : ENOENT));
                else
                        sim_fail(e, -1, "%s:%d:%d: not JSON: %s", path, jerr.line, jerr.column,
                                 jerr.text);
                return NULL;
        }
        if (!json_is_object(j)) {
                sim_fail(e, -1, "%s: expected a JSON object", path);
                json_decref(j);
                return NULL;
        }
        return j;
}
