// GpuPuschFrontEnd::run per slot (channel estimation, equalisation, demapping, descrambling on
// the GPU): 273 PRB, 30 kHz, 4 receive ports, 1..4 layers, 256QAM, one UE. Wall time of the
// launches plus the stream synchronisation (so launch overhead counts), as plain launches and
// as one CUDA Graph; and a slot with its transfers (grid up, LLRs down). Slot budget at 30 kHz:
// 500 us. Transform precoding (DFT-s-OFDM, 1 layer, 270 PRB: the largest M, 3240): the same
// slot through a front end with and without its transform-precoding stage, and a CP-OFDM slot
// through a front end that has the stage (what the stage costs slots that do not use it).
// Built only with the CUDA backend; skips with the reason where no device exists.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "airan/phy/cuda/gpu_pusch_front_end.hpp"
#include "airan/phy/gpu.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

enum class Mode { launches, graph, with_transfers };

// How the front end is created and what the UE uses: plain (CP-OFDM, no TP stage), tp_ue (a
// transform-precoded UE), tp_stage_idle (CP-OFDM UE, TP stage present).
enum class Tp { plain, tp_ue, tp_stage_idle };

void BM_GpuPuschFrontEnd(benchmark::State& state, int layers, Mode mode, Tp tp) {
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) {
    state.SkipWithError(("no GPU: " + gpu.reason).c_str());
    return;
  }
  PuschConfig config;
  config.numerology = 1;
  config.bwp_size = 273;
  config.rb_size = tp == Tp::plain ? 273 : 270;
  config.transform_precoding = tp == Tp::tp_ue;
  config.num_layers = layers;
  config.num_antenna_ports = layers;
  config.mcs_table = McsTable::qam256;
  config.mcs_index = 27;
  config.dmrs.additional_position = 1;
  config.dmrs.num_cdm_groups_without_data = 2;
  auto plan = plan_pusch(config);
  if (!plan) {
    state.SkipWithError(plan.error().message.c_str());
    return;
  }
  std::mt19937_64 engine(7);
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs));
  for (auto& b : tb) b = static_cast<std::uint8_t>(engine() >> 63);
  PuschTransmitter transmitter;
  ResourceGrid tx;
  if (!transmitter.transmit(*plan, tb, tx).is_ok()) {
    state.SkipWithError("transmit failed");
    return;
  }
  constexpr int kRx = 4;
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  ResourceGrid rx(kRx, tx.symbols(), tx.subcarriers());
  for (int r = 0; r < kRx; ++r) {
    for (int t = 0; t < layers; ++t) {
      const Complex h(normal(engine), normal(engine));
      for (std::size_t i = 0; i < rx.data().size() / kRx; ++i) {
        rx.data()[static_cast<std::size_t>(r) * (rx.data().size() / kRx) + i] +=
            h * tx.data()[static_cast<std::size_t>(t) * (tx.data().size() / layers) + i];
      }
    }
  }
  for (auto& v : rx.data()) v += 0.03F * Complex(normal(engine), normal(engine));

  GpuPuschLimits limits;
  limits.max_ues = 1;
  GpuPuschFrontEndConfig front_end_config;
  front_end_config.transform_precoding = tp != Tp::plain;
  auto front_end = GpuPuschFrontEnd::create(limits, front_end_config);
  if (!front_end) {
    state.SkipWithError(front_end.error().message.c_str());
    return;
  }
  GpuPuschFrontEnd& fe = **front_end;
  const GpuPuschUe ue{&*plan, 0};
  if (!fe.setup(std::span(&ue, 1), kRx, rx.subcarriers()).is_ok() || !fe.upload_grid(rx).is_ok() ||
      !fe.run().is_ok() || !fe.synchronize().is_ok()) {
    state.SkipWithError("GPU front end setup or first run failed");
    return;
  }
  if (mode == Mode::graph && !fe.capture_graph().is_ok()) {
    state.SkipWithError("graph capture failed");
    return;
  }
  for (auto _ : state) {
    Status s;
    if (mode == Mode::with_transfers) {
      s = fe.upload_grid(rx);
      if (s) s = fe.run_graph();
      if (s) s = fe.copy_llrs_to_host();
    } else {
      s = mode == Mode::graph ? fe.run_graph() : fe.run();
    }
    if (s) s = fe.synchronize();
    if (!s) {
      state.SkipWithError(s.message().c_str());
      return;
    }
  }
  state.counters["layers"] = layers;
  state.counters["llrs"] = plan->g;
  state.counters["device_MiB"] = static_cast<double>(fe.device_bytes()) / (1 << 20);
}

void register_all() {
  for (int layers = 1; layers <= 4; ++layers) {
    const std::string suffix = "/273prb/4rx/" + std::to_string(layers) + "layer/256qam";
    benchmark::RegisterBenchmark(("BM_GpuFrontEnd_launches" + suffix).c_str(), BM_GpuPuschFrontEnd, layers,
                                 Mode::launches, Tp::plain)->Unit(benchmark::kMicrosecond)->UseRealTime();
    benchmark::RegisterBenchmark(("BM_GpuFrontEnd_graph" + suffix).c_str(), BM_GpuPuschFrontEnd, layers, Mode::graph,
                                 Tp::plain)
        ->Unit(benchmark::kMicrosecond)->UseRealTime();
    benchmark::RegisterBenchmark(("BM_GpuFrontEnd_graph_with_transfers" + suffix).c_str(), BM_GpuPuschFrontEnd,
                                 layers, Mode::with_transfers, Tp::plain)->Unit(benchmark::kMicrosecond)->UseRealTime();
  }
  benchmark::RegisterBenchmark("BM_GpuFrontEnd_graph/270prb/4rx/1layer/256qam/transform_precoded",
                               BM_GpuPuschFrontEnd, 1, Mode::graph, Tp::tp_ue)
      ->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("BM_GpuFrontEnd_graph/270prb/4rx/1layer/256qam/cp_ofdm_tp_stage_idle",
                               BM_GpuPuschFrontEnd, 1, Mode::graph, Tp::tp_stage_idle)
      ->Unit(benchmark::kMicrosecond)->UseRealTime();
}

const int registered = (register_all(), 0);

}  // namespace
}  // namespace airan::phy
