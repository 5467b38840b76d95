#!/bin/sh
# bench/fidelity.sh - the simulator against the real run (make bench;
# docs/live.md, "Fidelity"). Not a test: it prints figures.
#
# 1. acsim calibrate fits this machine's aes-gcm-enc as setup + bytes /
#    rate with a jitter.
# 2. One card of one lane does aes-gcm-enc on 256 KiB requests arriving
#    as a Poisson stream at 0.2, 0.4, 0.6 and 0.8 of the card's capacity
#    (1 / the fitted service time): `acsim run` predicts, `acsim live`
#    measures; throughput, mean and p99 latency side by side.
# 3. Two such cards at 0.4 of their joint capacity, card1 hanging for
#    300 ms at 1 s (the watchdog at 50 ms: a shared machine deschedules a
#    worker for milliseconds): requests retried and failed, the
#    p99 and max latency, predicted and measured.
#
# Usage: sh bench/fidelity.sh [BUILD_DIR] [DURATION]  (default build, 2s).
# Needs python3 to read summary.json.
set -eu
build="${1:-build}"
duration="${2:-2s}"
acsim="$build/acsim"
T=$(mktemp -d "${TMPDIR:-/tmp}/acsim-fidelity.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

"$acsim" calibrate --quick -o "$T/devices.yaml" >/dev/null
line=$(grep '^      aes-gcm-enc:' "$T/devices.yaml")
cost=$(echo "$line" | sed 's/^      aes-gcm-enc: //')
setup_ns=$(echo "$line" | sed 's/.*setup: \([0-9]*\)ns.*/\1/')
rate=$(echo "$line" | sed 's/.*rate: \([0-9.e+]*\)\([kMG]\)B\/s.*/\1 \2/')
# service time of 256 KiB in ns
service_ns=$(echo "$rate $setup_ns" | awk '{m = ($2 == "G") ? 1 : ($2 == "M") ? 1e-3 : 1e-6;
	printf "%.0f", $3 + 262144 / ($1 * m)}')
echo "calibrated aes-gcm-enc: $cost"
echo "service time of 256 KiB: $service_ns ns; one lane's capacity $(awk "BEGIN {printf \"%.0f\", 1e9 / $service_ns}") req/s"

scenario() { # scenario CARDS HANG: a scenario file on stdout
	echo "name: fidelity"
	echo "seed: 1"
	echo "run: {duration: $duration, warmup: 200ms, replications: 1, sample: 10ms}"
	echo "engine: {policy: least-loaded, queue: {depth: 4096, backlog: 65536},"
	echo "         failover: {timeout: 50ms, retries: 3, errors_to_fail: 1, probe: 50ms}}"
	echo "devices:"
	echo "  - {name: card, count: $1, lanes: 1, ring: 8, ops: {aes-gcm-enc: $cost}}"
	echo "workload:"
	echo "  - {name: w, arrival: {process: poisson, rate: 1k/s}, size: {dist: constant, value: 256KiB}, chain: [aes-gcm-enc]}"
	[ "$2" = hang ] && echo "faults: [{at: 1s, device: card1, mode: hang, for: 300ms}]"
	return 0
}

figures() { # figures DIR: throughput mean p99 max retried failed
	python3 - "$1/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
l, r, t = d["latency_ns"], d["requests"], d["throughput"]
print("%.0f %.0f %.0f %.0f %d %d" % (t["requests_per_s"], l["mean"], l["p99"], l["max"],
                                     r["retried"], r["failed"]))
PY
}

ratio() { awk "BEGIN {if ($2 > 0) printf \"%+.1f%%\", 100 * ($1 - $2) / $2; else print \"-\"}"; }

scenario 1 none >"$T/one.yaml"
printf '\n%-5s %10s %10s %7s %9s %9s %7s %9s %9s %7s\n' load "sim req/s" "live req/s" diff \
	"sim mean" "live mean" diff "sim p99" "live p99" diff
for rho in 0.2 0.4 0.6 0.8; do
	lambda=$(awk "BEGIN {printf \"%.0f\", $rho * 1e9 / $service_ns}")
	"$acsim" run "$T/one.yaml" -q -o "$T/sim-$rho" --set "workload.w.arrival.rate=$lambda/s"
	"$acsim" live "$T/one.yaml" -q -o "$T/live-$rho" --set "workload.w.arrival.rate=$lambda/s"
	set -- $(figures "$T/sim-$rho") $(figures "$T/live-$rho")
	printf '%-5s %10s %10s %7s %7sns %7sns %7s %7sns %7sns %7s\n' "$rho" "$1" "$7" \
		"$(ratio "$7" "$1")" "$2" "$8" "$(ratio "$8" "$2")" "$3" "$9" "$(ratio "$9" "$3")"
done

scenario 2 hang >"$T/two.yaml"
lambda=$(awk "BEGIN {printf \"%.0f\", 0.4 * 2e9 / $service_ns}")
"$acsim" run "$T/two.yaml" -q -o "$T/sim-hang" --set "workload.w.arrival.rate=$lambda/s"
"$acsim" live "$T/two.yaml" -q -o "$T/live-hang" --set "workload.w.arrival.rate=$lambda/s"
printf '\nhang of card1 for 300 ms at 0.4 load: %10s %10s %10s %8s %7s\n' "req/s" "p99" "max" retried failed
set -- $(figures "$T/sim-hang")
printf '  %-36s %10s %8sns %8sns %8s %7s\n' predicted "$1" "$3" "$4" "$5" "$6"
set -- $(figures "$T/live-hang")
printf '  %-36s %10s %8sns %8sns %8s %7s\n' measured "$1" "$3" "$4" "$5" "$6"
