#!/bin/sh
# tests/sweep_precision.sh - run.precision on a sweep (run by ctest with
# the build directory as $1 and ACSIM_SOURCE_DIR in the environment).
#
# Checks: a sweep of two policies on a fast and a slow card, with a target
# on the paired difference of the mean latency, adds replications until
# the difference is within 2% of the baseline's mean, stops there (more
# than the first batch, fewer than the cap), records the half-width
# achieved (<= the target) in sweep.csv, sweep.json and each point's
# summary.json, gives the baseline as many replications as its pair, and
# says so in comparison.txt; the same bytes come out with -j 1, 2 and 3;
# a target out of reach stops at the cap, says NOT reached, exits 1; run
# again into the same directory every point is reused (same bytes), and a
# different --baseline (which changes what runs) reruns them and --merge
# with it refuses the points of the first; stopped by SIGTERM in its
# rounds, the sweep resumes from the replications it saved, says so, and
# writes the bytes of a sweep never stopped; a sweep that does not vary the
# policy judges each point on its own interval, stopping where acsim run
# stops on that point; --emit and --points are refused, located, exit 2.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$T" || exit 1

cat >two.yaml <<'EOF'
name: two
run: {duration: 5ms, warmup: 1ms, replications: 3,
      precision: {metric: latency_ns.mean, half_width: 2%, max_replications: 30}}
devices:
  - {name: fast, lanes: 1, ring: 16, ops: {aes-gcm-enc: {setup: 1us, rate: 4GB/s}}}
  - {name: slow, lanes: 1, ring: 16, ops: {aes-gcm-enc: {setup: 2us, rate: 2GB/s}}}
workload:
  - {name: w, arrival: {process: poisson, rate: 500k/s}, size: {dist: exponential, mean: 1KiB},
     chain: [aes-gcm-enc]}
sweep:
  engine.policy: [least-loaded, round-robin]
EOF

# field FILE NAME: the first value of "NAME": in a JSON file.
field() {
	sed -n "s/^ *\"$2\": \([^,]*\),*\$/\1/p" "$1" | head -n 1
}

# same A B: the sweep's files and every point's summary.json (wall time
# aside) are byte-identical.
same() {
	for f in sweep.json sweep.csv comparison.txt; do
		cmp -s "$1/$f" "$2/$f" || fail "$1/$f and $2/$f differ: $(diff "$1/$f" "$2/$f" | head -6)"
	done
	for d in "$1"/p*/; do
		p=$(basename "$d")
		grep -v '"wall_time_s"' "$d/summary.json" >"$T/a"
		grep -v '"wall_time_s"' "$2/$p/summary.json" >"$T/b"
		cmp -s "$T/a" "$T/b" || fail "$1/$p and $2/$p differ: $(diff "$T/a" "$T/b" | head -6)"
	done
}

for j in 1 2 3; do
	expect 0 "$ACSIM" sweep two.yaml -j "$j" -o "j$j" && cp "$T/out" "$T/out$j"
done
has "$T/out1" '^precision: every target reached$'
has "$T/out1" '^  p001-policy=round-robin: [0-9]+ replications, reached$'
has "$T/out1" '^    latency_ns\.mean: own [0-9.]+%, difference [0-9.]+%$'
has j1/comparison.txt '^precision: every target reached$'
S0=j1/p000-policy=least-loaded/summary.json
S1=j1/p001-policy=round-robin/summary.json
n0=$(field "$S0" replications)
n1=$(field "$S1" replications)
[ "${n1:-0}" -gt 3 ] && [ "${n1:-0}" -lt 30 ] ||
	fail "round-robin ran $n1 replications: want more than the first 3, fewer than the cap 30"
[ "$n0" = "$n1" ] || fail "the baseline ran $n0 replications, its pair $n1: want as many"
d=$(field "$S1" difference_achieved)
awk -v d="$d" 'BEGIN { exit !(d > 0 && d <= 0.02) }' || fail "difference achieved $d, want <= 0.02"
grep -q '"baseline": "p000-policy=least-loaded"' "$S1" || fail "$S1: no baseline in its precision"
# sweep.csv: the last two columns of the pair's row, its half-widths
row=$(sed -n '3p' j1/sweep.csv)
head -n 1 j1/sweep.csv | grep -q ',precision_reached,latency_ns.mean_achieved,d_latency_ns.mean_achieved$' ||
	fail "sweep.csv: no precision columns: $(head -n 1 j1/sweep.csv)"
echo "$row" | awk -F, -v n="$n1" '{ exit !($(NF-2) == "true" && $(NF) > 0 && $(NF) <= 0.02 && $5 == n) }' ||
	fail "sweep.csv's round-robin row: $row"
