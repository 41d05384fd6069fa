#!/usr/bin/env bash
# Benchmarks Pounce with the shared reverse-proxy harness (../shared/bench, next to the
# repository): builds the release pounce, then runs
#   ../shared/bench/run.sh --pound-like pounce=PATH --out Benchmarks/results [ARGS...]
# Every argument is passed through (see Benchmarks/README.md), e.g.
#   Benchmarks/run.sh --duration 5 --only direct,pounce
#   Benchmarks/run.sh --pound-bin /usr/sbin/pound --only direct,pound,pounce
# Results land in Benchmarks/results/<timestamp>/ (Benchmarks/results/latest points at
# the newest) unless --out is given.
#
# Environment: BENCH_HARNESS=path/to/run.sh (default ../shared/bench/run.sh),
# BENCH_SKIP_BUILD=1 to reuse the last release build.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness=${BENCH_HARNESS:-$root/../shared/bench/run.sh}
if [ ! -f "$harness" ]; then
    echo "bench: harness not found at $harness (set BENCH_HARNESS)" >&2
    exit 1
fi

cd "$root"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    scripts/build-release.sh --product pounce >&2
fi
pounce=$(scripts/build-release.sh --show-bin-path)/pounce
if [ ! -x "$pounce" ]; then
    echo "bench: $pounce is missing (build it, or unset BENCH_SKIP_BUILD)" >&2
    exit 1
fi

# The harness makes a <timestamp> directory (and a `latest` link) inside --out.
out=()
case " $* " in
    *" --out "* | *" --out="*) ;;
    *)
        mkdir -p "$root/Benchmarks/results"
        out=(--out "$root/Benchmarks/results")
        ;;
esac

exec bash "$harness" --pound-like "pounce=$pounce" "${out[@]}" "$@"
