/*
 * test_core_error.c - the error table: every code has a distinct value, a
 * name and a message, and unknown codes are reported as such.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ac/error.h"

Test(core_error, every_code_has_name_and_message)
{
        static const int codes[] = {
#define AC_ERR_CODE(name, value, msg) AC_##name,
            AC_ERRNO_MAP(AC_ERR_CODE)
#undef AC_ERR_CODE
        };
        size_t n = sizeof(codes) / sizeof(codes[0]);
        for (size_t i = 0; i < n; i++) {
                cr_assert_lt(codes[i], 0);
                cr_assert_str_neq(ac_strerror(codes[i]), "unknown error");
                cr_assert_str_neq(ac_err_name(codes[i]), "UNKNOWN");
                for (size_t j = i + 1; j < n; j++)
                        cr_assert_neq(codes[i], codes[j]);
        }
        cr_assert_str_eq(ac_err_name(AC_ENODEV), "ENODEV");
        cr_assert_str_eq(ac_strerror(0), "ok");
        cr_assert_str_eq(ac_strerror(12345), "unknown error");
}