grep -q '"capped_points": 0' j1/sweep.json || fail "sweep.json: capped_points is not 0"
grep -q "\"replications\": $n1," j1/sweep.json || fail "sweep.json: no point with $n1 replications"
same j1 j2
same j1 j3

# the same command again reuses both points, bytes unchanged
cp -r j1 again
expect 0 "$ACSIM" sweep two.yaml -j 2 -o again
has "$T/out" '^reused 2 of 2 points'
same j1 again
# another baseline changes what runs: the points run again, and a merge
# with it refuses those of the first baseline
expect 2 "$ACSIM" sweep two.yaml --merge --baseline round-robin -o j1
has "$T/err" 'points are stale'
expect 0 "$ACSIM" sweep two.yaml -j 2 --baseline round-robin -o again
grep -q '^reused' "$T/out" && fail "--baseline round-robin reused the points of least-loaded"
has again/comparison.txt '^  p000-policy=least-loaded: [0-9]+ replications, reached$'

# stopped in its rounds, a group resumes from the replications it saved
# (keys/*.runs) and ends with the bytes of a sweep never stopped
TIGHT="--set run.precision.half_width=0.5% --set run.precision.max_replications=24"
# shellcheck disable=SC2086 # $TIGHT is a list of words
expect 1 "$ACSIM" sweep two.yaml $TIGHT -j 1 -o whole
# shellcheck disable=SC2086
"$ACSIM" sweep two.yaml $TIGHT -j 1 -q -o stopped >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(find stopped/keys -name '*.runs' 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -TERM "$pid" 2>/dev/null || fail "the sweep ended before it could be stopped"
wait "$pid"
[ -e stopped/sweep.json ] && fail "a stopped sweep wrote sweep.json"
# shellcheck disable=SC2086
expect 1 "$ACSIM" sweep two.yaml $TIGHT -j 1 -o stopped
has "$T/out" '^resuming: [0-9]+ replications of 2 points kept by a stopped run$'
same whole stopped
[ -n "$(find stopped/keys -name '*.runs*')" ] && fail "saved runs left behind: $(ls -a stopped/keys)"

# out of reach: the cap, said plainly, exit status 1
expect 1 "$ACSIM" sweep two.yaml -j 2 --set run.precision.half_width=0.1% \
	--set run.precision.max_replications=5 -o cap
has "$T/out" '^precision: NOT reached at 2 of 2 points \(stopped at the cap, 5\)$'
has "$T/out" '^  p001-policy=round-robin: 5 replications, NOT reached \(cap\)$'
has "$T/err" 'FAILURE: run\.precision: 2 of 2 points stopped at the cap \(max_replications 5\)'
grep -q '"reached": false' cap/p001-policy=round-robin/summary.json || fail "cap: summary says reached"
grep -q '"capped_points": 2' cap/sweep.json || fail "cap: sweep.json's capped_points is not 2"

# no policy list: each point on its own interval, where acsim run stops
sed -e 's/^  engine.policy: .*$/  workload.0.arrival.rate: [300k\/s, 500k\/s]/' two.yaml >own.yaml
expect 0 "$ACSIM" sweep own.yaml -j 2 -o own
has "$T/out" '^  on each point.s own interval$'
expect 0 "$ACSIM" run own.yaml --set 'workload.0.arrival.rate=500k/s' -o run1
nr=$(field run1/summary.json replications)
ns=$(field own/p001-rate=500k/summary.json replications)
[ "$nr" = "$ns" ] || fail "the point stopped at $ns replications, acsim run at $nr"

# the rounds cannot be cut into jobs: refused, located, nothing written
expect 2 "$ACSIM" sweep two.yaml --emit parallel -o emitted
has "$T/err" '^two\.yaml:3:[0-9]+: error: run\.precision: --emit cannot run a sweep to a precision'
[ -e emitted ] && fail "a refused --emit wrote emitted/"
expect 2 "$ACSIM" sweep two.yaml --points 1 -o some
has "$T/err" '^two\.yaml:3:[0-9]+: error: run\.precision: --points cannot'
[ -e some ] && fail "a refused --points wrote some/"
# given by --set, the refusal names the --set
expect 2 "$ACSIM" sweep two.yaml --set 'run.precision={metric: latency_ns.mean, half_width: 2%}' \
	--emit slurm -o emitted
has "$T/err" '^--set run\.precision=\{metric: latency_ns\.mean, half_width: 2%\}: error: run\.precision: --emit cannot'
[ -e emitted ] && fail "a refused --emit wrote emitted/"

finish
