#!/bin/sh
# tools/regress.sh - the scenario library against its committed baselines
# (docs/regressions.md). `make regress` and `make baselines` call it.
#
#   tools/regress.sh check BUILD      run the library into results/regress/
#                                     and compare it with results/baselines/;
#                                     exit 1 on a regression, 2 on bad input
#   tools/regress.sh baselines BUILD  run the library and keep its
#                                     summary.json / sweep.json files as the
#                                     new results/baselines/
#
# Every scenarios/*.yaml runs with the options in results/baselines/settings
# (the same for the baselines and the check: that is what makes them
# comparable). A scenario with a `sweep:` runs every point with
# `acsim sweep` when this build has it (and it takes --set); otherwise
# its base point runs with `acsim run`. Scenarios run $JOBS at a time.
#
# The comparison says apart whether the trajectories changed (the
# replications' fingerprints) and whether the figures did: a refactoring
# that must not change behaviour shows "trajectories: identical".
#
# Which scenarios: with SCENARIOS unset, the library, the files named in
# scenarios/LIBRARY (a scenario of one's own in scenarios/ stays out);
# with SCENARIOS=DIR, every DIR/*.yaml.
#
# Environment: JOBS (default: the number of CPUs), THRESHOLD (acsim
# compare --threshold in percent, default 1: the sides run the same seeds,
# so the paired intervals are tight enough for it), SCENARIOS (default:
# scenarios), BASELINES (default: results/baselines), REGRESS_OUT (default:
# results/regress).
set -u

MODE=${1:-}
BUILD=${2:-build}
case $MODE in
check | baselines) ;;
*)
	echo "usage: tools/regress.sh check|baselines [BUILD_DIR]" >&2
	exit 2
	;;
esac
ACSIM=$BUILD/acsim
LIBRARY=
if [ -z "${SCENARIOS:-}" ]; then
	SCENARIOS=scenarios
	LIBRARY=scenarios/LIBRARY
fi
BASELINES=${BASELINES:-results/baselines}
OUT=${REGRESS_OUT:-results/regress}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
THRESHOLD=${THRESHOLD:-1}
SETTINGS=$BASELINES/settings

[ -x "$ACSIM" ] || { echo "regress: no $ACSIM (make build)" >&2; exit 2; }
[ -f "$SETTINGS" ] || { echo "regress: no $SETTINGS" >&2; exit 2; }
# the scenario files, one a line
list() {
	if [ -n "$LIBRARY" ]; then
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e "s|^|$SCENARIOS/|" "$LIBRARY"
	else
		ls "$SCENARIOS"/*.yaml
	fi
}
list >/dev/null 2>&1 && [ -n "$(list 2>/dev/null)" ] ||
	{ echo "regress: no scenarios in $SCENARIOS (or ${LIBRARY:-its *.yaml})" >&2; exit 2; }

# The settings: one acsim option per line ("--set run.replications=5"),
# '#' comments and blank lines ignored.
OPTS=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SETTINGS" | tr '\n' ' ' | sed 's/ *$//')

# Does this build sweep? The placeholder says "Not implemented".
SWEEP=no
if "$ACSIM" sweep --help >"${TMPDIR:-/tmp}/regress-sweep.$$" 2>&1 &&
	! grep -q "Not implemented" "${TMPDIR:-/tmp}/regress-sweep.$$"; then
	if [ -z "$OPTS" ] || grep -q -- "--set" "${TMPDIR:-/tmp}/regress-sweep.$$"; then
		SWEEP=yes
	else
		echo "regress: acsim sweep takes no --set: base points only" >&2
	fi
fi
rm -f "${TMPDIR:-/tmp}/regress-sweep.$$"

# The runs go to a fresh directory beside OUT, renamed onto it at the end.
WORK=$OUT.tmp
rm -rf "$WORK"
mkdir -p "$WORK" || exit 2

START=$(date +%s)
echo "regress: running $(list | wc -l | tr -d ' ') scenarios" \
	"(sweeps: $SWEEP; settings: $OPTS; $JOBS at a time)" >&2

# one scenario: WORK/NAME/ (a run or a sweep), its log and exit status
export ACSIM OPTS SWEEP WORK
list | xargs -P "$JOBS" -n 1 sh -c '
	f=$1
	name=$(basename "$f" .yaml)
	if [ "$SWEEP" = yes ] && grep -q "^sweep:" "$f"; then
		# shellcheck disable=SC2086
		"$ACSIM" sweep "$f" -o "$WORK/$name" $OPTS >"$WORK/$name.log" 2>&1
	else
		# shellcheck disable=SC2086
		# one thread each: the scenarios already run $JOBS at a time
		"$ACSIM" run "$f" -o "$WORK/$name" --quiet -j 1 $OPTS >"$WORK/$name.log" 2>&1
	fi
	echo $? >"$WORK/$name.status"
' sh

bad=0
for f in $(list); do
	name=$(basename "$f" .yaml)
	status=$(cat "$WORK/$name.status" 2>/dev/null || echo 2)
	case $status in
	0) ;;
	1) echo "regress: $name: the run found a failure (see $OUT/$name.log)" >&2 ;;
	*)
		echo "regress: $name: exit $status:" >&2
		sed 's/^/  /' "$WORK/$name.log" >&2
		bad=1
		;;
	esac
	rm -f "$WORK/$name.status"
done
[ $bad -eq 0 ] || exit 2
echo "regress: ran in $(($(date +%s) - START)) s" >&2

if [ "$MODE" = baselines ]; then
	# keep summary.json and sweep.json only (no CSVs), in their layout
	NEW=$BASELINES.tmp
	rm -rf "$NEW"
	mkdir -p "$NEW" || exit 2
	cp "$SETTINGS" "$NEW/settings"
	[ -f "$BASELINES/README.md" ] && cp "$BASELINES/README.md" "$NEW/README.md"
	(cd "$WORK" && find . -name summary.json -o -name sweep.json) | while read -r file; do
		mkdir -p "$NEW/$(dirname "$file")" && cp "$WORK/$file" "$NEW/$file"
	done
	rm -rf "$BASELINES" && mv "$NEW" "$BASELINES" && rm -rf "$WORK"
	echo "regress: new baselines in $BASELINES/ ($(du -sk "$BASELINES" | cut -f1) KiB)" >&2
	exit 0
fi

rm -rf "$OUT" && mv "$WORK" "$OUT" || exit 2
"$ACSIM" compare --threshold "$THRESHOLD" "$BASELINES" "$OUT" >"$OUT/compare.txt"
"$ACSIM" compare --threshold "$THRESHOLD" --brief "$BASELINES" "$OUT" >"$OUT/compare-brief.txt"
status=$?
cat "$OUT/compare-brief.txt"
echo "regress: the full table is in $OUT/compare.txt" >&2
exit $status
