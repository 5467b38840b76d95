#!/bin/sh
# tests/precision.sh - run.precision through the command line (run by
# ctest with the build directory as $1 and ACSIM_SOURCE_DIR in the
# environment).
#
# Checks: on the library's default scenario, shortened, a p99 target
# stops at the first replication count that meets it, says so, records
# the half-width achieved (within the target) in summary.json, and gives
# the same bytes with -j 1, 2 and 3 (replication i has seed i whatever
# the batch); a target out of reach stops at the cap with exit status 1
# and says NOT reached; two metrics are both met and both recorded; an
# unknown metric and a bad half-width are refused
# with exit status 2. Sweeps: tests/sweep_precision.sh.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1
export ACSIM_SCENARIOS="$SRC/scenarios"

SHORT="--set run.duration=100ms --set run.warmup=10ms --set run.replications=3"
P='run.precision={metric: latency_ns.p99, half_width: 1%, max_replications: 30}'

# shellcheck disable=SC2086 # $SHORT is a list of words
for j in 1 2 3; do
	expect 0 "$ACSIM" run default $SHORT --set "$P" -j "$j" -o "$T/p$j"
	cp "$T/out" "$T/out$j"
done
has "$T/out1" '^precision: every target reached after [0-9]+ replications \(cap 30\)$'
has "$T/out1" '^  latency_ns\.p99: 95% half-width [0-9.]+% of the mean, target 1%$'
S=$T/p1/summary.json
grep -A6 '^  "precision": {' "$S" | grep -q '"reached": true' || fail "precision: not reached"
a=$(sed -n 's/^        "achieved": \([^,]*\),*$/\1/p' "$S")
awk -v a="$a" 'BEGIN { exit !(a > 0 && a <= 0.01) }' || fail "achieved $a, want <= 0.01"
n=$(sed -n 's/^  "replications": \([0-9]*\),$/\1/p' "$S")
[ "${n:-0}" -ge 3 ] || fail "$n replications, want at least run.replications = 3"
for j in 2 3; do
	grep -v '"wall_time_s"' "$T/p1/summary.json" >"$T/a"
	grep -v '"wall_time_s"' "$T/p$j/summary.json" >"$T/b"
	cmp -s "$T/a" "$T/b" || fail "-j 1 and -j $j differ: $(diff "$T/a" "$T/b" | head -6)"
done

# Two metrics: both must be met.
# shellcheck disable=SC2086
expect 0 "$ACSIM" run default $SHORT -j 2 --set 'run.precision={metrics: [{metric: latency_ns.p99, half_width: 1%}, {metric: throughput.requests_per_s, half_width: 2000}], max_replications: 30}' -o "$T/two"
has "$T/out" '^  latency_ns\.p99: 95% half-width [0-9.]+% of the mean, target 1%$'
has "$T/out" '^  throughput\.requests_per_s: 95% half-width [0-9.e+]+, target 2000$'
[ "$(grep -c '"metric": ' "$T/two/summary.json")" -eq 2 ] || fail "two metrics: not both in summary.json"

# shellcheck disable=SC2086
expect 1 "$ACSIM" run default $SHORT -j 2 \
	--set 'run.precision={metric: latency_ns.p99, half_width: 0.01%, max_replications: 4}' -o "$T/cap"
has "$T/out" '^precision: NOT reached, stopped at the cap after 4 replications \(cap 4\)$'
has "$T/err" 'FAILURE: run\.precision: the targets were not reached in 4 replications'

# shellcheck disable=SC2086
expect 2 "$ACSIM" run default $SHORT --set 'run.precision={metric: latency.p99, half_width: 1%}' -o "$T/bad"
has "$T/err" 'run\.precision\.metric: expected one of latency_ns\.count'
# shellcheck disable=SC2086
expect 2 "$ACSIM" run default $SHORT --set 'run.precision={metric: latency_ns.p99, half_width: 1 %}' -o "$T/bad"
has "$T/err" 'half_width: expected a positive half-width'
[ -e "$T/bad" ] && fail "a refused scenario wrote $T/bad"

finish
