#!/bin/sh
# bench/jobs.sh - acsim run -j: the wall time of one scenario's five
# replications with -j 1 and with -j 2, measured in the same run,
# alternating (so a change of the machine's load hits both), ROUNDS times
# each; prints each time, the medians and their ratio (the speed-up).
#
# Usage: bench/jobs.sh [BUILD_DIR] (make bench runs it). ROUNDS (default 5)
# and SCENARIO (default scenarios/default.yaml at 1 s of arrivals) may be
# set in the environment. Run whole, five equal replications on two
# workers take three rounds (2 + 2 + 1), a bound of 5/3 = 1.67x; the pool
# shares the last three between the two workers stretch by stretch
# (sim/run/replicate.c), a bound of 5/2.5 = 2x less the serial parts.
#
# Wall times follow the machine's load. When perf(1) can record, ROUNDS
# more -j 1 and -j 2 runs each give the CPU seconds of every thread
# (task-clock), which do not (much): the main thread's (loading, summary,
# writing) plus the busier worker's is the wall time -j 2 would take on
# two idle cores, and -j 1's CPU over that the speed-up it would show.
set -eu
build="${1:-build}"
rounds="${ROUNDS:-5}"
scenario="${SCENARIO:-scenarios/default.yaml}"
acsim="$build/acsim"
[ -x "$acsim" ] || { echo "jobs: no $acsim" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acsim-bench-jobs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# seconds J: the wall time of one run with -j J, in seconds; its CPU
# time (user + system, all threads) goes to $tmp/cpuJ.
seconds() {
	t0=$(date +%s%N)
	c0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat 2>/dev/null || echo 0)
	"$acsim" run "$scenario" -q -j "$1" --set run.replications=5 --set run.duration=1s \
		--set run.warmup=100ms -o "$tmp/out" >/dev/null
	c1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat 2>/dev/null || echo 0)
	t1=$(date +%s%N)
	echo "$c0 $c1 $(getconf CLK_TCK)" | awk '{ printf "%.2f\n", ($2 - $1) / $3 }' >>"$tmp/cpu$1"
	echo "$t0 $t1" | awk '{ printf "%.3f\n", ($2 - $1) / 1e9 }'
}

# median: the median of the numbers on stdin, one a line.
median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "scenario: $scenario, 5 replications of 1 s, $rounds rounds, cpus: $(nproc 2>/dev/null || echo ?)"
: >"$tmp/j1"
: >"$tmp/j2"
: >"$tmp/cpu1"
: >"$tmp/cpu2"
i=0
while [ "$i" -lt "$rounds" ]; do
	seconds 1 >>"$tmp/j1"
	seconds 2 >>"$tmp/j2"
	i=$((i + 1))
done
m1=$(median <"$tmp/j1")
m2=$(median <"$tmp/j2")
echo "-j 1: $(tr '\n' ' ' <"$tmp/j1")s; median $m1 s"
echo "-j 2: $(tr '\n' ' ' <"$tmp/j2")s; median $m2 s"
echo "$m1 $m2" | awk '{ printf "speed-up -j 2 over -j 1: %.2fx (bounds for 5 replications on 2 workers: 1.67x each run whole, 2x shared)\n", $1 / $2 }'
c1=$(median <"$tmp/cpu1")
c2=$(median <"$tmp/cpu2")
echo "$c1 $c2" | awk '{ printf "CPU time (user + system), medians: -j 1 %.2f s, -j 2 %.2f s: %.2fx\n", $1, $2, $2 / $1 }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (the speed-up needs two idle cores)"

# threads J: the CPU seconds of each thread of one run with -j J, the main
# thread first, from perf's task-clock samples; nothing without perf.
threads() {
	perf record -q -e task-clock -o "$tmp/perf$1" -- "$acsim" run "$scenario" -q -j "$1" \
		--set run.replications=5 --set run.duration=1s --set run.warmup=100ms \
		-o "$tmp/out" >/dev/null 2>&1 || return 0
	perf script -i "$tmp/perf$1" -F tid,period 2>/dev/null |
		awk '{ s[$1] += $2 } END { for (t in s) printf "%d %.3f\n", t, s[t] / 1e9 }' |
		sort -n | awk '{ print $2 }'
}
if command -v perf >/dev/null 2>&1 && [ -n "$(threads 1)" ]; then
	: >"$tmp/pairs"
	i=0
	while [ "$i" -lt "$rounds" ]; do
		c1=$(threads 1 | awk '{ c += $1 } END { printf "%.3f", c }')
		# -j 2: its whole CPU time, and its critical path: the main
		# thread's plus the busier worker's
		threads 2 >"$tmp/t2"
		awk -v c1="$c1" 'NR == 1 { m = $1 } NR > 1 && $1 > top { top = $1 } { c += $1 }
			END { printf "%s %.3f %.3f %.4f %.4f %.4f\n", c1, c, m + top, c / (m + top), c / c1, c1 / (m + top) }' \
			"$tmp/t2" >>"$tmp/pairs"
		i=$((i + 1))
	done
	echo "CPU s by thread (perf task-clock), last -j 2 run, main first: $(tr '\n' ' ' <"$tmp/t2")"
	echo "per pair (-j 1 CPU, -j 2 CPU, -j 2 critical path = main + busier worker):" \
		"$(awk '{ printf "%s/%s/%s ", $1, $2, $3 }' "$tmp/pairs")"
	par=$(awk '{ print $4 }' "$tmp/pairs" | median)
	over=$(awk '{ print $5 }' "$tmp/pairs" | median)
	est=$(awk '{ print $6 }' "$tmp/pairs" | median)
	echo "$par $over $est" | awk '{ printf "medians of the pairs: -j 2 CPU over its critical path %.2fx (2x at best), -j 2 CPU over -j 1 CPU %.2fx\non two idle cores, -j 1 CPU over -j 2 critical path: %.2fx\n", $1, $2, $3 }'
fi
