/*
 * error.c - names and messages of the AC_E* codes, read from AC_ERRNO_MAP.
 */
#include "ac/error.h"

const char *ac_strerror(int err)
{
        if (err == 0)
                return "ok";
        switch (err) {
#define AC_ERR_MSG(name, value, msg)                                                               \
        case AC_##name:                                                                            \
                return msg;
                AC_ERRNO_MAP(AC_ERR_MSG)
#undef AC_ERR_MSG
        }
        return "unknown error";
}

const char *ac_err_name(int err)
{
        if (err == 0)
                return "OK";
        switch (err) {
#define AC_ERR_NAME(name, value, msg)                                                              \
        case AC_##name:                                                                            \
                return #name;
                AC_ERRNO_MAP(AC_ERR_NAME)
#undef AC_ERR_NAME
        }
        return "UNKNOWN";
}
