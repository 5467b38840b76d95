#!/bin/sh
# tests/compare.sh - `acsim compare` and tools/regress.sh end to end on real
# runs (run by ctest with the build directory as $1 and ACSIM_SOURCE_DIR in
# the environment). The rules themselves are tested in test_compare.c.
#
# Checks: two runs of one short scenario compare as identical (exit 0,
# every figure "same"); a copy of summary.json with p99 +50% and
# throughput -20% is flagged (exit 1, two REGRESSION rows), the other way
# round it is "better" (exit 0); a +3% mean is ok; bad input exits 2 with a
# message; a planted 2% change on the same seeds is found by the paired
# difference and hidden by independent intervals on other seeds;
# tools/regress.sh records baselines of a one-scenario library and
# checks an unchanged build against them with zero change, and fails once
# a baseline is made better than the build.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1

SHORT="--set run.duration=50ms --set run.warmup=5ms --set run.replications=3"

# scale SUMMARY KEY FACTOR: multiplies the whole run's figure KEY (in
# latency_ns, throughput or requests) by FACTOR, in place, at the top level
# and in every replication of replications_detail alike (the classes are
# left alone), as a real change of the run would move it.
scale() {
	python3 - "$1" "$2" "$3" <<'PY' || fail "scale $1 $2"
import json, sys
path, key, f = sys.argv[1], sys.argv[2], float(sys.argv[3])
d = json.load(open(path))
for o in [d] + d.get("replications_detail", []):
    for part in ("latency_ns", "throughput", "requests"):
        if key in o.get(part, {}):
            o[part][key] *= f
json.dump(d, open(path, "w"), indent=2)
PY
}

# ---- two runs of one build: identical -------------------------------------------
# shellcheck disable=SC2086
"$ACSIM" run default -o "$T/a" --quiet $SHORT || fail "run a"
# shellcheck disable=SC2086
"$ACSIM" run default -o "$T/b" --quiet $SHORT || fail "run b"
if expect 0 "$ACSIM" compare "$T/a" "$T/b"; then
	has "$T/out" '^all +lat p99 .* 0  ok$'
	has "$T/out" '^small +throughput '
	has "$T/out" '^0 regressions in [0-9]+ comparisons \(1 run\): 0 better, 0 noise, ([0-9]+) same$'
	n=$(sed -n 's/^0 regressions in \([0-9]*\) comparisons.*, \([0-9]*\) same.*/\1 \2/p' "$T/out")
	[ -n "$n" ] && [ "${n% *}" = "${n#* }" ] || fail "not every figure the same: $n"
fi
expect 0 "$ACSIM" compare --brief "$T/a" "$T/b" && has "$T/out" '^  every figure the same as the baseline'

# ---- an injected regression ----------------------------------------------------
mkdir "$T/c" && cp "$T/a/summary.json" "$T/c/summary.json"
scale "$T/c/summary.json" p99 1.5
scale "$T/c/summary.json" requests_per_s 0.8
if expect 1 "$ACSIM" compare "$T/a" "$T/c"; then
	has "$T/out" '^all +lat p99 .* \+(49\.9|50\.0)%  REGRESSION$'
	has "$T/out" '^all +throughput .* -20\.0%  REGRESSION$'
	has "$T/out" '^2 regressions in '
fi
expect 1 "$ACSIM" compare -b "$T/a" "$T/c" && has "$T/out" 'REGRESSION$'
# the same change the other way is an improvement
expect 0 "$ACSIM" compare "$T/c" "$T/a" && has "$T/out" '^all +lat p99 .*  better$'
# a larger threshold lets it through
expect 0 "$ACSIM" compare --threshold 60 "$T/a" "$T/c"

# ---- a planted 2% change, paired -------------------------------------------------
# The arrival rate 2% lower on the same seeds: throughput -2%. Independent
# intervals of three short replications would call it noise; both sides
# ran the same seeds, so the paired difference finds it (docs/regressions.md).
# shellcheck disable=SC2086
"$ACSIM" run default -o "$T/p" --quiet $SHORT --set workload.small.arrival.rate=588k/s \
	--set workload.bulk.arrival.rate=39.2k/s || fail "run p"
