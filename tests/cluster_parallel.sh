#!/bin/sh
# tests/cluster_parallel.sh - a sweep run through GNU parallel (run by
# ctest with the build directory as $1 and ACSIM_SOURCE_DIR in the
# environment; docs/cluster.md).
#
# `acsim sweep --emit parallel` writes a job per point; GNU parallel runs
# them on two local job slots (-S 2/:, the local machine as a "server")
# with a --joblog; `acsim sweep --merge` then writes sweep.json, sweep.csv
# and comparison.txt byte-identical to a local `acsim sweep`. Run again with
# --resume-failed, parallel runs nothing; a job that failed (a foreign
# directory stood where its point goes), which --merge names, is rerun by
# --resume-failed alone; --chunk 4 gives two jobs of 4 and 2 points; bad
# --emit and --chunk are refused.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$T" || exit 1
command -v parallel >/dev/null || { fail "no GNU parallel (tools/deps.sh installs it)"; finish; }

two_cards_sweep six 5 2 >"$T/six.yaml"

# sweep_same A B: the sweep's own three files are byte-identical.
sweep_same() {
	for f in sweep.json sweep.csv comparison.txt; do
		cmp -s "$1/$f" "$2/$f" || fail "$1/$f and $2/$f differ"
	done
}

# The local sweep, relative paths as a user types them; --set and --seed
# travel into the jobs.
expect 0 "$ACSIM" sweep six.yaml -o local -j 2 -q --set run.warmup=3ms --seed 9

expect 0 "$ACSIM" sweep six.yaml -o par --emit parallel --set run.warmup=3ms --seed 9
has "$T/out" 'par/cluster/parallel.jobs: 6 jobs for 6 points'
has "$T/out" 'acsim sweep six.yaml --merge -o par$'
JOBS=par/cluster/parallel.jobs
[ "$(wc -l <$JOBS)" -eq 6 ] || fail "$JOBS has $(wc -l <$JOBS) lines, want 6"
has $JOBS "^cd '$T' && '.*/acsim' sweep 'six.yaml' -o 'par' --points 4 -j 1 -q --set 'run.warmup=3ms' --seed 9\$"
[ -e par/sweep.csv ] && fail "--emit ran the sweep"

LOG=par/cluster/parallel.log
expect 0 parallel --will-cite --joblog $LOG --resume-failed -S 2/: <$JOBS
[ "$(awk -F'\t' 'NR > 1 && $7 == 0' $LOG | wc -l)" -eq 6 ] ||
	fail "the joblog does not show 6 jobs that exited 0: $(cat $LOG)"
expect 0 "$ACSIM" sweep six.yaml --merge -o par --set run.warmup=3ms --seed 9
sweep_same par local

# --resume-failed again: nothing to run
expect 0 parallel --will-cite --joblog $LOG --resume-failed -S 2/: <$JOBS
[ "$(awk 'NR > 1' $LOG | wc -l)" -eq 6 ] || fail "a second --resume-failed ran jobs again"

# a failed job is run again by --resume-failed alone
rm -rf par2 && expect 0 "$ACSIM" sweep six.yaml -o par2 --emit parallel --set run.warmup=3ms --seed 9
mkdir -p par2/p002-policy=least-loaded,rate=100k && touch par2/p002-policy=least-loaded,rate=100k/notes
expect 1 parallel --will-cite --joblog par2/cluster/parallel.log --resume-failed -S 2/: <par2/cluster/parallel.jobs
[ "$(awk -F'\t' 'NR > 1 && $7 != 0' par2/cluster/parallel.log | wc -l)" -eq 1 ] ||
	fail "not exactly one job failed: $(cat par2/cluster/parallel.log)"
expect 2 "$ACSIM" sweep six.yaml --merge -o par2 --set run.warmup=3ms --seed 9 &&
	has "$T/err" 'run them with --points 2$'
rm -r par2/p002-policy=least-loaded,rate=100k
expect 0 parallel --will-cite --joblog par2/cluster/parallel.log --resume-failed -S 2/: <par2/cluster/parallel.jobs
[ "$(awk -F'\t' 'NR > 1 && $7 == 0' par2/cluster/parallel.log | wc -l)" -eq 6 ] ||
	fail "--resume-failed did not rerun the failed job: $(cat par2/cluster/parallel.log)"
expect 0 "$ACSIM" sweep six.yaml --merge -o par2 --set run.warmup=3ms --seed 9
sweep_same par2 local

# chunks of 4 points: two jobs
expect 0 "$ACSIM" sweep six.yaml -o par3 --emit parallel --chunk 4 -q --set run.warmup=3ms --seed 9
[ "$(wc -l <par3/cluster/parallel.jobs)" -eq 2 ] || fail "--chunk 4 did not make 2 jobs"
has par3/cluster/parallel.jobs "--points 0-3 -j 1 -q"
has par3/cluster/parallel.jobs "--points 4-5 -j 1 -q"
expect 0 parallel --will-cite -S 2/: <par3/cluster/parallel.jobs
expect 0 "$ACSIM" sweep six.yaml --merge -o par3 --set run.warmup=3ms --seed 9
sweep_same par3 local

# bad input
expect 2 "$ACSIM" sweep six.yaml -o par4 --emit pbs
expect 2 "$ACSIM" sweep six.yaml -o par4 --chunk 2
expect 2 "$ACSIM" sweep six.yaml -o par4 --emit slurm --chunk 0
expect 2 "$ACSIM" sweep six.yaml -o par4 --emit parallel --points 1
[ -e par4 ] && fail "bad --emit input wrote par4"

finish
