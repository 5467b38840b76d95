#!/bin/sh
# tests/cli.sh - the acsim command line end to end (run by ctest with the
# build directory as $1 and ACSIM_SOURCE_DIR in the environment).
#
# Checks: --version, --help and help for every command, exit status 2 for
# bad usage, unknown commands, missing files and broken scenarios (with a
# located message and no output directory), the commands not built yet,
# `list`, every scenario in scenarios/ validating and running briefly with
# summary.json present and consistent (submitted = completed + failed +
# rejected), determinism (same seed: identical summary.json except
# wall_time_s, identical CSVs), --seed and --replication, exit status 1
# when the drain is capped, replications with ci95, and -o refusing to
# replace a directory that is not a result directory.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1
export ACSIM_SCENARIOS="$SRC/scenarios"

# Short runs: every scenario for 50 ms of simulated time after 5 ms.
SHORT="--set run.duration=50ms --set run.warmup=5ms"

# The first value of "key" in a summary.json: the top-level requests
# object comes before the classes and devices.
first_value() {
	awk -v k="\"$2\":" '$1 == k && !done { v = $2; sub(/,$/, "", v); print v; done = 1 }' "$1"
}

# conserved SUMMARY: submitted = completed + failed + rejected at the top.
conserved() {
	s=$(first_value "$1" submitted)
	c=$(first_value "$1" completed)
	f=$(first_value "$1" failed)
	r=$(first_value "$1" rejected)
	if [ -z "$s" ] || [ -z "$c" ] || [ -z "$f" ] || [ -z "$r" ]; then
		fail "$1: no request counts"
		return
	fi
	awk -v s="$s" -v c="$c" -v f="$f" -v r="$r" \
		'BEGIN { d = s - (c + f + r); exit !(d < 1e-6 * (s + 1) && d > -1e-6 * (s + 1)) }' ||
		fail "$1: submitted $s != completed $c + failed $f + rejected $r"
}

# ---- version and help -------------------------------------------------------
expect 0 "$ACSIM" --version && has "$T/out" '^acsim [0-9]+\.[0-9]+\.[0-9]+$'
expect 0 "$ACSIM" --help && has "$T/out" '^Usage: acsim COMMAND'
for cmd in run sweep validate list plot report compare; do
	expect 0 "$ACSIM" --help && has "$T/out" "^  $cmd "
	expect 0 "$ACSIM" help "$cmd" && has "$T/out" "^Usage: acsim $cmd"
	expect 0 "$ACSIM" "$cmd" --help && has "$T/out" "^Usage: acsim $cmd"
done
expect 2 "$ACSIM"
expect 2 "$ACSIM" frobnicate && has "$T/err" "no command 'frobnicate'"
expect 2 "$ACSIM" --frobnicate
expect 2 "$ACSIM" help frobnicate
# did you mean: a mistyped command, a mistyped scenario name
expect 2 "$ACSIM" rn default && has "$T/err" "no command 'rn'; did you mean 'run'\?"
expect 2 "$ACSIM" help swep && has "$T/err" "did you mean 'sweep'\?"
expect 2 "$ACSIM" run defualt -q && has "$T/err" "no scenario 'defualt' in .*; did you mean 'default'\?"
expect 2 "$ACSIM" validate polcies && has "$T/err" "did you mean 'policies'\?"
# every command takes -q (its usage says so)
for cmd in run sweep validate list plot report compare live calibrate; do
	expect 0 "$ACSIM" "$cmd" --help && has "$T/out" '\[-q\]|\[--quiet\]'
done
expect 0 "$ACSIM" validate -q default && [ ! -s "$T/out" ] || fail "validate -q printed"
expect 0 "$ACSIM" list -q policies && has "$T/out" '^least-loaded$' &&
	! grep -q ' ' "$T/out" || fail "list -q: not names alone"

# ---- list ---------------------------------------------------------------------
expect 0 "$ACSIM" list policies && has "$T/out" '^least-loaded$' && has "$T/out" '^round-robin$' &&
	has "$T/out" '^    option d: ' && ! awk 'length($0) > 78 { exit 1 }' "$T/out" &&
	fail "list policies: a line is wider than 78 columns"
