#!/usr/bin/env bash
# A single-node Slurm cluster on this machine for the sharded-sweep test (test/sweep/slurm-e2e.test.ts):
# installs Debian's slurm-wlm and munge if missing, writes a one-node configuration, starts munged,
# slurmctld and slurmd unless they already run, and waits until the node takes jobs. Safe to re-run:
# it changes nothing that is already in place. Needs root (without it: says so and exits 0; the test
# then skips). CI (.ci/run) calls it before `npm test`.
set -euo pipefail

say() { printf '[start-slurm] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  say "not root: not starting Slurm (the Slurm test skips)"
  exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge
fi

node_name=$(hostname -s)
cpus=$(nproc)
memory_mib=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
conf=/etc/slurm/slurm.conf
wanted=$(
  cat <<CONF
# Written by hotspot's scripts/start-slurm.sh: one node, no cgroups, no accounting.
ClusterName=hotspot
SlurmctldHost=$node_name
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MaxArraySize=1001
NodeName=$node_name CPUs=$cpus RealMemory=$memory_mib State=UNKNOWN
PartitionName=hotspot Nodes=$node_name Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$wanted" ]; then
  say "writing $conf ($node_name, $cpus CPUs, $memory_mib MiB)"
  printf '%s\n' "$wanted" >"$conf"
  restart=1
else
  restart=0
fi

if [ ! -s /etc/munge/munge.key ]; then
  say "creating the munge key"
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 0400 /etc/munge/munge.key
chmod 0755 /run/munge

running() { pgrep -x "$1" >/dev/null; }

if ! running munged; then
  say "starting munged"
  runuser -u munge -- /usr/sbin/munged
fi
if [ "$restart" = 1 ]; then
  for daemon in slurmd slurmctld; do
    pid_file=/run/$daemon.pid
    if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      say "stopping $daemon (pid $(cat "$pid_file")) for the new configuration"
      kill "$(cat "$pid_file")"
      for _ in $(seq 50); do kill -0 "$(cat "$pid_file")" 2>/dev/null || break; sleep 0.2; done
    fi
  done
fi
if ! running slurmctld; then
  say "starting slurmctld"
  /usr/sbin/slurmctld
fi
if ! running slurmd; then
  say "starting slurmd"
  /usr/sbin/slurmd
fi

for _ in $(seq 60); do
  state=$(sinfo --noheader --nodes "$node_name" --format '%t' 2>/dev/null || true)
  case "$state" in
    idle* | mix* | alloc*)
      say "node $node_name is $state"
      exit 0
      ;;
    down* | drain*)
      scontrol update NodeName="$node_name" State=RESUME >/dev/null 2>&1 || true
      ;;
  esac
  sleep 1
done
say "the node did not come up; see /var/log/slurm/slurmctld.log and slurmd.log"
exit 1
