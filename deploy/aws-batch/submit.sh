#!/usr/bin/env bash
# Submits a sharded flowcast job to AWS Batch: an array job of N children
# (AWS_BATCH_JOB_ARRAY_INDEX = 0..N-1; Batch does not export N, so --shards
# is passed as a parameter), then a merge job that depends on the whole
# array (it starts only when every child succeeded).
#
#   deploy/aws-batch/submit.sh QUEUE N WORK "run scenarios/portfolio.toml --trials 200"
#
# Register the job definition first:
#   aws batch register-job-definition --cli-input-json file://deploy/aws-batch/job-definition.json
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 QUEUE N WORK 'COMMAND ARGS'" >&2; exit 2; }
QUEUE=$1 N=$2 WORK=$3 ARGS=$4
array=$(aws batch submit-job --job-name flowcast-shards --job-queue "$QUEUE" \
  --job-definition flowcast --array-properties size="$N" \
  --parameters args="$ARGS",shards="$N",work="$WORK" \
  --query jobId --output text)
dirs=$(seq -f "/mnt/efs/$WORK/shard-%g" 0 $((N - 1)) | tr '\n' ' ')
merge=$(aws batch submit-job --job-name flowcast-merge --job-queue "$QUEUE" \
  --job-definition flowcast --depends-on jobId="$array" \
  --container-overrides "$(printf '{"command":["/bin/sh","-c","flowcast merge %s--out /mnt/efs/%s/merged"]}' "$dirs" "$WORK")" \
  --query jobId --output text)
echo "array $array"
echo "merge $merge"