expect 0 "$ACSIM" list models && has "$T/out" '^  poisson ' && has "$T/out" '^  lognormal ' &&
	has "$T/out" '^  hang ' && has "$T/out" '^  on-off '
expect 0 "$ACSIM" list scenarios && has "$T/out" '^default '
# a build-tree acsim run from elsewhere finds the source tree's scenarios
(cd "$T" && ACSIM_SCENARIOS= "$ACSIM" list scenarios >"$T/elsewhere" 2>&1) &&
	has "$T/elsewhere" '^default ' || fail "list scenarios from outside the tree"
expect 2 "$ACSIM" list
expect 2 "$ACSIM" list everything

# ---- bad usage and bad input: exit 2, nothing written -------------------------
expect 2 "$ACSIM" run
expect 2 "$ACSIM" run scenarios/default.yaml --seed banana
expect 2 "$ACSIM" run scenarios/default.yaml --set novalue
expect 2 "$ACSIM" run scenarios/default.yaml --bogus
expect 2 "$ACSIM" run scenarios/default.yaml -o
expect 2 "$ACSIM" run "$T/missing.yaml" -o "$T/out-missing" &&
	has "$T/err" "missing\.yaml"
[ -e "$T/out-missing" ] && fail "run of a missing file created its output directory"

# Broken scenarios, each made from the default one: the message is located
# (FILE:LINE:COL) and no output directory appears.
{ cat scenarios/default.yaml; echo "nonsense_key: 3"; } >"$T/bad-key.yaml"
sed 's/policy: least-loaded/policy: no-such-policy/' scenarios/default.yaml >"$T/bad-policy.yaml"
sed 's/lanes: 4/lanes: four/' scenarios/default.yaml >"$T/bad-lanes.yaml"
sed 's/^run: {duration: [^,]*,/run: {duration: 2 fortnights,/' scenarios/default.yaml \
	>"$T/bad-unit.yaml"
for bad in bad-key bad-policy bad-lanes bad-unit; do
	if cmp -s scenarios/default.yaml "$T/$bad.yaml"; then
		fail "$bad.yaml: the edit did not apply"
		continue
	fi
	expect 2 "$ACSIM" run "$T/$bad.yaml" -o "$T/out-$bad" -q &&
		has "$T/err" "$bad\.yaml:[0-9]+:[0-9]+: error"
	[ -e "$T/out-$bad" ] && fail "run of $bad.yaml created its output directory"
	expect 2 "$ACSIM" validate "$T/$bad.yaml" && has "$T/err" "$bad\.yaml:[0-9]+:[0-9]+: error"
done
# ... and a few of the loader's corpus of malformed files
for bad in tests/data/bad/duplicate-key.yaml tests/data/bad/tab-indent.yaml \
	tests/data/bad/unclosed-flow.yaml; do
	[ -f "$bad" ] || continue
	expect 2 "$ACSIM" run "$bad" -o "$T/out-corpus" -q && has "$T/err" "error"
	[ -e "$T/out-corpus" ] && fail "run of $bad created its output directory"
done
expect 2 "$ACSIM" run scenarios/default.yaml --set run.duration=fast -o "$T/out-set" -q &&
	has "$T/err" "--set run.duration=fast"
[ -e "$T/out-set" ] && fail "a bad --set created the output directory"

# run.memory is checked as the run goes: a pile-up past it stops the run
# with exit status 2, the key and what was held, and no output directory
expect 2 "$ACSIM" run scenarios/default.yaml $SHORT --set run.memory=64KiB \
	--set 'workload.bulk.arrival.rate=2M/s' -o "$T/out-memory" -q &&
	has "$T/err" "default\.yaml: run\.memory: at most 65536 bytes .* found [0-9]+ outstanding"
[ -e "$T/out-memory" ] && fail "a run stopped at run.memory created its output directory"

# -o never replaces a directory acsim did not write
mkdir "$T/precious" && echo keep >"$T/precious/notes.txt"
expect 2 "$ACSIM" run scenarios/default.yaml $SHORT -q -o "$T/precious" &&
	has "$T/err" "not a result directory"
