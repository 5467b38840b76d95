#!/bin/sh
# tests/width.sh - every text table and text plot acsim writes is at most
# 80 columns, so it pastes into a mail or a commit message unbroken (run by
# ctest with the build directory as $1 and ACSIM_SOURCE_DIR in the
# environment).
#
# Checks every line of: the summary table of a run with classes, devices,
# faults and --set lines; a sweep's table and comparison.txt (long policy
# names, a swept mapping, rejections); acsim compare, full and brief, with
# notes; acsim report --format text of a run and of a sweep; the text plots
# of a run and of a sweep; and every command's --help, acsim list.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1

# narrow FILE WHAT: no line of FILE is wider than 80 columns.
narrow() {
	awk -v what="$2" 'length > 80 {
		printf "FAIL: %s: line %d is %d columns: %s\n", what, NR, length, $0; bad = 1 }
		END { exit bad }' "$1" || failures=$((failures + 1))
}

SHORT="--set run.duration=60ms --set run.warmup=5ms --set run.replications=3"

# ---- a run: the table, its report and its plots --------------------------------
# shellcheck disable=SC2086
expect 0 "$ACSIM" run default -o "$T/run" $SHORT \
	--set workload.small.arrival.rate=650k/s --set 'faults.0={at: 20ms, device: qat1, mode: hang, for: 10ms}' &&
	narrow "$T/out" "acsim run"
cp "$T/out" "$T/run-table"
has "$T/run-table" '^set faults.0='

# ---- a sweep: long names, a swept mapping, rejections ---------------------------
cat >"$T/wide.yaml" <<'YAML'
name: wide
description: a sweep whose labels are long, with a mapping swept and a queue that rejects, to check that nothing printed grows past eighty columns
seed: 5
run: {duration: 20ms, warmup: 2ms, replications: 2}
engine: {policy: least-loaded, queue: {depth: 4, backlog: 8}}
devices:
  - name: a-card-with-a-long-name
    lanes: 2
    ring: 4
    ops:
      aes-gcm-enc: {setup: 2us, rate: 2GB/s}
  - name: another-card-with-a-long-name
    lanes: 1
    ring: 4
    ops:
      aes-gcm-enc: {setup: 4us, rate: 1GB/s}
workload:
  - name: a-class-with-a-long-name
    arrival: {process: poisson, rate: 500k/s}
    size: {dist: uniform, min: 64B, max: 1500B}
    chain: [aes-gcm-enc]
faults:
  - {at: 10ms, device: a-card-with-a-long-name, mode: slow, factor: 2, for: 5ms}
sweep:
  engine.policy: [least-loaded, shortest-expected-delay]
  faults.0:
    - {at: 10ms, device: a-card-with-a-long-name, mode: slow, factor: 2, for: 5ms}
    - {at: 10ms, device: a-card-with-a-long-name, mode: flaky, probability: 0.2, for: 5ms}
  workload.a-class-with-a-long-name.arrival.rate: [300k/s, 900k/s]
YAML
if expect 0 "$ACSIM" sweep "$T/wide.yaml" -o "$T/sweep" -j 2; then
	narrow "$T/out" "acsim sweep"
	narrow "$T/sweep/comparison.txt" "comparison.txt"
	has "$T/sweep/comparison.txt" 'rejected'
	has "$T/sweep/comparison.txt" 'faults.0=flaky/0.2'
fi

# ---- compare, with notes ------------------------------------------------------------
# shellcheck disable=SC2086
"$ACSIM" run default -o "$T/run2" --quiet $SHORT --set workload.bulk.arrival.rate=50k/s ||
	fail "run2"
expect 1 "$ACSIM" compare "$T/run" "$T/run2"
narrow "$T/out" "acsim compare"
expect 1 "$ACSIM" compare --brief "$T/run" "$T/run2"
narrow "$T/out" "acsim compare --brief"
expect 1 "$ACSIM" compare "$T/sweep" "$T/run"
narrow "$T/out" "acsim compare of a sweep"

# ---- reports and plots ---------------------------------------------------------------
for d in run sweep; do
	if command -v gnuplot >/dev/null 2>&1; then
		"$ACSIM" plot "$T/$d" --format txt >/dev/null 2>&1 || fail "acsim plot $d"
		for f in "$T/$d"/plots/*.txt; do
			[ -f "$f" ] && narrow "$f" "plot $d/$(basename "$f")"
		done
	fi
	if expect 0 "$ACSIM" report "$T/$d" --format text; then
		narrow "$T/$d/report.txt" "report --format text of the $d"
		has "$T/$d/report.txt" '^acsim report: '
		grep -q '```\|^| \|!\[' "$T/$d/report.txt" && fail "$d/report.txt holds Markdown"
	fi
done
has "$T/run/report.txt" '^all +[0-9]'
has "$T/sweep/report.txt" '^p000 '

# ---- help and lists ------------------------------------------------------------------
"$ACSIM" --help >"$T/help" && narrow "$T/help" "acsim --help"
for c in run sweep validate list plot report compare live calibrate; do
	"$ACSIM" "$c" --help >"$T/help" && narrow "$T/help" "acsim $c --help"
done
for l in policies models scenarios; do
	"$ACSIM" list "$l" >"$T/list" && narrow "$T/list" "acsim list $l"
done

finish
