#!/usr/bin/env bash
# Builds the benchmarks in Release (build-bench/) and runs them. Each benchmark prints its
# table, then lines "ratio_vs_<reference> <input>: <N>x" comparing cqlist with the reference
# library (GMime; pyspf and libspf2 for SPF, through bench/spf_bench.py).
# Last, the list fan-out (bench/fanout_bench.py: cqlist and mlmmj into Postfix's smtp-sink).
# Usage: tools/bench.sh [google-benchmark flags...]   e.g. --benchmark_filter=attachment
#        FANOUT_ARGS=--quick tools/bench.sh            flags for fanout_bench.py
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build-bench
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCQLIST_TESTS=OFF \
  -DCQLIST_BENCH=ON >/dev/null
mapfile -t benches < <(ls bench/*_bench.cpp | sed -E 's|bench/(.*)_bench\.cpp|cqlist_bench_\1|')
ninja -C "$build_dir" -j 2 "${benches[@]}" cqlist
for bench in "${benches[@]}"; do
  echo "== $bench"
  if [ "$bench" = cqlist_bench_spf ]; then
    # Next to pyspf and libspf2 over one loopback DNS server (needs unshare; see the script).
    /usr/bin/python3 bench/spf_bench.py --bench-binary "$build_dir/bench/$bench"
  else
    "$build_dir/bench/$bench" "$@"
  fi
done
echo "== fanout_bench.py"
# shellcheck disable=SC2086 # FANOUT_ARGS holds several flags
/usr/bin/python3 bench/fanout_bench.py --cqlist "$build_dir/cqlist" ${FANOUT_ARGS:-}