[ "$(cat "$T/precious/notes.txt")" = keep ] || fail "-o clobbered a directory"

# ---- every scenario validates and runs briefly --------------------------------
for f in scenarios/*.yaml; do
	name=$(basename "$f" .yaml)
	expect 0 "$ACSIM" validate "$f" && has "$T/out" ": ok: "
	out="$T/runs/$name"
	if expect 0 "$ACSIM" run "$f" $SHORT --set run.replications=1 -q -o "$out"; then
		[ -s "$T/out" ] && fail "run -q printed: $(head -c 200 "$T/out")"
		for csv in summary.json timeseries.csv latency_hist.csv devices.csv faults.csv; do
			[ -f "$out/$csv" ] || fail "$name: no $csv"
		done
		[ -f "$out/summary.json" ] && conserved "$out/summary.json"
	fi
done
ls -a "$T/runs" | grep -Eq '\.(tmp|old)-' && fail "temporary directories left in $T/runs"

# ---- a library name beside a folder of that name ---------------------------------
# the source tree has a policies/ folder and the library a policies.yaml: the
# name is the scenario; a folder with no scenario of its name is refused
expect 0 "$ACSIM" validate policies && has "$T/out" 'scenarios/policies.yaml: ok: policies'
expect 2 "$ACSIM" validate sim && has "$T/err" '^sim: error: expected a scenario file, got a directory'

# ---- the summary table, the seed, the results line ----------------------------
expect 0 "$ACSIM" run default $SHORT --set run.replications=1 -o "$T/d1" &&
	has "$T/out" '^acsim .* scenario default ' && has "$T/out" '^seed [0-9]+ ' &&
	has "$T/out" "^results: $T/d1/\$" && has "$T/out" '^latency ' && has "$T/out" '^qat0 '
awk 'length > 76 { exit 1 }' "$T/out" || fail "the summary table is wider than 76 columns"
LC_ALL=C grep -q '[^ -~]' "$T/out" && fail "the summary table is not plain ASCII"

# ---- determinism ----------------------------------------------------------------
expect 0 "$ACSIM" run default $SHORT --set run.replications=2 --seed 11 -q -o "$T/det1"
expect 0 "$ACSIM" run default $SHORT --set run.replications=2 --seed 11 -q -o "$T/det2"
grep -v '"wall_time_s"' "$T/det1/summary.json" >"$T/det1.json"
grep -v '"wall_time_s"' "$T/det2/summary.json" >"$T/det2.json"
cmp -s "$T/det1.json" "$T/det2.json" || fail "same seed, different summary.json"
for csv in timeseries.csv latency_hist.csv devices.csv faults.csv; do
	cmp -s "$T/det1/$csv" "$T/det2/$csv" || fail "same seed, different $csv"
done
has "$T/det1/summary.json" '^  "seed": 11,$'
expect 0 "$ACSIM" run default $SHORT --set run.replications=2 --seed 12 -q -o "$T/det3"
grep -v '"wall_time_s"' "$T/det3/summary.json" >"$T/det3.json"
cmp -s "$T/det1.json" "$T/det3.json" && fail "--seed changed nothing"

# ---- the per-request trace -------------------------------------------------------
[ -e "$T/det1/trace.csv" ] && fail "trace.csv without --trace"
expect 0 "$ACSIM" run default $SHORT --set run.replications=2 --seed 11 --trace -q -o "$T/tr1"
expect 0 "$ACSIM" run default $SHORT --set run.replications=2 --seed 11 --set run.trace=true -q -o "$T/tr2"
cmp -s "$T/tr1/trace.csv" "$T/tr2/trace.csv" || fail "same seed, different trace.csv"
has "$T/tr1/trace.csv" '^replication,id,class,flow,priority,bytes,measured,submit_ns,complete_ns,latency_ns,status,retries,migrations,devices$'
rows=$(($(wc -l <"$T/tr1/trace.csv") - 1))
has "$T/tr1/summary.json" "^    \"rows\": $rows,\$"
# the same figures: every CSV, and the callback order of every replication
for csv in timeseries.csv latency_hist.csv devices.csv faults.csv; do
	cmp -s "$T/det1/$csv" "$T/tr1/$csv" || fail "--trace changed $csv"
done
grep '"order_hash"\|"events"' "$T/tr1/summary.json" >"$T/tr1.json"
grep '"order_hash"\|"events"' "$T/det1/summary.json" >"$T/det1b.json"
cmp -s "$T/tr1.json" "$T/det1b.json" || fail "--trace changed the runs"
expect 0 "$ACSIM" run default $SHORT --set run.replications=1 --set run.trace_limit=10 --trace -q -o "$T/tr3"
[ "$(wc -l <"$T/tr3/trace.csv")" -eq 11 ] || fail "run.trace_limit=10 did not give 10 rows"
has "$T/tr3/summary.json" '"truncated": true'
# a trace expected to pass 1e8 rows (10 s of default makes more than
# run.trace_limit = 1e6 requests a replication): exit 2, nothing written
expect 2 "$ACSIM" run default --set run.duration=10s --set run.replications=101 --trace -q -o "$T/tr4"
has "$T/err" '^acsim run: .*default.yaml: --trace: expected at most 1e8 rows of trace.csv, about 6 GB .*got about 1.01e\+08$'
[ ! -e "$T/tr4" ] || fail "--trace over the bound wrote $T/tr4"
expect 2 "$ACSIM" validate default --set run.duration=10s --set run.replications=101 --set run.trace=true
has "$T/err" '^--set run.trace=true: error: run.trace: expected at most 1e8 rows of trace.csv'
expect 0 "$ACSIM" validate default --set run.duration=10s --set run.replications=100 --set run.trace=true

# rerunning replication 1 alone gives that replication's figures
expect 0 "$ACSIM" run default $SHORT --seed 11 --replication 1 -q -o "$T/rep1"
h1=$(grep '"order_hash"' "$T/rep1/summary.json" | head -1 | sed 's/.*"\(0x[0-9a-f]*\)".*/\1/')
grep -q "$h1" "$T/det1/summary.json" || fail "--replication 1 does not reproduce replication 1"

