#!/bin/sh
# tests/sweep_resume.sh - sweep points as content-addressed, resumable jobs
# (run by ctest with the build directory as $1 and ACSIM_SOURCE_DIR in the
# environment).
#
# A sweep run again reuses every point (and says so) and writes the same
# bytes; a point whose key is not the plan's runs again, --rerun runs them
# all, --merge refuses a stale point; a changed scenario runs everything
# again. Stopped by SIGTERM, the sweep stops its workers (by their PIDs),
# dies of the signal and leaves whole points only; killed with SIGKILL, its
# workers die too and no half point is left; either way the same command
# resumes, reuses the finished points, says how many, and ends with the
# same sweep.json, sweep.csv and comparison.txt as a sweep never stopped.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$T" || exit 1

two_cards_sweep six 11 2 >"$T/six.yaml"
S=$T/six.yaml

# sweep_same A B: the sweep's own three files are byte-identical.
sweep_same() {
	for f in sweep.json sweep.csv comparison.txt; do
		cmp -s "$1/$f" "$2/$f" || fail "$1/$f and $2/$f differ"
	done
}

# key_of DIR POINT: the key recorded for point POINT's directory.
key_of() {
	head -n 1 "$1"/keys/"$(printf 'p%03d' "$2")"-*
}

# whole DIR: every point directory there is whole, and nothing half-written
# is left beside it.
whole() {
	for d in "$1"/p*/; do
		[ -d "$d" ] || continue
		for f in summary.json timeseries.csv latency_hist.csv devices.csv scenario.yaml; do
			[ -s "$d/$f" ] || fail "$d has no $f: a half point"
		done
	done
}

# no_leftovers DIR: no hidden temporary of an interrupted write.
no_leftovers() {
	left=$(find "$1" -name '.*.tmp-*' -o -name '.*.old-*')
	[ -z "$left" ] || fail "left behind: $left"
}

# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$1/stat" 2>/dev/null
}

# mid_sweep PID DIR: waits (up to 20 s) until the sweep PID writing DIR has
# finished a point, then prints the PIDs of its workers.
mid_sweep() {
	i=0
	while [ $i -lt 400 ] && ! [ -d "$2/keys" ]; do
		sleep 0.05
		i=$((i + 1))
	done
	children "$1"
}

# children PID: the PIDs of PID's child processes, from /proc.
children() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pp="$1" '$4 == pp { printf "%s ", $1 }'
}

# ---- run again: everything reused, the same bytes ------------------------------
expect 0 "$ACSIM" sweep "$S" -o "$T/a" -j 2 -q
[ "$(find "$T/a/keys" -type f | wc -l)" -eq 6 ] || fail "not 6 keys recorded"
has "$T/a/keys/p002-policy=least-loaded,rate=100k" '^[0-9a-f]{16}$'
has "$T/a/keys/p002-policy=least-loaded,rate=100k" '^1 [0-9a-f]{16}$'
cp -r "$T/a" "$T/a0"
expect 0 "$ACSIM" sweep "$S" -o "$T/a" -j 2
has "$T/out" '^reused 6 of 6 points'
sweep_same "$T/a" "$T/a0"
[ "$T/a/p000-policy=round-robin,rate=100k/summary.json" -nt "$T/a0/keys" ] &&
	fail "a reused point was written again"

# ---- a stale key runs its point again; --merge refuses it ---------------------
k3=$(key_of "$T/a" 3)
echo 0123456789abcdef >"$T/a/keys/p003-policy=least-loaded,rate=300k"
expect 2 "$ACSIM" sweep "$S" -o "$T/a" --merge && has "$T/err" 'stale.*--points 3$'
expect 0 "$ACSIM" sweep "$S" -o "$T/a" -j 2
has "$T/out" '^reused 5 of 6 points'
[ "$(key_of "$T/a" 3)" = "$k3" ] || fail "point 3's key is not back after its rerun"
sweep_same "$T/a" "$T/a0"
expect 0 "$ACSIM" sweep "$S" -o "$T/a" --merge
sweep_same "$T/a" "$T/a0"

# --rerun reuses nothing; --resume is the default said aloud
expect 0 "$ACSIM" sweep "$S" -o "$T/a" -j 2 --rerun
grep -q '^reused' "$T/out" && fail "--rerun reused points"
sweep_same "$T/a" "$T/a0"
expect 0 "$ACSIM" sweep "$S" -o "$T/a" -j 2 --resume
has "$T/out" '^reused 6 of 6 points'
expect 2 "$ACSIM" sweep "$S" -o "$T/a" --resume --rerun

