// PUSCH receiver CPU time per slot and per stage: 273 PRB, 30 kHz, 1/2/4 layers, 4 receive
// ports, 64QAM and 256QAM; plus srsRAN's configuration of ../shared/peers.md (1 receive port,
// 1 layer, 256QAM R=0.93, LDPC fixed at 2 iterations). Slot budget at 30 kHz: 500 us.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

struct Scenario {
  int layers;
  int rx;
  McsTable table;
  int mcs;
  bool fixed_two_iterations;
};

// A random flat MIMO channel per slot plus AWGN at 30 dB, so that the receiver does real work.
void make_received_grid(const ResourceGrid& tx, int rx_ports, ResourceGrid& rx, std::mt19937_64& engine) {
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  rx.resize(rx_ports, tx.symbols(), tx.subcarriers());
  const float sigma = std::sqrt(static_cast<float>(tx.ports()) * std::pow(10.0F, -3.0F));  // 30 dB
  for (int r = 0; r < rx_ports; ++r) {
    for (int t = 0; t < tx.ports(); ++t) {
      const Complex h(normal(engine), normal(engine));
      for (int l = 0; l < tx.symbols(); ++l) {
        auto y = rx.symbol(r, l);
        const auto x = tx.symbol(t, l);
        for (std::size_t k = 0; k < y.size(); ++k) y[k] += h * x[k];
      }
    }
  }
  for (auto& v : rx.data()) v += sigma * Complex(normal(engine), normal(engine));
}

void BM_PuschReceive(benchmark::State& state, Scenario s) {
  PuschConfig config;
  config.numerology = 1;
  config.bwp_size = 273;
  config.rb_size = 273;
  config.num_layers = s.layers;
  config.num_antenna_ports = s.layers;
  config.mcs_table = s.table;
  config.mcs_index = s.mcs;
  config.dmrs.additional_position = 1;
  config.dmrs.num_cdm_groups_without_data = 2;
  auto plan = plan_pusch(config);
  if (!plan) {
    state.SkipWithError(plan.error().message.c_str());
    return;
  }
  std::mt19937_64 engine(7);
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs)), decoded(tb.size());
  for (auto& b : tb) b = static_cast<std::uint8_t>(engine() >> 63);
  PuschTransmitter transmitter;
  ResourceGrid tx;
  ResourceGrid rx;
  if (!transmitter.transmit(*plan, tb, tx)) {
    state.SkipWithError("transmit failed");
    return;
  }
  make_received_grid(tx, s.rx, rx, engine);
  PuschReceiverConfig rx_config;
  if (s.fixed_two_iterations) {
    rx_config.decoder.max_iterations = 2;
    rx_config.decoder.early_stop = false;
  }
  auto receiver = *PuschReceiver::create(rx_config);
  HarqSoftBuffer harq;
  PuschStageTimes sum;
  bool all_ok = true;
  for (auto _ : state) {
    auto result = receiver->receive(*plan, rx, true, harq, decoded);
    benchmark::DoNotOptimize(decoded.data());
    all_ok = all_ok && result && result->tb_crc_ok;
    sum.channel_estimation_us += result->times.channel_estimation_us;
    sum.equalization_us += result->times.equalization_us;
    sum.demapping_us += result->times.demapping_us;
    sum.decoding_us += result->times.decoding_us;
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["estimate_us"] = sum.channel_estimation_us / n;
  state.counters["equalize_us"] = sum.equalization_us / n;
  state.counters["demap_us"] = sum.demapping_us / n;
  state.counters["decode_us"] = sum.decoding_us / n;
  state.counters["TBS"] = plan->tbs;
  state.counters["crc_ok"] = all_ok ? 1 : 0;
  state.counters["Mbit/s"] =
      benchmark::Counter(static_cast<double>(plan->tbs) * n / 1e6, benchmark::Counter::kIsRate);
}

void BM_PuschTransmit(benchmark::State& state, int layers, McsTable table, int mcs) {
  PuschConfig config;
  config.bwp_size = 273;
  config.rb_size = 273;
  config.num_layers = layers;
  config.num_antenna_ports = layers;
  config.mcs_table = table;
  config.mcs_index = mcs;
  config.dmrs.num_cdm_groups_without_data = 2;
  auto plan = *plan_pusch(config);
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan.tbs), 1);
  PuschTransmitter transmitter;
  ResourceGrid grid;
  for (auto _ : state) benchmark::DoNotOptimize(transmitter.transmit(plan, tb, grid));
}

BENCHMARK_CAPTURE(BM_PuschReceive, srsran_peer_1rx_1layer_256qam_it2, Scenario{1, 1, McsTable::qam256, 27, true})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_PuschReceive, 4rx_1layer_64qam, Scenario{1, 4, McsTable::qam64, 20, false})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_PuschReceive, 4rx_1layer_256qam, Scenario{1, 4, McsTable::qam256, 24, false})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_PuschReceive, 4rx_2layer_64qam, Scenario{2, 4, McsTable::qam64, 20, false})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_PuschReceive, 4rx_2layer_256qam, Scenario{2, 4, McsTable::qam256, 24, false})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_PuschReceive, 4rx_4layer_64qam, Scenario{4, 4, McsTable::qam64, 20, false})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_PuschReceive, 4rx_4layer_256qam, Scenario{4, 4, McsTable::qam256, 24, false})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_PuschTransmit, 1layer_256qam, 1, McsTable::qam256, 27)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_PuschTransmit, 4layer_64qam, 4, McsTable::qam64, 20)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace airan::phy
