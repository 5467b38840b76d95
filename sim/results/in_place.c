/*
 * sim/results/in_place.c - a file or a directory written beside its target
 * and renamed in place (sim/results/in_place.h). Layout: names (the
 * parent, the temporaries), holding the signals, the tree removal, then
 * the directory and the file.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "sim/results/in_place.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_CAP 4096 /* longest path handled, with its NUL */

/* Splits path into its parent and its last component, without trailing
 * slashes. Returns 0, or -1 when it does not fit or names no entry. */
static int split(const char *path, char *parent, char *base, size_t bcap)
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
                return snprintf(parent, PATH_CAP, ".") >= PATH_CAP ? -1 : 0;
        if (slash == p)
                return snprintf(parent, PATH_CAP, "/") >= PATH_CAP ? -1 : 0;
        *slash = '\0';
        return snprintf(parent, PATH_CAP, "%s", p) >= PATH_CAP ? -1 : 0;
}

bool in_place_usable(const char *path)
{
        char parent[PATH_CAP], base[256];
        return split(path, parent, base, sizeof(base)) == 0;
}

int in_place_dir_exists(const char *dir, struct sim_error *e)
{
        struct stat st;
        if (stat(dir, &st) != 0) {
                if (errno == ENOENT)
                        return 0;
                return sim_fail(e, -1, "%s: %s", dir, strerror(errno));
        }
        if (!S_ISDIR(st.st_mode))
                return sim_fail(e, -1, "%s exists and is not a directory", dir);
        return 1;
}

/* Writes PARENT/.BASE.WHAT-XXXXXX into buf[PATH_CAP]. Returns 0, or -1
 * (ENAMETOOLONG) when it does not fit. */
static int beside(char *buf, const char *parent, const char *base, const char *what)
{
        int n = snprintf(buf, PATH_CAP, "%s/.%s.%s-XXXXXX", parent, base, what);
        if (n < 0 || n >= PATH_CAP) {
                errno = ENAMETOOLONG;
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

/* Gives a temporary that mkstemp or mkdtemp made private the usual mode. */
static void usual_mode(const char *path, mode_t mode)
{
        mode_t mask = umask(0);
        umask(mask);
        chmod(path, mode & ~mask);
}

static void hold_signals(sigset_t *old)
{
        sigset_t hold;
        sigemptyset(&hold);
        sigaddset(&hold, SIGINT);
        sigaddset(&hold, SIGTERM);
        sigaddset(&hold, SIGHUP);
        sigaddset(&hold, SIGQUIT);
        sigprocmask(SIG_BLOCK, &hold, old);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void remove_tree(const char *path)
{
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- a directory ------------------------------------------------------- */

/* in_place_dir() with the signals held. */
static int put_dir(const char *dir, const char *parent, const char *base, in_place_dir_fill fill,
                   void *ctx, struct sim_error *e)
{
        char tmp[PATH_CAP], aside[PATH_CAP];
        if (beside(tmp, parent, base, "tmp") || beside(aside, parent, base, "old") ||
            mkdtemp(tmp) == NULL)
                return sim_fail(e, -1, "%s: %s", parent, strerror(errno));
        usual_mode(tmp, 0777);
        if (fill(tmp, ctx, e) != 0) {
                remove_tree(tmp);
                return -1;
        }
        struct stat st;
        bool replace = stat(dir, &st) == 0;
        /* rename() onto an empty directory replaces it: that moves the old
         * one aside under a name no one else uses. */
        if (replace && (mkdtemp(aside) == NULL || rename(dir, aside) != 0)) {
                sim_fail(e, -1, "%s: cannot move the old results aside: %s", dir, strerror(errno));
                rmdir(aside);
                remove_tree(tmp);
                return -1;
        }
        if (rename(tmp, dir) != 0) {
                sim_fail(e, -1, "%s: %s", dir, strerror(errno));
                if (replace)
                        rename(aside, dir);
                remove_tree(tmp);
                return -1;
        }
        if (replace)
                remove_tree(aside);
        return 0;
}

int in_place_dir(const char *dir, in_place_dir_fill fill, void *ctx, struct sim_error *e)
{
        char parent[PATH_CAP], base[256];
        if (split(dir, parent, base, sizeof(base)) < 0)
                return sim_fail(e, -1, "%s: not a usable output directory name", dir);
        if (make_parents(parent) != 0)
                return sim_fail(e, -1, "%s: %s", parent, strerror(errno));
        sigset_t old;
        hold_signals(&old);
        int rc = put_dir(dir, parent, base, fill, ctx, e);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return rc;
}

/* ---- a file ------------------------------------------------------------- */

/* in_place_file() with the signals held. */
static int put_file(const char *path, const char *parent, const char *base, in_place_file_fill fill,
                    void *ctx, struct sim_error *e)
{
        char tmp[PATH_CAP];
        int fd = beside(tmp, parent, base, "tmp") == 0 ? mkstemp(tmp) : -1;
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (f == NULL) {
                sim_fail(e, -1, "%s: %s", tmp, strerror(errno));
                if (fd >= 0) {
                        close(fd);
                        unlink(tmp);
                }
                return -1;
        }
        int rc = fill(f, ctx);
        if (fclose(f) != 0)
                rc = -1;
        usual_mode(tmp, 0666);
        if (rc != 0 || rename(tmp, path) != 0) {
                sim_fail(e, -1, "%s: %s", path, strerror(errno ? errno : EIO));
                unlink(tmp);
                return -1;
        }
        return 0;
}

int in_place_file(const char *path, in_place_file_fill fill, void *ctx, struct sim_error *e)
{
        char parent[PATH_CAP], base[256];
        if (split(path, parent, base, sizeof(base)) < 0)
                return sim_fail(e, -1, "%s: not a usable file name", path);
        sigset_t old;
        hold_signals(&old);
        int rc = put_file(path, parent, base, fill, ctx, e);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return rc;
}
