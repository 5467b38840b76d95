#!/bin/sh
# The rooms of the simulator and the one direction of their includes
# (docs/simulator.md, "Rooms"):
#
#   des -> models -> run -> load -> results -> swarm -> sweep -> report -> cli
#
# A file may include headers of its own room and of the rooms to its left,
# never of a room to its right; models/ stands between des/ and run/. The
# core (core_impl/, policies/) is checked by check-seam.sh. Every source of
# sim/ lives in a room: a file directly under sim/ or in an unknown
# subfolder is refused too, so a new room is added here on purpose.
#
# live/ (the core on real threads) stands beside the rooms: it may include
# the core, the scenario and result rooms (run, load, results) and the
# event loop's random streams and histogram (sim/des/rng.h, hist.h), never
# the event loop itself (sim/des/loop.h), the models, or the rooms above
# results.
#
# Usage: tools/check-layers.sh [SOURCE_DIR]. Prints each include that
# points the wrong way as FILE:LINE: ROOM includes ROOM; exit status 1 when
# there is one, 0 when the rooms are clean.
set -u
top="${1:-.}"
cd "$top" || exit 2

ORDER="des models run load results swarm sweep report cli"

# rank ROOM: its place in ORDER (0 for des), or nothing for an unknown room.
rank() {
	i=0
	for r in $ORDER; do
		if [ "$r" = "$1" ]; then
			echo $i
			return
		fi
		i=$((i + 1))
	done
}

# room PATH: the room a path of the tree or of an include belongs to.
room() {
	case "$1" in
	models/*) echo models ;;
	sim/*/*) p=${1#sim/}; echo "${p%%/*}" ;;
	sim/*) echo "sim" ;; # a file loose in sim/
	*) echo "" ;;
	esac
}

status=0
files=$(find sim models -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort)
for f in $files; do
	from=$(room "$f")
	rf=$(rank "$from")
	if [ -z "$rf" ]; then
		echo "layers: $f: not in a room ($ORDER)" >&2
		status=1
		continue
	fi
	grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(sim|models)/' "$f" |
		sed -E 's/^([0-9]+):[^"]*"([^"]+)".*/\1 \2/' >"${TMPDIR:-/tmp}/layers.$$"
	while read -r line inc; do
		to=$(room "$inc")
		rt=$(rank "$to")
		if [ -z "$rt" ]; then
			echo "layers: $f:$line: includes $inc, which is in no room" >&2
			status=1
		elif [ "$rt" -gt "$rf" ]; then
			echo "layers: $f:$line: $from includes $to ($inc); $to comes after $from" >&2
			status=1
		fi
	done <"${TMPDIR:-/tmp}/layers.$$"
	rm -f "${TMPDIR:-/tmp}/layers.$$"
done
for f in $(find live -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort); do
	grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(sim|models)/' "$f" |
		sed -E 's/^([0-9]+):[^"]*"([^"]+)".*/\1 \2/' >"${TMPDIR:-/tmp}/layers.$$"
	while read -r line inc; do
		case "$inc" in
		sim/run/* | sim/load/* | sim/results/* | sim/des/rng.h | sim/des/hist.h) ;;
		*)
			echo "layers: $f:$line: live/ includes $inc; it may use sim/run, sim/load, sim/results, sim/des/rng.h and hist.h only" >&2
			status=1
			;;
		esac
	done <"${TMPDIR:-/tmp}/layers.$$"
	rm -f "${TMPDIR:-/tmp}/layers.$$"
done
[ $status -eq 0 ] && echo "layers: $(echo "$files" | wc -w) files of sim/ and models/ include only their own room and the rooms before it"
exit $status
