#!/usr/bin/env bash
# Builds every libFuzzer target (fuzz/*_fuzz.cpp) with clang and runs each for a bounded time.
# Usage: tools/run-fuzzers.sh [SECONDS]     (default 60 seconds per fuzzer)
#
# Each fuzzer works on a copy of its seed corpus in a temporary directory: the repository
# corpus is never written to. A crash leaves its input in that directory (the path is printed)
# and makes the script exit non-zero. To keep an input as a regression seed, copy it to
# fuzz/corpus/<name>/ by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across checkouts in different folders (CI clones afresh each time).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
seconds=${1:-60}
build_dir=build-fuzz

CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCQLIST_FUZZ=ON -DCQLIST_TESTS=OFF -DCQLIST_BENCH=OFF >/dev/null

names=()
for source in fuzz/*_fuzz.cpp; do
  stem=$(basename "$source" .cpp)
  names+=("${stem%_fuzz}")
done
if [ ${#names[@]} -eq 0 ]; then
  echo "run-fuzzers: no fuzz/*_fuzz.cpp found" >&2
  exit 1
fi
ninja -C "$build_dir" -j 2 "${names[@]/%/_fuzzer}"

work=$(mktemp -d -t cqlist-fuzz.XXXXXX)
failed=0
summaries=()
for name in "${names[@]}"; do
  corpus="$work/$name/corpus"
  artifacts="$work/$name/artifacts"
  mkdir -p "$corpus" "$artifacts"
  seeds=0
  if [ -d "fuzz/corpus/$name" ]; then
    cp -R "fuzz/corpus/$name/." "$corpus/"
    seeds=$(find "$corpus" -type f | wc -l)
  fi
  log="$work/$name/fuzz.log"
  echo "== $name: ${seconds}s from $seeds seeds"
  status=0
  "$build_dir/fuzz/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || status=$?
  # A fuzzer that crashed early prints no statistics; the summary then shows "?".
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  coverage=$( (grep -oE 'cov: [0-9]+' "$log" || true) | tail -1 | awk '{print $2}')
  units=$(find "$corpus" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    summaries+=("$name: ok, ${runs:-?} runs in ${seconds}s, coverage ${coverage:-?}, corpus $seeds -> $units")
  else
    failed=$((failed + 1))
    crash=$(find "$artifacts" -type f -print -quit)
    summaries+=("$name: FAILED (exit $status), input: ${crash:-none saved}, log: $log")
    grep -E 'ERROR|property broken|SUMMARY' "$log" | head -5 || true
  fi
done

echo "== summary"
printf '%s\n' "${summaries[@]}"
if [ "$failed" -gt 0 ]; then
  echo "run-fuzzers: $failed fuzzer(s) failed; inputs and logs are kept in $work" >&2
  exit 1
fi
rm -rf "$work"