if expect 1 "$ACSIM" compare --threshold 1 "$T/a" "$T/p"; then
	has "$T/out" '^all +throughput .* paired .* -2\.[0-9]%  REGRESSION$'
	has "$T/out" '^paired: both sides ran the same seeds'
fi
# the same change on other seeds does not pair up: the independent
# intervals overlap and hide it
# shellcheck disable=SC2086
"$ACSIM" run default -o "$T/q" --quiet $SHORT --seed 2 --set workload.small.arrival.rate=588k/s \
	--set workload.bulk.arrival.rate=39.2k/s || fail "run q"
expect 0 "$ACSIM" compare --threshold 1 "$T/a" "$T/q" &&
	has "$T/out" '^all +throughput +[0-9.]+ k/s +[0-9.]+ k/s .*noise \(CI\)$'

# ---- a change within the threshold -------------------------------------------------
mkdir "$T/d" && cp "$T/a/summary.json" "$T/d/summary.json"
scale "$T/d/summary.json" mean 1.03
expect 0 "$ACSIM" compare "$T/a" "$T/d" && has "$T/out" '^all +lat mean .* \+3\.0%  ok$'

# ---- bad input -------------------------------------------------------------------
expect 2 "$ACSIM" compare "$T/a" && has "$T/err" 'BASELINE and NEW'
expect 2 "$ACSIM" compare "$T/a" "$T/nowhere" && has "$T/err" 'nowhere: No such file'
mkdir "$T/e" && echo '{"latency_ns": ' >"$T/e/summary.json"
expect 2 "$ACSIM" compare "$T/a" "$T/e" && has "$T/err" 'e/summary.json:.*not JSON'
expect 2 "$ACSIM" compare --threshold lots "$T/a" "$T/b" && has "$T/err" 'threshold'
expect 0 "$ACSIM" compare --help && has "$T/out" '^Usage: acsim compare BASELINE NEW'

# ---- tools/regress.sh on a library of one scenario --------------------------------
mkdir -p "$T/lib" "$T/base"
cp scenarios/default.yaml "$T/lib/"
printf '%s\n' '# test settings' '--set run.duration=50ms' '--set run.warmup=5ms' \
	'--set run.replications=3' >"$T/base/settings"
export SCENARIOS="$T/lib" BASELINES="$T/base" REGRESS_OUT="$T/regress" JOBS=1
if expect 0 sh tools/regress.sh baselines "$BUILD"; then
	[ -f "$T/base/default/summary.json" ] || fail "regress baselines: no default/summary.json"
	[ -f "$T/base/settings" ] || fail "regress baselines: settings lost"
	[ -z "$(find "$T/base" -name '*.csv')" ] || fail "regress baselines: CSVs kept"
fi
expect 0 sh tools/regress.sh check "$BUILD" &&
	has "$T/out" '^0 regressions in [0-9]+ comparisons \(1 run\): 0 better, 0 noise, [0-9]+ same$' &&
	has "$T/regress/compare.txt" '^all +lat p99 '
# a planted 2% change of the library's scenario: make regress finds it
# (paired, at its 1% threshold)
cp "$T/lib/default.yaml" "$T/default.yaml.orig"
sed -i 's/rate: 600k\/s/rate: 588k\/s/; s/rate: 40k\/s/rate: 39.2k\/s/' "$T/lib/default.yaml"
expect 1 sh tools/regress.sh check "$BUILD" &&
	has "$T/out" '^all +throughput .* paired .* -2\.[0-9]%  REGRESSION$' &&
	has "$T/out" 'note: scenario file differs'
cp "$T/default.yaml.orig" "$T/lib/default.yaml"
scale "$T/base/default/summary.json" p99 0.5
expect 1 sh tools/regress.sh check "$BUILD" && has "$T/out" '^all +lat p99 .*REGRESSION$'

finish
