#!/usr/bin/env bash
# Sets up a Debian 12 machine (packages), builds a release binary, and runs
# the server on the embedded default store (SQLite in ./data). Arguments go
# to `ocrchat serve` (e.g. --host 0.0.0.0 --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ocrchat
exec ./build/release/src/ocrchat serve --data ./data "$@"
