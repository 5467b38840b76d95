#!/bin/sh
# Installs the Debian packages acsim's build, tests and plots need, and only
# those that are missing. Idempotent; prints nothing when all is there.
# clang and libclang-rt-dev (libFuzzer) build the fuzz target, build-fuzz/;
# munge, slurmctld, slurmd, slurm-client and parallel run the cluster tests
# (tests/cluster_*.sh; their daemons are started by the test, not here).
set -eu

PKGS="build-essential cmake pkg-config clang libclang-rt-dev clang-format libgsl-dev libyaml-dev \
libcriterion-dev libjansson-dev gnuplot-nox libssl-dev munge slurmctld slurmd slurm-client parallel help2man"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
