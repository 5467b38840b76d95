/*
 * bench/bench_util.h - what every benchmark under bench/ reports with:
 * the median of its runs and the machine's load average beside it, and a
 * measurement run in a child process of its own, so that its peak RSS is
 * its own. Header-only, so each benchmark stays one file.
 */
#ifndef ACSIM_BENCH_UTIL_H
#define ACSIM_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline int bench_cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

/* The median of v[0..n) (n > 0); sorts v in place. */
static inline double bench_median(double *v, size_t n)
{
        qsort(v, n, sizeof(*v), bench_cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The 1-minute load average, or -1. */
static inline double bench_load_average(void)
{
        double load = -1;
        FILE *f = fopen("/proc/loadavg", "r");
        if (f) {
                if (fscanf(f, "%lf", &load) != 1)
                        load = -1;
                fclose(f);
        }
        return load;
}

/* Field `field` of CPU 0's cache `index` in sysfs ("level", "type",
 * "size"), its newline cut, into buf; false when sysfs has none. */
static inline bool bench_cache_field(int index, const char *field, char *buf, int n)
{
        char path[96];
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/%s", index, field);
        FILE *f = fopen(path, "r");
        bool ok = f && fgets(buf, n, f);
        if (f)
                fclose(f);
        if (ok)
                buf[strcspn(buf, "\n")] = '\0';
        return ok;
}

/* The data caches of CPU 0 as sysfs gives them, "L1d 48K, L2 2048K, L3
 * 266240K", into buf (size n > 0); "unknown" where sysfs has none. A
 * figure that depends on what fits in a cache (bench_supermarket
 * --devices) prints it beside itself. */
static inline void bench_caches(char *buf, size_t n)
{
        size_t len = 0;
        buf[0] = '\0';
        for (int i = 0; i < 8 && len < n; i++) {
                char level[8], type[16], size[24];
                if (!bench_cache_field(i, "level", level, sizeof(level)) ||
                    !bench_cache_field(i, "type", type, sizeof(type)) ||
                    !bench_cache_field(i, "size", size, sizeof(size)) ||
                    strcmp(type, "Instruction") == 0)
                        continue;
                len += (size_t)snprintf(buf + len, n - len, "%sL%s%s %s", len ? ", " : "", level,
                                        strcmp(type, "Data") == 0 ? "d" : "", size);
        }
        if (buf[0] == '\0')
                snprintf(buf, n, "unknown");
}

/* Runs fn(ctx, out) in a child process and copies the child's *out (size
 * bytes) back into *out, and its peak RSS in MiB into *rss_mib. Returns 0,
 * or -1 when the child could not be started or did not report (*out is
 * then as it was). */
static inline int bench_in_child(void (*fn)(void *ctx, void *out), void *ctx, void *out,
                                 size_t size, double *rss_mib)
{
        int fd[2];
        if (pipe(fd) != 0)
                return -1;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
                close(fd[0]);
                close(fd[1]);
                return -1;
        }
        if (pid == 0) {
                close(fd[0]);
                fn(ctx, out);
                struct rusage ru;
                getrusage(RUSAGE_SELF, &ru);
                double rss = (double)ru.ru_maxrss / 1024.0;
                int ok = write(fd[1], &rss, sizeof(rss)) == (ssize_t)sizeof(rss) &&
                         write(fd[1], out, size) == (ssize_t)size;
                _exit(ok ? 0 : 1);
        }
        close(fd[1]);
        double rss = 0;
        int ok = read(fd[0], &rss, sizeof(rss)) == (ssize_t)sizeof(rss);
        /* a pipe's buffer holds the figures whole: one read each */
        unsigned char buf[4096];
        ok = ok && size <= sizeof(buf) && read(fd[0], buf, size) == (ssize_t)size;
        close(fd[0]);
        int status;
        ok = waitpid(pid, &status, 0) == pid && ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok)
                return -1;
        for (size_t i = 0; i < size; i++)
                ((unsigned char *)out)[i] = buf[i];
        *rss_mib = rss;
        return 0;
}

#endif
