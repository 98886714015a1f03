#!/usr/bin/env bash
# Submits a sharded flowcast job to AWS Batch: an array job of N children
# (AWS_BATCH_JOB_ARRAY_INDEX = 0..N-1; Batch does not export N, so --shards
# is passed as a parameter), then a merge job that depends on the whole
# array (--depends-on jobId=ARRAY, no type: it starts only when every child
# succeeded, and fails if one failed).
#
#   deploy/aws-batch/submit.sh QUEUE N WORK "run scenarios/portfolio.toml --trials 200"
#
# Register the job definition first:
#   aws batch register-job-definition --cli-input-json file://deploy/aws-batch/job-definition.json
set -euo pipefail
if [ $# -ne 4 ] || ! [ "$2" -ge 2 ] 2>/dev/null; then
  echo "usage: $0 QUEUE N WORK 'COMMAND ARGS'  (N >= 2: Batch arrays have 2 to 10,000 children)" >&2
  exit 2
fi
QUEUE=$1 N=$2 WORK=$3 ARGS=$4
case "$ARGS$WORK" in *[\"\\]*) echo "$0: no \" or \\ in WORK or the arguments (they go into JSON)" >&2; exit 2 ;; esac
array=$(aws batch submit-job --job-name flowcast-shards --job-queue "$QUEUE" \
  --job-definition flowcast --array-properties size="$N" \
  --parameters "$(printf '{"args": "%s", "shards": "%s", "work": "%s"}' "$ARGS" "$N" "$WORK")" \
  --query jobId --output text)
dirs=$(seq -f "/mnt/efs/$WORK/shard-%g" 0 $((N - 1)) | tr '\n' ' ')
merge=$(aws batch submit-job --job-name flowcast-merge --job-queue "$QUEUE" \
  --job-definition flowcast --depends-on jobId="$array" \
  --container-overrides "$(printf '{"command": ["/bin/sh", "-c", "exec flowcast merge %s--out /mnt/efs/%s/merged"]}' "$dirs" "$WORK")" \
  --query jobId --output text)
echo "array $array"
echo "merge $merge"
