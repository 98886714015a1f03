#!/usr/bin/env bash
# Stop what local-cluster.sh started, by recorded PID (never by name). --purge: also remove state.
set -uo pipefail
DIR=${SLURM_LOCAL_DIR:-${TMPDIR:-/tmp}/flowcast-slurm}; export SLURM_CONF=$DIR/slurm.conf
alive() { [ "$(cat /proc/"$1"/comm 2>/dev/null)" = "$2" ] && ! grep -q ') Z' /proc/"$1"/stat; }
stop() { # PIDFILE NAME
  local pid; pid=$(cat "$1" 2>/dev/null) || return 0
  if [ "${pid:-0}" -gt 1 ] && alive "$pid" "$2"; then
    kill -TERM "$pid"
    for _ in $(seq 50); do alive "$pid" "$2" || break; sleep 0.2; done
    if alive "$pid" "$2"; then kill -KILL "$pid"; fi
    echo "stopped $2 ($pid)"
  fi
  rm -f "$1"
}
if [ -f "$SLURM_CONF" ] && timeout 5 scontrol ping 2>/dev/null | grep -q UP; then
  jobs=$(squeue -h -o %A | sort -u); [ -z "$jobs" ] || { scancel $jobs; sleep 1; }
fi
stop "$DIR/slurmd.pid" slurmd; stop "$DIR/slurmctld.pid" slurmctld
stop "$DIR/munged.pid" munged   # only if setup started it
if [ "${1:-}" = --purge ]; then
  [ "$(readlink /etc/slurm/slurm.conf)" = "$SLURM_CONF" ] && rm -f /etc/slurm/slurm.conf
  rm -rf "$DIR"; echo "removed $DIR"
fi
