// The whole uplink on the GPU (GpuPuschReceiver: front end, int8, rate recovery, LDPC, TB CRC,
// results to the host) for 100 MHz 4T4R cells: 273 PRB, 30 kHz, 4 receive ports, one UE over
// the carrier with 1, 2 or 4 layers, 64QAM MCS 20 (every TB decodes at 30 dB).
//   BM_GpuPuschSlot:      one cell, one slot after another: the end-to-end slot latency (grid up,
//                         every stage, TBs down; host wall time) and the device time.
//   BM_GpuPuschStages:    the same slot as plain launches with an event after each stage: device
//                         time per stage (front end, quantize, rate recovery, LDPC, TB assembly,
//                         results to the host).
//   BM_GpuPuschCapacity:  N cells, each its own receiver and stream, set up and enqueued one
//                         after another by one host thread, then finished: the time until the
//                         last cell's TBs are on the host. A cell count "fits" when the p99 of
//                         that time is within Aerial's PUSCH budget (1500 us) and its mean within
//                         the 500 us slot cadence (so the GPU keeps up slot after slot without
//                         counting on slots overlapping).
//   BM_GpuPuschCapacityBatched: the same N cells as one cell group, one receiver (max_cells = N):
//                         every stage one launch for all cells' UEs, one stream, one graph.
// Built only with the CUDA backend; skips with the reason where no device exists.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "airan/phy/cuda/gpu_pusch_receiver.hpp"
#include "airan/phy/gpu.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRx = 4;
constexpr int kPrbs = 273;
constexpr double kPuschBudgetUs = 1500.0;
constexpr double kSlotUs = 500.0;

struct Cell {
  PuschPlan plan;
  ResourceGrid grid;
  std::vector<std::uint8_t> tb;
};

// One UE over the carrier through a random flat 4 x layers channel at 30 dB.
Expected<Cell> make_cell(int layers, std::uint64_t seed) {
  PuschConfig c;
  c.numerology = 1;
  c.bwp_size = kPrbs;
  c.rb_size = kPrbs;
  c.num_layers = layers;
  c.num_antenna_ports = layers;
  c.mcs_table = McsTable::qam64;
  c.mcs_index = 20;
  c.dmrs.additional_position = 1;
  c.dmrs.num_cdm_groups_without_data = 2;
  auto plan = plan_pusch(c);
  if (!plan) return plan.error();
  Cell cell{*plan, ResourceGrid(kRx, kSymbolsPerSlot, 12 * kPrbs), {}};
  std::mt19937_64 e(seed);
  cell.tb.resize(static_cast<std::size_t>(plan->tbs));
  for (auto& b : cell.tb) b = static_cast<std::uint8_t>(e() >> 63);
  PuschTransmitter transmitter;
  ResourceGrid tx;
  if (Status s = transmitter.transmit(*plan, cell.tb, tx); !s) return s.error();
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  for (int r = 0; r < kRx; ++r) {
    for (int t = 0; t < layers; ++t) {
      const Complex h{normal(e), normal(e)};
      for (int l = 0; l < kSymbolsPerSlot; ++l) {
        for (int k = 0; k < tx.subcarriers(); ++k) cell.grid.at(r, l, k) += h * tx.at(t, l, k);
      }
    }
  }
  const float sigma = std::sqrt(1e-3F);
  for (auto& x : cell.grid.data()) x += sigma * Complex{normal(e), normal(e)};
  return cell;
}

// Skips the benchmark, saying why, where no GPU is usable.
bool skip_without_gpu(benchmark::State& state) {
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) state.SkipWithError(("no GPU: " + gpu.reason).c_str());
  return !gpu.available;
}

// The benchmark's cell, or nullopt with the benchmark skipped (no GPU, or the cell cannot be made).
std::optional<Cell> cell_or_skip(benchmark::State& state, int layers, std::uint64_t seed) {
  if (skip_without_gpu(state)) return std::nullopt;
  auto cell = make_cell(layers, seed);
  if (!cell) {
    state.SkipWithError(cell.error().message.c_str());
    return std::nullopt;
  }
  return std::move(*cell);
}

