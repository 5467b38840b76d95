#!/bin/sh
# The seam (docs/architecture.md, "The seam"): core_impl/ and policies/ include nothing of sim/,
# models/, GSL, libyaml or jansson, and read no clock, random source or
# environment directly; those come through the platform ops table.
set -u
top="${1:-.}"
cd "$top" || exit 2
status=0
bad=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](gsl/|yaml\.h|jansson|sim/|models/|\.\./sim|\.\./models|time\.h|sys/time\.h|pthread\.h|unistd\.h)' \
	core_impl policies 2>/dev/null)
if [ -n "$bad" ]; then
	echo "seam: core includes what it must not:" >&2
	echo "$bad" >&2
	status=1
fi
bad=$(grep -rnE '\b(clock_gettime|gettimeofday|time|clock|rand|random|rand_r|srand|srandom|drand48|getenv|secure_getenv|getrandom)[[:space:]]*\(' \
	core_impl policies --include='*.c' --include='*.h' 2>/dev/null | grep -vE ':[[:space:]]*(\*|//|/\*)')
if [ -n "$bad" ]; then
	echo "seam: core reads a clock, a random source or the environment directly:" >&2
	echo "$bad" >&2
	status=1
fi
[ $status -eq 0 ] && echo "seam: core_impl/ and policies/ are clean"
exit $status
