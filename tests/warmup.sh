#!/bin/sh
# tests/warmup.sh - run.warmup: auto through the command line (run by
# ctest with the build directory as $1 and ACSIM_SOURCE_DIR in the
# environment).
#
# Checks: an M/M/1 queue at rho 0.5 whose server runs three times slower
# for its first 10 ms (a backlog that takes about 20 ms to clear) gets a
# warm-up MSER-5 finds between 10 and 40 ms, applied as the run's
# warmup_ns, with the number in system then within 10% of rho / (1 - rho)
# = 1; the same bytes with -j 1 and -j 2; an overloaded queue is reported
# as never settling (exit status 1, summary written, settled false);
# `warmup: soon` and a series too coarse for MSER-5 are refused with exit
# status 2 and a located message. With gnuplot: `acsim plot` of the run
# draws the cut at summary.json's warmup_ns and a mark at each
# replication's own MSER-5 point (plots/data/devices.gp, in ms, and the
# text plot's key), the overloaded queue's cut keyed as unsettled; a run
# with a fixed warm-up has neither.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1

cat >"$T/slow.yaml" <<'YAML'
name: slow-start
seed: 5
run: {duration: 100ms, warmup: auto, replications: 4, sample: 200us}
engine: {policy: round-robin, queue: {depth: 100000, backlog: 100000}}
devices:
  - name: server
    lanes: 1
    ring: 1
    ops:
      op: {service: {dist: exponential, mean: 1us}}
workload:
  - name: jobs
    arrival: {process: poisson, rate: 500k/s}
    size: {dist: constant, value: 64}
    chain: [op]
faults:
  - {at: 1us, device: server, mode: slow, factor: 3, for: 10ms}
YAML

# top KEY FILE: the value of a top-level key of summary.json.
top() {
	sed -n "s/^  \"$1\": \\([^,]*\\),*\$/\\1/p" "$2" | head -n 1
}

expect 0 "$ACSIM" run "$T/slow.yaml" -q -j 1 -o "$T/s1"
expect 0 "$ACSIM" run "$T/slow.yaml" -q -j 2 -o "$T/s2"
S=$T/s1/summary.json
grep -A3 '^  "warmup": {' "$S" | grep -q '"settled": true' || fail "slow start: not settled"
has "$S" '^    "method": "mser-5",$'
w=$(top warmup_ns "$S")
found=$(grep -A4 '^  "warmup": {' "$S" | sed -n 's/^    "warmup_ns": \([0-9]*\),$/\1/p')
[ -n "$w" ] && [ "$w" = "$found" ] || fail "warmup_ns $w is not the warm-up found ($found)"
[ "${w:-0}" -ge 10000000 ] && [ "${w:-0}" -le 40000000 ] || fail "warm-up $w ns, want 10..40 ms"
l=$(top mean_in_system "$S")
awk -v l="$l" 'BEGIN { exit !(l > 0.9 && l < 1.1) }' || fail "mean in system $l, want 1 +/- 10%"
grep -v '"wall_time_s"' "$T/s1/summary.json" >"$T/a"
grep -v '"wall_time_s"' "$T/s2/summary.json" >"$T/b"
cmp -s "$T/a" "$T/b" || fail "-j 1 and -j 2 differ: $(diff "$T/a" "$T/b" | head -6)"

if command -v gnuplot >/dev/null 2>&1; then
	expect 0 "$ACSIM" plot "$T/s1" --format txt
	V=$T/s1/plots/data/devices.gp
	has "$T/s1/plots/data/devices.dat" '^# t\(ms\),'
	has "$V" '^warmup_auto = 1$'
	has "$V" '^warmup_settled = 1$'
	cut=$(sed -n 's/^warmup_cut = //p' "$V")
	awk -v c="$cut" -v w="$w" 'BEGIN { d = c * 1e6 - w; exit !(c != "" && d < 0.5 && d > -0.5) }' ||
		fail "plotted cut '$cut' ms is not summary.json's warmup_ns $w"
	# each replication's own point, in the order summary.json lists them
	own=$(sed -n '/^  "warmup": {/,/^  }/s/^        "warmup_ns": \([0-9]*\),$/\1/p' "$S")
	drawn=$(sed -n 's/^own_cut\[[0-9]*\] = //p' "$V")
	[ "$(echo "$own" | wc -l)" -eq 4 ] || fail "summary.json: $(echo "$own" | wc -l) own points, want 4"
	[ "$(echo "$own" | awk '{ print $1 / 1e6 }')" = "$drawn" ] ||
		fail "own MSER-5 points drawn ($drawn) are not summary.json's ($own)"
	has "$T/s1/plots/devices.txt" 'MSER-5 cut'
	has "$T/s1/plots/devices.txt" 'own MSER-5'
	expect 0 "$ACSIM" run "$T/slow.yaml" -q --set run.warmup=16ms -o "$T/fixed"
	expect 0 "$ACSIM" plot "$T/fixed" --format txt
	has "$T/fixed/plots/data/devices.gp" '^warmup_auto = 0$'
	has "$T/fixed/plots/data/devices.gp" '^nown = 0$'
	grep -q 'MSER-5' "$T/fixed/plots/devices.txt" && fail "a fixed warm-up plots an MSER-5 cut"
fi

expect 1 "$ACSIM" run "$T/slow.yaml" -q --set workload.jobs.arrival.rate=1.1M/s -o "$T/over"
has "$T/err" 'FAILURE: run.warmup: auto: the number in system never settles'
grep -A3 '^  "warmup": {' "$T/over/summary.json" | grep -q '"settled": false' ||
	fail "overload: settled is not false"
if command -v gnuplot >/dev/null 2>&1; then
	expect 0 "$ACSIM" plot "$T/over" --format txt
	has "$T/over/plots/data/devices.gp" '^warmup_settled = 0$'
	has "$T/over/plots/devices.txt" 'unsettled cut'
fi

expect 2 "$ACSIM" run "$T/slow.yaml" -q --set run.warmup=soon -o "$T/bad"
has "$T/err" 'run\.warmup'
expect 2 "$ACSIM" run "$T/slow.yaml" -q --set run.sample=10ms -o "$T/bad"
has "$T/err" 'run\.sample=10ms: error: run\.sample: expected .*MSER-5 needs 50 rows'
[ -e "$T/bad" ] && fail "a refused scenario wrote $T/bad"

finish
