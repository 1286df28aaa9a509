#!/usr/bin/env bash
# Configures and builds airan into build/ (or $AIRAN_BUILD_DIR).
#   AIRAN_CUDA_ARCHITECTURES=80   build CUDA code for one architecture only (faster CI)
#   AIRAN_BUILD_TYPE=Debug        another CMake build type (default Release)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${AIRAN_BUILD_DIR:-build}
args=(-S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${AIRAN_BUILD_TYPE:-Release}")
if [[ -n "${AIRAN_CUDA_ARCHITECTURES:-}" ]]; then
  args+=(-DAIRAN_CUDA_ARCHITECTURES="$AIRAN_CUDA_ARCHITECTURES")
fi
cmake "${args[@]}" "$@"
cmake --build "$build_dir" --parallel "$(nproc)"
