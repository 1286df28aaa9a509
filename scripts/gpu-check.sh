#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: builds airan for the GPU's own architecture into build-gpu/,
# runs the gpu-labelled tests, the GPU benchmarks (front end, LDPC, OFDM demodulator, the whole uplink
# and the cell-capacity sweep) and (when installed) compute-sanitizer memcheck and racecheck on part of
# the GPU tests, then prints a short table. The whole run is bounded by
# 8 minutes. Exits 2 at once, saying why, where there is no GPU or no CUDA toolkit.
#   AIRAN_GPU_CHECK_BUILD_DIR   build directory (default build-gpu)
#   AIRAN_GPU_CHECK_NO_MEMCHECK=1   skip compute-sanitizer
set -euo pipefail

if [[ -z "${AIRAN_GPU_CHECK_INNER:-}" ]]; then
  status=0
  AIRAN_GPU_CHECK_INNER=1 timeout 480 bash "$0" "$@" || status=$?
  if [[ $status -eq 124 ]]; then echo "gpu-check: stopped after 8 minutes (timeout 480)" >&2; fi
  exit $status
fi

cd "$(dirname "$0")/.."
build_dir=${AIRAN_GPU_CHECK_BUILD_DIR:-build-gpu}
results_dir="$build_dir/gpu-check"

# ---- is there a GPU? ----
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: no GPU here: nvidia-smi is not installed (no NVIDIA driver); nothing to check" >&2
  exit 2
fi
if ! gpu_list=$(nvidia-smi -L 2>&1) || ! grep -q '^GPU ' <<<"$gpu_list"; then
  echo "gpu-check: no GPU here: nvidia-smi lists no device (${gpu_list:-no output}); nothing to check" >&2
  exit 2
fi
nvcc=$(command -v nvcc || true)
if [[ -z "$nvcc" && -x /usr/local/cuda/bin/nvcc ]]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [[ -z "$nvcc" ]]; then
  echo "gpu-check: a GPU is present but no CUDA toolkit (nvcc) was found; install cuda-toolkit-13-0" >&2
  exit 2
fi
gpu_name=$(nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv,noheader | head -1)
echo "gpu-check: $gpu_name"

# ---- build for this GPU ----
start=$SECONDS
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAIRAN_CUDA=ON \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DAIRAN_CUDA_ARCHITECTURES=native -DAIRAN_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target gpu_tests gpu_front_end_benchmark gpu_ldpc_benchmark \
  gpu_ofdm_demodulator_benchmark gpu_pusch_pipeline_benchmark gpu_fronthaul_order_benchmark
build_s=$((SECONDS - start))
mkdir -p "$results_dir"

# ---- gpu tests ----
start=$SECONDS
tests_status=0
ctest --test-dir "$build_dir" -L gpu --output-on-failure --timeout 120 | tee "$results_dir/ctest.txt" ||
  tests_status=$?
tests_s=$((SECONDS - start))
tests_line=$(grep -E 'tests passed|tests failed' "$results_dir/ctest.txt" | tail -1 || true)
skipped=$(grep -c '\*\*\*Skipped' "$results_dir/ctest.txt" || true)

# ---- benchmarks ----
bench_status=0
for bench in gpu_front_end_benchmark gpu_ldpc_benchmark gpu_ofdm_demodulator_benchmark gpu_fronthaul_order_benchmark \
  gpu_pusch_pipeline_benchmark; do
  "$build_dir/bin/$bench" --benchmark_min_time=0.2 --benchmark_out="$results_dir/$bench.json" \
    --benchmark_out_format=json >"$results_dir/$bench.txt" 2>&1 || bench_status=$?
done

# ---- memcheck ----
memcheck="not run (compute-sanitizer not found)"
racecheck="not run"
sanitizer=$(command -v compute-sanitizer || true)
toolkit=$(dirname "$(dirname "$nvcc")")
for candidate in "$toolkit/bin/compute-sanitizer" "$toolkit/compute-sanitizer/compute-sanitizer"; do
  if [[ -z "$sanitizer" && -x "$candidate" ]]; then sanitizer=$candidate; fi
done
if [[ -n "${AIRAN_GPU_CHECK_NO_MEMCHECK:-}" ]]; then
  memcheck="skipped (AIRAN_GPU_CHECK_NO_MEMCHECK)"
