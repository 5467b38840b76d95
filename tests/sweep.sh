#!/bin/sh
# tests/sweep.sh - `acsim sweep` end to end (run by ctest with the build
# directory as $1 and ACSIM_SOURCE_DIR in the environment).
#
# A sweep of three policies by two loads, short runs with three
# replications: exit 0, a sweep.csv row and a result directory per point,
# a manifest that names them, the same replication seeds at every point; -j 1 and -j 2 give byte-identical files
# (wall_time_s aside); --points in two halves then --merge gives the same
# files as the whole run; --list; a policy paired with itself differs by
# exactly 0 with a half-width of 0; bad input (an unknown sweep key, a
# --baseline not in the list, a foreign -o, bad --points, --merge with
# points missing) exits 2 and writes nothing; a capped drain exits 1;
# rejections under a row of the table; numeric columns for values with units.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$T" || exit 1

# same A B: the two sweep directories hold the same files, byte for byte,
# but for the wall_time_s lines of summary.json.
same() {
	(cd "$1" && find . -type f | sort) >"$T/files.a"
	(cd "$2" && find . -type f | sort) >"$T/files.b"
	cmp -s "$T/files.a" "$T/files.b" || fail "$1 and $2 hold different files"
	while read -r f; do
		grep -v '"wall_time_s"' "$1/$f" >"$T/a"
		grep -v '"wall_time_s"' "$2/$f" >"$T/b"
		cmp -s "$T/a" "$T/b" || fail "$1/$f and $2/$f differ"
	done <"$T/files.a"
}

two_cards_sweep three 7 3 >"$T/three.yaml"
S=$T/three.yaml

# ---- a whole sweep ------------------------------------------------------------
expect 0 "$ACSIM" sweep "$S" -o "$T/j1" -j 1
has "$T/out" '^baseline round-robin'
has "$T/out" '^-- workload.w.arrival.rate=300k/s'
has "$T/out" '^  - round-robin '
has "$T/out" '^results: '
cmp -s "$T/out" /dev/null && fail "no table printed"
awk 'length > 80 { exit 1 }' "$T/j1/comparison.txt" || fail "comparison.txt is wider than 80"
rows=$(($(wc -l <"$T/j1/sweep.csv") - 1))
[ "$rows" -eq 6 ] || fail "sweep.csv has $rows rows, want 6"
has "$T/j1/sweep.csv" '^point,dir,engine.policy,workload.w.arrival.rate,workload.w.arrival.rate_per_s,policy,replications,requests_per_s,'
has "$T/j1/sweep.csv" '^4,"p004-policy=shortest-expected-delay,rate=100k",shortest-expected-delay,100k/s,100000,shortest-expected-delay,3,'
[ "$(grep -c '"dir": "p00[0-5]-' "$T/j1/sweep.json")" -eq 6 ] || fail "sweep.json lists not 6 points"
has "$T/j1/sweep.json" '^  "keys": \[$'
has "$T/j1/sweep.json" '"workload.w.arrival.rate": "300k/s"'
for d in $(sed -n 's/.*"dir": "\(.*\)".*/\1/p' "$T/j1/sweep.json"); do
	[ -f "$T/j1/$d/summary.json" ] || fail "no $d/summary.json"
	[ -f "$T/j1/$d/timeseries.csv" ] || fail "no $d/timeseries.csv"
	grep -q "^[0-9]*,\"$d\"," "$T/j1/sweep.csv" || fail "sweep.csv has no row for $d"
done
# the baseline's rows differ from themselves by 0 (the last nine columns)
awk -F, 'index($0, "\"p00") && index($0, "policy=round-robin,") {
	n++; for (i = NF - 8; i <= NF; i++) if ($i != 0) bad = 1 }
	END { exit bad || n != 2 }' "$T/j1/sweep.csv" || fail "round-robin against itself is not 0"
awk -F, 'index($0, "policy=least-loaded,rate=300k") { exit ($(NF - 8) == 0) }' "$T/j1/sweep.csv" ||
	fail "least-loaded against round-robin is exactly 0 at 300k/s"

# every point ran the same replication seeds (paired: the same requests)
for f in "$T"/j1/p*/summary.json; do
	# (the fingerprints differ: another policy, another trajectory)
	sed -n '/"replication_seeds"/,/]/p' "$f" | grep -v '"fingerprint"' >"$T/seeds.$(basename "$(dirname "$f")")"
done
for f in "$T"/seeds.p*; do
	[ -s "$f" ] || fail "$f: no replication_seeds"
	cmp -s "$f" "$T/seeds.p000-policy=round-robin,rate=100k" || fail "$f: other seeds"
done

