// GpuLdpcDecoder throughput and latency: BG1 Z=384 (K=8448) at R=0.92 and 1/3, 1, 36 and 144
// code blocks per launch, 6 iterations without early stop (as LdpcDecode/.../it=6 of
// ldpc_benchmark.cpp, so the two compare per iteration count).
//
// Time is wall-clock time per launch (the latency of a batch), measured to the end of
// synchronize(). Counters:
//   Gbit/s   information bits (K x blocks) per second, in units of 10^9
//   blocks   code blocks per launch
// Variants: "kernel" = descriptor copy + kernel (soft bits already in device memory, as when
// rate recovery runs on the GPU); "with_copies" = soft bits up, kernel, bits and outcomes down.
// Built only with the CUDA backend; without a device every benchmark reports the reason.
#include <benchmark/benchmark.h>

#if defined(AIRAN_WITH_CUDA)

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/coding/llr.hpp"
#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/gpu.hpp"

namespace {

using namespace airan::phy;

struct CodeCase {
  const char* rate_name;
  double rate;   // K / E
  double sigma;  // noise on +-16 soft bits: decodable, not clean
};

constexpr CodeCase kCases[] = {{"0.92", 0.92, 5.0}, {"1/3", 1.0 / 3.0, 13.0}};
constexpr int kZ = 384;
constexpr int kIterations = 6;

void bm_gpu_ldpc_decode(benchmark::State& state, CodeCase code, int blocks, bool with_copies) {
  if (!detect_gpu().available) {
    state.SkipWithError(("no GPU: " + detect_gpu().reason).c_str());
    return;
  }
  const LdpcGraph& g = **ldpc_graph(BaseGraph::bg1, kZ);
  const int k = g.info_bits();
  const int e = static_cast<int>(std::lround(k / code.rate));
  const int llr_count = std::clamp(e, k - 2 * kZ, g.codeword_bits());

  GpuLdpcDecoderConfig config;
  config.max_code_blocks = blocks;
  config.max_llrs_per_block = llr_count;
  auto decoder = GpuLdpcDecoder::create(config);
  if (!decoder) {
    state.SkipWithError(decoder.error().message.c_str());
    return;
  }
  std::mt19937_64 engine(42);
  std::normal_distribution<double> noise(0.0, code.sigma);
  std::vector<std::uint8_t> info(static_cast<std::size_t>(k));
  std::vector<std::uint8_t> d(static_cast<std::size_t>(g.codeword_bits()));
  std::vector<float> soft(static_cast<std::size_t>(llr_count));
  std::vector<GpuLdpcCodeBlock> descriptors;
  for (int b = 0; b < blocks; ++b) {
    for (auto& bit : info) bit = static_cast<std::uint8_t>(engine() & 1U);
    ldpc_encode(g, info, d);
    for (int i = 0; i < llr_count; ++i) {
      soft[static_cast<std::size_t>(i)] = static_cast<float>((d[static_cast<std::size_t>(i)] ? -16.0 : 16.0) + noise(engine));
    }
    const std::size_t offset = static_cast<std::size_t>(b) * static_cast<std::size_t>(llr_count);
    quantize_llrs(soft, 1.0F, decoder->host_llrs().subspan(offset, static_cast<std::size_t>(llr_count)));
    descriptors.push_back({BaseGraph::bg1, kZ, offset, llr_count, kIterations, false});
  }
  if (!decoder->setup(descriptors) || !decoder->upload_llrs() || !decoder->synchronize()) {
    state.SkipWithError("setup or upload failed");
    return;
  }
  for (auto _ : state) {
    bool ok = true;
    if (with_copies) ok = decoder->upload_llrs().is_ok();
    ok = ok && decoder->run().is_ok();
    if (with_copies) ok = ok && decoder->download_results().is_ok();
    ok = ok && decoder->synchronize().is_ok();
    if (!ok) {
      state.SkipWithError("a launch failed");
      return;
    }
  }
  state.counters["Gbit/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * blocks * k * 1e-9,
                                                benchmark::Counter::kIsRate);
  state.counters["blocks"] = blocks;
}

const bool registered = [] {
  for (const CodeCase& code : kCases) {
    for (int blocks : {1, 36, 144}) {
      for (bool with_copies : {false, true}) {
        const std::string name = std::string("GpuLdpcDecode/BG1_Z384/R=") + code.rate_name + "/it=" +
                                 std::to_string(kIterations) + "/blocks=" + std::to_string(blocks) +
                                 (with_copies ? "/with_copies" : "/kernel");
        benchmark::RegisterBenchmark(name.c_str(), [code, blocks, with_copies](benchmark::State& s) {
          bm_gpu_ldpc_decode(s, code, blocks, with_copies);
        })->UseRealTime()->Unit(benchmark::kMicrosecond);
      }
    }
  }
  return true;
}();

}  // namespace

#endif  // AIRAN_WITH_CUDA
