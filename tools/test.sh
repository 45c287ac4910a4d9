#!/usr/bin/env bash
# Builds cqlist and runs every test: unit tests first, then end-to-end tests.
# Usage: tools/test.sh            (installs missing Debian packages on the way)
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across checkouts in different folders (CI clones afresh each time).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
build_dir=${CQLIST_BUILD_DIR:-build}
jobs=${CQLIST_JOBS:-$(nproc)}

tools/install-deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCQLIST_BENCH=ON >/dev/null
ninja -C "$build_dir" -j "$jobs"

passed=0
failed=0
run_label() {
  local label=$1 log
  log=$(mktemp)
  echo "== $label tests"
  if ctest --test-dir "$build_dir" -L "^${label}\$" -j "$jobs" --output-on-failure >"$log" 2>&1; then
    :
  fi
  tail -n 40 "$log" | grep -E 'tests passed|tests failed|Failed|\*\*\*' || true
  local summary total bad
  summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1 || true)
  if [ -z "$summary" ]; then
    echo "$label: ctest printed no summary; its output:"
    cat "$log"
    failed=$((failed + 1))
  else
    bad=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
    total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$summary")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
    if [ "$bad" -gt 0 ]; then
      grep -E '^\s+[0-9]+ - ' "$log" || true
    fi
  fi
  rm -f "$log"
}

run_label unit
run_label e2e

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