# ---- a failure: exit 1, the results still written -----------------------------
# A drain cap of 1 ns abandons the requests in flight when arrivals stop;
# at 3M/s, past what the cards carry, thousands are (at the default rate
# the count at the end is a few, and none for some streams).
expect 1 "$ACSIM" run default $SHORT --set run.drain=1ns --set run.replications=1 \
	--set workload.small.arrival.rate=3M/s -q -o "$T/capped" &&
	has "$T/err" "FAILURE: the drain hit its cap"
[ -f "$T/capped/summary.json" ] && has "$T/capped/summary.json" '^  "drain_capped": 1,$'

# ---- replications ----------------------------------------------------------------
expect 0 "$ACSIM" run default $SHORT --set run.replications=3 -o "$T/reps" &&
	has "$T/out" '^  \+/- 95%'
has "$T/reps/summary.json" '^  "replications": 3,$'
has "$T/reps/summary.json" '^  "ci95": \{$'
has "$T/reps/summary.json" '^  "replications_detail": \['
n=$(grep -c '^      "order_hash": ' "$T/reps/summary.json")
[ "$n" -eq 3 ] || fail "replications_detail has $n entries, want 3"
conserved "$T/reps/summary.json"

# a second run into the same result directory replaces it
expect 0 "$ACSIM" run default $SHORT --set run.replications=1 -q -o "$T/reps"
has "$T/reps/summary.json" '^  "replications": 1,$'
# -q: plot, report and compare say nothing on success; compare's verdict
# is its exit status
expect 0 "$ACSIM" report "$T/reps" -q --format text && [ ! -s "$T/out" ] || fail "report -q printed"
[ -s "$T/reps/report.txt" ] || fail "report -q wrote no report.txt"
expect 0 "$ACSIM" compare -q "$T/reps" "$T/reps" && [ ! -s "$T/out" ] || fail "compare -q printed"

finish