# ---- -j 2 gives the same bytes --------------------------------------------------
expect 0 "$ACSIM" sweep "$S" -o "$T/j2" -j2 -q
[ -s "$T/out" ] && fail "--quiet printed: $(head -3 "$T/out")"
same "$T/j1" "$T/j2"

# ---- --list, --points, --merge ------------------------------------------------------
expect 0 "$ACSIM" sweep "$S" --list
[ "$(wc -l <"$T/out")" -eq 6 ] || fail "--list printed $(wc -l <"$T/out") lines, want 6"
has "$T/out" '^3 p003-policy=least-loaded,rate=300k engine.policy=least-loaded workload.w.arrival.rate=300k/s$'
expect 0 "$ACSIM" sweep "$S" -o "$T/parts" --points 0,3-4 -q
[ -d "$T/parts/p001-policy=round-robin,rate=300k" ] && fail "--points ran a point not asked for"
[ -e "$T/parts/sweep.csv" ] && fail "--points assembled a sweep.csv"
expect 2 "$ACSIM" sweep "$S" -o "$T/parts" --merge && has "$T/err" 'run them with --points 1-2,5$'
expect 0 "$ACSIM" sweep "$S" -o "$T/parts" --points 1-2,5 -j 2 -q
expect 0 "$ACSIM" sweep "$S" -o "$T/parts" --merge
cmp -s "$T/out" "$T/j1/comparison.txt" 2>/dev/null ||
	head -n -1 "$T/out" | cmp -s - "$T/j1/comparison.txt" || fail "--merge printed another table"
same "$T/j1" "$T/parts"

# ---- a policy paired with itself ---------------------------------------------------
sed -e 's/^  engine.policy: .*/  engine.policy: [least-loaded, round-robin, least-loaded]/' \
	-e 's/^  workload.w.arrival.rate: .*/  workload.w.arrival.rate: [300k\/s]/' "$S" >"$T/self.yaml"
expect 0 "$ACSIM" sweep "$T/self.yaml" -o "$T/self" -q --baseline least-loaded
# columns from the end: d_mean, ci, pct, d_p99, ci, pct, d_rps, ci, pct
awk -F, 'NR == 4 { for (i = NF - 8; i <= NF; i++) if ($i != 0) { print "column " i ": " $i; exit 1 } }' \
	"$T/self/sweep.csv" || fail "least-loaded paired with least-loaded is not exactly 0"
awk -F, 'NR == 3 { exit ($(NF - 8) == 0) }' "$T/self/sweep.csv" ||
	fail "round-robin against least-loaded is exactly 0: the pairing compares nothing"

# ---- bad input: exit 2, nothing written ---------------------------------------------
sed 's/^  workload.w.arrival.rate:/  workload.w.arrival.rat:/' "$S" >"$T/badkey.yaml"
expect 2 "$ACSIM" sweep "$T/badkey.yaml" -o "$T/bad1" && has "$T/err" 'badkey.yaml:[0-9]+:[0-9]+: error:'
[ -e "$T/bad1" ] && fail "a bad sweep key wrote $T/bad1"
expect 2 "$ACSIM" sweep "$S" -o "$T/bad2" --baseline random && has "$T/err" 'not in the engine.policy list'
[ -e "$T/bad2" ] && fail "a bad --baseline wrote $T/bad2"
expect 2 "$ACSIM" sweep "$S" -o "$T/bad3" --points 2,9 && has "$T/err" 'points 0..5'
[ -e "$T/bad3" ] && fail "bad --points wrote $T/bad3"
expect 2 "$ACSIM" sweep "$S" -o "$T/bad4" --points 1 --merge
expect 2 "$ACSIM" sweep "$S" -o "$T/bad5" -j 0
mkdir "$T/foreign" && echo keep >"$T/foreign/notes.txt"
expect 2 "$ACSIM" sweep "$S" -o "$T/foreign" && has "$T/err" 'not a sweep directory'
[ "$(ls "$T/foreign")" = notes.txt ] || fail "a foreign -o directory was written into"
expect 2 "$ACSIM" sweep "$S" -o "$T/bad6" --set run.warmup=30ms
[ -e "$T/bad6" ] && fail "a bad --set wrote $T/bad6"

# ---- a failed point: exit 1, results written ---------------------------------------
expect 1 "$ACSIM" sweep "$S" -o "$T/capped" --set run.drain=1ns --set run.replications=1 \
	--set 'engine.queue.depth=64' && has "$T/err" 'FAILURE'
[ -f "$T/capped/sweep.csv" ] || fail "a failed sweep wrote no sweep.csv"
has "$T/capped/comparison.txt" '^n/a: one replication'
has "$T/capped/comparison.txt" ' !  '

