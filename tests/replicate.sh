#!/bin/sh
# tests/replicate.sh - acsim run -j: replications on several threads (run
# by ctest with the build directory as $1 and ACSIM_SOURCE_DIR in the
# environment).
#
# Checks: the whole result directory (summary.json, every CSV, the trace,
# scenario.yaml) is the same bytes for -j 1, 2 and 3 and the default, with
# five replications of two scenarios, the wall_time_s lines aside; seven
# replications with --trace on 1, 2, 3 and 4 threads (the workers share the
# last replications, each going on in stretches on whichever thread is
# free: sim/run/replicate.c), every replication's fingerprint among the
# bytes compared, and run.warmup: auto (two passes) on 1 and 2;
# --replication I gives run I of the whole, whatever -j; -j refuses 0,
# words and more than 1024 with exit status 2 and writes nothing.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1
export ACSIM_SCENARIOS="$SRC/scenarios"

SHORT="--set run.duration=40ms --set run.warmup=4ms --set run.replications=5"

# same DIR1 DIR2: every file of the two result directories is the same
# bytes, but for the lines that hold wall_time_s.
same() {
	a=$(cd "$1" && find . -type f | sort)
	b=$(cd "$2" && find . -type f | sort)
	[ "$a" = "$b" ] || { fail "$1 and $2 hold different files: $a / $b"; return; }
	for f in $a; do
		grep -v '"wall_time_s"' "$1/$f" >"$T/a"
		grep -v '"wall_time_s"' "$2/$f" >"$T/b"
		cmp -s "$T/a" "$T/b" || fail "$1/$f and $2/$f differ: $(diff "$T/a" "$T/b" | head -6)"
	done
}

for sc in default failover; do
	for j in 1 2 3 default; do
		opt="-j$j"
		[ "$j" = default ] && opt=""
		# shellcheck disable=SC2086 # $SHORT and $opt are lists of words
		expect 0 "$ACSIM" run "$sc" $SHORT $opt --trace -q -o "$T/$sc-$j"
	done
	[ -f "$T/$sc-1/trace.csv" ] || fail "$sc: no trace.csv"
	has "$T/$sc-1/summary.json" '^  "replications": 5,$'
	for j in 2 3 default; do
		same "$T/$sc-1" "$T/$sc-$j"
	done
done

# Seven replications: 2 + 2 opened one a worker on -j 2, the last three
# shared; on -j 3 and 4 all shared from the start or nearly.
SEVEN="--set run.duration=30ms --set run.warmup=3ms --set run.replications=7 --set run.sample=1ms"
for j in 1 2 3 4; do
	# shellcheck disable=SC2086
	expect 0 "$ACSIM" run default $SEVEN -j "$j" --trace -q -o "$T/seven-$j"
done
[ "$(grep -c '"fingerprint"' "$T/seven-1/summary.json")" -eq 7 ] ||
	fail "seven: not seven fingerprints in $T/seven-1/summary.json"
for j in 2 3 4; do
	same "$T/seven-1" "$T/seven-$j"
done
for j in 1 2; do
	expect 0 "$ACSIM" run default --set run.duration=30ms --set run.warmup=auto \
		--set run.replications=3 --set run.sample=500us -j "$j" -q -o "$T/auto-$j"
done
same "$T/auto-1" "$T/auto-2"

# Replication 3 alone is the fourth of the whole, on any number of threads.
# shellcheck disable=SC2086
expect 0 "$ACSIM" run default $SHORT --replication 3 -j 2 -q -o "$T/r3"
seed=$(grep -A1 '"replication": 3' "$T/r3/summary.json" | grep '"seed"')
[ -n "$seed" ] || fail "replication 3: no seed in $T/r3/summary.json"
grep -A1 '"replication": 3' "$T/default-2/summary.json" | grep -qF -- "$seed" ||
	fail "replication 3: $seed is not that of the whole run"

for bad in 0 two 1025; do
	expect 2 "$ACSIM" run default -j "$bad" -q -o "$T/bad"
	has "$T/err" '-j: expected 1\.\.1024'
	[ -e "$T/bad" ] && fail "-j $bad wrote $T/bad"
done

finish
