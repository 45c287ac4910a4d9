#!/usr/bin/env bash
# Builds cqlist and runs it. Without arguments it starts the list server on its embedded
# default store (SQLite) with a data directory and configuration under ./cqlist-data/, made on
# first run: LMTP on 127.0.0.1:8024, HTTP on 127.0.0.1:8080, list mail handed to Postfix on
# 127.0.0.1:10025 (see `cqlist postfix-config LIST`). With arguments it runs that cqlist command.
# Usage: tools/run.sh [cqlist arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCQLIST_TESTS=OFF \
  -DCQLIST_BENCH=OFF >/dev/null
ninja -C build-release cqlist
if [ $# -eq 0 ]; then
  data_dir="$PWD/cqlist-data"
  config="$data_dir/cqlist.toml"
  if [ ! -f "$config" ]; then
    mkdir -p "$data_dir"
    cat >"$config" <<TOML
# cqlist server configuration (see: cqlist help serve). Lists live in the database:
#   build-release/cqlist list create ham@lists.example.org --config $config
data_dir = "$data_dir"
[lmtp]
listen = "127.0.0.1:8024"
[http]
listen = "127.0.0.1:8080"
[relay]
host = "127.0.0.1"
port = 10025
TOML
    echo "run.sh: wrote $config"
  fi
  set -- serve --config "$config"
fi
exec build-release/cqlist "$@"
