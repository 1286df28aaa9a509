// Throughput of the transport-channel coding chain around the LDPC coder: CRC, rate matching
// and rate recovery, scrambling and descrambling, and the whole SchEncoder / SchDecoder.
//
// The transport block is a full 100 MHz slot at 30 kHz: 273 PRB, 13 PUSCH symbols with one
// DM-RS symbol (144 data REs per PRB), 256QAM, 1 layer, target rate 948/1024 (MCS 27 of the
// 256QAM table, the "R=0.93" case of shared/peers.md). G = 273 * 144 * 8 = 314496 coded bits.
//
// Time is wall-clock time per call. Counters (per second of wall-clock time):
//   Gbit/s  bits processed (CRC input, or the G coded bits / LLRs), in units of 10^9
//   Mbit/s  transport-block bits (TBS), in units of 10^6
//   (Google Benchmark prints "Gbit/s=1.5/s": read 1.5 Gbit/s)
#include <benchmark/benchmark.h>

#include <complex>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "airan/phy/coding/crc.hpp"
#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/coding/llr.hpp"
#include "airan/phy/coding/rate_matching.hpp"
#include "airan/phy/coding/sch.hpp"
#include "airan/phy/coding/scrambling.hpp"
#include "airan/phy/coding/tbs.hpp"
#include "airan/phy/cpu_features.hpp"

