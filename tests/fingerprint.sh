#!/bin/sh
# tests/fingerprint.sh - the trajectory's fingerprint through the command
# line (run by ctest with the build directory as $1 and ACSIM_SOURCE_DIR
# in the environment).
#
# Checks: summary.json gives every replication a "fingerprint"; the same
# run twice (on 1 and 2 threads) compares as identical trajectories and
# figures; one nanosecond more per encryption is "trajectory changed"
# with no regression; a baseline without fingerprints is "not compared";
# another seed changes both trajectory and figures.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1
export ACSIM_SCENARIOS="$SRC/scenarios"

SHORT="--set run.duration=60ms --set run.warmup=6ms --set run.replications=3 -q"

# shellcheck disable=SC2086 # $SHORT is a list of words
{
	expect 0 "$ACSIM" run default $SHORT -j 1 -o "$T/a"
	expect 0 "$ACSIM" run default $SHORT -j 2 -o "$T/b"
	expect 0 "$ACSIM" run default $SHORT --set devices.qat.ops.aes-cbc-enc.setup=2001ns -o "$T/ns"
	expect 0 "$ACSIM" run default $SHORT --seed 2 -o "$T/seed"
}
n=$(grep -c '"fingerprint": "0x[0-9a-f]\{16\}"' "$T/a/summary.json")
[ "$n" -eq 3 ] || fail "$n fingerprints in summary.json, want 3"

expect 0 "$ACSIM" compare "$T/a" "$T/b"
has "$T/out" '^trajectories: identical in 1 of 1 runs \(fingerprints\)$'
has "$T/out" '^figures: changed in 0 runs$'

expect 0 "$ACSIM" compare "$T/a" "$T/ns"
has "$T/out" '^  trajectory changed: 3 of 3 replications \(replication 0: fingerprint$'
has "$T/out" '^      0x[0-9a-f]{16} -> 0x[0-9a-f]{16}\)$'
has "$T/out" '^0 regressions in '
has "$T/out" '^trajectory changed in 1 of 1 runs \(fingerprints\)'

"$ACSIM" compare "$T/a" "$T/seed" >"$T/out" 2>&1
has "$T/out" '^trajectory changed in 1 of 1 runs \(fingerprints\)$'
has "$T/out" '^figures: changed in 1 run$'

mkdir "$T/old"
# as written before fingerprints: the line gone, the comma before it too
awk '/"fingerprint"/ { sub(/,$/, "", prev); next } NR > 1 { print prev } { prev = $0 }
	END { print prev }' "$T/a/summary.json" >"$T/old/summary.json"
expect 0 "$ACSIM" compare "$T/old" "$T/a"
has "$T/out" '^trajectories: not compared \(one side has none\)$'
has "$T/out" '^figures: changed in 0 runs$'

finish
