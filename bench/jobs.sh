#!/bin/sh
# bench/jobs.sh - acsim run -j: the wall time of one scenario's five
# replications with -j 1 and with -j 2, measured in the same run,
# alternating (so a change of the machine's load hits both), ROUNDS times
# each; prints each time, the medians and their ratio (the speed-up).
#
# Usage: bench/jobs.sh [BUILD_DIR] (make bench runs it). ROUNDS (default 5)
# and SCENARIO (default scenarios/default.yaml at 1 s of arrivals) may be
# set in the environment. Five equal replications on two workers take
# three rounds of one replication each, so 5/3 = 1.67 bounds the ratio.
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
echo "$m1 $m2" | awk '{ printf "speed-up -j 2 over -j 1: %.2fx (bound for 5 replications on 2 workers: 1.67x)\n", $1 / $2 }'
c1=$(median <"$tmp/cpu1")
c2=$(median <"$tmp/cpu2")
echo "$c1 $c2" | awk '{ printf "CPU time (user + system), medians: -j 1 %.2f s, -j 2 %.2f s: %.2fx\n", $1, $2, $2 / $1 }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (the speed-up needs two idle cores)"
