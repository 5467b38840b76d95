#!/bin/sh
# tests/batch_means.sh - run.method: batch-means through the command line
# (run by ctest with the build directory as $1 and ACSIM_SOURCE_DIR in
# the environment). The statistics themselves are validated in
# tests/test_batch_means.c (M/M/8 against Erlang C).
#
# Checks: summary.json's batch_means object (rows, batches, lag1, the
# intervals of mean_in_system and requests_per_s, whose mean is the
# window's within 2%); more than one replication, an unknown method and a
# series too coarse for 40 batches of 10 rows are refused with exit
# status 2 and nothing written.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1

cat >"$T/mm8.yaml" <<'YAML'
name: mm8
seed: 8
run: {duration: 40ms, warmup: 5ms, method: batch-means}
engine: {policy: round-robin, queue: {depth: 1000000, backlog: 0}}
devices:
  - name: card
    lanes: 8
    ring: 8
    ops:
      op: {service: {dist: exponential, mean: 1us}}
workload:
  - name: jobs
    arrival: {process: poisson, rate: 7.2M/s}
    size: {dist: constant, value: 64}
    chain: [op]
YAML

expect 0 "$ACSIM" run "$T/mm8.yaml" -q -o "$T/bm"
S=$T/bm/summary.json
has "$S" '^  "batch_means": \{$'
has "$S" '^    "rows": [0-9]+,$'
has "$S" '^    "mean_in_system": \{$'
has "$S" '^      "batches": (40|20|10),$'
has "$S" '^      "lag1": '
has "$S" '^    "requests_per_s": \{$'
bm=$(grep -A1 '^    "mean_in_system": {' "$S" | sed -n 's/^      "mean": \([^,]*\),$/\1/p')
win=$(sed -n 's/^  "mean_in_system": \([^,]*\),$/\1/p' "$S" | head -n 1)
awk -v a="$bm" -v b="$win" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d / b < 0.02) }' ||
	fail "batch means' mean in system $bm, the window's $win"

expect 2 "$ACSIM" run "$T/mm8.yaml" -q --set run.replications=3 -o "$T/bad"
has "$T/err" 'run\.replications: expected one replication with run\.method: batch-means'
expect 2 "$ACSIM" run "$T/mm8.yaml" -q --set run.method=batch -o "$T/bad"
has "$T/err" 'run\.method: expected replications or batch-means, got batch'
expect 2 "$ACSIM" run "$T/mm8.yaml" -q --set run.sample=1ms -o "$T/bad"
has "$T/err" 'run\.sample: expected a sample interval of at most run\.duration / 400'
[ -e "$T/bad" ] && fail "a refused scenario wrote $T/bad"

finish