# ---- another scenario, --set or seed: every key changes ------------------------
expect 0 "$ACSIM" sweep "$S" -o "$T/a" -j 2 --seed 12
grep -q '^reused' "$T/out" && fail "another seed reused points"
[ "$(key_of "$T/a" 0)" != "$(key_of "$T/a0" 0)" ] || fail "the key does not depend on the seed"
expect 0 "$ACSIM" sweep "$S" -o "$T/a" -j 2 --seed 12
has "$T/out" '^reused 6 of 6 points'
expect 0 "$ACSIM" sweep "$S" -o "$T/a" -j 2 --seed 12 --set run.warmup=3ms
grep -q '^reused' "$T/out" && fail "another --set reused points"
sed 's/rate: 4GB\/s/rate: 5GB\/s/' "$S" >"$T/edit.yaml" && cp "$T/edit.yaml" "$S"
expect 0 "$ACSIM" sweep "$S" -o "$T/a" -j 2 --seed 12 --set run.warmup=3ms
grep -q '^reused' "$T/out" && fail "an edited scenario reused points"
sed 's/rate: 5GB\/s/rate: 4GB\/s/' "$S" >"$T/edit.yaml" && cp "$T/edit.yaml" "$S"

# ---- stopped: longer points, so that the signal comes mid-sweep ---------------
LONG="--set run.duration=250ms"
# shellcheck disable=SC2086 # LONG is two words
expect 0 "$ACSIM" sweep "$S" -o "$T/ref" -j 2 -q $LONG

# SIGTERM: the sweep stops its workers, waits for them and dies of the signal
# shellcheck disable=SC2086
"$ACSIM" sweep "$S" -o "$T/term" -j 2 -q $LONG >"$T/term.out" 2>&1 &
pid=$!
w=$(mid_sweep $pid "$T/term")
[ -n "$w" ] || fail "the sweep had no worker running"
kill -TERM $pid
{ wait $pid; } 2>/dev/null
st=$?
[ $st -eq 143 ] || fail "a sweep stopped by SIGTERM exited $st, want 143: $(cat "$T/term.out")"
for p in $w; do
	alive "$p" && fail "worker $p outlived the sweep stopped by SIGTERM"
done
has "$T/term.out" 'stopped by signal 15'
whole "$T/term"
no_leftovers "$T/term"
done_before=$(find "$T/term/keys" -type f | wc -l)
[ "$done_before" -ge 1 ] && [ "$done_before" -lt 6 ] ||
	fail "$done_before points were done when the sweep was stopped, want 1 to 5"
# shellcheck disable=SC2086
expect 0 "$ACSIM" sweep "$S" -o "$T/term" -j 2 $LONG
has "$T/out" "^reused $done_before of 6 points"
sweep_same "$T/term" "$T/ref"

# SIGKILL: no handler runs, the workers die with the sweep, no half point
# shellcheck disable=SC2086
"$ACSIM" sweep "$S" -o "$T/kill" -j 2 -q $LONG >"$T/kill.out" 2>&1 &
pid=$!
w=$(mid_sweep $pid "$T/kill")
kill -KILL $pid
{ wait $pid; } 2>/dev/null
i=0
left=$w
while [ $i -lt 100 ] && [ -n "$left" ]; do
	left=""
	for p in $w; do
		alive "$p" && left="$left $p"
	done
	[ -n "$left" ] && sleep 0.05
	i=$((i + 1))
done
[ -z "$left" ] || fail "workers$left outlived the sweep killed with SIGKILL"
[ -n "$w" ] || fail "the killed sweep had no worker running"
whole "$T/kill"
done_before=$(find "$T/kill/keys" -type f | wc -l)
[ "$done_before" -ge 1 ] && [ "$done_before" -lt 6 ] ||
	fail "$done_before points were done when the sweep was killed, want 1 to 5"
# shellcheck disable=SC2086
expect 0 "$ACSIM" sweep "$S" -o "$T/kill" -j 2 $LONG
has "$T/out" "^reused $done_before of 6 points"
no_leftovers "$T/kill"
sweep_same "$T/kill" "$T/ref"

finish
