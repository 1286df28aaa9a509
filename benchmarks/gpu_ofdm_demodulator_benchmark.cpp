// GpuOfdmDemodulator per slot (CP removal, batched cuFFT, subcarrier extraction and scaling):
// 4 ports, 273 PRB, 30 kHz, FFT 4096 (122.88 Msps, 61440 samples per port and slot). Wall time
// of the launches plus the stream synchronisation, as plain launches and as one CUDA Graph; and
// with the slot's samples uploaded from host memory first (1.97 MB for 4 ports). Slot budget at
// 30 kHz: 500 us. Built only with the CUDA backend; skips with the reason where no device exists.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "airan/phy/cuda/gpu_ofdm_demodulator.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

enum class Mode { launches, graph, with_upload };

void BM_GpuOfdmDemodulator(benchmark::State& state, Mode mode) {
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) {
    state.SkipWithError(("no GPU: " + gpu.reason).c_str());
    return;
  }
  constexpr int kPorts = 4;
  OfdmConfig config;
  config.numerology.mu = 1;
  config.fft_size = 4096;
  config.grid_subcarriers = 12 * 273;
  GpuOfdmDemodulatorLimits limits;
  limits.max_ports = kPorts;
  auto created = GpuOfdmDemodulator::create(config, limits);
  if (!created) {
    state.SkipWithError(created.error().message.c_str());
    return;
  }
  GpuOfdmDemodulator& demodulator = **created;
  constexpr int kSlot = 1;
  std::vector<Complex> samples(static_cast<std::size_t>(config.slot_samples(kSlot)) * kPorts);
  std::mt19937_64 engine(3);
  std::normal_distribution<float> normal(0.0F, 0.1F);
  for (auto& v : samples) v = Complex(normal(engine), normal(engine));
  if (!demodulator.setup(kSlot, kPorts).is_ok() || !demodulator.upload_input(samples).is_ok() ||
      !demodulator.run().is_ok() || !demodulator.synchronize().is_ok()) {
    state.SkipWithError("GPU OFDM demodulator setup or first run failed");
    return;
  }
  if (mode != Mode::launches && !demodulator.capture_graph().is_ok()) {
    state.SkipWithError("graph capture failed");
    return;
  }
  for (auto _ : state) {
    Status s;
    if (mode == Mode::with_upload) s = demodulator.upload_input(samples);
    if (s) s = mode == Mode::launches ? demodulator.run() : demodulator.run_graph();
    if (s) s = demodulator.synchronize();
    if (!s) {
      state.SkipWithError(s.message().c_str());
      return;
    }
  }
  state.counters["ports"] = kPorts;
  state.counters["samples_per_port"] = config.slot_samples(kSlot);
  state.counters["device_MiB"] = static_cast<double>(demodulator.device_bytes()) / (1 << 20);
}

BENCHMARK_CAPTURE(BM_GpuOfdmDemodulator, launches_273prb_4port_fft4096, Mode::launches)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_GpuOfdmDemodulator, graph_273prb_4port_fft4096, Mode::graph)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_GpuOfdmDemodulator, graph_with_upload_273prb_4port_fft4096, Mode::with_upload)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace airan::phy