PuschSlotReceiverConfig cell_config(int layers) {
  PuschSlotReceiverConfig config;
  config.limits = {.max_prbs = kPrbs, .grid_prbs = kPrbs, .max_layers = layers, .max_rx_ports = kRx, .max_ues = 4,
                   .max_modulation_order = 6};
  config.harq_processes = 16;
  config.transform_precoding = false;
  return config;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

void BM_GpuPuschSlot(benchmark::State& state) {
  if (skip_without_gpu(state)) return;
  const int layers = static_cast<int>(state.range(0));
  auto cell = make_cell(layers, 7);
  auto receiver = GpuPuschReceiver::create(cell_config(layers));
  if (!cell || !receiver) {
    state.SkipWithError(!cell ? cell.error().message.c_str() : receiver.error().message.c_str());
    return;
  }
  std::vector<std::uint8_t> decoded(cell->tb.size());
  std::vector<PuschSlotUe> ues = {{&cell->plan, 0, true, 0, decoded}};
  std::vector<PuschSlotUeResult> results(1);
  if (Status s = (*receiver)->receive(cell->grid, ues, results); !s || !results[0].tb_crc_ok) {
    state.SkipWithError(s ? "the TB did not decode" : s.message().c_str());
    return;
  }
  std::vector<double> host, device;
  long long ok = 0;
  for (auto _ : state) {
    (void)(*receiver)->receive(cell->grid, ues, results);
    const PuschSlotTimes& t = (*receiver)->last_times();
    state.SetIterationTime(t.host_us * 1e-6);
    host.push_back(t.host_us);
    device.push_back(t.device_us);
    ok += results[0].tb_crc_ok ? 1 : 0;
  }
  state.counters["host_p50_us"] = percentile(host, 0.5);
  state.counters["host_p99_us"] = percentile(host, 0.99);
  state.counters["device_p50_us"] = percentile(device, 0.5);
  state.counters["device_p99_us"] = percentile(device, 0.99);
  state.counters["tb_ok"] = static_cast<double>(ok) / static_cast<double>(std::max<std::size_t>(host.size(), 1));
  state.counters["code_blocks"] = results[0].code_blocks;
  state.counters["decoded_gbit_per_s"] =
      static_cast<double>(cell->plan.tbs) / (percentile(host, 0.5) * 1e-6) / 1e9;
}

void BM_GpuPuschStages(benchmark::State& state) {
  if (skip_without_gpu(state)) return;
  const int layers = static_cast<int>(state.range(0));
  auto cell = make_cell(layers, 7);
  PuschSlotReceiverConfig config = cell_config(layers);
  config.cuda_graph = false;
  config.stage_timing = true;
  auto receiver = GpuPuschReceiver::create(config);
  if (!cell || !receiver) {
    state.SkipWithError(!cell ? cell.error().message.c_str() : receiver.error().message.c_str());
    return;
  }
  std::vector<std::uint8_t> decoded(cell->tb.size());
  std::vector<PuschSlotUe> ues = {{&cell->plan, 0, true, 0, decoded}};
  std::vector<PuschSlotUeResult> results(1);
  std::array<std::vector<double>, 6> stages;
  for (auto _ : state) {
    if (Status s = (*receiver)->receive(cell->grid, ues, results); !s) {
      state.SkipWithError(s.message().c_str());
      return;
    }
    const PuschSlotTimes& t = (*receiver)->last_times();
    state.SetIterationTime(t.device_us * 1e-6);
    const double values[] = {t.stages.front_end_us, t.stages.quantize_us, t.stages.rate_recovery_us,
                             t.stages.ldpc_us,      t.stages.assemble_us, t.stages.results_us};
    for (std::size_t i = 0; i < stages.size(); ++i) stages[i].push_back(values[i]);
  }
  const char* names[] = {"front_end_us", "quantize_us", "rate_recovery_us", "ldpc_us", "assemble_us", "results_us"};
  for (std::size_t i = 0; i < stages.size(); ++i) state.counters[names[i]] = percentile(stages[i], 0.5);
}

// Times run_slot (one slot of `cells` cells, TBs on the host at its end) after an untimed first
// slot that captures the graphs; ok() counts the slot's TBs that passed.
template <typename RunSlot, typename CountOk>
void time_cells(benchmark::State& state, int cells, RunSlot&& run_slot, CountOk&& ok) {
  if (Status s = run_slot(); !s) {
    state.SkipWithError(s.message().c_str());
    return;
  }
  std::vector<double> slot_us;
  long long passed = 0;
  long long tbs = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    if (Status s = run_slot(); !s) {
      state.SkipWithError(s.message().c_str());
      return;
    }
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    state.SetIterationTime(us * 1e-6);
    slot_us.push_back(us);
    passed += ok();
    tbs += cells;
  }
  double mean = 0.0;
  for (double v : slot_us) mean += v;
  mean /= static_cast<double>(std::max<std::size_t>(slot_us.size(), 1));
  const double p99 = percentile(slot_us, 0.99);
  state.counters["cells"] = cells;
  state.counters["slot_p50_us"] = percentile(slot_us, 0.5);
  state.counters["slot_p99_us"] = p99;
  state.counters["slot_mean_us"] = mean;
  state.counters["tb_ok"] = tbs ? static_cast<double>(passed) / static_cast<double>(tbs) : 0.0;
  state.counters["fits"] = p99 <= kPuschBudgetUs && mean <= kSlotUs ? 1.0 : 0.0;
}

