#!/bin/sh
# tests/cluster_slurm.sh - a sweep run as a Slurm job array on a one-node
# Slurm this test starts on localhost (run by ctest with the build
# directory as $1 and ACSIM_SOURCE_DIR in the environment;
# docs/cluster.md).
#
# The test starts a private munged (its own key, socket and pid file),
# slurmctld and slurmd as the current user, on two free ports, with a
# minimal slurm.conf (proctrack/linuxproc, task/none, state, spool, logs
# and pid files in the test's scratch directory), and stops all three by
# their PIDs on the way out, failed or not. `acsim sweep --emit slurm
# --chunk 2` writes the batch script; `sbatch` runs its three array tasks;
# once the queue is empty, `acsim sweep --merge` writes sweep.json,
# sweep.csv and comparison.txt byte-identical to a local `acsim sweep`.
set -u

# shellcheck source=support/harness.sh source-path=SCRIPTDIR
. "$(dirname "$0")/support/harness.sh"
cd "$T" || exit 1
for tool in munged slurmctld slurmd sbatch squeue sinfo; do
	command -v $tool >/dev/null ||
		{ fail "no $tool (tools/deps.sh installs munge slurmctld slurmd slurm-client)"; finish; }
done

# ---- a one-node Slurm on localhost ---------------------------------------------------
C=$T/slurm
mkdir -p "$C/state" "$C/spool" "$C/munge"
chmod 700 "$C/munge"

# stop_slurm: every daemon this test started, by the PID in its pid file.
stop_slurm() {
	[ -f "$C/slurm.conf" ] && SLURM_CONF="$C/slurm.conf" scancel --quiet --user "$(id -un)" \
		>/dev/null 2>&1
	for f in "$C/slurmd.pid" "$C/slurmctld.pid" "$C/munge/munged.pid"; do
		[ -s "$f" ] || continue
		p=$(cat "$f")
		kill "$p" 2>/dev/null || continue
		i=0
		while [ $i -lt 100 ] && [ -r "/proc/$p/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$p/stat"; do
			sleep 0.05
			i=$((i + 1))
		done
	done
}
trap 'stop_slurm; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

# two free TCP ports next to each other, chosen at random
port=""
i=0
while [ -z "$port" ] && [ $i -lt 50 ]; do
	p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000))
	if ! ss -Htan "( sport = :$p or sport = :$((p + 1)) )" 2>/dev/null | grep -q .; then
		port=$p
	fi
	i=$((i + 1))
done
[ -n "$port" ] || { fail "no free port"; finish; }

dd if=/dev/urandom of="$C/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$C/munge/munge.key"
munged --force --socket="$C/munge/munge.socket" --key-file="$C/munge/munge.key" \
	--pid-file="$C/munge/munged.pid" --log-file="$C/munge/munged.log" \
	--seed-file="$C/munge/munged.seed" ||
	{ fail "munged did not start: $(tail -5 "$C/munge/munged.log")"; finish; }

cat >"$C/slurm.conf" <<EOF
ClusterName=acsimtest
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
AuthInfo=socket=$C/munge/munge.socket
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/slurmctld.log
SlurmdLogFile=$C/slurmd.log
NodeName=acsimnode NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=acsim Nodes=acsimnode Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$C/slurm.conf"
slurmctld -f "$SLURM_CONF" -i || { fail "slurmctld did not start: $(tail -5 "$C/slurmctld.log")"; finish; }
slurmd -f "$SLURM_CONF" -N acsimnode || { fail "slurmd did not start: $(tail -5 "$C/slurmd.log")"; finish; }
i=0
while [ $i -lt 200 ] && [ "$(sinfo -h -N -o %t 2>/dev/null)" != idle ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(sinfo -h -N -o %t 2>/dev/null)" = idle ] || {
	fail "the node is not idle after 20 s: $(sinfo -N 2>&1); $(tail -5 "$C/slurmd.log")"
	finish
}

# ---- the sweep --------------------------------------------------------------------------
two_cards_sweep six 3 2 >"$T/six.yaml"

expect 0 "$ACSIM" sweep six.yaml -o local -j 2 -q --set run.replications=3

expect 0 "$ACSIM" sweep six.yaml -o shared --emit slurm --chunk 2 --set run.replications=3
has "$T/out" 'shared/cluster/slurm.sbatch: 3 jobs for 6 points'
SCRIPT=shared/cluster/slurm.sbatch
has $SCRIPT '^#SBATCH --array=0-2$'
has $SCRIPT "^#SBATCH --output=$T/shared/cluster/logs/%A_%a.out\$"
[ -x $SCRIPT ] || fail "$SCRIPT is not executable"

expect 0 sbatch --parsable $SCRIPT
job=$(cat "$T/out")
i=0
while [ $i -lt 1200 ] && [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || fail "job $job still queued after 120 s: $(squeue)"
for task in 0 1 2; do
	log=shared/cluster/logs/${job}_$task.out
	[ -f "$log" ] || fail "task $task left no $log"
	[ -s "$log" ] && fail "task $task said: $(cat "$log")"
done
[ "$(find shared/keys -type f | wc -l)" -eq 6 ] || fail "the array wrote not 6 points"

expect 0 "$ACSIM" sweep six.yaml --merge -o shared --set run.replications=3
for f in sweep.json sweep.csv comparison.txt; do
	cmp -s "shared/$f" "local/$f" || fail "shared/$f and local/$f differ"
done

daemons=$(cat "$C/slurmd.pid" "$C/slurmctld.pid" "$C/munge/munged.pid")
stop_slurm
for p in $daemons; do
	[ -r "/proc/$p/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$p/stat" &&
		fail "daemon $p still runs after it was stopped"
done
finish
