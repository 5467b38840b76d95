#!/bin/sh
# tests/provenance.sh - a result directory says what made it (run by ctest
# with the build directory as $1 and ACSIM_SOURCE_DIR in the environment;
# docs/results.md, "Provenance").
#
# Checks: summary.json has description, sets (in order) and scenario_file;
# scenario.yaml is byte-identical to the file loaded, and stays so when
# the file changes after loading (a sweep's points all parse the bytes
# read at the start); `acsim run RESULT_DIR/scenario.yaml --set ... --seed
# N` gives the same summary.json (wall_time_s and scenario_file aside) and
# the same CSVs, for a run and for a sweep point (and --merge refuses
# points that ran other file contents); the summary table shows
# the description and a line per --set, within 76 columns, and acsim
# report's table is the same; acsim compare notes differing sets and
# scenario contents; a bad --set writes nothing.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1

SHORT="--set run.duration=30ms --set run.warmup=3ms --set run.replications=2"
RATE="workload.small.arrival.rate=900k/s"

# same_run A B: the two result directories hold the same figures.
same_run() {
	grep -v '"wall_time_s"\|"scenario_file"' "$1/summary.json" >"$T/a.json"
	grep -v '"wall_time_s"\|"scenario_file"' "$2/summary.json" >"$T/b.json"
	cmp -s "$T/a.json" "$T/b.json" ||
		fail "$1 and $2: summary.json differs: $(diff "$T/a.json" "$T/b.json" | head -6)"
	for f in timeseries.csv latency_hist.csv devices.csv faults.csv scenario.yaml; do
		cmp -s "$1/$f" "$2/$f" || fail "$1 and $2: $f differs"
	done
}

# ---- summary.json and scenario.yaml ---------------------------------------------
cp scenarios/default.yaml "$T/gw.yaml"
# shellcheck disable=SC2086
if expect 0 "$ACSIM" run "$T/gw.yaml" -o "$T/a" $SHORT --set "$RATE"; then
	cp "$T/out" "$T/table.run"
	S=$T/a/summary.json
	has "$S" '^  "description": "IPsec gateway, two cards and a CPU fallback; qat1 hangs at 1 s for 500 ms",$'
	has "$S" "^  \"scenario_file\": \"$T/gw.yaml\",$"
	has "$S" '^  "scenario_hash": "0x[0-9a-f]{16}",$'
	# the sets in order, right after "sets": [
	sed -n '/^  "sets": \[$/,/^  \],$/p' "$S" >"$T/sets"
	printf '%s\n' '  "sets": [' '    "run.duration=30ms",' '    "run.warmup=3ms",' \
		'    "run.replications=2",' "    \"$RATE\"" '  ],' >"$T/sets.want"
	cmp -s "$T/sets" "$T/sets.want" || fail "sets: $(cat "$T/sets")"
	# existing header fields keep their order around the new ones
	grep -n '^  "\(acsim_version\|scenario\|description\|sets\|scenario_file\|scenario_hash\|policy\|seed\)"' "$S" |
		cut -d'"' -f2 | tr '\n' ' ' >"$T/order"
	[ "$(cat "$T/order")" = "acsim_version scenario description sets scenario_file scenario_hash policy seed " ] ||
		fail "field order: $(cat "$T/order")"
	cmp -s "$T/gw.yaml" "$T/a/scenario.yaml" || fail "scenario.yaml is not the file loaded"

	# ---- the table ----------------------------------------------------------------
	T1=$T/table.run
	has "$T1" '^IPsec gateway, two cards and a CPU fallback; qat1 hangs at 1 s for 500 ms$'
	has "$T1" "^set $RATE\$"
	has "$T1" '^set run.duration=30ms$'
	# right under the header, before the rule
	awk '/^-+$/ { exit } { print }' "$T1" | grep -q "^set $RATE\$" || fail "set line not above the rule"
	awk 'length($0) > 76 { bad = 1 } END { exit bad }' "$T1" || fail "table wider than 76 columns"
	grep -v '^results:' "$T1" >"$T/table.txt"
	if expect 0 "$ACSIM" report "$T/a" -o "$T/a.md"; then
		awk '/^```$/ { n++; next } n == 1' "$T/a.md" >"$T/table.md"
		cmp -s "$T/table.txt" "$T/table.md" ||
			fail "report table differs from acsim run's: $(diff "$T/table.txt" "$T/table.md" | head -5)"
		has "$T/a.md" "^\| --set \| \`run.duration=30ms\`<br>.*\`$RATE\` \|$"
		has "$T/a.md" '^\| scenario file \| `.*/gw.yaml`'
		has "$T/a.md" '^## Scenario file$'
		has "$T/a.md" '^<summary>scenario.yaml \([0-9]+ bytes\)</summary>$'
		has "$T/a.md" '^  - name: small '
	fi

	# ---- the copy does not move when the file does; reproduce from the copy ------
	echo "# edited after the run" >>"$T/gw.yaml"
	cmp -s "$T/gw.yaml" "$T/a/scenario.yaml" && fail "scenario.yaml followed an edit"
	# shellcheck disable=SC2086
	expect 0 "$ACSIM" run "$T/a/scenario.yaml" -o "$T/again" --quiet $SHORT --set "$RATE" \
		--seed 1 && same_run "$T/a" "$T/again"

	# ---- compare notes what made the two sides ------------------------------------
	# shellcheck disable=SC2086
	expect 0 "$ACSIM" run "$T/gw.yaml" -o "$T/b" --quiet $SHORT
	# the two sides ran at different rates: their figures differ by
	# whatever the streams give, and what is checked here is the notes, so
	# the threshold is set past any such difference
	expect 0 "$ACSIM" compare "$T/b" "$T/again" --threshold 1000
	expect 0 "$ACSIM" compare "$T/b" "$T/a" --threshold 1000
	has "$T/out" "^  note: --set $RATE only in the new results\$"
	has "$T/out" '^  note: scenario file differs \(hash 0x[0-9a-f]{16} -> 0x[0-9a-f]{16}\)$'
	"$ACSIM" compare "$T/a" "$T/again" >"$T/out" 2>&1
	grep -q 'note:' "$T/out" && fail "compare of a reproduction notes: $(grep note: "$T/out")"
