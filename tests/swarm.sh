#!/bin/sh
# tests/swarm.sh - acsim swarm end to end (run by ctest with the build
# directory as $1 and ACSIM_SOURCE_DIR in the environment; docs/swarm.md).
#
# Checks: SWARM_SEEDS seeds (default 1000) hold in this (sanitized) build on
# two workers, and say how many ran; --seed N alone runs one seed;
# --print gives a scenario that acsim validate and acsim run accept and
# that names its replay command, the same bytes twice; --file checks a
# scenario and says ok; a scenario the loader refuses is exit 2 with its
# located message; a trial past --timeout is a "hang", exit 1; bad usage
# is exit 2.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$SRC" || exit 1

seeds=${SWARM_SEEDS:-1000}
expect 0 "$ACSIM" swarm --seeds "$seeds" -j 2 -o "$T" &&
	has "$T/err" "^acsim swarm: $seeds trials from seed 1 in .* all held$"

expect 0 "$ACSIM" swarm --seed 77 && has "$T/err" "1 trials from seed 77"

expect 0 "$ACSIM" swarm --seed 5 --print && cp "$T/out" "$T/s5.yaml"
has "$T/s5.yaml" "^# swarm seed 5; replay: acsim swarm --seed 5$"
expect 0 "$ACSIM" swarm --seed 5 --print && cmp -s "$T/out" "$T/s5.yaml" ||
	fail "--print gave other bytes the second time"
expect 0 "$ACSIM" validate "$T/s5.yaml"
expect 0 "$ACSIM" run "$T/s5.yaml" -o "$T/r5" -q
expect 0 "$ACSIM" swarm --file "$T/s5.yaml" && has "$T/out" "s5.yaml: ok$"

printf 'devices: 3\n' >"$T/bad.yaml"
expect 2 "$ACSIM" swarm --file "$T/bad.yaml" && has "$T/err" "bad.yaml:1:10: error: devices"

# the default scenario takes far more than a second of this build
expect 1 "$ACSIM" swarm --file scenarios/default.yaml --timeout 1 &&
	has "$T/err" "broken: hang"

expect 2 "$ACSIM" swarm --seeds x
expect 2 "$ACSIM" swarm -j 0
expect 2 "$ACSIM" swarm extra
finish
