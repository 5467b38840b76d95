#!/bin/sh
# Fails if any C source differs from what clang-format makes of it.
set -u
top="${1:-.}"
cd "$top" || exit 2
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.c' -o -name '*.h')
[ -z "$files" ] && exit 0
# shellcheck disable=SC2086
if ! clang-format --dry-run --Werror $files; then
	echo "format: run 'make format'" >&2
	exit 1
fi
echo "format: clean"
