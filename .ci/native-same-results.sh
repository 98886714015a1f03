#!/usr/bin/env bash
# The README says a build for this machine's CPU (RUSTFLAGS="-C
# target-cpu=native") gives byte-identical results to the portable build.
# This checks it: builds both (the ci profile), runs the same commands with
# each from identical relative paths, and compares every file they write.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

cargo build --profile ci --quiet
RUSTFLAGS="-C target-cpu=native" cargo build --profile ci --quiet --target-dir target/native

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for build in portable native; do
  case $build in
    portable) bin=$root/target/ci/flowcast ;;
    native) bin=$root/target/native/ci/flowcast ;;
  esac
  mkdir -p "$work/$build"
  (
    cd "$work/$build"
    sc=$root/scenarios
    for s in default bench reaction-delay what-do-teams-do-at-the-cap when-teams-move-together; do
      "$bin" run "$sc/$s.toml" --trials 20 --no-charts --out "run-$s" --quiet >/dev/null
      "$bin" run "$sc/$s.toml" --trials 5 --no-charts --out "per-run-$s" --per-run --quiet >/dev/null
    done
    "$bin" compare "$sc/which-plan.toml" --plans free,solo,team,enterprise --trials 40 --out compare --quiet >/dev/null
    "$bin" sweep "$sc/what-if-usage-grows.toml" --set usage_multiplier=1,1.3 --trials 40 --out sweep --quiet >/dev/null
    "$bin" run "$sc/usage-history.toml" --emit-log history.csv --no-charts --out history --quiet >/dev/null
    "$bin" fit history.csv --plan-file history.plans.toml --out fitted.toml >fit.txt
    "$bin" backtest history.csv --plan-file history.plans.toml --train-months 3 --trials 40 --no-charts --out backtest --quiet >/dev/null
  )
done
if diff -r -q "$work/portable" "$work/native"; then
  echo "native build: byte-identical results ($(find "$work/native" -type f | wc -l) files)"
else
  echo "native build: results differ from the portable build's" >&2
  exit 1
fi
