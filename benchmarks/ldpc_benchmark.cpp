// LDPC encoder and decoder throughput, in the configurations of the srsRAN figures of
// shared/peers.md: BG1 Z=384 (K=8448) at R=0.92 and 1/3, BG2 Z=384 (K=3840) at R=0.83 and 0.2.
// R = K / E, where E is the number of transmitted bits: the encoder writes, and the decoder
// reads, the first E bits of d (TS 38.212 5.3.2: the codeword without its first 2Z bits).
//
// Time is wall-clock time per code block (the per-block latency). Counters:
//   Mbit/s      information bits (K) per second of wall-clock time, in units of 10^6
//               (Google Benchmark prints it as "Mbit/s=539.3/s": read 539.3 Mbit/s)
//   E           transmitted bits the block is encoded into / decoded from
//   iterations  decoder iterations per block (fixed: early_stop is off)
//   blocks_ok   fraction of decoded blocks without bit errors (a sanity check of the input)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "airan/phy/channel/awgn.hpp"
#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/coding/llr.hpp"
#include "airan/phy/cpu_features.hpp"
#include "airan/phy/modulation/qpsk.hpp"

namespace {

using namespace airan::phy;

struct CodeCase {
  BaseGraph bg;
  const char* rate_name;  // as in the benchmark name
  double rate;            // K / E
  double snr_db;          // QPSK AWGN SNR of the decoder input: decodable, not clean
};

constexpr CodeCase kCases[] = {
    {BaseGraph::bg1, "0.92", 0.92, 9.0},
    {BaseGraph::bg1, "1/3", 1.0 / 3.0, 0.5},
    {BaseGraph::bg2, "0.83", 0.83, 8.0},
    {BaseGraph::bg2, "0.2", 0.2, -1.5},
};

constexpr int kZ = 384;
constexpr int kInputBlocks = 4;  // distinct noisy code blocks, cycled

const LdpcGraph& graph_of(BaseGraph bg) { return **ldpc_graph(bg, kZ); }

// E = round(K / R), kept inside the range the encoder and decoder accept.
int transmitted_bits(const LdpcGraph& g, double rate) {
  const int e = static_cast<int>(std::lround(g.info_bits() / rate));
  return std::clamp(e, g.info_bits() - 2 * g.z, g.codeword_bits());
}

void set_rate_counters(benchmark::State& state, int info_bits) {
  const double blocks = static_cast<double>(state.iterations());
  state.counters["Mbit/s"] = benchmark::Counter(blocks * info_bits * 1e-6, benchmark::Counter::kIsRate);
}

void bm_ldpc_decode(benchmark::State& state, CodeCase code, int iterations, CpuIsa isa) {
  if (!cpu_isa_available(isa)) {
    state.SkipWithError(("ISA " + std::string(to_string(isa)) + " is not available on this machine").c_str());
    return;
  }
  LdpcDecoderConfig config;
  config.max_iterations = iterations;
  config.early_stop = false;
  auto decoder = create_ldpc_decoder(config, isa);
  if (!decoder || (*decoder)->isa() != isa) {
    state.SkipWithError(decoder ? "decoder reports another ISA" : decoder.error().message.c_str());
    return;
  }
  const LdpcGraph& g = graph_of(code.bg);
  const int k = g.info_bits();
  const int e = transmitted_bits(g, code.rate);

  // Noisy soft bits as `airan sim ldpc` makes them: QPSK over AWGN, int8 with gain 5.
  const int padded = e + (e & 1);
  std::vector<std::vector<std::uint8_t>> info(kInputBlocks, std::vector<std::uint8_t>(k));
  std::vector<std::vector<Llr>> llrs(kInputBlocks, std::vector<Llr>(padded));
  {
    const float noise_variance = noise_variance_from_snr_db(code.snr_db);
    std::mt19937_64 bits_engine(12345);
    std::vector<std::uint8_t> coded(padded, 0);
    std::vector<std::complex<float>> symbols(padded / 2);
    std::vector<float> soft(padded);
    for (int b = 0; b < kInputBlocks; ++b) {
      for (auto& bit : info[b]) bit = static_cast<std::uint8_t>(bits_engine() >> 63);
      ldpc_encode(g, info[b], std::span(coded).first(e));
      qpsk_modulate(coded, symbols);
      AwgnChannel channel(1000 + b);
      channel.add_noise(symbols, noise_variance);
      qpsk_demodulate_soft(symbols, noise_variance, soft);
      quantize_llrs(soft, 5.0F, llrs[b]);
    }
  }

  std::vector<std::uint8_t> decoded(k);
  long long blocks = 0;
  long long blocks_ok = 0;
  long long iteration_sum = 0;
  for (auto _ : state) {
    const int b = static_cast<int>(blocks % kInputBlocks);
    const LdpcDecoderResult r = (*decoder)->decode(g, std::span<const Llr>(llrs[b]).first(e), decoded);
    benchmark::DoNotOptimize(decoded.data());
    benchmark::ClobberMemory();
    iteration_sum += r.iterations;
    ++blocks;
    if (blocks <= kInputBlocks) blocks_ok += decoded == info[b];  // checked once per input
  }
  set_rate_counters(state, k);
  state.counters["iterations"] = static_cast<double>(iteration_sum) / static_cast<double>(blocks);
  state.counters["blocks_ok"] = static_cast<double>(blocks_ok) / static_cast<double>(std::min<long long>(blocks, kInputBlocks));
  state.counters["E"] = e;
}

void bm_ldpc_encode(benchmark::State& state, CodeCase code) {
  const LdpcGraph& g = graph_of(code.bg);
  const int k = g.info_bits();
  const int e = transmitted_bits(g, code.rate);
  std::vector<std::vector<std::uint8_t>> info(kInputBlocks, std::vector<std::uint8_t>(k));
  std::mt19937_64 engine(777);
  for (auto& block : info) {
    for (auto& bit : block) bit = static_cast<std::uint8_t>(engine() >> 63);
  }
  std::vector<std::uint8_t> d(e);
  long long blocks = 0;
  for (auto _ : state) {
    ldpc_encode(g, info[blocks++ % kInputBlocks], d);
    benchmark::DoNotOptimize(d.data());
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, k);
  state.counters["E"] = e;
}

std::string bg_name(BaseGraph bg) { return bg == BaseGraph::bg1 ? "BG1" : "BG2"; }

const bool registered = [] {
  for (const CodeCase& code : kCases) {
    const std::string base = bg_name(code.bg) + "_Z384/R=" + code.rate_name;
    for (const CpuIsa isa : {CpuIsa::avx2, CpuIsa::generic}) {
      const std::vector<int> iteration_counts =
          code.bg == BaseGraph::bg1 ? std::vector<int>{6, 2} : std::vector<int>{6};
      for (const int it : iteration_counts) {
        benchmark::RegisterBenchmark(
            ("LdpcDecode/" + base + "/it=" + std::to_string(it) + "/" + std::string(to_string(isa))).c_str(),
            [code, it, isa](benchmark::State& s) { bm_ldpc_decode(s, code, it, isa); })
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  for (const CodeCase& code : kCases) {
    benchmark::RegisterBenchmark(("LdpcEncode/" + bg_name(code.bg) + "_Z384/R=" + code.rate_name).c_str(),
                                 [code](benchmark::State& s) { bm_ldpc_encode(s, code); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
