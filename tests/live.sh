#!/bin/sh
# tests/live.sh - `acsim live` and `acsim calibrate` from the command line
# (run by ctest with the build directory as $1; docs/live.md).
#
# Checks: a short live run of the library's live scenario writes a result
# directory whose summary.json says it ran live (platform, CPU, OpenSSL)
# and accounts for every request (submitted = completed + failed +
# rejected); its device_events.csv and faults.csv record the hang as a
# simulated run's do; its live.path_ns segments add up to the latency's mean; its
# live.service counts each device's stages as the core does and holds
# each stage at least as long as its transform;
# acsim report and acsim compare accept it; the hang is caught
# by the watchdog (qat1 failed at least once); an operation with no live
# implementation is refused at its key, exit 2, nothing written, and so is
# a run whose requests outgrow run.memory; calibrate
# --quick writes a devices: block that acsim validate accepts inside a
# scenario, each operation with a gap and a wake-up; --op and --sizes
# measure what they name, and bad ones are refused with exit 2. No timing
# is asserted.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1

SHORT="--set run.duration=600ms --set run.warmup=50ms"
# The hang outlasts the 20 ms watchdog many times over, so a run whose
# threads are starved by a loaded machine (ctest -j, sanitizers) still
# sees it caught.
FAULT="--set faults.0.at=150ms --set faults.0.for=350ms"

# ---- a live run -----------------------------------------------------------------
# shellcheck disable=SC2086
if expect 0 "$ACSIM" live scenarios/live/ipsec.yaml -o "$T/live" $SHORT $FAULT; then
	S=$T/live/summary.json
	has "$S" '^  "platform": \{$'
	has "$S" '^    "kind": "live",$'
	has "$S" '^    "crypto": "OpenSSL 3'
	has "$T/out" '^live: .*, [0-9]+ CPUs?, OpenSSL 3'
	python3 - "$S" <<'PY' || fail "$S: the requests do not add up"
import json, sys
d = json.load(open(sys.argv[1]))
r = d["requests"]
assert r["submitted"] > 0, r
assert r["submitted"] == r["completed"] + r["failed"] + r["rejected"], r
qat1 = [x for x in d["devices"] if x["name"] == "qat1"][0]
assert qat1["failures"] >= 1, qat1
PY
	python3 - "$S" <<'PY' || fail "$S: live.path_ns does not account for the latency"
import json, sys
d = json.load(open(sys.argv[1]))
p, r, lat = d["live"]["path_ns"], d["requests"], d["latency_ns"]
# one entry per measured request completed without error, each segment
# and its wake-ups a distribution
assert p["requests"] == r["completed"] > 0, (p["requests"], r)
parts = ["submit_to_driver", "driver_to_worker", "worker_to_transform", "transform",
         "transform_to_report", "report_to_core"]
for k in parts + ["core_to_callback", "driver_to_worker_woken"]:
    f = p[k]
    assert 0 <= f["p50"] <= f["p99"] <= f["max"], (k, f)
    assert k == "driver_to_worker_woken" or f["count"] == p["requests"], (k, f)
# the stages that found their lane idle, at most every stage of every request
# (none when a loaded machine kept every lane busy all along)
assert 0 <= p["driver_to_worker_woken"]["count"] <= 3 * r["completed"], p
assert p["transform"]["mean"] > 0, p
# the segments up to the core's completion add up to each request's
# latency, so their means add up to the latency's mean (exact sums)
if r["failed"] == 0:
    total = sum(p[k]["mean"] for k in parts)
    assert abs(total - lat["mean"]) <= 1e-6 * lat["mean"] + 1, (total, lat["mean"])
PY
	python3 - "$S" <<'PY' || fail "$S: live.service does not account for the devices' stages"
import json, sys
d = json.load(open(sys.argv[1]))
v, p = d["live"]["service"], d["live"]["path_ns"]
# one entry per device, in the devices' order
assert [x["device"] for x in v] == [x["name"] for x in d["devices"]], v
for x, dev in zip(v, d["devices"]):
    # the stages its lanes reported after the warm-up are those the core
    # counted, but for stages reported between the two readings at either end
    assert abs(x["stages"] - dev["completed"] - dev["errors"]) <= 2 * dev["lanes"], (x, dev)
    assert 0 <= x["woken"] <= x["stages"], x
    for k in ("stage_ns", "wakeup_ns"):
        assert x[k]["mean"] >= 0 and x[k]["cv"] >= 0, x
    assert x["gap_ns"] >= 0, x
    assert (x["stages"] > 0) == (x["stage_ns"]["mean"] > 0), x
