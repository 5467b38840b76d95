#!/bin/sh
# tests/plot.sh - `acsim plot` and `acsim report` end to end (run by ctest
# with the build directory as $1 and ACSIM_SOURCE_DIR in the environment),
# on copies of the sample result directories in tests/data/results/.
#
# Checks: every plot kind of a run and of a sweep gives a PNG (its
# signature, a real size), an SVG (an <svg> document, closed) and a text
# rendering; the data and driver files beside them; --format; names with
# quotes and directories with spaces; a sweep without a load key skips
# the load plots with a note; report.md holds the summary table (the one
# `acsim run` prints), the sweep's points and every plot, image and text;
# report draws missing plots; exit status 2 for a missing directory, a
# directory that is not a result directory, a bad --format, and gnuplot
# missing (naming gnuplot-nox).
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
command -v gnuplot >/dev/null 2>&1 || {
	echo "plot.sh: gnuplot is not installed (tools/deps.sh installs gnuplot-nox)" >&2
	exit 1
}

cp -R "$SRC/tests/data/results" "$T/r"
rm -f "$T/r/make-samples.sh"
# an unplotted run to copy from
cp -R "$T/r/run" "$T/pristine"

# png FILE: the 8-byte PNG signature and more than a trivial image.
png() {
	[ -f "$1" ] || { fail "$1 missing"; return; }
	sig=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
	[ "$sig" = 89504e470d0a1a0a ] || fail "$1: not a PNG (starts $sig)"
	size=$(wc -c <"$1")
	[ "$size" -gt 8000 ] || fail "$1: only $size bytes"
}

# svg FILE: an SVG document, closed, with drawing in it.
svg() {
	[ -f "$1" ] || { fail "$1 missing"; return; }
	head -c 200 "$1" | grep -Eq '^(<\?xml|<svg)' || fail "$1: does not start as SVG"
	grep -q '</svg>' "$1" || fail "$1: no </svg>"
	grep -q '<path' "$1" || fail "$1: draws no path"
}

# txt FILE TITLE: a text rendering with its title and a frame.
txt() {
	[ -f "$1" ] || { fail "$1 missing"; return; }
	[ "$(grep -c . "$1")" -ge 15 ] || fail "$1: fewer than 15 lines"
	has "$1" "$2"
	has "$1" '\+-----'
	long=$(awk 'length($0) > 79' "$1" | wc -l)
	[ "$long" -eq 0 ] || fail "$1: $long lines wider than 79 columns"
}

# drawn DIR KIND TITLE: every output of KIND and its data.
drawn() {
	png "$1/plots/$2.png"
	svg "$1/plots/$2.svg"
	txt "$1/plots/$2.txt" "$3"
	[ -s "$1/plots/data/$2.dat" ] || fail "$1/plots/data/$2.dat missing or empty"
	[ -s "$1/plots/data/$2.gp" ] || fail "$1/plots/data/$2.gp missing or empty"
}

# ---- a run ------------------------------------------------------------------------
R=$T/r/run
expect 0 "$ACSIM" plot "$R" &&
	has "$T/out" "^plots: .*/plots/ \(latency_cdf, latency_ccdf, devices, failover: \.png \.svg \.txt\)$"
drawn "$R" latency_cdf 'Latency CDF: default'
drawn "$R" latency_ccdf 'Latency CCDF: default'
drawn "$R" devices 'Devices: default'
drawn "$R" failover 'Failover: default'
# the text CDF has a curve per class; the devices plot names every device
has "$R/plots/latency_cdf.txt" 'small'
has "$R/plots/latency_cdf.txt" 'bulk'
has "$R/plots/latency_ccdf.txt" 'small'
# the CCDF is the share above each bucket, from the counts: it starts at
# 1, never rises, and stops before 0
awk '/^# class all/ { on = 1; next } /^# class/ { on = 0 } on && NF == 2 {
		if (n++ == 0 && $2 != 1) exit 1
		if ($2 > last && n > 1 || $2 <= 0) exit 1
		last = $2
	}
	END { if (n < 10) exit 1 }' "$R/plots/data/latency_ccdf.dat" ||
	fail "latency_ccdf.dat: not a falling CCDF from 1"
for d in qat0 qat1 cpu; do has "$R/plots/devices.txt" "$d"; done
# the failover window is around the fault (30 to 40 ms, margins 5 ms)
has "$R/plots/data/failover.gp" '^xmin = 25$'
has "$R/plots/data/failover.gp" '^xmax = 45$'
has "$R/plots/data/devices.gp" "^fault_text\[1\] = 'qat1 hang'$"
# the driver redraws from the plots directory, also when that directory
# has been copied elsewhere: it names its script by a relative path
cp -R "$R/plots" "$T/moved-plots"
(cd "$T/moved-plots" && rm -f devices.png && gnuplot data/devices.gp) 2>"$T/err" ||
	fail "gnuplot data/devices.gp failed: $(head -3 "$T/err")"