void BM_GpuPuschCapacity(benchmark::State& state) {
  const int cells = static_cast<int>(state.range(0));
  const int layers = static_cast<int>(state.range(1));
  const std::optional<Cell> cell = cell_or_skip(state, layers, 11);
  if (!cell) return;
  std::vector<std::unique_ptr<GpuPuschReceiver>> receivers;
  for (int c = 0; c < cells; ++c) {
    auto r = GpuPuschReceiver::create(cell_config(layers));
    if (!r) {
      state.SkipWithError(("cell " + std::to_string(c) + ": " + r.error().message).c_str());
      return;
    }
    receivers.push_back(std::move(*r));
  }
  const auto n = static_cast<std::size_t>(cells);
  std::vector<std::vector<std::uint8_t>> decoded(n, std::vector<std::uint8_t>(cell->tb.size()));
  std::vector<std::vector<PuschSlotUe>> ues(n);
  std::vector<std::vector<PuschSlotUeResult>> results(n, std::vector<PuschSlotUeResult>(1));
  for (std::size_t c = 0; c < n; ++c) ues[c] = {{&cell->plan, 0, true, 0, decoded[c]}};
  time_cells(
      state, cells,
      [&]() -> Status {
        for (std::size_t c = 0; c < n; ++c) {
          GpuPuschReceiver& r = *receivers[c];
          if (Status s = r.setup(ues[c], kRx, 12 * kPrbs); !s) return s;
          if (Status s = r.upload_grid(cell->grid); !s) return s;
          if (Status s = r.enqueue(); !s) return s;
        }
        for (std::size_t c = 0; c < n; ++c) {
          if (Status s = receivers[c]->finish(ues[c], results[c]); !s) return s;
        }
        return Status::ok();
      },
      [&] {
        long long ok = 0;
        for (const auto& r : results) ok += r[0].tb_crc_ok ? 1 : 0;
        return ok;
      });
}

void BM_GpuPuschCapacityBatched(benchmark::State& state) {
  const int cells = static_cast<int>(state.range(0));
  const int layers = static_cast<int>(state.range(1));
  const std::optional<Cell> cell = cell_or_skip(state, layers, 11);
  if (!cell) return;
  PuschSlotReceiverConfig config = cell_config(layers);
  config.limits.max_cells = cells;
  config.limits.max_ues = cells;
  config.harq_processes = cells;
  auto receiver = GpuPuschReceiver::create(config);
  if (!receiver) {
    state.SkipWithError(receiver.error().message.c_str());
    return;
  }
  std::vector<std::vector<std::uint8_t>> decoded(static_cast<std::size_t>(cells), std::vector<std::uint8_t>(cell->tb.size()));
  std::vector<PuschSlotUe> ues;
  for (int c = 0; c < cells; ++c) {
    PuschSlotUe ue{&cell->plan, 0, true, c, decoded[static_cast<std::size_t>(c)]};
    ue.cell = c;
    ues.push_back(ue);
  }
  std::vector<PuschSlotUeResult> results(ues.size());
  time_cells(
      state, cells,
      [&]() -> Status {
        GpuPuschReceiver& r = **receiver;
        if (Status s = r.setup(ues, kRx, 12 * kPrbs); !s) return s;
        for (int c = 0; c < cells; ++c) {
          if (Status s = r.upload_grid(cell->grid, c); !s) return s;
        }
        if (Status s = r.enqueue(); !s) return s;
        return r.finish(ues, results);
      },
      [&] {
        long long ok = 0;
        for (const PuschSlotUeResult& r : results) ok += r.tb_crc_ok ? 1 : 0;
        return ok;
      });
}

BENCHMARK(BM_GpuPuschSlot)->ArgName("layers")->Arg(1)->Arg(2)->Arg(4)->UseManualTime()->MinTime(0.5)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GpuPuschStages)->ArgName("layers")->Arg(1)->Arg(2)->Arg(4)->UseManualTime()->MinTime(0.3)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GpuPuschCapacity)
    ->ArgNames({"cells", "layers"})
    ->ArgsProduct({{1, 8, 16, 20, 24, 28, 32}, {1, 2}})
    ->UseManualTime()
    ->Iterations(100)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GpuPuschCapacityBatched)
    ->ArgNames({"cells", "layers"})
    ->ArgsProduct({{1, 8, 16, 20, 24, 28, 32}, {1, 2}})
    ->UseManualTime()
    ->Iterations(100)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace airan::phy
