#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and run the main job (`airan` on its embedded default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec "${AIRAN_BUILD_DIR:-build}/bin/airan" "$@"
