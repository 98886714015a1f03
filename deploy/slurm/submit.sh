#!/usr/bin/env bash
# Submits a sharded flowcast job to Slurm: an array of N shards, then a merge
# that runs only if every shard succeeded. Prints the two job ids.
#
#   deploy/slurm/submit.sh N WORK flowcast run scenarios/portfolio.toml --trials 200
#   SCENARIO=scenarios/portfolio.toml TRIALS=200 deploy/slurm/submit.sh N WORK flowcast
#
# WORK must be readable from every node (the shards write $WORK/shard-I, the
# merge $WORK/merged). Extra sbatch options: SBATCH_ARGS="--partition=x".
set -euo pipefail
if [ $# -lt 3 ] || ! [ "$1" -ge 1 ] 2>/dev/null; then
  echo "usage: $0 N WORK FLOWCAST_BINARY [COMMAND ARGS...]  (no COMMAND: run \$SCENARIO, see flowcast-array.sbatch)" >&2
  exit 2
fi
N=$1 WORK=$2 FLOWCAST=$3; shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"
export FLOWCAST WORK SHARDS=$N FLOWCAST_ARGS="$*"
# shellcheck disable=SC2086 # SBATCH_ARGS is a list of words
array=$(sbatch --parsable ${SBATCH_ARGS:-} --chdir="$PWD" --output="$WORK/%x-%A_%a.out" \
  --array=0-$((N - 1)) "$HERE/flowcast-array.sbatch")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --chdir="$PWD" --output="$WORK/%x-%j.out" \
  --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$HERE/flowcast-merge.sbatch")
merge=${merge%%;*}
echo "array $array"
echo "merge $merge"