elif (( SECONDS > 480 - 230 )); then
  # The sanitizers take up to 210 s; the table must still come within the 8 minutes.
  memcheck="skipped: only $((480 - SECONDS)) s of the 8 minutes left"
  racecheck="skipped"
elif [[ -n "$sanitizer" ]]; then
  # Bounded, so that a slow sanitizer run never costs the table (the whole script has 8 minutes).
  if timeout 150 "$sanitizer" --tool memcheck --error-exitcode 3 "$build_dir/tests/gpu_tests" \
       --gtest_filter='GpuPuschFrontEnd.GraphServes*:GpuPuschFrontEnd.LlrsMatchTheCpuWithLinear*:GpuPuschFrontEnd.TransformPrecoded*:GpuOfdmDemodulator.WritesStraight*:GpuFronthaulOrder.OneGraph*:GpuFronthaulOrder.Errors*:GpuPuschReceiver.GraphAndPlain*:GpuPuschReceiver.TwoCells*' \
       >"$results_dir/memcheck.txt" 2>&1; then
    memcheck="clean"
  else
    status=$?
    memcheck="ERRORS (see $results_dir/memcheck.txt)"
    if [[ $status -eq 124 ]]; then memcheck="not finished within 150 s (see $results_dir/memcheck.txt)"; fi
  fi
  # Shared-memory races: the LDPC decoder's layered updates and the chain's reductions.
  if timeout 60 "$sanitizer" --tool racecheck --error-exitcode 3 "$build_dir/tests/gpu_tests" \
       --gtest_filter='GpuPuschReceiver.GraphAndPlain*' >"$results_dir/racecheck.txt" 2>&1; then
    racecheck="clean"
  else
    status=$?
    racecheck="ERRORS (see $results_dir/racecheck.txt)"
    if [[ $status -eq 124 ]]; then racecheck="not finished within 60 s (see $results_dir/racecheck.txt)"; fi
  fi
fi

# ---- table ----
echo
echo "== gpu-check: $gpu_name =="
printf '%-58s %s\n' "build (native architecture)" "${build_s} s"
printf '%-58s %s\n' "ctest -L gpu" "${tests_line:-no summary} (${tests_s} s, ${skipped} skipped)"
printf '%-58s %s\n' "compute-sanitizer memcheck (front end, OFDM, order, uplink)" "$memcheck"
printf '%-58s %s\n' "compute-sanitizer racecheck (whole uplink)" "$racecheck"
if command -v python3 >/dev/null 2>&1; then
  python3 - "$results_dir"/gpu_*_benchmark.json <<'PY'
import json, sys
for path in sys.argv[1:]:
    try:
        runs = json.load(open(path))["benchmarks"]
    except (OSError, ValueError, KeyError) as error:
        print(f'{path:<58} no results ({error})')
        continue
    fits = {}
    for b in runs:
        value = b.get("error_message") or f'{b["real_time"]:.1f} {b["time_unit"]} per run'
        extra = [f'{k} {b[k]:.4g}' for k in ("host_p50_us", "device_p50_us", "device_p99_us", "front_end_us",
                                              "quantize_us", "rate_recovery_us", "ldpc_us", "assemble_us",
                                              "results_us", "slot_p50_us", "slot_p99_us", "slot_mean_us", "tb_ok",
                                              "fits") if k in b]
        print(f'{b["name"]:<58} {value}' + (f' ({", ".join(extra)})' if extra else ''))
        if "fits" in b and "error_message" not in b:
            key = ("one launch per stage" if "Batched" in b["name"] else "a stream per cell",
                   b["name"].split("layers:")[1].split("/")[0])
            if b["fits"] >= 1 and b.get("tb_ok", 0) >= 1:
                fits[key] = max(fits.get(key, 0), int(b["cells"]))
            else:
                fits.setdefault(key, 0)
    for (kind, layers), cells in sorted(fits.items()):
        print(f'{"capacity (" + kind + "): 100 MHz 4T4R cells, " + layers + " layer(s), p99 <= 1500 us, mean <= 500 us":<58} {cells}')
PY
else
  echo "benchmarks: see $results_dir/gpu_*_benchmark.txt (status $bench_status)"
fi
if [[ $tests_status -ne 0 || $bench_status -ne 0 || "$memcheck" == ERRORS* || "$racecheck" == ERRORS* ]]; then exit 1; fi
