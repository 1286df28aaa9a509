// GpuLdpcDecoder per slot: the code blocks of one 273-PRB transport block (BG1, Z = 384, rate
// about 0.9 as 256QAM MCS 27 gives), 1..4 layers' worth of blocks in one launch, at an SNR
// where they decode; wall time of the launch and the synchronisation, LLRs already on the
// device. Built only with the CUDA backend; skips with the reason where no device exists.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

void BM_GpuLdpcDecoder(benchmark::State& state) {
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) {
    state.SkipWithError(("no GPU: " + gpu.reason).c_str());
    return;
  }
  const int blocks = static_cast<int>(state.range(0));
  const LdpcGraph& graph = **ldpc_graph(BaseGraph::bg1, 384);
  const int length = 9480;  // E of one block at rate ~0.89
  std::mt19937_64 engine(3);
  std::vector<std::uint8_t> info(static_cast<std::size_t>(graph.info_bits()));
  std::vector<std::uint8_t> codeword(static_cast<std::size_t>(graph.codeword_bits()));
  std::vector<Llr> llrs(static_cast<std::size_t>(length));
  auto decoder = GpuLdpcDecoder::create(LdpcDecoderConfig{}, blocks);
  if (!decoder) {
    state.SkipWithError(decoder.error().message.c_str());
    return;
  }
  std::vector<GpuLdpcCodeBlock> shapes(static_cast<std::size_t>(blocks), {BaseGraph::bg1, 384, length});
  if (!(*decoder)->setup(shapes).is_ok()) {
    state.SkipWithError("setup failed");
    return;
  }
  std::normal_distribution<float> noise(0.0F, 0.35F);
  for (int b = 0; b < blocks; ++b) {
    for (auto& bit : info) bit = static_cast<std::uint8_t>(engine() & 1U);
    ldpc_encode(graph, info, codeword);
    for (int i = 0; i < length; ++i) {
      const float v = (codeword[i] ? -1.0F : 1.0F) + noise(engine);
      llrs[i] = static_cast<Llr>(std::clamp(std::lround(v * 24.0F), -127L, 127L));
    }
    if (!(*decoder)->upload_llrs(b, llrs).is_ok()) {
      state.SkipWithError("upload failed");
      return;
    }
  }
  for (auto _ : state) {
    Status s = (*decoder)->run();
    if (s) s = (*decoder)->synchronize();
    if (!s) {
      state.SkipWithError(s.message().c_str());
      return;
    }
  }
  state.counters["code_blocks"] = blocks;
  state.counters["info_Mbit_per_s"] = benchmark::Counter(static_cast<double>(blocks) * graph.info_bits() / 1e6,
                                                         benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_GpuLdpcDecoder)->Arg(36)->Arg(72)->Arg(144)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace airan::phy
