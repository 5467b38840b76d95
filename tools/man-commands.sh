#!/bin/sh
# tools/man-commands.sh ACSIM - the include file help2man adds to the man
# page (CMakeLists.txt, target man): a COMMANDS section holding every
# command's own help, as `acsim help CMD` prints it.
set -eu
ACSIM=${1:?usage: tools/man-commands.sh ACSIM}
echo "[COMMANDS]"
for cmd in run sweep validate list plot report compare live calibrate; do
	echo ".SS $cmd"
	echo ".nf"
	"$ACSIM" help "$cmd" | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"
	echo ".fi"
done
echo "[SEE ALSO]"
echo "The documentation in docs/ of the source tree: cli.md, results.md,"
echo "scenarios.md, plots.md, regressions.md."
