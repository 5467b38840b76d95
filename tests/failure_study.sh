#!/bin/sh
# tests/failure_study.sh - a failure study from `acsim run` and `acsim
# plot` alone (scenarios/failure-study.yaml: qat1 hangs 150-250 ms inside
# a flaky spell of qat0 at 100-350 ms), its files checked against each
# other and against the run's own counters (run by ctest with the build
# directory as $1 and ACSIM_SOURCE_DIR in the environment).
#
# Checks: timeseries_long.csv has one latency count per callback (the
# intervals add up to timeseries.csv's completed and failed, the classes
# to the whole); p99.9 per 10 ms interval rises during the hang;
# device_events.csv follows the fault schedule of faults.csv, its
# detections are faults.csv's, and its failed spells add up to
# devices.csv's failed_ns; faults.csv and devices.csv agree on detection
# delay and recovery; the summary names the worst replication; the
# failover plot of a chosen replication draws both windows with their
# detection and recovery, and refuses a replication the run lacks.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"

F=$T/fs
expect 0 "$ACSIM" run "$SRC/scenarios/failure-study.yaml" -o "$F" --set run.replications=2
has "$T/out" '^worst p99.9: replication [01] \(.*; acsim plot --replication [01]\)$'
for f in timeseries.csv timeseries_long.csv device_events.csv faults.csv devices.csv; do
	[ -s "$F/$f" ] || fail "$f missing or empty"
done

# ---- latency over time -------------------------------------------------------------
# one latency per callback: per interval, all = completed + failed, and
# the classes (one here) add up to all
awk -F, 'FNR == 1 { next }
	FILENAME ~ /timeseries.csv$/ { want[$1 "," $2] = $4 + $5; next }
	$5 == "latency_count" && $3 == "run" { got[$1 "," $2] += $6; n++ }
	$5 == "latency_count" && $3 == "class" { cls[$1 "," $2] += $6 }
	END {
		bad = 0
		for (k in want) if (got[k] != want[k] || cls[k] != want[k]) { print k, want[k], got[k], cls[k]; bad = 1 }
		if (n < 90) { print "only", n, "intervals"; bad = 1 }
		exit bad
	}' "$F/timeseries.csv" "$F/timeseries_long.csv" >"$T/sum" ||
	fail "interval latency counts do not add up: $(head -3 "$T/sum")"
# p99.9 per 10 ms interval: during the hang (160-250 ms) at least twice
# the worst before any fault (60-100 ms), in every replication
awk -F, '$3 == "run" && $5 == "latency_p999_ns" {
		t = $2 / 1e6
		if (t > 50 && t <= 100 && $6 > calm[$1]) calm[$1] = $6
		if (t > 160 && t <= 250 && (!($1 in hang) || $6 < hang[$1])) hang[$1] = $6
	}
	END { for (r in calm) if (!(hang[r] > 2 * calm[r])) { print r, calm[r], hang[r]; exit 1 } }' \
	"$F/timeseries_long.csv" >"$T/rise" ||
	fail "p99.9 did not rise during the hang: $(cat "$T/rise")"
# units in the names, utilisation a fraction
has "$F/timeseries_long.csv" '^replication,t_ns,kind,entity,metric,value$'
awk -F, '$5 == "utilization_fraction" && ($6 < 0 || $6 > 1.000001) { exit 1 }' \
	"$F/timeseries_long.csv" || fail "a utilization_fraction outside [0, 1]"

# ---- the fault schedule and what the core made of it ----------------------------------
for r in 0 1; do
	has "$F/faults.csv" "^$r,qat0,flaky,100000000,350000000,0,0.05,scheduled,[0-9]+,[0-9]+,"
	has "$F/faults.csv" "^$r,qat1,hang,150000000,250000000,0,0,scheduled,[0-9]+,[0-9]+,"
done
# faults.csv: delay = detected - start, recovery = recovered - end (or 0)
awk -F, 'NR > 1 {
		if ($11 != $9 - $4) { print "delay", $0; exit 1 }
		rec = $10 - $5; if (rec < 0) rec = 0
		if ($12 != rec) { print "recovery", $0; exit 1 }
	}' "$F/faults.csv" >"$T/faults" || fail "faults.csv: $(cat "$T/faults")"
