#!/usr/bin/env bash
# Builds cqlist and runs it. Until `cqlist serve` exists, this shows how cqlist reads a
# Japanese list post (ISO-2022-JP): header fields, decoded subject and addresses, MIME parts.
# Usage: tools/run.sh [cqlist arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCQLIST_TESTS=OFF \
  -DCQLIST_BENCH=OFF >/dev/null
ninja -C build-release cqlist
if [ $# -eq 0 ]; then
  set -- inspect tests/data/messages/japanese-iso2022jp.eml
fi
exec build-release/cqlist "$@"
