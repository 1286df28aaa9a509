#!/usr/bin/env bash
# Quick start 2: install what is missing, build, and run the whole test suite.
# GPU tests (label gpu) skip with their reason when no CUDA device is present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir "${AIRAN_BUILD_DIR:-build}" --output-on-failure --parallel "$(nproc)" "$@"
# ctest hides the output of skipped tests: show why the GPU tests skipped.
ctest --test-dir "${AIRAN_BUILD_DIR:-build}" -L gpu --verbose 2>/dev/null | grep -E "Skipped: no GPU|no GPU:" | sed 's/^[0-9]*: /gpu tests: /' | head -3 || true
