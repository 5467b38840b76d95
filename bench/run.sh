#!/bin/sh
# Runs every benchmark built in the given build directory (make bench).
set -eu
build="${1:-build}"
found=0
for b in "$build"/bench_*; do
	[ -x "$b" ] || continue
	found=1
	echo "== $(basename "$b")"
	"$b"
done
[ $found -eq 1 ] || echo "bench: no benchmarks built yet"