png "$T/moved-plots/devices.png"
has "$R/plots/data/devices.gp" "^load 'data/devices.script.gp'$"
grep -q "$SRC" "$R/plots/data/devices.gp" && fail "data/devices.gp names the source tree"

# --format: only what was asked
F=$T/format
cp -R "$T/pristine" "$F"
expect 0 "$ACSIM" plot "$F" --format txt,png && has "$T/out" ': \.png \.txt\)$'
[ -e "$F/plots/latency_cdf.svg" ] && fail "--format txt,png wrote an SVG"
png "$F/plots/failover.png"
expect 2 "$ACSIM" plot "$F" --format gif && has "$T/err" 'format'

# names with quotes, directories with spaces: nothing becomes gnuplot code
Q="$T/it's a dir"
cp -R "$T/pristine" "$Q"
sed 's/"scenario": "default"/"scenario": "it'"'"'s \\"odd\\" $(x)"/' "$Q/summary.json" >"$T/s.json" &&
	mv "$T/s.json" "$Q/summary.json"
expect 0 "$ACSIM" plot "$Q" --format txt,png
has "$Q/plots/latency_cdf.txt" "Latency CDF: it's \"odd\" \\\$\(x\)"
png "$Q/plots/latency_cdf.png"

# ---- a sweep ------------------------------------------------------------------------
S=$T/r/sweep
expect 0 "$ACSIM" plot "$S" &&
	has "$T/out" "^plots: .*/plots/ \(latency_cdf, latency_ccdf, latency_load, throughput_load: \.png \.svg \.txt\)$"
drawn "$S" latency_cdf 'Latency CDF: policies'
drawn "$S" latency_ccdf 'Latency CCDF: policies'
drawn "$S" latency_load 'latency p50, p99, p99.9 and max against offered load'
drawn "$S" throughput_load 'throughput against offered load'
has "$S/plots/latency_cdf.txt" 'round-robin at 1200k/s'
has "$S/plots/latency_load.txt" 'least-loaded p99'
has "$S/plots/latency_load.txt" 'least-loaded p99.9'
has "$S/plots/latency_ccdf.txt" 'round-robin at 1200k/s'
# p99.9 and max beside p50 and p99, in that order of size
awk '!/^#/ && NF == 6 && !($2 <= $3 && $3 <= $5 && $5 <= $6) { exit 1 }' \
	"$S/plots/data/latency_load.dat" || fail "latency_load.dat: p50 <= p99 <= p99.9 <= max broken"
# offered requests/s: the measured arrivals, here the swept rate itself
# (within 5%); nothing rejected or failed at these loads
awk '!/^#/ && NF == 6 && (($4 / $1 - 1)^2 > 0.0025 || $5 != 0 || $6 != 0) { exit 1 }' \
	"$S/plots/data/throughput_load.dat" || fail "throughput_load.dat: offered is not the load"
has "$S/plots/throughput_load.txt" 'workload.ipsec.arrival.rate \(M/s\)'
# one block per policy, three loads each, in M/s
[ "$(grep -c '^# series' "$S/plots/data/throughput_load.dat")" -eq 2 ] ||
	fail "throughput_load.dat: not two series"
has "$S/plots/data/throughput_load.dat" '^0\.4 '
has "$S/plots/data/throughput_load.dat" '^1\.2 '

# a sweep of the policy alone: no load axis, the load plots are skipped
P=$T/policy-only
mkdir -p "$P"
cp -R "$S/p000-round-robin-400ks" "$S/p003-least-loaded-400ks" "$P/"
cat >"$P/sweep.json" <<'JSON'
{"acsim_version": "0.1.0", "scenario": "policies", "seed": 23, "replications": 2,
 "keys": ["engine.policy"],
 "points": [
  {"index": 0, "dir": "p000-round-robin-400ks", "label": "round-robin", "values": {"engine.policy": "round-robin"}},
  {"index": 1, "dir": "p003-least-loaded-400ks", "label": "least-loaded", "values": {"engine.policy": "least-loaded"}}]}
