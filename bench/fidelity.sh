#!/bin/sh
# bench/fidelity.sh - the simulator against the real run (make bench;
# docs/live.md, "Fidelity"). Not a test: it prints figures.
#
# Each round:
# 1. `acsim calibrate --op aes-gcm-enc --sizes 128KiB,256KiB,512KiB` fits
#    this machine's aes-gcm-enc through a live device of one lane: the
#    worker's time setup + bytes / rate with a jitter, the gap a full lane
#    loses after each stage, the wake-up a lone request takes beyond it.
#    A lane's capacity for 256 KiB is 1 / (setup + 256 KiB / rate + gap).
# 2. One card of one lane with that model does aes-gcm-enc on 256 KiB
#    requests arriving as a Poisson stream at 0.2, 0.4, 0.6 and 0.8 of the
#    capacity: `acsim run` predicts (20 replications, so the prediction is
#    the model's expectation, not one draw of a heavy-tailed wake-up),
#    `acsim live` measures throughput, mean and p99 latency.
# 3. Two such cards at 0.4 of their joint capacity, card1 hanging for
#    300 ms at 1 s (the watchdog at 50 ms: a shared machine deschedules a
#    worker for milliseconds): throughput, p99, the failover window (the
#    longest request: the hang caught, its stage moved and served),
#    requests retried and failed.
# It also prints where the live time went: each segment of the live path
# (acsim live's summary.json live.path_ns) at each load.
# Every figure printed is the median over the rounds, each round with its
# own calibration, and each difference the median of the rounds' own
# (measured against predicted), each round's own mean difference also
# shown; the tables at the end are Markdown, ready to paste into
# docs/live.md.
#
# Usage: sh bench/fidelity.sh [BUILD_DIR] [DURATION] [ROUNDS]
#        (default build, 2s, 3). Needs python3 to read summary.json.
#        CALIBRATIONS=N (default 1): calibrate N times a round and keep
#        the calibration with the median lane time. PIN=0: calibrate and
#        run live without --pin (docs/live.md, "Pinned lanes"); the
#        default pins.
set -eu
build="${1:-build}"
duration="${2:-2s}"
rounds="${3:-3}"
calibrations="${CALIBRATIONS:-1}"
pin=""
[ "${PIN:-1}" = 1 ] && pin=--pin
acsim="$build/acsim"
T=$(mktemp -d "${TMPDIR:-/tmp}/acsim-fidelity.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

scenario() { # scenario CARDS HANG COST [TRACE]: a scenario file on stdout (TRACE: the
	# arrivals a trace file gives, else Poisson at 1k/s, which pair() sets)
	echo "name: fidelity"
	echo "seed: 1"
	echo "run: {duration: $duration, warmup: 200ms, replications: 1, sample: 10ms}"
	echo "engine: {policy: least-loaded, queue: {depth: 4096, backlog: 65536},"
	echo "         failover: {timeout: 50ms, retries: 3, errors_to_fail: 1, probe: 50ms}}"
	echo "devices:"
	echo "  - {name: card, count: $1, lanes: 1, ring: 8, ops: {aes-gcm-enc: $3}}"
	echo "workload:"
	if [ -n "${4:-}" ]; then
		echo "  - {name: w, arrival: {process: trace, file: $4}, chain: [aes-gcm-enc]}"
	else
		echo "  - {name: w, arrival: {process: poisson, rate: 1k/s}, size: {dist: constant, value: 256KiB}, chain: [aes-gcm-enc]}"
	fi
	[ "$2" = hang ] && echo "faults: [{at: 1s, device: card1, mode: hang, for: 300ms}]"
	return 0
}

figures() { # figures DIR: req/s mean p99 max retried failed, then the live path's
	# segment means (0 for a simulation): submit_to_driver driver_to_worker
	# woken transform report_to_core, and driver_to_worker's p99
	python3 - "$1/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
l, r, t = d["latency_ns"], d["requests"], d["throughput"]
p = d.get("live", {}).get("path_ns")
seg = [p[k]["mean"] for k in ("submit_to_driver", "driver_to_worker", "driver_to_worker_woken",
                              "transform", "report_to_core")] + [p["driver_to_worker"]["p99"]] \
    if p else [0] * 6
print("%.1f %.0f %.0f %.0f %d %d" % (t["requests_per_s"], l["mean"], l["p99"], l["max"],
                                     r["retried"], r["failed"]), " ".join("%.0f" % v for v in seg))
PY
}

served() { # served DIR: the lane model the live run's devices gave (live.service), one op's value
	# a stage held for the mean and cv the lanes measured (setup 0, the rate
	# that makes 256 KiB take that mean), their gap, their wake-up; devices
	# pooled by their stage counts (docs/live.md, "The service a run measured")
	python3 - "$1/summary.json" <<'PY'
import json, math, sys
v = json.load(open(sys.argv[1]))["live"]["service"]
def pool(n, m):  # n weights, m (mean, cv) pairs: the pooled mean and cv (0, 0 for none)
    w = sum(n)
    if w == 0:
        return 0.0, 0.0
    mean = sum(k * a for k, (a, c) in zip(n, m)) / w
    sq = sum(k * a * a * (1 + c * c) for k, (a, c) in zip(n, m)) / w
    return mean, math.sqrt(max(sq - mean * mean, 0.0)) / mean if mean > 0 else 0.0
held = pool([d["stages"] for d in v], [(d["stage_ns"]["mean"], d["stage_ns"]["cv"]) for d in v])
wake = pool([d["woken"] for d in v], [(d["wakeup_ns"]["mean"], d["wakeup_ns"]["cv"]) for d in v])
gap = sum(d["gap_ns"] * d["stages"] for d in v) / sum(d["stages"] for d in v)
# a lane that never slept: no wake-up to model
wakeup = "{dist: lognormal, mean: %.0fns, cv: %.3f}" % wake if wake[0] >= 1 and wake[1] > 0 \
    else "%.0fns" % wake[0]
print("{setup: 0ns, rate: %.6gMB/s, jitter: {dist: lognormal, mean: 1, cv: %.3f}, gap: %.0fns, "
      "wakeup: %s}" % (262144 / held[0] * 1e3, held[1], gap, wakeup))
PY
}

pair() { # pair NAME CARDS HANG RATE: predicted and measured figures into $T/NAME.{sim,live,own}
	# the prediction is the model's expectation: 20 replications of the
	# simulation (milliseconds each), against the one live run; .own is
	# the prediction from the live run's own arrivals (the instants its
	# submitters really submitted, --arrivals) and the service its own
	# lanes gave (live.service)
	scenario "$2" "$3" "$cost" >"$T/pair.yaml"
	"$acsim" run "$T/pair.yaml" -q -o "$T/run-sim" --set "workload.w.arrival.rate=$4/s" \
		--set run.replications=20
	# shellcheck disable=SC2086
	"$acsim" live "$T/pair.yaml" $pin -q -o "$T/run-live" --set "workload.w.arrival.rate=$4/s" \
		--arrivals "$T/arrivals.csv"
	own=$(served "$T/run-live")
	scenario "$2" "$3" "$own" "$T/arrivals.csv" >"$T/own.yaml"
	"$acsim" run "$T/own.yaml" -q -o "$T/run-own" --set run.replications=20
	figures "$T/run-sim" >>"$T/$1.sim"
	figures "$T/run-live" >>"$T/$1.live"
	figures "$T/run-own" >>"$T/$1.own"
	echo "$own" >>"$T/$1.served"
	echo "  $1 at $4/s: predicted $(tail -n 1 "$T/$1.sim"), measured $(tail -n 1 "$T/$1.live")," \
		"predicted from its own service $(tail -n 1 "$T/$1.own") (req/s mean p99 max retried" \
		"failed); its service: $own" >&2
	rm -rf "$T/run-sim" "$T/run-live" "$T/run-own"
}

r=1
while [ "$r" -le "$rounds" ]; do
	# CALIBRATIONS calibrations back to back; the round keeps the one whose
	# lane time for 256 KiB is the median (one calibration alone moves by
	# tens of per cent on this machine, docs/live.md)
	: >"$T/candidates"
	c=1
	while [ "$c" -le "$calibrations" ]; do
		# shellcheck disable=SC2086
		"$acsim" calibrate $pin --op aes-gcm-enc --sizes 128KiB,256KiB,512KiB -o "$T/devices.yaml" >/dev/null
		line=$(grep '^      aes-gcm-enc:' "$T/devices.yaml")
		one=$(echo "$line" | sed 's/^      aes-gcm-enc: //')
		# the lane's time for 256 KiB in ns: setup + bytes / rate + gap
		ns=$(echo "$one" | python3 -c '
import re, sys
c = sys.stdin.read()
ns = lambda k: float(re.search(k + r": ([0-9.e+]+)ns", c).group(1))
v, u = re.search(r"rate: ([0-9.e+]+)([kMG])B/s", c).groups()
rate = float(v) * {"k": 1e3, "M": 1e6, "G": 1e9}[u]
print("%.0f" % (ns("setup") + 262144 / rate * 1e9 + ns("gap")))')
		echo "$ns|$one" >>"$T/candidates"
		c=$((c + 1))
	done
	pick=$(sort -t'|' -k1,1n "$T/candidates" | sed -n "$(((calibrations + 1) / 2))p")
	lane_ns=${pick%%|*}
	cost=${pick#*|}
	echo "round $r: aes-gcm-enc $cost; lane time for 256 KiB $lane_ns ns" >&2
	echo "$cost|$lane_ns" >>"$T/calibrations"
	for rho in 0.2 0.4 0.6 0.8; do
		pair "load-$rho" 1 none "$(awk "BEGIN {printf \"%.0f\", $rho * 1e9 / $lane_ns}")"
	done
	pair hang 2 hang "$(awk "BEGIN {printf \"%.0f\", 0.4 * 2e9 / $lane_ns}")"
	r=$((r + 1))
done

python3 - "$T" "$rounds" "$duration" "$build" "$pin" "$calibrations" <<'PY'
import statistics, sys
T, rounds, duration, build = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
env = ("PIN=0 " if not sys.argv[5] else "") + ("CALIBRATIONS=%s " % sys.argv[6] if sys.argv[6] != "1" else "")
def rows(name):
    return [[float(x) for x in l.split()] for l in open("%s/%s" % (T, name))]
def med(rs, k):
    return statistics.median(r[k] for r in rs)
def t(ns):
    if ns >= 1e6: return "%.3g ms" % (ns / 1e6)
    return "%.3g us" % (ns / 1e3)
cal = [l.strip().split("|") for l in open(T + "/calibrations")]
lanes = sorted(float(c[1]) for c in cal)
print("\nCalibrations (acsim calibrate --op aes-gcm-enc --sizes 128KiB,256KiB,512KiB), one a round:")
for c, l in cal:
    print("- `%s`: a lane's time for 256 KiB %s, capacity %.0f req/s" % (c, t(float(l)), 1e9 / float(l)))
print("\nMedians of %d rounds of %s each (`%ssh bench/fidelity.sh %s %s %d`); a diff is the median" % (rounds, duration, env, build, duration, rounds))
print("of the rounds' own differences, measured against predicted:\n")
print("| load | predicted req/s | measured req/s | diff | predicted mean | measured mean | diff | predicted p99 | measured p99 | diff |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
def mdiff(s, l, k): # the median of the rounds' own differences (each its calibration)
    return "%+.1f%%" % statistics.median(100 * (b[k] - a[k]) / a[k] for a, b in zip(s, l))
for rho in ("0.2", "0.4", "0.6", "0.8"):
    s, l = rows("load-%s.sim" % rho), rows("load-%s.live" % rho)
    print("| %s | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s |" % (
        rho, med(s, 0), med(l, 0), mdiff(s, l, 0), t(med(s, 1)), t(med(l, 1)), mdiff(s, l, 1),
        t(med(s, 2)), t(med(l, 2)), mdiff(s, l, 2)))
print("\nPredicted from the live run's own arrivals (the instants it submitted, acsim live")
print("--arrivals) and the service its own lanes gave (live.service: a stage held, the gap,")
print("the wake-up, each as measured in that run), against measured; a diff is the median of")
print("the rounds' own:\n")
print("| load | measured req/s | predicted req/s | diff | measured mean | predicted mean | diff | measured p99 | predicted p99 | diff | lane time held (median) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
import re
def held(name): # each round's served model: the mean lane time per stage, ns
    out = []
    for l in open("%s/%s.served" % (T, name)):
        rate = float(re.search(r"rate: ([0-9.e+]+)MB/s", l).group(1)) * 1e6
        out.append(262144 / rate * 1e9 + float(re.search(r"gap: ([0-9.e+]+)ns", l).group(1)))
    return statistics.median(out)
for name in ("load-0.2", "load-0.4", "load-0.6", "load-0.8", "hang"):
    o, l = rows(name + ".own"), rows(name + ".live")
    print("| %s | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        name.replace("load-", ""), med(l, 0), med(o, 0), mdiff(o, l, 0), t(med(l, 1)), t(med(o, 1)),
        mdiff(o, l, 1), t(med(l, 2)), t(med(o, 2)), mdiff(o, l, 2), t(held(name))))
def per_round(title, kind): # each round's own mean latency difference, measured against kind
    print("\nEach round's own mean latency, measured against %s:\n" % title)
    print("| load | " + " | ".join("round %d" % (k + 1) for k in range(rounds)) + " |")
    print("| --- |" + " --- |" * rounds)
    for rho in ("0.2", "0.4", "0.6", "0.8"):
        s, l = rows("load-%s.%s" % (rho, kind)), rows("load-%s.live" % rho)
        print("| %s | %s |" % (rho, " | ".join("%+.1f%%" % (100 * (b[1] - a[1]) / a[1])
                                                for a, b in zip(s, l))))
per_round("predicted from its own arrivals and service", "own")
per_round("predicted", "sim")
print("\nWhere the live time went (docs/live.md, \"Where a live request spends its time\"): the")
print("median over the rounds of each segment's mean, measured; woken is driver_to_worker of the")
print("stages that found the lane asleep:\n")
print("| load | latency | submit_to_driver | driver_to_worker (p99) | of which woken | transform | report_to_core |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for rho in ("0.2", "0.4", "0.6", "0.8"):
    l = rows("load-%s.live" % rho)
    print("| %s | %s | %s | %s (%s) | %s | %s | %s |" % (
        rho, t(med(l, 1)), t(med(l, 6)), t(med(l, 7)), t(med(l, 11)), t(med(l, 8)), t(med(l, 9)),
        t(med(l, 10))))
s, l = rows("hang.sim"), rows("hang.live")
print("\nTwo cards at 0.4, card1 hung for 300 ms at 1 s (watchdog 50 ms):\n")
print("| | req/s | mean | p99 | failover window (longest request) | retried | failed |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for name, rs in (("predicted", s), ("measured", l)):
    print("| %s | %.0f | %s | %s | %s | %.0f | %.0f |" % (
        name, med(rs, 0), t(med(rs, 1)), t(med(rs, 2)), t(med(rs, 3)), med(rs, 4), med(rs, 5)))
PY