# a stage is held from its take to its report, around its transform, and the
# measured requests' stages are among those the lanes reported
held = sum(x["stage_ns"]["mean"] * x["stages"] for x in v)
assert held >= p["transform"]["mean"] * p["requests"] * (1 - 1e-9), (held, p["transform"])
PY
	# the core's device events and the hang's window, as a simulated run writes them
	has "$T/live/device_events.csv" '^0,[0-9]+,qat1,added,'
	has "$T/live/device_events.csv" '^0,[0-9]+,qat1,failed,watchdog,'
	python3 - "$T/live/faults.csv" <<'PY' || fail "$T/live/faults.csv: the hang's window is wrong"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1 and rows[0]["device"] == "qat1" and rows[0]["mode"] == "hang", rows
r = rows[0]
assert 150e6 <= int(r["start_ns"]) < int(r["end_ns"]), r
# detected after it began, or never (qat1 already failed by a loaded machine's watchdog)
assert r["detected_ns"] == "" or int(r["start_ns"]) < int(r["detected_ns"]) < int(r["end_ns"]), r
PY
	# each row of the time series has its callbacks' latency, the run's and each
	# class's, as a simulated run's rows do: the classes' counts add up to the run's
	python3 - "$T/live/timeseries_long.csv" "$T/live/timeseries.csv" <<'PY' || fail "$T/live/timeseries_long.csv: latency rows"
import collections, csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["metric"] == "latency_count"]
run, cls = collections.Counter(), collections.Counter()
for r in rows:
    (run if r["kind"] == "run" else cls)[r["t_ns"]] += int(r["value"])
assert run and run == cls, (run, cls)
# a callback in a row follows its arrival in that row or an earlier one
arrivals = sum(int(r["arrivals"]) for r in csv.DictReader(open(sys.argv[2])))
assert 0 < sum(run.values()) <= arrivals, (sum(run.values()), arrivals)
PY
	expect 0 "$ACSIM" report "$T/live" -o "$T/report.md"
	has "$T/report.md" 'live-ipsec'
	expect 0 "$ACSIM" compare "$T/live" "$T/live"
fi

# ---- --arrivals: what the live run submitted, replayed by acsim run ---------------
# shellcheck disable=SC2086
if expect 0 "$ACSIM" live scenarios/live/ipsec.yaml -q -o "$T/arr-live" $SHORT --arrivals "$T/arrivals.csv"; then
	has "$T/arrivals.csv" '^time,size,class$'
	sed -e '/^  - name: small/,/^    flows/ s|arrival: .*|arrival: {process: trace, file: '"$T"'/arrivals.csv}|' \
		-e '/^  - name: bulk/,/^    flows/ s|arrival: .*|arrival: {process: trace, file: '"$T"'/arrivals.csv}|' \
		-e '/^  - name: /,/^    flows/ { /^    size: /d; }' scenarios/live/ipsec.yaml >"$T/replay.yaml"
	# shellcheck disable=SC2086
	if expect 0 "$ACSIM" run "$T/replay.yaml" -q -o "$T/arr-sim" $SHORT; then
		python3 - "$T/arrivals.csv" "$T/arr-live/timeseries.csv" "$T/arr-sim/timeseries.csv" \
			"$T/arr-live/summary.json" <<'PY' ||
import csv, json, sys
rows = [l for l in open(sys.argv[1]) if l[0].isdigit()]
times = [int(l.split(",")[0]) for l in rows]
assert rows and times == sorted(times), "the trace is empty or out of order"
def arrivals(f):
    return sum(int(r["arrivals"]) for r in csv.DictReader(open(f)))
# the simulator submits each row once; every submission of the live run is a
# row, though its time series misses those its submitters sent late, after
# the last row was taken at the run's end (a few; more on a loaded machine)
# the run's end; a row a late submitter sent after it the simulator does not replay
end = json.load(open(sys.argv[4]))["duration_ns"]
live, sim = arrivals(sys.argv[2]), arrivals(sys.argv[3])
assert sim == sum(t < end for t in times), (sim, len(rows))
assert len(rows) // 2 <= live <= len(rows), (live, len(rows))
PY
			fail "the arrivals written are not the live run's submissions, replayed"
	fi
