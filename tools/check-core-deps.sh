#!/bin/sh
# Fails unless the shared object given links against libc alone (docs/architecture.md, "The seam").
set -eu
so="$1"
needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for lib in $needed; do
	case "$lib" in
	libc.so.*) ;;
	*)
		echo "check-core-deps: $so needs $lib; the core may link libc only" >&2
		exit 1
		;;
	esac
done
