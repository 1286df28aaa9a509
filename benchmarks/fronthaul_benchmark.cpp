// O-RAN fronthaul IQ compression (io/compression.hpp): one OFDM symbol of 273 PRBs per port,
// compress and decompress, in srsRAN's configurations (BFP 8/9/12/14, 16-bit uncompressed,
// BFP9 x 4 ports), AVX2 and generic kernels. Needs airan_io.
//
// Counters: Gbit_s = IQ throughput counted as 16-bit I and Q (273 * 12 * 2 * 16 bits per symbol
// and port); us_per_symbol = time for one symbol (all ports).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "airan/io/compression.hpp"
#include "airan/io/fronthaul.hpp"

namespace {

using airan::io::CompressionMethod;
using airan::io::CompressionParams;
using airan::phy::CpuIsa;

constexpr int kPrbs = 273;

std::vector<std::int16_t> symbol_iq(int ports) {
  // Gaussian-like IQ at about -12 dBFS: a typical loaded OFDM symbol.
  std::mt19937 rng(1);
  std::normal_distribution<float> d(0.0f, 8000.0f);
  std::vector<std::int16_t> iq(static_cast<std::size_t>(ports) * kPrbs * airan::io::kIqValuesPerPrb);
  for (auto& v : iq) v = static_cast<std::int16_t>(std::max(-32768.0f, std::min(32767.0f, d(rng))));
  return iq;
}

void set_counters(benchmark::State& state, int ports) {
  const double bits = 273.0 * 12 * 2 * 16 * ports;
  state.counters["Gbit_s"] = benchmark::Counter(bits * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["us_per_symbol"] = benchmark::Counter(
      1e-6, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// args: method, iq_width, ports, isa (0 generic, 1 avx2)
void BM_Compress(benchmark::State& state) {
  const CompressionParams p{static_cast<CompressionMethod>(state.range(0)), static_cast<int>(state.range(1))};
  const int ports = static_cast<int>(state.range(2));
  const CpuIsa isa = state.range(3) ? CpuIsa::avx2 : CpuIsa::generic;
  if (isa == CpuIsa::avx2 && !airan::phy::cpu_isa_available(CpuIsa::avx2)) {
    state.SkipWithError("no AVX2");
    return;
  }
  const auto iq = symbol_iq(ports);
  const std::size_t port_values = static_cast<std::size_t>(kPrbs) * airan::io::kIqValuesPerPrb;
  const std::size_t port_bytes = static_cast<std::size_t>(kPrbs) * airan::io::compressed_prb_bytes(p);
  std::vector<std::uint8_t> out(port_bytes * ports);
  for (auto _ : state) {
    for (int port = 0; port < ports; ++port) {
      airan::io::compress_prbs(p, std::span(iq).subspan(port * port_values, port_values),
                               std::span(out).subspan(port * port_bytes, port_bytes), isa);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, ports);
}

void BM_Decompress(benchmark::State& state) {
  const CompressionParams p{static_cast<CompressionMethod>(state.range(0)), static_cast<int>(state.range(1))};
  const int ports = static_cast<int>(state.range(2));
  const CpuIsa isa = state.range(3) ? CpuIsa::avx2 : CpuIsa::generic;
  if (isa == CpuIsa::avx2 && !airan::phy::cpu_isa_available(CpuIsa::avx2)) {
    state.SkipWithError("no AVX2");
    return;
  }
  const auto iq = symbol_iq(ports);
  const std::size_t port_values = static_cast<std::size_t>(kPrbs) * airan::io::kIqValuesPerPrb;
  const std::size_t port_bytes = static_cast<std::size_t>(kPrbs) * airan::io::compressed_prb_bytes(p);
  std::vector<std::uint8_t> packed(port_bytes * ports);
  airan::io::compress_prbs(p, iq, packed, isa);
  std::vector<std::int16_t> out(iq.size());
  for (auto _ : state) {
    for (int port = 0; port < ports; ++port) {
      const auto status = airan::io::decompress_prbs(
          p, std::span<const std::uint8_t>(packed).subspan(port * port_bytes, port_bytes), kPrbs,
          std::span(out).subspan(port * port_values, port_values), isa);
      benchmark::DoNotOptimize(status.is_ok());
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, ports);
}

void configurations(benchmark::internal::Benchmark* b) {
  b->ArgNames({"method", "width", "ports", "avx2"});
  for (int avx2 : {1, 0}) {
    for (int w : {8, 9, 12, 14}) b->Args({1, w, 1, avx2});  // BFP
    b->Args({0, 16, 1, avx2});                               // uncompressed 16-bit
    b->Args({1, 9, 4, avx2});                                // BFP9, 4 ports
  }
  b->Args({2, 9, 1, 0});  // block scaling 9 (portable only)
  b->Args({3, 9, 1, 0});  // mu-law 9 (portable only)
}

BENCHMARK(BM_Compress)->Apply(configurations);
BENCHMARK(BM_Decompress)->Apply(configurations);

}  // namespace

// ---------------------------------------------------------------------------------------------
// Receive path: parse + decompress + write into the slot grid (SlotAssembler), one core, for a
// 273-PRB slot of 4 eAxC, as packets/s and Gbit/s of IQ (16-bit equivalent).
namespace airan::io {
namespace {

void BM_AssembleSlot(benchmark::State& state, CompressionMethod method, int width) {
  FronthaulConfig config;
  config.numerology = 1;
  config.carrier_prbs = 273;
  config.eaxc_ids = {0, 1, 2, 3};
  config.uplane.uplink.dynamic = true;
  config.uplane.uplink.static_comp = make_ud_comp_hdr(width, method);
  config.window.enabled = false;
  auto packer = UplanePacker::create(config);
  auto assembler = SlotAssembler::create(config);
  if (!packer || !assembler) {
    state.SkipWithError("fronthaul setup failed");
    return;
  }
  phy::ResourceGrid grid(4, 14, 273 * 12);
  std::mt19937 engine(1);
  std::normal_distribution<float> normal(0.0F, 0.5F);
  for (auto& x : grid.data()) x = {normal(engine), normal(engine)};
  std::vector<std::vector<std::uint8_t>> frames;
  (void)packer->pack_slot(grid, {0, 0, 0}, [&](std::span<const std::uint8_t> bytes, int) {
    frames.emplace_back(bytes.begin(), bytes.end());
  });
  int slot = 0;
  std::uint64_t packets = 0;
  for (auto _ : state) {
    // Rewrite the slot id so every iteration is a new slot (byte 3 of the timing header).
    ++slot;
    for (auto& f : frames) {
      f[14 + 8 + 1] = static_cast<std::uint8_t>(slot % 256);  // frameId
      assembler->on_frame(f, 0, {});
    }
    packets += frames.size();
  }
  state.counters["packets/s"] = benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
  state.counters["Gbit_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * 4 * 14 * 273 * 12 * 2 * 16 / 1e9,
                                                benchmark::Counter::kIsRate);
  state.counters["packets_per_slot"] = static_cast<double>(frames.size());
}
BENCHMARK_CAPTURE(BM_AssembleSlot, bfp9_273prb_4eaxc, CompressionMethod::block_floating_point, 9)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_AssembleSlot, none16_273prb_4eaxc, CompressionMethod::none, 16)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace airan::io