fi
expect 2 "$ACSIM" live scenarios/live/ipsec.yaml -q -o "$T/arr-bad" --arrivals "$T/no/such/dir/a.csv"
has "$T/err" "^acsim live: --arrivals $T/no/such/dir/a.csv: No such file or directory"

# ---- run.memory: requests that do not fit stop the run, nothing written ------------
# shellcheck disable=SC2086
if expect 2 "$ACSIM" live scenarios/live/ipsec.yaml -o "$T/held" $SHORT --set run.memory=64KiB; then
	has "$T/err" '^acsim live: scenarios/live/ipsec.yaml: run.memory: at most 65536 bytes .* so replication 0 stopped there with no results'
	[ -e "$T/held" ] && fail "a run stopped at run.memory wrote $T/held"
fi

# ---- an operation with no live implementation -------------------------------------
sed 's/aes-cbc-enc: {setup: 250ns, rate: 900MB\/s, jitter/aes-ctr-enc: {setup: 250ns, rate: 900MB\/s, jitter/' \
	scenarios/live/ipsec.yaml >"$T/bad.yaml"
if expect 2 "$ACSIM" live "$T/bad.yaml" -o "$T/bad"; then
	has "$T/err" "^$T/bad.yaml:[0-9]+:[0-9]+: error: devices\\[0\\]\\.ops\\.aes-ctr-enc: expected an operation with a live implementation"
	[ -e "$T/bad" ] && fail "a refused live run wrote $T/bad"
fi

# ---- calibrate ------------------------------------------------------------------
if expect 0 "$ACSIM" calibrate --quick -o "$T/devices.yaml"; then
	has "$T/out" '^aes-gcm-enc '
	has "$T/devices.yaml" '^devices:$'
	{
		echo "name: calibrated"
		echo "run: {duration: 10ms}"
		cat "$T/devices.yaml"
		echo "workload:"
		echo "  - {name: w, arrival: {process: poisson, rate: 10k/s}, size: {dist: imix}, chain: [aes-gcm-enc, hmac-sha256]}"
	} >"$T/calibrated.yaml"
	expect 0 "$ACSIM" validate "$T/calibrated.yaml"
	# the model measured through a live device: a gap and a wake-up
	has "$T/devices.yaml" '^      aes-gcm-enc: \{setup: [0-9]+ns, rate: .*, gap: [0-9]+ns, wakeup: (\{dist: lognormal, mean: [0-9]+ns, cv: [0-9.]+\}|[0-9]+ns)\}$'
fi
# one operation at the sizes asked for
if expect 0 "$ACSIM" calibrate --quick --op sha256 --sizes 1KiB,4KiB --by-size -o "$T/one.yaml"; then
	has "$T/out" '^sha256 by size:$'
	has "$T/out" '^ +4096 '
	has "$T/one.yaml" '^      sha256: '
	grep -q 'aes-gcm-enc' "$T/one.yaml" && fail "--op sha256 wrote other operations"
fi
# pinned: the lane on a CPU of its own, and acsim live says it pinned (two CPUs or more)
if expect 0 "$ACSIM" calibrate --quick --pin --op sha256 --sizes 4KiB -o "$T/pinned.yaml"; then
	has "$T/pinned.yaml" '^      sha256: \{setup: '
fi
# shellcheck disable=SC2086
if expect 0 "$ACSIM" live scenarios/live/ipsec.yaml --pin -q -o "$T/pinned" $SHORT; then
	cpus=$(python3 -c 'import os; print(len(os.sched_getaffinity(0)))')
	if [ "$cpus" -ge 2 ]; then want=true; else want=false; fi
	has "$T/pinned/summary.json" "\"pinned\": $want,"
fi
expect 2 "$ACSIM" calibrate --quick --sizes 4KiB,1KiB
has "$T/err" '--sizes: expected up to 16 ascending sizes'
expect 2 "$ACSIM" calibrate --quick --op rot13
has "$T/err" 'no live operation rot13'

finish
