/*
 * ac/error.h - the core's error codes.
 *
 * Every core function that can fail returns an int: 0 (or a documented
 * positive outcome) on success, a negative AC_E* code on failure. The codes
 * come from one table, AC_ERRNO_MAP, so names, values and messages cannot
 * drift apart; ac_strerror() and ac_err_name() read the same table.
 */
#ifndef AC_ERROR_H
#define AC_ERROR_H

#define AC_ERRNO_MAP(X)                                                                            \
        X(EINVAL, -1, "invalid argument")                                                          \
        X(ENOMEM, -2, "out of memory")                                                             \
        X(ENODEV, -3, "no capable device")                                                         \
        X(ENOSPC, -4, "queue and backlog full")                                                    \
        X(EEXIST, -5, "name already registered")                                                   \
        X(ENOENT, -6, "no such name")                                                              \
        X(EIO, -7, "device error, retries exhausted")                                              \
        X(ETIMEDOUT, -8, "stage timed out, retries exhausted")                                     \
        X(EBUSY, -9, "device busy")                                                                \
        X(ESHUTDOWN, -10, "engine or device shut down")                                            \
        X(ERANGE, -11, "value out of range")

enum ac_errno {
#define AC_ERR_ENUM(name, value, msg) AC_##name = (value),
        AC_ERRNO_MAP(AC_ERR_ENUM)
#undef AC_ERR_ENUM
};

/* Returns a static, human-readable message for an AC_E* code (or "ok" for
 * 0, "unknown error" for anything else). */
const char *ac_strerror(int err);

/* Returns the code's name without the AC_ prefix ("ENODEV"), "OK" for 0,
 * "UNKNOWN" otherwise. For logs and result files. */
const char *ac_err_name(int err);

#endif
