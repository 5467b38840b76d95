/*
 * sim/results/result_dir.c - the result directory, written beside and renamed in
 * place. Order: check the target, make the parents, hold signals, write
 * the files into a temporary directory, move the old target aside, rename,
 * remove the old one, release the signals.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "sim/results/result_dir.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/results/write_csv.h"
#include "sim/results/write_json.h"

#define PATH_CAP 4096 /* longest path handled, with its NUL */

/* Writes "a/b" into buf[PATH_CAP]. Returns 0, or -1 (ENAMETOOLONG) when it
 * does not fit. */
static int join(char *buf, const char *a, const char *b)
{
        int n = snprintf(buf, PATH_CAP, "%s/%s", a, b);
        if (n < 0 || n >= PATH_CAP) {
                errno = ENAMETOOLONG;
                return -1;
        }
        return 0;
}

/* Splits path into its parent and its last component, without trailing
 * slashes. Returns 0, or -1 when it does not fit. */
static int split(const char *path, char *parent, size_t pcap, char *base, size_t bcap)
{
        char p[PATH_CAP];
        if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p) || p[0] == '\0')
                return -1;
        size_t len = strlen(p);
        while (len > 1 && p[len - 1] == '/')
                p[--len] = '\0';
        char *slash = strrchr(p, '/');
        const char *b = slash ? slash + 1 : p;
        if (b[0] == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
                return -1;
        if (snprintf(base, bcap, "%s", b) >= (int)bcap)
                return -1;
        if (slash == NULL)
                return snprintf(parent, pcap, ".") >= (int)pcap ? -1 : 0;
        if (slash == p)
                return snprintf(parent, pcap, "/") >= (int)pcap ? -1 : 0;
        *slash = '\0';
        return snprintf(parent, pcap, "%s", p) >= (int)pcap ? -1 : 0;
}

int result_dir_check(const char *dir, char *err, size_t errlen)
{
        char parent[PATH_CAP], base[256];
        if (split(dir, parent, sizeof(parent), base, sizeof(base)) < 0) {
                snprintf(err, errlen, "%s: not a usable output directory name", dir);
                return -1;
        }
        struct stat st;
        if (stat(dir, &st) != 0) {
                if (errno == ENOENT)
                        return 0;
                snprintf(err, errlen, "%s: %s", dir, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
                snprintf(err, errlen, "%s exists and is not a directory", dir);
                return -1;
        }
        char summary[PATH_CAP];
        if (join(summary, dir, RESULT_SUMMARY) != 0 || access(summary, F_OK) != 0) {
                snprintf(err, errlen,
                         "%s exists and is not a result directory (no %s); "
                         "choose another with -o",
                         dir, RESULT_SUMMARY);
                return -1;
        }
        return 0;
}

/* mkdir -p. Returns 0 or -1 with errno. */
static int make_parents(const char *path)
{
        char p[PATH_CAP];
        snprintf(p, sizeof(p), "%s", path); /* split() made it fit */
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, 0777) != 0 && errno != EEXIST)
                        return -1;
                *s = '/';
        }
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
                return -1;
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void remove_tree(const char *path)
{
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

typedef int (*csv_writer)(FILE *out, const struct replications *r);

static int write_csv(const char *tmp, const char *name, csv_writer write,
                     const struct replications *r, char *err, size_t errlen)
{
        char path[PATH_CAP];
        if (join(path, tmp, name) != 0) {
                snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
                return -1;
        }
        FILE *f = fopen(path, "w");
        int rc = f ? write(f, r) : -1;
        if (f && fclose(f) != 0)
                rc = -1;
        if (rc != 0)
                snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
        return rc;
}

/* Writes the scenario file's bytes, as loaded, to tmp/scenario.yaml.
 * Returns 0 or -1 with a reason in err[errlen]. */
static int write_source(const char *tmp, const struct provenance *p, char *err, size_t errlen)
{
        char path[PATH_CAP];
        if (join(path, tmp, RESULT_SCENARIO) != 0) {
                snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
                return -1;
        }
        FILE *f = fopen(path, "wb");
        int rc = f && fwrite(p->source, 1, p->source_len, f) == p->source_len ? 0 : -1;
        if (f && fclose(f) != 0)
                rc = -1;
        if (rc != 0)
                snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
        return rc;
}

static int write_files(const char *tmp, const struct replications *r, char *err, size_t errlen)
{
        char path[PATH_CAP];
        if (join(path, tmp, RESULT_SUMMARY) != 0 || write_json_file(path, r) != 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                return -1;
        }
        if (write_csv(tmp, RESULT_TIMESERIES, write_csv_timeseries, r, err, errlen) ||
            write_csv(tmp, RESULT_LATENCY_HIST, write_csv_latency_hist, r, err, errlen) ||
            write_csv(tmp, RESULT_DEVICES, write_csv_devices, r, err, errlen) ||
            write_csv(tmp, RESULT_FAULTS, write_csv_faults, r, err, errlen))
                return -1;
        if (r->n > 0 && r->runs[0].trace &&
            write_csv(tmp, RESULT_TRACE, write_csv_trace, r, err, errlen))
                return -1;
        if (r->origin.source && write_source(tmp, &r->origin, err, errlen))
                return -1;
        return 0;
}

int result_dir_write(const char *dir, const struct replications *r, char *err, size_t errlen)
{
        char parent[PATH_CAP], base[256];
        if (result_dir_check(dir, err, errlen) < 0)
                return -1;
        split(dir, parent, sizeof(parent), base, sizeof(base));
        if (make_parents(parent) != 0) {
                snprintf(err, errlen, "%s: %s", parent, strerror(errno));
                return -1;
        }

        sigset_t hold, old;
        sigemptyset(&hold);
        sigaddset(&hold, SIGINT);
        sigaddset(&hold, SIGTERM);
        sigaddset(&hold, SIGHUP);
        sigaddset(&hold, SIGQUIT);
        sigprocmask(SIG_BLOCK, &hold, &old);

        int rc = -1;
        char tmp[PATH_CAP], aside[PATH_CAP], name[300];
        snprintf(name, sizeof(name), ".%s.tmp-XXXXXX", base);
        int bad = join(tmp, parent, name);
        snprintf(name, sizeof(name), ".%s.old-XXXXXX", base);
        bad |= join(aside, parent, name);
        if (bad || mkdtemp(tmp) == NULL) {
                snprintf(err, errlen, "%s: %s", parent, strerror(errno));
                goto out;
        }
        mode_t mask = umask(0); /* mkdtemp made it 0700: give it the usual mode */
        umask(mask);
        chmod(tmp, 0777 & ~mask);
        if (write_files(tmp, r, err, errlen) != 0) {
                remove_tree(tmp);
                goto out;
        }
        struct stat st;
        bool replace = stat(dir, &st) == 0;
        /* rename() onto an empty directory replaces it: that moves the old
         * results aside under a name no one else uses. */
        if (replace && (mkdtemp(aside) == NULL || rename(dir, aside) != 0)) {
                snprintf(err, errlen, "%s: cannot move the old results aside: %s", dir,
                         strerror(errno));
                rmdir(aside);
                remove_tree(tmp);
                goto out;
        }
        if (rename(tmp, dir) != 0) {
                snprintf(err, errlen, "%s: %s", dir, strerror(errno));
                if (replace)
                        rename(aside, dir);
                remove_tree(tmp);
                goto out;
        }
        if (replace)
                remove_tree(aside);
        rc = 0;
out:
        sigprocmask(SIG_SETMASK, &old, NULL);
        return rc;
}