# ---- losses and numeric values ------------------------------------------------
# a queue of two and no backlog at ten times the card's rate: most requests
# are rejected, and the table says so under each row; a duration key gets
# its value in ns beside the text
cat >"$T/lossy.yaml" <<'EOF'
name: lossy
seed: 3
run: {duration: 10ms, warmup: 1ms, replications: 2}
engine: {policy: least-loaded, queue: {depth: 2, backlog: 0}}
devices:
  - name: one
    lanes: 1
    ring: 1
    ops:
      aes-gcm-enc: {setup: 10us, rate: 1GB/s}
workload:
  - name: w
    arrival: {process: poisson, rate: 1M/s}
    size: {dist: constant, value: 64B}
    chain: [aes-gcm-enc]
sweep:
  run.duration: [10ms, 20ms]
EOF
if expect 0 "$ACSIM" sweep "$T/lossy.yaml" -o "$T/lossy"; then
	has "$T/lossy/comparison.txt" '^    rejected [1-9][0-9]\.[0-9]%  failed 0  backlogged 0 of submitted$'
	has "$T/lossy/sweep.csv" '^point,dir,run.duration,run.duration_ns,policy,'
	has "$T/lossy/sweep.csv" '^1,p001-duration=20ms,20ms,20000000,least-loaded,'
fi

# ---- policy variants --------------------------------------------------------------
# the same balancer with other options beside others, named; an engine-wide
# option another swept balancer lacks is not refused; a value the balancer
# refuses is refused at load, located
cat >"$T/var.yaml" <<'EOF'
name: var
seed: 3
run: {duration: 10ms, warmup: 1ms, replications: 2}
engine: {policy: least-loaded}
devices:
  - name: fast
    lanes: 2
    ring: 8
    ops:
      aes-gcm-enc: {setup: 1us, rate: 4GB/s}
  - name: slow
    lanes: 1
    ring: 8
    ops:
      aes-gcm-enc: {setup: 3us, rate: 1GB/s}
workload:
  - name: w
    arrival: {process: poisson, rate: 300k/s}
    size: {dist: uniform, min: 64B, max: 2KiB}
    chain: [aes-gcm-enc]
sweep:
  engine.policy: [least-loaded, power-of-two, {name: p2-d1, policy: power-of-two, policy_options: {d: 1}}]
EOF
if expect 0 "$ACSIM" sweep "$T/var.yaml" -o "$T/var" -j 2; then
	has "$T/var/comparison.txt" '^p2-d1 +[0-9.]+ us'
	has "$T/var/comparison.txt" '^power-of-two +[0-9.]+ us'
	[ -d "$T/var/p002-policy=p2-d1" ] || fail "no p002-policy=p2-d1"
	has "$T/var/p002-policy=p2-d1/summary.json" '"policy": "power-of-two"'
fi
# the variant as the baseline, by its name: the tables, sweep.json and the
# baseline column of sweep.csv name it so, with no YAML in them
if expect 0 "$ACSIM" sweep "$T/var.yaml" -o "$T/varb" -j 2 --baseline p2-d1 -q; then
	has "$T/varb/comparison.txt" '^baseline p2-d1;'
	has "$T/varb/sweep.json" '"baseline": "p2-d1"'
	has "$T/varb/sweep.csv" ',p2-d1,[-0-9.e]+,'
	grep -q '{' "$T/varb/comparison.txt" && fail "comparison.txt shows YAML"
fi
expect 2 "$ACSIM" sweep "$T/var.yaml" -o "$T/varc" --baseline p2-d9 &&
	has "$T/err" 'baseline p2-d9: not in the engine.policy list'
expect 0 "$ACSIM" sweep "$T/var.yaml" --list --set engine.policy_options.d=3 &&
	has "$T/out" '^2 p002-policy=p2-d1 '
sed 's/{d: 1}/{d: 40}/' "$T/var.yaml" >"$T/var40.yaml"
expect 2 "$ACSIM" sweep "$T/var40.yaml" -o "$T/var40" &&
	has "$T/err" 'var40.yaml:[0-9]+:[0-9]+: error: engine.policy.policy_options.d: expected a value power-of-two accepts for d \(value out of range\), got 40'
[ -e "$T/var40" ] && fail "a refused sweep wrote $T/var40"
# without a policy sweep an option the balancer lacks is still refused
sed '/^sweep:/,$d' "$T/var.yaml" >"$T/novar.yaml"
expect 2 "$ACSIM" validate "$T/novar.yaml" --set engine.policy_options.d=3 &&
	has "$T/err" "engine.policy_options.d: .*least-loaded"

finish
