#!/bin/sh
# tests/data/results/make-samples.sh - regenerates the sample result
# directories tests/plot.sh draws: run/ (scenarios/default.yaml, 60 ms,
# two replications, qat1 hung from 30 to 40 ms) and sweep/ (scenarios/
# policies.yaml, two policies x three loads, 20 ms each), with sweep.json
# and sweep.csv in the layout of `acsim sweep` written by hand.
# Usage: tests/data/results/make-samples.sh BUILD_DIR   (from the source root)
set -eu
ACSIM=${1:?usage: make-samples.sh BUILD_DIR}/acsim
OUT=tests/data/results
rm -rf "$OUT/run" "$OUT/sweep"

"$ACSIM" run scenarios/default.yaml -q -o "$OUT/run" --set run.duration=60ms --set run.warmup=10ms \
	--set run.replications=2 --set run.sample=1ms \
	--set 'faults.0={at: 30ms, device: qat1, mode: hang, for: 10ms}'

# The first value of "key" after the line matching START in a summary.json.
value() {
	awk -v s="$2" -v k="\"$3\":" '$0 ~ s { on = 1 } on && $1 == k { v = $2; sub(/,$/, "", v);
		print v; exit }' "$1"
}

S=$OUT/sweep
mkdir -p "$S"
keys='"engine.policy", "workload.ipsec.arrival.rate"'
echo "point,dir,engine.policy,workload.ipsec.arrival.rate,policy,replications,requests_per_s,requests_per_s_ci95,bytes_per_s,latency_mean_ns,latency_mean_ci95,latency_p50_ns,latency_p90_ns,latency_p99_ns,latency_p99_ci95,latency_p999_ns,latency_max_ns,submitted,completed,failed,rejected,retried,migrated" >"$S/sweep.csv"
points=""
k=0
for policy in round-robin least-loaded; do
	for rate in 400k/s 800k/s 1200k/s; do
		label="$policy-$(echo "$rate" | tr -d /)"
		dir=$(printf 'p%03d-%s' "$k" "$label")
		"$ACSIM" run scenarios/policies.yaml -q -o "$S/$dir" --set run.duration=20ms \
			--set run.warmup=2ms --set run.sample=2ms --set engine.policy="$policy" \
			--set workload.ipsec.arrival.rate="$rate"
		j=$S/$dir/summary.json
		top='^  "requests"'
		ci='^  "ci95"'
		row="$k,$dir,$policy,$rate,$policy,2"
		row="$row,$(value "$j" '^  "throughput"' requests_per_s)"
		row="$row,$(value "$j" "$ci" requests_per_s)"
		row="$row,$(value "$j" '^  "throughput"' bytes_per_s)"
		row="$row,$(value "$j" '^  "latency_ns"' mean),$(value "$j" "$ci" mean)"
		for q in p50 p90 p99; do
			row="$row,$(value "$j" '^  "latency_ns"' $q)"
		done
		row="$row,$(value "$j" "$ci" p99)"
		row="$row,$(value "$j" '^  "latency_ns"' p999),$(value "$j" '^  "latency_ns"' max)"
		for c in submitted completed failed rejected retried migrated; do
			row="$row,$(value "$j" "$top" $c)"
		done
		echo "$row" >>"$S/sweep.csv"
		[ -n "$points" ] && points="$points,"
		points="$points
    {\"index\": $k, \"dir\": \"$dir\", \"label\": \"$label\", \"values\": {\"engine.policy\": \"$policy\", \"workload.ipsec.arrival.rate\": \"$rate\"}}"
		k=$((k + 1))
	done
done
cat >"$S/sweep.json" <<JSON
{
  "acsim_version": "$("$ACSIM" --version | cut -d' ' -f2)",
  "scenario": "policies",
  "seed": 23,
  "replications": 2,
  "keys": [$keys],
  "points": [$points
  ]
}
JSON
