#!/usr/bin/env bash
# Builds the benchmarks in Release (build-bench/) and runs them. Each benchmark prints its
# table, then lines "ratio_vs_gmime <input>: <N>x" comparing cqlist with the reference library.
# Usage: tools/bench.sh [google-benchmark flags...]   e.g. --benchmark_filter=attachment
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build-bench
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCQLIST_TESTS=OFF \
  -DCQLIST_BENCH=ON >/dev/null
mapfile -t benches < <(ls bench/*_bench.cpp | sed -E 's|bench/(.*)_bench\.cpp|cqlist_bench_\1|')
ninja -C "$build_dir" -j 2 "${benches[@]}"
for bench in "${benches[@]}"; do
  echo "== $bench"
  "$build_dir/bench/$bench" "$@"
done
