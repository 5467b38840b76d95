#!/bin/sh
# Runs every benchmark built in the given build directory (make bench),
# after a header that says what was measured where: figures without the
# commit and the machine are not comparable.
set -eu
build="${1:-build}"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
echo "cpu:    $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
found=0
for b in "$build"/bench_*; do
	[ -x "$b" ] || continue
	found=1
	echo "== $(basename "$b")"
	"$b"
done
[ $found -eq 1 ] || echo "bench: no benchmarks built yet"
if [ -x "$build/acsim" ]; then
	echo "== acsim run -j (bench/jobs.sh)"
	sh "$(dirname "$0")/jobs.sh" "$build"
fi
if [ -x "$build/acsim" ] && command -v python3 >/dev/null 2>&1; then
	echo "== fidelity (bench/fidelity.sh)"
	sh "$(dirname "$0")/fidelity.sh" "$build" 3s 5 # the sittings docs/live.md quotes
fi
