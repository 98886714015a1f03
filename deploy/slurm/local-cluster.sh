#!/usr/bin/env bash
# One-node Slurm cluster for the tests and for trying deploy/slurm on one
# machine (Debian 12, root, no systemd): installs slurm-wlm and munge if
# missing, starts munged, slurmctld and slurmd. Idempotent. Undo:
# local-cluster-down.sh. Adapted from shared/scale/setup-slurm.sh (its
# README lists the pitfalls found bringing it up on these machines).
set -euo pipefail
T0=$(date +%s%N); DIR=${SLURM_LOCAL_DIR:-${TMPDIR:-/tmp}/flowcast-slurm}
log() { echo "[setup-slurm $(( ($(date +%s%N)-T0)/1000000 ))ms] $*"; }
# PID is NAME and not a zombie (PID 1 here reaps late)
alive() { [ "$(cat /proc/"$1"/comm 2>/dev/null)" = "$2" ] && ! grep -q ') Z' /proc/"$1"/stat; }
wait_for() { local end=$(( $(date +%s)+$1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.2; done; }
if ! [ -x /usr/sbin/slurmctld ] || ! [ -x /usr/sbin/slurmd ] || ! [ -x /usr/sbin/munged ]; then
  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; log installed
fi
mkdir -p "$DIR"/state "$DIR"/spool "$DIR"/log
# munge: no systemd, so nothing creates /run/munge
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  rm -f /run/munge/munged.pid
  setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged
  wait_for 10 sh -c 'munge -n | unmunge' || { echo "munged failed: /var/log/munge" >&2; exit 1; }
  cp /run/munge/munged.pid "$DIR/munged.pid"; log "munged $(cat "$DIR/munged.pid")"
fi
H=$(hostname -s)
read -r CPUS MEM < <(slurmd -C | head -1 | sed -E 's/.*CPUs=([0-9]+).*RealMemory=([0-9]+).*/\1 \2/')
# 127.0.0.1, not the host name: a fresh machine's name may not resolve
cat > "$DIR/slurm.conf.new" <<EOF
ClusterName=local
SlurmctldHost=$H(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,kill_invalid_depend
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
NodeName=$H NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$(( MEM*9/10 )) State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
EOF
CHANGED=0; cmp -s "$DIR/slurm.conf.new" "$DIR/slurm.conf" || CHANGED=1
mv "$DIR/slurm.conf.new" "$DIR/slurm.conf"; export SLURM_CONF=$DIR/slurm.conf
# clients without it fail: "Could not establish a configuration source"
if [ ! -e /etc/slurm/slurm.conf ] || [ -L /etc/slurm/slurm.conf ]; then
  mkdir -p /etc/slurm; ln -sfn "$SLURM_CONF" /etc/slurm/slurm.conf
else log "NOTE: export SLURM_CONF=$SLURM_CONF"; fi
for d in slurmctld slurmd; do
  pid=$(cat "$DIR/$d.pid" 2>/dev/null || echo 0)
  if alive "$pid" $d; then
    [ $d = slurmctld ] && [ $CHANGED = 1 ] && scontrol reconfigure && log "reconfigured"
  else
    rm -f "$DIR/$d.pid"; /usr/sbin/$d -f "$SLURM_CONF"   # forks; stale pid file removed first
    wait_for 15 test -s "$DIR/$d.pid"; log "$d $(cat "$DIR/$d.pid")"
  fi
done
wait_for 30 sh -c 'scontrol ping | grep -q UP' || { echo "slurmctld down: $DIR/log" >&2; exit 1; }
sinfo -h -n "$H" -o %T | grep -qE 'down|drain' && scontrol update NodeName="$H" State=RESUME
wait_for 30 sh -c "sinfo -h -n $H -o %T | grep -qE '^(idle|mixed|alloc)'" || { echo "node not ready: $DIR/log" >&2; exit 1; }
timeout 60 srun --quiet -n1 -t 1 true || { echo "smoke job failed" >&2; exit 1; }
log "ready: $(sinfo -h -o '%P %D node %T' | head -1)"