namespace {

using namespace airan::phy;
using airan::Expected;
using airan::Status;

constexpr int kPrbs = 273;
constexpr int kDataRePerPrb = 144;
constexpr int kQm = 8;
constexpr int kG = kPrbs * kDataRePerPrb * kQm;  // 314496
constexpr double kTargetRate = 948.0 / 1024.0;
constexpr std::uint32_t kCInit = (0x4601U << 15) | 1U;

// The plan of the slot-sized transport block, or nullptr (with the state marked) on error.
const SchPlan* slot_plan(benchmark::State& state) {
  static const Expected<SchPlan> plan = []() -> Expected<SchPlan> {
    TbsConfig tbs_config;
    tbs_config.n_prb = kPrbs;
    tbs_config.n_symb_sh = 13;
    tbs_config.n_dmrs_prb = 12;
    tbs_config.target_code_rate = kTargetRate;
    tbs_config.modulation_order = kQm;
    auto tbs = tbs_determine(tbs_config);
    if (!tbs) return tbs.error();
    SchConfig config;
    config.tbs = *tbs;
    config.target_code_rate = kTargetRate;
    config.rate_match.g = kG;
    config.rate_match.modulation_order = kQm;
    return plan_sch(config);
  }();
  if (!plan) {
    state.SkipWithError(plan.error().message.c_str());
    return nullptr;
  }
  return &*plan;
}

std::vector<std::uint8_t> random_bits(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<std::uint8_t> bits(n);
  for (auto& b : bits) b = static_cast<std::uint8_t>(engine() >> 63);
  return bits;
}

std::vector<Llr> random_llrs(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<Llr> llrs(n);
  for (auto& l : llrs) l = static_cast<Llr>(static_cast<int>(engine() % 255) - 127);
  return llrs;
}

void set_gbit_counter(benchmark::State& state, double bits_per_call) {
  state.counters["Gbit/s"] =
      benchmark::Counter(bits_per_call * static_cast<double>(state.iterations()) * 1e-9, benchmark::Counter::kIsRate);
}

void set_tb_counters(benchmark::State& state, const SchPlan& plan) {
  state.counters["Mbit/s"] = benchmark::Counter(
      static_cast<double>(plan.tbs()) * static_cast<double>(state.iterations()) * 1e-6, benchmark::Counter::kIsRate);
  state.counters["TBS"] = plan.tbs();
  state.counters["C"] = plan.segmentation.num_blocks;
  state.counters["G"] = plan.g;
}

// --- CRC ---------------------------------------------------------------------------------

void bm_crc(benchmark::State& state, CrcType type) {
  const auto bits = random_bits(static_cast<std::size_t>(state.range(0)), 1);
  for (auto _ : state) benchmark::DoNotOptimize(crc_compute(type, bits));
  set_gbit_counter(state, static_cast<double>(bits.size()));
}
BENCHMARK_CAPTURE(bm_crc, crc24a, CrcType::crc24a)->Arg(100'000)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_crc, crc24b, CrcType::crc24b)->Arg(8424)->UseRealTime()->Unit(benchmark::kMicrosecond);

// --- Rate matching / recovery of the whole transport block ---------------------------------

void bm_rate_match(benchmark::State& state) {
  const SchPlan* plan = slot_plan(state);
  if (!plan) return;
  const RateMatchPlan& rm = plan->rate_match;
  // Every block selects from the same encoded d: the cost does not depend on its values.
  const auto d = random_bits(static_cast<std::size_t>(plan->segmentation.n), 2);
  std::vector<std::uint8_t> codeword(kG);
  for (auto _ : state) {
    for (int r = 0; r < rm.num_blocks; ++r) {
      rate_match(rm, d, std::span(codeword).subspan(rm.offset(r), rm.e(r)));
    }
    benchmark::DoNotOptimize(codeword.data());
    benchmark::ClobberMemory();
  }
  set_gbit_counter(state, kG);
  set_tb_counters(state, *plan);
}
BENCHMARK(bm_rate_match)->Name("RateMatch/273PRB_256QAM")->UseRealTime()->Unit(benchmark::kMicrosecond);

void bm_rate_recover(benchmark::State& state, bool combine) {
  const SchPlan* plan = slot_plan(state);
  if (!plan) return;
  const RateMatchPlan& rm = plan->rate_match;
  const auto llrs = random_llrs(kG, 3);
  const auto n = static_cast<std::size_t>(rm.n);
  std::vector<Llr> soft(static_cast<std::size_t>(rm.num_blocks) * n);
  for (auto _ : state) {
    for (int r = 0; r < rm.num_blocks; ++r) {
      rate_recover(rm, std::span(llrs).subspan(rm.offset(r), rm.e(r)), std::span(soft).subspan(r * n, n), combine);
    }
    benchmark::DoNotOptimize(soft.data());
    benchmark::ClobberMemory();
  }
  set_gbit_counter(state, kG);
  set_tb_counters(state, *plan);
}
BENCHMARK_CAPTURE(bm_rate_recover, new_data, false)
    ->Name("RateRecover/273PRB_256QAM/new_data")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_rate_recover, harq_combine, true)
    ->Name("RateRecover/273PRB_256QAM/harq_combine")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// --- Scrambling ------------------------------------------------------------------------------

void bm_scramble(benchmark::State& state) {
  auto bits = random_bits(kG, 4);
  for (auto _ : state) {
    scramble_bits(kCInit, bits);
    benchmark::DoNotOptimize(bits.data());
    benchmark::ClobberMemory();
  }
  set_gbit_counter(state, kG);
}
BENCHMARK(bm_scramble)->Name("Scramble/G=314496")->UseRealTime()->Unit(benchmark::kMicrosecond);

void bm_descramble(benchmark::State& state) {
  auto llrs = random_llrs(kG, 5);
  for (auto _ : state) {
    descramble_llrs(kCInit, llrs);
    benchmark::DoNotOptimize(llrs.data());
    benchmark::ClobberMemory();
  }
  set_gbit_counter(state, kG);
}
BENCHMARK(bm_descramble)->Name("Descramble/G=314496")->UseRealTime()->Unit(benchmark::kMicrosecond);

// --- Whole transport block -------------------------------------------------------------------

void bm_sch_encode(benchmark::State& state) {
  const SchPlan* plan = slot_plan(state);
  if (!plan) return;
  const auto tb = random_bits(static_cast<std::size_t>(plan->tbs()), 6);
  std::vector<std::uint8_t> codeword(kG);
  SchEncoder encoder;
  for (auto _ : state) {
    const Status s = encoder.encode(*plan, tb, codeword);
    if (!s) {
      state.SkipWithError(s.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(codeword.data());
    benchmark::ClobberMemory();
  }
  set_tb_counters(state, *plan);
}
BENCHMARK(bm_sch_encode)->Name("SchEncode/273PRB_256QAM")->UseRealTime()->Unit(benchmark::kMicrosecond);

// Decodes the codeword of one transport block.
//   clean: noise-free LLRs (+-16): every block passes its parity check after the first
//          iteration and stops early (the counter `iterations` says how many ran).
//   noise: random LLRs, 2 fixed iterations (early_stop off): the decoding work of srsRAN's
//          PUSCH benchmark, which decodes noise with 2 iterations. The CRCs fail.
void bm_sch_decode(benchmark::State& state, bool clean, CpuIsa isa) {
  if (!cpu_isa_available(isa)) {
    state.SkipWithError(("ISA " + std::string(to_string(isa)) + " is not available on this machine").c_str());
    return;
  }
  const SchPlan* plan = slot_plan(state);
  if (!plan) return;
  LdpcDecoderConfig config;
  if (clean) {
    config.max_iterations = 6;
  } else {
    config.max_iterations = 2;
    config.early_stop = false;
  }
  auto decoder = SchDecoder::create(config, isa);
  if (!decoder) {
    state.SkipWithError(decoder.error().message.c_str());
    return;
  }
  const auto tb = random_bits(static_cast<std::size_t>(plan->tbs()), 7);
  std::vector<Llr> llrs(kG);
  if (clean) {
    std::vector<std::uint8_t> codeword(kG);
    SchEncoder encoder;
    if (!encoder.encode(*plan, tb, codeword)) {
      state.SkipWithError("encode failed");
      return;
    }
    bits_to_llrs(codeword, 16, llrs);
  } else {
    llrs = random_llrs(kG, 8);
  }
  HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(static_cast<std::size_t>(plan->tbs()));
  double iterations = 0.0;
  long long tb_ok = 0;
  long long calls = 0;
  for (auto _ : state) {
    auto result = (*decoder)->decode(*plan, llrs, /*new_data=*/true, harq, decoded);
    if (!result) {
      state.SkipWithError(result.error().message.c_str());
      return;
    }
    iterations += result->mean_iterations;
    tb_ok += result->tb_crc_ok ? 1 : 0;
    ++calls;
    benchmark::DoNotOptimize(decoded.data());
    benchmark::ClobberMemory();
  }
  set_tb_counters(state, *plan);
  state.counters["iterations"] = iterations / static_cast<double>(calls);
  state.counters["tb_ok"] = static_cast<double>(tb_ok) / static_cast<double>(calls);
  if (clean && tb_ok != calls) state.SkipWithError("clean transport block failed its CRC");
}

const bool registered = [] {
  for (const CpuIsa isa : {CpuIsa::avx2, CpuIsa::generic}) {
    const std::string name(to_string(isa));
    benchmark::RegisterBenchmark(("SchDecode/273PRB_256QAM/clean/" + name).c_str(),
                                 [isa](benchmark::State& s) { bm_sch_decode(s, true, isa); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("SchDecode/273PRB_256QAM/noise_it2/" + name).c_str(),
                                 [isa](benchmark::State& s) { bm_sch_decode(s, false, isa); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
