# tests/support/harness.sh - what the shell tests of the command line
# share, sourced by tests/*.sh (run by ctest with the build directory as $1
# and ACSIM_SOURCE_DIR in the environment).
#
# Sets $BUILD, $SRC (the source tree), $ACSIM (the binary under test) and
# $T (a scratch directory removed on exit); gives the checks fail, expect
# and has, which count failures, and finish, which reports them and exits.
# The sourcing script names itself in messages by its file name.

# shellcheck shell=sh
name=$(basename "$0")
BUILD=${1:?usage: $name BUILD_DIR}
# shellcheck disable=SC2034 # for the sourcing scripts
SRC=${ACSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
ACSIM=$BUILD/acsim
[ -x "$ACSIM" ] || { echo "$name: no $ACSIM" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/acsim-${name%.sh}.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect STATUS CMD...: runs CMD with stdout in $T/out, stderr in $T/err.
expect() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$* -> exit $got, want $want"
		sed 's/^/  out: /' "$T/out" | head -40
		sed 's/^/  err: /' "$T/err" | head -20
		return 1
	fi
	return 0
}

# has FILE PATTERN: FILE has a line matching the extended regex PATTERN.
has() {
	grep -Eq -- "$2" "$1" || fail "$1 lacks /$2/: $(head -c 2000 "$1")"
}

# finish: exit status 1 and a count if any check failed, else "ok".
finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$name: $failures failure(s)"
		exit 1
	fi
	echo "$name: ok"
}

# two_cards_sweep NAME SEED REPLICATIONS: a small sweep on stdout (two
# cards, three balancers by two rates, 20 ms runs), the body shared in
# tests/data/two-cards-sweep.yaml.in.
two_cards_sweep() {
	printf 'name: %s\nseed: %s\nrun: {duration: 20ms, warmup: 2ms, replications: %s}\n' \
		"$1" "$2" "$3"
	cat "$SRC/tests/data/two-cards-sweep.yaml.in"
}
