#!/bin/sh
# tests/failmalloc.sh - every allocation failure of a small run survived
# (run by ctest with the build directory as $1 and ACSIM_SOURCE_DIR in the
# environment). acsim_failmalloc is acsim with the allocator of
# tests/failmalloc/failmalloc.c.
#
# Counts the allocations `acsim run tests/data/failmalloc/small.yaml`
# makes, then runs it once for every N with the Nth failing, and once for
# every fourth N with every allocation from the Nth on failing. Each run
# must end with exit status 0, 1 or 2 -- never a crash, an AddressSanitizer
# or LeakSanitizer report (their exit statuses are set apart here) or a
# signal; a failed one must say so on stderr ("out of memory", or the
# errno's text) and leave nothing in the output's directory, not even a
# hidden temporary; one that succeeds must write the same files as a run
# without failures (wall time aside).
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1

FM=$BUILD/acsim_failmalloc
SCEN=tests/data/failmalloc/small.yaml
[ -x "$FM" ] || { echo "$name: no $FM" >&2; exit 1; }
export ASAN_OPTIONS=exitcode=99 LSAN_OPTIONS=exitcode=98

expect 0 env ACSIM_FAILMALLOC_COUNT="$T/count" "$FM" run "$SCEN" -o "$T/ref" -q
n=$(cat "$T/count")
[ "$n" -gt 100 ] || fail "only $n allocations counted"

strip() { grep -v '"wall_time_s"' "$1"; }

# one N PERSIST: the run with the Nth allocation failing (and every later
# one too when PERSIST is 1)
one() {
	mkdir "$T/w"
	ACSIM_FAILMALLOC=$1 ACSIM_FAILMALLOC_PERSIST=$2 "$FM" run "$SCEN" -o "$T/w/out" -q \
		>"$T/fm.out" 2>"$T/fm.err"
	rc=$?
	case $rc in
	0)
		for f in summary.json devices.csv faults.csv latency_hist.csv timeseries.csv; do
			strip "$T/ref/$f" >"$T/a"
			strip "$T/w/out/$f" >"$T/b" 2>/dev/null
			cmp -s "$T/a" "$T/b" || fail "N=$1 persist=$2: exit 0 but $f differs"
		done
		;;
	1 | 2)
		grep -Eq 'out of memory|Cannot allocate memory' "$T/fm.err" ||
			fail "N=$1 persist=$2: exit $rc without saying why: $(head -c 300 "$T/fm.err")"
		left=$(ls -A "$T/w")
		[ -z "$left" ] || fail "N=$1 persist=$2: exit $rc left $left behind"
		;;
	*)
		fail "N=$1 persist=$2: exit $rc: $(head -c 600 "$T/fm.err")"
		;;
	esac
	rm -rf "$T/w"
}

i=1
while [ "$i" -le "$n" ]; do
	one "$i" 0
	[ $((i % 4)) -eq 1 ] && one "$i" 1
	i=$((i + 1))
done
echo "$name: $n allocations, each failed in turn"
finish