JSON
head -1 "$S/sweep.csv" | sed 's/,workload.ipsec.arrival.rate//' >"$P/sweep.csv"
grep -E '^(0|3),' "$S/sweep.csv" | sed 's/,400k\/s//' >>"$P/sweep.csv"
expect 0 "$ACSIM" plot "$P" && has "$T/out" '\(latency_cdf, latency_ccdf: '
has "$T/err" 'latency_load: skipped: .*no numeric key'
has "$T/err" 'throughput_load: skipped'
drawn "$P" latency_cdf 'every point'
has "$P/plots/latency_cdf.txt" 'least-loaded'
[ -e "$P/plots/latency_load.png" ] && fail "latency_load drawn without a load key"

# ---- report -------------------------------------------------------------------------
expect 0 "$ACSIM" report "$R" && has "$T/out" "^report: $R/report.md$"
M=$R/report.md
has "$M" '^# acsim report: default$'
has "$M" '^\| policy \| least-loaded \|$'
has "$M" '^\| replications \| 2 \|$'
has "$M" '^## Summary$'
has "$M" '^latency           mean       p50       p90       p99     p99.9       max$'
has "$M" '^qat1 '
for k in latency_cdf latency_ccdf devices failover; do
	has "$M" "^!\[.*\]\(plots/$k\.png\)$"
done
# the text renderings too, fenced, with no trailing spaces
has "$M" 'Latency CDF: default, policy least-loaded$'
[ "$(grep -c '^```$' "$M")" -ge 8 ] || fail "$M: fewer fenced blocks than expected"
grep -q ' $' "$M" && fail "$M: trailing spaces"

# the table is the one acsim run prints
"$ACSIM" run "$SRC/scenarios/default.yaml" -o "$T/again" --set run.duration=60ms \
	--set run.warmup=10ms --set run.replications=2 --set run.sample=1ms \
	--set 'faults.0={at: 30ms, device: qat1, mode: hang, for: 10ms}' 2>/dev/null |
	grep -v '^results:' >"$T/table.run"
# (the report of that same run: the committed samples come from an older
# build, and the figures move whenever the core's behaviour does)
"$ACSIM" report "$T/again" >/dev/null 2>&1 || fail "report of a fresh run failed"
awk '/^```$/ { n++; next } n == 1' "$T/again/report.md" >"$T/table.md"
cmp -s "$T/table.run" "$T/table.md" || fail "report table differs from acsim run's: $(diff "$T/table.run" "$T/table.md" | head -5)"

# report draws the plots when plots/ is missing; -o elsewhere: absolute images
N=$T/noplots
cp -R "$T/pristine" "$N"
expect 0 "$ACSIM" report "$N" -o "$T/elsewhere.md"
[ -s "$N/plots/failover.png" ] || fail "report did not draw the missing plots"
has "$T/elsewhere.md" "^!\[.*\]\(/.*/noplots/plots/failover\.png\)$"
expect 0 "$ACSIM" report "$N" -o - && has "$T/out" '^## Plots$'

expect 0 "$ACSIM" report "$S"
M=$S/report.md
has "$M" '^# acsim report: sweep of policies$'
has "$M" '^## Points$'
has "$M" '^p005 +1\.19 Mreq/s'
has "$M" '^p005 +least-loaded-1200ks$'
awk '/^## Points/,/^## Plots/ { if (length > 80) exit 1 }' "$M" || fail "the points table is wider than 80"
has "$M" '`engine.policy`, `workload.ipsec.arrival.rate`'
for k in latency_cdf latency_ccdf latency_load throughput_load; do
	has "$M" "^!\[.*\]\(plots/$k\.png\)$"
done
printf 'policy A beats B\n' >"$S/comparison.txt"
expect 0 "$ACSIM" report "$S" && has "$M" '^## Comparison$' && has "$M" '^policy A beats B$'

# ---- bad input ----------------------------------------------------------------------
expect 2 "$ACSIM" plot "$T/nowhere" && has "$T/err" 'nowhere'
mkdir -p "$T/empty"
expect 2 "$ACSIM" plot "$T/empty" && has "$T/err" 'not a result directory'
expect 2 "$ACSIM" report "$T/empty" && has "$T/err" 'not a result directory'
expect 2 "$ACSIM" report "$T/nowhere"
expect 2 "$ACSIM" plot
expect 2 "$ACSIM" plot "$R" "$S"
expect 2 env PATH="$T/empty" "$ACSIM" plot "$R" && has "$T/err" 'gnuplot-nox'
# a broken CSV is bad input, not a crash
B=$T/broken
cp -R "$T/pristine" "$B"
printf 'class,low_ns\n"unclosed,1\n' >"$B/latency_hist.csv"
expect 2 "$ACSIM" plot "$B" && has "$T/err" 'latency_hist.csv'

finish
