#!/usr/bin/env bash
# Sets up a Debian 12 machine (packages), builds, and runs the default test
# suite (unit and integration; not the tests labelled slow).
# `scripts/test.sh slow` runs the slow ones instead.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=dev
[ "${1:-}" = slow ] && preset=slow
bash scripts/setup.sh "$([ "$preset" = slow ] && echo --slow || echo --test)"
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset "$preset"
