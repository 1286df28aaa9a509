// `airan bench`: the latency benchmark a lab runs on its own machine. Standard cells (20 MHz
// 2T2R up to 100 MHz 4T4R, 30 kHz) are emulated once per case (one UE over the whole carrier,
// by default an AWGN channel at 30 dB so that every TB decodes as in a working cell, BFP9
// fronthaul, every slot uplink) and replayed through the same pipeline
// as `airan replay` (slot assembler, PUSCH receiver), several times, the cases interleaved
// (these machines switch speed states: only interleaved runs compare). Per case: each stage's
// p50/p99/p99.9/max over all slots of all repeats, the share of slots within the slot duration
// and within the PUSCH budget (1500 us, the budget Aerial reports against), the decoded
// throughput, and the capacity of one core. Then the fronthaul receive path alone (parse and
// decompress) in packets/s and Gbit/s against 25 and 100 GbE.
//
// Capacity: one core processes N cells' slots one after another. It keeps up when
// N x mean <= slot duration, and the last cell's slot is still within the PUSCH budget when
// N x p99 <= 1500 us; capacity_cells_per_core is the largest N meeting both (0: not one cell).
//
// JSON (--json FILE; schema docs/bench.schema.json, "airan-bench/1"):
//   schema, machine {cpu_model, cores, isa, gpu {available, name, compute_capability, reason},
//                    versions {airan, build_type, compiler, cuda_architectures}},
//   options {configs, layers, mcs, mcs_table, channel, snr_db, slots, repeats, seed},
//   cases [{config, backend, numerology, prbs, antennas, layers, mcs, mcs_table, slots, repeats,
//           slot_budget_us, pusch_budget_us,
//           latency_us {fronthaul, channel_estimation, equalization, demapping, decoding, slot:
//                       each {p50, p99, p999, max, mean}},
//           repeat_p50_us [the slot p50 of each repeat], noise (relative spread of those),
//           within_slot_budget, within_pusch_budget, throughput_mbps (decoded TB bits per second
//           of processing), air_throughput_mbps (per second of air time), tb_crc_pass_rate,
//           capacity_cells_per_core}],
//   fronthaul [{config, compression, packets, packets_per_s, gbit_per_s, us_per_slot,
//               share_of_25gbe, share_of_100gbe}],
//   not_measured [what was asked but could not run here, and why]
//
// --compare BASELINE.json: per case and stage present in both, the p50 change; a regression is a
// slowdown beyond max(10 %, 3 x the larger noise of the two runs); exit 1 when there is one.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/phy/expected.hpp"

namespace CLI {
class App;
}

namespace airan::tools {

struct BenchOptions {
  std::string backend = "cpu";         // cpu, cuda or all
  std::vector<std::string> configs;    // empty: every standard configuration
  std::vector<int> layers;             // empty: 1, 2 and 4 where the cell has the antennas
  int mcs = 20;
  std::string mcs_table = "qam256";
  std::string channel = "awgn";        // the UE's channel model (awgn: each layer on its own antenna)
  double snr_db = 30.0;                // per receive antenna
  int slots = 100;                     // uplink slots per case and repeat
  int repeats = 3;
  std::uint64_t seed = 1;
  bool fronthaul = true;               // also the fronthaul receive benchmark
};

// The standard configurations, in order: name, numerology, PRBs, antennas.
struct BenchCell {
  std::string name;
  int numerology = 1;
  int prbs = 0;
  int antennas = 0;
};
const std::vector<BenchCell>& bench_cells();

// Runs the benchmark; progress(done, total) after each case repeat. Errors name a bad option.
Expected<nlohmann::json> run_bench(const BenchOptions& options, const std::function<void(int, int)>& progress = {});
std::string format_bench(const nlohmann::json& result);

struct BenchComparison {
  std::string table;
  int regressions = 0;
  int compared = 0;
};
// Errors: a baseline that is not an airan-bench/1 result.
Expected<BenchComparison> compare_bench(const nlohmann::json& current, const nlohmann::json& baseline);

// latency_cdf.png (slot processing time per case) and capacity.png (cells per core per case).
Status write_bench_plots(const nlohmann::json& result, const std::filesystem::path& folder);

void add_bench_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools
