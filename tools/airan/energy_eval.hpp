// `airan energy-eval`: every energy policy of ai/ over the factory scenarios through the MAC
// scheduler (mac/energy_evaluation.hpp), each baseline tuned by sweeping its parameters, against
// always-on and the oracle's bound. One table per scenario; --json; --plots.
//
// JSON (--json FILE), keys stable:
//   command "energy-eval", seed, seeds, duration_s, energy_model (the file or "built-in"),
//   cell {numerology, slot_duration_ms, tdd, prbs, antennas},
//   scenarios: [{name, offered_mbps, motion_control_packets, policies: [{
//     policy, parameters             the winning parameter set (the oracle: what it is)
//     energy {radio, compute, total} mean energy per slot in millijoules; per_bit: total energy
//                                    per delivered bit in nanojoules
//     saved_vs_always_on_pct         100 * (1 - total / always-on's total)
//     oracle_fraction                share of the oracle's saving achieved: (always-on - policy) /
//                                    (always-on - oracle); null when always-on or the oracle
//                                    did not run
//     deadline_miss_rate {motion_control, cooperative_robot, mobile_robot_control,
//                         mobile_robot_video, emergency_stop, embb}: missed / packets with
//                                    their deadline in the run (the oracle: 0 by definition;
//                                    null: the scenario has no packet of that class)
//     embb_throughput_mbps
//     tuning [{parameters, total, motion_control_miss_rate, compliant}]  every variant run;
//                                    compliant: motion-control misses <= 1e-5 and <= always-on's
//   }]}]
// Exit: 0 done; 1 a hard invariant failed (the ledger rejected a slot, energy accounting did not
// add up, a packet was counted delivered after its deadline, a zero-miss policy beat the oracle);
// 2 bad input (unknown scenario or policy: the message lists the valid ones).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "airan/mac/energy_evaluation.hpp"
#include "airan/phy/expected.hpp"

namespace CLI {
class App;
}

namespace airan::tools {

struct EnergyEvalOptions {
  std::vector<std::string> scenarios;  // empty: all
  std::vector<std::string> policies;   // empty: all
  int seeds = 1;
  std::uint64_t seed = 1;
  double duration_s = 10.0;
  std::string energy_model;  // YAML file; empty: the built-in model
  std::string json;
  std::string plots;
};

struct TuningEntry {
  std::string parameters;
  double total_mj_per_slot = 0.0;
  double motion_control_miss_rate = 0.0;
  bool compliant = false;
};

struct PolicyOutcome {
  mac::EnergyRunResult result;  // the winning variant, summed over the seeds
  std::vector<TuningEntry> tuning;
  double saved_vs_always_on_pct = 0.0;
  bool has_oracle_fraction = false;
  double oracle_fraction = 0.0;
};

struct ScenarioOutcome {
  std::string name;
  double offered_mbps = 0.0;
  std::vector<PolicyOutcome> policies;
};

struct EnergyEvalReport {
  EnergyEvalOptions options;
  mac::EnergyEvaluationConfig config;  // of the first scenario and seed (cell and model)
  std::vector<ScenarioOutcome> scenarios;
  std::vector<std::string> invariant_failures;  // empty when every hard invariant held
};

// Errors: bad input (exit 2). Invariant failures are in the report (exit 1).
Expected<EnergyEvalReport> run_energy_eval(const EnergyEvalOptions& options,
                                           const std::function<void(double)>& progress = {});
nlohmann::json to_json(const EnergyEvalReport& report);
std::string format_energy_tables(const EnergyEvalReport& report);
Status write_energy_plots(const EnergyEvalReport& report, const std::string& folder);

void add_energy_eval_command(CLI::App& app, int& exit_code);

}  // namespace airan::tools