fi

# ---- no description: null; no --set: [] ---------------------------------------
cat >"$T/bare.yaml" <<'YAML'
name: bare
run: {duration: 5ms}
devices:
  - {name: cpu, lanes: 1, ops: {aes: {service: {dist: constant, value: 1us}}}}
workload:
  - {name: w, arrival: {process: poisson, rate: 100k/s}, size: {dist: constant, value: 64}, chain: [aes]}
YAML
if expect 0 "$ACSIM" run "$T/bare.yaml" -o "$T/bare"; then
	has "$T/bare/summary.json" '^  "description": null,$'
	has "$T/bare/summary.json" '^  "sets": \[\],$'
	grep -q '^set ' "$T/out" && fail "a set line without --set"
	cmp -s "$T/bare.yaml" "$T/bare/scenario.yaml" || fail "bare: scenario.yaml differs"
fi

# ---- a bad --set writes nothing ------------------------------------------------
expect 2 "$ACSIM" run "$T/bare.yaml" -o "$T/bad" --set run.duration=fast
[ -e "$T/bad" ] && fail "a bad --set wrote $T/bad"
has "$T/err" 'run.duration'

# ---- a sweep: one copy at the top and in each point; a point reproduces -----------
cat >"$T/sw.yaml" <<'YAML'
name: sw
description: two policies at two rates
run: {duration: 10ms, warmup: 1ms}
devices:
  - {name: qat, count: 2, lanes: 2, ops: {aes: {service: {dist: exponential, mean: 2us}}}}
workload:
  - {name: w, arrival: {process: poisson, rate: 500k/s}, size: {dist: constant, value: 64}, chain: [aes]}
sweep:
  engine.policy: [round-robin, least-loaded]
  workload.w.arrival.rate: [300k/s, 600k/s]
YAML
if expect 0 "$ACSIM" sweep "$T/sw.yaml" -o "$T/sw" -j 2 --quiet --set run.replications=2 --seed 9; then
	cmp -s "$T/sw.yaml" "$T/sw/scenario.yaml" || fail "sweep: scenario.yaml differs"
	has "$T/sw/sweep.json" '^  "description": "two policies at two rates",$'
	has "$T/sw/sweep.json" '^    "run.replications=2"$'
	P=$(ls -d "$T"/sw/p003-*)
	cmp -s "$T/sw.yaml" "$P/scenario.yaml" || fail "sweep point: scenario.yaml differs"
	sed -n '/^  "sets": \[$/,/^  \],$/p' "$P/summary.json" >"$T/sets"
	printf '%s\n' '  "sets": [' '    "run.replications=2",' '    "engine.policy=least-loaded",' \
		'    "workload.w.arrival.rate=600k/s"' '  ],' >"$T/sets.want"
	cmp -s "$T/sets" "$T/sets.want" || fail "point sets: $(cat "$T/sets")"
	expect 0 "$ACSIM" run "$P/scenario.yaml" -o "$T/p3" --quiet --set run.replications=2 \
		--set engine.policy=least-loaded --set workload.w.arrival.rate=600k/s --seed 9 &&
		same_run "$P" "$T/p3"
	# --merge refuses points that ran other contents of the file
	expect 0 "$ACSIM" sweep "$T/sw.yaml" -o "$T/parts" -j 2 --quiet --points 0-3
	echo "# edited before the merge" >>"$T/sw.yaml"
	expect 2 "$ACSIM" sweep "$T/sw.yaml" -o "$T/parts" --merge &&
		has "$T/err" 'ran other contents of the scenario file \(hash 0x[0-9a-f]{16}, this one 0x[0-9a-f]{16}\); rerun it with --points 0$'
fi

finish
