#!/usr/bin/env bash
# Installs every Debian 12 package airan needs to build, test and benchmark.
# Non-interactive and idempotent: when everything is present it only checks and returns.
#
#   bash scripts/setup.sh                   # build, test and benchmark dependencies
#   bash scripts/setup.sh --with-training   # also python3-torch, to retrain the learned
#                                           # arrival predictor (or AIRAN_WITH_TRAINING=1)
#
# python3-torch is large (hundreds of MB with its dependencies) and is needed by neither the
# build nor the tests (the shipped model runs without it), so it is installed only on request.
set -euo pipefail

with_training="${AIRAN_WITH_TRAINING:-0}"
for arg in "$@"; do
  case "$arg" in
    --with-training) with_training=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "setup: unknown argument $arg (known: --with-training)" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build pkg-config git
  libdpdk-dev libliquid-dev libfftw3-dev libpcap-dev
  googletest libgtest-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libyaml-cpp-dev libeigen3-dev
  tshark
  gnuplot-nox
  python3-jsonschema
  clang libclang-rt-14-dev
)
if [[ "$with_training" == 1 ]]; then
  # Training of the learned arrival predictor (ai/training/, scripts/train-predictor.sh).
  packages+=(python3-torch python3-numpy)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer once, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo_cmd[@]}" debconf-set-selections 2>/dev/null || true
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} Debian packages present"
fi

if [[ -x /usr/local/cuda/bin/nvcc ]]; then
  echo "setup: CUDA toolkit found at /usr/local/cuda ($(/usr/local/cuda/bin/nvcc --version | tail -1))"
else
  echo "setup: no CUDA toolkit at /usr/local/cuda; building the CPU backend only (see README: CUDA toolkit)"
fi