# the watchdog (2 ms) catches the hang: a failed event with cause
# watchdog, within 2.1 ms of 150 ms, is the hang's detection
has "$F/device_events.csv" '^[01],15[0-9]+,qat1,failed,watchdog,-?[0-9]+,hang,150000000,[0-9]+$'
awk -F, '$3 == "qat1" && $4 == "failed" && ($2 < 150000000 || $2 > 152100000) { exit 1 }' \
	"$F/device_events.csv" || fail "qat1 failed outside its hang's first 2.1 ms"
awk -F, '$3 == "qat0" && $4 == "failed" && ($2 < 100000000 || $2 > 350000000) { exit 1 }' \
	"$F/device_events.csv" || fail "qat0 failed outside its flaky spell"
# every detection in device_events.csv is faults.csv's, with its delay
awk -F, 'FNR == 1 { next }
	FILENAME ~ /faults.csv$/ { det[$1 "," $2] = $9; n++; next }
	$7 != "" { seen++; if (det[$1 "," $3] != $2 || $9 != $2 - $8) { print; exit 1 } }
	END { if (seen != n) { print seen, "detections for", n, "windows"; exit 1 } }' \
	"$F/faults.csv" "$F/device_events.csv" >"$T/det" || fail "detections disagree: $(cat "$T/det")"
# devices.csv: failures, failed_ns and the means of faults.csv, per device
awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) col[FILENAME, $i] = i; next }
	FILENAME ~ /device_events.csv$/ {
		if ($4 == "failed") { since[$1, $3] = $2; fails[$3]++ }
		if ($4 == "recovered") down[$3] += $2 - since[$1, $3]
		next
	}
	FILENAME ~ /faults.csv$/ { delay[$2] += $11; windows[$2]++; recovery[$2] += $12; next }
	{
		f = FILENAME; d = $1
		if ($col[f, "failures"] != fails[d] / 2) { print d, "failures", $col[f, "failures"], fails[d]; exit 1 }
		if ($col[f, "failed_ns"] != down[d] / 2) { print d, "failed_ns", $col[f, "failed_ns"], down[d]; exit 1 }
		if (windows[d] && ($col[f, "detection_delay_ns"] - delay[d] / windows[d])^2 > 1 ||
		    windows[d] && ($col[f, "recovery_ns"] - recovery[d] / windows[d])^2 > 1) {
			print d, "means", $col[f, "detection_delay_ns"], delay[d] / windows[d]; exit 1
		}
		checked++
	}
	END { if (checked != 4) { print "checked", checked, "devices"; exit 1 } }' \
	"$F/device_events.csv" "$F/faults.csv" "$F/devices.csv" >"$T/dev" ||
	fail "devices.csv disagrees with the events: $(cat "$T/dev")"

# ---- the plots ------------------------------------------------------------------------
expect 0 "$ACSIM" plot "$F" --replication 1 &&
	has "$T/out" '\(latency_cdf, latency_ccdf, devices, failover: \.png \.svg \.txt\)$'
has "$F/plots/data/failover.gp" "^plot_subtitle = 'replication 1 of 2 \(worst p99.9: [01]\)'$"
has "$F/plots/failover.txt" 'qat0 flaky'
has "$F/plots/failover.txt" 'qat1 hang'
has "$F/plots/failover.txt" 'D-+R'
# each window's lane holds replication 1's detection and recovery (ms)
awk -F, '$1 == 1 { printf "%s %.10g %.10g\n", $2, $9 / 1e6, $10 / 1e6 }' "$F/faults.csv" |
	sort >"$T/want"
awk '/^# lane start/ { on = 1; next } on && /^$/ { exit } on && !/^#/ && $1 != 0 { print $4, $5 }' \
	"$F/plots/data/failover.dat" >"$T/lanes"
[ "$(wc -l <"$T/lanes")" -eq 2 ] || fail "failover.dat: not two lanes: $(cat "$T/lanes")"
while read -r dev det rec; do
	grep -q "^$det $rec\$" "$T/lanes" || fail "failover.dat lacks $dev's $det $rec: $(cat "$T/lanes")"
done <"$T/want"
for k in latency_cdf latency_ccdf devices failover; do
	long=$(awk 'length($0) > 79' "$F/plots/$k.txt" | wc -l)
	[ "$long" -eq 0 ] || fail "$k.txt: $long lines wider than 79 columns"
done
expect 2 "$ACSIM" plot "$F" --replication 2 && has "$T/err" 'no replication 2: the run has 2'
expect 2 "$ACSIM" plot "$F" --replication x && has "$T/err" 'replication'

finish
