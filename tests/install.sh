#!/bin/sh
# tests/install.sh - `make install` into a scratch prefix (run by ctest with
# the build directory as $1 and ACSIM_SOURCE_DIR in the environment): the
# core library, its headers and acsim-core.pc land there, and a small
# program of one's own compiles and links against them through pkg-config
# alone, then runs; the library's scenarios (scenarios/LIBRARY) are
# installed.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"

command -v pkg-config >/dev/null 2>&1 || { echo "install.sh: no pkg-config: skipped"; exit 0; }
P=$T/prefix
expect 0 cmake --install "$BUILD" --prefix "$P" || { finish; exit 1; }
[ -f "$P/lib/libacsim_core.a" ] || fail "no lib/libacsim_core.a"
[ -f "$P/include/ac/engine.h" ] || fail "no include/ac/engine.h"
[ -f "$P/lib/pkgconfig/acsim-core.pc" ] || fail "no lib/pkgconfig/acsim-core.pc"
[ -f "$P/share/acsim/scenarios/default.yaml" ] || fail "the library's default.yaml not installed"

cat >"$T/mine.c" <<'C'
#include <stdio.h>
#include <string.h>

#include "ac/balancer.h"
#include "ac/engine.h"
#include "ac/error.h"

int main(void)
{
        struct ac_engine_config cfg;
        ac_engine_config_defaults(&cfg);
        const struct ac_balancer_ops *b = ac_balancer_find("least-loaded");
        if (b == NULL || strcmp(ac_err_name(AC_ENOMEM), "ENOMEM") != 0)
                return 1;
        printf("%s %s\n", b->name, ac_err_name(AC_ENOMEM));
        return 0;
}
C
# bash completion (it completes commands and scenario names), and the man
# page where help2man is installed
C=$P/share/bash-completion/completions/acsim
if [ -f "$C" ]; then
	expect 0 bash -c ". '$C' && COMP_WORDS=(acsim sw) COMP_CWORD=1 && _acsim && echo \"\${COMPREPLY[*]}\"" &&
		has "$T/out" '^sweep$'
	expect 0 bash -c "PATH='$BUILD':\$PATH; cd '$SRC' && . '$C' && COMP_WORDS=(acsim run def) COMP_CWORD=2 && _acsim && echo \"\${COMPREPLY[*]}\"" &&
		has "$T/out" '(^| )default( |$)'
else
	fail "no bash completion installed"
fi
if command -v help2man >/dev/null 2>&1; then
	[ -f "$P/share/man/man1/acsim.1" ] || fail "no share/man/man1/acsim.1"
	has "$P/share/man/man1/acsim.1" '^\.SH COMMANDS'
	has "$P/share/man/man1/acsim.1" '^Usage: acsim sweep SCENARIO.yaml'
fi

export PKG_CONFIG_PATH="$P/lib/pkgconfig"
expect 0 pkg-config --modversion acsim-core && has "$T/out" '^[0-9]+\.[0-9]+\.[0-9]+$'
# shellcheck disable=SC2046 # the flags are words
if expect 0 cc -std=c11 -Wall -Werror "$T/mine.c" -o "$T/mine" $(pkg-config --cflags --libs acsim-core); then
	expect 0 "$T/mine" && has "$T/out" '^least-loaded ENOMEM$'
fi
finish
