// Per-stage CPU benchmarks in the configurations of srsRAN's figures in ../shared/peers.md:
// 4096-point OFDM symbols, the soft demapper over 38880 REs, ZF equalisation of a 273-PRB slot
// (1x1, 2x2) and DMRS channel estimation (1 port 1 layer, 2 ports 2 layers).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "airan/phy/mimo/equalizer.hpp"
#include "airan/phy/modulation/modulation.hpp"
#include "airan/phy/ofdm/ofdm.hpp"
#include "airan/phy/pusch/channel_estimator.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

std::vector<Complex> random_symbols(std::size_t n, unsigned seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0F, 0.7F);
  std::vector<Complex> v(n);
  for (auto& x : v) x = {normal(engine), normal(engine)};
  return v;
}

void BM_OfdmSymbol(benchmark::State& state, bool modulate_direction) {
  OfdmConfig config;
  config.numerology.mu = 1;
  config.fft_size = 4096;
  config.grid_subcarriers = 273 * 12;
  auto modulator = OfdmModulator::create(config);
  auto demodulator = OfdmDemodulator::create(config);
  if (!modulator || !demodulator) {
    state.SkipWithError("OFDM setup failed");
    return;
  }
  ResourceGrid grid(1, 14, 273 * 12);
  const auto data = random_symbols(grid.data().size(), 1);
  std::copy(data.begin(), data.end(), grid.data().begin());
  std::vector<Complex> samples(static_cast<std::size_t>(config.slot_samples(0)));
  if (!modulator->modulate(grid, 0, samples, 0)) state.SkipWithError("modulate failed");
  for (auto _ : state) {
    if (modulate_direction) {
      benchmark::DoNotOptimize(modulator->modulate(grid, 0, samples, 0));
    } else {
      benchmark::DoNotOptimize(demodulator->demodulate(samples, grid, 0, 0));
    }
  }
  state.counters["symbols"] = 14;  // the time is per slot of 14 symbols
}
BENCHMARK_CAPTURE(BM_OfdmSymbol, modulate_4096, true)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_OfdmSymbol, demodulate_4096, false)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_SoftDemapper(benchmark::State& state, Modulation modulation) {
  constexpr std::size_t kRes = 38880;
  const auto symbols = random_symbols(kRes, 2);
  std::vector<float> noise(kRes, 0.05F);
  std::vector<Llr> llrs(kRes * static_cast<std::size_t>(bits_per_symbol(modulation)));
  for (auto _ : state) {
    demodulate_soft(modulation, symbols, noise, 4.0F, llrs);
    benchmark::DoNotOptimize(llrs.data());
  }
}
BENCHMARK_CAPTURE(BM_SoftDemapper, qam64_38880, Modulation::qam64)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_SoftDemapper, qam256_38880, Modulation::qam256)->Unit(benchmark::kMicrosecond)->UseRealTime();

// ZF over 273 PRB x 14 symbols, as srsRAN's equalizer benchmark.
void BM_ZfEqualizerSlot(benchmark::State& state, int ports) {
  const int n = 273 * 12;
  std::vector<std::vector<Complex>> h(static_cast<std::size_t>(ports * ports)), y(static_cast<std::size_t>(ports));
  for (int i = 0; i < ports * ports; ++i) h[i] = random_symbols(static_cast<std::size_t>(n), 10 + i);
  for (int r = 0; r < ports; ++r) y[r] = random_symbols(static_cast<std::size_t>(n), 30 + r);
  std::vector<const Complex*> hp, yp;
  for (auto& v : h) hp.push_back(v.data());
  for (auto& v : y) yp.push_back(v.data());
  std::vector<Complex> x(static_cast<std::size_t>(n) * ports);
  std::vector<float> nv(x.size());
  EqualizerScratch scratch;
  for (auto _ : state) {
    for (int symbol = 0; symbol < 14; ++symbol) {
      equalize_interpolated(EqualizerType::zf, ports, ports, n, hp, hp, 0.0F, yp, 0.01F, x.data(), nv.data(), scratch);
    }
    benchmark::DoNotOptimize(x.data());
  }
}
BENCHMARK_CAPTURE(BM_ZfEqualizerSlot, 1x1, 1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ZfEqualizerSlot, 2x2, 2)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_DmrsChannelEstimation(benchmark::State& state, int layers, FrequencyInterpolation interpolation) {
  PuschConfig config;
  config.bwp_size = 273;
  config.rb_size = 273;
  config.num_layers = layers;
  config.num_antenna_ports = layers;
  config.dmrs.num_cdm_groups_without_data = 2;
  auto plan = *plan_pusch(config);
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan.tbs), 1);
  PuschTransmitter tx;
  ResourceGrid grid;
  (void)tx.transmit(plan, tb, grid);
  ChannelEstimatorConfig ec;
  ec.interpolation = interpolation;
  auto estimator = *PuschChannelEstimator::create(ec);
  PuschChannelEstimate estimate;
  for (auto _ : state) benchmark::DoNotOptimize(estimator->estimate(plan, grid, estimate));
}
BENCHMARK_CAPTURE(BM_DmrsChannelEstimation, 1port_1layer_dft, 1, FrequencyInterpolation::dft)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_DmrsChannelEstimation, 2port_2layer_dft, 2, FrequencyInterpolation::dft)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_DmrsChannelEstimation, 1port_1layer_linear, 1, FrequencyInterpolation::linear)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace airan::phy
